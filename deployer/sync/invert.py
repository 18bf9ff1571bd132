"""Tenant payloads -> content-format blocks: the inverse of deployer.render, over deployer.cseql.importer for rules.

Owns the reverse mapping (pure; what the format cannot say raises Unrepresentable); grouping and files are pull.py.
"""

from __future__ import annotations

import re

from deployer.cseql.importer import import_rule
from deployer.render.markers import VERSION_PREFIX, is_marker
from deployer.render.search import (
    CONNECTION_TYPES,
    DEFAULT_THRESHOLD,
    EMAIL_FLAGS,
    EMAIL_SUBJECT,
    MARKER,
    MONITOR_SUBJECT,
    MONITOR_TIME_RANGES,
)
from deployer.sync.normalize import REV_TAG

DURATION = re.compile(r"^-?\d+[smhdw]$")
CONNECTION_NAMES = {api: name for name, api in CONNECTION_TYPES.items()}


class Unrepresentable(ValueError):
    """The object uses something the content format cannot express; the message says what."""


def plain_description(description: str | None) -> str:
    """A search or monitor description without its ownership marker, whitespace collapsed as render writes it."""
    return " ".join(MARKER.sub("", description or "").split())


def rule_parts(rule: dict) -> dict:
    """name, description, severity, mitre, cse (marker tags removed) and version (from the version tag)."""
    imported = import_rule(rule)
    cse = imported["cse"]
    tags = cse.pop("tags", [])
    versions = [t[len(VERSION_PREFIX):] for t in tags if t.startswith(VERSION_PREFIX)]
    kept = [t for t in tags if not is_marker(t) and not t.startswith(REV_TAG)]
    if kept:
        cse["tags"] = kept
    for key, default in (("enabled", True), ("prototype", False), ("group_by", [])):
        if cse.get(key) == default:
            del cse[key]
    techniques = imported["mitre"]["techniques"]
    subs = {t["id"].split(".")[0] for t in techniques if "." in t["id"]}
    imported["mitre"]["techniques"] = [t for t in techniques if t["id"] not in subs]  # render adds parents back
    imported["version"] = int(versions[0]) if versions and versions[0].isdigit() else 1
    return imported


def _search_notification(notification: dict) -> dict:
    task = notification.get("taskType")
    if task == "EmailSearchNotificationSyncDefinition":
        out = {"type": "email", "to": list(notification.get("toList", []))}
        if notification.get("subjectTemplate", EMAIL_SUBJECT) != EMAIL_SUBJECT:
            out["subject"] = notification["subjectTemplate"]
        for api, (key, default) in EMAIL_FLAGS.items():
            if notification.get(api, default) != default:
                out[key] = notification[api]
        return out
    if task == "WebhookSearchNotificationSyncDefinition":
        out = {"type": "webhook", "webhook_id": notification["webhookId"]}
        if "payload" in notification:
            out["payload"] = notification["payload"]
        if notification.get("itemizeAlerts"):
            out["itemize_alerts"] = True
        if "maxItemizedAlerts" in notification:
            out["max_itemized_alerts"] = notification["maxItemizedAlerts"]
        return out
    simple = {"ServiceNowSearchNotificationSyncDefinition": ("servicenow", "external_id", "externalId"),
              "SaveToViewNotificationSyncDefinition": ("save_to_view", "view_name", "viewName"),
              "AlertSearchNotificationSyncDefinition": ("alert_source", "source_id", "sourceId"),
              "CseSignalNotificationSyncDefinition": ("cse_signal", "record_type", "recordType")}
    if task in simple:
        kind, key, api = simple[task]
        return {"type": kind, key: notification[api]}
    if task == "SaveToLookupNotificationSyncDefinition":
        out = {"type": "save_to_lookup", "lookup_file_path": notification["lookupFilePath"]}
        if notification.get("isLookupMergeOperation"):
            out["merge"] = True
        return out
    raise Unrepresentable(f"search notification {task!r} has no equivalent in the content format")


def search_block(item: dict) -> tuple[dict, str]:
    """The `search` block of an exported scheduled search (the inverse of render_scheduled_search), and its time zone."""
    schedule = item["searchSchedule"]
    search = item["search"]
    time_range = search.get("defaultTimeRange", "")
    if not DURATION.match(time_range):
        raise Unrepresentable(f"time range {time_range!r} is not a relative duration such as -15m")
    block: dict = {"query": search["queryText"].strip(), "time_range": time_range}
    if search.get("byReceiptTime"):
        block["by_receipt_time"] = True
    block["schedule"] = {"type": schedule["scheduleType"]}
    if schedule.get("cronExpression"):
        block["schedule"]["cron"] = schedule["cronExpression"]
    time_zone = schedule.get("timeZone") or "UTC"
    if time_zone != "UTC":
        block["schedule"]["time_zone"] = time_zone
    threshold = schedule.get("threshold") or {}
    threshold = {"operator": threshold.get("operator", "gt"), "count": threshold.get("count", 0)}
    alert = {} if threshold == DEFAULT_THRESHOLD else {"threshold": threshold}
    block["alert"] = alert | {"notification": _search_notification(schedule.get("notification") or {})}
    return block, time_zone


def _signed(value: str) -> str:
    return value if value.startswith("-") or value == "0m" else f"-{value}"


def _number(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _monitor_notification(action: dict) -> dict:
    kind = action.get("connectionType")
    if kind == "Email":
        out = {"type": "email", "recipients": list(action.get("recipients", []))}
        if action.get("subject", MONITOR_SUBJECT) != MONITOR_SUBJECT:
            out["subject"] = action["subject"]
        if action.get("messageBody"):
            out["message"] = action["messageBody"]
        return out
    if kind not in CONNECTION_NAMES:
        raise Unrepresentable(f"monitor notification {kind!r} has no equivalent in the content format")
    out = {"type": CONNECTION_NAMES[kind], "connection_id": action["connectionId"]}
    if action.get("payloadOverride"):
        out["payload_override"] = action["payloadOverride"]
    return out


def monitor_block(monitor: dict) -> tuple[str, dict, str]:
    """(query, `search.monitor` block, time zone) of a Logs monitor (the inverse of render_monitor)."""
    if monitor.get("monitorType") != "Logs":
        raise Unrepresentable(f"a {monitor.get('monitorType')} monitor; only Logs monitors can be pulled")
    queries = monitor.get("queries") or []
    if len(queries) != 1:
        raise Unrepresentable(f"the monitor has {len(queries)} queries; a detection has exactly one")
    triggers = {t.get("triggerType"): t for t in monitor.get("triggers", [])}
    critical = triggers.get("Critical")
    if critical is None or critical.get("detectionMethod") != "LogsStaticCondition":
        raise Unrepresentable("the monitor has no static Critical trigger (the one trigger the content format has)")
    time_range = _signed(critical["timeRange"])
    if time_range not in MONITOR_TIME_RANGES:
        raise Unrepresentable(f"monitor time range {time_range!r} is not one of {', '.join(MONITOR_TIME_RANGES)}")
    trigger = {"threshold": _number(critical["threshold"]), "threshold_type": critical["thresholdType"]}
    resolution = (triggers.get("ResolvedCritical") or {}).get("resolutionWindow")
    if resolution:
        trigger["resolution_window"] = _signed(resolution)
    block: dict = {"time_range": time_range, "trigger": trigger,
                   "notifications": [_monitor_notification(n["notification"])
                                     for n in monitor.get("notifications", [])]}
    if monitor.get("isDisabled"):
        block["enabled"] = False
    return queries[0]["query"].strip(), block, monitor.get("timeZone") or "UTC"
