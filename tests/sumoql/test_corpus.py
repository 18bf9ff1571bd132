"""Conformance: the parser accepts Sumo's own app queries, and printing round-trips them."""

from pathlib import Path

from deployer.sumoql import QuerySyntaxError, format_query, parse

KNOWN_INVALID = Path(__file__).parent / "corpus_invalid.txt"


def _known_invalid() -> set[tuple[str, str]]:
    rows = [line.split(" | ") for line in KNOWN_INVALID.read_text().splitlines() if line and not line.startswith("#")]
    return {(app.strip(), name.strip()) for app, name, _reason in rows}


def test_corpus_parses_and_round_trips(corpus):
    failures, round_trip = [], []
    for row in corpus:
        try:
            query = parse(row["query"])
        except QuerySyntaxError as error:
            failures.append((row["app"], row["name"], str(error)))
            continue
        if parse(format_query(query)) != query:
            round_trip.append((row["app"], row["name"]))
    rate = 1 - len(failures) / len(corpus)
    print(f"corpus parse rate {rate:.2%} ({len(corpus) - len(failures)}/{len(corpus)})")
    for failure in failures[:10]:
        print("  FAIL", *failure)
    assert rate >= 0.995
    assert not round_trip
    unexplained = {(app, name) for app, name, _ in failures} - _known_invalid()
    assert not unexplained, f"parser bugs (valid Sumo that fails): {sorted(unexplained)[:5]}"
