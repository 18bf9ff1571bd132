"""Parser: one test per construct of the reference (part A), spans and syntax errors."""

import pytest

from deployer.sumoql import QuerySyntaxError, format_query, parse
from deployer.sumoql import ast as a


def only_stage(text: str):
    query = parse("* | " + text)
    assert len(query.stages) == 1
    return query.stages[0]


def test_scope_precedence_not_and_or():
    scope = parse('error OR fail and NOT debug "two words" !x').scope
    assert scope == a.ScopeBool("or", (
        a.Keyword("error", False),
        a.ScopeBool("and", (a.Keyword("fail", False), a.ScopeNot(a.Keyword("debug", False)),
                            a.Keyword("two words", True), a.ScopeNot(a.Keyword("x", False)))),
    ))


def test_scope_metadata_and_escaped_field():
    scope = parse('_sourceCategory="with spaces" %"sumo.datasource"=windows _sourceHost=*kw*').scope
    assert [type(o) for o in scope.operands] == [a.FieldMatch] * 3
    assert scope.operands[1].field == "sumo.datasource"
    assert scope.operands[2].value == a.Keyword("*kw*", False)


def test_comments_are_skipped():
    query = parse("error // trailing\n/* block\ncomment */ | count")
    assert query.scope == a.Keyword("error", False) and isinstance(query.stages[0], a.Aggregate)


@pytest.mark.parametrize("text, value", [("1.5s", 1500), ("10k", 10_000), ("2Ki", 2048), ("5m", 300_000),
                                          ("3.14e+4", 31400)])
def test_number_suffixes(text, value):
    assert only_stage(f"{text} as v").expr.value == value


def test_where_expression_shapes():
    stage = only_stage('where !(x matches "y*") and a in ("1", "2") or b not in (3) && c contains "z"')
    assert isinstance(stage.condition, a.Logical) and stage.condition.op == "or"
    stage = only_stage("where x matches /a\\/b/")
    assert stage.condition.right == a.Regex("a\\/b") and stage.condition.right.pattern == "a/b"


def test_assignment_forms():
    assert only_stage("toLowerCase(x) as y") == a.Assign(a.Call("toLowerCase", (a.Field("x"),)), "y")
    assert only_stage("num(x)") == a.Assign(a.Call("num", (a.Field("x"),)), None)
    ternary = only_stage("a < b ? a : b as m").expr
    assert isinstance(ternary, a.Ternary)
    nested = only_stage('if(x = 1, "a", if(y = 1, "b", "c")) as z').expr
    assert nested.args[2].name == "if"


def test_parse_operators():
    anchor = only_stage('parse field=msg "user=*: severity=*:" as user, severity nodrop')
    assert anchor.patterns[0].names == ("user", "severity") and anchor.field == "msg" and anchor.nodrop
    regex = only_stage('parse regex "(?<ip>\\d+)" multi nodrop')
    assert regex.multi and regex.nodrop
    assert only_stage('extract "(?<a>x)"') == a.ParseRegex(a.String("(?<a>x)"), None, False, False)
    json = only_stage('json field=_raw "a.b", "$[\'x.y\']" as ab, xy nodrop')
    assert json.aliases == ("ab", "xy") and json.nodrop and len(json.paths) == 2
    assert only_stage("json auto maxdepth 2").auto
    kv = only_stage('kv regex "=(.*?)" "k1", "k2" as a, b')
    assert kv.regex.raw == "=(.*?)" and kv.aliases == ("a", "b")
    split = only_stage("split ip delim=':' extract 1 as src, 2 as port")
    assert split.options == (("delim", "':'"),) and split.extractions[1] == a.Extraction(2, "port")
    assert only_stage("csv _raw extract a, _, c").extractions[1].name == "_"


def test_table_operators():
    assert only_stage("fields - a, b").mode == "-"
    sort = only_stage("sort by _count desc, +name")
    assert [k.direction for k in sort.keys] == ["desc", "asc"]
    assert only_stage("order _count").keys[0].direction is None
    assert only_stage("limit 10").count.value == 10
    assert only_stage("top 5 _sourcecategory").fields == (a.Field("_sourcecategory"),)
    assert only_stage("dedup 2 by user").by == (a.Field("user"),)
    lookup = only_stage('lookup type, actor as who from path://"/Library/Users/x" on ip=c_ip')
    assert lookup.table == 'path://"/Library/Users/x"' and lookup.on == (("ip", "c_ip"),)
    assert only_stage("timeslice 1 h as t").size.text == "1h"


def test_aggregates():
    agg = only_stage("count as c, avg(x), pct(ms, 95) group by host, _timeslice")
    assert [c.name for c in agg.calls] == ["count", "avg", "pct"] and len(agg.by) == 2
    assert only_stage("count_frequent a, b").calls[0].args == (a.Field("a"), a.Field("b"))
    assert isinstance(only_stage("max(a, b) as m"), a.Assign)


@pytest.mark.parametrize("operator", ["transpose row _timeslice column x", "compare with timeshift 1d",
                                      "outlier _count", "withtime x", "total x as t", "accum x", "smooth x",
                                      "rollingstd x", "save /Shared/x", "logreduce", "topk(10, x) by y",
                                      "fillmissing timeslice(1h)", "threatip src_ip"])
def test_generic_operators_are_recognised(operator):
    stage = only_stage(operator)
    assert isinstance(stage, a.Operator) and stage.name == operator.split()[0].split("(")[0]


def test_subquery_and_parameters():
    query = parse('_sourceCategory={{src}} | where x matches "{{p}}" and [subquery: y | compose z]')
    assert query.scope.value.text == "{{src}}"
    assert isinstance(query.stages[0].condition.operands[1], a.Subquery)
    assert only_stage("limit {{n}}").count == a.Param("n")


def test_spans_are_relative_to_query_text():
    query = parse("error\n| where  x > 1")
    where = query.stages[0]
    assert (where.span.line, where.span.column) == (2, 3)
    assert (where.condition.right.span.line, where.condition.right.span.column) == (2, 14)


def test_unknown_operator_eval_has_the_sumo_way(seed_original):
    with pytest.raises(QuerySyntaxError) as info:
        parse("* | eval x = toLowerCase(y)")
    error = info.value
    assert error.code == "SQL101" and (error.line, error.column) == (1, 5)
    assert "toLowerCase(y) as x" in error.message and error.diagnostic.span.length == 4


@pytest.mark.parametrize("text, message", [
    ('* | parse "x=*', "unterminated string"),
    ("* | where (a", "')'"),
    ('* | parse "a*" as x where x > 1', "own pipe"),
    ("* | where x matches /abc", "unterminated regular expression"),
    ("* | frobnicate x", "unknown operator 'frobnicate'"),
    ("a ) b", "scope"),
])
def test_syntax_errors(text, message):
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    assert message in str(info.value)


def test_deep_nesting_is_a_syntax_error_not_a_crash():
    for text in ["* | where " + "(" * 5000 + "x" + ")" * 5000, "* | 1" + " + 1" * 5000 + " as x",
                 "(" * 5000 + "a" + ")" * 5000, "* | where " + "!" * 5000 + "x"]:
        with pytest.raises(QuerySyntaxError) as info:
            parse(text)
        assert info.value.code == "SQL102"


def test_printer_is_canonical(seed_corrected):
    query = parse(seed_corrected)
    printed = format_query(query)
    assert parse(printed) == query
    assert format_query(parse(printed)) == printed
    assert format_query(parse("a b | where (x or y) or z and !w")) == "a AND b\n| where (x or y) or z and !w"
