"""The Cloud SIEM normalized record schema as shipped data: field types and entity fields.

Owns lookups over data/normalized_fields.json (built by scripts/build_cse_field_list.py); it does not lint.
"""

from __future__ import annotations

import json
from importlib import resources

_DATA = json.loads(resources.files(__package__).joinpath("data/normalized_fields.json").read_text("utf-8"))

FIELDS: dict[str, str] = dict(_DATA["fields"])
"""Normalized field name -> schema type (`string`, `int`, `long`, `array[string]`, `map[string]string`, ...)."""

ENTITY_FIELDS: dict[str, str] = dict(_DATA["entity_fields"])
"""Normalized field name -> the entity type it carries (`srcDevice_ip` -> `_ip`)."""

DEPRECATED: frozenset[str] = frozenset(_DATA["deprecated"])

ENTITY_TYPES: frozenset[str] = frozenset(ENTITY_FIELDS.values())
"""The built-in entity types; any other name (without the leading underscore) is a custom entity type."""

RAW_FIELDS_MAP = "fields"
"""The map of unmapped vendor fields; `fields['x']` and `fields.x` are never checked against the schema."""

_KINDS = {
    "string": "string",
    "int": "number",
    "long": "number",
    "float": "number",
    "double": "number",
    "boolean": "boolean",
}


def field_type(name: str) -> str | None:
    """The schema type of a normalized field, or None when the field is not in the schema."""
    return FIELDS.get(name)


def kind_of(schema_type: str | None) -> str | None:
    """Coarse value kind of a schema type: string, number, boolean, array, map, struct; None if unknown."""
    if schema_type is None:
        return None
    if schema_type in _KINDS:
        return _KINDS[schema_type]
    if schema_type.startswith("array["):
        return "array"
    if schema_type.startswith("map["):
        return "map"
    return "struct"


def entity_type_of(name: str) -> str | None:
    """The entity type a normalized field carries (`user_username` -> `_username`), else None."""
    return ENTITY_FIELDS.get(name)


def is_custom_entity_type(entity_type: str) -> bool:
    return entity_type not in ENTITY_TYPES


def is_entity_field(name: str, entity_type: str) -> bool:
    """Whether an entity selector of `entity_type` may name `name`.

    Built-in types (`_ip`, `_hostname`, ...) need a normalized field of exactly that entity type.
    Custom entity types accept any normalized field and any `fields['x']` / `fields.x` reference.
    """
    if is_custom_entity_type(entity_type):
        return name in FIELDS or name.startswith((f"{RAW_FIELDS_MAP}[", f"{RAW_FIELDS_MAP}."))
    return ENTITY_FIELDS.get(name) == entity_type
