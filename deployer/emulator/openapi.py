"""OpenAPI request/response validation for the emulator, from the compact extract in `schemas/`.

Owns loading `schemas/{cse,sumo}.json` (made by scripts/extract_openapi_schemas.py) and turning
jsonschema errors into (field, message) pairs; it does not know HTTP or the emulator's state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jsonschema import Draft202012Validator


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    field: str
    message: str


@cache
def _spec(family: str) -> dict:
    return json.loads(resources.files("deployer.emulator.schemas").joinpath(f"{family}.json").read_text())


@cache
def _validator(family: str, schema_name: str) -> Draft202012Validator:
    defs = _spec(family)["$defs"]
    return Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{schema_name}"})


def operation(family: str, op: str) -> dict:
    """{"request": schema name or None, "responses": {status: schema name}} for "METHOD /path"."""
    return _spec(family)["operations"][op]


def _field(error) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def problems(family: str, schema_name: str, body) -> list[SchemaProblem]:
    """Every violation of `schema_name`, deepest first, naming the offending field path."""
    found = []
    for error in _validator(family, schema_name).iter_errors(body):
        leaves = _leaves(error)
        for leaf in leaves:
            field = _field(leaf)
            if leaf.validator == "required":
                missing = leaf.message.split("'")[1] if "'" in leaf.message else ""
                field = f"{field}.{missing}" if field and missing else (missing or field)
            found.append(SchemaProblem(field or "(body)", leaf.message))
    unique = {(p.field, p.message): p for p in found}
    return sorted(unique.values(), key=lambda p: (-p.field.count("."), p.field))


def _leaves(error) -> list:
    # An if/then or allOf failure wraps the real causes; report those, not the wrapper.
    if error.context:
        out = []
        for sub in error.context:
            out += _leaves(sub)
        return out
    return [error]
