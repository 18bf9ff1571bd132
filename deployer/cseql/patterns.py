"""LIKE and MATCHES "glob" patterns of the Cloud SIEM expression language, compiled to Python `re`.

Owns the wildcard-to-regex rules; it does not handle Java regexes (deployer.javaregex) or evaluate records.
"""

from __future__ import annotations

import re
from functools import lru_cache


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
