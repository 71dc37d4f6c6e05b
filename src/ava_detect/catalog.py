"""The failure modes ava-detect checks: technical term, severity, and what each looks like.

The technical terms are used verbatim in reports and tickets, because they are the words platform
support teams recognise.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("critical", "major", "minor")


@dataclass(frozen=True)
class FailureMode:
    key: str
    technical_term: str
    severity: str
    symptoms: tuple[str, ...]


FAILURE_MODES: dict[str, FailureMode] = {
    "hands": FailureMode(
        key="hands",
        technical_term="Hand-Anatomy Topology Failure",
        severity="critical",
        symptoms=(
            "finger count changes between frames (six fingers, four fingers)",
            "fingers fused into a single mass",
            "thumb merging into a finger or pointing backwards",
            "knuckles bending sideways",
            "hand flipping between palm and back without a plausible rotation",
            "hand geometry collapsing during fast motion",
        ),
    ),
    "identity": FailureMode(
        key="identity",
        technical_term="Facial Identity Drift",
        severity="critical",
        symptoms=(
            "the face becomes a different person mid-clip",
            "eye colour shifts",
            "skin tone changes without prompt direction",
            "nose or jawline geometry morphs",
        ),
    ),
    "lipsync": FailureMode(
        key="lipsync",
        technical_term="Audio-Visual Lip Sync & Phoneme Alignment Failure",
        severity="major",
        symptoms=(
            "mouth motion trails or leads the audio (typically 100-400 ms)",
            "mouth opens during silence",
            "mouth stays closed during speech",
            "sync drifts across the clip",
        ),
    ),
}

CHECK_NAMES: tuple[str, ...] = tuple(FAILURE_MODES)


def severity_rank(severity: str) -> int:
    """0 for critical, 1 major, 2 minor: lower is worse."""
    return SEVERITIES.index(severity)
