"""Java-flavoured regular expressions (as Sumo's parse regex takes them) translated to Python `re`.

Owns translation, group inspection and compilation with positions; it does not report diagnostics
(lint.py turns findings into Diagnostics) and it does not run matches (evaluate.py does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# Java escapes Python spells differently (outside character classes).
_ESCAPES = {
    "z": r"\Z", "Z": r"(?=\n?\Z)", "h": r"[ \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]",
    "H": r"[^ \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]", "e": r"\x1b",
    "R": r"(?:\r\n|[\n\x0b\f\r\x85\u2028\u2029])", "v": r"[\n\x0b\f\r\x85\u2028\u2029]",
}
_CLASS_ESCAPES = {"h": r" \t\xa0", "e": r"\x1b", "v": r"\n\x0b\f\r\x85\u2028\u2029"}
# \p{...} names with a Python equivalent (POSIX and java.lang.Character classes).
_PROPERTIES = {
    "lower": "a-z", "upper": "A-Z", "alpha": "A-Za-z", "digit": "0-9", "alnum": "A-Za-z0-9",
    "punct": r"!-/:-@\[-`{-~", "space": r" \t\n\x0b\f\r", "xdigit": "0-9a-fA-F", "cntrl": r"\x00-\x1f\x7f",
    "ascii": r"\x00-\x7f", "blank": r" \t", "graph": r"!-~", "print": r" -~", "javalowercase": "a-z",
    "javauppercase": "A-Z", "javawhitespace": r" \t\n\x0b\f\r", "l": r"^\W\d_", "isalphabetic": r"^\W\d_",
    "isletter": r"^\W\d_", "isdigit": r"\d", "nd": r"\d",
}
_UNSUPPORTED = {"G": r"\G (end of previous match)", "X": r"\X (grapheme cluster)"}
_FLAGS_KEPT = set("imsx")


@dataclass(frozen=True, slots=True)
class Group:
    """A parenthesised group: `kind` is named, python-named, capturing, non-capturing or lookaround."""

    kind: str
    name: str | None
    start: int
    inside_named: str | None


@dataclass(slots=True)
class Translation:
    python: str
    problems: list[tuple[int, str]] = field(default_factory=list)  # (index, construct) Python cannot run


class RegexError(ValueError):
    def __init__(self, message: str, index: int | None) -> None:
        super().__init__(message)
        self.index = index


def groups(pattern: str) -> list[Group]:
    """The groups of a pattern in order, skipping escapes and character classes."""
    found: list[Group] = []
    stack: list[Group] = []
    i, n, in_class = 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if c == "\\":
            if pattern.startswith("\\Q", i):
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
            else:
                i += 2
            continue
        if in_class:
            in_class += {"[": 1, "]": -1}.get(c, 0)
        elif c == "[":
            in_class = 1
            i += 1
            i += pattern.startswith("^", i)
            i += pattern.startswith("]", i)
            continue
        elif c == "(":
            named = next((g.name for g in reversed(stack) if g.kind in ("named", "python-named")), None)
            group = _group_at(pattern, i, named)
            found.append(group)
            stack.append(group)
        elif c == ")" and stack:
            stack.pop()
        i += 1
    return found


_NAMED = re.compile(r"\(\?<([A-Za-z_]\w*)>")
_PY_NAMED = re.compile(r"\(\?P<([^>]*)>")


def _group_at(pattern: str, i: int, inside: str | None) -> Group:
    if match := _NAMED.match(pattern, i):
        return Group("named", match.group(1), i, inside)
    if match := _PY_NAMED.match(pattern, i):
        return Group("python-named", match.group(1), i, inside)
    if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
        return Group("lookaround", None, i, inside)
    if pattern.startswith("(?", i):
        return Group("non-capturing", None, i, inside)
    return Group("capturing", None, i, inside)


def translate(java: str) -> Translation:
    """Java regex text -> Python regex text, with the constructs that have no Python equivalent."""
    out: list[str] = []
    result = Translation("")
    closers = [0]  # scoped-flag groups to close when the enclosing group closes
    i, n, in_class = 0, len(java), 0
    while i < n:
        c = java[i]
        if c == "\\":
            i = _translate_escape(java, i, in_class > 0, out, result)
            continue
        if in_class:
            if c == "[":
                result.problems.append((i, "nested character class (Java union/intersection)"))
            elif c == "&" and java.startswith("&&", i):
                result.problems.append((i, "character class intersection '&&'"))
            elif c == "]":
                in_class -= 1
            elif c == "-" and (_after_shorthand(java, i) or java.startswith(("\\w", "\\d", "\\s"), i + 1)):
                c = "\\-"  # Java reads '-' next to a class shorthand as a literal
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = 1
            prefix = "[^]" if java.startswith("[^]", i) else "[]" if java.startswith("[]", i) else ""
            if prefix:
                out.append(prefix[:-1] + "\\]")
                i += len(prefix)
            else:
                out.append(c)
                i += 1
            continue
        if c == "(":
            i = _translate_group(java, i, out, closers)
            continue
        if c == ")":
            out.append(")" * closers.pop() if len(closers) > 1 else "")
            out.append(")")
            if not closers:
                closers.append(0)
            i += 1
            continue
        out.append(c)
        i += 1
    out.append(")" * closers[0])
    result.python = "".join(out)
    return result


def _after_shorthand(java: str, i: int) -> bool:
    return i >= 2 and java[i - 2] == "\\" and java[i - 1] in "wdsWDS" and (i < 3 or java[i - 3] != "\\")


def _translate_group(java: str, i: int, out: list[str], closers: list[int]) -> int:
    if match := _NAMED.match(java, i):
        out.append(f"(?P<{match.group(1)}>")
        closers.append(0)
        return match.end()
    if match := re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([):])").match(java, i):
        on = "".join(f for f in match.group(1) if f in _FLAGS_KEPT)
        off = "".join(f for f in (match.group(2) or "") if f in _FLAGS_KEPT)
        spec = on + (f"-{off}" if off else "")
        if match.group(3) == ":":
            out.append(f"(?{spec}:" if spec else "(?:")
            closers.append(0)
        elif i == 0 and on and not off:
            out.append(f"(?{on})")
        elif spec:  # Java applies inline flags to the rest of the enclosing group
            out.append(f"(?{spec}:")
            closers[-1] += 1
        return match.end()
    out.append("(")
    closers.append(0)
    return i + 1


def _translate_escape(java: str, i: int, in_class: bool, out: list[str], result: Translation) -> int:
    if i + 1 >= len(java):
        result.problems.append((i, "trailing backslash"))
        out.append("\\\\")
        return i + 1
    d = java[i + 1]
    if d == "Q":
        end = java.find("\\E", i + 2)
        literal = java[i + 2: end if end >= 0 else len(java)]
        out.append(re.escape(literal))
        return len(java) if end < 0 else end + 2
    if d in ("p", "P"):
        match = re.compile(r"\\[pP](?:\{\^?(\w+)\}|(\w))").match(java, i)
        key = (match.group(1) or match.group(2)).lower().removeprefix("is") if match else ""
        body = _PROPERTIES.get(key) or _PROPERTIES.get("is" + key)
        if match is None or body is None:
            result.problems.append((i, f"Unicode/POSIX property {java[i:i + 12].split('}')[0]}}}"))
            out.append("." if not in_class else "")
            return match.end() if match else i + 2
        negate = (d == "P") != ("{^" in match.group(0))
        if body.startswith("^"):
            body, negate = body[1:], not negate
        out.append(body if in_class and not negate else f"[{'^' if negate else ''}{body}]")
        return match.end()
    if d == "x" and java.startswith("{", i + 2):
        end = java.find("}", i)
        out.append(f"\\U{int(java[i + 3:end] or '0', 16):08x}" if end > 0 else "\\x")
        return end + 1 if end > 0 else i + 2
    if d == "k" and (match := re.compile(r"\\k<(\w+)>").match(java, i)):
        out.append(f"(?P={match.group(1)})")
        return match.end()
    if d in _UNSUPPORTED:
        result.problems.append((i, _UNSUPPORTED[d]))
    table = _CLASS_ESCAPES if in_class else _ESCAPES
    out.append(table.get(d, java[i:i + 2]))
    return i + 2


@lru_cache(maxsize=1024)
def compile_java(java: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a Java-style regex with Python's engine; RegexError carries the Java-text index."""
    translation = translate(java)
    if translation.problems:
        index, construct = translation.problems[0]
        raise RegexError(f"{construct} is not supported by the offline engine", index)
    try:
        return re.compile(translation.python, flags)
    except re.error as error:
        raise RegexError(error.msg, _java_index(java, translation.python, error.pos)) from None


def _java_index(java: str, python: str, pos: int | None) -> int | None:
    """Best-effort mapping of a position in the translated text back to the Java text."""
    if pos is None:
        return None
    return min(pos, len(java) - 1) if java else None
