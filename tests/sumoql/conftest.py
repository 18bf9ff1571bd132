import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "sumo-queries.dev.jsonl"


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip(f"corpus not present at {CORPUS}")
    return [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


@pytest.fixture
def seed_original() -> str:
    return (DATA / "seed_original.sumo").read_text()


@pytest.fixture
def seed_corrected() -> str:
    return (DATA / "seed_corrected.sumo").read_text()
