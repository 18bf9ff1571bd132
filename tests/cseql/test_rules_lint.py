"""lint_rule: findings in a `cse` block land on the right line and column of the detection file."""

from __future__ import annotations

from pathlib import Path

from deployer.content.loader import build_detection, load_content
from deployer.content.yamlpos import load_document
from deployer.cseql.rule_lint import lint_rule

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "content" / "detections" / "command-and-control" / "t1090-001-internal-proxy.yaml"


def _with_cse(tmp_path: Path, cse_yaml: str):
    text = SEED.read_text().replace("cse:\n  type: match\n", "cse_old:\n  type: match\n", 1)
    start = text.index("cse_old:")
    end = text.index("\ntests:")
    text = text[:start] + cse_yaml + text[end:]
    path = tmp_path / "rule.yaml"
    path.write_text(text)
    detection, problems = build_detection(load_document(text, "rule.yaml"), SEED, ROOT)
    assert detection is not None, [p.format() for p in problems]
    return detection, text.splitlines()


def test_repository_rules_lint_clean():
    for detection in load_content([], ROOT).detections:
        assert [d.format() for d in lint_rule(detection) if d.is_error] == []


def test_expression_error_is_located_in_the_file(tmp_path):
    detection, lines = _with_cse(tmp_path, "cse:\n  type: match\n  expression: |\n    baseImage = 'x' AND\n      comandLine = 'y'\n"
                                 "  entity_selectors:\n    - {entity_type: _hostname, expression: user_username}\n")
    found = {d.code: d for d in lint_rule(detection)}
    unknown = next(d for d in found.values() if "comandLine" in d.message)
    assert lines[unknown.span.line - 1][unknown.span.column - 1:].startswith("comandLine")
    assert "CSE140" in found and lines[found["CSE140"].span.line - 1].strip().startswith("- {entity_type: _hostname")


def test_trigger_may_name_aggregations_and_windows_are_checked(tmp_path):
    detection, _ = _with_cse(tmp_path, "cse:\n  type: aggregation\n  expression: \"true\"\n  window: 6d\n"
                             "  aggregations:\n    - {name: total, function: count}\n  trigger: total > 2\n"
                             "  entity_selectors:\n    - {entity_type: _hostname, expression: device_hostname}\n")
    codes = [d.code for d in lint_rule(detection)]
    assert codes == ["CSE301"]
