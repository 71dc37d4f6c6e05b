"""Benchmark workload for batch_speed.py when no built-in detector is registered yet.

Registers, for each check that has no detector, one that asks the pipeline for the models the
real check uses (MediaPipe hands for ``hands``, the face mesh for ``identity`` and ``lipsync``,
and the audio track for ``lipsync``) and then reports ``skipped``: the per-frame model work, which
dominates a real analysis, is done; no verdict is invented. Checks that already have a detector
keep it. Imported only in batch worker processes (``--set plugins=batch_load``).
"""

from __future__ import annotations

from ava_detect.detectors import register, registered_modes
from ava_detect.report import CheckResult

_NEEDS = {
    "hands": (True, False, False),
    "identity": (False, True, False),
    "lipsync": (False, True, True),
}


def _workload(mode: str, needs: tuple[bool, bool, bool]):
    class ModelWorkload:
        def analysers(self, settings):
            return []

        def detect(self, signals, settings) -> CheckResult:
            return CheckResult("skipped", reason="benchmark workload: models ran, no detector")

    ModelWorkload.mode = mode
    ModelWorkload.needs_hands, ModelWorkload.needs_faces, ModelWorkload.needs_audio = needs
    return ModelWorkload


for _mode, _needs in _NEEDS.items():
    if _mode not in registered_modes():
        register(_workload(_mode, _needs))
