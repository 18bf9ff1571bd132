"""Java regular expressions, as Sumo log search and Cloud SIEM take them, translated to Python `re`.

Owns translation (with Java-text positions), group listing and compile_java; it does not report
diagnostics (each language's lint does), run matches, or compile LIKE/glob patterns (cseql.patterns).
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

_HORIZONTAL = r" \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_VERTICAL = r"\n\x0b\f\r\x85\u2028\u2029"
# Java escapes Python spells differently or lacks, outside and inside a character class.
_ESCAPES = {
    "z": r"\Z", "Z": r"(?=\n?\Z)", "e": r"\x1b", "R": rf"(?:\r\n|[{_VERTICAL}])",
    "h": f"[{_HORIZONTAL}]", "H": f"[^{_HORIZONTAL}]", "v": f"[{_VERTICAL}]", "V": f"[^{_VERTICAL}]",
}
_CLASS_ESCAPES = {"e": r"\x1b", "h": _HORIZONTAL, "v": _VERTICAL}
_SET_ESCAPES = frozenset("wdsWDShvpP")  # escapes that stand for a set: a '-' beside one is literal in Java
_UNSUPPORTED = {"G": r"\G (end of previous match)", "X": r"\X (grapheme cluster)"}

# \p{Name} classes as Python set bodies; a body starting with ^ stands for the complement of the rest.
# POSIX names are US-ASCII, as in Java without UNICODE_CHARACTER_CLASS; names are case-sensitive.
_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": r"\x00-\x7f", "Alpha": "a-zA-Z", "Digit": "0-9",
    "Alnum": "a-zA-Z0-9", "Punct": r"!-/:-@\[-`{-~", "Graph": "!-~", "Print": " -~", "Blank": r" \t",
    "Cntrl": r"\x00-\x1f\x7f", "XDigit": "0-9a-fA-F", "Space": r" \t\n\x0b\f\r",
}
_CATEGORIES = {"L": r"^\W\d_", "N": r"\d", "Nd": r"\d"}  # \p{L} or \p{IsL}; N is approximated by Nd
_BINARY_PROPERTIES = {"ALPHABETIC": r"^\W\d_", "LETTER": r"^\W\d_", "DIGIT": r"\d"}  # \p{IsName}, any case
_PROPERTY = re.compile(r"\\[pP](?:\{(\w+)\}|([A-Za-z]))")

_JAVA_FLAGS = frozenset("idmsuxU")
_PYTHON_FLAGS = frozenset("imsx")  # d (UNIX_LINES), u (UNICODE_CASE) and U have no Python switch and are dropped
_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([):])")
# Sumo search accepts `_` in group names (half the corpus' parse regex groups use one); plain Java does not.
_NAMED = re.compile(r"\(\?<([A-Za-z_]\w*)>")
_PY_NAMED = re.compile(r"\(\?P<([^>]*)>")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
_HEX = re.compile(r"\\x\{([0-9a-fA-F]{1,6})\}")
_BACKREFERENCE = re.compile(r"\\k<([A-Za-z_]\w*)>")


@dataclass(frozen=True, slots=True)
class Group:
    """A parenthesised group: `kind` is named, python-named, capturing, non-capturing or lookaround."""

    kind: str
    name: str | None
    start: int
    inside_named: str | None


@dataclass(frozen=True, slots=True)
class Translation:
    """Python regex text for a Java pattern; every index here is into the Java text."""

    java: str
    python: str
    problems: tuple[tuple[int, str], ...]  # (index, construct) valid Java that Python's engine cannot run
    errors: tuple[tuple[int, str], ...]  # (index, message) Java rejects though Python would accept it
    groups: tuple[Group, ...]
    _offsets: tuple[int, ...]  # where each translated piece starts in `python` ...
    _origins: tuple[int, ...]  # ... and the Java index it came from

    def java_index(self, python_index: int) -> int:
        """The Java index a position in the translated text comes from."""
        if python_index >= len(self.python) or not self._offsets:
            return len(self.java)
        return self._origins[bisect_right(self._offsets, python_index) - 1]

    def compile(self, flags: int = 0) -> re.Pattern[str]:
        """Compile the Python text as it stands, `errors` and `problems` notwithstanding (compile_java
        checks them first); raises RegexError with the Java index."""
        try:
            with warnings.catch_warnings():  # FutureWarnings on set syntax Java has already given a meaning
                warnings.simplefilter("ignore")
                return re.compile(self.python, flags)
        except re.error as error:
            raise RegexError(error.msg, None if error.pos is None else self.java_index(error.pos)) from None
        except (RecursionError, OverflowError) as error:
            raise RegexError(str(error)) from None


class RegexError(ValueError):
    """A pattern Java rejects or the offline engine cannot run; `index` points into the Java text."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message if index is None else f"{message} at position {index}")
        self.message = message
        self.index = index


def translate(java: str) -> Translation:
    """Java regex text -> Python regex text, with what Python cannot run and what Java rejects."""
    return _Translator(java).run()


def groups(pattern: str) -> list[Group]:
    """The groups of a Java pattern in order (escapes, `\\Q..\\E` and character classes skipped)."""
    return list(translate(pattern).groups)


@lru_cache(maxsize=4096)
def compile_java(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a Java regex with Python's engine; raises RegexError with the Java-text index."""
    translation = translate(pattern)
    for index, message in translation.errors:
        raise RegexError(message, index)
    for index, construct in translation.problems:
        raise RegexError(f"{construct} is not supported by the offline engine", index)
    return translation.compile(flags)


class _Translator:
    """One left-to-right pass over the Java text, emitting Python pieces tagged with their Java index."""

    def __init__(self, java: str) -> None:
        self.java = java
        self.pieces: list[str] = []
        self.origins: list[int] = []
        self.problems: list[tuple[int, str]] = []
        self.errors: list[tuple[int, str]] = []
        self.groups: list[Group] = []
        self.open: list[Group | None] = [None]  # enclosing groups; None is the whole pattern
        self.scoped: list[list[str]] = [[]]  # per open group: inline flags turned into `(?flags:` groups
        self.in_class = 0  # nesting depth of character classes
        self.after_set = False  # the last class item stood for a set (\w, \p{..}), so a '-' after it is literal

    def run(self) -> Translation:
        java, i = self.java, 0
        while i < len(java):
            char = java[i]
            if char == "\\":
                i = self.escape(i)
            elif self.in_class:
                i = self.class_char(i)
            elif char == "[":
                i = self.open_class(i)
            elif char == "(":
                i = self.open_group(i)
            elif char == ")":
                i = self.close_group(i)
            elif char == "|":
                self.emit(self.alternative(), i)
                i += 1
            else:
                self.emit(char, i)
                i += 1
        self.emit(")" * len(self.scoped[0]), len(java))
        offsets, total = [], 0
        for piece in self.pieces:
            offsets.append(total)
            total += len(piece)
        return Translation(java, "".join(self.pieces), tuple(self.problems), tuple(self.errors),
                           tuple(self.groups), tuple(offsets), tuple(self.origins))

    def emit(self, text: str, index: int) -> None:
        if text:
            self.pieces.append(text)
            self.origins.append(index)

    def class_char(self, i: int) -> int:
        java, char = self.java, self.java[i]
        if char == "[":
            self.problems.append((i, "nested character class (Java union/intersection)"))
            self.in_class += 1
        elif java.startswith("&&", i):
            self.problems.append((i, "character class intersection '&&'"))
        elif char == "]":
            self.in_class -= 1
        elif char == "-" and (self.after_set or (java.startswith("\\", i + 1) and java[i + 2:i + 3] in _SET_ESCAPES)):
            char = "\\-"
        self.emit(char, i)
        self.after_set = False
        return i + 1

    def open_class(self, i: int) -> int:
        self.in_class, self.after_set = 1, False
        start = "[^" if self.java.startswith("[^", i) else "["
        if self.java.startswith("]", i + len(start)):  # Java reads a leading ']' as a literal
            self.emit(start + "\\]", i)
            return i + len(start) + 1
        self.emit(start, i)
        return i + len(start)

    def open_group(self, i: int) -> int:
        java = self.java
        inside = next((g.name for g in reversed(self.open) if g and g.kind in ("named", "python-named")), None)
        if match := _NAMED.match(java, i):
            return self.push(Group("named", match.group(1), i, inside), f"(?P<{match.group(1)}>", match.end())
        if java.startswith("(?P", i):
            if match := _PY_NAMED.match(java, i):
                self.errors.append((i, "(?P<name>...) is Python syntax; Java writes a named group (?<name>...)"))
                return self.push(Group("python-named", match.group(1), i, inside), match.group(), match.end())
            self.errors.append((i, "(?P...) is Python syntax, not Java"))
            return self.push(Group("non-capturing", None, i, inside), "(", i + 1)
        if prefix := next((p for p in _LOOKAROUNDS if java.startswith(p, i)), None):
            return self.push(Group("lookaround", None, i, inside), prefix, i + len(prefix))
        if (match := _FLAGS.match(java, i)) and match.group() != "(?)":
            return self.flags(match, inside)
        kind = "non-capturing" if java.startswith("(?", i) else "capturing"
        return self.push(Group(kind, None, i, inside), "(", i + 1)

    def flags(self, match: re.Match[str], inside: str | None) -> int:
        i, on, off = match.start(), match.group(1), match.group(2) or ""
        if unknown := sorted(set(on + off) - _JAVA_FLAGS):
            self.errors.append((i, f"unknown inline flag {unknown[0]!r}"))
        on, off = "".join(f for f in on if f in _PYTHON_FLAGS), "".join(f for f in off if f in _PYTHON_FLAGS)
        spec = on + (f"-{off}" if off else "")
        if match.group(3) == ":":
            return self.push(Group("non-capturing", None, i, inside), f"(?{spec}:", match.end())
        if i == 0 and on and not off:
            self.emit(f"(?{on})", i)
        elif spec:  # Java applies the flags to the rest of the enclosing group; Python only at the start
            self.emit(f"(?{spec}:", i)
            self.scoped[-1].append(spec)
        return match.end()

    def push(self, group: Group, text: str, end: int) -> int:
        self.groups.append(group)
        self.open.append(group)
        self.scoped.append([])
        self.emit(text, group.start)
        return end

    def close_group(self, i: int) -> int:
        if len(self.open) > 1:
            self.open.pop()
            self.emit(")" * len(self.scoped.pop()), i)
        self.emit(")", i)
        return i + 1

    def alternative(self) -> str:
        """The next alternative keeps the inline flags set before it: close their groups, reopen after `|`."""
        scoped = self.scoped[-1]
        return ")" * len(scoped) + "|" + "".join(f"(?{spec}:" for spec in scoped)

    def escape(self, i: int) -> int:
        java = self.java
        if i + 1 >= len(java):
            self.emit("\\", i)  # Python rejects it too, at this position
            return i + 1
        letter = java[i + 1]
        self.after_set = bool(self.in_class) and letter in _SET_ESCAPES
        if letter == "Q":
            end = java.find("\\E", i + 2)
            self.emit(re.escape(java[i + 2:end if end >= 0 else len(java)]), i)
            return len(java) if end < 0 else end + 2
        if letter in "pP":
            return self.property(i)
        if letter == "x" and (match := _HEX.match(java, i)) and int(match.group(1), 16) <= 0x10FFFF:
            self.emit(f"\\U{int(match.group(1), 16):08x}", i)
            return match.end()
        if letter == "k" and (match := _BACKREFERENCE.match(java, i)):
            self.emit(f"(?P={match.group(1)})", i)
            return match.end()
        if letter in _UNSUPPORTED:
            self.problems.append((i, _UNSUPPORTED[letter]))
        elif self.in_class and letter in "HV":
            self.problems.append((i, f"\\{letter} inside a character class"))
        table = _CLASS_ESCAPES if self.in_class else _ESCAPES
        self.emit(table.get(letter, java[i:i + 2]), i)
        return i + 2

    def property(self, i: int) -> int:
        match = _PROPERTY.match(self.java, i)
        if match is None:
            self.emit(self.java[i:i + 2], i)  # Python rejects \p, at this position
            return i + 2
        name = match.group(1) or match.group(2)
        if name.startswith("Is"):
            body = _CATEGORIES.get(name[2:]) or _BINARY_PROPERTIES.get(name[2:].upper())
        else:
            body = _POSIX.get(name) or _CATEGORIES.get(name)
        negate = match.group().startswith("\\P")
        if body and body.startswith("^"):
            body, negate = body[1:], not negate
        if body is None:
            self.problems.append((i, f"Unicode/POSIX property {match.group()}"))
        elif not self.in_class:
            self.emit(f"[{'^' if negate else ''}{body}]", i)
        elif negate:
            self.problems.append((i, f"{match.group()} inside a character class"))
        else:
            self.emit(body, i)
        return match.end()
