"""A local Sumo Logic API (CSE rules, Library content, Monitors) for tests, demos and CI.

Public surface: `Emulator` (server.py), `FaultSpec` (faults.py), `SumoState` (models.py).
"""

from deployer.emulator.faults import FaultSpec, FaultSpecError
from deployer.emulator.models import SumoState
from deployer.emulator.server import Emulator

__all__ = ["Emulator", "FaultSpec", "FaultSpecError", "SumoState"]
