"""deployer.sigma: modifiers, conditions, unsupported constructs, detection content and fixtures.

Rules are files in tests/data/sigma/rules and unsupported/; expectations in tests/data/sigma/cases.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from deployer import cseql, sigma
from deployer.cseql import schema
from deployer.sigma import condition as cond
from deployer.sigma.mappings import SOURCES

DATA = Path(__file__).resolve().parents[1] / "data" / "sigma"
CASES = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
UNSUPPORTED = CASES.pop("unsupported")
PROCESS_DEFAULT = {"metadata_deviceEventId": "Microsoft-Windows-Sysmon/Operational-1", "device_hostname": "ws-1"}


def _rule(folder: str, name: str) -> sigma.SigmaRule:
    path = DATA / folder / f"{name}.yml"
    return sigma.parse_sigma(path.read_text(encoding="utf-8"), str(path))


def _event(name: str) -> dict:
    return json.loads((DATA / "events" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_expression(name: str) -> None:
    case = CASES[name]
    expression = sigma.to_cse_expression(_rule("rules", name))
    assert expression == case["expression"]
    assert not [d for d in cseql.lint(expression) if d.is_error]
    parsed = cseql.parse(expression)
    for record in case["match"]:
        assert cseql.matches(parsed, PROCESS_DEFAULT | record), record
    for record in case["no_match"]:
        assert not cseql.matches(parsed, PROCESS_DEFAULT | record), record


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported(name: str) -> None:
    kind, construct = UNSUPPORTED[name]
    with pytest.raises(sigma.SigmaError) as raised:
        sigma.to_detection(_rule("unsupported", name))
    assert type(raised.value).__name__ == kind
    assert construct in str(raised.value) and name in str(raised.value)


@pytest.mark.parametrize("text, expected", [
    ("a and not b or c", cond.Or((cond.And((cond.Ref("a"), cond.Not(cond.Ref("b")))), cond.Ref("c")))),
    ("a and (b or c)", cond.And((cond.Ref("a"), cond.Or((cond.Ref("b"), cond.Ref("c")))))),
    ("not 1 of f_*", cond.Not(cond.Or((cond.Ref("f_1"), cond.Ref("f_2"))))),
    ("all of them", cond.And((cond.Ref("a"), cond.Ref("b"), cond.Ref("c"), cond.Ref("f_1"), cond.Ref("f_2")))),
    ("1 of a*", cond.Ref("a")),
])
def test_condition_precedence(text: str, expected: cond.Condition) -> None:
    assert cond.parse_condition(text, ("a", "b", "c", "f_1", "f_2", "_hidden")) == expected


@pytest.mark.parametrize("text", ["a and", "a or (b", "a b", "2 of f_*", "1 of zz*"])
def test_condition_errors(text: str) -> None:
    with pytest.raises(sigma.SigmaError):
        cond.parse_condition(text, ("a", "b", "f_1"))


def test_mapped_fields_are_normalized_fields() -> None:
    for source in SOURCES.values():
        assert set(source.fields.values()) <= set(schema.FIELDS)
        for entity_type, field in source.entities:
            assert schema.is_entity_field(field, entity_type), (entity_type, field)


def test_detection_metadata() -> None:
    rule = _rule("rules", "anchoring")
    detection = sigma.to_detection(rule)
    assert detection["id"] == sigma.detection_id(rule.id) == sigma.to_detection(rule)["id"]
    assert (detection["status"], detection["severity"], detection["confidence"]) == ("test", "high", "medium")
    assert detection["mitre"] == {"tactics": [{"id": "TA0002", "name": "Execution"}],
                                  "techniques": [{"id": "T1059.001", "name": "T1059.001"}]}
    assert detection["cse"]["prototype"] is True
    assert [s["expression"] for s in detection["cse"]["entity_selectors"]] == ["device_hostname", "user_username", "baseImage"]
    assert detection["tests"] == []


def test_normalized_record() -> None:
    source = SOURCES[("windows", "process_creation")]
    record = sigma.normalize_event(_event("powershell.json"), source)
    assert record["metadata_deviceEventId"] == "Microsoft-Windows-Sysmon/Operational-1"
    assert (record["metadata_vendor"], record["metadata_product"], record["device_hostname"]) == ("Microsoft", "Windows", "ws-017")
    assert record["baseImage"].endswith("powershell.exe") and record["pid"] == 4242
    assert record["file_basename"] == "PowerShell.EXE" and record["user_username"] == "CORP\\alice"
    assert record["fields"]["EventData.Company"] == "Microsoft Corporation"
    assert record["fields"]["EventData.ProcessId"] == "4242"
    assert record["timestamp"] == 1764860400000


def test_fixtures_positive_and_negative() -> None:
    conversion = sigma.convert((DATA / "rules" / "anchoring.yml").read_text(), path="anchoring.yml",
                               event=_event("powershell.json"))
    positive, negative = conversion.detection["tests"]
    assert positive["expect"] == {"match": True} and negative["expect"] == {"match": False}
    assert negative["name"] == "regression-event-without-Image"
    assert negative["events"][0]["baseImage"] == ""
    assert (conversion.positive, conversion.negative, conversion.todo) == (True, True, ())


def test_no_honest_negative_is_a_todo() -> None:
    conversion = sigma.convert((DATA / "rules" / "only_filter.yml").read_text(), path="only_filter.yml",
                               event=_event("powershell.json"))
    assert (conversion.positive, conversion.negative) == (True, None)
    assert len(conversion.detection["tests"]) == 1
    assert "negative" in conversion.todo[0]


def test_event_that_does_not_match_gets_no_negative() -> None:
    conversion = sigma.convert((DATA / "rules" / "contains_all.yml").read_text(), path="contains_all.yml",
                               event=_event("powershell.json"))
    assert (conversion.positive, conversion.negative) == (False, None)
    assert "does not match" in conversion.todo[0]
