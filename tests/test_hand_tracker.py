"""The single-pass hand tracker (landmarks/hands.py) against MediaPipe's legacy tracker.

Unit tests of the crop geometry and the per-frame result need no media; the agreement tests run
both trackers over real clips (AVA_TEST_MEDIA) and are skipped, saying so, without it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from oracles.legacy_hands import LegacyHandTracker

from ava_detect import Settings, media
from ava_detect.analysers.hand_presence import PresenceAnalyzer
from ava_detect.errors import ConfigError
from ava_detect.landmarks import (
    HandLandmarkRerun,
    HandsInFrame,
    HandTracker,
    Roi,
)
from ava_detect.landmarks.crops import associate, iou, roi_from_landmarks

LANDMARKER = "hands/mpsamples_hand_landmarker_test_video.mp4"  # one hand, 640 x 360, 202 frames
FLOWER = "hands/liveportrait_s20_hands_with_flower.mp4"  # two hands, 480 x 908


# --- no media --------------------------------------------------------------------------------


def test_a_palm_on_a_tracked_hand_is_dropped_and_a_new_one_kept():
    tracked = [Roi(100, 100, 80, 0.0)]
    on_it = Roi(104, 98, 84, 0.3)  # IoU about 0.85 (rotation is ignored, as in MediaPipe)
    elsewhere = Roi(300, 100, 80, 0.0)
    assert iou(on_it, tracked[0]) > 0.8
    assert iou(elsewhere, tracked[0]) == 0.0
    out = associate([on_it, elsewhere], tracked)
    assert out == [(elsewhere, True), (tracked[0], False)]  # MediaPipe's order: palms first


def test_two_tracked_crops_on_one_hand_keep_the_later():
    a, b = Roi(100, 100, 80, 0.0), Roi(102, 101, 80, 0.0)
    assert associate([], [a, b]) == [(b, False)]


def test_landmark_crop_of_an_upright_hand():
    # A hand pointing straight up: wrist at the bottom, knuckles 40 px above, 40 px wide.
    pts = np.zeros((21, 2))
    pts[0] = (100, 200)
    for i, x in zip((1, 5, 9, 13, 17), (80, 85, 100, 115, 120), strict=True):
        pts[i] = pts[i + 1] = pts[i + 2] = pts[i + 3] = (x, 160)
    roi = roi_from_landmarks(pts)
    assert roi.rotation == pytest.approx(0.0, abs=1e-9)
    # box of the ROI points: x 80-120, y 160-200 -> side 2 x 40; shifted up by 0.1 x 40 px
    assert roi.side == pytest.approx(80.0)
    assert (roi.x, roi.y) == pytest.approx((100.0, 176.0))


def test_take_reorders_every_field_and_presence_defaults_to_nan():
    hands = HandsInFrame.empty(2)
    hands.score[1], hands.presence[1] = 0.9, 0.97
    moved = hands.take(np.array([1, 0]))
    assert moved.score[0] == pytest.approx(0.9) and moved.presence[0] == pytest.approx(0.97)
    assert np.isnan(moved.presence[1])
    bare = HandsInFrame(image=hands.image, world=hands.world, handedness=hands.handedness,
                        score=hands.score)
    assert bare.presence.shape == (2,) and np.isnan(bare.presence).all()


def test_no_hand_on_a_grey_picture():
    tracker = HandTracker(max_hands=2)
    grey = np.full((360, 640, 3), 128, np.uint8)
    found = tracker.process(grey, (1280, 720))
    assert found.count == 0 and np.isnan(found.presence).all()
    assert tracker.runs == {"landmarks": 0, "palms": 1}
    tracker.close()


def test_tracker_settings_are_checked():
    assert Settings().tracking.hand_model_complexity == 1
    with pytest.raises(ConfigError, match="tracking.hand_model_complexity"):
        Settings().with_overrides({"tracking": {"hand_model_complexity": 2}})
    with pytest.raises(ConfigError, match="unknown setting 'hands.tracker'"):
        Settings().with_overrides({"hands": {"tracker": "legacy"}})


# --- real clips ------------------------------------------------------------------------------


@cache
def _both(path: str, max_side: int = 640, limit: int = 10**6):
    """Per frame: (legacy result, new result, new tracker's from_palm, rerun presence on the
    legacy crop of the previous frame or NaN), both trackers fed the same frames."""
    info = media.probe(path)
    old, new, rerun = LegacyHandTracker(max_hands=2), HandTracker(max_hands=2), HandLandmarkRerun()
    rows, prev = [], None
    for frame in media.iter_frames(path, max_side=max_side, rotation=info.rotation):
        if frame.index >= limit:
            break
        a = old.process(frame.rgb, info.display_size)
        b = new.process(frame.rgb, info.display_size)
        scale = frame.rgb.shape[1] / info.display_size[0]
        again = np.full(2, np.nan)
        for j in range(2):
            if prev is not None and not np.isnan(b.score[j]) and not b.from_palm[j]:
                i = _nearest(prev, b.image[j])
                if i is not None:
                    again[j] = rerun.run(frame.rgb, prev.image[i], scale).presence
        rows.append((a, b, b.from_palm.copy(), again))
        prev = a
    for model in (old, new, rerun):
        model.close()
    return rows


def _nearest(hands: HandsInFrame, points: np.ndarray) -> int | None:
    here = np.flatnonzero(~np.isnan(hands.score))
    if not len(here):
        return None
    d = [np.linalg.norm(hands.image[i, :, :2].mean(0) - points[:, :2].mean(0)) for i in here]
    return int(here[int(np.argmin(d))])


def _pairs(rows):
    """(legacy, new) matched hands: median landmark distance px, same label, new presence."""
    out = []
    for a, b, _, again in rows:
        for j in np.flatnonzero(~np.isnan(b.score)):
            i = _nearest(a, b.image[j])
            if i is None:
                continue
            err = float(np.median(np.linalg.norm(a.image[i, :, :2] - b.image[j, :, :2], axis=1)))
            world = float(np.median(np.linalg.norm(a.world[i] - b.world[j], axis=1)))
            out.append((err, a.handedness[i] == b.handedness[j], b.presence[j], again[j], world))
    return np.array(out, dtype=np.float64)


@pytest.mark.media
@pytest.mark.parametrize("clip", [LANDMARKER, FLOWER])
def test_same_hands_and_landmarks_as_the_legacy_tracker(media_dir: Path, clip: str):
    rows = _both(str(media_dir / clip), limit=150)
    same_count = np.mean([a.count == b.count for a, b, _, _ in rows])
    assert same_count >= 0.98
    pairs = _pairs(rows)
    assert len(pairs) >= 140
    assert np.median(pairs[:, 0]) < 1.0  # px; measured 0.04 (landmarker), 0.4 (flower)
    assert np.percentile(pairs[:, 0], 95) < 3.0
    assert pairs[:, 1].mean() >= 0.99  # the same handedness label
    assert np.median(pairs[:, 4]) < 0.003  # world landmarks, metres


@pytest.mark.media
def test_presence_is_high_on_a_real_hand_and_matches_the_rerun(media_dir: Path):
    rows = _both(str(media_dir / LANDMARKER), limit=150)
    pairs = _pairs(rows)
    presence = pairs[:, 2]
    assert np.all(presence > 0.5)  # the tracker keeps only hands above min_tracking_confidence
    assert np.median(presence[60:]) > 0.97  # the hand is clearly seen from about 2.3 s
    scored = ~np.isnan(pairs[:, 3])
    assert scored.sum() >= 140
    gap = np.abs(pairs[scored, 2] - pairs[scored, 3])
    assert np.median(gap) < 0.002 and gap.max() < 0.03  # the same crop, the same model


@pytest.mark.media
def test_handedness_of_a_real_right_hand(media_dir: Path):
    # Her right hand, labelled "Left" by MediaPipe (it assumes a mirrored picture).
    rows = _both(str(media_dir / LANDMARKER), limit=150)
    labels = np.array([b.handedness[0] for _, b, _, _ in rows if b.count == 1])
    scores = np.array([b.score[0] for _, b, _, _ in rows if b.count == 1])
    assert len(labels) >= 140
    assert np.mean(labels == -1.0) >= 0.95
    assert np.median(scores) > 0.9


@pytest.mark.media
def test_presence_analyzer_reruns_only_new_and_lost_hands(media_dir: Path):
    from ava_detect.pipeline import Analyzer

    clip = str(media_dir / LANDMARKER)  # one hand, found once, then tracked to the end
    analyzer = Analyzer(Settings(checks=("hands",), parallel_lanes=False))
    try:
        new = analyzer.analyze(clip).signals
    finally:
        analyzer.close()
    legacy_rows = [old for old, _, _, _ in _both(clip)]
    present = new.hands.present
    reruns = new.measured["hand_presence.reruns"]
    assert present.any()
    # every present hand is scored; the model re-runs only on hands found by the palm detector
    # and on the frames after a loss (with the legacy tracker, which hides presence, it would
    # have to re-run on every hand)
    assert np.isfinite(new.measured["hand_presence.score"][present]).all()
    assert present.sum() >= 190 and reruns.sum() <= 3
    old_counts = np.array([row.count for row in legacy_rows])
    assert np.mean(present.sum(axis=1) == old_counts[: len(present)]) >= 0.95


def test_presence_analyzer_takes_the_trackers_score_without_a_model():
    def no_model():
        raise AssertionError("the tracker scored the hand: no model should be loaded")

    analyzer = PresenceAnalyzer(no_model)
    hands = HandsInFrame.empty(2)
    hands.image[0] = 10.0
    hands.score[0], hands.presence[0] = 0.9, 0.93

    class _Frame:
        rgb = np.zeros((36, 64, 3), np.uint8)

    analyzer.update(_Frame(), hands, None)
    out = analyzer.finish()
    assert out["hand_presence.score"][0, 0] == pytest.approx(0.93)
    assert np.isnan(out["hand_presence.score"][0, 1])
    assert out["hand_presence.reruns"].tolist() == [0]
    assert analyzer._model is None  # nothing to re-run, nothing loaded
