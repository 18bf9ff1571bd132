"""`make demo`: the whole story against the built-in emulator, through the real CLI, in the `local` environment.

validate -> test -> plan -> apply -> plan (nothing to do) -> an out-of-band edit over the emulator's HTTP
API -> drift shows it -> apply repairs it -> drift is clean. Emulator state lives in .demo/.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / ".demo" / "emulator-state.json"
ENV = {"SUMO_LOCAL_ACCESS_ID": "sumo-content-demo"}


def step(title: str) -> None:
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    print(f"\n{bold}== {title}{plain}", flush=True)


def cli(*args: str, ok: tuple[int, ...] = (0,)) -> int:
    print(f"$ sumo-content {' '.join(args)}", flush=True)
    code = subprocess.run([sys.executable, "-m", "deployer", *args], cwd=ROOT, env=os.environ | ENV).returncode
    print(f"(exit {code})", flush=True)
    if code not in ok:
        sys.exit(f"demo stopped: `sumo-content {' '.join(args)}` exited {code}, expected {' or '.join(map(str, ok))}")
    return code


def has_command(name: str) -> bool:
    listing = subprocess.run([sys.executable, "-m", "deployer", "--help"], cwd=ROOT, capture_output=True, text=True)
    return any(line.split()[:1] == [name] for line in listing.stdout.splitlines())


def disable_a_rule_out_of_band() -> str:
    """Act like a colleague in the Sumo UI: disable one managed Cloud SIEM rule, over HTTP."""
    from deployer.emulator import Emulator

    with Emulator(ENV["SUMO_LOCAL_ACCESS_ID"], ENV["SUMO_LOCAL_ACCESS_KEY"], state_file=STATE) as sumo:
        auth = (ENV["SUMO_LOCAL_ACCESS_ID"], ENV["SUMO_LOCAL_ACCESS_KEY"])
        rules = requests.get(f"{sumo.url}sec/v1/rules", params={"q": 'tag:contains("sumo-content:id=")'},
                             auth=auth, timeout=10).json()["data"]["objects"]
        rule = rules[0]
        requests.put(f"{sumo.url}sec/v1/rules/{rule['id']}/enabled", json={"enabled": False}, auth=auth,
                     timeout=10).raise_for_status()
        return f"{rule['id']} ({rule['name']})"


def main() -> None:
    key = os.environ.get("SUMO_LOCAL_ACCESS_KEY")
    if key:
        ENV["SUMO_LOCAL_ACCESS_ID"] = os.environ.get("SUMO_LOCAL_ACCESS_ID", ENV["SUMO_LOCAL_ACCESS_ID"])
    else:
        print("SUMO_LOCAL_ACCESS_KEY is unset: the demo generated emulator credentials for this run (not shown)")
    ENV["SUMO_LOCAL_ACCESS_KEY"] = key or secrets.token_urlsafe(24)
    if STATE.exists():
        print(f"reusing emulator state from {STATE.relative_to(ROOT)} (delete it to start from an empty tenant)")

    step("1. validate: schema, ids, fixtures, query and expression lint")
    cli("validate")
    skip = ()
    if has_command("test"):
        step("2. test: every fixture, offline")
        cli("test", "--env", "local")
    else:
        step("2. test: SKIPPED, the `test` command is not available in this build; apply runs with --skip-tests")
        skip = ("--skip-tests",)
    step("3. plan: what would change in the local tenant (the built-in emulator)")
    cli("plan", "--env", "local", "--detailed-exitcode", ok=(0, 2))
    step("4. apply")
    cli("apply", "--env", "local", *skip)
    step("5. plan again: nothing to do")
    cli("plan", "--env", "local", "--detailed-exitcode")
    step("6. an out-of-band edit: someone disables a managed rule in the tenant")
    print(f"disabled {disable_a_rule_out_of_band()} through the emulator's HTTP API")
    step("7. drift shows it (exit 2)")
    cli("drift", "--env", "local", ok=(2,))
    step("8. apply repairs it")
    cli("apply", "--env", "local", *skip)
    step("9. drift is clean")
    cli("drift", "--env", "local")
    print("\ndemo complete: run `make demo` again and step 3 reports nothing to do")


if __name__ == "__main__":
    main()
