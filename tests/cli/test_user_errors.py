"""User mistakes on the command line end in a clear message and exit code, never a traceback."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A copy of the repository's content and environments (commands write .demo/ state there)."""
    root = tmp_path_factory.mktemp("workspace")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "environments", root / "environments")
    return root


CASES = [
    (["emulator", "serve", "--port", "99999"], 2, "99999 is not in the range 0<=x<=65535"),
    (["plan", "--env", "local", "--out", "missing-dir/plan.json"], 1, "cannot write missing-dir/plan.json"),
    (["test", "--format", "junit", "--output", "missing-dir/report.xml"], 1, "cannot write missing-dir/report.xml"),
    (["plan", "--env", "staging"], 1, "unknown environment `staging`"),
    (["render", "no-such-detection", "--env", "local"], 1, "no detection matches 'no-such-detection'"),
    (["validate", "--format", "xml"], 2, "Invalid value for '--format'"),
]


@pytest.mark.parametrize(("args", "code", "message"), CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_user_error_is_clean(workspace, args, code, message):
    result = subprocess.run([sys.executable, "-m", "deployer", *args], cwd=workspace, capture_output=True,
                            text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
