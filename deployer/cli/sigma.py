"""`sumo-content sigma import RULE.yml...`: Sigma rules -> detection files with fixtures, one line per rule.

Owns the command's options, file reading / writing and output; conversion is deployer.sigma's.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from deployer.cli.output import format_option, print_json
from deployer.content.loader import display_path, find_root
from deployer.sigma import Conversion, SigmaError, SigmaUnsupported, convert, dump_detection

DEFAULT_OUT = Path("content") / "imported" / "sigma"
SCHEMA = Path("deployer") / "content" / "schemas" / "detection.schema.json"
VERDICTS = {True: "yes", False: "NO", None: "none"}


@dataclass(frozen=True, slots=True)
class ImportItem:
    rule: str
    status: str
    """written | refused (file exists) | skipped (cannot convert)."""
    path: str = ""
    detection_id: str = ""
    name: str = ""
    reason: str = ""
    positive_matches: bool | None = None
    negative_does_not_match: bool | None = None
    todo: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "written" and self.positive_matches is not False and self.negative_does_not_match is not False


@dataclass
class ImportReport:
    out_dir: str
    items: list[ImportItem] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    def to_json(self) -> dict:
        return {"out_dir": self.out_dir, "written": self.count("written"), "refused": self.count("refused"),
                "skipped": self.count("skipped"), "items": [asdict(i) for i in self.items]}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "sigma-rule"


def _read_event(path: Path) -> dict:
    """A regression event: SigmaHQ `regression_data` JSON (`{"Event": ...}`) or a corpus line (`{"event": ...}`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot read the event: {exc}. Give one JSON object "
                                   "(a SigmaHQ regression_data event, or {\"event\": ...}).") from None
    if isinstance(data, dict) and isinstance(data.get("event"), dict):
        data = data["event"]
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: the event must be a JSON object")
    return data


def _import_one(rule_path: Path, out_dir: Path, root: Path, event: dict | None, force: bool,
                taken: set[Path]) -> ImportItem:
    shown = display_path(rule_path, root)
    try:
        text = rule_path.read_text(encoding="utf-8")
        conversion: Conversion = convert(text, path=shown, event=event)
    except (OSError, UnicodeDecodeError) as exc:
        return ImportItem(shown, "skipped", reason=f"cannot read: {exc}")
    except SigmaUnsupported as exc:
        return ImportItem(shown, "skipped", reason=exc.message + (f" ({exc.hint})" if exc.hint else ""))
    except SigmaError as exc:
        return ImportItem(shown, "skipped", reason=f"cannot import: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
    detection = conversion.detection
    target = out_dir / f"{_slug(conversion.rule.title)}.yaml"
    common = {"path": display_path(target, root), "detection_id": detection["id"], "name": detection["name"]}
    if target in taken:
        return ImportItem(shown, "refused", reason="another rule of this run has the same title", **common)
    if target.exists() and not force:
        return ImportItem(shown, "refused", reason="the file exists (use --force to overwrite)", **common)
    taken.add(target)
    schema_ref = os.path.relpath(root / SCHEMA, out_dir).replace(os.sep, "/")
    out_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_detection(detection, schema_ref=schema_ref, origin=shown), encoding="utf-8")
    return ImportItem(shown, "written", positive_matches=conversion.positive, negative_does_not_match=conversion.negative,
                      todo=conversion.todo, notes=conversion.notes, **common)


def _print(report: ImportReport) -> None:
    for item in report.items:
        if item.status == "written":
            click.echo(f"written  {item.rule} -> {item.path}  [positive matches: {VERDICTS[item.positive_matches]}, "
                       f"negative does not match: {VERDICTS[item.negative_does_not_match]}]")
        else:
            click.echo(f"{item.status:8} {item.rule}: {item.reason}")
        for line in item.todo:
            click.echo(f"    todo: {line}")
        for line in item.notes:
            click.echo(f"    note: {line}")
    click.echo(f"{report.count('written')} written under {report.out_dir}, {report.count('refused')} refused, "
               f"{report.count('skipped')} skipped")
    if report.count("written"):
        click.echo("Imported files are not deployed: review them, then move them under content/detections/ (docs/sigma.md).")


@click.group("sigma")
def sigma_group() -> None:
    """Bring Sigma rules into this repository as Cloud SIEM detections."""


@sigma_group.command("import")
@click.argument("rules", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help=f"Folder for the detection files  [default: {DEFAULT_OUT}]")
@click.option("--event", "event_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sigma regression event (JSON) for the one RULE: becomes the positive fixture, and a negative is derived.")
@click.option("--force", is_flag=True, help="Overwrite detection files that already exist.")
@format_option("text", "json")
def import_command(rules, out_dir, event_path, force, fmt) -> None:
    """Convert Sigma rules into detection files with a `cse:` match rule and fixtures.

    Exit 0 when every rule was written and its fixtures hold, 1 otherwise.
    """
    if event_path is not None and len(rules) != 1:
        raise click.UsageError("--event belongs to one rule; import rules with events one at a time")
    root = find_root()
    out_dir = (out_dir or root / DEFAULT_OUT).resolve()
    event = _read_event(event_path) if event_path is not None else None
    report = ImportReport(display_path(out_dir, root))
    taken: set[Path] = set()
    for rule_path in rules:
        report.items.append(_import_one(rule_path, out_dir, root, event, force, taken))
    if fmt == "json":
        print_json(report.to_json())
    else:
        _print(report)
    if not all(item.ok for item in report.items):
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(sigma_group)
