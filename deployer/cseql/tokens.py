"""Tokens of the Cloud SIEM expression language and the table-driven Tokenizer.

Owns lexical rules (quotes, /regex/ after MATCHES, /* */ comments, number suffixes); it does not parse.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import Enum, auto

from deployer.diagnostics import Span

from .errors import ExpressionSyntaxError


class TokenType(Enum):
    STRING = auto()
    REGEX = auto()
    NUMBER = auto()
    IDENT = auto()
    LPAREN = auto()
    RPAREN = auto()
    LBRACKET = auto()
    RBRACKET = auto()
    COMMA = auto()
    DOT = auto()
    EQ = auto()
    NEQ = auto()
    LT = auto()
    LE = auto()
    GT = auto()
    GE = auto()
    PLUS = auto()
    MINUS = auto()
    STAR = auto()
    SLASH = auto()
    BANG = auto()
    AND = auto()
    OR = auto()
    NOT = auto()
    IN = auto()
    BETWEEN = auto()
    LIKE = auto()
    RLIKE = auto()
    MATCHES = auto()
    IS = auto()
    NULL = auto()
    TRUE = auto()
    FALSE = auto()
    ESCAPE = auto()
    EOF = auto()


@dataclass(frozen=True, slots=True)
class Token:
    type: TokenType
    text: str
    """The source text of the token (for STRING / REGEX: the processed value, see Tokenizer)."""
    span: Span
    quote: str = ""


# Longest first: `=<` and `=>` are the spellings hasThreatMatch filters use for <= and >=.
OPERATORS: dict[str, TokenType] = {
    "&&": TokenType.AND,
    "||": TokenType.OR,
    "==": TokenType.EQ,
    "!=": TokenType.NEQ,
    "<>": TokenType.NEQ,
    "<=": TokenType.LE,
    "=<": TokenType.LE,
    ">=": TokenType.GE,
    "=>": TokenType.GE,
    "=": TokenType.EQ,
    "<": TokenType.LT,
    ">": TokenType.GT,
    "+": TokenType.PLUS,
    "-": TokenType.MINUS,
    "*": TokenType.STAR,
    "/": TokenType.SLASH,
    "!": TokenType.BANG,
    "(": TokenType.LPAREN,
    ")": TokenType.RPAREN,
    "[": TokenType.LBRACKET,
    "]": TokenType.RBRACKET,
    ",": TokenType.COMMA,
    ".": TokenType.DOT,
}

KEYWORDS: dict[str, TokenType] = {
    "and": TokenType.AND,
    "or": TokenType.OR,
    "not": TokenType.NOT,
    "in": TokenType.IN,
    "between": TokenType.BETWEEN,
    "like": TokenType.LIKE,
    "rlike": TokenType.RLIKE,
    "matches": TokenType.MATCHES,
    "is": TokenType.IS,
    "null": TokenType.NULL,
    "true": TokenType.TRUE,
    "false": TokenType.FALSE,
    "escape": TokenType.ESCAPE,
}

# Core-platform number suffixes: time units become milliseconds, size units multiply.
NUMBER_SUFFIXES: dict[str, int] = {
    "ms": 1,
    "s": 1000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 604_800_000,
    "k": 1000,
    "K": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
}

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([A-Za-z_][A-Za-z0-9_]*)?")
_SPACE = re.compile(r"\s+")
_QUOTES = "'\""


class Tokenizer:
    """Text -> tokens. Strings keep backslashes verbatim except `\\'` and `\\"` (see docs/evaluator-semantics.md)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def span(self, start: int, end: int) -> Span:
        line = bisect.bisect_right(self._line_starts, start)
        return Span(line, start - self._line_starts[line - 1] + 1, start, end - start)

    def error(self, code: str, message: str, start: int, end: int, hint: str | None = None):
        return ExpressionSyntaxError(code, message, self.span(start, max(end, start + 1)), hint)

    def tokenize(self) -> list[Token]:
        tokens: list[Token] = []
        pos, text = 0, self.text
        while True:
            pos = self._skip_space_and_comments(pos)
            if pos >= len(text):
                tokens.append(Token(TokenType.EOF, "", self.span(len(text), len(text))))
                return tokens
            after_matches = bool(tokens) and tokens[-1].type is TokenType.MATCHES
            char = text[pos]
            if char == "/" and after_matches:
                token, pos = self._regex(pos)
            elif char in _QUOTES:
                token, pos = self._string(pos)
            elif char.isdigit():
                token, pos = self._number(pos)
            elif char.isalpha() or char == "_":
                word = _IDENT.match(text, pos).group()
                kind = KEYWORDS.get(word.lower(), TokenType.IDENT)
                token, pos = Token(kind, word, self.span(pos, pos + len(word))), pos + len(word)
            else:
                token, pos = self._operator(pos)
            tokens.append(token)

    def _skip_space_and_comments(self, pos: int) -> int:
        text = self.text
        while pos < len(text):
            space = _SPACE.match(text, pos)
            if space:
                pos = space.end()
            elif text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                if end < 0:
                    raise self.error("CSE103", "unterminated comment", pos, pos + 2, "close it with */")
                pos = end + 2
            elif text.startswith("//", pos):
                raise self.error(
                    "CSE104",
                    "// comments are not supported in Cloud SIEM expressions",
                    pos,
                    pos + 2,
                    "use /* ... */",
                )
            else:
                break
        return pos

    def _scan_quoted(
        self, start: int, close: str, code: str, what: str, lenient: bool = False
    ) -> tuple[str, int]:
        """Body of a quoted token and the position after it; a backslash pairs with the next character.

        `lenient`: a backslash before the closing quote is a literal backslash (the string ends there).
        """
        text, pos, out = self.text, start + 1, []
        while pos < len(text):
            char = text[pos]
            if char == close:
                return "".join(out), pos + 1
            if char == "\\" and pos + 1 < len(text) and not (lenient and text[pos + 1] == close):
                nxt = text[pos + 1]
                out.append(nxt if nxt in _QUOTES and close in _QUOTES else char + nxt)
                pos += 2
                continue
            out.append(char)
            pos += 1
        raise self.error(code, f"unterminated {what}", start, len(text), f"close it with {close}")

    def _string(self, start: int) -> tuple[Token, int]:
        quote = self.text[start]
        try:
            value, end = self._scan_quoted(start, quote, "CSE101", "string")
        except ExpressionSyntaxError:
            # Built-in rules end strings with a backslash (':\Program Files (x86)\'): when reading
            # \' as an escaped quote leaves the string open, read the backslash literally (CSE221).
            value, end = self._scan_quoted(start, quote, "CSE101", "string", lenient=True)
        return Token(TokenType.STRING, value, self.span(start, end), quote), end

    def _regex(self, start: int) -> tuple[Token, int]:
        # The regex body keeps every backslash (`\/` included): the regex engine reads it.
        body, end = self._scan_quoted(start, "/", "CSE102", "regular expression")
        return Token(TokenType.REGEX, body, self.span(start, end), "/"), end

    def _number(self, start: int) -> tuple[Token, int]:
        match = _NUMBER.match(self.text, start)
        suffix = match.group(2)
        if suffix is not None and suffix not in NUMBER_SUFFIXES:
            raise self.error(
                "CSE109",
                f"invalid number {match.group()!r}",
                start,
                match.end(),
                "known suffixes: " + ", ".join(NUMBER_SUFFIXES),
            )
        return Token(TokenType.NUMBER, match.group(), self.span(start, match.end())), match.end()

    def _operator(self, start: int) -> tuple[Token, int]:
        for width in (2, 1):
            text = self.text[start : start + width]
            if text in OPERATORS and len(text) == width:
                return Token(OPERATORS[text], text, self.span(start, start + width)), start + width
        char = self.text[start]
        raise self.error("CSE107", f"unexpected character {char!r}", start, start + 1)


def number_value(text: str) -> int | float:
    """The value of a NUMBER token's text, suffix applied (`5m` -> 300000)."""
    match = _NUMBER.fullmatch(text)
    digits, suffix = match.group(1), match.group(2)
    value: int | float = float(digits) if any(c in digits for c in ".eE") else int(digits)
    if suffix:
        value = value * NUMBER_SUFFIXES[suffix]
    return value


def tokenize(text: str) -> list[Token]:
    return Tokenizer(text).tokenize()
