"""Hypothesis: random and mutated queries either round-trip or raise QuerySyntaxError."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deployer.sumoql import QuerySyntaxError, format_query, lint, parse

SEEDS = [p.read_text() for p in sorted((Path(__file__).parent / "data").glob("*.sumo"))] + [
    '_sourceCategory=x* error | json "a.b" as ab nodrop | where ab in ("1", "2") | count by ab',
    '* | parse "user=*," as user | timeslice 5m | count_distinct(user) as u by _timeslice | sort u',
    '(a OR b) NOT c | kv "k" | if(k > 1, "x", "y") as z | top 3 z by _count | limit 5',
]
ALPHABET = st.sampled_from(list('|()[]{}"\'/\\*?!=<>,.:%-+ \n') + ["where ", " as ", "matches ", "and ", "or ",
                                                                   "not ", "in ", "parse ", "count", "by ",
                                                                   "x", "1", "5m", "{{p}}", "json ", "if("])


def check(text: str) -> None:
    try:
        query = parse(text)
    except QuerySyntaxError:
        return
    assert parse(format_query(query)) == query
    lint(text)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_random_queries(text):
    check(text)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.integers(0, 10_000), st.integers(0, 6), ALPHABET)
def test_mutated_queries(seed, position, cut, insert):
    position %= len(seed) + 1
    check(seed[:position] + insert + seed[position + cut:])
