"""tests/live reuses the payload fixtures of tests/api."""

from tests.api.conftest import payloads  # noqa: F401 - pytest fixture
