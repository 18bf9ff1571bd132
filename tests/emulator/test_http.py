"""The emulator over a real socket: Sumo's error shapes, strictness, rate limit, persistence, CLI."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from deployer.emulator import Emulator

DOCS = Path(__file__).parents[2] / "docs" / "emulator.md"
AUTH = ("emulator-id", "emulator-key")


@pytest.fixture
def sumo():
    with Emulator(rate_limit=1000) as emulator:
        yield emulator


def test_gateway_error_shapes(sumo):
    unauthorized = requests.get(sumo.url + "sec/v1/rules", auth=("emulator-id", "nope"), timeout=5)
    assert unauthorized.status_code == 401
    body = unauthorized.json()
    assert body["code"] == "unauthorized" and re.fullmatch(r"\w{5}-\w{5}-\w{5}", body["id"])
    assert requests.get(sumo.url + "v1/nothing", auth=AUTH, timeout=5).json()["code"] == "notfound"
    wrong_method = requests.patch(sumo.url + "v1/monitors/root", auth=AUTH, timeout=5)
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method.unsupported")
    not_json = requests.post(sumo.url + "v2/content/folders", data="x", auth=AUTH, timeout=5,
                             headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 415


def test_non_ascii_credentials_are_refused_not_crashed(sumo):
    # regression: UTF-8 credentials decoded to non-ASCII text made hmac.compare_digest raise TypeError
    for pair in ("émulator-id:emulator-key", "emulator-id:clé"):
        header = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        response = requests.get(sumo.url + "sec/v1/rules", headers={"Authorization": header}, timeout=5)
        assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_validation_errors_name_the_field_in_each_family(sumo):
    cse = requests.post(sumo.url + "sec/v1/rules/templated", json={"fields": {"name": "x"}}, auth=AUTH, timeout=5)
    assert cse.status_code == 400 and cse.json()["data"] is None
    assert cse.json()["errors"][0]["field"].startswith("fields.")
    mgmt = requests.post(sumo.url + "v2/content/folders", json={"name": ""}, auth=AUTH, timeout=5)
    assert mgmt.status_code == 400 and mgmt.json()["errors"][0]["meta"]["field"] in ("name", "parentId")


def test_rate_limit_per_access_key():
    with Emulator(rate_limit=5) as sumo:
        statuses = [requests.get(sumo.url + "v1/monitors/root", auth=AUTH, timeout=5).status_code for _ in range(12)]
        limited = requests.get(sumo.url + "v1/monitors/root", auth=AUTH, timeout=5)
    assert statuses.count(429) >= 5 and limited.json()["code"] == "rate.limit.exceeded"


def test_user_email_names_the_personal_folder():
    with Emulator(rate_limit=1000, user_email="analyst@example.com") as sumo:
        personal = requests.get(sumo.url + "v2/content/folders/personal", auth=AUTH, timeout=5).json()
        path = requests.get(sumo.url + f"v2/content/{personal['id']}/path", auth=AUTH, timeout=5).json()["path"]
        by_path = requests.get(sumo.url + "v2/content/path", params={"path": "/Library/Users/analyst@example.com"},
                               auth=AUTH, timeout=5).json()
    assert path == "/Library/Users/analyst@example.com" and by_path["id"] == personal["id"]


def test_state_persists_to_a_json_file(tmp_path):
    state_file = tmp_path / "state.json"
    with Emulator(rate_limit=1000, state_file=state_file) as sumo:
        personal = requests.get(sumo.url + "v2/content/folders/personal", auth=AUTH, timeout=5).json()
        requests.post(sumo.url + "v2/content/folders", json={"name": "Kept", "parentId": personal["id"]},
                      auth=AUTH, timeout=5).raise_for_status()
    with Emulator(rate_limit=1000, state_file=state_file) as sumo:
        children = requests.get(sumo.url + "v2/content/folders/personal", auth=AUTH, timeout=5).json()["children"]
    assert [c["name"] for c in children] == ["Kept"]


def test_cli_serve_and_the_documented_curl_example(tmp_path):
    """Start `sumo-content emulator serve`, then run the curl line from docs/emulator.md."""
    command = next(line.strip() for line in DOCS.read_text().splitlines() if line.strip().startswith("curl "))
    code = ("import click; from deployer.cli.emulator import register\n"
            "cli = click.Group('sumo-content'); register(cli); cli()")
    server = subprocess.Popen([sys.executable, "-c", code, "emulator", "serve", "--port", "0", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = re.search(r"listening on (\S+)", server.stdout.readline()).group(1)
        assert "ready" in server.stdout.readline()
        command = command.replace("http://127.0.0.1:8080/api/", url)
        if shutil.which("curl"):
            answer = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=10).stdout
        else:  # the same request without curl
            answer = requests.get(url + "sec/v1/rules", auth=AUTH, params={"limit": 10}, timeout=5).text
        assert json.loads(answer) == {"data": {"objects": [], "total": 0, "hasNextPage": False}, "errors": []}
    finally:
        server.terminate()
        server.wait(timeout=10)
