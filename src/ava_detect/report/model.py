"""What an analysis found: plain dataclasses that the JSON, PDF and ticket writers read.

The JSON contract (``schema_version`` 1) is built from these by :meth:`Report.to_dict`; fields may
be added over time, never renamed or removed, because outside tools read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalog import FAILURE_MODES, severity_rank

SCHEMA_VERSION = 1
STATUSES = ("pass", "fail", "skipped", "inconclusive")
# Detail keys the contract promises for a check even when it could not measure them.
REQUIRED_DETAILS = {"lipsync": ("lag_ms", "confidence")}


@dataclass
class Evidence:
    """A frame that shows the failure: its presentation time and, once written, the image.

    Detectors fill ``t_s``, ``label``, ``box`` and, where they have them, ``points``; the
    evidence writer (:mod:`ava_detect.output.evidence`) fills ``image``, ``crop`` and ``frame_t_s``.
    """

    t_s: float
    label: str = ""
    image: str | None = None  # path relative to the JSON report
    crop: str | None = None  # zoomed crop with landmarks, relative path
    box: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1 in full-frame px
    # Landmarks to draw on the crop: [[x, y], ...] in full-frame px (21 points: a hand skeleton).
    points: list[list[float]] | None = None
    frame_t_s: float | None = None  # presentation time of the decoded frame actually written

    def to_dict(self) -> dict[str, Any]:
        return {
            "t_s": self.t_s,
            "label": self.label,
            "image": self.image,
            "crop": self.crop,
            "box": list(self.box) if self.box is not None else None,
            "points": [list(p[:2]) for p in self.points] if self.points is not None else None,
            "frame_t_s": self.frame_t_s,
        }


@dataclass
class Finding:
    """One failure, with when it is first visible and the numbers that triggered it."""

    mode: str
    kind: str
    first_s: float
    start_s: float
    end_s: float
    confidence: float
    description: str
    measured: dict[str, Any] = field(default_factory=dict)
    threshold: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    severity: str | None = None  # None: the failure mode's default severity
    track: int | None = None  # which hand/face track, where that applies
    # The finding's evidence clip once written (output.video): file, key-frame strip, the clip
    # times it covers, its passes (speeds) and whether it carries sound. None when not made.
    evidence_video: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.mode not in FAILURE_MODES:
            raise ValueError(f"unknown failure mode {self.mode!r}")
        if self.severity is None:
            self.severity = FAILURE_MODES[self.mode].severity

    @property
    def technical_term(self) -> str:
        return FAILURE_MODES[self.mode].technical_term

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "technical_term": self.technical_term,
            "kind": self.kind,
            "first_s": self.first_s,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "severity": self.severity,
            "confidence": self.confidence,
            "description": self.description,
            "track": self.track,
            "measured": self.measured,
            "threshold": self.threshold,
            "evidence": [e.to_dict() for e in self.evidence],
            "evidence_video": self.evidence_video,
        }


@dataclass
class CheckResult:
    """The outcome of one check on one clip.

    ``status`` is pass, fail, skipped (the check does not apply: no audio, no face, no hands) or
    inconclusive (it applies but could not be measured reliably); ``reason`` says why for every
    status but pass and fail. ``details`` holds check-specific measurements for the JSON (for
    lip sync: ``lag_ms`` and ``confidence``, always present, possibly null).
    """

    status: str
    reason: str | None = None
    findings: list[Finding] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown check status {self.status!r}")
        if self.findings and self.status != "fail":
            raise ValueError("a check with findings must have status 'fail'")

    def to_dict(self, required: tuple[str, ...] = ()) -> dict[str, Any]:
        """JSON form; ``required`` detail keys are present even when not measured (null)."""
        data = {"status": self.status, "reason": self.reason, **self.details}
        for key in required:
            data.setdefault(key, None)
        return data


@dataclass
class Report:
    """Everything known about one analysed clip."""

    tool_version: str
    clip: dict[str, Any]
    checks: dict[str, CheckResult]
    created_at: str
    settings: dict[str, Any] = field(default_factory=dict)
    user: dict[str, Any] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        """All findings, worst severity first, then by first-failure time."""
        found = [f for check in self.checks.values() for f in check.findings]
        return sorted(found, key=lambda f: (severity_rank(f.severity), f.first_s, f.mode, f.kind))

    @property
    def verdict(self) -> str:
        """fail if any check failed; else inconclusive if a check was, or nothing could run."""
        statuses = [c.status for c in self.checks.values()]
        if "fail" in statuses:
            return "fail"
        if "inconclusive" in statuses or not any(s == "pass" for s in statuses):
            return "inconclusive"
        return "pass"

    def first_failure_s(self) -> float | None:
        times = [f.first_s for f in self.findings]
        return min(times) if times else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "ava-detect", "version": self.tool_version},
            "created_at": self.created_at,
            "clip": self.clip,
            "user": self.user,
            "verdict": self.verdict,
            "first_failure_s": self.first_failure_s(),
            "checks": {
                name: check.to_dict(REQUIRED_DETAILS.get(name, ()))
                for name, check in self.checks.items()
            },
            "findings": [f.to_dict() for f in self.findings],
            "analysis": self.analysis,
            "settings": self.settings,
        }
