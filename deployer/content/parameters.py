"""`{{name}}` query parameters: finding them and substituting an environment's values.

Owns the parameter syntax; only declared names are replaced, so Sumo's own templates
(`{{SearchName}}`, `{{TriggerType}}`) pass through untouched.
"""

from __future__ import annotations

import re

PARAMETER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def parameter_names(text: str) -> set[str]:
    """Every `{{name}}` written in `text`."""
    return {match.group(1) for match in PARAMETER.finditer(text)}


def substitute(text: str, values: dict[str, object]) -> str:
    """`text` with each `{{name}}` whose name is in `values` replaced by its value."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return PARAMETER.sub(replace, text)
