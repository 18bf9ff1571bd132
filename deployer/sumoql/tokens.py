"""Tokens of the Sumo log-search language and a table-driven, mode-aware tokenizer.

Owns lexical rules (strings, numbers with suffixes, comments, `{{param}}`, URLs, regex literals);
it does not decide what a token means in context (the parser asks for a mode per position).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple

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

    # Identity hash: token types are looked up in dicts and sets once per token.
    __hash__ = object.__hash__


class Mode(Enum):
    """SCOPE lexes the keyword expression before the first pipe; EXPR lexes operators."""

    SCOPE = "scope"
    EXPR = "expr"


class Token(NamedTuple):
    """One token; `word` is the lowercased text of IDENT/WORD tokens (keywords are case-insensitive)."""

    type: TokenType
    text: str
    offset: int
    end: int
    word: str | None = None


_SKIP = r"(?:\s+|//[^\n]*+|/\*.*?\*/)*+"
_STRING = r'"(?:\\.|[^"\\])*"'
_PARAM = r"\{\{[^{}\n]*\}\}"
_NAME_CHAR = r"(?:[\w$@#]|" + _PARAM + ")"
_NAME_TAIL = _NAME_CHAR + r"*(?:\." + _NAME_CHAR + r"+)*(?:\[\d+\](?:\." + _NAME_CHAR + r"+)*)*"
# A field name; `{{param}}` may form part of it (`{{Unit}}_predicted`).
IDENT_PATTERN = r"(?:[A-Za-z0-9_$@#]|" + _PARAM + ")" + _NAME_TAIL
_NUMBER_SUFFIX = r"(?:Ki|Mi|Gi|Ti|Pi|ns|us|ms|[KkMGBTPsmhdw])"

# Order matters: the first alternative that matches at a position wins. The first six are the most
# frequent tokens, guarded so that they match only where the full list below gives the same token
# (a name starting with a letter is a URL if `://` follows; `||` and `==` are operators of their own).
_EXPR_RULES: tuple[tuple[TokenType, str], ...] = (
    (TokenType.IDENT, r"(?![A-Za-z][A-Za-z0-9+.-]*://)[A-Za-z_]" + _NAME_TAIL),
    (TokenType.COMMA, ","),
    (TokenType.LPAREN, r"\("),
    (TokenType.RPAREN, r"\)"),
    (TokenType.PIPE, r"\|(?!\|)"),
    (TokenType.EQ, r"=(?!=)"),
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


def _master(rules: tuple[tuple[TokenType, str], ...]) -> tuple[re.Pattern[str], tuple[TokenType | None, ...]]:
    """One alternation of all rules; a match's `lastindex` (one group per rule) indexes the types."""
    body = "|".join(f"({pattern})" for _, pattern in rules)
    return re.compile(_SKIP + f"(?:{body})", re.S), (None, *(token_type for token_type, _ in rules))


_MASTERS = {Mode.EXPR: _master(_EXPR_RULES), Mode.SCOPE: _master(_SCOPE_RULES)}
_SKIP_RE = re.compile(_SKIP, re.S)
_REGEX_LITERAL = re.compile(r"/(?:\\.|[^/\\\n])*/")
_IDENT, _WORD, _PIPE = TokenType.IDENT, TokenType.WORD, TokenType.PIPE
_new_token = tuple.__new__


class Tokenizer:
    """Scans one query text; tokens are produced on demand at an offset, in a mode, and cached.

    A cache miss tokenizes ahead with one `finditer` (EXPR mode until it meets a cached token,
    SCOPE mode up to the next pipe), so the parser mostly reads tokens from the cache. Spans are
    `LazySpan`s: line and column are computed only when read.
    """

    __slots__ = ("text", "_cache")

    def __init__(self, text: str) -> None:
        self.text = text
        self._cache: dict[int, Token] = {}

    def scan(self, offset: int, mode: Mode) -> Token:
        """The next token at or after `offset` (whitespace and comments skipped)."""
        key = offset if mode is Mode.EXPR else ~offset
        token = self._cache.get(key)
        if token is None:
            self._fill(offset, mode)
            token = self._cache.get(key) or self._last(offset, key)
        return token

    def _fill(self, offset: int, mode: Mode) -> None:
        """Cache the tokens from `offset` on, until one is already cached (SCOPE mode: up to a pipe).

        A token found after a character no rule matches is still the token at its own offset."""
        cache, text = self._cache, self.text
        pattern, types = _MASTERS[mode]
        scope = mode is Mode.SCOPE
        for match in pattern.finditer(text, offset):
            key = ~match.start() if scope else match.start()
            if key in cache:
                return
            group = match.lastindex
            token_type = types[group]
            start = match.start(group)
            end = match.end()
            token_text = text[start:end]
            word = token_text.lower() if token_type is _IDENT or token_type is _WORD else None
            cache[key] = _new_token(Token, (token_type, token_text, start, end, word))
            if scope and token_type is _PIPE:
                return

    def _last(self, offset: int, key: int) -> Token:
        """The end of the text, or a character no rule matches, at `offset`."""
        text = self.text
        start = _SKIP_RE.match(text, offset).end()
        if start >= len(text):
            token = Token(TokenType.EOF, "", len(text), len(text))
        else:
            token = Token(TokenType.ERROR, text[start], start, start + 1)
        self._cache[key] = token
        return token

    def regex_literal(self, offset: int) -> Token | None:
        """A `/.../` literal starting exactly at `offset`, or None if unterminated."""
        match = _REGEX_LITERAL.match(self.text, offset)
        return Token(TokenType.REGEX, match.group(), offset, match.end()) if match else None

    def span(self, start: int, end: int) -> Span:
        return LazySpan(None, None, start, end - start if end > start else 0, self.text)


_set_slot, _get_slot = object.__setattr__, object.__getattribute__


class LazySpan(Span):
    """A Span whose line and column are computed from its offset when first read (most never are).

    Equal to, and hashed like, the Span with the same four values."""

    __slots__ = ("_text",)

    def __init__(self, line: int | None, column: int | None, offset: int = 0, length: int = 0,
                 text: str | None = None) -> None:
        if text is None:  # all four values given, e.g. by dataclasses.replace
            _set_slot(self, "line", line)
            _set_slot(self, "column", column)
        _set_slot(self, "_text", text)
        _set_slot(self, "offset", offset)
        _set_slot(self, "length", length)

    def __getattr__(self, name: str) -> int:
        """Called only for the unset `line` and `column` slots: 1-based, from the query text."""
        if name not in ("line", "column"):
            raise AttributeError(name)
        text, offset = self._text, self.offset
        _set_slot(self, "line", text.count("\n", 0, offset) + 1)
        _set_slot(self, "column", offset - text.rfind("\n", 0, offset))
        return _get_slot(self, name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return (self.line, self.column, self.offset, self.length) == (other.line, other.column, other.offset,
                                                                      other.length)

    __hash__ = Span.__hash__

