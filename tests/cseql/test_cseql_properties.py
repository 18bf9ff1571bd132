"""Property tests: any text either parses and round-trips through the printer, or is an ExpressionSyntaxError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deployer.cseql import ExpressionSyntaxError, evaluate, format_expression, lint, parse

FIELDS = st.sampled_from(
    ["commandLine", "dstPort", "success", "listMatches", "x", "fields['k']", "fields.k", "arr[0]"]
)
STRINGS = st.text(alphabet="ab%_*\\'\" .", max_size=6).map(lambda s: "'" + s.replace("'", "\\'") + "'")
LITERALS = st.one_of(
    STRINGS,
    st.integers(-5, 500).map(str),
    st.sampled_from(["true", "FALSE", "null", "1.5", "5m", "'a\\'", '"q\\"x"']),
)
REGEX = st.text(alphabet="ab.*()[]|\\/^$?+", max_size=6).map(lambda s: "/" + s.replace("/", "\\/") + "/")
VALUES = st.one_of(FIELDS, LITERALS)


def predicates(values):
    return st.one_of(
        st.tuples(values, st.sampled_from(["=", "!=", "<>", "<", "<=", ">", ">=", "=="]), values).map(
            " ".join
        ),
        st.tuples(values, st.sampled_from(["IN", "not in"]), st.lists(values, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]} {t[1]} ({', '.join(t[2])})"
        ),
        st.tuples(values, st.sampled_from(["LIKE", "NOT LIKE", "rlike", "NOT RLIKE"]), STRINGS).map(" ".join),
        st.tuples(
            values,
            st.sampled_from(["MATCHES", "!matches", "NOT MATCHES"]),
            st.one_of(REGEX, st.just('"a*b"')),
        ).map(" ".join),
        st.tuples(values, values, values).map(lambda t: f"{t[0]} BETWEEN {t[1]} AND {t[2]}"),
        st.tuples(values, st.sampled_from(["IS NULL", "is not null"])).map(" ".join),
        st.tuples(
            st.sampled_from(["lower", "isEmpty", "array_contains", "int", "nope"]),
            st.lists(values, max_size=2),
        ).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(values, st.sampled_from(["+", "-", "*", "/"]), values).map(" ".join),
    )


EXPRESSIONS = st.recursive(
    predicates(VALUES),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" AND ", " or ", " && ", " || "]), inner).map("".join),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"NOT {e}"),
        inner.map(lambda e: f"!{e}"),
        inner.map(lambda e: f"/* c */ {e}"),
    ),
    max_leaves=12,
)
NOISE = st.text(alphabet="ab1 ()[]'\"/\\*!=<>%.,-+&|_\n", max_size=40)
RECORD = {
    "commandLine": "a b",
    "dstPort": 445,
    "success": True,
    "listMatches": ["a"],
    "fields": {"k": "v"},
    "arr": [1],
}


def check(text: str) -> None:
    try:
        expr = parse(text)
    except ExpressionSyntaxError as error:
        assert error.code.startswith("CSE1") and error.line >= 1 and error.column >= 1
        assert [d.code for d in lint(text)] == [error.code]
        return
    printed = format_expression(expr)
    assert parse(printed) == expr, printed
    assert format_expression(parse(printed)) == printed
    lint(expr)
    evaluate(expr, RECORD)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_generated_expressions_round_trip(text):
    check(text)


@settings(max_examples=400, deadline=None)
@given(NOISE)
def test_arbitrary_text_never_crashes(text):
    check(text)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 400), st.sampled_from(["(", "NOT ", "!", "-", "lower(", "[", "a[", "fields["]))
def test_deep_nesting_is_safe(depth, opener):
    check(opener * depth + "a")
    check(opener * depth + "a" + ")" * depth)
