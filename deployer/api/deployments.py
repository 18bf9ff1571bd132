"""Sumo deployment codes and their API base URLs (sumo-api.md 1.2).

Owns the table and endpoint checks (HTTPS except loopback); it does not make requests.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DEPLOYMENTS = {
    "us1": "https://api.sumologic.com/api/",
    "us2": "https://api.us2.sumologic.com/api/",
    "eu": "https://api.eu.sumologic.com/api/",
    "de": "https://api.de.sumologic.com/api/",
    "au": "https://api.au.sumologic.com/api/",
    "jp": "https://api.jp.sumologic.com/api/",
    "ca": "https://api.ca.sumologic.com/api/",
    "in": "https://api.in.sumologic.com/api/",
    "kr": "https://api.kr.sumologic.com/api/",
    "fed": "https://api.fed.sumologic.com/api/",
    "ch": "https://api.ch.sumologic.com/api/",
    "esc": "https://api.esc.sumologic.com/api/",
}


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def normalise_endpoint(endpoint: str) -> str:
    """`endpoint` with a trailing slash; ValueError unless HTTPS (or plain HTTP to loopback)."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"endpoint {endpoint!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(f"endpoint {endpoint!r} must use https (plain http is allowed only to loopback)")
    if parts.username or parts.password:
        raise ValueError("endpoint must not embed credentials; use the credential environment variables")
    return endpoint if endpoint.endswith("/") else endpoint + "/"
