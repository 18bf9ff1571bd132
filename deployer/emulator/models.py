"""The emulated tenant: CSE rules, tuning expressions, match lists, Library content, monitors.

Owns state and Sumo's business rules (ids, defaults, name clashes, versions, async jobs, JSON
persistence); it knows nothing of HTTP, auth, rate limits or faults (see responses.py, faults.py).
"""

from __future__ import annotations

import copy
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

WINDOW_MS = {
    "T05M": 300_000, "T10M": 600_000, "T30M": 1_800_000, "T60M": 3_600_000,
    "T12H": 43_200_000, "T24H": 86_400_000, "T05D": 432_000_000,
}
USER_ID = "0000000000ABC123"


class ApiError(Exception):
    """A Sumo error answer; responses.py renders it in the body shape of the API family."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, "notfound", f"{what} with id {ident} does not exist.")


def invalid(field_name: str, message: str) -> ApiError:
    return ApiError(400, "validation_failed", f"{field_name}: {message}", field=field_name)


@dataclass(frozen=True, slots=True)
class RuleKind:
    prefix: str
    rule_type: str  # the `ruleType` string read back (UNCONFIRMED for first-seen / outlier)
    fields: frozenset[str]
    required: frozenset[str] = frozenset()  # only where the OpenAPI spec has no create schema


COMMON_FIELDS = frozenset({
    "name", "enabled", "entitySelectors", "isPrototype", "summaryExpression", "tags",
    "tuningExpressionIds", "category", "assetField", "parentJaskId", "suppressionWindowSize",
})
RULE_KINDS = {
    "templated": RuleKind("MATCH", "templated match", frozenset(
        {"expression", "nameExpression", "descriptionExpression", "scoreMapping", "stream"})),
    "threshold": RuleKind("THRESHOLD", "threshold", frozenset(
        {"description", "expression", "countDistinct", "countField", "groupByFields", "limit", "score",
         "stream", "version", "windowSize", "windowSizeMilliseconds"})),
    "chain": RuleKind("CHAIN", "chain", frozenset(
        {"description", "expressionsAndLimits", "groupByFields", "ordered", "score", "stream",
         "windowSize", "windowSizeMilliseconds"})),
    "aggregation": RuleKind("AGGREGATION", "aggregation", frozenset(
        {"aggregationFunctions", "descriptionExpression", "groupByAsset", "groupByFields",
         "matchExpression", "nameExpression", "scoreMapping", "stream", "triggerExpression",
         "windowSize", "windowSizeMilliseconds"})),
    "first-seen": RuleKind("FIRST", "first seen", frozenset(
        {"baselineType", "baselineWindowSize", "descriptionExpression", "filterExpression",
         "groupByFields", "nameExpression", "retentionWindowSize", "score", "valueExpression",
         "valueFields", "version"})),
    "outlier": RuleKind("OUTLIER", "outlier", frozenset(
        {"aggregationFunctions", "baselineWindowSize", "deviationThreshold", "floorValue",
         "matchExpression", "groupByFields", "windowSize", "windowSizeMilliseconds", "score",
         "nameExpression", "descriptionExpression", "retentionWindowSize", "version"}),
        required=frozenset({"aggregationFunctions", "baselineWindowSize", "deviationThreshold",
                            "descriptionExpression", "enabled", "floorValue", "matchExpression", "name",
                            "nameExpression", "retentionWindowSize", "score", "windowSize"})),
}
WRITE_ONLY = {"windowSizeMilliseconds", "tuningExpressionIds"}
RULE_DEFAULTS = {
    "templated": {"stream": "record"},
    "threshold": {"groupByFields": [], "countField": "", "version": 1},
    "chain": {"groupByFields": [], "ordered": False, "version": 1},
    "aggregation": {"version": 1},
    "first-seen": {"baselineType": "PER_ENTITY", "groupByFields": []},
    "outlier": {"groupByFields": [], "version": 1},
}
Q_TERM = re.compile(r'(\w+):(in\((?:"[^"]*"\s*,?\s*)+\)|contains\("[^"]*"\)|"[^"]*"|[<>]=?\S+|\S+)')


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _listing(found: list, offset: int, limit: int, view) -> dict:
    """A CSE listing page: `view` of each object at offset/limit, the total and `hasNextPage`."""
    page = found[offset:offset + limit]
    return {"objects": [view(item) for item in page], "total": len(found),
            "hasNextPage": offset + len(page) < len(found)}


def _rule_status(enabled: bool) -> dict:
    return {"status": "ACTIVE" if enabled else "DISABLED", "message": ""}


def _check_score(fields: dict, name: str = "score") -> None:
    if name in fields and not 0 <= fields[name] <= 10:
        raise invalid(f"fields.{name}", "severity must be between 0 and 10")


def _window(kind: str, fields: dict) -> tuple[int, str] | None:
    name = fields.get("windowSize")
    if name is None:
        return None
    if kind == "outlier" and name not in ("T60M", "T24H"):
        raise invalid("fields.windowSize", "outlier rules support only T60M or T24H")
    if name == "CUSTOM":
        custom = str(fields.get("windowSizeMilliseconds", ""))
        if not custom.isdigit() or not 60_000 <= int(custom) <= 432_000_000:
            raise invalid("fields.windowSizeMilliseconds", "CUSTOM windows need 60000..432000000 ms")
        return int(custom), "CUSTOM"
    if name not in WINDOW_MS:
        raise invalid("fields.windowSize", f"unknown window size {name!r}")
    return WINDOW_MS[name], name


def check_rule_fields(kind: str, fields: dict, *, creating: bool) -> None:
    """Business rules beyond the OpenAPI schema (which responses.py checks first)."""
    spec = RULE_KINDS[kind]
    for name in sorted(fields):
        if name not in COMMON_FIELDS | spec.fields:
            raise invalid(f"fields.{name}", f"unknown field for a {kind} rule")
    for name in sorted(spec.required if creating else spec.required - {"enabled"}):
        if name not in fields:
            raise invalid(f"fields.{name}", "is required")
    if not str(fields.get("name", "x")).strip():
        raise invalid("fields.name", "must not be blank")
    _check_score(fields)
    if "scoreMapping" in fields:
        mapping = fields["scoreMapping"]
        if mapping.get("type") not in ("constant", "fieldValue", "fieldValueMapping"):
            raise invalid("fields.scoreMapping.type", "must be constant, fieldValue or fieldValueMapping")
        _check_score(mapping, "default")
    _window(kind, fields)
    if kind == "chain" and not fields.get("expressionsAndLimits"):
        raise invalid("fields.expressionsAndLimits", "a chain rule needs at least one expression")
    if kind == "outlier" and len(fields.get("aggregationFunctions", [None])) != 1:
        raise invalid("fields.aggregationFunctions", "an outlier rule takes exactly one aggregation")
    if kind == "first-seen" and not (fields.get("valueFields") or fields.get("valueExpression")):
        raise invalid("fields.valueFields", "a first-seen rule needs valueFields or valueExpression")
    for name in ("baselineWindowSize", "retentionWindowSize"):
        if name in fields and not str(fields[name]).isdigit():
            raise invalid(f"fields.{name}", "must be a number of milliseconds, as a string")
    window = fields.get("suppressionWindowSize")
    if window is not None and not 0 <= window <= 604_800_000:
        raise invalid("fields.suppressionWindowSize", "must be 0..604800000 ms")


def _matches(value, op: str) -> bool:
    if op.startswith("in("):
        return str(value).lower() in {v.lower() for v in re.findall(r'"([^"]*)"', op)}
    if op.startswith("contains("):
        return op[10:-2].lower() in str(value).lower()
    for sym, test in ((">=", lambda a, b: a >= b), ("<=", lambda a, b: a <= b),
                      (">", lambda a, b: a > b), ("<", lambda a, b: a < b)):
        if op.startswith(sym):
            return isinstance(value, int | float) and test(value, float(op[len(sym):]))
    if ".." in op and not op.startswith('"'):
        low, high = op.split("..", 1)
        return isinstance(value, int | float) and float(low) <= value <= float(high)
    wanted = op.strip('"').lower()
    if isinstance(value, bool):
        return wanted == str(value).lower()
    return str(value).lower() == wanted


Q_FIELDS = {"id", "category", "ruleSource", "ruleType", "stream", "status", "name", "score", "enabled",
            "created", "createdBy", "lastUpdated", "lastUpdatedBy", "isPrototype", "tag", "hasOverride"}


def rule_matches(rule: dict, q: str) -> bool:
    """The subset of the CSE `q` DSL: field:"v", field:v, in(..), contains(..), >, <, a..b."""
    rest = Q_TERM.sub("", q).strip()
    if rest:
        raise ApiError(400, "bad_query", f"cannot parse q near {rest!r}", field="q")
    for name, op in Q_TERM.findall(q):
        if name not in Q_FIELDS:
            raise ApiError(400, "bad_query", f"unknown q field {name!r}", field="q")
        if name == "tag":
            if not any(_matches(tag, op) for tag in rule.get("tags", [])):
                return False
            continue
        value = rule.get(name)
        if name == "status":
            value = rule["status"]["status"]
        if not _matches(value, op):
            return False
    return True


@dataclass
class Job:
    id: str
    kind: str  # import | export | delete
    target: str
    payload: dict = field(default_factory=dict)
    ready_at: float = 0.0
    polled: bool = False
    status: str = "InProgress"
    status_message: str | None = None
    error: dict | None = None
    result: dict | None = None


class SumoState:
    """All emulated tenant state behind one lock; every public method is one atomic API action."""

    def __init__(self, *, user_email: str = "emulator@example.com", job_latency: float = 0.05):
        self.lock = threading.RLock()
        self.user_email = user_email
        self.job_latency = job_latency
        self.counters: dict[str, int] = {}
        self.rules: dict[str, dict] = {}
        self.tuning: dict[str, dict] = {}
        self.match_lists: dict[str, dict] = {}
        self.match_list_items: dict[str, list] = {}
        self.content: dict[str, dict] = {}
        self.monitors: dict[str, dict] = {}
        self.jobs: dict[str, Job] = {}
        self.personal_id = self._hex("content")
        self.content[self.personal_id] = self._content_item("Personal", "Folder", "0000000000000000", "")
        self.monitors_root_id = self._hex("monitor")
        self.monitors[self.monitors_root_id] = self._monitor_meta(
            {"type": "MonitorsLibraryFolder", "name": "Root", "description": "Root folder"}, "", self.monitors_root_id)

    # ---- ids -----------------------------------------------------------------------------
    def _next(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def _hex(self, key: str) -> str:
        base = {"content": 0x6A2E000, "monitor": 0x1F4A000, "job": 0xC03E086C137F0000}.get(key, 0)
        return f"{base + self._next(key):016X}"

    # ---- CSE rules -----------------------------------------------------------------------
    def create_rule(self, kind: str, fields: dict) -> dict:
        check_rule_fields(kind, fields, creating=True)
        with self.lock:
            number = self._next(f"rule:{kind}")
            rule_id = f"{RULE_KINDS[kind].prefix}-U{number:05d}"
            rule = self._rule_object(kind, rule_id, number, fields, created=None)
            self.rules[rule_id] = rule
            return copy.deepcopy(rule)

    def update_rule(self, kind: str, rule_id: str, fields: dict) -> dict:
        check_rule_fields(kind, fields, creating=False)
        with self.lock:
            current = self._rule(rule_id)
            if current["_kind"] != kind:
                raise ApiError(400, "rule_type_mismatch",
                               f"rule {rule_id} is a {current['ruleType']} rule, not {kind}")
            merged = {"enabled": current["enabled"], **fields}
            rule = self._rule_object(kind, rule_id, current["ruleId"], merged, created=current)
            self.rules[rule_id] = rule
            return copy.deepcopy(rule)

    def _rule_object(self, kind: str, rule_id: str, number: int, fields: dict, created: dict | None) -> dict:
        now = _now()
        body = {k: copy.deepcopy(v) for k, v in fields.items() if k not in WRITE_ONLY}
        rule = {
            "assetField": "", "category": "Unknown/Other", "entitySelectors": [], "isPrototype": False,
            "summaryExpression": "", "tags": [], **RULE_DEFAULTS[kind], **body,
            "_kind": kind, "_tuningExpressionIds": list(fields.get("tuningExpressionIds", [])),
            "id": rule_id, "ruleId": number, "deleted": False, "contentType": "RULE",
            "ruleSource": "user", "ruleType": RULE_KINDS[kind].rule_type, "hasOverride": False,
            "signalCount07d": 0, "signalCount24h": 0,
            "created": created["created"] if created else now,
            "createdBy": created["createdBy"] if created else self.user_email,
            "lastUpdated": now, "lastUpdatedBy": self.user_email,
        }
        window = _window(kind, fields)
        if window:
            rule["windowSize"], rule["windowSizeName"] = window
        if kind == "chain":
            rule["expressionsAndLimits"] = [
                {**item, "index": i} for i, item in enumerate(rule["expressionsAndLimits"])]
        rule["status"] = _rule_status(rule["enabled"])
        return rule

    def _rule(self, rule_id: str) -> dict:
        if rule_id not in self.rules:
            raise not_found("Rule", rule_id)
        return self.rules[rule_id]

    def public_rule(self, rule: dict, *, expand_tuning: bool = False) -> dict:
        out = {k: copy.deepcopy(v) for k, v in rule.items() if not k.startswith("_")}
        if expand_tuning:
            out["tuningExpressions"] = [
                {k: self.tuning[t][k] for k in ("id", "name", "description", "expression", "enabled", "isGlobal")}
                for t in rule["_tuningExpressionIds"] if t in self.tuning]
        return out

    def get_rule(self, rule_id: str, *, expand_tuning: bool = False) -> dict:
        with self.lock:
            return self.public_rule(self._rule(rule_id), expand_tuning=expand_tuning)

    def list_rules(self, q: str, offset: int, limit: int, *, expand_tuning: bool = False) -> dict:
        if offset < 0 or not 1 <= limit <= 1000:
            raise ApiError(400, "bad_request", "offset must be >= 0 and limit 1..1000", field="limit")
        with self.lock:
            found = [r for _, r in sorted(self.rules.items()) if not q or rule_matches(r, q)]
            return _listing(found, offset, limit, lambda r: self.public_rule(r, expand_tuning=expand_tuning))

    def delete_rule(self, rule_id: str) -> None:
        with self.lock:
            self._rule(rule_id)
            del self.rules[rule_id]

    def set_rule_enabled(self, rule_id: str, enabled: bool) -> None:
        with self.lock:
            rule = self._rule(rule_id)
            rule["enabled"] = enabled
            rule["status"] = _rule_status(enabled)
            rule["lastUpdated"] = _now()

    # ---- tuning expressions and match lists (plain CRUD) -----------------------------------
    def _crud_store(self, family: str) -> dict:
        return {"tuning": self.tuning, "match-lists": self.match_lists}[family]

    def crud_create(self, family: str, fields: dict) -> dict:
        with self.lock:
            store = self._crud_store(family)
            if any(item["name"] == fields["name"] for item in store.values()):
                raise ApiError(400, "duplicate_name", f"name {fields['name']!r} already exists", field="fields.name")
            now = _now()
            item_id = f"{self._next(family):08x}-0000-4000-8000-{self._next(family + ':uuid'):012x}"
            store[item_id] = {**copy.deepcopy(fields), "id": item_id, "created": now,
                              "createdBy": self.user_email, "lastUpdated": now, "lastUpdatedBy": self.user_email}
            if family == "match-lists":
                self.match_list_items[item_id] = []
            return self.crud_get(family, item_id)

    def crud_get(self, family: str, item_id: str) -> dict:
        with self.lock:
            store = self._crud_store(family)
            if item_id not in store:
                raise not_found(family, item_id)
            out = copy.deepcopy(store[item_id])
            if family == "match-lists":
                out["active"] = out.get("active", True)
            return out

    def crud_update(self, family: str, item_id: str, fields: dict) -> dict:
        with self.lock:
            current = self.crud_get(family, item_id)
            self._crud_store(family)[item_id] = {**current, **copy.deepcopy(fields),
                                                 "lastUpdated": _now(), "lastUpdatedBy": self.user_email}
            return self.crud_get(family, item_id)

    def crud_delete(self, family: str, item_id: str) -> None:
        with self.lock:
            self.crud_get(family, item_id)
            del self._crud_store(family)[item_id]
            self.match_list_items.pop(item_id, None)

    def crud_list(self, family: str, offset: int, limit: int) -> dict:
        with self.lock:
            found = sorted(self._crud_store(family).values(), key=lambda item: item["name"].lower())
            return _listing(found, offset, limit, copy.deepcopy)

    def add_match_list_items(self, list_id: str, items: list[dict]) -> None:
        with self.lock:
            self.crud_get("match-lists", list_id)
            self.match_list_items[list_id].extend(copy.deepcopy(items))

    # ---- Library content (v2) --------------------------------------------------------------
    def _content_item(self, name: str, item_type: str, parent_id: str, description: str,
                      definition: dict | None = None) -> dict:
        now = _now()
        return {"name": name, "itemType": item_type, "parentId": parent_id, "description": description,
                "definition": definition, "children": [], "createdAt": now, "createdBy": USER_ID,
                "modifiedAt": now, "modifiedBy": USER_ID,
                "permissions": ["View", "GrantView", "Edit", "GrantEdit", "Manage", "GrantManage"]}

    def _item(self, content_id: str) -> dict:
        if content_id not in self.content:
            raise ApiError(404, "content:not_found", "Content with the given ID does not exist.")
        return self.content[content_id]

    def _folder(self, folder_id: str) -> dict:
        item = self._item(folder_id)
        if item["itemType"] != "Folder":
            raise ApiError(400, "content:not_a_folder", f"Content {folder_id} is not a folder.")
        return item

    def content_view(self, content_id: str, *, with_children: bool = False) -> dict:
        item = self.content[content_id]
        out = {k: copy.deepcopy(item[k]) for k in ("name", "itemType", "parentId", "createdAt", "createdBy",
                                                   "modifiedAt", "modifiedBy", "permissions")}
        out["id"] = content_id
        if item["itemType"] == "Folder":
            out["description"] = item["description"]
            if with_children:
                out["children"] = [self.content_view(c) for c in item["children"]]
        return out

    def get_folder(self, folder_id: str) -> dict:
        with self.lock:
            self._advance_jobs()
            self._folder(folder_id)
            return self.content_view(folder_id, with_children=True)

    def personal_folder(self) -> dict:
        return self.get_folder(self.personal_id)

    def _child_named(self, folder_id: str, name: str) -> str | None:
        return next((c for c in self.content[folder_id]["children"] if self.content[c]["name"] == name), None)

    def create_folder(self, name: str, parent_id: str, description: str) -> dict:
        with self.lock:
            self._folder(parent_id)
            if self._child_named(parent_id, name):
                raise ApiError(400, "content:duplicate_content",
                               f"A content item named {name!r} already exists in the folder.", field="name")
            folder_id = self._hex("content")
            self.content[folder_id] = self._content_item(name, "Folder", parent_id, description)
            self.content[parent_id]["children"].append(folder_id)
            return self.content_view(folder_id, with_children=True)

    def update_folder(self, folder_id: str, name: str, description: str | None) -> dict:
        with self.lock:
            folder = self._folder(folder_id)
            clash = self._child_named(folder["parentId"], name) if folder["parentId"] in self.content else None
            if clash and clash != folder_id:
                raise ApiError(400, "content:duplicate_content", f"A content item named {name!r} already exists.",
                               field="name")
            folder["name"] = name
            if description is not None:
                folder["description"] = description
            folder["modifiedAt"] = _now()
            return self.content_view(folder_id, with_children=True)

    def content_path(self, content_id: str) -> str:
        with self.lock:
            self._advance_jobs()
            names = []
            while content_id != self.personal_id:
                item = self._item(content_id)
                names.append(item["name"])
                content_id = item["parentId"]
            return "/".join([f"/Library/Users/{self.user_email}", *reversed(names)])

    def content_by_path(self, path: str) -> dict:
        with self.lock:
            self._advance_jobs()
            base = f"/Library/Users/{self.user_email}"
            if path.rstrip("/") != base and not path.startswith(base + "/"):
                raise ApiError(404, "content:not_found", f"Content with path {path!r} does not exist.")
            current = self.personal_id
            for name in [p for p in path[len(base):].split("/") if p]:
                child = self._child_named(current, name) if self.content[current]["itemType"] == "Folder" else None
                if child is None:
                    raise ApiError(404, "content:not_found", f"Content with path {path!r} does not exist.")
                current = child
            return self.content_view(current)

    def start_job(self, kind: str, target: str, payload: dict | None = None) -> str:
        with self.lock:
            self._advance_jobs()
            if kind == "import":
                self._folder(target)
            else:
                self._item(target)
                if kind == "delete" and target == self.personal_id:
                    raise ApiError(403, "content:forbidden", "The personal folder cannot be deleted.")
            job = Job(self._hex("job"), kind, target, payload or {}, time.monotonic() + self.job_latency)
            self.jobs[job.id] = job
            return job.id

    def job_status(self, kind: str, target: str, job_id: str) -> dict:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None or job.kind != kind or job.target != target:
                raise ApiError(404, "jobs:not_found", f"Job {job_id} does not exist.")
            if not job.polled:
                job.polled = True  # every job is seen InProgress at least once, as on Sumo
                return {"status": "InProgress", "statusMessage": None, "error": None}
            self._advance_jobs()
            return {"status": job.status, "statusMessage": job.status_message, "error": job.error}

    def export_result(self, target: str, job_id: str) -> dict:
        with self.lock:
            self._advance_jobs()
            job = self.jobs.get(job_id)
            if job is None or job.kind != "export" or job.target != target:
                raise ApiError(404, "jobs:not_found", f"Job {job_id} does not exist.")
            if job.status != "Success":
                raise ApiError(400, "jobs:not_complete", f"Job {job_id} has not completed.")
            return copy.deepcopy(job.result)

    def _advance_jobs(self) -> None:
        now = time.monotonic()
        for job in self.jobs.values():
            if job.status == "InProgress" and now >= job.ready_at:
                try:
                    self._run_job(job)
                    job.status = "Success"
                except ApiError as exc:
                    job.status, job.error = "Failed", {"code": exc.code, "message": exc.message}

    def _run_job(self, job: Job) -> None:
        if job.kind == "import":
            new_id = self._import(job.target, job.payload["definition"], job.payload["overwrite"])
            job.status_message = f"id: {new_id}"
        elif job.kind == "export":
            job.result = self._export(self._item(job.target))
        else:
            self._item(job.target)
            self._remove_content(job.target)

    def _import(self, folder_id: str, definition: dict, overwrite: bool) -> str:
        self._folder(folder_id)
        existing = self._child_named(folder_id, definition["name"])
        if existing and not overwrite:
            raise ApiError(400, "content:duplicate_content",
                           f"A content item named {definition['name']!r} already exists in the folder; "
                           "use overwrite=true to replace it.")
        if existing:
            self._remove_content(existing)
        new_id = self._hex("content")
        is_folder = definition["type"] == "FolderSyncDefinition"
        item_type = "Folder" if is_folder else {
            "SavedSearchWithScheduleSyncDefinition": "Search", "LookupTableSyncDefinition": "Lookups",
            "DashboardV2SyncDefinition": "Dashboard"}.get(definition["type"], "Report")
        stored = None if is_folder else copy.deepcopy(definition)
        self.content[new_id] = self._content_item(
            definition["name"], item_type, folder_id, definition.get("description", ""), stored)
        self.content[folder_id]["children"].append(new_id)
        for child in definition.get("children", []) if is_folder else []:
            self._import(new_id, child, overwrite)
        return new_id

    def _export(self, item: dict) -> dict:
        if item["itemType"] != "Folder":
            return copy.deepcopy(item["definition"])
        return {"type": "FolderSyncDefinition", "name": item["name"], "description": item["description"],
                "children": [self._export(self.content[c]) for c in item["children"]]}

    def _remove_content(self, content_id: str) -> None:
        item = self.content.pop(content_id)
        for child in list(item["children"]):
            self._remove_content(child)
        parent = self.content.get(item["parentId"])
        if parent and content_id in parent["children"]:
            parent["children"].remove(content_id)

    # ---- Monitors (v1) ---------------------------------------------------------------------
    def _monitor_meta(self, body: dict, parent_id: str, monitor_id: str) -> dict:
        now = _now()
        is_folder = body["type"].startswith("MonitorsLibraryFolder")
        out = {k: copy.deepcopy(v) for k, v in body.items() if k not in ("type", "version")}
        if not is_folder:
            out = {"evaluationDelay": "0m", "notifications": [], "isDisabled": False, "groupNotifications": True,
                   "playbook": "", "automatedPlaybookIds": [], **out, "status": ["Normal"], "warnings": {}}
        return {**out, "id": monitor_id, "description": body.get("description", ""), "version": 0,
                "createdAt": now, "createdBy": USER_ID, "modifiedAt": now, "modifiedBy": USER_ID,
                "parentId": parent_id, "contentType": "Folder" if is_folder else "Monitor",
                "type": "MonitorsLibraryFolderResponse" if is_folder else "MonitorsLibraryMonitorResponse",
                "isSystem": False, "isMutable": True,
                "permissions": ["Create", "Read", "Update", "Delete", "Manage"]}

    def _monitor(self, monitor_id: str) -> dict:
        if monitor_id not in self.monitors:
            raise ApiError(404, "monitors:not_found", f"Monitor with id {monitor_id} does not exist.")
        return self.monitors[monitor_id]

    def monitor_view(self, monitor_id: str) -> dict:
        with self.lock:
            out = copy.deepcopy(self._monitor(monitor_id))
            if out["contentType"] == "Folder":
                out["children"] = [copy.deepcopy(m) for m in self.monitors.values() if m["parentId"] == monitor_id]
            return out

    def _check_monitor_name(self, parent_id: str, name: str, own_id: str | None = None) -> None:
        if any(m["parentId"] == parent_id and m["name"] == name and m["id"] != own_id
               for m in self.monitors.values()):
            raise ApiError(409, "monitors:duplicate_name",
                           f"A monitor or folder named {name!r} already exists in the folder.", field="name")

    def create_monitor(self, parent_id: str, body: dict) -> dict:
        with self.lock:
            if self._monitor(parent_id)["contentType"] != "Folder":
                raise ApiError(400, "monitors:invalid_parent", f"{parent_id} is not a folder.", field="parentId")
            self._check_monitor_name(parent_id, body["name"])
            monitor_id = self._hex("monitor")
            self.monitors[monitor_id] = self._monitor_meta(body, parent_id, monitor_id)
            return self.monitor_view(monitor_id)

    def update_monitor(self, monitor_id: str, body: dict) -> dict:
        with self.lock:
            current = self._monitor(monitor_id)
            if monitor_id == self.monitors_root_id:
                raise ApiError(403, "monitors:immutable", "The root folder cannot be modified.")
            expected = "MonitorsLibraryFolderUpdate" if current["contentType"] == "Folder" else "MonitorsLibraryMonitorUpdate"
            if body["type"] != expected:
                raise invalid("type", f"must be {expected} for this item")
            if body["version"] != current["version"]:
                raise ApiError(409, "monitors:version_mismatch",
                               f"Version {body['version']} does not match the current version {current['version']}.",
                               field="version")
            self._check_monitor_name(current["parentId"], body["name"], monitor_id)
            updated = self._monitor_meta(body, current["parentId"], monitor_id)
            updated.update(version=current["version"] + 1, createdAt=current["createdAt"], createdBy=current["createdBy"])
            self.monitors[monitor_id] = updated
            return self.monitor_view(monitor_id)

    def delete_monitor(self, monitor_id: str) -> None:
        with self.lock:
            self._monitor(monitor_id)
            if monitor_id == self.monitors_root_id:
                raise ApiError(403, "monitors:immutable", "The root folder cannot be deleted.")
            for child in [m["id"] for m in self.monitors.values() if m["parentId"] == monitor_id]:
                self.delete_monitor(child)
            del self.monitors[monitor_id]

    def monitor_path(self, monitor_id: str) -> str:
        names = []
        while monitor_id != self.monitors_root_id:
            item = self._monitor(monitor_id)
            names.append(item["name"])
            monitor_id = item["parentId"]
        return "/" + "/".join(["Monitor", *reversed(names)]) if names else "/Monitor"

    def monitor_by_path(self, path: str) -> dict:
        with self.lock:
            for monitor_id in self.monitors:
                if self.monitor_path(monitor_id) == path.rstrip("/"):
                    return self.monitor_view(monitor_id)
            raise ApiError(404, "monitors:not_found", f"No monitor at path {path!r}.")

    def search_monitors(self, query: str, offset: int, limit: int) -> list[dict]:
        """Free text matches name/description; `type:folder|monitor` and `createdBy:` filter."""
        with self.lock:
            filters = dict(t.split(":", 1) for t in query.split() if ":" in t)
            words = [t.lower() for t in query.split() if ":" not in t]
            found = []
            for monitor_id, item in sorted(self.monitors.items()):
                if monitor_id == self.monitors_root_id:
                    continue
                if "type" in filters and item["contentType"].lower() != filters["type"].lower():
                    continue
                if "createdBy" in filters and item["createdBy"] != filters["createdBy"]:
                    continue
                text = f"{item['name']} {item.get('description', '')}".lower()
                if all(w in text for w in words):
                    found.append({"item": copy.deepcopy(item), "path": self.monitor_path(monitor_id)})
            return found[offset:offset + limit]

    # ---- persistence ---------------------------------------------------------------------
    STORES = ("counters", "rules", "tuning", "match_lists", "match_list_items", "content", "monitors")

    def to_dict(self) -> dict:
        with self.lock:
            self._advance_jobs()
            return copy.deepcopy({name: getattr(self, name) for name in self.STORES}
                                 | {"personal_id": self.personal_id, "monitors_root_id": self.monitors_root_id})

    def load_dict(self, data: dict) -> None:
        with self.lock:
            for name in self.STORES:
                setattr(self, name, copy.deepcopy(data[name]))
            self.personal_id, self.monitors_root_id = data["personal_id"], data["monitors_root_id"]
