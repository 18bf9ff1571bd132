"""Linting a detection's `cse` block: every expression, template, entity selector, tag and window.

Owns walking the block and locating findings in the YAML file; the checks on a single expression or
template are deployer.cseql.lint's, and schema shape is deployer.content's.
"""

from __future__ import annotations

from collections.abc import Iterator

from deployer.content.model import Detection
from deployer.diagnostics import Diagnostic, Severity

from . import schema
from .lint import lint, lint_entity_selector, lint_tags, lint_template
from .rules import CUSTOM_WINDOW_MS, MAX_SUPPRESSION_MS, duration_ms

TEMPLATES = ("name_expression", "summary_expression", "description_expression")


def _expressions(cse: dict) -> Iterator[tuple[tuple, str]]:
    for key in ("expression", "value_expression"):
        if key in cse:
            yield ("cse", key), cse[key]
    for index, stage in enumerate(cse.get("expressions", [])):
        yield ("cse", "expressions", index, "expression"), stage["expression"]


def _located(detection: Detection, path: tuple, found: list[Diagnostic], *, inside_text: bool = True) -> list[Diagnostic]:
    doc = detection.document
    out = []
    for diagnostic in found:
        if inside_text and diagnostic.span is not None:
            span = doc.text_span(path, diagnostic.span)
        else:
            span = doc.span_of(path)
        out.append(diagnostic.at(detection.path, span))
    return out


def _windows(detection: Detection, cse: dict) -> list[Diagnostic]:
    found = []
    low, high = CUSTOM_WINDOW_MS
    if "window" in cse and not low <= duration_ms(cse["window"]) <= high:
        found.append(("window", Diagnostic(
            "CSE301", f"window {cse['window']!r} is outside what Cloud SIEM accepts",
            hint="windows run from 1m to 5d (5m, 10m, 30m, 1h, 12h, 24h, 5d or a custom value)")))
    if "suppression_window" in cse and duration_ms(cse["suppression_window"]) > MAX_SUPPRESSION_MS:
        found.append(("suppression_window", Diagnostic(
            "CSE302", f"suppression_window {cse['suppression_window']!r} exceeds 7d",
            hint="Cloud SIEM suppresses for at most 7 days")))
    return [d.at(detection.path, detection.document.span_of(("cse", key))) for key, d in found]


def lint_rule(detection: Detection) -> list[Diagnostic]:
    """Diagnostics for the detection's `cse` block, located in its file; [] when it has none."""
    cse = detection.cse
    if not cse:
        return []
    known = set(schema.FIELDS)
    aggregate_names = {a["name"] for a in cse.get("aggregations", [])}
    found: list[Diagnostic] = []
    for path, text in _expressions(cse):
        found += _located(detection, path, lint(text))
    if "trigger" in cse:
        found += _located(detection, ("cse", "trigger"), lint(cse["trigger"], fields=known | aggregate_names))
    for key in TEMPLATES:
        if key in cse:
            found += _located(detection, ("cse", key), lint_template(cse[key], fields=known | aggregate_names))
    for index, selector in enumerate(cse.get("entity_selectors", [])):
        path = ("cse", "entity_selectors", index, "expression")
        found += _located(detection, path, lint_entity_selector(selector["entity_type"], selector["expression"]))
    if not cse.get("entity_selectors"):
        found.append(Diagnostic("CSE141", "the rule has no entity selectors, so Cloud SIEM cannot attach its signals "
                                "to an entity", Severity.WARNING, detection.document.span_of(("cse", "type")),
                                "add e.g. {entity_type: _hostname, expression: device_hostname}", detection.path))
    for index, aggregation in enumerate(cse.get("aggregations", [])):
        for position, argument in enumerate(aggregation.get("arguments", [])):
            path = ("cse", "aggregations", index, "arguments", position)
            found += _located(detection, path, lint(argument))
    if "aggregation" in cse:
        for position, argument in enumerate(cse["aggregation"].get("arguments", [])):
            found += _located(detection, ("cse", "aggregation", "arguments", position), lint(argument))
    for name in ("group_by", "value_fields"):
        for position, field in enumerate(cse.get(name, [])):
            found += _located(detection, ("cse", name, position), lint(field))
    found += _located(detection, ("cse", "tags"), lint_tags(cse.get("tags", [])), inside_text=False)
    found += _windows(detection, cse)
    return found
