"""Reading what a tenant holds, in a handful of requests: one paged listing of user CSE rules, one
listing + one export job of the managed Library folder, one monitor search. Never a GET per object.

Owns DeployedObject / DeployedState and their fingerprint; it receives a SumoClient and never writes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from deployer.api import (
    AmbiguousWriteError,
    ApiConnectionError,
    Conflict,
    JobFailed,
    JobTimeout,
    NotFound,
    RateLimited,
    ServerError,
    SumoClient,
)
from deployer.sync.normalize import canonical, digest, normalize, owner_of, rule_type_of

SEARCH_TYPE = "SavedSearchWithScheduleSyncDefinition"
USER_RULES = 'ruleSource:"user"'
TRANSIENT = (AmbiguousWriteError, ApiConnectionError, Conflict, JobFailed, JobTimeout, RateLimited, ServerError)
T = TypeVar("T")


def pause(attempt: int, backoff: float) -> None:
    time.sleep(min(backoff * 2 ** (attempt - 1), 5.0) * random.uniform(0.5, 1.0))


def with_retries(call: Callable[[], T], attempts: int = 5, backoff: float = 0.2) -> T:
    """`call()`, again after a pause when it fails with an error that may pass (what the client gave up on)."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except TRANSIENT:
            if attempt == attempts:
                raise
            pause(attempt, backoff)
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class DeployedObject:
    """One object read from the tenant; `body` is normalized, `detection_id` None when unmanaged.

    `edited` is True when a managed object's content no longer matches the `rev` stamped at apply time
    (someone changed it in the tenant); `location` is the folder path (or "cse"); `raw` is the object
    as the API returned it (for `pull`, which writes content from it).
    """

    kind: str
    remote_id: str
    name: str
    body: dict
    detection_id: str | None = None
    rev: str | None = None
    rule_type: str | None = None
    version: int | None = None
    location: str = ""
    enabled: bool = True
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def managed(self) -> bool:
        return self.detection_id is not None

    @property
    def edited(self) -> bool:
        return self.managed and self.rev != digest(self.body)


@dataclass(frozen=True, slots=True)
class DeployedState:
    objects: tuple[DeployedObject, ...]
    folder: str
    monitor_folder: str
    requests: int = field(default=0, compare=False)

    @property
    def fingerprint(self) -> str:
        """A hash of everything read; a saved plan applies only while it is unchanged."""
        return digest(sorted(canonical([o.kind, o.remote_id, o.body, o.rev, o.version]) for o in self.objects))


def _deployed(kind: str, remote_id: str, raw: dict, **extra) -> DeployedObject:
    owner, rev = owner_of(kind, raw)
    body = normalize(kind, raw, extra.get("rule_type"))
    return DeployedObject(kind, remote_id, raw["name"], body, owner, rev, raw=raw, **extra)


def read_rules(client: SumoClient, q: str | None = USER_RULES) -> list[DeployedObject]:
    """CSE rules matching `q` (default: user rules; None: built-in ones too), 100 per page."""
    out = []
    for rule in client.cse_rules.iter(q, page_size=100):
        rule_type = rule_type_of(rule)
        out.append(_deployed("cse_rule", rule["id"], rule, rule_type=rule_type, location="cse",
                             enabled=bool(rule.get("enabled", True))))
    return out


def read_searches(client: SumoClient, folder: str) -> list[DeployedObject]:
    """Items of the managed Library folder: a path lookup, the folder listing, one export job if non-empty."""
    try:
        folder_id = client.content.get_by_path(folder)["id"]
    except NotFound:
        return []
    children = client.content.get_folder(folder_id).get("children", [])
    if not children:
        return []
    ids = {child["name"]: child["id"] for child in children}
    out = []
    for item in client.content.export_item(folder_id).get("children", []):
        if item.get("type") != SEARCH_TYPE:
            out.append(DeployedObject("other", ids.get(item["name"], ""), item["name"], {}, location=folder))
            continue
        out.append(_deployed("scheduled_search", ids.get(item["name"], ""), item, location=folder,
                             enabled="searchSchedule" in item))
    return out


def read_monitors(client: SumoClient) -> list[DeployedObject]:
    """Every Logs monitor, from one monitor search; managed ones are found by marker wherever they are."""
    out = []
    for hit in client.monitors.search("type:monitor"):
        item = hit["item"]
        if item.get("contentType", "Monitor") != "Monitor":
            continue
        location = hit["path"].rsplit("/", 1)[0]
        out.append(_deployed("monitor", item["id"], item, version=item.get("version"), location=location,
                             enabled=not item.get("isDisabled", False)))
    return out


def read_state(client: SumoClient, folder: str, monitor_folder: str, *, attempts: int = 5,
               backoff: float = 0.2, rule_query: str | None = USER_RULES) -> DeployedState:
    """Everything the sync engine compares against: CSE rules, the managed folder's searches, monitors.

    Each of the three reads is retried as a whole when it fails with a transient error.
    """
    before = client.stats.requests
    objects = (with_retries(lambda: read_rules(client, rule_query), attempts, backoff)
               + with_retries(lambda: read_searches(client, folder), attempts, backoff)
               + with_retries(lambda: read_monitors(client), attempts, backoff))
    objects.sort(key=lambda o: (o.kind, o.remote_id))
    return DeployedState(tuple(objects), folder, monitor_folder, client.stats.requests - before)
