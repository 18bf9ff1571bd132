"""Canonical forms of CSE rules, scheduled searches and monitors, so desired and read-back compare equal.

Owns what Sumo changes on the way back (window names vs milliseconds, defaults it fills in, read-only
metadata, key order, whitespace) and the ownership markers' parsing and `rev` stamps; it does no I/O.
"""

from __future__ import annotations

import copy
import hashlib
import json

from deployer.render.cse import WINDOW_ENUMS
from deployer.render.markers import marked_id
from deployer.render.search import EMAIL_FLAGS, marker_in, with_marker

KINDS = ("cse_rule", "scheduled_search", "monitor")
REV_TAG = "sumo-content:rev="
WINDOW_MS = {name: ms for ms, name in WINDOW_ENUMS.items()}
RULE_TYPES = {"templated match": "match", "match": "match", "templated": "match", "threshold": "threshold",
              "chain": "chain", "aggregation": "aggregation", "first seen": "first-seen",
              "first-seen": "first-seen", "outlier": "outlier"}
CSE_COMMON = {"name": None, "enabled": True, "entitySelectors": [], "isPrototype": False, "summaryExpression": "",
              "tags": [], "category": None, "assetField": "", "suppressionWindowSize": None}
CSE_FIELDS = {
    "match": {"expression": None, "nameExpression": None, "descriptionExpression": None, "scoreMapping": None,
              "stream": "record"},
    "threshold": {"description": None, "expression": None, "countDistinct": False, "countField": "",
                  "groupByFields": [], "limit": None, "score": None, "stream": "record", "version": 1,
                  "windowSize": None},
    "chain": {"description": None, "expressionsAndLimits": [], "groupByFields": [], "ordered": False, "score": None,
              "stream": "record", "windowSize": None},
    "aggregation": {"aggregationFunctions": [], "descriptionExpression": None, "groupByAsset": False,
                    "groupByFields": [], "matchExpression": None, "nameExpression": None, "scoreMapping": None,
                    "stream": "record", "triggerExpression": None, "windowSize": None},
    "first-seen": {"baselineType": "PER_ENTITY", "baselineWindowSize": None, "descriptionExpression": None,
                   "filterExpression": None, "groupByFields": [], "nameExpression": None,
                   "retentionWindowSize": None, "score": None, "valueExpression": None, "valueFields": None,
                   "version": 1},
    "outlier": {"aggregationFunctions": [], "baselineWindowSize": None, "deviationThreshold": None,
                "floorValue": None, "matchExpression": None, "groupByFields": [], "windowSize": None,
                "score": None, "nameExpression": None, "descriptionExpression": None,
                "retentionWindowSize": None, "version": 1},
}
UNORDERED = {"tags", "groupByFields", "valueFields", "runForTriggerTypes", "toList", "recipients"}
SEARCH_DEFAULTS = {"byReceiptTime": False, "viewName": "", "queryParameters": [], "parsingMode": "Manual"}
SCHEDULE_DEFAULTS = {"cronExpression": "", "muteErrorEmails": False, "parameters": []}
NOTIFICATION_DEFAULTS = {
    "EmailSearchNotificationSyncDefinition": {api: default for api, (_key, default) in EMAIL_FLAGS.items()},
    "WebhookSearchNotificationSyncDefinition": {"itemizeAlerts": False},
}
MONITOR_FIELDS = {"name": None, "description": "", "monitorType": None, "evaluationDelay": "0m", "queries": [],
                  "triggers": [], "notifications": [], "isDisabled": False, "groupNotifications": True,
                  "notificationGroupFields": [], "alertName": None, "playbook": "", "automatedPlaybookIds": [],
                  "timeZone": None}


def rule_type_of(rule: dict) -> str:
    """Our rule type name (match, threshold, ...) from a read-back rule's `ruleType`."""
    return RULE_TYPES[rule["ruleType"].lower()]


def _text(value: str, *, collapse: bool) -> str:
    if collapse:
        return " ".join(value.split())
    return "\n".join(line.rstrip() for line in value.strip().splitlines())


def _tidy(value, key: str = ""):
    """Recursive clean-up: integral floats -> int, whitespace in text, unordered lists sorted, None dropped."""
    if isinstance(value, dict):
        return {k: _tidy(v, k) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list):
        items = [_tidy(v, key) for v in value]
        return sorted(items, key=canonical) if key in UNORDERED else items
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return _text(value, collapse=key.lower().endswith("expression"))
    return value


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(value) -> str:
    """A short stable hash of a canonical value (the `rev` stamped on deployed objects)."""
    return hashlib.sha256(canonical(value).encode()).hexdigest()[:12]


def _fill(body: dict, defaults: dict) -> dict:
    out = {k: copy.deepcopy(body[k]) if k in body else copy.deepcopy(v) for k, v in defaults.items()}
    return {k: v for k, v in out.items() if v is not None}


def _cse(body: dict, rule_type: str) -> dict:
    fields = dict(body)
    size = fields.get("windowSize")
    if isinstance(size, int):  # read back: milliseconds plus windowSizeName
        name = fields.get("windowSizeName") or next((k for k, v in WINDOW_MS.items() if v == size), "CUSTOM")
        fields["windowSize"] = name
        if name == "CUSTOM":
            fields["windowSizeMilliseconds"] = str(size)
    out = _fill(fields, CSE_COMMON | CSE_FIELDS[rule_type])
    if fields.get("windowSize") == "CUSTOM":
        out["windowSizeMilliseconds"] = str(fields["windowSizeMilliseconds"])
    if "expressionsAndLimits" in out:
        out["expressionsAndLimits"] = [{k: v for k, v in item.items() if k != "index"}
                                       for item in out["expressionsAndLimits"]]
    out["tags"] = [t for t in out["tags"] if not t.startswith(REV_TAG)]
    for key in ("baselineWindowSize", "retentionWindowSize"):
        if key in out:
            out[key] = str(out[key])
    return out


def _search(body: dict) -> dict:
    out = {"type": "SavedSearchWithScheduleSyncDefinition", "name": body["name"],
           "description": body.get("description", ""), "search": _fill(body["search"], {
               "queryText": None, "defaultTimeRange": None, "viewStartTime": None} | SEARCH_DEFAULTS)}
    if out["search"].get("viewStartTime") == "1970-01-01T00:00:00Z":
        del out["search"]["viewStartTime"]
    schedule = body.get("searchSchedule")
    if schedule:
        fixed = {k: copy.deepcopy(v) for k, v in schedule.items() if k != "displayableTimeRange"}
        out["searchSchedule"] = SCHEDULE_DEFAULTS | fixed
        if fixed.get("threshold"):
            out["searchSchedule"]["threshold"] = {k: v for k, v in fixed["threshold"].items() if k != "thresholdType"}
        notification = fixed.get("notification") or {}
        out["searchSchedule"]["notification"] = NOTIFICATION_DEFAULTS.get(notification.get("taskType"), {}) | notification
    return out


def _signed(value):
    return value if not isinstance(value, str) or value.startswith("-") or value in ("0m", "") else f"-{value}"


def _monitor(body: dict) -> dict:
    out = _fill(body, MONITOR_FIELDS)
    out["type"] = "MonitorsLibraryMonitor"
    out["triggers"] = sorted(
        ({**t, "timeRange": _signed(t.get("timeRange")), "resolutionWindow": _signed(t.get("resolutionWindow"))}
         for t in out["triggers"]), key=lambda t: t.get("triggerType", ""))
    return out


def normalize(kind: str, body: dict, rule_type: str | None = None) -> dict:
    """The comparable form of a desired payload or a read-back object of `kind`, without its `rev` stamp."""
    if kind == "cse_rule":
        out = _cse(body, rule_type or rule_type_of(body))
    elif kind == "scheduled_search":
        out = _search(body)
    else:
        out = _monitor(body)
    if kind != "cse_rule":
        owner = marker_in(out.get("description"))
        if owner:
            out["description"] = with_marker(out["description"], owner[0])
    return _tidy(out)


def owner_of(kind: str, body: dict) -> tuple[str | None, str | None]:
    """(detection id, rev) from an object's ownership marker; (None, None) when unmanaged."""
    if kind == "cse_rule":
        tags = body.get("tags") or []
        owner = marked_id(tags)
        revs = [t[len(REV_TAG):] for t in tags if t.startswith(REV_TAG)]
        return owner, (revs[0] if revs and owner else None)
    found = marker_in(body.get("description"))
    return found if found else (None, None)


def stamp(kind: str, body: dict, detection_id: str, rev: str) -> dict:
    """`body` carrying the `rev` of its canonical form, so a later read can tell tenant edits from repo edits."""
    out = copy.deepcopy(body)
    if kind == "cse_rule":
        out["tags"] = [t for t in out.get("tags", []) if not t.startswith(REV_TAG)] + [REV_TAG + rev]
    else:
        out["description"] = with_marker(out.get("description", ""), detection_id, rev)
    return out
