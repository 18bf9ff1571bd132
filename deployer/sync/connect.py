"""Building a SumoClient for an Environment; for `endpoint: emulator`, starting the built-in emulator.

Owns credentials lookup (env vars only; generated demo credentials for the emulator, never printed),
pacing from the environment and the emulator's persisted state file; the sync engine only receives
the client this yields.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deployer.api import SumoClient
from deployer.content.model import Environment
from deployer.emulator import Emulator

STATE_FILE = Path(".demo") / "emulator-state.json"
EMULATOR_PACING = {"rate_per_second": 4.0, "burst": 4, "max_in_flight": 4}
PERSONAL = "/Library/Users/"


@contextmanager
def connect(environment: Environment, root: Path, notes: list[str]) -> Iterator[SumoClient]:
    """A client for `environment`; appends what a user should know (never a secret) to `notes`."""
    pacing = {**(EMULATOR_PACING if environment.uses_emulator else {}), **environment.pacing}
    if not environment.uses_emulator:
        with SumoClient.for_deployment(environment.deployment, environment.endpoint, environment.access_id_env,
                                       environment.access_key_env, **pacing) as client:
            yield client
        return
    access_id = os.environ.get(environment.access_id_env) or "sumo-content-demo"
    access_key = os.environ.get(environment.access_key_env)
    if not access_key:
        access_key = secrets.token_urlsafe(24)
        notes.append(f"{environment.access_key_env} is unset: using generated demo credentials for the built-in "
                     "emulator")
    state_file = root / STATE_FILE
    state_file.parent.mkdir(exist_ok=True)
    extra = {}
    if environment.folder.startswith(PERSONAL):  # the emulated user owns the configured personal folder
        extra["user_email"] = environment.folder[len(PERSONAL):].split("/", 1)[0]
    emulator = Emulator(access_id, access_key, rate_limit=pacing["rate_per_second"],
                        max_concurrent=pacing["max_in_flight"], state_file=state_file, job_latency=0.02, **extra)
    with emulator, SumoClient(emulator.url, access_id, access_key, job_poll_interval=0.05, **pacing) as client:
        notes.append(f"built-in Sumo API emulator on {emulator.url} (state: {state_file.relative_to(root)})")
        yield client
