"""Review test helpers: a git repository of real content in a temporary folder, and the CLI run inside it.

Owns the repository plumbing and the paths of the files tests edit; the edits themselves are the tests'.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DETECTIONS = REPO / "content" / "detections"
BURST = "content/detections/credential-access/t1110-001-failed-logon-burst.yaml"
SPRAY = "content/detections/credential-access/t1110-003-password-spraying-cse.yaml"
LOG_CLEARED = "content/detections/defense-evasion/t1070-001-security-log-cleared.yaml"
GIT_IDENTITY = ["-c", "user.name=review tests", "-c", "user.email=review@example.com", "-c", "commit.gpgsign=false"]


class ContentRepo:
    def __init__(self, path: Path):
        self.path = path

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=self.path, capture_output=True, text=True, check=True)
        return done.stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def edit(self, relative: str, old: str, new: str) -> None:
        text = self.read(relative)
        assert old in text, f"{old!r} not in {relative}"
        self.write(relative, text.replace(old, new, 1))

    def review(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        # git must not find a repository above the temporary folder (the test's "not a repo" case)
        env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(self.path.parent)}
        return subprocess.run([sys.executable, "-m", "deployer", "review", *args], cwd=cwd or self.path,
                              capture_output=True, text=True, timeout=60, env=env)

    def review_json(self, *args: str) -> tuple[int, dict]:
        done = self.review(*args, "--format", "json")
        assert done.stderr == "", done.stderr
        return done.returncode, json.loads(done.stdout)
