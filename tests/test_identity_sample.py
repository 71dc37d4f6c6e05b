"""Identity drift on the repository's sample clips (generated with known ground truth)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ava_detect.pipeline import analyze
from ava_detect.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "sample_clips"
TRUTH = json.loads((SAMPLES / "truth.json").read_text())["clips"]


@pytest.fixture(scope="module")
def identity_of():
    def run(name: str):
        analysis = analyze(SAMPLES / name, Settings(checks=("identity",)))
        return analysis.report.checks["identity"], analysis.signals.t_s

    return run


def test_sample_switch_caught_to_the_frame(identity_of):
    truth = TRUTH["identity_switch_3s.mp4"]
    check, t_s = identity_of("identity_switch_3s.mp4")
    assert check.status == "fail"
    (finding,) = check.findings
    assert finding.kind == "identity_switch"
    assert finding.measured["onset_frame"] == truth["identity_switch_frame"]
    assert finding.first_s == pytest.approx(truth["identity_switch_s"], abs=1e-6)
    assert int(np.argmin(np.abs(t_s - finding.first_s))) == truth["identity_switch_frame"]
    assert finding.evidence[0].label == "reference" and finding.evidence[0].t_s < 1.0


def test_sample_without_switch_passes(identity_of):
    check, _ = identity_of("talking_clean.mp4")
    assert check.status == "pass"
    assert check.details["stability_score"] > 0.7
