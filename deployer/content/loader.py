"""Reading content from disk: detection files, fixture event files, environments and config.

Owns discovery and file I/O and turns every problem into a located diagnostic; it does not lint
queries (checks.py does) and never raises for a user's mistake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from deployer.content.model import ContentConfig, Detection, Environment, Fixture
from deployer.content.schema import validate_document
from deployer.content.yamlpos import Document, YamlError, load_document
from deployer.diagnostics import Diagnostic

CONFIG_FILE = "config.yaml"


@dataclass
class LoadResult:
    """What loading produced: the detections that passed the schema, and every problem found."""

    detections: list[Detection] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    config: ContentConfig = field(default_factory=ContentConfig)
    sources: dict[str, Document] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


class ContentError(Exception):
    """Content could not be used; carries the diagnostics that say why."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest directory (from `start` up) holding `content/` or `environments/`."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "content").is_dir() or (candidate / "environments").is_dir():
            return candidate
    return here


def discover(paths: list[str | Path], root: Path) -> list[Path]:
    """Detection files named by `paths` (files or directories); default: all of content/detections."""
    targets = [Path(p) for p in paths] or [root / "content" / "detections"]
    found: list[Path] = []
    for target in targets:
        if target.is_dir():
            found.extend(sorted(p for p in target.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
        else:
            found.append(target)
    return [p for p in dict.fromkeys(found) if p.name != CONFIG_FILE]


def display_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def read_document(path: Path, root: Path) -> tuple[Document | None, list[Diagnostic]]:
    shown = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Diagnostic("CNT010", f"no such file: {shown}", path=shown, hint="check the path")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic("CNT011", f"cannot read file: {exc}", path=shown, hint="content files are UTF-8 text")]
    try:
        return load_document(text, shown), []
    except YamlError as exc:
        return None, [exc.diagnostic]


def load_config(root: Path) -> tuple[ContentConfig, list[Diagnostic]]:
    path = root / "content" / CONFIG_FILE
    if not path.exists():
        return ContentConfig(), []
    doc, problems = read_document(path, root)
    if doc is None:
        return ContentConfig(), problems
    data = doc.data or {}
    min_tests = data.get("min_tests", {}) if isinstance(data, dict) else None
    if not isinstance(min_tests, dict) or any(
        k not in ("positive", "negative") or not isinstance(v, int) or v < 0 for k, v in min_tests.items()
    ):
        return ContentConfig(), [Diagnostic("CNT020", "`min_tests` must map `positive` / `negative` to counts >= 0",
                                            span=doc.span_of(("min_tests",)), path=doc.path,
                                            hint="e.g. min_tests: {positive: 1, negative: 1}")]
    unknown = [k for k in data if k != "min_tests"]
    if unknown:
        return ContentConfig(), [Diagnostic("CNT101", f"unknown key `{unknown[0]}` in content/config.yaml",
                                            span=doc.span_of((unknown[0],), key=True), path=doc.path,
                                            hint="allowed keys here: min_tests")]
    return ContentConfig(min_tests.get("positive", 1), min_tests.get("negative", 1)), []


def _read_events_file(doc: Document, source: Path, root: Path, index: int, name: str) -> tuple[tuple, list[Diagnostic]]:
    key_path = ("tests", index, "events_file")
    events_path = (source.parent / name).resolve()
    if not events_path.is_file():
        return (), [Diagnostic("CNT201", f"events_file `{name}` does not exist (looked for {display_path(events_path, root)})",
                               span=doc.span_of(key_path), path=doc.path,
                               hint="paths are relative to the detection file's folder")]
    lines = events_path.read_text(encoding="utf-8").splitlines()
    if events_path.suffix == ".log":
        return tuple(line for line in lines if line.strip()), []
    events = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as exc:
            return (), [Diagnostic("CNT202", f"{name}:{number}:{exc.colno}: not valid JSON: {exc.msg}",
                                   span=doc.span_of(key_path), path=doc.path,
                                   hint="a .jsonl file holds one JSON object (or string) per line")]
    return tuple(events), []


def build_detection(doc: Document, source: Path, root: Path) -> tuple[Detection | None, list[Diagnostic]]:
    """A Detection from a schema-checked document, reading its fixture event files."""
    problems = validate_document(doc, "detection.schema.json")
    if problems:
        return None, problems
    data = doc.data
    fixtures = []
    for index, raw in enumerate(data["tests"]):
        events = tuple(raw.get("events", ()))
        if "events_file" in raw:
            events, missing = _read_events_file(doc, source, root, index, raw["events_file"])
            problems += missing
        baseline = tuple(raw.get("baseline", ()))
        if "baseline_file" in raw:
            baseline, missing = _read_events_file(doc, source, root, index, raw["baseline_file"])
            problems += missing
        fixtures.append(Fixture(name=raw["name"], target=raw["target"], events=events, expect=raw["expect"],
                                description=raw.get("description", ""), baseline=baseline, index=index))
    return detection_of(doc, tuple(fixtures)), problems


def detection_of(doc: Document, tests: tuple[Fixture, ...] = ()) -> Detection:
    """The Detection a detection document holds, with `tests` as its fixtures (the document is not checked)."""
    data = doc.data
    return Detection(path=doc.path, id=data["id"], name=data["name"], version=data["version"],
                     status=data["status"], severity=data["severity"], confidence=data["confidence"],
                     data=data, tests=tests, document=doc)


def load_content(paths: list[str | Path] | None = None, root: Path | None = None) -> LoadResult:
    """Load every detection under `paths` (default content/detections) and the repository config."""
    root = root or find_root()
    result = LoadResult()
    result.config, problems = load_config(root)
    result.diagnostics += problems
    for path in discover(list(paths or []), root):
        result.files += 1
        doc, problems = read_document(path, root)
        result.diagnostics += problems
        if doc is None:
            continue
        result.sources[doc.path] = doc
        detection, problems = build_detection(doc, path, root)
        result.diagnostics += problems
        if detection is not None:
            result.detections.append(detection)
    return result


def environment_names(root: Path) -> list[str]:
    """The environments defined at `root`: the stems of environments/*.yaml, sorted."""
    return sorted(p.stem for p in (root / "environments").glob("*.yaml"))


def load_environment(name_or_path: str, root: Path | None = None) -> Environment:
    """The environment named `name_or_path` (environments/<name>.yaml) or at that path; ContentError if unusable."""
    root = root or find_root()
    candidate = Path(name_or_path)
    if candidate.suffix not in (".yaml", ".yml"):
        candidate = root / "environments" / f"{name_or_path}.yaml"
    if not candidate.exists():
        known = environment_names(root)
        raise ContentError([Diagnostic("ENV001", f"unknown environment `{name_or_path}`",
                                       path=display_path(candidate, root),
                                       hint="known environments: " + (", ".join(known) or "none") +
                                       "; environments live in environments/<name>.yaml")])
    doc, problems = read_document(candidate, root)
    if doc is None:
        raise ContentError(problems)
    problems = validate_document(doc, "environment.schema.json")
    if problems:
        raise ContentError(problems)
    return Environment(name=doc.data["name"], path=doc.path, data=doc.data, document=doc)

