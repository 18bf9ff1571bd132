"""Environment files: the shipped ones load, and mistakes are located and explained."""

import pytest

from deployer.content.loader import ContentError, load_content, load_environment
from tests.conftest import DATA, REPO


@pytest.mark.parametrize("name", ["local", "dev", "prod"])
def test_shipped_environments_load(name):
    environment = load_environment(name, REPO)
    assert environment.name == name
    assert environment.access_id_env.isupper() and environment.access_key_env.isupper()


def test_unknown_environment_lists_the_known_ones():
    with pytest.raises(ContentError) as caught:
        load_environment("staging", REPO)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "ENV001"
    assert "dev, local, prod" in diagnostic.hint


def test_plain_http_to_a_remote_host_is_refused():
    with pytest.raises(ContentError) as caught:
        load_environment(str(DATA / "environments" / "bad-endpoint.yaml"), REPO)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "CNT105" and diagnostic.span.line == 2


def test_secrets_cannot_be_written_into_an_environment_file():
    with pytest.raises(ContentError) as caught:
        load_environment(str(DATA / "environments" / "secret-in-file.yaml"), REPO)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "unknown key `access_key` in `credentials`"
    assert (diagnostic.span.line, diagnostic.span.column) == (6, 3)


def test_variables_layer_detection_defaults_environment_and_override():
    detection = next(d for d in load_content(None, REPO).detections if d.id.startswith("19c1d4a5"))
    local = load_environment("local", REPO)
    prod = load_environment("prod", REPO)
    assert local.variables_for(detection)["win_source"] == "*windows*"
    assert prod.variables_for(detection)["win_source"] == "prod/windows/security"
    assert "undeclared" not in prod.variables_for(detection)
