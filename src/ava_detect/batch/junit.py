"""A folder run as JUnit XML: the test-results format CI systems (GitLab, Jenkins, GitHub
Actions reporters) show.

One ``<testcase>`` per clip, named by its path in the folder: a clip with a failure at or above
``--fail-on`` has a ``<failure>`` naming the technical term and the first-failure time, a clip
that could not be analysed an ``<error>``, an inconclusive clip is ``<skipped>`` with the
reason; everything else passes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import OutputError
from ..report.json import write_text_atomic
from ..report.timefmt import both
from .summary import needs_attention


def _report(row: dict, out_dir: Path) -> dict:
    if not row.get("report"):
        return {}
    try:
        return json.loads((out_dir / row["report"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _failure(case: ET.Element, report: dict) -> None:
    findings = report.get("findings") or []
    first = min(findings, key=lambda f: f["first_s"])
    terms = sorted({f["technical_term"] for f in findings})
    failure = ET.SubElement(case, "failure", {
        "message": f"{first['technical_term']} first visible at {both(first['first_s'])}",
        "type": first.get("severity") or "failure",
    })
    lines = [f"{len(findings)} finding(s): {', '.join(terms)}"]
    lines += [f"- {both(f['first_s'])} {f['technical_term']} ({f['kind']}, {f['severity']}): "
              f"{f['description']}" for f in sorted(findings, key=lambda f: f["first_s"])]
    failure.text = "\n".join(lines)


def _skip_reason(report: dict) -> str:
    reasons = [f"{name}: {check.get('reason')}" for name, check in
               (report.get("checks") or {}).items() if check.get("status") == "inconclusive"]
    return "; ".join(reasons) or "not every check could measure this clip"


def junit_xml(rows: list[dict], out_dir: Path, fail_on: str) -> str:
    """The JUnit XML text of a folder run's summary ``rows`` (reports read from ``out_dir``)."""
    suite = ET.Element("testsuite", {"name": "ava-detect"})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for row in rows:
        counts["tests"] += 1
        case = ET.SubElement(suite, "testcase", {
            "classname": "ava-detect", "name": row["path"],
            "time": str(row.get("duration_s") or 0)})
        report = _report(row, out_dir)
        if row["verdict"] == "error":
            ET.SubElement(case, "error", {"message": row.get("error") or "could not be analysed"})
            counts["errors"] += 1
        elif row["verdict"] == "fail" and needs_attention(row, fail_on) and report:
            _failure(case, report)
            counts["failures"] += 1
        elif row["verdict"] == "inconclusive":
            ET.SubElement(case, "skipped", {"message": _skip_reason(report)})
            counts["skipped"] += 1
        if row.get("report"):
            ET.SubElement(case, "system-out").text = f"report: {row['report']}" + (
                f"\nevidence pack: {row['pdf']}" if row.get("pdf") else "")
    suite.attrib.update({k: str(v) for k, v in counts.items()})
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode")


def write_junit(path: Path, rows: list[dict], out_dir: Path, fail_on: str) -> Path:
    """Write the JUnit XML atomically; returns the path.

    An existing file is replaced only when it is an ava-detect JUnit file (a re-run); any other
    file at that path is left untouched (:class:`OutputError`).
    """
    if path.exists():
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:300]
        except OSError as exc:
            raise OutputError(f"{path}: cannot be read ({exc.strerror}).") from exc
        if not path.is_file() or '<testsuite name="ava-detect"' not in head:
            raise OutputError(f"{path} exists and is not an ava-detect JUnit file; it was left "
                              "untouched. Choose another --junit path.")
    write_text_atomic(path, junit_xml(rows, out_dir, fail_on))
    return path
