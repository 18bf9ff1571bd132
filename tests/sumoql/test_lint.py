"""Linter: each rule on a small query, the seed detection before and after correction."""

import pytest

from deployer.diagnostics import Severity
from deployer.sumoql import lint, parse


def codes(text: str, **kwargs) -> list[str]:
    return [d.code for d in lint(text, **kwargs)]


def test_seed_original_is_rejected_with_eval_at_line_8(seed_original):
    found = lint(seed_original)
    evals = [d for d in found if d.code == "SQL101"]
    assert evals and (evals[0].span.line, evals[0].span.column) == (8, 3)
    assert "toLowerCase(process_image) as process_lower" in evals[0].message
    assert {d.span.line for d in found if d.code == "SQL110"} == {3, 4, 5, 6, 7}
    quoted = [d for d in found if d.code == "SQL120"]
    assert quoted and quoted[0].span.line == 10 and quoted[0].severity is Severity.ERROR


def test_seed_corrected_lints_clean(seed_corrected):
    assert lint(seed_corrected, parameters=set()) == []


def test_lint_accepts_a_parsed_query(seed_corrected):
    assert lint(parse(seed_corrected)) == []


def test_syntax_error_is_one_diagnostic_not_an_exception():
    found = lint('* | parse "unterminated')
    assert [d.code for d in found] == ["SQL100"] and found[0].span.column == 11


@pytest.mark.parametrize("text, code", [
    ('* | parse regex "(?P<user>\\w+)"', "SQL110"),
    ('* | parse regex "(?<a>x)(y)"', "SQL111"),
    ('* | parse regex "(?<a>x(?<b>y))"', "SQL112"),
    ('* | parse regex "(?<a>x[)"', "SQL113"),
    ('* | parse regex "(?<a>\\p{InGreek})"', "SQL114"),
    ('* | parse regex "(?:x)"', "SQL115"),
    ('* | where x matches "/(a|b)/"', "SQL120"),
    ("* | count as c | avg(c + 1)", "SQL130"),
    ('* | concat(a, "b")', "SQL131"),
    ("* | fields _raw, _raw", "SQL132"),
    ('* | parse "a=* b=*" as a', "SQL133"),
    ("* | where undefined_field > 1", "SQL140"),
    ('* | parse "u=*" as user | count by _sourceHost | where user = "x"', "SQL141"),
    ('* | parse "u=*" as user | fields - user | where user = "x"', "SQL141"),
])
def test_rule(text, code):
    assert code in codes(text)


def test_quoted_slashes_without_regex_syntax_is_only_a_warning():
    (diagnostic,) = lint('* | parse "u=*" as uri | where uri matches "/api/*/"')
    assert diagnostic.code == "SQL120" and diagnostic.severity is Severity.WARNING


def test_regex_error_position_inside_pattern():
    (diagnostic,) = lint('* | parse regex "x(?P<user>y)"')
    assert diagnostic.span.column == 19 and diagnostic.span.length == 9


def test_fields_defined_by_every_parser_are_known():
    text = ('* | parse "a=*" as a | parse regex "(?<b>x)" | json "c.d" as c | kv "e" | split a extract f'
            " | lookup g from path://\"/x\" on a=a | timeslice 5m | a + b as h"
            " | count by a, b, c, e, f, g, h, _timeslice | where _count > 1")
    assert lint(text) == []


def test_metadata_is_case_insensitive_and_scope_fields_exist():
    assert lint("srcDevice_ip=* | where _SourceCategory = \"x\" and srcDevice_ip = \"y\"") == []


def test_parameters_must_be_declared():
    text = '_sourceCategory={{source}} | where x matches "{{pattern}}"'
    assert "SQL150" not in codes(text)
    found = [d for d in lint(text, parameters={"source"}) if d.code == "SQL150"]
    assert len(found) == 1 and found[0].span.column == 47 and "pattern" in found[0].message


def test_pipeline_after_invalid_stage_is_still_checked():
    found = codes('* | eval x = y | where z matches "/a(b)/"')
    assert found[0] == "SQL101" and "SQL120" in found


def test_invalid_regex_is_located_at_the_bad_construct():
    # regression: SQL113 pointed at the opening quote, not at the construct
    query = '_sourceCategory=x | parse regex "user=(?<u>[a-z)"'
    found = [d for d in lint(query) if d.code == "SQL113"]
    assert [(d.span.line, d.span.column) for d in found] == [(1, query.index("[") + 1)]


def test_python_backreference_is_reported():
    # regression: (?P=name) passed the linter although Java rejects it
    found = [d for d in lint('_sourceCategory=x | parse regex "(?<u>a)(?P=u)"') if d.code == "SQL113"]
    assert found and "Python syntax" in found[0].message


def test_deeply_nested_regex_is_a_finding_not_a_crash():
    # regression: a regex nested deep enough for RecursionError made lint raise
    query = "_sourceCategory=x | where a matches /" + "(?:" * 3000 + "a" + ")" * 3000 + "/"
    assert "SQL113" in [d.code for d in lint(query)]


@pytest.mark.parametrize("construct, code", [("[b", "SQL113"), ("(?q)", "SQL113"), ("\\p{InGreek}", "SQL114")])
def test_regex_positions_after_a_python_named_group_are_exact(construct, code):
    # regression: (?P< was rewritten to (?< before checking, so later positions were one column left
    query = f'_sourceCategory=x | parse regex "(?P<u>a){construct}"'
    found = [d for d in lint(query) if d.code == code]
    assert [d.span.column for d in found] == [query.index(construct) + 1]
    assert [d.code for d in lint(query)].count("SQL113") == (code == "SQL113")  # (?P< itself is SQL110 only


@pytest.mark.parametrize("construct, code", [("[b", "SQL113"), ("(?q)", "SQL113"), ("\\p{InGreek}", "SQL114")])
def test_regex_literal_positions_after_escaped_slashes_are_exact(construct, code):
    # regression: positions were computed on the pattern with \/ unescaped, one column left per \/
    query = f"_sourceCategory=x | where _raw matches /a\\/b\\/{construct}/"
    found = [d for d in lint(query) if d.code == code]
    assert [d.span.column for d in found] == [query.index(construct) + 1]


@pytest.mark.parametrize("path", ["$['a b']", "['a b']", "a.b", "a[0]"])
def test_json_field_without_alias_is_named_by_the_path_as_written(path):
    # regression: lint named "$['a b']" field "a b" while the evaluator and prefilter used "$['a b']"
    text = f'* | json "{path}" | where %"{path}" = "x"'
    assert "SQL140" not in codes(text)
    if "'" in path:
        assert "SQL140" in codes(f'* | json "{path}" | where %"a b" = "x"')
