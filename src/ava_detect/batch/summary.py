"""The batch summary files: one row per clip, written as summary.csv, summary.json and
summary.pdf (laid out by :mod:`ava_detect.report.pdf.batch_summary`), and the batch's exit code.

A row is built from the clip's JSON report (freshly written or reused), so the summary always
agrees with the reports; a clip that could not be analysed gets an ``error`` row instead.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..catalog import CHECK_NAMES, severity_rank
from ..errors import ExitCode
from ..report.json import plain, write_text_atomic
from .plan import Job

COLUMNS: tuple[str, ...] = (
    "path",
    "sha256",
    "duration_s",
    "verdict",
    "worst_severity",
    *(f"{name}_status" for name in CHECK_NAMES),
    *(f"{name}_first_s" for name in CHECK_NAMES),
    "first_failure_s",
    "lag_ms",
    "error",
    "report",
    "pdf",
    "resumed",
)

@dataclass
class BatchResult:
    """What :func:`ava_detect.batch.run_batch` returns.

    ``rows`` are the summary rows in the folder's stable order (as in summary.json), ``counts``
    the verdict counts (plus ``resumed``), ``exit_code`` what the command exits with, and
    ``written`` the summary files.
    """

    rows: list[dict[str, Any]]
    counts: dict[str, int]
    exit_code: ExitCode
    written: list[Path] = field(default_factory=list)


# Order of the summary PDF and the final table: what needs attention first.
VERDICT_ORDER = {"fail": 0, "error": 1, "inconclusive": 2, "pass": 3}


def _rel(path: Path, out_dir: Path) -> str:
    return path.relative_to(out_dir).as_posix()


def row_from_report(data: dict, job: Job, out_dir: Path, *, resumed: bool) -> dict[str, Any]:
    """The summary row of a clip whose report ``data`` (the parsed JSON) was written."""
    checks = data.get("checks") or {}
    findings = data.get("findings") or []
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        path=job.rel,
        sha256=(data.get("clip") or {}).get("sha256"),
        duration_s=(data.get("clip") or {}).get("duration_s"),
        verdict=data.get("verdict"),
        first_failure_s=data.get("first_failure_s"),
        lag_ms=(checks.get("lipsync") or {}).get("lag_ms"),
        report=_rel(job.paths.json, out_dir),
        pdf=_rel(job.paths.pdf, out_dir) if job.paths.pdf.exists() else None,
        resumed=resumed,
    )
    severities = [f["severity"] for f in findings if f.get("severity")]
    row["worst_severity"] = min(severities, key=severity_rank) if severities else None
    for name in CHECK_NAMES:
        row[f"{name}_status"] = (checks.get(name) or {}).get("status")
        times = [f["first_s"] for f in findings if f.get("mode") == name]
        row[f"{name}_first_s"] = min(times) if times else None
    return row


def error_row(job: Job, message: str, sha256: str | None) -> dict[str, Any]:
    """The summary row of a clip that could not be analysed."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(path=job.rel, sha256=sha256, verdict="error", error=message, resumed=False)
    return row


def needs_attention(row: dict, fail_on: str) -> bool:
    """True for an error, or a failure at or above the ``fail_on`` severity."""
    if row["verdict"] == "error":
        return True
    worst = row.get("worst_severity")
    return bool(worst) and severity_rank(worst) <= severity_rank(fail_on)


def exit_code(rows: list[dict], fail_on: str) -> ExitCode:
    """CANNOT_ANALYSE (2) if a clip could not be analysed, else FAILURE_FOUND (1) if a failure
    at or above ``fail_on``, else OK (0)."""
    if any(r["verdict"] == "error" for r in rows):
        return ExitCode.CANNOT_ANALYSE
    if any(needs_attention(r, fail_on) for r in rows):
        return ExitCode.FAILURE_FOUND
    return ExitCode.OK


def attention_order(rows: list[dict]) -> list[dict]:
    """Failures (worst severity first), then errors, inconclusive and passes; stable by path."""

    def key(row: dict) -> tuple:
        worst = row.get("worst_severity")
        return (VERDICT_ORDER.get(row["verdict"], 4), severity_rank(worst) if worst else 9)

    return sorted(rows, key=key)


def counts(rows: list[dict]) -> dict[str, int]:
    out = dict.fromkeys(("pass", "fail", "inconclusive", "error"), 0)
    for row in rows:
        out[row["verdict"]] = out.get(row["verdict"], 0) + 1
    out["resumed"] = sum(1 for r in rows if r.get("resumed"))
    return out


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return str(value)


def summary_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return buffer.getvalue()


def summary_dict(
    rows: list[dict],
    *,
    folder: Path,
    out_dir: Path,
    settings_digest: str,
    fail_on: str,
    not_videos: list[str],
    complete: bool,
) -> dict[str, Any]:
    return {
        "tool": {"name": "ava-detect", "version": __version__},
        "kind": "batch-summary",
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "folder": str(folder.resolve()),
        "out": str(out_dir.resolve()),
        "settings_digest": settings_digest,
        "fail_on": fail_on,
        "complete": complete,
        "exit_code": int(exit_code(rows, fail_on)) if complete else None,
        "counts": counts(rows),
        "columns": list(COLUMNS),
        "clips": rows,
        "not_videos": not_videos,
    }


def write_summary(out_dir: Path, summary: dict[str, Any], *, pdf: bool = True) -> list[Path]:
    """Write summary.csv, summary.json and (with ``pdf``) summary.pdf atomically."""
    import json

    written = [out_dir / "summary.csv", out_dir / "summary.json"]
    write_text_atomic(written[0], summary_csv(summary["clips"]))
    text = json.dumps(plain(summary), indent=2, ensure_ascii=False) + "\n"
    write_text_atomic(written[1], text)
    if pdf:
        from ..report.pdf.batch_summary import write_summary_pdf

        ordered = attention_order(summary["clips"])
        written.append(write_summary_pdf(out_dir / "summary.pdf", summary, ordered))
    return written
