"""A converted Sigma rule as this project's detection content: metadata, MITRE, `cse:` block, fixtures.

Owns the content dict, the positive / negative fixtures from a regression event and their verdicts,
and the YAML text; it does not read or write files (the CLI does) or define the expression (convert.py).
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Any

import yaml

from deployer import cseql

from . import condition as cond
from .convert import to_cse_expression
from .errors import SigmaError, SigmaUnsupported
from .events import blanked, normalize_event, present_fields
from .mappings import LEVELS, PROTOTYPE_STATUSES, STATUSES, TACTICS, Source, source_of
from .rule import SigmaRule, parse_sigma

SIGMA_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/SigmaHQ/sigma")
"""uuid5 namespace: a Sigma id always becomes the same detection id."""
POSITIVE = "sigma-regression-event"
TECHNIQUE_TAG = re.compile(r"^attack\.(t\d{4}(?:\.\d{3})?)$")
TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")


@dataclass(frozen=True, slots=True)
class Conversion:
    """One rule's import: the detection content and what its fixtures showed."""

    rule: SigmaRule
    detection: dict
    positive: bool | None
    """The regression event matches (None: no event given)."""
    negative: bool | None
    """The derived negative does not match (None: no honest negative could be derived)."""
    todo: tuple[str, ...]
    notes: tuple[str, ...]


def detection_id(sigma_id: str) -> str:
    return str(uuid.uuid5(SIGMA_NAMESPACE, sigma_id))


def _mitre(rule: SigmaRule) -> dict:
    tactics: dict[str, str] = {}
    techniques: list[dict] = []
    for tag in rule.tags:
        short = tag.removeprefix("attack.")
        if tag.startswith("attack.") and short in TACTICS:
            tactics.setdefault(*TACTICS[short])
        elif found := TECHNIQUE_TAG.match(tag):
            technique = found.group(1).upper()
            techniques.append({"id": technique, "name": technique})
    if not tactics:
        raise SigmaError("no ATT&CK tactic tag (`attack.<tactic>`, e.g. attack.execution)", rule.path,
                         "detections need at least one MITRE tactic; add the tactic tag to the Sigma rule")
    mitre: dict[str, Any] = {"tactics": [{"id": i, "name": n} for i, n in tactics.items()]}
    if techniques:
        mitre["techniques"] = list({t["id"]: t for t in techniques}.values())
    return mitre


def _tags(rule: SigmaRule) -> list[str]:
    other = [TAG_UNSAFE.sub("-", t) for t in rule.tags
             if not (t.removeprefix("attack.") in TACTICS or TECHNIQUE_TAG.match(t))]
    return list(dict.fromkeys(["sigma", *other]))


def _positive_fields(rule: SigmaRule) -> list[list[str]]:
    """Field names of the selections the condition requires (under an even number of `not`), in order."""
    found: list[list[str]] = []

    def walk(node: cond.Condition, positive: bool) -> None:
        if isinstance(node, cond.Ref):
            if positive:
                selection = rule.selection(node.name)
                found.append(list(dict.fromkeys(m.field for g in selection.alternatives for m in g)))
        elif isinstance(node, cond.Not):
            walk(node.item, not positive)
        else:
            for item in node.items:
                walk(item, positive)

    walk(rule.condition, True)
    return found


def _negative_candidates(rule: SigmaRule, present: set[str]) -> list[tuple[str, ...]]:
    """Mutations to try, smallest first: one field, then one selection's fields, then all of them."""
    groups = [[f for f in fields if f in present] for fields in _positive_fields(rule)]
    singles = [(f,) for f in dict.fromkeys(f for g in groups for f in g)]
    whole = [tuple(g) for g in groups if len(g) > 1]
    everything = tuple(dict.fromkeys(f for g in groups for f in g))
    return list(dict.fromkeys([*singles, *whole, everything])) if everything else []


def _fixture(name: str, description: str, record: dict, match: bool) -> dict:
    return {"name": name, "description": description, "target": "cse", "events": [record], "expect": {"match": match}}


def _tests(rule: SigmaRule, source: Source, expression: str, event: dict) -> list[dict]:
    parsed = cseql.parse(expression)
    record = normalize_event(event, source, rule.path)
    tests = [_fixture(POSITIVE, f"Sigma regression event for rule {rule.id}, normalized", record, True)]
    if not cseql.matches(parsed, record):
        return tests
    for names in _negative_candidates(rule, present_fields(event, source, rule.path)):
        mutated = normalize_event(blanked(event, source, names, rule.path), source, rule.path)
        if not cseql.matches(parsed, mutated):
            tests.append(_fixture("regression-event-without-" + "-".join(names),
                                  f"The regression event with {', '.join(names)} blanked: the rule must not fire",
                                  mutated, False))
            break
    return tests


def to_detection(rule: SigmaRule, *, event: dict | None = None) -> dict:
    """The detection content for `rule` (a `cse:` match rule); fixtures from `event` when given."""
    if rule.status not in STATUSES:
        raise SigmaUnsupported(f"status `{rule.status}`", rule.path, "known: " + ", ".join(STATUSES))
    if rule.level not in LEVELS:
        raise SigmaError(f"unknown level `{rule.level}`", rule.path, "known: " + ", ".join(LEVELS))
    expression = to_cse_expression(rule)
    source = source_of(rule.logsource)[0]
    created = rule.date or rule.modified or datetime.date.today().isoformat()
    cse: dict[str, Any] = {
        "type": "match",
        "expression": expression,
        "entity_selectors": [{"entity_type": t, "expression": f} for t, f in source.entities],
        "name_expression": rule.title,
    }
    if source.summary:
        cse["summary_expression"] = source.summary
    cse["description_expression"] = rule.description
    if rule.status in PROTOTYPE_STATUSES:
        cse["prototype"] = True
    detection: dict[str, Any] = {
        "id": detection_id(rule.id),
        "name": rule.title.replace("/", "-"),
        "version": 1,
        "status": STATUSES[rule.status],
        "author": rule.author,
        "created": created,
        "updated": rule.modified or created,
        "description": f"{rule.description}\n\nImported from Sigma rule {rule.id} ({rule.path.rsplit('/', 1)[-1]}).",
        "severity": rule.level,
        "confidence": "medium",
        "tags": _tags(rule),
        "mitre": _mitre(rule),
        "data_sources": [f"Sigma log source {rule.logsource.describe()}"],
    }
    if rule.false_positives:
        detection["false_positives"] = list(rule.false_positives)
    references = [r for r in rule.references if re.match(r"^https?://\S+$", r)]
    if references:
        detection["references"] = references
    detection["cse"] = cse
    detection["tests"] = _tests(rule, source, expression, event) if event is not None else []
    return detection


def fixture_verdicts(detection: dict) -> tuple[bool | None, bool | None]:
    """(the positive fixture matches, the negative fixture does not match); None where there is none."""
    parsed = cseql.parse(detection["cse"]["expression"])
    outcome: dict[bool, bool | None] = {True: None, False: None}
    for test in detection["tests"]:
        wanted = test["expect"]["match"]
        outcome[wanted] = all(cseql.matches(parsed, r) == wanted for r in test["events"])
    return outcome[True], outcome[False]


def convert(text: str, *, path: str = "<rule>", event: dict | None = None) -> Conversion:
    """Parse, convert and check one Sigma rule; SigmaError / SigmaUnsupported when it cannot be imported."""
    rule = parse_sigma(text, path)
    detection = to_detection(rule, event=event)
    positive, negative = fixture_verdicts(detection)
    todo, notes = [], []
    if event is None:
        todo.append("no regression event given (--event): add a positive and a negative `target: cse` fixture")
    elif positive is False:
        todo.append("the regression event does not match the converted rule: check the field mapping and the "
                    "log-source scope, then write a negative fixture")
    elif negative is None:
        todo.append("no field of the positive selections could be blanked to stop the match: write a negative fixture")
    if not source_of(rule.logsource)[1]:
        notes.append(f"no field table for log source {rule.logsource.describe()}: every field is read raw (fields['...'])")
    if rule.title != detection["name"]:
        notes.append("`/` in the title became `-` (detection names cannot hold `/`)")
    return Conversion(rule, detection, positive, negative, tuple(todo), tuple(notes))


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _string)


def dump_detection(detection: dict, *, schema_ref: str, origin: str) -> str:
    """The detection as a YAML file: the schema line, where it came from, then the content."""
    header = f"# yaml-language-server: $schema={schema_ref}\n# Imported by `sumo-content sigma import` from {origin}\n"
    return header + yaml.dump(detection, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
