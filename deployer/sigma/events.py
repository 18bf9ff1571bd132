"""Sigma regression events (raw Windows event JSON, or a flat JSON log) -> Cloud SIEM normalized records.

Owns the record shape (mapped fields, metadata_*, the raw `fields` map) with the same field tables as
the expression; it does not judge whether a record matches (deployer.cseql does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deployer.cseql import schema

from .errors import SigmaError
from .mappings import Source, raw_key


def _windows_parts(event: dict, path: str) -> tuple[dict, dict]:
    body = event.get("Event")
    if not isinstance(body, dict) or not isinstance(body.get("System"), dict):
        raise SigmaError("the event has no `Event.System` block", path, "give a Windows event as JSON, as in SigmaHQ regression_data")
    data = body.get("EventData") or {}
    if isinstance(data.get("Data"), list):  # <Data Name="X">v</Data> as converted by xmltodict-style tools
        data = {d.get("#attributes", {}).get("Name"): d.get("#text") for d in data["Data"] if isinstance(d, dict)}
    return body["System"], data


def _epoch_ms(system: dict) -> int | None:
    stamp = (system.get("TimeCreated") or {}).get("#attributes", {}).get("SystemTime")
    try:
        return int(datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _value(normalized: str, value: Any) -> Any:
    if schema.kind_of(schema.field_type(normalized)) == "number" and str(value).lstrip("-").isdigit():
        return int(value)
    return str(value)


def normalize_event(event: dict, source: Source, path: str = "<event>") -> dict:
    """A normalized record for `event`, mapped with `source`'s field table (raw values under `fields`)."""
    if not source.windows:
        data, record, raw = event, {}, {}
    else:
        system, data = _windows_parts(event, path)
        provider = (system.get("Provider") or {}).get("#attributes", {}).get("Name")
        raw = {"Computer": system.get("Computer"), "Channel": system.get("Channel"),
               "EventID": system.get("EventID"), "Provider.Name": provider}
        record = {"metadata_vendor": "Microsoft", "metadata_product": "Windows",
                  "metadata_deviceEventId": f"{system.get('Channel')}-{system.get('EventID')}",
                  "device_hostname": system.get("Computer"), "timestamp": _epoch_ms(system)}
    for name, value in data.items():
        if value is None or isinstance(value, dict | list):
            continue
        raw[raw_key(name, source)] = value
        if name in source.fields:
            record[source.fields[name]] = _value(source.fields[name], value)
    record["fields"] = {k: str(v) for k, v in raw.items() if v is not None}
    return {k: v for k, v in record.items() if v is not None}


def blanked(event: dict, source: Source, names: tuple[str, ...], path: str = "<event>") -> dict:
    """A copy of `event` whose fields `names` (EventData for Windows) are empty strings."""
    if not source.windows:
        return event | dict.fromkeys(names, "")
    system, data = _windows_parts(event, path)
    return {"Event": {"System": system, "EventData": data | dict.fromkeys(names, "")}}


def present_fields(event: dict, source: Source, path: str = "<event>") -> set[str]:
    """Names of the event's non-empty fields (EventData for Windows)."""
    data = _windows_parts(event, path)[1] if source.windows else event
    return {k for k, v in data.items() if v not in (None, "")}
