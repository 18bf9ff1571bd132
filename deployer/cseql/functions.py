"""The table of Cloud SIEM expression functions: name, arity, result kind, null rule, implementation.

Owns what each function computes on plain Python values; it does not walk the AST (evaluate.py does).
Adding a function is one entry in FUNCTIONS.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deployer.javaregex import RegexError, compile_java

CALL = object()
"""`on_null` marker: call the implementation even when an argument is null."""


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    min_args: int
    max_args: int | None
    returns: str
    """Result kind for the linter: string, number, boolean, array, any."""
    impl: Callable[..., Any] | None
    """None for special forms the evaluator implements (hasThreatMatch)."""
    on_null: Any = None
    """Result when any argument is null (CALL: let the implementation decide)."""
    args: tuple[str, ...] = ()
    """Expected argument kinds, for type warnings (`any` for no check)."""


# Value coercions shared with the evaluator ------------------------------------------------------


def to_number(value: Any) -> int | float | None:
    """Spark-style implicit cast to a number: numbers pass, numeric strings parse, anything else is null."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return number if math.isfinite(number) else None
    return None


def to_text(value: Any) -> str | None:
    """String form of a value for string functions and LIKE/RLIKE/MATCHES (booleans as true/false)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e16 else repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _int(value: Any) -> int | None:
    number = to_number(value)
    return None if number is None else math.floor(number)


def _float(value: Any) -> float | None:
    number = to_number(value)
    return None if number is None else float(number)


def _substring(text: Any, start: Any, end: Any = None) -> str | None:
    text, begin = to_text(text), _int(start)
    stop = len(text) if end is None else _int(end)
    if begin is None or stop is None:
        return None
    return text[max(begin, 0) : max(stop, 0)]


def _ip(value: Any, version: int | None = None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    return address if version is None or address.version == version else None


def _is_private(value: Any) -> bool:
    address = _ip(value, 4)
    return address is not None and any(address in net for net in PRIVATE_V4)


PRIVATE_V4 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _cidr(ip: Any, bits: Any) -> ipaddress.IPv4Network | None:
    address, prefix = _ip(ip, 4), _int(bits)
    if address is None or prefix is None or not 0 <= prefix <= 32:
        return None
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def _compare_cidr(ip1: Any, ip2: Any, bits: Any) -> bool:
    first, second = _cidr(ip1, bits), _cidr(ip2, bits)
    return first is not None and first == second


def _cidr_prefix(ip: Any, bits: Any) -> str | None:
    network = _cidr(ip, bits)
    return None if network is None else str(network.network_address)


def _mask(bits: Any) -> str | None:
    network = _cidr("0.0.0.0", bits)
    return None if network is None else str(network.netmask)


def _array(value: Any) -> list | None:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def _array_contains(array: Any, item: Any) -> bool:
    values = _array(array) if not isinstance(array, str) else None
    return values is not None and any(v == item or to_text(v) == to_text(item) for v in values)


def _json_array_contains(array: Any, item: Any) -> bool:
    values = _array(array)
    return values is not None and any(to_text(v) == to_text(item) for v in values)


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, list | tuple | dict | str) else None


def _any_header_matches(headers: Any, pattern: Any) -> bool:
    if not isinstance(headers, dict):
        return False
    try:
        regex = compile_java(to_text(pattern))
    except RegexError:
        return False
    return any(
        regex.search(f"{key}: {value}") or regex.search(to_text(value) or "")
        for key, value in headers.items()
    )


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def _is_blank(value: Any) -> bool:
    return _is_empty(value) or (isinstance(value, str) and not value.strip())


def _is_numeric(value: Any) -> bool:
    return to_number(value) is not None


def _b64decode(value: Any) -> str | None:
    try:
        return base64.b64decode(to_text(value), validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def _hex_to_ascii(value: Any) -> str | None:
    try:
        return bytes.fromhex(to_text(value)).decode("latin-1")
    except ValueError:
        return None


def _hex_to_dec(value: Any) -> int | None:
    try:
        return int(to_text(value).removeprefix("0x").removeprefix("0X"), 16)
    except ValueError:
        return None


def _dec_to_hex(value: Any) -> str | None:
    number = _int(value)
    return None if number is None else format(number, "x")


def _round(value: Any, digits: Any = 0) -> float | None:
    number, places = to_number(value), _int(digits)
    if number is None or places is None:
        return None
    return float(round(number, places)) if places else float(math.floor(number + 0.5))


def _haversine(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> float | None:
    """Great-circle distance in kilometres."""
    coords = [_float(v) for v in (lat1, lon1, lat2, lon2)]
    if None in coords:
        return None
    p1, l1, p2, l2 = map(math.radians, coords)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def _luhn(value: Any) -> bool:
    digits = [int(c) for c in to_text(value) if c.isdigit()]
    if len(digits) < 2:
        return False
    total = sum(
        d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits))
    )
    return total % 10 == 0


def _if(condition: Any, then: Any, otherwise: Any) -> Any:
    return then if condition is True else otherwise


def _contains(haystack: Any, needle: Any) -> bool:
    return haystack is not None and needle is not None and to_text(needle) in to_text(haystack)


def _concat(*values: Any) -> str:
    return "".join(to_text(v) or "" for v in values)


def _math(fn: Callable[..., float]) -> Callable[..., float | None]:
    def apply(*values: Any) -> float | None:
        numbers = [to_number(v) for v in values]
        return None if None in numbers else fn(*numbers)

    return apply


def _text(fn: Callable[[str], Any]) -> Callable[[Any], Any]:
    return lambda value: fn(to_text(value))


S, N, B, A, ANY = "string", "number", "boolean", "array", "any"


def _f(name, lo, hi, returns, impl, on_null=None, args=()) -> Function:
    return Function(name, lo, hi, returns, impl, on_null, args)


_DEFINITIONS: list[tuple[tuple[str, ...], Function]] = [
    (("lower", "toLowerCase"), _f("lower", 1, 1, S, _text(str.lower), args=(S,))),
    (("upper", "toUpperCase"), _f("upper", 1, 1, S, _text(str.upper), args=(S,))),
    (("int", "toInt", "toLong", "num", "number"), _f("int", 1, 1, N, _int)),
    (("float", "toFloat", "toDouble"), _f("float", 1, 1, N, _float)),
    (("toString",), _f("toString", 1, 1, S, to_text)),
    (("length",), _f("length", 1, 1, N, lambda v: len(to_text(v)), on_null=0)),
    (("concat",), _f("concat", 1, None, S, _concat, on_null=CALL)),
    (("substring",), _f("substring", 2, 3, S, _substring, args=(S, N, N))),
    (("trim",), _f("trim", 1, 1, S, _text(str.strip), args=(S,))),
    (("contains",), _f("contains", 2, 2, B, _contains, on_null=False)),
    (("urldecode",), _f("urldecode", 1, 1, S, _text(urllib.parse.unquote_plus))),
    (("urlencode",), _f("urlencode", 1, 1, S, _text(urllib.parse.quote_plus))),
    (("base64Decode", "fromBase64"), _f("base64Decode", 1, 1, S, _b64decode)),
    (("base64Encode",), _f("base64Encode", 1, 1, S, _text(lambda t: base64.b64encode(t.encode()).decode()))),
    (("asciiToHex",), _f("asciiToHex", 1, 1, S, _text(lambda t: t.encode("utf-8").hex()))),
    (("hexToAscii",), _f("hexToAscii", 1, 1, S, _hex_to_ascii)),
    (("decToHex",), _f("decToHex", 1, 1, S, _dec_to_hex)),
    (("hexToDec",), _f("hexToDec", 1, 1, N, _hex_to_dec)),
    (("isNumeric",), _f("isNumeric", 1, 1, B, _is_numeric, on_null=False)),
    (("array_contains",), _f("array_contains", 2, 2, B, _array_contains, on_null=False, args=(A, ANY))),
    (("size",), _f("size", 1, 1, N, _size)),
    (("jsonArrayContains",), _f("jsonArrayContains", 2, 2, B, _json_array_contains, on_null=False)),
    (("jsonArraySize",), _f("jsonArraySize", 1, 1, N, lambda v: _size(_array(v)))),
    (("anyHttpHeaderMatches",), _f("anyHttpHeaderMatches", 2, 2, B, _any_header_matches, on_null=False)),
    (("isNull",), _f("isNull", 1, 1, B, lambda v: v is None, on_null=CALL)),
    (("isEmpty",), _f("isEmpty", 1, 1, B, _is_empty, on_null=CALL)),
    (("isBlank",), _f("isBlank", 1, 1, B, _is_blank, on_null=CALL)),
    (("isValidIP",), _f("isValidIP", 1, 1, B, lambda v: _ip(v) is not None, on_null=False)),
    (("isValidIPv4",), _f("isValidIPv4", 1, 1, B, lambda v: _ip(v, 4) is not None, on_null=False)),
    (("isValidIPv6",), _f("isValidIPv6", 1, 1, B, lambda v: _ip(v, 6) is not None, on_null=False)),
    (("isPrivateIP",), _f("isPrivateIP", 1, 1, B, _is_private, on_null=False)),
    (
        ("isPublicIP",),
        _f("isPublicIP", 1, 1, B, lambda v: (a := _ip(v, 4)) is not None and a.is_global, on_null=False),
    ),
    (("ipv4ToNumber",), _f("ipv4ToNumber", 1, 1, N, lambda v: None if (a := _ip(v, 4)) is None else int(a))),
    (("compareCIDRPrefix",), _f("compareCIDRPrefix", 3, 3, B, _compare_cidr, on_null=False)),
    (("getCIDRPrefix",), _f("getCIDRPrefix", 2, 2, S, _cidr_prefix)),
    (("maskFromCIDR",), _f("maskFromCIDR", 1, 1, S, _mask)),
    (("if",), _f("if", 3, 3, ANY, _if, on_null=CALL)),
    (("floor",), _f("floor", 1, 1, N, _int)),
    (("ceil",), _f("ceil", 1, 1, N, _math(math.ceil))),
    (("round",), _f("round", 1, 2, N, _round)),
    (("abs",), _f("abs", 1, 1, N, _math(abs))),
    (("cbrt",), _f("cbrt", 1, 1, N, _math(lambda x: math.copysign(abs(x) ** (1 / 3), x)))),
    (("toDegrees",), _f("toDegrees", 1, 1, N, _math(math.degrees))),
    (("toRadians",), _f("toRadians", 1, 1, N, _math(math.radians))),
    (("atan2",), _f("atan2", 2, 2, N, _math(math.atan2))),
    (("hypot",), _f("hypot", 2, 2, N, _math(math.hypot))),
    (("haversine",), _f("haversine", 4, 4, N, _haversine)),
    (("luhn",), _f("luhn", 1, 1, B, _luhn, on_null=False)),
    (("hasThreatMatch",), _f("hasThreatMatch", 1, 3, B, None, on_null=CALL)),
] + [
    ((name,), _f(name, 1, 1, N, _math(getattr(math, name))))
    for name in (
        "acos",
        "asin",
        "atan",
        "cos",
        "cosh",
        "exp",
        "expm1",
        "log",
        "log10",
        "log1p",
        "sin",
        "sinh",
    )
    + ("sqrt", "tan", "tanh")
]

FUNCTIONS: dict[str, Function] = {alias.lower(): spec for aliases, spec in _DEFINITIONS for alias in aliases}
"""Lower-cased name or alias -> Function. Names are case-insensitive (`lower`, `LOWER`)."""

THREAT_INDICATOR_ATTRIBUTES = frozenset(
    (
        "actors",
        "confidence",
        "id",
        "indicator",
        "killChain",
        "source",
        "threatType",
        "type",
        "validFrom",
        "validUntil",
    )
)
THREAT_INDICATOR_STATES = frozenset(("active_indicators", "expired_indicators", "all_indicators"))


def lookup(name: str) -> Function | None:
    return FUNCTIONS.get(name.lower())


def call(spec: Function, args: list[Any]) -> Any:
    """Apply a function with CSE null rules; a data error (bad base64, math domain) yields null."""
    if spec.on_null is not CALL and any(a is None for a in args):
        return spec.on_null
    try:
        return spec.impl(*args)
    except (ArithmeticError, ValueError, TypeError, UnicodeError, re.error):
        return None
