"""A small real detector used to prove the pipeline end to end before the real checks.

It reports an identity finding wherever no face is visible for at least 200 ms, with the
hysteresis helper, so a clip with a known face-less stretch has a known first-failure time.
"""

from __future__ import annotations

import numpy as np

from ava_detect.analysers import ANALYSERS
from ava_detect.report import CheckResult, Finding
from ava_detect.report.model import Evidence
from ava_detect.signals.segments import hysteresis_segments


class FaceMissingDetector:
    mode = "identity"
    needs_hands = False
    needs_faces = True
    needs_audio = False

    def analysers(self, settings):
        return ("brightness",)

    def detect(self, signals, settings):
        missing = (~signals.faces.present.any(axis=1)).astype(float)
        segments = hysteresis_segments(missing, signals.t_s, on=1.0, off=0.5, min_duration_s=0.2)
        if not segments:
            return CheckResult("pass")
        findings = [
            Finding(
                mode="identity",
                kind="face_missing",
                first_s=s.start_s,
                start_s=s.start_s,
                end_s=s.end_s,
                confidence=1.0,
                description=f"no face from {s.start_s:.3f} s to {s.end_s:.3f} s",
                measured={"frames": s.end - s.start + 1},
                threshold={"min_duration_s": 0.2},
                evidence=[Evidence(t_s=s.start_s, label="first failure")],
            )
            for s in segments
        ]
        return CheckResult("fail", findings=findings)


class BrightnessAnalyzer:
    """Frame analyser: mean brightness per frame, to prove analysers see every frame."""

    name = "brightness"
    lane = "faces"

    def __init__(self):
        self.values = []

    def begin(self, info):
        return None

    def update(self, frame, hands, faces):
        self.values.append(float(frame.rgb.mean()))

    def finish(self):
        return {"brightness.mean": np.asarray(self.values)}


ANALYSERS["brightness"] = lambda settings, models: BrightnessAnalyzer()
