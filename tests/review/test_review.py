"""`sumo-content review` end to end: real git repositories, the CLI in a subprocess, the report and exit codes."""

from __future__ import annotations

from tests.review.support import BURST, LOG_CLEARED, SPRAY

BURST_ID = "165c81de-8647-4902-9b13-b83cbd00115e"
LOG_CLEARED_ID = "4ec3d24d-e730-4f23-92d1-4a8a324c0e54"
NEW_ID = "2a4b6c8d-1e3f-4a5b-8c7d-9e0f1a2b3c4d"
SPRAY_ID = "5b0e2a51-7c1d-4f0e-9a64-2f3c8d9e1a07"


def kinds(report: dict) -> dict[str, str]:
    return {d["id"]: d["kind"] for d in report["detections"]}


def impact(report: dict, environment: str, detection_id: str) -> dict:
    return next(i for i in report["environment_impacts"]
                if i["environment"] == environment and i["detection_id"] == detection_id)


def test_query_and_severity_change_is_a_modification_with_payload_diffs(content_repo):
    content_repo.edit(BURST, "severity: medium", "severity: high")
    content_repo.edit(BURST, "| sort by failures", "| sort by accounts")

    code, report = content_repo.review_json("--base", "HEAD")

    assert code == 0 and report["verdict"] == "ready"
    [change] = report["detections"]
    assert (change["kind"], change["id"]) == ("modified", BURST_ID)
    assert {"path": "severity", "old": "medium", "new": "high"} in change["metadata"]
    [query] = change["text_diffs"]
    assert query["field"] == "search.query"
    assert "-| sort by failures" in query["lines"] and "+| sort by accounts" in query["lines"]
    assert "query or rule logic changed but `version` was not bumped" in change["notes"]
    prod = impact(report, "prod", BURST_ID)
    assert prod["action"] == "update" and prod["selected_head"]
    fields = {f["path"] for p in prod["payloads"] for f in p["fields"]}
    assert "search.queryText" in fields
    assert all(f["status"] == "pass" and f["base_status"] == "pass" for f in report["fixtures"])


def test_moved_file_is_a_rename_not_an_add_and_a_remove(content_repo):
    moved = "content/detections/credential-access/password-spraying.yaml"
    content_repo.git("mv", SPRAY, moved)

    code, report = content_repo.review_json("--base", "HEAD")

    assert code == 0
    [change] = report["detections"]
    assert (change["kind"], change["path"], change["old_path"]) == ("renamed", moved, SPRAY)
    assert change["metadata"] == [] and change["text_diffs"] == []
    assert impact(report, "local", SPRAY_ID)["action"] == "unchanged"


def copy_of_log_cleared(content_repo, new_id: str) -> str:
    text = content_repo.read(LOG_CLEARED).replace(LOG_CLEARED_ID, new_id)
    return text.replace("name: Windows Security Event Log Cleared", "name: Security Log Cleared (copy)")


def test_added_removed_and_deprecated_detections(content_repo):
    content_repo.write("content/detections/defense-evasion/copy.yaml", copy_of_log_cleared(content_repo, NEW_ID))
    (content_repo.path / SPRAY).unlink()
    content_repo.edit(BURST, "status: production", "status: deprecated")

    code, report = content_repo.review_json("--base", "HEAD")

    assert code == 0
    assert kinds(report) == {NEW_ID: "added", SPRAY_ID: "removed", BURST_ID: "deprecated"}
    assert impact(report, "prod", BURST_ID)["action"] == "retire"
    assert impact(report, "local", SPRAY_ID)["action"] == "retire"
    assert impact(report, "local", NEW_ID)["action"] == "create"
    added = [f for f in report["fixtures"] if f["detection_id"] == NEW_ID]
    assert added and all(f["status"] == "pass" and f["base_status"] is None for f in added)
    assert report["coverage"] == {"gained": [], "lost": ["T1110", "T1110.001", "T1110.003"]}


def test_fixture_that_passed_at_base_and_fails_now_blocks(content_repo):
    content_repo.edit(BURST, "| where failures >= {{min_failures}}", "| where failures >= 50")

    done = content_repo.review("--base", "HEAD", "--format", "markdown")

    assert done.returncode == 1
    assert "❌ sumo-content review: blocked: 1 failing fixture(s), 1 passed at base" in done.stdout
    assert "Brute Force - Burst of Failed Windows Logons from One Source::password-spray` fails in prod (passed at base)" \
        in done.stdout
    assert "<details><summary>~ Brute Force" in done.stdout and "```diff" in done.stdout


def test_validation_error_blocks_with_file_line_col(content_repo):
    content_repo.edit(BURST, "    | sort by failures", "    | eval x = 1\n    | sort by failures")

    code, report = content_repo.review_json("--base", "HEAD")

    assert code == 1 and report["verdict"] == "blocked"
    [diagnostic] = report["diagnostics"]
    assert (diagnostic["code"], diagnostic["path"], diagnostic["span"]["line"]) == ("SQL101", BURST, 48)
    assert report["blockers"] == ["1 validation error(s)"]
    assert report["fixtures"] == []  # a file that does not validate is not run


def test_file_that_no_longer_loads_is_invalid_not_removed(content_repo):
    content_repo.edit(BURST, "severity: medium", "severity: [medium")

    done = content_repo.review("--base", "HEAD")

    assert done.returncode == 1
    assert f"! Brute Force - Burst of Failed Windows Logons from One Source [invalid] {BURST}" in done.stdout
    assert "verdict: blocked: 1 validation error(s)" in done.stdout


def test_cross_file_error_in_an_untouched_file_is_reported(content_repo):
    content_repo.write("content/detections/credential-access/a-duplicate.yaml",
                       copy_of_log_cleared(content_repo, SPRAY_ID))

    code, report = content_repo.review_json("--base", "HEAD")

    assert code == 1
    assert [(d["code"], d["path"]) for d in report["diagnostics"]] == [("CNT301", SPRAY)]


def test_environment_change_renders_every_detection_it_deploys(content_repo):
    content_repo.edit("environments/prod.yaml", "win_source: prod/windows/security", "win_source: prod/windows/sec2")

    code, report = content_repo.review_json("--base", "HEAD", "--env", "prod")

    assert code == 0 and report["detections"] == [] and report["environments"] == ["prod"]
    [prod] = report["environment_impacts"]
    assert (prod["detection_id"], prod["action"]) == (BURST_ID, "update")
    query = next(f for p in prod["payloads"] for f in p["fields"] if f["path"] == "search.queryText")
    assert "prod/windows/sec2" in query["new"] and "prod/windows/security" in query["old"]


def test_head_ref_compares_two_commits(content_repo):
    content_repo.edit(SPRAY, "severity: medium", "severity: critical")
    content_repo.edit(SPRAY, "One source address fails", "A single source address fails")
    content_repo.commit("raise spraying severity")
    content_repo.edit(BURST, "severity: medium", "severity: low")  # uncommitted: not part of HEAD

    done = content_repo.review("--base", "HEAD~1", "--head", "HEAD", "--env", "local")

    assert done.returncode == 0
    assert "Password Spraying" in done.stdout and "severity: medium -> critical" in done.stdout
    assert "Brute Force" not in done.stdout
    assert "local: update (1 field(s))" in done.stdout
    assert "cse_rule fields.description: One source address fails" in done.stdout


def test_markdown_is_a_pr_comment(content_repo):
    content_repo.edit(BURST, "| sort by failures", "| sort by accounts")

    done = content_repo.review("--base", "HEAD", "--format", "markdown", "--env", "prod")

    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "<!-- sumo-content-review -->"
    assert lines[1] == "### ✅ sumo-content review: ready"
    assert "| | Detection | Change | Metadata | Fixtures | prod |" in lines
    assert "  - `- | sort by failures`" in lines and "  - `+ | sort by accounts`" in lines


def test_no_changes_is_ready(content_repo):
    done = content_repo.review("--base", "HEAD")
    assert done.returncode == 0
    assert "0 detection(s) changed" in done.stdout and done.stdout.rstrip().endswith("verdict: ready")


def test_unknown_ref_and_environment_are_usage_errors(content_repo):
    ref = content_repo.review("--base", "origin/no-such-branch")
    env = content_repo.review("--base", "HEAD", "--env", "staging")

    assert ref.returncode == 2 and "unknown git ref 'origin/no-such-branch'" in ref.stderr
    assert "git fetch" in ref.stderr
    assert env.returncode == 2 and "unknown environment 'staging'" in env.stderr and "local, prod" in env.stderr
    assert "Traceback" not in ref.stderr + env.stderr


def test_outside_a_git_repository_is_a_clear_error(content_repo, tmp_path):
    elsewhere = tmp_path / "not-a-repo"
    (elsewhere / "content").mkdir(parents=True)

    done = content_repo.review("--base", "HEAD", cwd=elsewhere)

    assert done.returncode == 1
    assert "is not inside a git repository" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr


def test_fixture_that_fails_only_in_prod_blocks_and_names_prod(content_repo):
    # a fixture whose events come from a literal category: inside local's default scope (*windows*) and
    # inside prod's until prod's scope moves
    folder = "content/detections/credential-access/t1110-001-failed-logon-burst/"
    content_repo.write(folder + "literal-source.jsonl", content_repo.read(folder + "spray-12-in-2-minutes.jsonl")
                       .replace("{{win_source}}", "prod/windows/security"))
    content_repo.edit(BURST, "  - name: a-few-typos\n", "  - name: literal-source\n    target: search\n"
                      "    events_file: t1110-001-failed-logon-burst/literal-source.jsonl\n    expect: {match: true}\n"
                      "  - name: a-few-typos\n")
    content_repo.commit("fixture with a literal source category")
    content_repo.edit("environments/prod.yaml", "win_source: prod/windows/security", "win_source: prod/windows/sec2")
    content_repo.edit(BURST, "severity: medium", "severity: high")

    code, report = content_repo.review_json("--base", "HEAD")
    done = content_repo.review("--base", "HEAD", "--format", "markdown")

    assert code == 1 and report["verdict"] == "blocked"
    assert report["blockers"] == ["1 failing fixture(s), 1 passed at base"]
    [failing] = [f for f in report["fixtures"] if f["status"] != "pass"]
    assert (failing["fixture"], failing["environment"], failing["base_status"]) == ("literal-source", "prod", "pass")
    local = [f for f in report["fixtures"] if f["environment"] == "local"]
    assert len(local) == 4 and all(f["status"] == "pass" for f in local)
    assert "::literal-source` fails in prod (passed at base)" in done.stdout
    assert "| 3/4 pass in prod |" in done.stdout


def test_fixtures_of_a_detection_no_reviewed_environment_selects_run_in_local(content_repo):
    content_repo.edit(LOG_CLEARED, "severity: high", "severity: critical")  # status test: prod does not select it

    code, report = content_repo.review_json("--base", "HEAD", "--env", "prod")

    assert code == 0 and report["fixture_environments"] == ["local"]
    assert report["fixtures"] and all(f["environment"] == "local" for f in report["fixtures"])
