"""A report (the JSON contract, as a dict) -> the history's rows for one clip.

The history reads the same JSON outside tools read, so a single clip (the CLI) and a folder run
(the batch parent, which reads each worker's report file) record exactly the same fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def rows_from_report(
    data: dict[str, Any],
    *,
    report_path: str | Path | None,
    pack_path: str | Path | None,
    source: str,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``runs`` row, the ``checks`` rows and the ``findings`` rows of one report.

    Parameters
    ----------
    data
        The parsed JSON report.
    report_path, pack_path
        Where the JSON report and the PDF evidence pack were written (None when not written);
        stored as absolute paths. Evidence images in the report are relative to the report's
        folder and are resolved against it.
    source
        ``"clip"`` for a one-clip run, ``"folder"`` for a clip of a folder run.
    """
    clip = data.get("clip") or {}
    user = data.get("user") or {}
    checks = data.get("checks") or {}
    findings = data.get("findings") or []
    report_path = Path(report_path).resolve() if report_path else None
    run = {
        "analysed_at": data.get("created_at"),
        "source": source,
        "clip_path": str(clip.get("path") or ""),
        "clip_sha256": clip.get("sha256"),
        "tool_version": (data.get("tool") or {}).get("version"),
        "settings_digest": (data.get("settings") or {}).get("digest"),
        "platform": user.get("platform"),
        "generation_id": user.get("generation_id"),
        "prompt": user.get("prompt"),
        "duration_s": _float(clip.get("duration_s")),
        "verdict": data.get("verdict"),
        "first_failure_s": _float(data.get("first_failure_s")),
        "lag_ms": _float((checks.get("lipsync") or {}).get("lag_ms")),
        "report_path": str(report_path) if report_path else None,
        "pack_path": str(Path(pack_path).resolve()) if pack_path else None,
        "evidence_image": _first_evidence(findings, report_path),
    }
    check_rows = []
    for mode, check in checks.items():
        own = [f for f in findings if f.get("mode") == mode]
        times = [t for f in own if (t := _float(f.get("first_s"))) is not None]
        check_rows.append(
            {
                "mode": mode,
                "status": (check or {}).get("status"),
                "reason": (check or {}).get("reason"),
                "first_s": min(times) if times else None,
                "kinds": ",".join(sorted({str(f.get("kind")) for f in own})) or None,
            }
        )
    finding_rows = [
        {
            "mode": f.get("mode"),
            "kind": str(f.get("kind")),
            "severity": f.get("severity"),
            "first_s": _float(f.get("first_s")),
            "end_s": _float(f.get("end_s")),
        }
        for f in findings
    ]
    return run, check_rows, finding_rows


def _first_evidence(findings: list[dict], report_path: Path | None) -> str | None:
    """The first evidence image of the earliest finding that has one, as an absolute path."""
    ordered = sorted(findings, key=lambda f: _float(f.get("first_s")) or 0.0)
    for finding in ordered:
        for evidence in finding.get("evidence") or []:
            image = evidence.get("image")
            if image:
                base = report_path.parent if report_path else Path.cwd()
                return str((base / image).resolve())
    return None
