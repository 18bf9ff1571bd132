"""Literal prefilter: the strings a query's scope and leading `where` stages require in an event.

Owns deriving those required literals from the AST and testing an event's text for them (a sound,
cheap pre-check); it does not decide matches: evaluate.py runs the full pipeline on what it keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from re import _constants as sre_constants
from re import _parser as sre_parser

from deployer.javaregex import RegexError, compile_java
from deployer.sumoql import ast as a


@dataclass(frozen=True, slots=True)
class Literal:
    """`text` (lower case, ASCII) occurs in field `field` of the event, ignoring ASCII case."""

    field: str
    text: str


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Requirement, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Requirement, ...]


Requirement = Literal | AllOf | AnyOf
NOTHING = AllOf(())  # no requirement: every event may survive


def all_of(parts) -> Requirement:
    flat: list[Requirement] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, AllOf) else (part,))
    return flat[0] if len(flat) == 1 else AllOf(tuple(dict.fromkeys(flat)))


def any_of(parts) -> Requirement:
    flat: list[Requirement] = []
    for part in parts:
        if part == NOTHING:
            return NOTHING
        flat.extend(part.parts if isinstance(part, AnyOf) else (part,))
    if not flat:
        return NOTHING
    return flat[0] if len(flat) == 1 else AnyOf(tuple(dict.fromkeys(flat)))


def _literals(field: str, pieces) -> Requirement:
    """Each piece must occur; pieces with non-ASCII letters are left out (case folding differs)."""
    return all_of(Literal(field, piece.lower()) for piece in pieces if piece and piece.isascii())


# --- derivation ------------------------------------------------------------------------------------

def scope_requirement(node: a.Node) -> Requirement:
    """What the scope (see evaluate.compile_scope) needs; negations and subqueries need nothing."""
    if isinstance(node, a.Keyword):
        if node.quoted:
            return _literals("_raw", re.split(r"\s+|\*", node.text.replace('\\"', '"')))
        return _literals("_raw", re.split(r"[*?]", node.text))
    if isinstance(node, a.FieldMatch):
        return _literals(node.field, node.value.text.split("*")) if node.op == "=" else NOTHING
    if isinstance(node, a.ScopeBool):
        parts = [scope_requirement(o) for o in node.operands]
        return all_of(parts) if node.op == "and" else any_of(parts)
    return NOTHING


def condition_requirement(node: a.Expr, written: set[str]) -> Requirement:
    """What a `where` condition needs: `matches` on a field no earlier stage wrote, under and/or."""
    if isinstance(node, a.Logical):
        parts = [condition_requirement(o, written) for o in node.operands]
        return all_of(parts) if node.op == "and" else any_of(parts)
    if (isinstance(node, a.Binary) and node.op == "matches" and isinstance(node.left, a.Field)
            and node.left.name.lower() not in written):
        if isinstance(node.right, a.String):
            return _literals(node.left.name, node.right.value.split("*"))
        if isinstance(node.right, a.Regex):
            try:
                regex = compile_java(node.right.pattern)
            except RegexError:
                return NOTHING
            return _regex_requirement(node.left.name, sre_parser.parse(regex.pattern, regex.flags))
    return NOTHING


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _regex_requirement(field: str, items) -> Requirement:
    """Runs of literal characters a match must contain; groups, alternatives and repeats recurse.

    `items` come from Python's own regex parser (`re._parser`), which reads the translated pattern."""
    parts: list[Requirement] = []
    run: list[str] = []
    for op, arg in items:
        if op is sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        parts.append(_literals(field, ["".join(run)]))
        run = []
        if op is sre_constants.SUBPATTERN:
            parts.append(_regex_requirement(field, arg[-1]))
        elif op is sre_constants.ATOMIC_GROUP:
            parts.append(_regex_requirement(field, arg))
        elif op in _REPEATS and arg[0] >= 1:
            parts.append(_regex_requirement(field, arg[2]))
        elif op is sre_constants.BRANCH:
            parts.append(any_of(_regex_requirement(field, branch) for branch in arg[1]))
    parts.append(_literals(field, ["".join(run)]))
    return all_of(parts)


def _names_written(stage: a.Node) -> set[str] | None:
    """Lower-cased fields a row stage may write, or None where the walk must stop."""
    if isinstance(stage, a.Where):
        return set()
    if isinstance(stage, a.Assign):
        names = {stage.alias} if stage.alias else {n.name for n in a.walk(stage.expr) if isinstance(n, a.Field)}
    elif isinstance(stage, a.ParseAnchor):
        names = {n for p in stage.patterns for n in p.names}
    elif isinstance(stage, a.ParseRegex):
        try:
            names = set(compile_java(stage.pattern.value).groupindex)
        except RegexError:
            return None
    elif isinstance(stage, a.Json) and not stage.auto:
        names = set(stage.names)
    elif isinstance(stage, a.KeyValue) and stage.keys and not stage.auto:
        names = set(stage.names)
    elif isinstance(stage, a.Split):
        names = {e.name for e in stage.extractions}
    elif isinstance(stage, a.Timeslice):
        names = {stage.alias or "_timeslice", "__timeslice_end"}
    else:
        return None
    return {name.lower() for name in names}


def query_requirement(query: a.Query) -> Requirement:
    """The scope's requirement and that of every `where` before the first stage that could change rows
    in ways the walk does not track (aggregations, lookups, `fields`, generic operators)."""
    parts = [scope_requirement(query.scope)] if query.scope is not None else []
    written: set[str] = set()
    for stage in query.stages:
        names = _names_written(stage)
        if names is None:
            break
        if isinstance(stage, a.Where):
            parts.append(condition_requirement(stage.condition, written))
        written |= names
    return all_of(parts) if parts else NOTHING


# --- checking --------------------------------------------------------------------------------------

Texts = dict[str, str | None]


def _check(requirement: Requirement) -> Callable[[Texts], bool]:
    if isinstance(requirement, Literal):
        field, text = requirement.field, requirement.text
        return lambda texts: (value := texts[field]) is not None and text in value
    parts = requirement.parts
    if isinstance(requirement, AnyOf) and all(isinstance(p, Literal) and p.field == parts[0].field for p in parts):
        field, search = parts[0].field, re.compile("|".join(re.escape(p.text) for p in parts)).search
        return lambda texts: (value := texts[field]) is not None and search(value) is not None
    checks = [_check(part) for part in parts]
    wanted = isinstance(requirement, AnyOf)  # the part result that decides the whole

    def combine(texts: Texts) -> bool:
        for check in checks:
            if check(texts) is wanted:
                return wanted
        return not wanted
    return combine


def fields_of(requirement: Requirement) -> list[str]:
    if isinstance(requirement, Literal):
        return [requirement.field]
    return list(dict.fromkeys(name for part in requirement.parts for name in fields_of(part)))


def compile_prefilter(requirement: Requirement,
                      read: Callable[[dict, str], str | None]) -> Callable[[dict], bool] | None:
    """A test that is false only for events that cannot survive; None when nothing is required.

    `read(event, field)` returns the field's text as the pipeline sees it. Texts with non-ASCII
    characters are kept (Python's case-insensitive regex folds some of them onto ASCII letters).
    """
    if requirement == NOTHING:
        return None
    names = fields_of(requirement)
    check = _check(requirement)

    def keeps(event: dict) -> bool:
        texts: Texts = {}
        for name in names:
            text = read(event, name)
            if text is not None:
                if not text.isascii():
                    return True
                text = text.lower()
            texts[name] = text
        return check(texts)
    return keeps
