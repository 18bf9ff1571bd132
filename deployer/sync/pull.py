"""`pull`: what a tenant holds -> detection files in the content format (onboarding, or a lost repository).

Owns grouping read objects into detections, the round-trip check (render the file back, diff with the tenant)
and writing files (never over an existing one without `force`); the field mapping itself is invert.py.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from deployer.api import SumoClient
from deployer.content.loader import detection_of, display_path, load_content
from deployer.content.model import ContentConfig, Detection, Environment
from deployer.content.schema import validate_document
from deployer.content.yamlpos import load_document
from deployer.cseql.importer import TACTIC_NAMES
from deployer.render import RenderError, render_payloads
from deployer.render.markers import is_marker
from deployer.render.search import MARKER
from deployer.sync.invert import Unrepresentable, monitor_block, plain_description, rule_parts, search_block
from deployer.sync.normalize import RULE_TYPES, normalize
from deployer.sync.plan import diff
from deployer.sync.report import diff_line
from deployer.sync.select import is_selected
from deployer.sync.state import USER_RULES, DeployedObject, read_state
from deployer.validation import lint_detection

DEFAULT_OUT = Path("content") / "pulled"
SCHEMA_LINE = "# yaml-language-server: $schema=../../../deployer/content/schemas/detection.schema.json"
STATUS_ORDER = ("experimental", "test", "production")
REFUSED = ("exists", "unsupported")
# What a pulled file may still lack: fixtures, and ATT&CK tactics when the tenant object carried none.
EXPECTED_GAPS = (("CNT102", "missing required key `tests`"), ("CNT106", "`mitre.tactics`"))


class PullError(ValueError):
    """A user mistake in the pull request itself (unknown --id, an output folder that validate would read)."""


@dataclass(frozen=True, slots=True)
class Pulled:
    """One detection: `status` written | would-write | exists | in-repository | unsupported | skipped.

    `todo` is what the engineer must add before moving the file under content/detections; `differences`
    are the fields the first apply would change (the file rendered back vs the tenant).
    """

    status: str
    name: str
    sources: tuple[str, ...]
    path: str = ""
    detection_id: str | None = None
    message: str = ""
    todo: tuple[str, ...] = ()
    differences: tuple[str, ...] = ()
    text: str = ""

    def to_json(self) -> dict:
        return {"status": self.status, "name": self.name, "path": self.path or None,
                "detection_id": self.detection_id, "sources": list(self.sources), "message": self.message,
                "todo": list(self.todo), "differences": list(self.differences)}


@dataclass(frozen=True, slots=True)
class PullReport:
    environment: str
    out_dir: str
    scope: str
    dry_run: bool
    items: tuple[Pulled, ...]
    requests: int

    @property
    def ok(self) -> bool:
        """False when a file was refused (exists) or an object could not be expressed."""
        return not any(item.status in REFUSED for item in self.items)

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    def to_json(self) -> dict:
        return {"ok": self.ok, "environment": self.environment, "out": self.out_dir, "scope": self.scope,
                "dry_run": self.dry_run, "requests": self.requests, "items": [i.to_json() for i in self.items]}


def pull(client: SumoClient, environment: Environment, root: Path, *, out_dir: Path | None = None,
         scope: str = "user", ids: tuple[str, ...] = (), force: bool = False, dry_run: bool = False,
         today: date | None = None) -> PullReport:
    """Read the tenant like `plan` does, draft one detection per object group, write the drafts under `out_dir`.

    `scope`: user (user CSE rules and our folders), all (built-in rules too) or managed (only marked objects).
    """
    out_dir = (out_dir or root / DEFAULT_OUT).resolve()
    detections_dir = (root / "content" / "detections").resolve()
    if out_dir == detections_dir or detections_dir in out_dir.parents:
        raise PullError(f"--out {display_path(out_dir, root)} is inside content/detections: pulled files have no "
                        "fixtures yet, and `validate` (which plan and apply run first) would fail on them; "
                        "pull elsewhere (default content/pulled) and move each file once it has its tests")
    deployed = read_state(client, environment.folder, environment.monitor_folder,
                          rule_query=None if scope == "all" else USER_RULES)
    repository = load_content([], root)
    drafts = draft_detections(deployed.objects, environment, repository.detections, repository.config,
                              scope=scope, ids=ids, today=today or date.today())
    items = tuple(_write(draft, root, out_dir, force=force, dry_run=dry_run) for draft in drafts)
    return PullReport(environment.name, display_path(out_dir, root), scope, dry_run, items, deployed.requests)


def draft_detections(objects: tuple[DeployedObject, ...], environment: Environment, repository: list[Detection],
                     config: ContentConfig, *, scope: str = "user", ids: tuple[str, ...] = (),
                     today: date) -> list[Pulled]:
    """One draft per detection-to-be (status `draft`, path relative to the output folder), or why not."""
    chosen = [o for o in objects if _in_scope(o, environment, scope)]
    if ids:
        unknown = sorted(set(ids) - {o.remote_id for o in chosen} - {o.detection_id for o in chosen})
        if unknown:
            raise PullError(f"no {'managed ' if scope == 'managed' else ''}object with id {', '.join(unknown)} in "
                            f"{environment.name} (ids are CSE rule ids, content or monitor ids, or detection ids "
                            "of managed objects; objects must be in the environment's folders)")
        chosen = [o for o in chosen if o.remote_id in ids or o.detection_id in ids]
    groups: dict[tuple[str, str], list[DeployedObject]] = defaultdict(list)
    drafts = []
    for have in chosen:
        if have.kind == "other":
            drafts.append(Pulled("skipped", have.name, (f"content {have.remote_id}",),
                                 message="not a scheduled search; pull reads scheduled searches, monitors and "
                                         "CSE rules"))
            continue
        if have.kind == "scheduled_search" and not have.enabled:
            drafts.append(Pulled("skipped", have.name, _sources([have]), detection_id=have.detection_id,
                                 message="a saved search without a schedule is not a detection"
                                         + (" (disabled by a prune with on_removed: disable)" if have.managed else "")))
            continue
        groups[("id", have.detection_id) if have.managed else ("name", have.name)].append(have)
    by_id = {d.id: d for d in repository}
    by_name = {d.name: d for d in repository}
    used: set[str] = set()
    for group in groups.values():
        drafts.append(_draft(group, environment, by_id, by_name, config, today, used))
    return drafts


def _in_scope(have: DeployedObject, environment: Environment, scope: str) -> bool:
    if scope == "managed":
        return have.managed
    if have.kind == "monitor" and not have.managed:
        return have.location == environment.monitor_folder  # where plan --adopt looks for it
    return True


def _sources(group: list[DeployedObject]) -> tuple[str, ...]:
    return tuple(f"{o.kind} {o.remote_id}" for o in group)


def _draft(group: list[DeployedObject], environment: Environment, by_id: dict, by_name: dict,
           config: ContentConfig, today: date, used: set[str]) -> Pulled:
    sources = _sources(group)
    owner = group[0].detection_id
    first = {}
    for have in group:
        if have.kind in first and not have.managed:
            return Pulled("unsupported", have.name, sources,
                          message=f"several {have.kind} objects are named {have.name!r} and detection names are "
                                  "unique: rename one in the tenant, or pull one with --id")
        first.setdefault(have.kind, have)
    rule, search, monitor = first.get("cse_rule"), first.get("scheduled_search"), first.get("monitor")
    name = (rule or search or monitor).name
    if owner in by_id:
        return Pulled("in-repository", name, sources, detection_id=owner,
                      message=f"already in the repository: {by_id[owner].path}")
    if owner is None and name in by_name:
        return Pulled("in-repository", name, sources,
                      message=f"{by_name[name].path} has this name: take the object over with `sumo-content plan "
                              f"--env {environment.name} --adopt {by_name[name].id}` instead")
    try:
        data, todo = _content(rule, search, monitor, owner, environment, today)
    except Unrepresentable as exc:
        return Pulled("unsupported", name, sources, detection_id=owner, message=str(exc))
    relative = _path(data, rule or search or monitor, used)
    final = str(Path("content") / "detections" / relative)
    detection, problems = _parse(data, sources, final, environment, today)
    if problems:
        return Pulled("unsupported", name, sources, detection_id=owner,
                      message="the content format cannot hold it: " + "; ".join(problems))
    todo = _todo(detection, todo, config, environment, managed=owner is not None)
    try:
        differences = _differences(detection, environment, rule, search, monitor)
    except RenderError as exc:
        return Pulled("unsupported", name, sources, detection_id=owner, message=f"cannot render it back: {exc}")
    text = _text(data, sources, environment, today, todo)
    return Pulled("draft", name, sources, relative, data["id"], todo=tuple(todo), differences=differences,
                  text=text)


def _content(rule, search, monitor, owner: str | None, environment: Environment,
             today: date) -> tuple[dict, list[str]]:
    """The detection document (content key order) and the first to-do items; `owner` is the marker's id."""
    todo: list[str] = []
    parts = rule_parts(rule.raw) if rule else None
    block, time_zone = search_block(search.raw) if search else (None, "UTC")
    if monitor:
        query, monitor_spec, monitor_zone = monitor_block(monitor.raw)
        if block is None:
            block = {"query": query}
            if monitor_zone != "UTC":
                block["schedule"] = {"type": "15Minutes", "time_zone": monitor_zone}
            todo.append("the tenant has a monitor but no scheduled search: a `search:` block deploys both, so the "
                        "first apply also creates a scheduled search")
        elif query != block["query"]:
            raise Unrepresentable(f"the scheduled search and the monitor named {monitor.name!r} run different "
                                  "queries, and a detection has one: rename one in the tenant")
        block["monitor"] = monitor_spec
    texts = [plain_description(o.raw.get("description")) for o in (search, monitor) if o]
    description = next((t for t in texts if t), "") or (parts["description"] if parts else "")
    data: dict = {"id": owner or str(uuid.uuid4()), "name": (rule or search or monitor).name,
                  "version": parts["version"] if parts else 1,
                  "status": _status(environment) if owner else "experimental",
                  "author": f"sumo-content pull from {environment.name}", "created": today.isoformat(),
                  "updated": today.isoformat(), "description": description or (rule or search or monitor).name,
                  "severity": parts["severity"] if parts else "medium", "confidence": "medium"}
    mitre = parts["mitre"] if parts else {"tactics": []}
    data["mitre"] = {k: v for k, v in mitre.items() if v or k == "tactics"}
    if not data["mitre"]["tactics"]:
        todo.append("add at least one ATT&CK tactic to `mitre.tactics` (the tenant object carries no "
                    "`_mitreAttackTactic:` tag)")
    if parts is None:
        todo.append("set `severity` and `confidence` (written as medium: searches and monitors carry neither)")
    if block is not None:
        data["search"] = block
    if parts:
        cse = parts["cse"]
        if parts["description"] != data["description"]:
            cse["description_expression"] = parts["description"]
        category = data["mitre"]["tactics"][0]["name"] if data["mitre"]["tactics"] else "Unknown/Other"
        if cse.get("category") == category:
            del cse["category"]
        data["cse"] = cse
    return data, todo


def _status(environment: Environment) -> str:
    """For an object this tool deployed: the least mature status the environment still selects."""
    selected = environment.select.get("status", STATUS_ORDER)
    return next((s for s in STATUS_ORDER if s in selected), "experimental")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-") or "detection"


def _path(data: dict, lead: DeployedObject, used: set[str]) -> str:
    tactics = data["mitre"]["tactics"]
    folder = _slug(TACTIC_NAMES.get(tactics[0]["id"], tactics[0]["name"])) if tactics else "unmapped"
    techniques = data["mitre"].get("techniques", [])
    stem = _slug(f"{techniques[0]['id']} {data['name']}" if techniques else data["name"])
    relative = f"{folder}/{stem}.yaml"
    if relative in used:
        relative = f"{folder}/{stem}-{_slug(lead.remote_id)}.yaml"
    used.add(relative)
    return relative


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists; multi-line strings as `|` literals."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _string(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def _text(data: dict, sources: tuple[str, ...], environment: Environment, today: date, todo: list[str]) -> str:
    header = [SCHEMA_LINE, f"# Pulled from {environment.name} on {today.isoformat()}: {', '.join(sources)}.",
              "# Before moving this file under content/detections/:"]
    header += [f"#   - {item}" for item in todo]
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
    return "\n".join(header) + "\n" + body


def _parse(data: dict, sources: tuple[str, ...], path: str, environment: Environment,
           today: date) -> tuple[Detection, list[str]]:
    """The draft as the loader will see it: parsed back from its own text, schema-checked but for the known gaps."""
    doc = load_document(_text(data, sources, environment, today, []), path)
    problems = [f"{d.message}" for d in validate_document(doc, "detection.schema.json")
                if not any(d.code == code and text in d.message for code, text in EXPECTED_GAPS)]
    return detection_of(doc), problems


def _todo(detection: Detection, todo: list[str], config: ContentConfig, environment: Environment, *,
          managed: bool) -> list[str]:
    out = [f"add `tests:` with at least {config.min_positive_tests} positive (`expect: {{match: true}}`) and "
           f"{config.min_negative_tests} negative (`expect: {{match: false}}`) fixture(s) built from real events",
           *todo]
    out += [f"fix {d.location()}: {d.message}" for d in lint_detection(detection) if d.is_error]
    if not is_selected(detection, environment.select):
        out.append(f"environment {environment.name} does not select it as written (select: {environment.select}); "
                   "adjust status, tags or location" + (", or a --prune would remove what is deployed" if managed
                                                        else ""))
    if not managed:
        out.append(f"then take the tenant object(s) over: `sumo-content plan --env {environment.name} --adopt "
                   f"{detection.id}` (until then the plan shows a conflict)")
    return out


def _unmarked(kind: str, body: dict) -> dict:
    if kind == "cse_rule":
        return {**body, "tags": [t for t in body.get("tags", []) if not is_marker(t)]}
    return {**body, "description": MARKER.sub("", body.get("description", "")).strip()}


def _differences(detection: Detection, environment: Environment, rule, search, monitor) -> tuple[str, ...]:
    """What the first apply would change: the detection rendered back for `environment`, diffed with the tenant."""
    tenant = {"cse_rule": rule, "scheduled_search": search, "monitor": monitor}
    out = []
    for payload in render_payloads(detection, environment):
        have = tenant[payload.kind]
        if have is None:
            continue
        body, rule_type = payload.body, None
        if payload.kind == "cse_rule":
            body, rule_type = body["fields"], RULE_TYPES[payload.endpoint_type]
            if have.rule_type != rule_type:
                return (f"cse_rule: type {have.rule_type} -> {rule_type}",)
        want = _unmarked(have.kind, normalize(have.kind, body, rule_type))
        out += [f"{have.kind}: {diff_line(d)}" for d in diff(_unmarked(have.kind, have.body), want)]
    return tuple(out)


def _write(draft: Pulled, root: Path, out_dir: Path, *, force: bool, dry_run: bool) -> Pulled:
    if draft.status != "draft":
        return draft
    target = out_dir / draft.path
    shown = display_path(target, root)
    if target.exists() and not force:
        return replace(draft, status="exists", path=shown,
                       message=f"{shown} exists; not overwritten (pass --force to replace it)")
    if dry_run:
        return replace(draft, status="would-write", path=shown)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(draft.text, encoding="utf-8")
    return replace(draft, status="written", path=shown)
