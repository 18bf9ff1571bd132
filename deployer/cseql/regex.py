"""Pattern compilation for RLIKE (Java regex), MATCHES /re/, MATCHES "glob" and LIKE, to Python `re`.

Owns the translation of Java-only regex syntax and the pattern-to-regex rules; it does not evaluate records.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

# Java escapes Python's `re` lacks, as equivalent Python regex text.
JAVA_ESCAPES: dict[str, str] = {
    "z": r"\Z",
    "Z": r"(?=\n?\Z)",
    "h": r"[ \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]",
    "H": r"[^ \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]",
    "R": r"(?:\r\n|[\n\x0b\f\r\x85\u2028\u2029])",
    "e": r"\x1b",
}

# Java \p{...} classes in use; Python has no Unicode property escapes.
JAVA_PROPERTIES: dict[str, str] = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": r"!-/:-@\[-`{-~",
    "Space": r" \t\n\x0b\f\r",
    "XDigit": "0-9a-fA-F",
    "ASCII": r"\x00-\x7f",
    "L": r"^\W\d_",
    "N": r"\d",
}

_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)")
_PROPERTY = re.compile(r"\\([pP])\{(\w+)\}")


class PatternError(ValueError):
    """A pattern the regex engine rejects; `str(error)` says why."""


def _translate_properties(pattern: str) -> str:
    def replace(match: re.Match) -> str:
        body = JAVA_PROPERTIES.get(match.group(2))
        if body is None:
            raise PatternError(f"unsupported character property \\{match.group(1)}{{{match.group(2)}}}")
        negate = match.group(1) == "P"
        if body.startswith("^"):  # already a negated set body
            return f"[{body[1:]}]" if negate else f"[{body}]"
        return f"[^{body}]" if negate else f"[{body}]"

    return _PROPERTY.sub(replace, pattern)


_JAVA_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z][A-Za-z0-9]*)>")


def java_to_python(pattern: str) -> str:
    """Rewrite Java-only syntax: \\z \\Z \\h \\R \\e, \\Q..\\E, \\p{..}, and inline flags after the start.

    Java applies a mid-pattern `(?i)` from that point to the end of its group; Python only accepts
    global flags at the start, so `a(?i)b)` becomes `a(?i:b))`.
    """
    pattern = _translate_properties(pattern)
    out: list[str] = []
    closers: list[int] = [0]  # per open group: how many `)` to add when it closes
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                end = len(pattern) if end < 0 else end
                out.append(re.escape(pattern[i + 2 : end]))
                i = end + 2
                continue
            out.append(
                r"\x1b"
                if in_class and nxt == "e"
                else (char + nxt if in_class else JAVA_ESCAPES.get(nxt, char + nxt))
            )
            i += 2
            continue
        if in_class:
            in_class = char != "]" or pattern[i - 1] == "["
        elif char == "[":
            in_class = True
        elif char == "(":
            if pattern.startswith("(?P", i):
                raise PatternError("(?P...) is Python syntax; Java writes a named group (?<name>...)")
            named = _JAVA_NAMED_GROUP.match(pattern, i)
            if named:
                out.append(f"(?P<{named.group(1)}>")
                closers.append(0)
                i = named.end()
                continue
            flags = _FLAGS.match(pattern, i)
            if flags and (i > 0 or flags.group(2)) and (flags.group(1) or flags.group(2)):
                out.append(flags.group()[:-1] + ":")
                closers[-1] += 1
                i = flags.end()
                continue
            closers.append(0)
        elif char == ")" and len(closers) > 1:
            out.append(")" * closers.pop())
        out.append(char)
        i += 1
    out.append(")" * sum(closers))
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_java(pattern: str) -> re.Pattern:
    """Compile a Java regex (RLIKE, MATCHES /re/); raises PatternError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(java_to_python(pattern), re.DOTALL if "(?s" in pattern else 0)
    except (re.error, PatternError, RecursionError, OverflowError) as error:
        raise PatternError(str(error)) from None


@lru_cache(maxsize=4096)
def compile_like(pattern: str, escape: str | None = None) -> re.Pattern:
    """LIKE: `%` any run, `_` one character, whole string, case-sensitive.

    A backslash is an ordinary character unless it is the ESCAPE character (docs/evaluator-semantics.md).
    """
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if escape is not None and char == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append({"%": ".*", "_": "."}.get(char) or re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> re.Pattern:
    """MATCHES "glob": `*` any run, everything else literal, whole string, case-sensitive."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
