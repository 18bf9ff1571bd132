"""Log-search rendering: scheduled-search and monitor payloads, parameters, overrides, OpenAPI conformance."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.content.loader import load_content
from deployer.render.search import marker_in, render_monitor, render_scheduled_search, with_marker

BRUTE = "5b0e7a44-9c1f-4d1e-8a62-0f3c7d2e9b11"
REPO = Path(__file__).resolve().parents[2]


def test_scheduled_search_substitutes_declared_parameters_only(content, environment):
    body = render_scheduled_search(content[BRUTE], environment("tenant"))
    assert body["search"]["queryText"].startswith("_sourceCategory=tenant/windows/security EventCode=4625")
    notification = body["searchSchedule"]["notification"]
    assert notification["webhookId"] == "00000000000000FF"  # the override's variables win
    assert notification["payload"] == '{"search": "{{SearchName}}"}'  # Sumo's own template untouched
    assert "never-used" not in str(body)


def test_scheduled_search_schedule_threshold_and_marker(content, environment):
    body = render_scheduled_search(content[BRUTE], environment("tenant"))
    schedule = body["searchSchedule"]
    assert schedule["scheduleType"] == "Custom" and schedule["cronExpression"] == "0 0/30 * * * ? *"
    assert schedule["timeZone"] == "Europe/Paris"
    assert schedule["parseableTimeRange"]["from"]["relativeTime"] == "-30m"
    assert schedule["threshold"] == {"operator": "ge", "count": 7}
    assert marker_in(body["description"]) == (BRUTE, None)
    assert body["description"].startswith("Many failed logons from one source.")


def test_disabled_override_drops_the_schedule_and_window_applies(content, environment):
    body = render_scheduled_search(content[BRUTE], environment("disabled"))
    assert "searchSchedule" not in body
    assert body["search"]["defaultTimeRange"] == "-1h"
    assert render_monitor(content[BRUTE], environment("disabled"))["isDisabled"] is True


def test_monitor_triggers_and_notifications(content, environment):
    monitor = render_monitor(content[BRUTE], environment("tenant"))
    critical, resolved = monitor["triggers"]
    assert (critical["threshold"], critical["thresholdType"], critical["timeRange"]) == (7, "GreaterThan", "-15m")
    assert (resolved["triggerType"], resolved["thresholdType"], resolved["resolutionWindow"]) == (
        "ResolvedCritical", "LessThanOrEqual", "-5m")
    email, slack = (n["notification"] for n in monitor["notifications"])
    assert email["recipients"] == ["oncall@tenant.example"] and email["messageBody"] == "See {{ResultsJson}}"
    assert email["timeZone"] == "Europe/Paris"
    assert slack == {"connectionType": "Slack", "connectionId": "00000000000000AB"}
    assert marker_in(monitor["description"]) == (BRUTE, None)


def test_payloads_validate_against_the_openapi_spec(content, environment, openapi_errors):
    for env in ("tenant", "disabled"):
        detection = content[BRUTE]
        assert openapi_errors(render_scheduled_search(detection, environment(env)),
                              "SavedSearchWithScheduleSyncDefinition") == []
        assert openapi_errors(render_monitor(detection, environment(env)), "MonitorsLibraryMonitor") == []


def test_repository_detections_render_and_validate(openapi_errors):
    result = load_content([], REPO)
    searches = [d for d in result.detections if d.search]
    assert searches
    for detection in searches:
        body = render_scheduled_search(detection)
        assert "{{win_source}}" not in body["search"]["queryText"]
        assert openapi_errors(body, "SavedSearchWithScheduleSyncDefinition") == []


def test_output_is_deterministic(content, environment):
    first = render_scheduled_search(content[BRUTE], environment("tenant"))
    assert first == render_scheduled_search(content[BRUTE], environment("tenant"))


@pytest.mark.parametrize("rev", [None, "abc123"])
def test_marker_round_trip(rev):
    text = with_marker(with_marker("Some text", BRUTE), BRUTE, rev)
    assert text.count("[sumo-content:") == 1 and marker_in(text) == (BRUTE, rev)
