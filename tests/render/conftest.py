"""Shared fixtures for render tests: test content and an OpenAPI validator for Sumo's main API spec.

Validation follows the spec's discriminators (type, taskType, connectionType, detectionMethod) into the
concrete schema, which jsonschema alone would not do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from deployer.content.loader import load_content, load_environment

DATA = Path(__file__).parent / "data"
SPEC = Path(__file__).resolve().parents[3] / "shared" / "data" / "openapi" / "sumologic-api.yaml"
DISCRIMINATORS = ("type", "taskType", "connectionType", "detectionMethod")


@pytest.fixture(scope="session")
def openapi_errors():
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is absent")
    components = yaml.load(SPEC.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["components"]
    names = set(components["schemas"])

    def errors(body: dict, schema: str) -> list[str]:
        found = []

        def check(value, name: str, where: str) -> None:
            validator = Draft202012Validator({"components": components, "$ref": f"#/components/schemas/{name}"})
            found.extend(f"{where or '(body)'} [{name}]: {e.message}" for e in validator.iter_errors(value))

        def walk(value, where: str) -> None:
            if isinstance(value, dict):
                for key in DISCRIMINATORS:
                    if isinstance(value.get(key), str) and value[key] in names:
                        check(value, value[key], where)
                for key, item in value.items():
                    walk(item, f"{where}.{key}" if where else key)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, f"{where}[{index}]")

        check(body, schema, "")
        walk(body, "")
        return found

    return errors


@pytest.fixture(scope="session")
def content():
    result = load_content([DATA / "detections"], DATA)
    assert not result.errors, result.errors
    return {d.id: d for d in result.detections}


@pytest.fixture(scope="session")
def environment():
    return lambda name: load_environment(str(DATA / "environments" / f"{name}.yaml"), DATA)
