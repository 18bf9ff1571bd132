"""Sigma `condition` expressions: tokens, a precedence parser and the resulting tree.

Owns `and` / `or` / `not` / parentheses / `1 of X*` / `all of them`, resolved against the rule's
selection names; it does not know what a selection matches (convert.py does).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import SigmaError, SigmaUnsupported


@dataclass(frozen=True, slots=True)
class Ref:
    name: str


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Condition, ...]


Condition = Ref | Not | And | Or


def _joined(node: type[And] | type[Or], items: list[Condition] | tuple[Condition, ...]) -> Condition:
    """`node` over the items, or the item itself when there is one."""
    return items[0] if len(items) == 1 else node(tuple(items))

_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<pipe>\|)|(?P<word>[^\s()|]+))")
_QUANTIFIERS = {"1": Or, "any": Or, "all": And}


def _tokens(text: str, path: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            raise SigmaError(f"cannot read condition {text!r} at column {position + 1}", path)
        if found.group("pipe"):
            raise SigmaUnsupported("aggregation in condition (`| count() ...`)", path,
                                   "use a Cloud SIEM threshold rule, or a Sigma correlation rule")
        tokens.append(found.group("paren") or found.group("word"))
        position = found.end()
    return tokens


class _Parser:
    """or_expr := and_expr ('or' and_expr)*; and_expr := not_expr ('and' not_expr)*;
    not_expr := 'not' not_expr | '(' or_expr ')' | QUANT 'of' PATTERN | NAME."""

    def __init__(self, text: str, names: tuple[str, ...], path: str):
        self.text, self.names, self.path = text, names, path
        self.tokens = _tokens(text, path)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position].lower() if self.position < len(self.tokens) else None

    def take(self) -> str:
        if self.position >= len(self.tokens):
            raise SigmaError(f"condition {self.text!r} ends too early", self.path)
        self.position += 1
        return self.tokens[self.position - 1]

    def parse(self) -> Condition:
        tree = self.or_expr()
        if self.position != len(self.tokens):
            raise SigmaError(f"unexpected {self.tokens[self.position]!r} in condition {self.text!r}", self.path)
        return tree

    def chain(self, word: str, node: type[And] | type[Or], operand: Callable[[], Condition]) -> Condition:
        items = [operand()]
        while self.peek() == word:
            self.take()
            items.append(operand())
        return _joined(node, items)

    def or_expr(self) -> Condition:
        return self.chain("or", Or, self.and_expr)

    def and_expr(self) -> Condition:
        return self.chain("and", And, self.not_expr)

    def not_expr(self) -> Condition:
        word = self.peek()
        if word == "not":
            self.take()
            return Not(self.not_expr())
        if word == "(":
            self.take()
            inner = self.or_expr()
            if self.take() != ")":
                raise SigmaError(f"missing `)` in condition {self.text!r}", self.path)
            return inner
        token = self.take()
        if self.peek() == "of":
            self.take()
            return self.quantified(token.lower(), self.take())
        if token in (")", "and", "or"):
            raise SigmaError(f"unexpected {token!r} in condition {self.text!r}", self.path)
        if token not in self.names:
            raise SigmaError(f"condition names `{token}`, which is not a selection of this rule", self.path,
                             "selections: " + ", ".join(self.names))
        return Ref(token)

    def quantified(self, quantifier: str, pattern: str) -> Condition:
        if quantifier not in _QUANTIFIERS:
            raise SigmaUnsupported(f"`{quantifier} of` (only `1 of` and `all of` are supported)", self.path)
        if pattern == "them":
            chosen = [n for n in self.names if not n.startswith("_")]
        else:
            chosen = [n for n in self.names if fnmatch.fnmatchcase(n, pattern)]
        if not chosen:
            raise SigmaError(f"`{quantifier} of {pattern}` matches no selection", self.path,
                             "selections: " + ", ".join(self.names))
        return _joined(_QUANTIFIERS[quantifier], [Ref(n) for n in chosen])


def parse_condition(text: str | list, names: tuple[str, ...], path: str = "<rule>") -> Condition:
    """The condition tree; a list of conditions (old Sigma) is their `or`."""
    if isinstance(text, list):
        return _joined(Or, [parse_condition(item, names, path) for item in text])
    if not isinstance(text, str) or not text.strip():
        raise SigmaError("`detection.condition` must be a non-empty string", path)
    return _Parser(text, names, path).parse()
