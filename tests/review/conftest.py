"""The `content_repo` fixture: real detections and environments in a fresh git repository, committed once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.review.support import BURST, DETECTIONS, LOG_CLEARED, REPO, SPRAY, ContentRepo


@pytest.fixture
def content_repo(tmp_path: Path) -> ContentRepo:
    """Three real detections (log searches with and without event files, a CSE rule), the local and prod
    environments and the content policy, committed once."""
    repo = ContentRepo(tmp_path / "repo")
    for relative in (BURST, SPRAY, LOG_CLEARED, "content/config.yaml", "environments/local.yaml",
                     "environments/prod.yaml"):
        repo.write(relative, (REPO / relative).read_text(encoding="utf-8"))
    shutil.copytree(DETECTIONS / "credential-access" / "t1110-001-failed-logon-burst",
                    repo.path / "content/detections/credential-access/t1110-001-failed-logon-burst")
    repo.git("init", "-q")
    repo.commit("base content")
    return repo
