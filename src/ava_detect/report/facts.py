"""The words and numbers of the evidence pack, as plain rows: what the PDF lays out.

Nothing here draws; :mod:`.pdf` turns these rows into tables. Keeping the content apart from the
layout lets tests and the ticket use the same wording.
"""

from __future__ import annotations

import math
from typing import Any

from ..catalog import FAILURE_MODES, QUANTITY_WORDING, STATUS_MEANING, explain_setting
from .model import CheckResult, Finding, Report
from .timefmt import both, clock, seconds_ms

DASH = "\u2014"


def fmt_number(value: Any) -> str:
    """A measured value for people: 3 significant digits, ints as ints, lists joined."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "not measured"
        if value == 0:
            return "0"
        if abs(value) >= 1000 or abs(value) < 0.01:
            return f"{value:.4g}"
        if abs(value) < 100:
            return f"{value:.3g}"
        return f"{value:.0f}" if value == round(value) else f"{value:.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt_number(v) for v in value[:8]) + (" ..." if len(value) > 8 else "")
    if isinstance(value, dict):
        return "; ".join(f"{k} {fmt_number(v)}" for k, v in list(value.items())[:6])
    return str(value)


_UNITS = {
    "_ms_per_s": "ms per s",
    "_ms": "ms",
    "_s": "s",
    "_px": "px",
    "_deg": "degrees",
    "_pct": "%",
}


def quantity_name(key: str) -> str:
    """``"lag_ms"`` -> ``"lag (ms)"``, ``"palm_width_px"`` -> ``"palm width (px)"``."""
    if key in QUANTITY_WORDING:
        return QUANTITY_WORDING[key]
    for suffix, unit in _UNITS.items():
        if key.endswith(suffix) and len(key) > len(suffix):
            return f"{key[: -len(suffix)].replace('_', ' ')} ({unit})"
    return key.replace("_", " ")


def measured_rows(finding: Finding) -> list[tuple[str, str, str]]:
    """(quantity, measured, threshold) rows; a threshold sits beside its same-named value."""

    def show(key: str, value: Any) -> str:
        if key.endswith("_s") and isinstance(value, int | float) and not isinstance(value, bool):
            return both(value)  # a time on the clip: both forms, like every other timestamp
        return fmt_number(value)

    rows = []
    for key, value in finding.measured.items():
        rows.append((quantity_name(key), show(key, value), show(key, finding.threshold.get(key))))
    for key, value in finding.threshold.items():
        if key not in finding.measured:
            rows.append((quantity_name(key), DASH, show(key, value)))
    return rows


def measured_split(
    finding: Finding,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(paired rows: quantity, measured, threshold), other measured rows, other threshold rows.

    A measured value and a threshold are paired when the detector gave them the same key.
    """
    rows = measured_rows(finding)
    paired = [r for r in rows if r[1] != DASH and r[2] != DASH]
    measured = [(r[0], r[1]) for r in rows if r[1] != DASH and r[2] == DASH]
    thresholds = [(r[0], r[2]) for r in rows if r[1] == DASH and r[2] != DASH]
    return paired, measured, thresholds


def span_text(finding: Finding) -> str:
    """``1.240 s - 3.000 s (0:01.240 - 0:03.000), 1.760 s long``."""
    start, end = finding.start_s, finding.end_s
    if not (math.isfinite(start) and math.isfinite(end)) or end <= start:
        return f"at {both(finding.first_s)}"
    return (
        f"{seconds_ms(start)} \u2013 {seconds_ms(end)} ({clock(start)} \u2013 {clock(end)}), "
        f"{end - start:.3f} s long"
    )


def check_confidence(check: CheckResult) -> float | None:
    """The check's confidence: its findings' highest, else a ``confidence`` in its details."""
    if check.findings:
        return max(f.confidence for f in check.findings)
    value = check.details.get("confidence")
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value) if value <= 1 else None
    return None


def detail_numbers(check: CheckResult, limit: int = 3) -> list[str]:
    """A check's own per-clip numbers (``lag_ms``, ``stability_score``, ...) in words."""
    out = []
    for key, value in check.details.items():
        if key == "signals" or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if math.isfinite(value) and len(out) < limit:
            out.append(f"{quantity_name(key)} {fmt_number(value)}")
    return out


def check_rows(report: Report) -> list[dict[str, str]]:
    """One row per check for the cover: term, result, severity, confidence, first failure."""
    rows = []
    for mode, check in report.checks.items():
        fm = FAILURE_MODES[mode]
        conf = check_confidence(check)
        row = {
            "mode": mode,
            "plain": fm.plain_name or mode,
            "term": fm.technical_term,
            "status": check.status,
            "severity": DASH,
            "confidence": f"{conf:.2f}" if conf is not None else DASH,
            "first_s": DASH,
            "first_clock": DASH,
            "note": check.reason or "",
        }
        if check.findings:
            first = min(check.findings, key=lambda f: f.first_s)
            worst = min(
                check.findings,
                key=lambda f: ("critical", "major", "minor").index(f.severity or fm.severity),
            )
            row.update(
                severity=worst.severity or fm.severity,
                first_s=seconds_ms(first.first_s),
                first_clock=clock(first.first_s),
                note=f"{len(check.findings)} finding{'s' if len(check.findings) > 1 else ''}",
            )
        elif check.status == "pass" and not row["note"]:
            row["note"] = STATUS_MEANING["pass"]
        numbers = (detail_numbers(check) + _shape_note(check.details.get("visemes"))
                   + _activity_note(check.details))
        if numbers:
            row["note"] = "; ".join([row["note"]] * bool(row["note"]) + numbers)
        rows.append(row)
    return rows


def _shape_note(visemes: Any) -> list[str]:
    """The lip-sync viseme check in a few words: how many p, b, m closed, or why it did not
    run (only when words were given; without them the JSON says so)."""
    if not isinstance(visemes, dict) or not visemes.get("source"):
        return []
    if visemes.get("ran"):
        return [f"lips closed on {visemes.get('bilabials_closed', 0)} of "
                f"{visemes.get('bilabials_checked', 0)} p, b, m"]
    return [f"p, b, m not checked: {visemes.get('reason')}"]


def _activity_note(details: dict) -> list[str]:
    """Lip sync over music or a loud background: silence was not judged (a few words)."""
    if not details.get("activity_not_judged"):
        return []
    return [f"silence not judged: the sound stays within {details['voice_dynamics_db']:.1f} dB "
            "of the voice (music or background)"]


def clip_rows(report: Report) -> list[tuple[str, str]]:
    clip = report.clip
    fps = clip.get("fps")
    rate = f"{fps:.3f} fps" if isinstance(fps, int | float) else "?"
    if clip.get("variable_frame_rate"):
        rate += " (variable frame rate)"
    size = f"{clip.get('width')} x {clip.get('height')} px"
    if clip.get("rotation"):
        size += f", shown rotated {clip['rotation']} degrees"
    audio = "no"
    if clip.get("has_audio"):
        audio = f"yes ({clip.get('audio_codec') or '?'}"
        if clip.get("audio_sample_rate"):
            audio += f", {clip['audio_sample_rate']} Hz"
        audio += ")"
    duration = clip.get("duration_s")
    rows = [
        ("File", str(clip.get("file_name") or clip.get("path", "?"))),
        ("SHA-256", str(clip.get("sha256", "?"))),
        ("Duration", both(duration) if isinstance(duration, int | float) else "?"),
        ("Frame rate", rate),
        ("Resolution", size),
        ("Video codec", f"{clip.get('codec', '?')} in {_container(clip)}"),
        ("Audio", audio),
    ]
    if clip.get("frame_count"):
        analysed = report.analysis.get("frames_analyzed")
        frames = f"{clip['frame_count']} in the file"
        if analysed is not None:
            frames += f", {analysed} analysed"
        rows.append(("Frames", frames))
    if clip.get("size_bytes"):
        rows.append(("File size", f"{clip['size_bytes'] / 1e6:.2f} MB"))
    return rows


def _container(clip: dict) -> str:
    """FFmpeg names container families (``mov,mp4,m4a,...``): pick the one the file uses."""
    names = str(clip.get("container") or "?").split(",")
    suffix = str(clip.get("file_name") or clip.get("path") or "").rsplit(".", 1)[-1].lower()
    return suffix if suffix in names else names[0]


def user_rows(report: Report) -> list[tuple[str, str]]:
    user = report.user or {}
    rows = [
        ("Generation ID", str(user.get("generation_id") or "(not given)")),
        ("Platform", str(user.get("platform") or "(not given)")),
        ("Prompt", str(user.get("prompt") or "(not given)")),
    ]
    if user.get("transcript"):  # the words the lip-sync viseme check aligned
        rows.append((f"Transcript ({user.get('transcript_source') or '--transcript'})",
                     str(user["transcript"])))
    return rows


def tool_rows(report: Report) -> list[tuple[str, str]]:
    rows = [
        ("Tool", f"ava-detect {report.tool_version}"),
        ("Analysed on", report.created_at.replace("T", " ").replace("+00:00", " UTC")),
    ]
    digest = (report.settings or {}).get("digest")
    if digest:
        rows.append(("Settings digest", str(digest)))
    return rows


def settings_rows(report: Report, mode: str) -> list[tuple[str, str]]:
    """The thresholds a check ran with, from the report's settings section for ``mode``."""
    section = (report.settings or {}).get(mode) or {}
    rows = [(quantity_name(k), fmt_number(v)) for k, v in section.items()]
    for name, value in section.items():
        meaning = explain_setting(mode, name, value)
        if meaning:
            rows.append(("meaning", meaning))
    return rows


def verdict_line(report: Report) -> str:
    first = report.first_failure_s()
    n = len(report.findings)
    if report.verdict == "fail":
        failed = sum(1 for c in report.checks.values() if c.status == "fail")
        return (
            f"{n} failure{'s' if n > 1 else ''} found in {failed} of {len(report.checks)} "
            f"check{'s' if len(report.checks) > 1 else ''}; the first is visible at {both(first)}."
        )
    if report.verdict == "pass":
        return "No failure found: every check that applies to this clip ran and passed."
    return (
        "No failure found, but not every check could measure this clip (see the reasons "
        "below). This is not a pass for those checks."
    )


def speaker_lines(report: Report) -> list[str]:
    """Which face spoke when, one line per speaker, from the lip-sync check's
    ``details["speakers"]`` (a dialogue whose faces take turns; empty otherwise)."""
    check = report.checks.get("lipsync")
    speakers = (check.details.get("speakers") if check is not None else None) or []
    lines = []
    for s in speakers:
        segments = s.get("segments") or []
        when = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in segments[:8])
        if len(segments) > 8:
            when += ", ..."
        lag = s.get("lag_ms")
        lag_text = ("lag not measured" if lag is None else f"lag {lag:+.0f} ms"
                    + ("" if s.get("conclusive") else " (inconclusive)"))
        lines.append(f"Speaker {s.get('speaker')} (face #{s.get('face', 0) + 1}, box "
                     f"{fmt_number(s.get('box'))}): speaks {when or 'never'}; {lag_text}")
    return lines
