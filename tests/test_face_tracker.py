"""landmarks.FaceTracker against MediaPipe's legacy FaceMesh on real footage.

Needs AVA_TEST_MEDIA (skipped, saying so, otherwise), except the settings checks at the end.
Frames are analysed at 640 px at most to keep the test short.
"""

from __future__ import annotations

import numpy as np
import pytest
from oracles.legacy_faces import LegacyFaceTracker

from ava_detect import media
from ava_detect.errors import ConfigError
from ava_detect.landmarks import FaceTracker
from ava_detect.settings import Settings

MAX_SIDE = 640


def _frames(path, limit: int):
    frames = []
    for frame in media.iter_frames(path, max_side=MAX_SIDE):
        if frame.index >= limit:
            break
        frames.append(frame.rgb)
    return frames


def _points(tracker, frames, size) -> np.ndarray:
    """(frames, max_faces, 478, 3) landmarks, faces in the tracker's order."""
    return np.stack([tracker.process(rgb, size).points for rgb in frames])


def _counts(points: np.ndarray) -> np.ndarray:
    return np.sum(~np.isnan(points[:, :, 0, 0]), axis=1)


def _landmark_gaps(ref: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Per-point xy distance (px) between each reference face and the new face nearest to it."""
    gaps = []
    for t in range(len(ref)):
        for a in np.flatnonzero(~np.isnan(ref[t, :, 0, 0])):
            present = np.flatnonzero(~np.isnan(new[t, :, 0, 0]))
            if not len(present):
                continue
            centre = ref[t, a, :, :2].mean(axis=0)
            b = min(present, key=lambda k: np.linalg.norm(new[t, k, :, :2].mean(axis=0) - centre))
            gaps.append(np.linalg.norm(ref[t, a, :, :2] - new[t, b, :, :2], axis=1))
    return np.concatenate(gaps)


def _late_runs(ref_counts: np.ndarray, new_counts: np.ndarray) -> list[int]:
    """Lengths of the runs of frames where the new tracker has fewer faces than the reference."""
    runs, run = [], 0
    for short in new_counts < ref_counts:
        if short:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    return runs + ([run] if run else [])


def _run_both(path, limit: int, **kwargs):
    info = media.probe(path)
    frames = _frames(path, limit)
    legacy = LegacyFaceTracker(max_faces=2)
    tracker = FaceTracker(max_faces=2, **kwargs)
    try:
        size = info.display_size
        return _points(legacy, frames, size), _points(tracker, frames, size)
    finally:
        legacy.close()
        tracker.close()


def test_one_face_gives_the_legacy_landmarks(media_dir):
    # One face throughout: the face is followed from the same crops as the legacy graph, so the
    # landmarks are the legacy ones (measured: 0.0 px apart at 720p on six clips).
    path = media_dir / "speech" / "hyperlips_real_video2_obama_interview.mp4"
    ref, new = _run_both(path, 60, search_every=4)
    assert _counts(ref).tolist() == [1] * 60
    assert _counts(new).tolist() == [1] * 60
    gaps = _landmark_gaps(ref, new)
    assert np.median(gaps) < 0.05
    assert gaps.max() < 1.0
    assert np.nanmax(np.abs(ref[:, 0, :, 2] - new[:, 0, :, 2])) < 1.0  # depth too


def test_scene_cuts_against_the_legacy_graph(media_dir):
    # Cuts between people and shots without a face. With search_every=1 the tracker is the
    # legacy graph. With 4 it looks on every frame while no face is tracked, so a face after a
    # cut is found on its first frame, as by the legacy graph (measured: the same count on all
    # 275 frames, landmarks 0.0 px apart); only a second face may be found up to 3 frames late.
    path = media_dir / "faces" / "facerec_hamilton_clip_scene_cuts.mp4"
    info = media.probe(path)
    frames = _frames(path, 275)
    trackers = {
        "legacy": LegacyFaceTracker(max_faces=2),
        "every": FaceTracker(max_faces=2, search_every=1),
        "fourth": FaceTracker(max_faces=2, search_every=4),
    }
    try:
        pts = {name: _points(t, frames, info.display_size) for name, t in trackers.items()}
    finally:
        for t in trackers.values():
            t.close()
    ref = _counts(pts["legacy"])
    assert 80 <= int(np.sum(ref == 0)) <= 130  # shots without a face are part of this test
    assert _counts(pts["every"]).tolist() == ref.tolist()
    assert _landmark_gaps(pts["legacy"], pts["every"]).max() < 1.0

    fourth = _counts(pts["fourth"])
    assert np.all(fourth <= ref)  # never a face the legacy graph does not see
    assert np.mean(fourth == ref) >= 0.98
    assert max(_late_runs(ref, fourth), default=0) <= 3
    gaps = _landmark_gaps(pts["legacy"], pts["fourth"])
    assert np.median(gaps) < 0.05
    assert np.percentile(gaps, 99) < 1.0
    # Detection on the faceless frames and every 4th tracked frame (measured: 148 of 275).
    assert trackers["fourth"].searches < 0.6 * len(frames)


@pytest.mark.parametrize("reveal", [29, 30])
def test_a_second_face_is_found_within_search_every_frames(media_dir, reveal):
    # Two people side by side; the one on the left is blanked until frame `reveal`. Detection
    # runs on frames 0, 4, ..., 28, 32 while one face is tracked: revealed at 29 the face is
    # found at 32 (3 frames late, the worst case); at 30, at 32 too. The legacy graph, looking on
    # every frame, finds it at `reveal`. (The left face is small: the detector scores it about
    # 0.5 on frames 13-29 at this size, above 0.6 on frames 30-37, so those frames are used.)
    path = media_dir / "faces" / "ghost_2person_splitscreen.mp4"
    info = media.probe(path)
    frames = _frames(path, 40)
    half = frames[0].shape[1] // 2
    for rgb in frames[:reveal]:
        rgb[:, :half] = 0
    search_every = 4
    legacy = LegacyFaceTracker(max_faces=2)
    tracker = FaceTracker(max_faces=2, search_every=search_every)
    try:
        ref = _counts(_points(legacy, frames, info.display_size))
        new = _counts(_points(tracker, frames, info.display_size))
    finally:
        legacy.close()
        tracker.close()
    assert ref[:reveal].tolist() == [1] * reveal
    legacy_found = int(np.flatnonzero(ref == 2)[0])
    assert legacy_found == reveal  # the legacy graph looks on every frame
    found = int(np.flatnonzero(new == 2)[0])
    assert new[:reveal].tolist() == [1] * reveal
    assert reveal <= found <= reveal + search_every - 1
    assert found == 32
    assert new[found:].tolist() == ref[found:].tolist()


def test_reset_searches_on_the_next_frame(media_dir):
    path = media_dir / "speech" / "hyperlips_real_video2_obama_interview.mp4"
    info = media.probe(path)
    frames = _frames(path, 6)
    tracker = FaceTracker(max_faces=2, search_every=4)
    try:
        counts = [tracker.process(rgb, info.display_size).count for rgb in frames]
        assert counts == [1] * 6
        assert tracker.searches == 2  # frames 0 and 4
        tracker.reset()
        assert tracker.process(frames[0], info.display_size).count == 1
        assert tracker.searches == 1  # the first frame after a reset
    finally:
        tracker.close()


def test_search_every_must_be_positive():
    with pytest.raises(ConfigError, match="face_search_every"):
        Settings().with_overrides({"tracking": {"face_search_every": 0}})
    assert Settings().tracking.face_search_every == 4
