"""tests/emulator reuses the emulator/client fixtures of tests/api."""

from tests.api.conftest import client, payloads, sumo  # noqa: F401 - pytest fixtures
