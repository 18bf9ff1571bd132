"""Linter codes, templates, entity selectors, MITRE tags and the shipped field list."""

from __future__ import annotations

import pytest

from deployer.cseql import lint, lint_entity_selector, lint_tags, lint_template, parse, schema
from deployer.diagnostics import Severity


def codes(text: str, **kwargs) -> list[str]:
    return [d.code for d in lint(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a = 'x", "CSE101"),
        ("comandLine = 'x'", "CSE130"),
        ("lowr(commandLine) = 'x'", "CSE110"),
        ("lower(commandLine, 1) = 'x'", "CSE111"),
        ("commandLine RLIKE '(unclosed'", "CSE120"),
        ("commandLine MATCHES /[a-/", "CSE120"),
        ("dstPort = 'https'", "CSE201"),
        ("success = 'yes'", "CSE201"),
        ("array_contains(commandLine, 'x')", "CSE202"),
        ("day = 1", "CSE203"),
        ("commandLine['x'] = 'y'", "CSE204"),
        ("file_path LIKE '%\\temp\\%'", "CSE210"),
        ("file_path LIKE 'C:\\temp'", "CSE211"),
        ("file_path LIKE '*.exe'", "CSE212"),
        ("file_path LIKE '%a.exe|%b.exe'", "CSE212"),
        ("lower(baseImage) = 'C:\\x'", "CSE213"),
        ("lower(baseImage) LIKE '%Temp%'", "CSE213"),
        ("lower(baseImage) RLIKE 'Temp'", "CSE213"),
        ("upper(baseImage) IN ('a')", "CSE213"),
        ('commandLine MATCHES "/.*powershell.*/"', "CSE214"),
        ("user_username = 'NT AUTHORITY\\\\SYSTEM'", "CSE220"),
        ("a_file_path LIKE 'x\\'", "CSE130"),
        ("file_path LIKE 'x\\'", "CSE221"),
        ("commandLine = null", "CSE230"),
        ("hasThreatMatch([srcDevice_ip], confidnce > 1)", "CSE241"),
        ("a_b = 1 AND commandLine = 'x' OR dstPort = 1", "CSE130"),
        ("commandLine = 'x' AND commandLine = 'y' OR dstPort = 1", "CSE250"),
    ],
)
def test_each_check_reports_its_code(text, code):
    assert code in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "fields['anything.at.all'] = 'x' AND fields.other = 'y' AND fields[\"z\"] IS NULL",
        "lower(baseImage) RLIKE '\\\\windows\\\\[A-Za-z]+\\.exe' AND lower(commandLine) MATCHES /(?i)ABC/",
        "lower(commandLine) RLIKE '\\bgpresult\\b' AND commandLine RLIKE '(?<![0-9])1(?!.* yum/)'",
        "hasThreatMatch([srcDevice_ip], confidence > 74 AND (type='ipv4-addr' OR type='ipv6-addr'), all_indicators)",
        "array_contains(fieldTags['user_username'], 'vip') AND bro_http_request_headers['COOKIE'] LIKE '%a%'",
        "(a = 1 AND b = 2) OR c = 3",
        "dstPort = 445 AND toString(http_response_statusCode) NOT LIKE '2%' AND size(listMatches) > 1",
    ],
)
def test_clean_expressions_have_no_warnings_or_errors(text):
    found = [
        d for d in lint(text, fields=set(schema.FIELDS) | {"a", "b", "c"}) if d.severity is not Severity.INFO
    ]
    assert found == []


def test_lint_never_raises_and_reports_syntax_error_once():
    found = lint("a = (")
    assert len(found) == 1 and found[0].code == "CSE100" and found[0].is_error


def test_custom_field_set_and_suggestions():
    assert codes("mine = 1", fields={"mine"}) == []
    diagnostic = lint("comandLine = 'x'")[0]
    assert diagnostic.hint == "did you mean 'commandLine'?"
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.length) == (1, 1, 10)


def test_severities_follow_the_code_ranges():
    for diagnostic in lint("comandLine = 1 AND dstPort = 'x' AND lowr(a) AND file_path LIKE 'x'"):
        expected = {"1": Severity.ERROR, "2": Severity.WARNING}.get(diagnostic.code[3], Severity.INFO)
        assert diagnostic.severity is expected or diagnostic.code == "CSE211"


def test_lint_accepts_a_parsed_expression():
    assert codes(parse("nope = 1")) == ["CSE130"]


def test_templates():
    assert lint_template("{{user_username}} ran {{fields['x']}} / {{fields.y}} on {{device_hostname}}") == []
    unknown = lint_template("Host {{devce_hostname}}")
    assert [d.code for d in unknown] == ["CSE130"] and unknown[0].span.column == 6
    assert [d.code for d in lint_template("{{lower(x)}}")] == ["CSE131"]
    assert [d.code for d in lint_template("{{a = }}")] == ["CSE100"]
    assert [d.code for d in lint_template("{{user_username")] == ["CSE132"]


def test_entity_selectors():
    assert lint_entity_selector("_ip", "srcDevice_ip") == []
    assert lint_entity_selector("_username", "user_username") == []
    mismatch = lint_entity_selector("_ip", "device_hostname")
    assert [d.code for d in mismatch] == ["CSE140"] and "_hostname" in mismatch[0].message
    assert [d.code for d in lint_entity_selector("_ip", "commandLine")] == ["CSE140"]
    assert lint_entity_selector("customThing", "fields['x']") == []
    assert lint_entity_selector("customThing", "commandLine") == []
    assert [d.code for d in lint_entity_selector("_ip", "lower(srcDevice_ip)")] == ["CSE142"]
    assert [d.code for d in lint_entity_selector("_ip", "srcDevice_ipp")] == ["CSE130"]


def test_mitre_tags():
    good = [
        "_mitreAttackTactic:TA0002",
        "_mitreAttackTechnique:T1059.001",
        "_mitreAtlasTechnique:AML.T0054",
        "team:soc",
    ]
    assert lint_tags(good) == []
    bad = lint_tags(["_mitreAttackTechnique:T1059.1", "_mitreAttackTactic:TA02", "_mitreTactic:TA0002"])
    assert [d.code for d in bad] == ["CSE150"] * 3


def test_schema_lookups():
    assert len(schema.FIELDS) == 588
    assert schema.field_type("dstPort") == "int" and schema.kind_of("int") == "number"
    assert schema.kind_of("array[string]") == "array" and schema.kind_of("BroSmbCommand") == "struct"
    assert schema.entity_type_of("srcDevice_ip") == "_ip"
    assert schema.is_entity_field("baseImage", "_process")
    assert not schema.is_entity_field("baseImage", "_file")
    assert schema.is_entity_field("fields['x']", "myEntity") and "_ip" in schema.ENTITY_TYPES


def test_python_named_group_is_not_java_regex():
    # regression: `(?P<name>...)` passed lint although Java (and so Cloud SIEM) rejects it
    found = lint("commandLine matches /(?P<tool>chisel)/")
    assert [d.code for d in found] == ["CSE120"]
    assert "(?<name>...)" in found[0].message
    assert lint("commandLine matches /(?<tool>chisel)/") == []
