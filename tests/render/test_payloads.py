"""render_payloads: every payload a detection becomes in an environment, in a fixed order."""

from deployer.content.loader import load_content, load_environment
from deployer.render import render_payloads
from tests.conftest import REPO


def test_kinds_and_order_follow_the_detection_blocks():
    content = load_content(None, REPO)
    prod = load_environment("prod", REPO)
    by_id = {d.id: d for d in content.detections}
    seed = render_payloads(by_id["19c1d4a5-1c89-4138-9533-1c42e2babcf3"], prod)
    assert [p.kind for p in seed] == ["cse_rule", "scheduled_search"]
    assert seed[0].endpoint_type == "templated" and seed[0].path.endswith("/rules/templated")
    burst = render_payloads(by_id["165c81de-8647-4902-9b13-b83cbd00115e"], prod)
    assert [p.kind for p in burst] == ["scheduled_search", "monitor"]
    assert all(p.endpoint_type is None for p in burst)
