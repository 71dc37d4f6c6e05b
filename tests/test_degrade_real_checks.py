"""Degrading gracefully with the real checks: sub-second clips, 4K, two faces (issue 9)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from ava_detect import media
from ava_detect.pipeline import analyze
from ava_detect.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "sample_clips"


def _write(path: Path, frames: list[np.ndarray], audio: np.ndarray | None, sr: int = 16000):
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=sr, layout="mono") if audio is not None else None
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if sound is not None:
            for start in range(0, len(audio), 1024):
                block = np.ascontiguousarray(audio[None, start : start + 1024])
                frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
                frame.sample_rate, frame.pts = sr, start
                out.mux(sound.encode(frame))
            out.mux(sound.encode())
    return path


@pytest.fixture(scope="module")
def talking():
    clip = SAMPLES / "talking_clean.mp4"
    return [f.rgb for f in media.iter_frames(clip)], media.read_audio(clip)


def test_sub_second_clip_runs_what_it_can_and_is_never_a_failure(tmp_path, talking):
    frames, audio = talking
    clip = _write(tmp_path / "short.mp4", frames[:15], audio[: int(0.6 * 16000)])
    report = analyze(clip, Settings()).report
    assert report.clip["duration_s"] == pytest.approx(0.6, abs=0.01)
    assert report.verdict != "fail"
    lipsync = report.checks["lipsync"]
    assert lipsync.status in ("inconclusive", "skipped") and lipsync.reason
    assert lipsync.details["lag_ms"] is None  # no lag is claimed from 0.6 s
    assert report.checks["hands"].status == "skipped"


def test_4k_clip_is_analysed_in_full_resolution_coordinates(tmp_path, talking):
    import cv2

    frames, _ = talking
    big = [cv2.resize(f, (3840, 2160), interpolation=cv2.INTER_LINEAR) for f in frames[:20]]
    clip = _write(tmp_path / "uhd.mp4", big, None)
    result = analyze(clip, Settings(checks=("identity",)))
    assert (result.report.clip["width"], result.report.clip["height"]) == (3840, 2160)
    present = result.signals.faces.present.any(axis=1)
    assert present.sum() >= 18
    # Landmarks are in 4K pixels although frames were analysed at 1280 px.
    xs = result.signals.faces.points[present][:, :, :, 0]
    assert np.nanmax(xs) > 1800 and np.nanmax(xs) < 3840


def test_two_faces_lip_sync_uses_the_speaking_one(tmp_path, talking):
    frames, audio = talking
    still = frames[0]
    # The talking face on the right, a still copy of the first frame on the left.
    pair = [np.concatenate([still, f], axis=1) for f in frames]
    clip = _write(tmp_path / "two.mp4", pair, audio)
    result = analyze(clip, Settings(checks=("lipsync",)))
    lipsync = result.report.checks["lipsync"]
    slot = lipsync.details["face_slot"]
    assert slot is not None
    faces = result.signals.faces
    centre_x = np.nanmedian(faces.points[:, slot, :, 0])
    assert centre_x > 400  # the right-hand (speaking) face
    assert lipsync.status == "pass"
