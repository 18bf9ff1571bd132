"""`sumo-content sigma import`: written / refused / skipped lines, --force, --event, --format json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deployer.cli.main import cli
from deployer.validation import validate_content

DATA = Path(__file__).resolve().parents[1] / "data" / "sigma"
ANCHORING = str(DATA / "rules" / "anchoring.yml")
OUT = Path("content") / "imported" / "sigma"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str):
    return CliRunner().invoke(cli, ["sigma", "import", *args])


def test_import_with_event_writes_a_valid_detection(workspace: Path) -> None:
    result = _run(ANCHORING, "--event", str(DATA / "events" / "powershell.json"))
    assert result.exit_code == 0, result.output
    assert "written" in result.output and "positive matches: yes, negative does not match: yes" in result.output
    written = workspace / OUT / "anchoring.yaml"
    assert written.read_text().startswith("# yaml-language-server: $schema=../../../deployer/content/schemas/")
    assert validate_content([written], workspace).ok


def test_existing_file_is_refused_without_force(workspace: Path) -> None:
    event = str(DATA / "events" / "corpus-line.json")
    assert _run(ANCHORING, "--event", event).exit_code == 0
    again = _run(ANCHORING, "--event", event)
    assert again.exit_code == 1 and "refused" in again.output and "--force" in again.output
    assert _run(ANCHORING, "--event", event, "--force").exit_code == 0


def test_unsupported_rule_is_skipped_with_its_construct(workspace: Path) -> None:
    result = _run(ANCHORING, str(DATA / "unsupported" / "keywords.yml"), "--format", "json", "--out", "elsewhere")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert (report["written"], report["skipped"]) == (1, 1)
    skipped = report["items"][1]
    assert skipped["status"] == "skipped" and "keyword selection" in skipped["reason"]
    assert report["items"][0]["todo"]  # no event: the fixtures are a todo
    assert (workspace / "elsewhere" / "anchoring.yaml").exists()


@pytest.mark.parametrize(("args", "code", "message"), [
    ([ANCHORING, ANCHORING, "--event", str(DATA / "events" / "powershell.json")], 2, "--event belongs to one rule"),
    ([ANCHORING, "--event", str(DATA / "events" / "broken.json")], 1, "cannot read the event"),
    ([str(DATA / "rules" / "missing.yml")], 2, "does not exist"),
])
def test_user_errors(workspace: Path, args: list[str], code: int, message: str) -> None:
    result = _run(*args)
    assert result.exit_code == code and message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
