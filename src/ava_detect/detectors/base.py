"""What a detector is and what it declares (its inputs, its frame analysers).

A detector is pure: it receives the clip's :class:`~ava_detect.signals.ClipSignals` and the
settings and returns a :class:`~ava_detect.report.CheckResult`. It does no I/O and loads no
model. It declares its inputs: which landmarks (``needs_hands``, ``needs_faces``), the audio
(``needs_audio``), and by name the frame analysers (:mod:`ava_detect.analysers`) whose
per-frame arrays it reads from ``signals.measured``; the pipeline builds and runs those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..report import CheckResult
    from ..settings import Settings
    from ..signals import ClipSignals


class Detector(Protocol):
    """One failure mode's check."""

    mode: str  # key in catalog.FAILURE_MODES
    needs_hands: bool
    needs_faces: bool
    needs_audio: bool

    def analysers(self, settings: Settings) -> tuple[str, ...]:
        """Names of the frame analysers this check reads (keys of ``analysers.ANALYSERS``)."""
        ...

    def detect(self, signals: ClipSignals, settings: Settings) -> CheckResult: ...
