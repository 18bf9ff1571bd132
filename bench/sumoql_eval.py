"""Benchmark: the seed detection's query through the interpreter versus a hand-written baseline.

Owns the figures for issue 4 item 6 (100,000 synthetic process events, 5 % matching); it does not
assert targets. Both sides do the same extraction and scoring with precompiled regexes.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from deployer.sumoql import compile_query, parse

QUERY = Path(__file__).resolve().parents[1] / "tests" / "sumoql" / "data" / "seed_corrected.sumo"
EVENTS = 100_000
TOOLS = ["chisel.exe client 10.0.0.9:8443 R:socks", "netsh interface portproxy add v4tov4 listenport=8080",
         "ssh.exe -L 9090:10.1.1.5:445 jump", "cmd.exe /c netsh listenport=1 connectport=2"]
BENIGN = ["notepad.exe report.txt", "svchost.exe -k netsvcs", "explorer.exe", "powershell.exe Get-Date"]


def synthetic_events(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    events = []
    for i in range(count):
        command = rng.choice(TOOLS) if i % 20 == 0 else rng.choice(BENIGN)
        image = command.split()[0]
        raw = (f'EventCode=4688 NewProcessName=C:\\Windows\\{image} CommandLine="{command}" '
               f"ParentProcessName=C:\\Windows\\explorer.exe SubjectUserName=user{i % 50} ComputerName=WS{i % 300}")
        events.append({"_raw": raw, "_sourceCategory": "prod/windows/security", "_messageTime": 1_700_000_000_000 + i})
    return events


EVENT = re.compile(r"(?i)(EventCode=1|EventID=1|EventCode=4688|EventID=4688)\b")
FIELDS = {name: re.compile(pattern) for name, pattern in {
    "process_image": r"(?i)(?:Image|NewProcessName)[>=: '\"]+(?P<v>[^\s<'\"]+)",
    "command_line": r"(?i)(?:CommandLine|ProcessCommandLine)[>=: '\"]+(?P<v>[^<'\"]{1,500})",
    "parent_image": r"(?i)(?:ParentImage|ParentProcessName)[>=: '\"]+(?P<v>[^\s<'\"]+)",
    "user": r"(?i)(?:User|SubjectUserName)[>=: '\"]+(?P<v>[^\s<'\"]+)",
    "host": r"(?i)(?:Computer|Hostname|ComputerName)[>=: '\"]+(?P<v>[^\s<'\"]+)",
}.items()}
PROXY_IMAGE = re.compile(r"(htran|zxproxy|lcx\.exe|socat|chisel|ligolo|frpc|frps|earthworm|ew\.exe|gost|iox|revsocks|venom)")
PROXY_CMD = re.compile(r"(htran|zxproxy|lcx|earthworm|chisel|ligolo|frpc|frps|gost|iox|revsocks|pivotnacci|rpivot)")
SSH_IMAGE = re.compile(r"(ssh\.exe|plink\.exe|^ssh$)")
SSH_CMD = re.compile(r"(\s-[lrd]\s|localforward|remoteforward|gatewayports|allowtcpforwarding|-w \d)")
PORTFWD = re.compile(r"(v4tov4|listenport=|connectport=|connectaddress=|listenaddress=)")
NETSH, PORTPROXY, ADD = re.compile(r"netsh\.exe"), re.compile("portproxy"), re.compile(r"\badd\b")
CATEGORY = re.compile(r".*(windows|sysmon|endpoint).*", re.I)


def baseline(events: list[dict]) -> list[dict]:
    rows = []
    for event in events:
        raw = event["_raw"]
        if not CATEGORY.fullmatch(event["_sourceCategory"]) or not EVENT.search(raw):
            continue
        row = dict(event)
        for name, regex in FIELDS.items():
            match = regex.search(raw)
            row[name] = match.group("v") if match else None
        image, command = (row["process_image"] or "").lower(), (row["command_line"] or "").lower()
        proxy = int(bool(PROXY_IMAGE.search(image) or PROXY_CMD.search(command)))
        netsh = int(bool(NETSH.search(image) and PORTPROXY.search(command) and ADD.search(command)))
        ssh = int(bool(SSH_IMAGE.search(image) and SSH_CMD.search(command)))
        portfwd = int(bool(PORTFWD.search(command)))
        score = proxy + netsh + ssh + portfwd
        if score > 0:
            row["suspicion_score"] = score
            row["detection_type"] = ("KnownProxyTool" if proxy else "NetshPortProxy" if netsh else
                                     "SSHTunneling" if ssh else "PortForwardCommand")
            rows.append(row)
    rows.sort(key=lambda r: r["_messageTime"], reverse=True)
    return rows


def _timed(work) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main(runs: int = 3) -> dict:
    """Best of `runs` for each side, alternating, so a busy machine skews both alike."""
    events = synthetic_events(EVENTS)
    pipeline = compile_query(parse(QUERY.read_text()))
    interpreter_seconds = baseline_seconds = float("inf")
    for _ in range(runs):
        seconds, interpreted = _timed(lambda: pipeline.run(events).rows)
        interpreter_seconds = min(interpreter_seconds, seconds)
        seconds, expected = _timed(lambda: baseline(events))
        baseline_seconds = min(baseline_seconds, seconds)
    result = {
        "events": EVENTS,
        "matching_rows": len(interpreted),
        "rows_agree": len(interpreted) == len(expected),
        "interpreter_events_per_s": round(EVENTS / interpreter_seconds),
        "baseline_events_per_s": round(EVENTS / baseline_seconds),
        "interpreter_over_baseline_time_ratio": round(interpreter_seconds / baseline_seconds, 2),
    }
    for key, value in result.items():
        print(f"{key}: {value}")
    return result


if __name__ == "__main__":
    main()
