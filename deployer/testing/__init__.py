"""Offline fixture testing: the runner, expectations and --explain, over the sumoql and cseql evaluators."""

from deployer.testing.runner import FixtureResult, Status, TestReport, run_fixtures

__all__ = ["FixtureResult", "Status", "TestReport", "run_fixtures"]
