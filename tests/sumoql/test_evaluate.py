"""Evaluator: the seed detection end to end, then each operator and function on reference examples."""

import json
from pathlib import Path

import pytest

from deployer.sumoql import CannotEvaluateOffline, compile_query, parse

DATA = Path(__file__).parent / "data"


def run(text: str, events: list[dict], **kwargs):
    return compile_query(parse(text), **kwargs).run(events)


def rows(text: str, events: list[dict], **kwargs) -> list[dict]:
    return run(text, events, **kwargs).rows


def raw(*messages: str) -> list[dict]:
    return [{"_raw": m, "_sourceCategory": "test", "_messageTime": 1_000 * i} for i, m in enumerate(messages)]


def test_seed_detection_matches_the_proxy_events(seed_corrected):
    events = json.loads((DATA / "seed_events.json").read_text())
    result = compile_query(parse(seed_corrected)).run(events, explain=True)
    assert [(r["host"], r["detection_type"]) for r in result.rows] == [("WS02", "KnownProxyTool"),
                                                                      ("WS01", "NetshPortProxy")]
    notepad, off_scope = result.traces[2], result.traces[3]
    assert not notepad.survived and notepad.steps[-1].text == "where suspicion_score > 0"
    assert notepad.steps[-1].reason == "suspicion_score = 0" and notepad.steps[-1].index == 14
    assert off_scope.steps[0].index == 0 and not off_scope.steps[0].kept
    assert result.traces[0].steps[2].added == {"process_image": "C:\\Windows\\System32\\netsh.exe"}


def test_scope_terms_wildcards_and_metadata():
    events = raw("TEST Request:id=1234567 TEST1234567", "other 456 text")
    assert len(rows("456", events)) == 1
    assert len(rows("*456*", events)) == 2
    assert len(rows("test*", events)) == 1
    assert len(rows('_sourceCategory=TES* NOT other', events)) == 1
    assert len(rows('"request:id"', events)) == 1


def test_parse_anchor_and_nodrop_chain():
    events = raw("user=jsmith: severity=high:", "nothing here")
    assert rows('* | parse "user=*: severity=*:" as user, severity', events)[0]["severity"] == "high"
    assert len(rows('* | parse "a=*" as a nodrop | parse "user=*:" as u', events)) == 1
    assert len(rows('* | parse "nothing *" as n nodrop | parse "user=*:" as u', events)) == 2
    assert rows('* | parse "* - " as ip', raw("1.2.3.4 - - x"))[0]["ip"] == "1.2.3.4"


def test_parse_regex_multi_and_field():
    events = raw("ip=1.1.1.1 ip=2.2.2.2")
    assert [r["ip"] for r in rows('* | parse regex "ip=(?<ip>\\S+)" multi', events)] == ["1.1.1.1", "2.2.2.2"]
    assert rows('* | parse regex field=_sourceCategory "(?<t>te)"', events)[0]["t"] == "te"


def test_json_paths_and_nodrop():
    events = raw('{"a": {"b": [1, {"c": "x"}]}, "k.d": "v", "l": [{"T": 1}, {"T": 2}]}', "not json")
    (row,) = rows('* | json "a.b[1].c", "[\'k.d\']", "l[*].T" as c, kd, ts', events)
    assert (row["c"], row["kd"], row["ts"]) == ("x", "v", "[1,2]")
    assert len(rows('* | json "missing" nodrop', events)) == 2
    assert rows("* | json auto", events[:1])[0]["k.d"] == "v"


def test_keyvalue_and_split():
    assert rows('* | kv "user", "ip"', raw('user=bob ip="10.0.0.1" x=1'))[0]["ip"] == "10.0.0.1"
    row = rows("* | split _raw delim=':' extract 1 as a, 3 as c", raw("x:y:z"))[0]
    assert (row["a"], row["c"]) == ("x", "z")
    assert rows('* | csv _raw extract a, _, c', raw('1,"2,2",3'))[0]["c"] == "3"


@pytest.mark.parametrize("expression, expected", [
    ('"5xx" matches "5*"', True), ('"Android" matches "android"', False),
    ('"ab/c" matches "*$"', False), ('"xWRITEy" matches /WRITE/', True),
    ('"a" in ("a", "b")', True), ('"c" not in ("a", "b")', True),
    ('"abc" contains "b"', True), ('contains("", "")', True),
    ("isNull(nope)", True), ('isEmpty("")', True), ('isBlank(" ")', True), ('isBlank("bob")', False),
    ('substring("Sumo Logic", 0, 4)', "Sumo"), ('concat("a", nope, "b")', "ab"),
    ('replace("flight/12345", /(flight)\\/([0-9]{5,})/, "$2")', "12345"), ('toUpperCase("a")', "A"),
    ('trim("  x ")', "x"), ('length(nope)', 0), ('format("%s-%d", "a", "5")', "a-5"),
    ("3 + 2 * 4", 11), ("1.5s", 1500), ('"10" > 9', True), ("2015-03-15", 1997), ("7 % 4", 3),
    ('if(1 > 2, "a", "b")', "b"), ("1 > 2 ? 1 : 0", 0), ('isPrivateIP("10.1.2.3")', True),
    ('isPublicIP("8.8.8.8")', True), ('urldecode("a%20b")', "a b"), ('base64Decode("aGk=")', "hi"),
    ("round(2.5)", 3), ("pow(2, 10)", 1024), ('nope = "x"', False), ('nope != "x"', False),
])
def test_expressions(expression, expected):
    assert rows(f"* | {expression} as v", raw("m"))[0]["v"] == expected


def test_fields_sort_limit_dedup():
    events = raw("a", "b", "c", "a")
    result = rows('* | parse "*" as x | fields x | sort by x | limit 2', events)
    assert [r["x"] for r in result] == ["c", "b"] and {k for k in result[0] if not k.startswith("_")} == {"x"}
    assert [r["x"] for r in rows('* | parse "*" as x | sort by x asc', events)] == ["a", "a", "b", "c"]
    assert len(rows("* | dedup", events)) == 3


def test_aggregates_by_and_timeslice():
    events = [{"_raw": f"host=h{i % 2} ms={i}", "_messageTime": 60_000 * i} for i in range(6)]
    text = ('* | parse "host=* ms=*" as host, ms | timeslice 2m | count, sum(ms), avg(ms), max(ms), '
            "count_distinct(ms) as d, pct(ms, 50), values(host) by _timeslice | sort by _timeslice asc")
    result = rows(text, events)
    assert [r["_count"] for r in result] == [2, 2, 2]
    assert result[1] == {"_timeslice": 120_000, "_count": 2, "_sum": 5, "_avg": 2.5, "_max": 3, "d": 2,
                         "_ms_pct_50": 2, "_values": "h0,h1"}
    grouped = rows('* | parse "host=* " as host | count by host | where _count > 2', events)
    assert sorted(r["host"] for r in grouped) == ["h0", "h1"]
    assert rows('* | parse "host=* " as host | top 1 host', events)[0]["_count"] == 3
    assert rows('* | parse "ms=*" as ms | most_recent(ms) as m', events)[0]["m"] == "5"


def test_lookup_is_case_insensitive():
    table = [{"ip": "10.0.0.1", "owner": "Alice"}]
    text = '* | parse "src=*" as src | lookup owner from path://"/Library/assets" on src=ip'
    result = rows(text, raw("src=10.0.0.1", "src=10.9.9.9"), lookups={"/Library/assets": table})
    assert [r["owner"] for r in result] == ["Alice", None]


@pytest.mark.parametrize("text", ["* | save /Shared/x", "* | threatip src_ip", "* | geoip src",
                                  '* | lookup a from path://"/missing" on a=a'])
def test_operators_that_need_the_tenant(text):
    with pytest.raises(CannotEvaluateOffline, match="cannot evaluate offline: "):
        compile_query(parse(text))


def hosts(*pairs: tuple[str, int]) -> list[dict]:
    return [{"_raw": f"host={h} status={s}", "_messageTime": 60_000 * minute} for minute, (h, s) in enumerate(pairs)]


def test_fillmissing_timeslice_and_values_fill_the_reference_defaults():
    events = hosts(("h0", 1), ("h1", 2), ("h0", 3), ("h0", 4))[::3]  # minutes 0 and 3
    text = ('* | parse "host=* status=*" as host, status | timeslice 1m | count, avg(status) as a by _timeslice'
            " | fillmissing timeslice(1m) | sort by _timeslice asc")
    assert rows(text, events) == [{"_timeslice": 0, "_count": 1, "a": 1.0}, {"_timeslice": 60_000, "_count": 0, "a": 0.0},
                                  {"_timeslice": 120_000, "_count": 0, "a": 0.0}, {"_timeslice": 180_000, "_count": 1, "a": 4.0}]
    text = ('* | parse "host=* status=*" as host, status | count by host'
            ' | fillmissing values("h0", "h1", "h2") in host with 7 for _count | sort by host asc')
    assert rows(text, events) == [{"host": "h0", "_count": 2}, {"host": "h1", "_count": 7}, {"host": "h2", "_count": 7}]


def test_fillmissing_values_all_crosses_with_timeslices():
    events = hosts(("h0", 1), ("h1", 2))
    text = ('* | parse "host=* " as host | timeslice 1m | count by _timeslice, host'
            " | fillmissing timeslice, values all in host | sort by _timeslice asc, host asc")
    assert [(r["_timeslice"], r["host"], r["_count"]) for r in rows(text, events)] == [
        (0, "h0", 1), (0, "h1", 0), (60_000, "h0", 0), (60_000, "h1", 1)]


def test_withtime_gives_most_and_least_recent_values():
    events = hosts(("h0", 1), ("h0", 3), ("h1", 2), ("h0", 2))
    text = ('* | parse "host=* status=*" as host, status | withtime status'
            " | most_recent(status_withtime) as now, least_recent(status_withtime) as then by host | sort host asc")
    assert rows(text, events) == [{"host": "h0", "now": "2", "then": "1"}, {"host": "h1", "now": "2", "then": "2"}]


def test_total_and_accum_per_group_in_row_order():
    events = hosts(("h0", 1), ("h1", 2), ("h0", 3), ("h0", 4))
    text = ('* | parse "host=* status=*" as host, status | total status as all_status by host | accum status by host'
            " | fields host, all_status, _accum")
    assert [(r["host"], r["all_status"], r["_accum"]) for r in rows(text, events)] == [
        ("h0", 8, 1), ("h1", 2, 2), ("h0", 8, 4), ("h0", 8, 8)]
    assert [r["_total"] for r in rows('* | parse "status=*" as status | total status', events)] == [10] * 4


@pytest.mark.parametrize("text", ["* | timeslice 10 buckets | count by _timeslice",
                                  "* | count by _timeslice | fillmissing timeslice(1m) takeLast",
                                  "* | fillmissing timeslice(1m)"])
def test_operators_without_offline_semantics(text):
    with pytest.raises(CannotEvaluateOffline, match="cannot evaluate offline: "):
        compile_query(parse(text))


def test_json_field_without_alias_is_named_by_the_path_as_written():
    (row,) = rows("""* | json "$['a b']", "['c.d']", "e.f" """, raw('{"a b": 1, "c.d": 2, "e": {"f": 3}}'))
    assert (row["$['a b']"], row["['c.d']"], row["e.f"]) == ("1", "2", "3")
