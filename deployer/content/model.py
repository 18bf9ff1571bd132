"""The values content loading produces: Detection, Fixture, Environment, ContentConfig.

Owns the shapes later stages consume; it does not read files (loader.py) or validate (schema.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deployer.content.yamlpos import Document


@dataclass(frozen=True, slots=True)
class Fixture:
    """One test case: events (raw lines or objects / normalized records) and the expected outcome."""

    name: str
    target: str  # "search" or "cse"
    events: tuple
    expect: dict
    description: str = ""
    baseline: tuple = ()
    index: int = 0  # position in the detection's `tests` list

    @property
    def expects_match(self) -> bool:
        return bool(self.expect.get("match"))


@dataclass(frozen=True, slots=True)
class Detection:
    """A validated detection file. `data` is the whole document as written (dates as strings)."""

    path: str
    id: str
    name: str
    version: int
    status: str
    severity: str
    confidence: str
    data: dict
    tests: tuple[Fixture, ...]
    document: Document = field(compare=False, repr=False)

    @property
    def search(self) -> dict | None:
        return self.data.get("search")

    @property
    def cse(self) -> dict | None:
        return self.data.get("cse")

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.data.get("tags", ()))

    @property
    def description(self) -> str:
        return self.data["description"]

    @property
    def mitre(self) -> dict:
        return self.data["mitre"]

    @property
    def parameters(self) -> dict[str, object]:
        """Declared query parameters and their defaults."""
        return {name: spec["default"] for name, spec in self.data.get("parameters", {}).items()}

    @property
    def lookups(self) -> dict[str, str]:
        """Lookup path as written in the query -> table file beside the detection."""
        return {name: spec["file"] for name, spec in self.data.get("lookups", {}).items()}


@dataclass(frozen=True, slots=True)
class ContentConfig:
    """Repository-wide policy from content/config.yaml."""

    min_positive_tests: int = 1
    min_negative_tests: int = 1


@dataclass(frozen=True, slots=True)
class Environment:
    """One tenant: where it is, which credentials variables to read, what to deploy and how."""

    name: str
    path: str
    data: dict
    document: Document = field(compare=False, repr=False)

    @property
    def deployment(self) -> str | None:
        return self.data.get("deployment")

    @property
    def endpoint(self) -> str | None:
        return self.data.get("endpoint")

    @property
    def uses_emulator(self) -> bool:
        return self.endpoint == "emulator"

    @property
    def access_id_env(self) -> str:
        return self.data["credentials"]["access_id_env"]

    @property
    def access_key_env(self) -> str:
        return self.data["credentials"]["access_key_env"]

    @property
    def folder(self) -> str:
        return self.data.get("folder", "/Library/Detections")

    @property
    def monitor_folder(self) -> str:
        return self.data.get("monitor_folder", "/Monitor/Detections")

    @property
    def variables(self) -> dict[str, object]:
        return dict(self.data.get("variables", {}))

    @property
    def overrides(self) -> dict[str, dict]:
        return dict(self.data.get("overrides", {}))

    @property
    def select(self) -> dict:
        return dict(self.data.get("select", {}))

    @property
    def on_removed(self) -> str:
        return self.data.get("on_removed", "delete")

    @property
    def pacing(self) -> dict:
        return dict(self.data.get("pacing", {}))

    def variables_for(self, detection: Detection) -> dict[str, object]:
        """Parameter values for `detection` here: its defaults, then the environment's, then its override's."""
        values = dict(detection.parameters)
        values.update({k: v for k, v in self.variables.items() if k in values})
        values.update(self.overrides.get(detection.id, {}).get("variables", {}))
        return values
