"""Error mapping, endpoint rules and credential hygiene."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from deployer.api import (
    DEPLOYMENTS,
    AuthenticationError,
    MissingCredentials,
    NotFound,
    SumoClient,
    ValidationFailed,
    WrongDeployment,
)
from deployer.api.errors import parse_retry_after
from tests.api.support import fast_client


def test_bad_credentials_raise_authentication_error(sumo):
    with SumoClient(sumo.url, sumo.access_id, "wrong-key") as client, pytest.raises(AuthenticationError) as info:
        client.cse_rules.list()
    assert info.value.status == 401 and info.value.code == "unauthorized"


def test_not_found_carries_sumo_body(client):
    with pytest.raises(NotFound) as info:
        client.cse_rules.get("MATCH-U99999")
    assert info.value.body["errors"][0]["code"] == "notfound"
    with pytest.raises(NotFound, match="Content with the given ID does not exist"):
        client.content.export_item("00000000DEADBEEF")


def test_validation_failed_lists_field_messages(client, payloads):
    bad = dict(payloads["monitor"], monitorType="Traces")
    with pytest.raises(ValidationFailed) as info:
        client.monitors.create(bad)
    assert info.value.field_errors[0].field == "monitorType"


def test_wrong_deployment_names_the_deployment(sumo):
    sumo.faults = "rate=1,kinds=moved"
    with fast_client(sumo) as client, pytest.raises(WrongDeployment) as info:
        client.monitors.root()
    assert info.value.deployment == "eu" and "'eu'" in str(info.value)


def test_deployment_table_and_https_rule(monkeypatch):
    assert set(DEPLOYMENTS) == {"us1", "us2", "eu", "de", "au", "jp", "ca", "in", "kr", "fed", "ch", "esc"}
    monkeypatch.setenv("T_ID", "id")
    monkeypatch.setenv("T_KEY", "key")
    assert SumoClient.for_deployment("kr", None, "T_ID", "T_KEY").endpoint == "https://api.kr.sumologic.com/api/"
    assert SumoClient.for_deployment(None, "http://localhost:9/api", "T_ID", "T_KEY").endpoint == "http://localhost:9/api/"
    with pytest.raises(ValueError, match="https"):
        SumoClient("http://api.sumologic.com/api/", "id", "key")
    with pytest.raises(ValueError, match="unknown deployment"):
        SumoClient.for_deployment("mars", None, "T_ID", "T_KEY")


def test_missing_credentials_name_the_variable_not_the_value(monkeypatch):
    monkeypatch.setenv("T_ID", "visible-id")
    monkeypatch.delenv("T_KEY", raising=False)
    with pytest.raises(MissingCredentials, match="T_KEY") as info:
        SumoClient.for_deployment("us1", None, "T_ID", "T_KEY")
    assert "visible-id" not in str(info.value)


def test_retry_after_parsing():
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after(None) is None


def test_access_key_never_appears_in_output_of_a_failing_run(tmp_path):
    """A run that fails (bad key, then a dropped POST), with DEBUG logging, prints no credential."""
    secret = "S3cr3tK3y-do-not-print"
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(f"""
        import logging, sys
        logging.basicConfig(level=logging.DEBUG, stream=sys.stdout)
        from deployer.api import SumoClient
        from deployer.emulator import Emulator
        with Emulator("id", {secret!r}, rate_limit=1000, faults="rate=1,kinds=drop,methods=POST") as sumo:
            client = SumoClient(sumo.url, "id", {secret!r}, rate_per_second=1000, backoff_initial=0.01)
            print(repr(client), vars(client))
            try:
                client.cse_rules.create("match", {{"name": "x"}})
            except Exception as exc:
                print(repr(exc), exc.args, vars(exc))
            bad = SumoClient(sumo.url, "id", {secret!r} + "x")
            bad.cse_rules.list()  # AuthenticationError traceback
    """))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "AuthenticationError" in output
    assert "AmbiguousWriteError" in output
    assert secret not in output
