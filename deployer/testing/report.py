"""Rendering a TestReport: text lines for people, JSON for machines, JUnit XML for CI test reports.

Owns presentation only; results come from the runner.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from deployer.testing.runner import Status, TestReport

MAX_ROWS_SHOWN = 3


def to_json(report: TestReport) -> dict:
    return {
        "ok": report.ok,
        "environment": report.environment,
        "summary": {s.value: report.count(s) for s in Status},
        "results": [
            {
                "detection_id": r.detection_id,
                "detection": r.detection_name,
                "path": r.path,
                "fixture": r.fixture,
                "target": r.target,
                "status": r.status.value,
                "failures": list(r.failures),
                "rows": list(r.rows),
                "explanation": list(r.explanation),
                "seconds": round(r.seconds, 6),
            }
            for r in report.results
        ],
    }


def to_junit(report: TestReport) -> str:
    suite = ET.Element("testsuite", name=f"sumo-content ({report.environment})", tests=str(len(report.results)),
                       failures=str(report.count(Status.FAIL)), errors=str(report.count(Status.ERROR)),
                       time=f"{sum(r.seconds for r in report.results):.6f}")
    for r in report.results:
        case = ET.SubElement(suite, "testcase", classname=r.detection_name, name=r.fixture, file=r.path,
                             time=f"{r.seconds:.6f}")
        if r.status is Status.FAIL:
            failure = ET.SubElement(case, "failure", message=r.failures[0] if r.failures else "failed")
            failure.text = "\n".join([*r.failures, *r.explanation])
        elif r.status is Status.ERROR:
            error = ET.SubElement(case, "error", message=r.failures[0] if r.failures else "error")
            error.text = "\n".join(r.failures)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def text_lines(report: TestReport) -> list[tuple[str, str]]:
    """(style, text) pairs: one line per fixture, details under failures, and a summary line."""
    styles = {Status.PASS: "green", Status.FAIL: "red", Status.ERROR: "magenta"}
    lines: list[tuple[str, str]] = []
    for r in report.results:
        lines.append((styles[r.status], f"{r.status.value.upper():5} {r.test_id}  [{r.target}]"))
        if r.status is Status.PASS:
            continue
        lines += [("", f"      {failure}") for failure in r.failures]
        if r.status is Status.FAIL and r.rows:
            lines.append(("dim", f"      actual ({len(r.rows)} row(s)):"))
            lines += [("dim", f"        {_row(row)}") for row in r.rows[:MAX_ROWS_SHOWN]]
            if len(r.rows) > MAX_ROWS_SHOWN:
                lines.append(("dim", f"        … {len(r.rows) - MAX_ROWS_SHOWN} more"))
        if r.explanation:
            lines.append(("bold", "      explain:"))
            lines += [("", f"        {line}") for line in r.explanation]
    total = len(report.results)
    summary = (f"{report.count(Status.PASS)} passed, {report.count(Status.FAIL)} failed, "
               f"{report.count(Status.ERROR)} error(s) in {total} fixture(s) (environment: {report.environment})")
    lines.append(("bold green" if report.ok else "bold red", summary))
    if not report.ok and not any(r.explanation for r in report.results):
        lines.append(("dim", "rerun with --explain to see each event's path through the query"))
    return lines


def _row(row: dict, width: int = 150) -> str:
    text = ", ".join(f"{k}={v}" for k, v in row.items())
    return text if len(text) <= width else text[: width - 1] + "…"
