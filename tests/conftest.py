"""Shared test helpers: repository paths and the optional ../shared reference data."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"


@pytest.fixture
def repo() -> Path:
    return REPO


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test when the reference data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not present: {path}")
    return path
