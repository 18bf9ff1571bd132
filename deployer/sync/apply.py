"""Executing a plan against a tenant: paced, concurrent, idempotent and resumable, one result per object.

Owns the write path (folders, creates, updates, deletes, disables) and its recovery: an ambiguous create
is followed by a re-read by ownership marker before any retry, so nothing is ever created twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from deployer.api import NotFound, SumoApiError, SumoClient
from deployer.render.markers import marker_tag
from deployer.sync.normalize import normalize, owner_of
from deployer.sync.plan import Change, Plan
from deployer.sync.state import SEARCH_TYPE, TRANSIENT, pause, read_state, with_retries


class StalePlanError(Exception):
    """The tenant changed since the saved plan was computed."""


@dataclass(frozen=True, slots=True)
class ObjectResult:
    change: Change
    ok: bool
    remote_id: str | None = None
    message: str = ""
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class ApplyReport:
    results: tuple[ObjectResult, ...]
    requests: int
    seconds: float
    statuses: dict

    @property
    def failures(self) -> tuple[ObjectResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class Found:
    remote_id: str
    body: dict
    version: int | None = None


class _Writer:
    """One method per (action, kind); each returns the remote id it left in place."""

    def __init__(self, client: SumoClient, plan: Plan):
        self.client, self.plan = client, plan
        self.folder_id: str | None = None
        self.monitor_folder_id: str | None = None

    # -- folders ------------------------------------------------------------------------------
    def content_folder(self, path: str) -> str:
        try:
            return self.client.content.get_by_path(path)["id"]
        except NotFound:
            parent, _, name = path.rpartition("/")
            if not parent.startswith("/Library/"):
                raise
        parent_id = self.content_folder(parent)
        try:
            return self.client.content.create_folder(name, parent_id)["id"]
        except SumoApiError:
            return self.client.content.get_by_path(path)["id"]

    def monitor_folder(self, path: str) -> str:
        if path.rstrip("/") in ("", "/Monitor"):
            return self.client.monitors.root()["id"]
        try:
            return self.client.monitors.get_by_path(path)["id"]
        except NotFound:
            parent, _, name = path.rpartition("/")
        parent_id = self.monitor_folder(parent)
        try:
            return self.client.monitors.create({"type": "MonitorsLibraryFolder", "name": name, "description": ""},
                                               parent_id)["id"]
        except SumoApiError:
            return self.client.monitors.get_by_path(path)["id"]

    # -- re-reading one object by marker -----------------------------------------------------
    def find(self, change: Change, *, excluding: str | None = None) -> Found | None:
        if change.kind == "cse_rule":
            rules = self.client.cse_rules.list(f'tag:"{marker_tag(change.detection_id)}"', page_size=100)
            return next((Found(r["id"], normalize("cse_rule", r)) for r in rules if r["id"] != excluding), None)
        if change.kind == "scheduled_search":
            children = self.client.content.get_folder(self.folder_id).get("children", [])
            item = next((c for c in children if c["name"] == change.name), None)
            if item is None:
                return None
            exported = self.client.content.export_item(item["id"])
            if owner_of("scheduled_search", exported)[0] != change.detection_id:
                return None
            return Found(item["id"], normalize("scheduled_search", exported))
        for hit in self.client.monitors.search("type:monitor"):
            if owner_of("monitor", hit["item"])[0] == change.detection_id:
                item = hit["item"]
                return Found(item["id"], normalize("monitor", item), item.get("version"))
        return None

    def _same(self, change: Change, found: Found) -> bool:
        return found.body == normalize(change.kind, change.body, change.rule_type)

    # -- CSE rules ----------------------------------------------------------------------------
    def create_cse_rule(self, change: Change) -> str:
        return self.client.cse_rules.create(change.rule_type, change.body)["id"]

    def update_cse_rule(self, change: Change) -> str:
        return self.client.cse_rules.update(change.rule_type, change.remote_id, change.body)["id"]

    def delete_cse_rule(self, change: Change) -> str:
        self.client.cse_rules.delete(change.remote_id)
        return change.remote_id

    def replace_cse_rule(self, change: Change, *, retrying: bool = False) -> str:
        """Create the rule of the new type, then delete the old one: detection coverage never lapses.

        On a retry the new rule may already exist (an ambiguous create, or the delete failed): it is
        found by marker, other than the old rule, and reused instead of created twice.
        """
        found = self.find(change, excluding=change.remote_id) if retrying else None
        if found is None:
            new_id = self.create_cse_rule(change)
        elif self._same(change, found):
            new_id = found.remote_id
        else:
            new_id = self.client.cse_rules.update(change.rule_type, found.remote_id, change.body)["id"]
        try:
            self.client.cse_rules.delete(change.remote_id)
        except NotFound:
            pass  # an earlier attempt deleted it
        return new_id

    def disable_cse_rule(self, change: Change) -> str:
        self.client.cse_rules.set_enabled(change.remote_id, False)
        return change.remote_id

    # -- scheduled searches -------------------------------------------------------------------
    def create_scheduled_search(self, change: Change) -> str:
        return self.client.content.import_item(self.folder_id, change.body, overwrite=False)

    def update_scheduled_search(self, change: Change) -> str:
        renamed = any(d.path == "name" for d in change.diffs)
        new_id = self.client.content.import_item(self.folder_id, change.body, overwrite=not renamed)
        if renamed:
            self.delete_scheduled_search(change)
        return new_id

    def delete_scheduled_search(self, change: Change) -> str:
        try:
            self.client.content.delete_item(change.remote_id)
        except NotFound:
            pass  # already gone: an earlier attempt deleted it
        return change.remote_id

    def disable_scheduled_search(self, change: Change) -> str:
        body = {k: v for k, v in change.body.items() if k != "searchSchedule"} | {"type": SEARCH_TYPE}
        return self.client.content.import_item(self.folder_id, body, overwrite=True)

    # -- monitors -----------------------------------------------------------------------------
    def create_monitor(self, change: Change) -> str:
        return self.client.monitors.create(change.body, self.monitor_folder_id)["id"]

    def update_monitor(self, change: Change, *, retrying: bool = False) -> str:
        version = change.version
        if retrying:  # an earlier attempt may have landed and bumped the version
            current = self.client.monitors.get(change.remote_id)
            if normalize("monitor", current) == normalize("monitor", change.body):
                return change.remote_id
            version = current["version"]
        return self.client.monitors.update(change.remote_id, change.body, version)["id"]

    def delete_monitor(self, change: Change) -> str:
        try:
            self.client.monitors.delete(change.remote_id)
        except NotFound:
            pass
        return change.remote_id

    def disable_monitor(self, change: Change, *, retrying: bool = False) -> str:
        return self.update_monitor(Change(**{**_fields(change), "body": change.body | {"isDisabled": True}}),
                                   retrying=retrying)

    # -- one change, with recovery ------------------------------------------------------------
    def run(self, change: Change, attempt: int) -> str:
        action = "update" if change.action == "drifted" else change.action
        retrying = attempt > 1
        if action == "create" and retrying:
            found = self.find(change)
            if found is not None:
                if self._same(change, found):
                    return found.remote_id
                change = Change(**{**_fields(change), "remote_id": found.remote_id, "version": found.version})
                action, retrying = "update", True
        method = getattr(self, f"{action}_{change.kind}")
        if action == "replace" or (change.kind == "monitor" and action in ("update", "disable")):
            return method(change, retrying=retrying)
        return method(change)


def _fields(change: Change) -> dict:
    return {name: getattr(change, name) for name in Change.__slots__}


def apply_plan(client: SumoClient, plan: Plan, *, check_fingerprint: bool = False, workers: int | None = None,
               attempts: int = 6, backoff: float = 0.2, on_result: Callable[[ObjectResult], None] | None = None
               ) -> ApplyReport:
    """Execute every change of `plan`; failures are collected, never stop the others.

    With `check_fingerprint` the tenant is re-read first and StalePlanError raised if it changed.
    """
    started, before = time.monotonic(), client.stats.requests
    statuses_before = dict(client.stats.responses_by_status)
    if check_fingerprint:
        now = read_state(client, plan.folder, plan.monitor_folder, attempts=attempts, backoff=backoff).fingerprint
        if now != plan.fingerprint:
            raise StalePlanError(f"the tenant changed since this plan was made (fingerprint {plan.fingerprint} "
                                 f"-> {now})")
    writer = _Writer(client, plan)
    pending = list(plan.pending)
    results: list[ObjectResult] = []
    folder_failed = {}
    for kind, path, ensure, attr in (("scheduled_search", plan.folder, writer.content_folder, "folder_id"),
                                     ("monitor", plan.monitor_folder, writer.monitor_folder, "monitor_folder_id")):
        if any(c.kind == kind for c in pending):
            try:
                setattr(writer, attr, with_retries(lambda ensure=ensure, path=path: ensure(path), attempts, backoff))
            except SumoApiError as exc:
                folder_failed[kind] = f"cannot find or create folder {path}: {exc}"

    def one(change: Change) -> ObjectResult:
        if change.kind in folder_failed:
            result = ObjectResult(change, False, message=folder_failed[change.kind])
        else:
            result = _attempt(writer, change, attempts, backoff)
        if on_result:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=workers or client.pacer.max_in_flight) as pool:
        results = list(pool.map(one, pending))
    statuses = {status: count - statuses_before.get(status, 0)
                for status, count in client.stats.responses_by_status.items() if count - statuses_before.get(status, 0)}
    return ApplyReport(tuple(results), client.stats.requests - before, time.monotonic() - started, statuses)


def _attempt(writer: _Writer, change: Change, attempts: int, backoff: float) -> ObjectResult:
    for attempt in range(1, attempts + 1):
        try:
            return ObjectResult(change, True, writer.run(change, attempt), "ok", attempt)
        except TRANSIENT as exc:
            if attempt == attempts:
                return ObjectResult(change, False, change.remote_id, _short(exc), attempt)
            pause(attempt, backoff)
        except SumoApiError as exc:
            return ObjectResult(change, False, change.remote_id, _short(exc), attempt)
    raise AssertionError("unreachable")


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:400]
