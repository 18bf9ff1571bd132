"""JSON Schema validation of content and environment documents, reported as located diagnostics.

Owns the shipped schemas and the translation of jsonschema errors into messages a person reads;
it does not check anything the schema cannot express (see checks.py).
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources

import jsonschema
from referencing import Registry, Resource

from deployer.content.yamlpos import Document
from deployer.diagnostics import Diagnostic

SCHEMA_FILES = ("detection.schema.json", "cse.schema.json", "environment.schema.json")

# Hints for values that must match a pattern, keyed by the last key on the path.
_PATTERN_HINTS = {
    "id": "detection ids are lower-case UUIDs, e.g. 0b9f1c3e-5d2a-4c1e-9f8e-2a7b6c5d4e3f "
    "(python -c 'import uuid; print(uuid.uuid4())')",
    "created": "dates are written YYYY-MM-DD",
    "updated": "dates are written YYYY-MM-DD",
    "references": "references are http(s) URLs",
    "cron": "Sumo expects a Quartz cron expression with 6 or 7 fields, e.g. '0 0/15 * * * ? *'",
    "name": "names are one line, without '/'",
    "events_file": "fixture event files end in .jsonl (one JSON event per line) or .log (one raw line per event)",
}
_MITRE_HINTS = {
    "tactics": "ATT&CK tactic ids look like TA0011",
    "techniques": "ATT&CK technique ids look like T1090 or, for a sub-technique, T1090.001",
}


def schema_text(name: str) -> str:
    return resources.files("deployer.content").joinpath("schemas").joinpath(name).read_text(encoding="utf-8")


@cache
def _registry() -> Registry:
    resources_ = [(name, Resource.from_contents(json.loads(schema_text(name)))) for name in SCHEMA_FILES]
    registry = Registry().with_resources(resources_)
    return registry.with_resources((res.contents["$id"], res) for _, res in resources_)


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_text(name))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=_registry(), format_checker=cls.FORMAT_CHECKER)


def validate_document(doc: Document, schema_name: str) -> list[Diagnostic]:
    """Every schema problem in `doc`, one diagnostic each, at the offending key or value."""
    if not isinstance(doc.data, dict):
        return [Diagnostic("CNT100", "the file must contain a YAML mapping (key: value pairs) at the top level",
                           span=doc.span_of(()), path=doc.path)]
    found: list[Diagnostic] = []
    errors = sorted(validator(schema_name).iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        found.extend(_diagnostics_for(error, doc))
    unique = {(d.span.line, d.span.column, d.message): d for d in found}
    return sorted(unique.values(), key=lambda d: (d.span.line, d.span.column))


def _where(path) -> str:
    parts = []
    for part in path:
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts) or "the document"


def _diagnostics_for(error: jsonschema.ValidationError, doc: Document) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    where = _where(path)
    kind = error.validator

    def at(code: str, message: str, hint: str | None = None, *, key_path=path, key=False) -> Diagnostic:
        return Diagnostic(code, message, span=doc.span_of(key_path, key=key), hint=hint, path=doc.path)

    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        out = []
        for key in extra:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else "allowed keys here: " + ", ".join(allowed)
            out.append(at("CNT101", f"unknown key `{key}`" + (f" in `{where}`" if path else ""), hint,
                          key_path=(*path, key), key=True))
        return out
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        if _misspelled(missing, error):
            return []  # the unknown-key diagnostic already says "did you mean `missing`?"
        return [at("CNT102", f"missing required key `{missing}`" + (f" in `{where}`" if path else ""),
                   f"add `{missing}:` to {'`' + where + '`' if path else 'the top level'}")]
    if kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        article = "an" if str(expected)[0] in "aeiou" else "a"
        actual = type(error.instance).__name__.replace("str", "string").replace("NoneType", "empty value")
        return [at("CNT103", f"`{where}` must be {article} {expected}, not {actual} {error.instance!r}",
                   _type_hint(expected, error.instance))]
    if kind in ("enum", "const"):
        options = error.validator_value if kind == "enum" else [error.validator_value]
        close = difflib.get_close_matches(str(error.instance), [str(o) for o in options], n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else "one of: " + ", ".join(map(str, options))
        return [at("CNT104", f"`{where}` must be one of {', '.join(map(str, options))}; got {error.instance!r}", hint)]
    if kind == "pattern":
        container = next((p for p in path if p in _MITRE_HINTS), None) if "mitre" in path else None
        hint = _MITRE_HINTS.get(container) if container else _PATTERN_HINTS.get(name, error.schema.get("description"))
        what = "ATT&CK id" if container else "value"
        return [at("CNT105", f"`{where}`: {error.instance!r} is not a valid {what}", hint)]
    if kind in ("minItems", "minLength", "maxLength", "minimum", "maximum", "uniqueItems", "exclusiveMinimum"):
        return [at("CNT106", f"`{where}`: {error.message}")]
    if kind == "anyOf" and not path:
        return [at("CNT107", "a detection needs a `search` block, a `cse` block, or both",
                   "add `search:` with a `query`, or `cse:` with a rule")]
    if kind == "oneOf" and "tests" in path:
        has_both = isinstance(error.instance, dict) and "events" in error.instance and "events_file" in error.instance
        return [at("CNT108", f"fixture `{where}` needs exactly one of `events` or `events_file`"
                   + (" (it has both)" if has_both else ""), "inline the events, or point `events_file` at a file")]
    if kind == "oneOf" and not path and "credentials" in error.schema.get("properties", {}):
        return [at("CNT109", "an environment needs exactly one of `deployment` or `endpoint`",
                   "`deployment: us2` for a Sumo region, `endpoint: emulator` for the built-in emulator")]
    if error.context:
        # For oneOf/anyOf, report the sub-error that got furthest.
        best = jsonschema.exceptions.best_match(error.context)
        return _diagnostics_for(best, doc)
    return [at("CNT199", f"`{where}`: {error.message}")]


def _misspelled(missing: str, error: jsonschema.ValidationError) -> bool:
    """True when the object has an unknown key that looks like the missing one (a typo)."""
    if not isinstance(error.instance, dict):
        return False
    allowed = set(error.schema.get("properties", {}))
    unknown = [str(k) for k in error.instance if k not in allowed]
    return bool(difflib.get_close_matches(missing, unknown, n=1, cutoff=0.6))


def _type_hint(expected: str, value: object) -> str | None:
    if not isinstance(value, str):
        return None
    if expected in ("integer", "number"):
        try:
            float(value)
        except ValueError:
            return f"write a number, e.g. `{'1' if expected == 'integer' else '1.5'}`"
        return "remove the quotes: a quoted number is a string"
    if expected == "boolean":
        return "remove the quotes" if value.lower() in ("true", "false") else "write true or false"
    return None
