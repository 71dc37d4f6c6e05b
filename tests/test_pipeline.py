"""The frame loop end to end: decode -> landmarks -> signals -> detector -> report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from clipgen import write_video
from detector_fixtures import FaceMissingDetector

from ava_detect import detectors, media
from ava_detect.pipeline import analyze
from ava_detect.report.json import contract_errors, plain, report_to_json
from ava_detect.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "sample_clips"


@pytest.fixture
def face_missing_detector(monkeypatch):
    monkeypatch.setitem(detectors._REGISTRY, "identity", FaceMissingDetector)


@pytest.fixture(scope="module")
def blanked_clip(tmp_path_factory):
    """The clean sample with frames 50-74 (2.00-2.96 s) replaced by grey: no face there."""
    path = tmp_path_factory.mktemp("pipe") / "blanked.mp4"
    frames = [f.rgb for f in media.iter_frames(SAMPLES / "talking_clean.mp4")]
    for i in range(50, 75):
        frames[i] = np.full_like(frames[i], 128)
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 400, 400, "yuv420p"
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def test_pipeline_finds_a_known_failure_at_its_time(blanked_clip, face_missing_detector):
    result = analyze(blanked_clip, Settings(checks=("identity",)))
    signals, report = result.signals, result.report
    assert signals.n_frames == 150
    assert signals.faces.points.shape == (150, 2, 478, 3)
    assert signals.hands is None  # no selected check needed the hand model
    assert signals.audio is None
    present = signals.faces.present.any(axis=1)
    assert not present[50:75].any() and present[:50].all()
    # The analyser saw every frame, in order.
    brightness = signals.measured["brightness.mean"]
    assert brightness.shape == (150,) and np.allclose(brightness[50:75], 128, atol=2)

    assert report.verdict == "fail"
    (finding,) = report.findings
    assert finding.first_s == pytest.approx(2.0, abs=1e-3)
    assert finding.end_s == pytest.approx(3.0, abs=1e-3)
    assert finding.technical_term == "Facial Identity Drift"
    data = json.loads(report_to_json(report))
    assert contract_errors(data) == []
    assert data["checks"]["hands"]["status"] == "skipped"  # not selected
    assert data["first_failure_s"] == pytest.approx(2.0, abs=1e-3)


def test_clean_sample_passes_and_json_is_repeatable(face_missing_detector):
    settings = Settings(checks=("identity", "lipsync"))
    first = analyze(SAMPLES / "talking_clean.mp4", settings).report
    second = analyze(SAMPLES / "talking_clean.mp4", settings).report
    assert first.checks["identity"].status == "pass"
    a, b = plain(first.to_dict()), plain(second.to_dict())
    a.pop("created_at"), b.pop("created_at")
    assert a == b


def test_audio_is_loaded_only_when_a_check_needs_it(tmp_path, monkeypatch):
    class AudioProbe(FaceMissingDetector):
        mode = "lipsync"
        needs_faces = False
        needs_audio = True

        def analysers(self, settings):
            return []

        def detect(self, signals, settings):
            from ava_detect.report import CheckResult

            seconds = len(signals.audio) / signals.audio_sr
            return CheckResult(
                "pass", details={"lag_ms": None, "confidence": None, "audio_s": seconds}
            )

    monkeypatch.setitem(detectors._REGISTRY, "lipsync", AudioProbe)
    report = analyze(SAMPLES / "talking_clean.mp4", Settings(checks=("lipsync",))).report
    assert report.checks["lipsync"].details["audio_s"] == pytest.approx(6.0, abs=0.05)


def test_a_check_without_a_detector_is_skipped_never_passed(tmp_path, monkeypatch):
    monkeypatch.setattr(detectors, "_REGISTRY", {})
    clip = write_video(tmp_path / "c.mp4", [i / 25 for i in range(10)])
    report = analyze(clip).report
    assert {c.status for c in report.checks.values()} == {"skipped"}
    assert report.verdict == "inconclusive"


def test_all_real_checks_give_identical_json_twice(media_dir):
    clip = media_dir / "generated" / "mimicmotion_sample_hb_0_halfbody_gestures.mp4"
    runs = []
    for _ in range(2):
        data = json.loads(report_to_json(analyze(clip, Settings()).report))
        data.pop("created_at")
        runs.append(data)
    assert runs[0]["checks"]["hands"]["status"] == "fail"
    assert runs[0] == runs[1]
