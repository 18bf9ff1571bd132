"""Sigma detection logic -> one Cloud SIEM expression (PART C token table, with the divergences in docs/sigma.md).

Owns modifiers, value escaping, anchoring and precedence; it does not build detection content
(detection.py) and checks its output only through deployer.cseql (parse + lint).
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable
from typing import Any

from deployer import cseql
from deployer.cseql import schema

from . import condition as cond
from .errors import SigmaUnsupported
from .mappings import Source, channel_of, raw_key, source_of
from .rule import MATCHERS, FieldMatch, Selection, SigmaRule

# A rendered sub-expression and how loosely it binds: OR 0, AND 1, atom 2.
Part = tuple[str, int]

REGEX_SPECIAL = set("\\.^$*+?()[]{}|/")
CONTROL = {"\n": r"\n", "\r": r"\r", "\t": r"\t"}
WINDASH_CLASS = r"[-\/\u2013\u2014\u2015]"
"""`-`, `/`, en dash, em dash, horizontal bar (pySigma's windash set), escaped: the tokenizer takes ASCII only."""
_WINDASH_AT = re.compile(r"\B[-/]\b")
ENCODINGS = {"wide": "utf-16-le", "utf16le": "utf-16-le", "utf16be": "utf-16-be", "utf16": "utf-16"}
COMPARISONS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
RE_FLAGS = {"i": "i", "ignorecase": "i", "m": "m", "multiline": "m", "s": "s", "dotall": "s"}
# How each match kind wraps the value's pattern. Anchored on purpose: `matches /re/` searches
# (docs/evaluator-semantics.md), so pySigma's unanchored startswith/endswith would act as contains.
ANCHORS: dict[str, Callable[[str], str]] = {
    "eq": lambda p: f"^{p}$",
    "contains": lambda p: p,
    "startswith": lambda p: f"^{p}",
    "endswith": lambda p: f"{p}$",
}
NUMERIC = ("number",)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _escape(char: str) -> str:
    if not char.isascii():
        return f"\\u{ord(char):04x}"
    return CONTROL.get(char) or ("\\" + char if char in REGEX_SPECIAL else char)


def _literal_regex(text: str) -> str:
    return "".join(_escape(c) for c in text)


def _wildcard_regex(text: str, windash: bool) -> str:
    """A Sigma string as a regex: `*` any run, `?` one character, `\\` escapes those three (pySigma rules)."""
    dashes = {m.start() for m in _WINDASH_AT.finditer(text)} if windash else set()
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "*?\\":
            out.append(_escape(text[index + 1]))
            index += 2
            continue
        out.append(WINDASH_CLASS if index in dashes else ".*" if char == "*" else "." if char == "?" else _escape(char))
        index += 1
    return "".join(out)


def _base64_variants(data: bytes, offsets: bool) -> list[str]:
    if not offsets:
        return [base64.b64encode(data).decode()]
    # pySigma's base64offset: the value at the three byte alignments, trimmed to the stable characters.
    starts, ends = (0, 2, 3), (None, -3, -2)
    return [base64.b64encode(i * b" " + data)[starts[i]:ends[(len(data) + i) % 3]].decode() for i in range(3)]


class _Converter:
    def __init__(self, rule: SigmaRule):
        self.rule = rule
        self.source: Source = source_of(rule.logsource)[0]

    def unsupported(self, construct: str, hint: str = "") -> SigmaUnsupported:
        return SigmaUnsupported(construct, self.rule.path, hint)

    def reference(self, field: str) -> tuple[str, str | None]:
        """The expression text for a Sigma field and its value kind (None for raw `fields[...]`)."""
        mapped = self.source.fields.get(field)
        if mapped is not None:
            return mapped, schema.kind_of(schema.field_type(mapped))
        key = raw_key(field, self.source)
        if "'" in key:
            raise self.unsupported(f"field name with a quote `{field}`")
        return f"fields['{key}']", None

    def expression(self) -> str:
        body = self.condition(self.rule.condition)
        if self.source.event_ids:
            body = _and([_event_ids(self.source.event_ids), body])
        return body[0]

    def condition(self, node: cond.Condition) -> Part:
        if isinstance(node, cond.Ref):
            return self.selection(self.rule.selection(node.name))
        if isinstance(node, cond.Not):
            return f"!({self.condition(node.item)[0]})", 2
        parts = [self.condition(item) for item in node.items]
        return _and(parts) if isinstance(node, cond.And) else _or(parts)

    def selection(self, selection: Selection) -> Part:
        return _or([_and([self.field_match(m) for m in group]) for group in selection.alternatives])

    def field_match(self, match: FieldMatch) -> Part:
        if match.field == "EventID" and self.source.windows:
            return self.event_id(match)
        ref, kind = self.reference(match.field)
        modifiers = match.modifiers
        matcher = next((m for m in modifiers if m in MATCHERS), "eq")
        every = "all" in modifiers
        if matcher == "exists":
            return (f"!isEmpty({ref})", 2) if _truthy(match.values) else (f"isEmpty({ref})", 2)
        parts: list[Part] = [(f"isEmpty({ref})", 2) for v in match.values if v is None]
        values = [v for v in match.values if v is not None]
        if matcher in COMPARISONS:
            parts += [self.compare(ref, kind, matcher, v) for v in values]
        elif matcher == "cidr":
            parts += [self.cidr(ref, v) for v in values]
        elif matcher == "re":
            flags = "".join(sorted({RE_FLAGS[m] for m in modifiers if m in RE_FLAGS}))
            parts += [(f"{ref} matches /{_flags(flags)}{_slashes(str(v))}/", 2) for v in values]
        elif values:
            parts += self.strings(ref, kind, matcher, modifiers, values, every)
        if not parts:
            raise self.unsupported(f"`{match.field}` without values")
        return _and(parts) if every else _or(parts)

    def event_id(self, match: FieldMatch) -> Part:
        if match.modifiers or not all(isinstance(v, int | str) and str(v).isdigit() for v in match.values):
            raise self.unsupported("EventID with modifiers or non-numeric values")
        channel = channel_of(self.rule.logsource.service, self.source)
        return _event_ids([f"{channel}-{v}" for v in match.values])

    def compare(self, ref: str, kind: str | None, matcher: str, value: Any) -> Part:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.unsupported(f"|{matcher} with a non-numeric value {value!r}")
        left = ref if kind in NUMERIC else f"int({ref})"
        return f"{left} {COMPARISONS[matcher]} {value}", 2

    def cidr(self, ref: str, value: Any) -> Part:
        try:
            network = ipaddress.ip_network(str(value), strict=False)
        except ValueError:
            raise self.unsupported(f"|cidr with {value!r}, which is not a network") from None
        if network.version != 4:
            raise self.unsupported(f"|cidr with the IPv6 network {value}", "compareCIDRPrefix takes IPv4 only")
        return f'compareCIDRPrefix({ref}, "{network.network_address}", "{network.prefixlen}")', 2

    def strings(self, ref: str, kind: str | None, matcher: str, modifiers: tuple[str, ...], values: list,
                every: bool) -> list[Part]:
        if matcher == "eq" and not set(modifiers) - {"all"} and values and all(_is_number(v) for v in values):
            # Numbers compare exactly (no case to fold); quoted when the field holds strings, as pySigma does.
            items = [str(v) if kind in NUMERIC else _quote(str(v)) for v in values]
            if every:
                return [_equals_any(ref, [item]) for item in items]
            return [_equals_any(ref, items)]
        per_value = [self.patterns(v, modifiers, matcher) for v in values]
        # Sigma strings match case-insensitively; base64 text is case-sensitive by nature.
        flags = "" if {"cased", "base64", "base64offset"} & set(modifiers) else "(?i)"
        wrap = ANCHORS[matcher]
        if every:
            groups = per_value
        else:
            groups = [[p for patterns in per_value for p in patterns]]
        parts = []
        for patterns in groups:
            body = patterns[0] if len(patterns) == 1 else "(?:" + "|".join(patterns) + ")"
            parts.append((f"{ref} matches /{flags}{wrap(body)}/", 2))
        return parts

    def patterns(self, value: Any, modifiers: tuple[str, ...], matcher: str) -> list[str]:
        """The regex alternatives one Sigma value stands for, after its value modifiers (in order)."""
        text = str(value).lower() if isinstance(value, bool) else str(value)
        encoding, encoded = None, None
        for modifier in modifiers:
            if modifier in ENCODINGS:
                encoding = ENCODINGS[modifier]
            elif modifier in ("base64", "base64offset"):
                if "*" in text or "?" in text:
                    raise self.unsupported(f"|{modifier} on a value with wildcards ({text!r})")
                if modifier == "base64offset" and matcher != "contains":
                    raise self.unsupported("|base64offset without |contains")
                encoded = _base64_variants(text.encode(encoding or "utf-8"), modifier == "base64offset")
        if encoding and encoded is None:
            raise self.unsupported(f"|{next(m for m in modifiers if m in ENCODINGS)} without |base64 or |base64offset")
        if encoded is not None:
            return [_literal_regex(e) for e in encoded]
        return [_wildcard_regex(text, "windash" in modifiers)]


def _truthy(values: tuple) -> bool:
    return bool(values) and values[0] is not False and str(values[0]).lower() != "false"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _flags(flags: str) -> str:
    return f"(?{flags})" if flags else ""


def _slashes(regex: str) -> str:
    """Escape `/` for the `/re/` literal, leaving already escaped slashes alone."""
    return re.sub(r"(?<!\\)((?:\\\\)*)/", r"\1\\/", regex)


def _equals_any(ref: str, items: list[str]) -> Part:
    """`ref = a`, or `ref in (a, b)` for several literals."""
    return (f"{ref} = {items[0]}", 2) if len(items) == 1 else (f"{ref} in ({', '.join(items)})", 2)


def _event_ids(ids: list[str] | tuple[str, ...]) -> Part:
    return _equals_any("metadata_deviceEventId", [_quote(i) for i in ids])


def _and(parts: list[Part]) -> Part:
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({text})" if level == 0 else text for text, level in parts), 1


def _or(parts: list[Part]) -> Part:
    if len(parts) == 1:
        return parts[0]
    return " OR ".join(f"({text})" if level == 1 else text for text, level in parts), 0


def to_cse_expression(rule: SigmaRule) -> str:
    """The rule's detection as one Cloud SIEM expression; SigmaUnsupported when it cannot be expressed.

    Every result parses with deployer.cseql.parse and lints without errors (checked here).
    """
    text = _Converter(rule).expression()
    errors = [d for d in cseql.lint(text) if d.is_error]
    if errors:
        raise SigmaUnsupported(f"a value the Cloud SIEM expression cannot hold ({errors[0].code}: {errors[0].message})",
                               rule.path, "a Sigma `re` value may use syntax Java regexes lack")
    return text
