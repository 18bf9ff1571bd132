"""Review renderers on hand-built report values: table escaping, the comment size limit, JSON shape."""

from __future__ import annotations

from deployer.review import to_json, to_markdown, to_text
from deployer.review.render import MARKDOWN_LIMIT
from deployer.review.report import (
    CoverageDelta,
    DetectionChange,
    EnvironmentImpact,
    FixtureOutcome,
    PayloadDiff,
    ReviewReport,
    TextDiff,
)
from deployer.sync.plan import FieldChange

ID = "165c81de-8647-4902-9b13-b83cbd00115e"


def report(diff_lines: int = 3, status: str = "pass") -> ReviewReport:
    change = DetectionChange("modified", ID, "Pipes | in a name", "content/detections/x.yaml",
                             metadata=(FieldChange("severity", "medium", "high"),),
                             text_diffs=(TextDiff("search.query", tuple(f"+| line {n}" for n in range(diff_lines))),))
    impact = EnvironmentImpact("prod", ID, change.name, "update", True, True,
                               (PayloadDiff("scheduled_search", "update",
                                            (FieldChange("search.queryText", "a\n| x", "a\n| y"),)),))
    return ReviewReport("origin/main", "0" * 40, "working tree", None, ("prod",), (), (change,), (),
                        (FixtureOutcome(ID, change.name, "positive", status, ("expected a match",), "pass"),),
                        (impact,), CoverageDelta(), ("local",))


def test_markdown_escapes_table_cells_and_shows_changed_query_lines():
    text = to_markdown(report())
    assert "| ~ | Pipes \\| in a name | modified | severity medium -> high | 1/1 pass | update (1 field(s)) |" in text
    assert "  - `- | x`" in text and "  - `+ | y`" in text


def test_markdown_drops_details_beyond_a_comment_size():
    text = to_markdown(report(diff_lines=MARKDOWN_LIMIT // 10))
    assert len(text) < MARKDOWN_LIMIT and "Details omitted" in text and "<details>" not in text


def test_a_fixture_that_passed_at_base_blocks_in_every_format():
    blocked = report(status="fail")
    assert blocked.blockers == ("1 failing fixture(s), 1 passed at base",)
    assert to_json(blocked)["fixtures"][0]["regression"] is True
    assert to_text(blocked).endswith("verdict: blocked: 1 failing fixture(s), 1 passed at base")
    assert "fails in local (passed at base)" in to_markdown(blocked)
