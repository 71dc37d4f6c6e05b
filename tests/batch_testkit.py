"""Two test-only detectors with known answers, for batch runs (clips: ``batch_clips.py``).

Importing this module registers the two test detectors, replacing the built-in ``hands`` and
``lipsync`` detectors **in the importing process**. The batch tests therefore never import it
themselves: they name it in the ``plugins`` setting so that only the batch
worker processes load it, and the other tests keep the real detectors.

The detectors are real measurements with thresholds, so every verdict is known in advance:

- ``hands`` (critical): fails where the mean frame brightness is at least 0.6 (0-1 scale); the
  finding's ``first_s`` is the first bright frame.
- ``lipsync`` (major): fails where the audio RMS over 0.1 s windows reaches 0.1 (full scale 1);
  ``skipped`` when the clip has no audio.

File names steer the worker's behaviour for robustness tests: ``slow`` sleeps 1.5 s per clip,
``hang`` sleeps for an hour, ``crash`` kills its own process with SIGSEGV.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np

from ava_detect.analysers import ANALYSERS
from ava_detect.detectors import register, registered_modes
from ava_detect.report import CheckResult, Evidence, Finding
from ava_detect.signals.segments import hysteresis_segments

registered_modes()  # load the built-in detectors first, so the ones below replace them

ANALYSERS["testkit"] = lambda settings, models: _Brightness()

BRIGHT_ON = 0.6
LOUD_RMS = 0.1


class _Brightness:
    name = "testkit"
    lane = "both"  # needs no landmarks: runs in the loop's own thread

    def __init__(self) -> None:
        self.values: list[float] = []

    def begin(self, info) -> None:
        return None

    def update(self, frame, hands, faces) -> None:
        self.values.append(float(frame.rgb.mean()) / 255.0)

    def finish(self) -> dict[str, np.ndarray]:
        return {"testkit.brightness": np.asarray(self.values)}


def _misbehave(path: str) -> None:
    name = Path(path).name
    if "crash" in name:
        os.kill(os.getpid(), signal.SIGSEGV)
    if "hang" in name:
        time.sleep(3600)
    if "slow" in name:
        time.sleep(1.5)


@register
class BrightHands:
    mode = "hands"
    needs_hands = needs_faces = needs_audio = False

    def analysers(self, settings):
        return ("testkit",)

    def detect(self, signals, settings) -> CheckResult:
        _misbehave(signals.info.path)
        bright = signals.measured["testkit.brightness"]
        segments = hysteresis_segments(bright, signals.t_s, on=BRIGHT_ON, off=BRIGHT_ON - 0.1)
        if not segments:
            return CheckResult("pass")
        findings = [
            Finding(
                mode="hands",
                kind="bright",
                first_s=seg.start_s,
                start_s=seg.start_s,
                end_s=seg.end_s,
                confidence=1.0,
                description=f"frames are bright from {seg.start_s:.2f} s",
                measured={"brightness": seg.peak_value},
                threshold={"brightness": BRIGHT_ON},
                evidence=[Evidence(t_s=seg.start_s, label="first failure")],
            )
            for seg in segments
        ]
        return CheckResult("fail", findings=findings)


@register
class LoudLips:
    mode = "lipsync"
    needs_hands = needs_faces = False
    needs_audio = True

    def analysers(self, settings):
        return ()

    def detect(self, signals, settings) -> CheckResult:
        details = {"lag_ms": None, "confidence": None}
        if signals.audio is None or signals.audio.size == 0:
            return CheckResult("skipped", reason="no audio stream", details=details)
        hop = signals.audio_sr // 10
        n = signals.audio.size // hop
        rms = np.sqrt((signals.audio[: n * hop].reshape(n, hop) ** 2).mean(axis=1))
        t = np.arange(n) * 0.1
        segments = hysteresis_segments(rms, t, on=LOUD_RMS, off=LOUD_RMS / 2)
        if not segments:
            return CheckResult("pass", details=details)
        seg = segments[0]
        finding = Finding(
            mode="lipsync",
            kind="loud",
            first_s=seg.start_s,
            start_s=seg.start_s,
            end_s=seg.end_s,
            confidence=1.0,
            description=f"audio is loud from {seg.start_s:.2f} s",
            measured={"rms": seg.peak_value},
            threshold={"rms": LOUD_RMS},
        )
        return CheckResult("fail", findings=[finding], details=details)
