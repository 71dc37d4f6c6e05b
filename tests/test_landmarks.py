"""landmarks.py on real footage (needs AVA_TEST_MEDIA) and on a sample clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ava_detect import media
from ava_detect.landmarks import FaceTracker, HandTracker

SAMPLES = Path(__file__).resolve().parents[1] / "sample_clips"


def _track(path: Path, tracker, every: int = 1, limit: int = 60):
    info = media.probe(path)
    found = []
    for frame in media.iter_frames(path, max_side=640):
        if frame.index >= limit:
            break
        if frame.index % every == 0:
            found.append(tracker.process(frame.rgb, info.display_size))
    return info, found


def test_face_mesh_on_a_real_talking_head(media_dir):
    tracker = FaceTracker(max_faces=2)
    info, found = _track(media_dir / "speech" / "hdtf_aoc_speech_8s.mp4", tracker, limit=40)
    counts = [f.count for f in found]
    assert counts.count(1) >= 38  # one face, found in (nearly) every frame
    pts = found[10].points[0]
    assert pts.shape == (478, 3)
    # Full-resolution pixels even though frames were analysed at 640 px max: inside the
    # 512x512 picture, face spanning a plausible part of it, iris between the eye corners.
    assert np.nanmin(pts[:, :2]) > 0 and np.nanmax(pts[:, :2]) < 512
    face_width = pts[454, 0] - pts[234, 0]
    assert 120 < face_width < 400
    assert min(pts[33, 0], pts[133, 0]) < pts[468, 0] < max(pts[33, 0], pts[133, 0])


def test_hands_on_a_real_hand_video(media_dir):
    tracker = HandTracker(max_hands=2)
    info, found = _track(
        media_dir / "hands" / "mpsamples_hand_landmarker_test_video.mp4", tracker, limit=60
    )
    with_hand = [f for f in found if f.count >= 1]
    assert len(with_hand) >= 50
    hand = with_hand[20]
    k = int(np.flatnonzero(~np.isnan(hand.score))[0])
    assert hand.image[k].shape == (21, 3)
    assert hand.handedness[k] in (-1.0, 1.0)
    assert 0.5 <= hand.score[k] <= 1.0
    # World landmarks are metres: a hand spans roughly 5-25 cm from wrist to middle tip.
    span = np.linalg.norm(hand.world[k, 12] - hand.world[k, 0])
    assert 0.05 < span < 0.25
    w, h = info.display_size
    assert np.all((hand.image[k, :, 0] > -0.2 * w) & (hand.image[k, :, 0] < 1.2 * w))


def test_no_face_on_a_plain_grey_picture_and_a_face_on_the_sample():
    tracker = FaceTracker(max_faces=1)
    grey = np.full((240, 320, 3), 128, np.uint8)
    assert tracker.process(grey, (320, 240)).count == 0
    tracker.reset()
    _, found = _track(SAMPLES / "talking_clean.mp4", tracker, limit=10)
    assert all(f.count == 1 for f in found)


@pytest.mark.parametrize("tracker_cls", [FaceTracker, HandTracker])
def test_reset_lets_one_model_serve_many_clips(tracker_cls):
    tracker = tracker_cls()
    tracker.reset()
    tracker.close()
