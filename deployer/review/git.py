"""The git side of review: resolve refs, list changed content files, export a commit's content to a folder.

Owns every `git` subprocess review runs (read-only: it never touches the index, HEAD or worktrees);
comparing the content itself is changes.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from deployer.review.report import FileChange

CONTENT_DIRS = ("content", "environments")


class GitError(Exception):
    """git could not answer; `hint` says what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


class UnknownRef(GitError):
    """A ref the user passed does not name a commit here (a usage error)."""

    def __init__(self, ref: str):
        super().__init__(f"unknown git ref {ref!r}",
                         "fetch it first (e.g. `git fetch origin main`, or actions/checkout with fetch-depth: 0), "
                         "or pass a branch, tag or commit that exists here")
        self.ref = ref


def _git(args: list[str], cwd: Path, *, data: bytes | None = None, failure: GitError | None = None) -> bytes:
    """git's stdout; `failure` (or a generic GitError naming the command) when git exits non-zero."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", "install git; review compares commits with it")
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise failure or GitError(f"`git {' '.join(args)}` failed: {detail[-1] if detail else done.returncode}",
                                  "run the same git command by hand to see why")
    return done.stdout


def repository(root: Path) -> tuple[Path, str]:
    """(top-level folder of the git repository holding `root`, `root`'s path inside it, e.g. '' or 'rules/')."""
    failure = GitError(f"{root} is not inside a git repository",
                       "run review from a clone of the content repository (in CI: actions/checkout with fetch-depth: 0)")
    top = _git(["rev-parse", "--show-toplevel"], root, failure=failure).decode().strip()
    prefix = _git(["rev-parse", "--show-prefix"], root, failure=failure).decode().strip()
    return Path(top), prefix


def resolve(ref: str, top: Path) -> str:
    """The full commit id `ref` names; UnknownRef when it names none."""
    args = ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
    return _git(args, top, failure=UnknownRef(ref)).decode().strip()


def changed_files(base: str, head: str | None, root: Path) -> tuple[FileChange, ...]:
    """Files under content/ and environments/ that differ between `base` and `head` (None: the working tree,
    untracked files included), paths relative to `root`; renames detected by git (-M)."""
    spec = ["--", *CONTENT_DIRS]
    out = _git(["diff", "--name-status", "-z", "-M", "--relative", "--no-ext-diff", base,
                *([head] if head else []), *spec], root)
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    changes: list[FileChange] = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index][0]
        if status == "R":
            changes.append(FileChange(status, fields[index + 2], fields[index + 1]))
            index += 3
        else:
            changes.append(FileChange(status, fields[index + 1]))
            index += 2
    if head is None:
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z", *spec], root)
        changes += [FileChange("A", path) for path in untracked.decode("utf-8", "surrogateescape").split("\0") if path]
    return tuple(sorted(changes, key=lambda c: c.path))


def export_content(commit: str, top: Path, prefix: str, dest: Path) -> Path:
    """Write content/ and environments/ as they are at `commit` under `dest`; returns the content root there."""
    root = dest / prefix
    root.mkdir(parents=True, exist_ok=True)
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", f"{commit}:{prefix}", "--", *CONTENT_DIRS], top)
    blobs = []
    for entry in listing.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, oid = meta.split()
        if kind == "blob" and mode != "120000":  # symlinks are not followed out of the commit
            blobs.append((oid, path))
    if not blobs:
        return root
    stream = _git(["cat-file", "--batch"], top, data="".join(f"{oid}\n" for oid, _ in blobs).encode())
    offset = 0
    for _oid, path in blobs:
        header_end = stream.index(b"\n", offset)
        size = int(stream[offset:header_end].split()[2])
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stream[header_end + 1: header_end + 1 + size])
        offset = header_end + 1 + size + 1
    return root
