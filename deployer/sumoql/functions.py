"""Scalar functions and value coercions of the Sumo log-search language, for the evaluator.

Owns the function table (name -> Python callable over evaluated arguments) and Sumo's implicit
string/number conversions; it does not walk the AST (evaluate.py does).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import math
import re
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime

_NUMERIC = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


def to_number(value: object) -> float | int | None:
    """Sumo's implicit cast: numbers pass, numeric strings convert, anything else is null."""
    if value.__class__ is int or value.__class__ is float:  # the common case first (once per row)
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMERIC.fullmatch(value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    return None


def to_text(value: object) -> str | None:
    if value.__class__ is str:
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def truthy(value: object) -> bool:
    if value.__class__ is bool:
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value) if value is not None else False


def _text_fn(fn: Callable[[str], object]) -> Callable[..., object]:
    def call(value, *rest):
        text = to_text(value)
        return None if text is None else fn(text, *rest)
    return call


def _num_fn(fn: Callable[..., float]) -> Callable[..., object]:
    def call(*args):
        numbers = [to_number(arg) for arg in args]
        if any(n is None for n in numbers):
            return None
        try:
            return fn(*numbers)
        except (ValueError, ZeroDivisionError, OverflowError):
            return None
    return call


def substring(text, start, end=None):
    text, start = to_text(text), to_number(start)
    if text is None or start is None:
        return None
    end = len(text) if end is None else int(to_number(end) or 0)
    return text[int(start):end]


def concat(*values):
    return "".join(to_text(v) or "" for v in values)


def replace(source, target, replacement):
    text = to_text(source)
    if text is None:
        return None
    replacement = to_text(replacement) or ""
    if isinstance(target, re.Pattern):
        python = re.sub(r"\$\{(\w+)\}|\$(\d+)", lambda m: f"\\g<{m.group(1) or m.group(2)}>", replacement)
        return target.sub(python.replace("\\\\$", "$"), text)
    return text.replace(to_text(target) or "", replacement)


def java_format(pattern, *values):
    python = re.sub(r"%(\d+\$)?([-#+ 0,(]*\d*(?:\.\d+)?)([sdfxXeEbc%n])", _format_spec, to_text(pattern) or "")
    converted = tuple(to_number(v) if isinstance(v, str) and to_number(v) is not None else v for v in values)
    try:
        return python % converted
    except (TypeError, ValueError):
        return None


def _format_spec(match: re.Match) -> str:
    flags, kind = match.group(2).replace(",", ""), match.group(3)
    return {"n": "\n", "%": "%%", "b": "%" + flags + "s"}.get(kind, "%" + flags + kind)


_JAVA_DATE = [("yyyy", "%Y"), ("yy", "%y"), ("MMM", "%b"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"),
              ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("SSS", "%f"), ("a", "%p"), ("EEE", "%a"),
              ("Z", "%z"), ("z", "%Z")]


def format_date(millis, pattern="MM/dd/yyyy HH:mm:ss", zone=None):
    number = to_number(millis)
    if number is None:
        return None
    python = re.sub("|".join(java for java, _ in _JAVA_DATE), lambda m: dict(_JAVA_DATE)[m.group()],
                    to_text(pattern) or "")
    moment = datetime.fromtimestamp(number / 1000, tz=UTC)
    return moment.strftime(python).replace(moment.strftime("%f"), moment.strftime("%f")[:3])


def _ip(text):
    try:
        return ipaddress.ip_address(to_text(text).strip())
    except (ValueError, AttributeError):
        return None


def _ip_test(test: Callable[[ipaddress._BaseAddress], bool]) -> Callable[[object], bool]:
    def call(value):
        address = _ip(value)
        return address is not None and test(address)
    return call


def base64_decode(value, charset="UTF-8"):
    text = to_text(value)
    if text is None:
        return None
    try:
        return base64.b64decode(text, validate=True).decode(to_text(charset).lower().replace("utf-16le", "utf_16_le"))
    except (ValueError, UnicodeDecodeError, LookupError):
        return text


def _json_array(value):
    try:
        parsed = json.loads(to_text(value) or "")
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


def is_null(value):
    return value is None


def is_empty(value):
    return value is None or to_text(value) == ""


def is_blank(value):
    return value is None or not (to_text(value) or "").strip()


FUNCTIONS: dict[str, Callable[..., object]] = {
    "tolowercase": _text_fn(str.lower),
    "touppercase": _text_fn(str.upper),
    "length": lambda v: len(to_text(v) or ""),
    "trim": _text_fn(str.strip),
    "substring": substring,
    "concat": concat,
    "replace": replace,
    "format": java_format,
    "urldecode": _text_fn(urllib.parse.unquote_plus),
    "urlencode": _text_fn(lambda t: urllib.parse.quote_plus(t)),
    "base64decode": base64_decode,
    "base64encode": _text_fn(lambda t: base64.b64encode(t.encode()).decode()),
    "num": lambda v: None if to_number(v) is None else float(to_number(v)),
    "number": lambda v: None if to_number(v) is None else float(to_number(v)),
    "todouble": lambda v: None if to_number(v) is None else float(to_number(v)),
    "tolong": lambda v: None if to_number(v) is None else int(to_number(v)),
    "toint": lambda v: None if to_number(v) is None else int(to_number(v)),
    "tostring": to_text,
    "now": lambda: int(time.time() * 1000),
    "formatdate": format_date,
    "isnull": is_null,
    "isempty": is_empty,
    "isblank": is_blank,
    "isnumeric": lambda v: to_number(v) is not None,
    "isvalidip": _ip_test(lambda ip: True),
    "isprivateip": _ip_test(lambda ip: ip.is_private and not ip.is_loopback),
    "ispublicip": _ip_test(lambda ip: ip.is_global),
    "isreservedip": _ip_test(lambda ip: ip.is_reserved or ip.is_loopback or ip.is_link_local),
    "ipv4tonumber": lambda v: int(_ip(v)) if _ip(v) is not None and _ip(v).version == 4 else None,
    "hextodec": _text_fn(lambda t: int(t, 16) if re.fullmatch(r"(0x)?[0-9a-fA-F]+", t) else None),
    "dectohex": _num_fn(lambda n: format(int(n), "x")),
    "contains": lambda a, b: None if a is None or b is None else to_text(b) in to_text(a),
    "jsonarraysize": lambda v: None if _json_array(v) is None else len(_json_array(v)),
    "jsonarraycontains": lambda v, x: None if _json_array(v) is None else to_text(x) in map(to_text, _json_array(v)),
    "round": _num_fn(lambda n, digits=0: round(n, int(digits)) if digits else math.floor(n + 0.5)),
    "floor": _num_fn(math.floor),
    "ceil": _num_fn(math.ceil),
    "abs": _num_fn(abs),
    "pow": _num_fn(math.pow),
    "sqrt": _num_fn(math.sqrt),
    "log": _num_fn(math.log),
    "log10": _num_fn(math.log10),
    "exp": _num_fn(math.exp),
    "min": _num_fn(min),
    "max": _num_fn(max),
    "tourl": lambda url, text=None: to_text(text if text is not None else url),
}
