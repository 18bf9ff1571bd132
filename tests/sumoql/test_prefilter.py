"""Literal prefilter: what it derives, and (hypothesis) that it never changes a query's result."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deployer.sumoql import Pipeline, compile_query, parse
from deployer.sumoql.prefilter import AllOf, AnyOf, Literal, query_requirement


def test_seed_query_requires_its_scope_and_event_codes(seed_corrected):
    category = AnyOf(tuple(Literal("_sourceCategory", word) for word in ("windows", "sysmon", "endpoint")))
    # Python's regex parser factors the alternatives' common prefix out: (?i)Event(Code=1|ID=1|...)
    codes = AnyOf(tuple(Literal("_raw", code) for code in ("code=1", "id=1", "code=4688", "id=4688")))
    assert query_requirement(parse(seed_corrected)) == AllOf((category, Literal("_raw", "event"), codes))
    keeps = compile_query(parse(seed_corrected)).prefilter
    assert not keeps({"_raw": "EventCode=4688", "_sourceCategory": "prod/linux"})
    assert not keeps({"_raw": "EventCode=4624", "_sourceCategory": "prod/windows"})
    assert keeps({"_raw": "eventcode=4688 x", "_sourceCategory": "prod/WINDOWS"})


def test_nothing_is_required_past_negations_and_rewritten_fields():
    for text in ("!error", "error OR !fail", "* | where !(_raw matches /x/)",
                 '* | "x" as _raw | where _raw matches /y/', "* | count | where _raw matches /y/"):
        assert compile_query(parse(text)).prefilter is None, text


def test_text_with_letters_regex_folds_onto_ascii_is_kept():
    # Python's case-insensitive regex matches ſ to s, and İ/ı to i; str.lower() does not.
    for scope, message in (("stop", "ſtop"), ("id", "İd"), ("* | where _raw matches /(?i)id/", "ıd")):
        pipeline = compile_query(parse(scope))
        assert pipeline.run([{"_raw": message}]).rows, (scope, message)


def test_explain_shows_the_scope_dropping_an_event_the_prefilter_would_skip():
    result = compile_query(parse("error | where _raw matches /disk/")).run([{"_raw": "all fine"}], explain=True)
    (step,) = result.traces[0].steps
    assert step.index == 0 and not step.kept


# Letters Python's case-insensitive regex folds onto ASCII (ſ, İ, Kelvin sign, ı) appear now and then.
WORDS = ["error", "Fail", "disk", "EventCode", "4688", "user", "admin", "a-b", "x.y", "foo_bar", "stop", "id",
         "kelvin"] * 6 + ["ſtop", "İd", "\u212aelvin", "ıd", "naïve"]
SEPARATORS = [" ", "=", ":", "/", "\n", ""]
CASE = st.sampled_from([str, str.upper, str.lower, str.title])
EVENT_WORD = st.tuples(st.sampled_from(WORDS), CASE).map(lambda t: t[1](t[0]))
RAW = st.lists(st.tuples(EVENT_WORD, st.sampled_from(SEPARATORS)), min_size=2, max_size=8).map(
    lambda parts: "".join(w + s for w, s in parts))
EVENT = st.fixed_dictionaries({"_raw": RAW, "_sourceCategory": st.sampled_from(["prod/windows", "Sysmon", "linux"]),
                               "_messageTime": st.integers(0, 10)})

SCOPE_WORD = st.sampled_from(["error", "fail*", "di?k", "EVENTCODE", "*688", "user", "a-b", "x.y", "stop", "id",
                              "kelvin", "naïve"])
TERM = st.one_of(
    st.just("*"),
    SCOPE_WORD,
    st.lists(SCOPE_WORD, min_size=1, max_size=2).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.sampled_from(["_sourceCategory=*win*", "_sourceCategory=prod/*", "_sourceCategory!=linux",
                     "_sourcecategory=SYSMON"]),
    SCOPE_WORD.map(lambda w: f"!{w}"),
)
SCOPE = st.recursive(TERM, lambda inner: st.tuples(inner, st.sampled_from([" ", " AND ", " OR ", " NOT "]), inner)
                     .map(lambda t: f"({t[0]}{t[1]}{t[2]})"), max_leaves=3)
REGEX_ATOM = st.one_of(st.sampled_from(["error", "disk", "EventCode=4688", "ser", "\\bid\\b", "\\d+", "st?op",
                                        "ſtop", "kelvin", "(?:a|x)[-.]b?"]),
                       st.lists(st.sampled_from(["fail", "admin", "4688", "y"]), min_size=2, max_size=3)
                       .map(lambda ws: "(" + "|".join(ws) + ")"))
REGEX = st.tuples(st.sampled_from(["", "(?i)"]), st.lists(REGEX_ATOM, min_size=1, max_size=2),
                  st.sampled_from(["", "+", "?", ".*"])).map(lambda t: t[0] + "(?:" + ".*".join(t[1]) + ")" + t[2])
STAGES = st.one_of(
    st.just(""),
    REGEX.map(lambda r: f" | where _raw matches /{r}/"),
    st.tuples(REGEX, REGEX).map(lambda t: f" | where _raw matches /{t[0]}/ or _raw matches /{t[1]}/"),
    REGEX.map(lambda r: f' | parse regex "(?<w>[a-z]+)" nodrop | where _raw matches /{r}/ and w matches "*"'),
    SCOPE_WORD.map(lambda w: f' | where _raw matches "*{w}*"'),
    REGEX.map(lambda r: f' | concat("error disk EventCode=4688 x-b id", _raw) as _raw | where _raw matches /{r}/'),
    REGEX.map(lambda r: f" | where !(_raw matches /{r}/)"),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCOPE, STAGES, st.lists(EVENT, max_size=12))
def test_prefilter_never_changes_the_result(scope, stages, events):
    pipeline = compile_query(parse(scope + stages))
    unfiltered = Pipeline(pipeline.query, pipeline.stages)
    assert pipeline.run(events).rows == unfiltered.run(events).rows
