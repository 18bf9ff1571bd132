"""Environment selection: status, tags, ids, path globs, exclude_ids, deprecation, unknown override ids."""

from __future__ import annotations

from dataclasses import replace

from deployer.sync.select import is_selected, select_detections

MATCH = "0a6c7e10-1111-4a1a-9a1a-000000000001"
OLD = "0a6c7e10-4444-4a1a-9a1a-000000000004"


def test_default_selects_everything_but_retires_deprecated(detections, environment):
    selection = select_detections(detections, environment)
    assert OLD not in {d.id for d in selection.deploy}
    assert [d.id for d in selection.retired] == [OLD]


def test_each_criterion(detections):
    match = next(d for d in detections if d.id == MATCH)
    assert is_selected(match, {})
    assert is_selected(match, {"status": ["production"], "tags": ["windows", "linux"]})
    assert not is_selected(match, {"status": ["test"]})
    assert not is_selected(match, {"tags": ["linux"]})
    assert is_selected(match, {"ids": [MATCH]}) and not is_selected(match, {"ids": [OLD]})
    assert is_selected(match, {"paths": ["content/detections/**"]})
    assert not is_selected(match, {"paths": ["content/other/*"]})
    assert not is_selected(match, {"exclude_ids": [MATCH]})


def test_overrides_for_unknown_ids_are_reported(detections, environment):
    env = replace(environment, data={**environment.data, "overrides": {"ffffffff-0000-4000-8000-000000000000": {}}})
    assert select_detections(detections, env).unknown_override_ids == ("ffffffff-0000-4000-8000-000000000000",)
