"""Tokens of the Sumo log-search language and a table-driven, mode-aware tokenizer.

Owns lexical rules (strings, numbers with suffixes, comments, `{{param}}`, URLs, regex literals);
it does not decide what a token means in context (the parser asks for a mode per position).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum

from deployer.diagnostics import Span


class TokenType(Enum):
    PIPE = "|"
    LPAREN = "("
    RPAREN = ")"
    LBRACKET = "["
    RBRACKET = "]"
    COMMA = ","
    EQ = "="
    EQEQ = "=="
    NEQ = "!="
    LTGT = "<>"
    LTE = "<="
    GTE = ">="
    LT = "<"
    GT = ">"
    ANDAND = "&&"
    OROR = "||"
    BANG = "!"
    PLUS = "+"
    MINUS = "-"
    STAR = "*"
    SLASH = "/"
    PERCENT = "%"
    QUESTION = "?"
    COLON = ":"
    DOT = "."
    STRING = "string"
    CHAR = "char"
    REGEX = "regex"
    NUMBER = "number"
    IDENT = "ident"
    ESCAPED_FIELD = "escaped field"
    PARAM = "parameter"
    URL = "url"
    WORD = "word"
    SUBQUERY = "[subquery"
    EOF = "end of query"
    ERROR = "error"


class Mode(Enum):
    """SCOPE lexes the keyword expression before the first pipe; EXPR lexes operators."""

    SCOPE = "scope"
    EXPR = "expr"


@dataclass(frozen=True, slots=True)
class Token:
    type: TokenType
    text: str
    offset: int

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


_SKIP = r"(?:\s+|//[^\n]*+|/\*.*?\*/)*+"
_STRING = r'"(?:\\.|[^"\\])*"'
_PARAM = r"\{\{[^{}\n]*\}\}"
_NAME_CHAR = r"(?:[\w$@#]|" + _PARAM + ")"
# A field name; `{{param}}` may form part of it (`{{Unit}}_predicted`).
IDENT_PATTERN = (r"(?:[A-Za-z0-9_$@#]|" + _PARAM + ")" + _NAME_CHAR + r"*(?:\." + _NAME_CHAR + r"+)*"
                 r"(?:\[\d+\](?:\." + _NAME_CHAR + r"+)*)*")
_NUMBER_SUFFIX = r"(?:Ki|Mi|Gi|Ti|Pi|ns|us|ms|[KkMGBTPsmhdw])"

# Order matters: the first alternative that matches at a position wins.
_EXPR_RULES: tuple[tuple[TokenType, str], ...] = (
    (TokenType.STRING, _STRING),
    (TokenType.ERROR, r'"'),
    (TokenType.CHAR, r"'[^\n]'"),
    (TokenType.PARAM, _PARAM + r"(?![\w{])"),
    (TokenType.SUBQUERY, r"\[(?=\s*subquery\b)"),
    (TokenType.URL, r'[A-Za-z][A-Za-z0-9+.-]*://(?:"(?:\\.|[^"\\])*"|[^\s|,()]+)'),
    (TokenType.ESCAPED_FIELD, r'%\s*"(?:\\.|[^"\\])*"|%[A-Za-z_][\w.]*(?:\[\d+\][\w.]*)*'),
    (TokenType.NUMBER, r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?" + _NUMBER_SUFFIX + r"?(?![\w.])"),
    (TokenType.IDENT, IDENT_PATTERN),
    (TokenType.EQEQ, r"=="),
    (TokenType.NEQ, r"!="),
    (TokenType.LTGT, r"<>"),
    (TokenType.LTE, r"<="),
    (TokenType.GTE, r">="),
    (TokenType.ANDAND, r"&&"),
    (TokenType.OROR, r"\|\|"),
    (TokenType.ERROR, r"/\*"),
    *((t, re.escape(t.value)) for t in (
        TokenType.PIPE, TokenType.LPAREN, TokenType.RPAREN, TokenType.LBRACKET, TokenType.RBRACKET,
        TokenType.COMMA, TokenType.EQ, TokenType.LT, TokenType.GT, TokenType.BANG, TokenType.PLUS,
        TokenType.MINUS, TokenType.STAR, TokenType.SLASH, TokenType.PERCENT, TokenType.QUESTION,
        TokenType.COLON, TokenType.DOT,
    )),
)

_SCOPE_RULES: tuple[tuple[TokenType, str], ...] = (
    (TokenType.STRING, _STRING),
    (TokenType.ERROR, r'"'),
    (TokenType.SUBQUERY, r"\[(?=\s*subquery\b)"),
    (TokenType.ESCAPED_FIELD, r'%"(?:\\.|[^"\\])*"'),
    (TokenType.NEQ, r"!="),
    (TokenType.ERROR, r"/\*"),
    *((t, re.escape(t.value)) for t in (
        TokenType.PIPE, TokenType.LPAREN, TokenType.RPAREN, TokenType.EQ, TokenType.BANG,
    )),
    (TokenType.WORD, r"(?:" + _PARAM + r'|[^\s()"|=!])+'),
)


def _master(rules: tuple[tuple[TokenType, str], ...]) -> tuple[re.Pattern[str], dict[str, TokenType]]:
    names = {f"t{i}": token_type for i, (token_type, _) in enumerate(rules)}
    body = "|".join(f"(?P<t{i}>{pattern})" for i, (_, pattern) in enumerate(rules))
    return re.compile(_SKIP + f"(?:{body})", re.S), names


_MASTERS = {Mode.EXPR: _master(_EXPR_RULES), Mode.SCOPE: _master(_SCOPE_RULES)}
_SKIP_RE = re.compile(_SKIP, re.S)
_REGEX_LITERAL = re.compile(r"/(?:\\.|[^/\\\n])*/")


class Tokenizer:
    """Scans one query text; tokens are produced on demand at an offset, in a mode."""

    __slots__ = ("text", "_line_starts", "_cache")

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._cache: dict[int, Token] = {}

    def scan(self, offset: int, mode: Mode) -> Token:
        """The next token at or after `offset` (whitespace and comments skipped)."""
        key = offset if mode is Mode.EXPR else ~offset
        token = self._cache.get(key)
        if token is None:
            token = self._scan(offset, mode)
            self._cache[key] = token
        return token

    def _scan(self, offset: int, mode: Mode) -> Token:
        pattern, names = _MASTERS[mode]
        match = pattern.match(self.text, offset)
        if match is None:
            start = _SKIP_RE.match(self.text, offset).end()
            if start >= len(self.text):
                return Token(TokenType.EOF, "", len(self.text))
            return Token(TokenType.ERROR, self.text[start], start)
        group = match.lastgroup
        return Token(names[group], match.group(group), match.start(group))

    def regex_literal(self, offset: int) -> Token | None:
        """A `/.../` literal starting exactly at `offset`, or None if unterminated."""
        match = _REGEX_LITERAL.match(self.text, offset)
        return Token(TokenType.REGEX, match.group(), offset) if match else None

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset."""
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        return Span(line, column, start, max(0, end - start))


def tokenize(text: str, mode: Mode = Mode.EXPR) -> list[Token]:
    """All tokens of `text` in one mode (for tools and tests; the parser scans lazily)."""
    tokenizer = Tokenizer(text)
    tokens, offset = [], 0
    while True:
        token = tokenizer.scan(offset, mode)
        tokens.append(token)
        if token.type in (TokenType.EOF, TokenType.ERROR):
            return tokens
        offset = token.end
