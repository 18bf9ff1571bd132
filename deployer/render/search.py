"""Log-search rendering: a detection's `search` block + an environment -> Content API and Monitors payloads.

Owns the SavedSearchWithScheduleSyncDefinition and MonitorsLibraryMonitor bodies and the description
ownership marker; it does no I/O and knows nothing of the API client or of deployed state.
"""

from __future__ import annotations

import re

from deployer.content.model import Detection, Environment
from deployer.content.parameters import substitute

MARKER = re.compile(r"\[sumo-content:id=(?P<id>[0-9a-f-]{36})(?: rev=(?P<rev>[0-9a-f]+))?\]")
DEFAULT_TIME_RANGE = "-15m"
DEFAULT_SCHEDULE = {"type": "15Minutes", "time_zone": "UTC"}
DEFAULT_THRESHOLD = {"operator": "gt", "count": 0}
MONITOR_TIME_RANGES = ("-5m", "-10m", "-15m", "-30m", "-1h", "-3h", "-6h", "-12h", "-24h")
RESOLUTION = {"GreaterThan": "LessThanOrEqual", "GreaterThanOrEqual": "LessThan",
              "LessThan": "GreaterThanOrEqual", "LessThanOrEqual": "GreaterThan"}
THRESHOLD_TYPES = {"gt": "GreaterThan", "ge": "GreaterThanOrEqual", "lt": "LessThan", "le": "LessThanOrEqual",
                   "eq": "GreaterThanOrEqual"}
EMAIL_SUBJECT = "Search Alert: {{AlertCondition}} results found for {{SearchName}}"
MONITOR_SUBJECT = "Monitor Alert: {{TriggerType}} on {{Name}}"
EMAIL_FLAGS = {"includeQuery": ("include_query", True), "includeResultSet": ("include_result_set", True),
               "includeHistogram": ("include_histogram", True),
               "includeCsvAttachment": ("include_csv_attachment", False)}  # API key -> (content key, default)
CONNECTION_TYPES = {
    "email": "Email", "webhook": "Webhook", "slack": "Slack", "pagerduty": "PagerDuty", "opsgenie": "Opsgenie",
    "servicenow": "ServiceNow", "microsoft_teams": "MicrosoftTeams", "jira": "Jira",
    "sumo_cloud_soar": "SumoCloudSOAR", "aws_lambda": "AWSLambda", "azure_functions": "AzureFunctions",
    "datadog": "Datadog", "new_relic": "NewRelic",
}


def description_marker(detection_id: str, rev: str | None = None) -> str:
    """The line that marks a scheduled search or monitor as owned by this tool (see docs/sync.md)."""
    return f"[sumo-content:id={detection_id}{f' rev={rev}' if rev else ''}]"


def marker_in(description: str | None) -> tuple[str, str | None] | None:
    """(detection id, rev or None) from a description carrying the marker, else None."""
    found = MARKER.search(description or "")
    return (found["id"], found["rev"]) if found else None


def with_marker(description: str, detection_id: str, rev: str | None = None) -> str:
    """`description` with its marker line set to (detection_id, rev), replacing any existing one."""
    body = MARKER.sub("", description or "").rstrip()
    return f"{body}\n\n{description_marker(detection_id, rev)}" if body else description_marker(detection_id, rev)


def _window(value: str) -> str:
    return value if value.startswith("-") else f"-{value}"


def _values(detection: Detection, environment: Environment | None) -> dict[str, object]:
    return environment.variables_for(detection) if environment else dict(detection.parameters)


def _override(detection: Detection, environment: Environment | None) -> dict:
    return environment.overrides.get(detection.id, {}) if environment else {}


def _description(detection: Detection) -> str:
    return with_marker(" ".join(detection.description.split()), detection.id)


def _email_recipients(notification: dict, override: dict, values: dict) -> list[str]:
    recipients = override.get("notification_to") or notification.get("to", [])
    return [substitute(r, values) for r in recipients]


def _search_notification(notification: dict, override: dict, values: dict) -> dict:
    kind = notification["type"]
    text = {k: substitute(v, values) if isinstance(v, str) else v for k, v in notification.items()}
    if kind == "email":
        body = {"taskType": "EmailSearchNotificationSyncDefinition",
                "toList": _email_recipients(notification, override, values),
                "subjectTemplate": text.get("subject", EMAIL_SUBJECT),
                **{api: text.get(key, default) for api, (key, default) in EMAIL_FLAGS.items()}}
    elif kind == "webhook":
        body = {"taskType": "WebhookSearchNotificationSyncDefinition", "webhookId": text["webhook_id"],
                "itemizeAlerts": text.get("itemize_alerts", False)}
        body |= {"payload": text["payload"]} if "payload" in text else {}
        body |= {"maxItemizedAlerts": text["max_itemized_alerts"]} if "max_itemized_alerts" in text else {}
    elif kind == "servicenow":
        body = {"taskType": "ServiceNowSearchNotificationSyncDefinition", "externalId": text["external_id"]}
    elif kind == "save_to_view":
        body = {"taskType": "SaveToViewNotificationSyncDefinition", "viewName": text["view_name"]}
    elif kind == "save_to_lookup":
        body = {"taskType": "SaveToLookupNotificationSyncDefinition", "lookupFilePath": text["lookup_file_path"],
                "isLookupMergeOperation": text.get("merge", False)}
    elif kind == "alert_source":
        body = {"taskType": "AlertSearchNotificationSyncDefinition", "sourceId": text["source_id"]}
    else:
        body = {"taskType": "CseSignalNotificationSyncDefinition", "recordType": text["record_type"]}
    return body


def render_scheduled_search(detection: Detection, environment: Environment | None = None) -> dict:
    """The Content API import body (`SavedSearchWithScheduleSyncDefinition`) for `detection` here.

    Overrides used: variables, window (time range), schedule (schedule type), threshold (count),
    notification_to (email recipients), enabled: false (imported without a schedule).
    """
    search = detection.search
    if search is None:
        raise ValueError(f"detection {detection.id} has no `search` block")
    values = _values(detection, environment)
    override = _override(detection, environment)
    time_range = _window(override.get("window") or search.get("time_range", DEFAULT_TIME_RANGE))
    definition = {
        "type": "SavedSearchWithScheduleSyncDefinition",
        "name": detection.name,
        "description": _description(detection),
        "search": {
            "queryText": substitute(search["query"], values).strip(),
            "defaultTimeRange": time_range,
            "byReceiptTime": bool(search.get("by_receipt_time", False)),
            "viewName": "",
            "queryParameters": [],
            "parsingMode": "Manual",
        },
    }
    if override.get("enabled", True) is False:
        return definition
    schedule = {**DEFAULT_SCHEDULE, **search.get("schedule", {})}
    if override.get("schedule"):
        schedule["type"] = override["schedule"]
    alert = search.get("alert", {})
    threshold = dict(alert.get("threshold", DEFAULT_THRESHOLD))
    if "threshold" in override:
        threshold["count"] = override["threshold"]
    notification = alert.get("notification") or {"type": "email", "to": ["{{soc_email}}"]}
    schedule_body = {
        "cronExpression": schedule.get("cron", ""),
        "parseableTimeRange": {"type": "BeginBoundedTimeRange",
                               "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": time_range}},
        "timeZone": schedule.get("time_zone", "UTC"),
        "threshold": {"operator": threshold["operator"], "count": threshold["count"]},
        "notification": _search_notification(notification, override, values),
        "scheduleType": schedule["type"],
        "muteErrorEmails": False,
        "parameters": [],
    }
    if not schedule_body["cronExpression"]:
        del schedule_body["cronExpression"]
    definition["searchSchedule"] = schedule_body
    return definition


def _monitor_notification(spec: dict, values: dict, override: dict, time_zone: str) -> dict:
    kind = spec["type"]
    if kind == "email":
        recipients = [substitute(r, values) for r in override.get("notification_to") or spec["recipients"]]
        action = {"connectionType": "Email", "recipients": recipients,
                  "subject": substitute(spec.get("subject", MONITOR_SUBJECT), values),
                  "timeZone": time_zone}
        if "message" in spec:
            action["messageBody"] = substitute(spec["message"], values)
    else:
        action = {"connectionType": CONNECTION_TYPES[kind], "connectionId": spec["connection_id"]}
        if "payload_override" in spec:
            action["payloadOverride"] = substitute(spec["payload_override"], values)
    return {"notification": action, "runForTriggerTypes": ["Critical", "ResolvedCritical"]}


def render_monitor(detection: Detection, environment: Environment | None = None) -> dict | None:
    """The Logs monitor (`MonitorsLibraryMonitor`) for `detection` here, or None without `search.monitor`.

    Overrides used: variables, enabled, threshold, window (when a monitor time range), notification_to.
    """
    search = detection.search or {}
    monitor = search.get("monitor")
    if monitor is None:
        return None
    values = _values(detection, environment)
    override = _override(detection, environment)
    alert_threshold = search.get("alert", {}).get("threshold", DEFAULT_THRESHOLD)
    trigger = monitor.get("trigger", {})
    threshold = override.get("threshold", trigger.get("threshold", alert_threshold["count"]))
    threshold_type = trigger.get("threshold_type", THRESHOLD_TYPES[alert_threshold["operator"]])
    window = _window(override["window"]) if override.get("window") else None
    time_range = window if window in MONITOR_TIME_RANGES else monitor.get("time_range") or (
        _window(search.get("time_range", DEFAULT_TIME_RANGE)))
    if time_range not in MONITOR_TIME_RANGES:
        time_range = DEFAULT_TIME_RANGE
    resolved = {"detectionMethod": "LogsStaticCondition", "triggerType": "ResolvedCritical", "timeRange": time_range,
                "threshold": threshold, "thresholdType": RESOLUTION[threshold_type]}
    if "resolution_window" in trigger:
        resolved["resolutionWindow"] = trigger["resolution_window"]
    time_zone = search.get("schedule", {}).get("time_zone", "UTC")
    enabled = override.get("enabled", monitor.get("enabled", True))
    notifications = monitor.get("notifications")
    if notifications is None:
        email = search.get("alert", {}).get("notification", {})
        recipients = email.get("to") if email.get("type") == "email" else None
        notifications = [{"type": "email", "recipients": recipients}] if recipients else []
    return {
        "type": "MonitorsLibraryMonitor",
        "name": detection.name,
        "description": _description(detection),
        "monitorType": "Logs",
        "evaluationDelay": "0m",
        "queries": [{"rowId": "A", "query": substitute(search["query"], values).strip()}],
        "triggers": [
            {"detectionMethod": "LogsStaticCondition", "triggerType": "Critical", "timeRange": time_range,
             "threshold": threshold, "thresholdType": threshold_type},
            resolved,
        ],
        "notifications": [_monitor_notification(n, values, override, time_zone) for n in notifications],
        "isDisabled": not enabled,
        "groupNotifications": True,
        "timeZone": time_zone,
    }
