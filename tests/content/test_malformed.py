"""Malformed content: each case names the exact code, location and message a user sees."""

import json
import subprocess
import sys

import pytest

from deployer.validation import validate_content
from tests.conftest import DATA, REPO

MALFORMED = DATA / "content" / "malformed"

# file -> (code, line, column, message fragment, hint fragment)
CASES = {
    "bad-yaml-indent": ("CNT001", 14, 10, "invalid YAML: mapping values are not allowed here", "indentation"),
    "bad-yaml-unclosed-quote": ("CNT001", 7, 11, "invalid YAML", "quoting"),
    "unknown-key-typo": ("CNT101", 9, 1, "unknown key `severty`", "did you mean `severity`?"),
    "unknown-key-nested": ("CNT101", 17, 3, "unknown key `qeury` in `search`", "did you mean `query`?"),
    "wrong-type-version": ("CNT103", 3, 10, "`version` must be an integer, not string 'one'", "write a number"),
    "quoted-version": ("CNT103", 3, 10, "`version` must be an integer, not string '1'", "remove the quotes"),
    "bad-uuid": ("CNT105", 1, 5, "`id`: '0b9f1c3e-5d2a-4c1e-9f8e' is not a valid value", "lower-case UUIDs"),
    "bad-tactic-id": ("CNT105", 13, 12, "`mitre.tactics[0].id`: 'TA02' is not a valid ATT&CK id", "TA0011"),
    "bad-technique-id": ("CNT105", 15, 12, "'T1059.1' is not a valid ATT&CK id", "T1090.001"),
    "bad-severity": ("CNT104", 9, 11, "`severity` must be one of", "did you mean `high`?"),
    "bad-status": ("CNT104", 4, 9, "`status` must be one of", "did you mean `production`?"),
    "missing-description": ("CNT102", 1, 1, "missing required key `description`", "add `description:`"),
    "no-search-or-cse": ("CNT107", 1, 1, "needs a `search` block, a `cse` block, or both", "add `search:`"),
    "duplicate-key": ("CNT003", 4, 1, "duplicate key `name`", "once per mapping"),
    "no-negative-fixture": ("CNT401", 20, 1, "needs at least 1 negative fixture(s), has 0", "match: false"),
    "missing-events-file": ("CNT201", 27, 18, "events_file `missing-events.jsonl` does not exist", "relative to"),
    "events-and-events-file": ("CNT108", 25, 5, "needs exactly one of `events` or `events_file` (it has both)", None),
    "bad-date": ("CNT105", 6, 10, "`created`: '12/01/2026'", "YYYY-MM-DD"),
    "bad-reference": ("CNT105", 10, 14, "`references[0]`", "http(s) URLs"),
    "fixture-target-without-block": ("CNT403", 26, 13, "targets `cse` but the detection has no `cse` block", None),
    "top-level-list": ("CNT100", 1, 1, "must contain a YAML mapping", None),
    "match-not-boolean": ("CNT103", 28, 21, "`tests[1].expect.match` must be a boolean", "write true or false"),
    "duplicate-fixture-name": ("CNT402", 25, 11, "duplicate fixture name `encoded`", "-k"),
    "custom-schedule-without-cron": ("CNT102", 20, 13, "missing required key `cron` in `search.schedule`", None),
    "empty-file": ("CNT100", 1, 1, "must contain a YAML mapping", None),
    "unknown-notification-type": ("CNT104", 21, 26, "`search.alert.notification.type` must be one of", None),
    "parameter-without-default": ("CNT102", 17, 15, "missing required key `default` in `parameters.win_source`", None),
    "count-with-no-match": ("CNT404", 28, 35, "expects no match but a count of 2", None),
}


def test_every_malformed_file_has_a_case():
    assert sorted(p.stem for p in MALFORMED.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_content_is_reported_precisely(name):
    code, line, column, message, hint = CASES[name]
    report = validate_content([MALFORMED / f"{name}.yaml"], REPO)
    assert [d.code for d in report.errors] == [code], [d.format() for d in report.errors]
    diagnostic = report.errors[0]
    assert diagnostic.path == f"tests/data/content/malformed/{name}.yaml"
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    assert message in diagnostic.message
    if hint:
        assert hint in diagnostic.hint


def test_duplicate_ids_and_names_across_files():
    report = validate_content([DATA / "content" / "duplicates"], REPO)
    assert [(d.code, d.path, d.span.line) for d in report.errors] == [
        ("CNT301", "tests/data/content/duplicates/b.yaml", 1),
        ("CNT302", "tests/data/content/duplicates/b.yaml", 2),
    ]
    assert "also used by tests/data/content/duplicates/a.yaml:1" in report.errors[0].message


def test_a_broken_file_does_not_stop_the_others():
    report = validate_content([MALFORMED / "bad-yaml-indent.yaml", DATA / "content" / "valid"], REPO)
    assert [d.code for d in report.errors] == ["CNT001"]
    assert [d.name for d in report.valid_detections()] == ["Minimal Valid Detection"]


def run_cli(*args: str):
    return subprocess.run([sys.executable, "-m", "deployer", *args], cwd=REPO, capture_output=True, text=True)


def test_cli_typo_names_file_line_column_and_intended_key():
    result = run_cli("validate", "tests/data/content/malformed/unknown-key-typo.yaml")
    assert result.returncode == 1
    assert "tests/data/content/malformed/unknown-key-typo.yaml:9:1: error[CNT101] unknown key `severty`" in result.stdout
    assert "did you mean `severity`?" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_exit_codes_and_json():
    assert run_cli("validate").returncode == 0
    bad = run_cli("validate", "--format", "json", "tests/data/content/malformed/bad-uuid.yaml")
    assert bad.returncode == 1
    data = json.loads(bad.stdout)
    assert data["ok"] is False and data["diagnostics"][0]["code"] == "CNT105"
    assert data["diagnostics"][0]["span"]["line"] == 1
    assert run_cli("validate", "--format", "yaml").returncode == 2
    missing = run_cli("validate", "no/such/file.yaml")
    assert missing.returncode == 1 and "CNT010" in missing.stdout


def test_shipped_content_validates():
    report = validate_content(None, REPO)
    assert report.errors == [], [d.format() for d in report.errors]
    assert report.content.detections
