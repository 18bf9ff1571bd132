"""A Sigma rule as frozen values, read from YAML text: metadata, log source, selections, condition.

Owns reading and checking the Sigma structure (modifiers, selections, condition); it does not map
fields or produce Cloud SIEM text (convert.py) or detection content (detection.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import yaml

from .condition import Condition, parse_condition
from .errors import SigmaError, SigmaUnsupported

MATCHERS = frozenset({"contains", "startswith", "endswith", "re", "cidr", "lt", "lte", "gt", "gte", "exists"})
TRANSFORMS = frozenset({"windash", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16"})
FLAGS = frozenset({"all", "i", "ignorecase", "m", "multiline", "s", "dotall", "cased"})
UNSUPPORTED_MODIFIERS = {
    "fieldref": "compares two fields of one event; Cloud SIEM match rules cannot compare fields",
    "expand": "needs placeholder values supplied by a processing pipeline",
}


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """`Field|mod1|mod2: values` inside a selection; `field` is empty for a keyword (unsupported)."""

    field: str
    modifiers: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Selection:
    """A named detection item: alternatives (or) of groups (and) of field matches."""

    name: str
    alternatives: tuple[tuple[FieldMatch, ...], ...]


@dataclass(frozen=True, slots=True)
class LogSource:
    product: str = ""
    category: str = ""
    service: str = ""

    def describe(self) -> str:
        return "/".join(p for p in (self.product, self.category, self.service) if p) or "any"


@dataclass(frozen=True, slots=True)
class SigmaRule:
    path: str
    id: str
    title: str
    status: str
    level: str
    description: str
    author: str
    date: str
    modified: str
    references: tuple[str, ...]
    tags: tuple[str, ...]
    false_positives: tuple[str, ...]
    logsource: LogSource
    selections: tuple[Selection, ...]
    condition: Condition

    def selection(self, name: str) -> Selection:
        return next(s for s in self.selections if s.name == name)


def _date(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value or "").replace("/", "-")


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in items if v is not None and str(v).strip())


def _field_match(key: Any, value: Any, path: str) -> FieldMatch:
    name, *modifiers = str(key).split("|")
    for modifier in modifiers:
        if modifier in UNSUPPORTED_MODIFIERS:
            raise SigmaUnsupported(f"modifier `|{modifier}` on `{key}`", path, UNSUPPORTED_MODIFIERS[modifier])
        if modifier not in MATCHERS | TRANSFORMS | FLAGS:
            raise SigmaUnsupported(f"modifier `|{modifier}` on `{key}`", path, "see docs/sigma.md for the supported modifiers")
    if not name:
        raise SigmaUnsupported(f"keyword search `{key}` (a value without a field)", path,
                               "Cloud SIEM expressions test fields; name the field the keyword occurs in")
    if sum(m in MATCHERS for m in modifiers) > 1:
        raise SigmaUnsupported(f"several match modifiers on `{key}`", path)
    values = tuple(value) if isinstance(value, list) else (value,)
    if any(isinstance(v, dict | list) for v in values):
        raise SigmaError(f"`{key}` holds a nested map or list; Sigma values are scalars", path)
    return FieldMatch(name, tuple(modifiers), values)


def _selection(name: str, body: Any, path: str) -> Selection:
    if isinstance(body, dict):
        groups = [body]
    elif isinstance(body, list) and body and all(isinstance(item, dict) for item in body):
        groups = body
    else:
        raise SigmaUnsupported(f"keyword selection `{name}` (a list of values without a field)", path,
                               "Cloud SIEM expressions test fields; rewrite it as `Field|contains: [...]`")
    alternatives = tuple(tuple(_field_match(k, v, path) for k, v in group.items()) for group in groups)
    if any(not group for group in alternatives):
        raise SigmaError(f"selection `{name}` is empty", path)
    return Selection(name, alternatives)


def parse_sigma(text: str, path: str = "<rule>") -> SigmaRule:
    """The rule in `text` (one Sigma YAML document); SigmaError / SigmaUnsupported say what is wrong."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise SigmaError(f"not valid YAML: {exc}".replace("\n", " "), path) from None
    if len(documents) != 1:
        raise SigmaUnsupported("multi-document rule (rule collection or correlation)", path) if documents else \
            SigmaError("empty file", path)
    data = documents[0]
    if not isinstance(data, dict):
        raise SigmaError("a Sigma rule is a YAML mapping", path)
    if "correlation" in data:
        raise SigmaUnsupported("correlation rule", path, "write a Cloud SIEM threshold or chain rule")
    for key in ("title", "id", "logsource", "detection"):
        if not data.get(key):
            raise SigmaError(f"missing `{key}`", path, "stable detection ids derive from the Sigma id" if key == "id" else "")
    detection = data["detection"]
    if not isinstance(detection, dict) or "condition" not in detection:
        raise SigmaError("`detection` needs selections and a `condition`", path)
    if "timeframe" in detection:
        raise SigmaUnsupported("`timeframe` (an aggregation window)", path)
    selections = tuple(_selection(str(n), body, path) for n, body in detection.items() if n != "condition")
    names = tuple(s.name for s in selections)
    logsource = data["logsource"] if isinstance(data["logsource"], dict) else {}
    return SigmaRule(
        path=path, id=str(data["id"]).lower(), title=str(data["title"]).strip(), status=str(data.get("status", "experimental")),
        level=str(data.get("level", "medium")), description=str(data.get("description") or data["title"]).strip(),
        author=str(data.get("author") or "Sigma").strip(), date=_date(data.get("date")), modified=_date(data.get("modified")),
        references=_strings(data.get("references")), tags=tuple(t.lower() for t in _strings(data.get("tags"))),
        false_positives=_strings(data.get("falsepositives")),
        logsource=LogSource(*(str(logsource.get(k) or "").lower() for k in ("product", "category", "service"))),
        selections=selections, condition=parse_condition(detection["condition"], names, path),
    )
