"""Identity changes a forward reference cannot see, on hand-built arrays (no video, no models):
a switch among the reference frames, a track that begins as one person and ends as another, a
face that comes back as someone else, and alarms that only show at unseen poses."""

from __future__ import annotations

import numpy as np
from test_identity_unit import FPS, A, B, N, clip, face_points, noisy, person, run

from ava_detect.detectors.identity.ends import early_switch, ends_finding, track_ends
from ava_detect.signals.identity import (
    TrackSpan,
    change_onset,
    matched_change,
    stretch_reference,
)

SEED = 11


def _rng():
    return np.random.default_rng(SEED)


def test_switch_at_frame_3_is_found_at_frame_3():
    emb = np.vstack([noisy(A, 3, _rng()), noisy(B, N - 3, _rng())])[:, None, :]
    result = run(clip(emb))
    (finding,) = result.findings
    assert finding.kind == "identity_switch"
    assert finding.measured["onset_frame"] == 3 and finding.measured["early"]
    assert [e.label for e in finding.evidence] == ["before", "first failure"]
    assert finding.evidence[0].t_s == 2 / FPS


def test_early_switch_needs_both_sides_apart():
    usable = np.ones(N, bool)
    t = np.arange(N) / FPS
    same = noisy(A, N, _rng())
    assert early_switch(same, usable, t, 10, step_on=0.55, on=0.6) is None
    flick = same.copy()
    flick[4] = B  # one frame of someone else: two big steps, but the sides agree
    assert early_switch(flick, usable, t, 10, step_on=0.55, on=0.6) is None


def test_stretch_reference_and_change_onset():
    emb = np.vstack([noisy(A, 40, _rng(), 0.05), noisy(B, N - 40, _rng(), 0.05)])
    usable = np.ones(N, bool)
    usable[::2] = False
    head, idx = stretch_reference(emb, usable, 5)
    assert list(idx) == [1, 3, 5, 7, 9] and np.linalg.norm(head - A) < 0.1
    tail, idx = stretch_reference(emb, usable, 5, from_end=True)
    assert list(idx) == [91, 93, 95, 97, 99] and np.linalg.norm(tail - B) < 0.1
    assert change_onset(emb, usable, head, tail) == 41


def test_gradual_change_from_the_first_frame_begins_as_one_ends_as_another():
    """A morph that starts at once: the head/tail comparison sees it, with its onset."""
    w = np.clip((np.arange(N) - 20) / 40, 0, 1)[:, None]
    emb = (1 - w) * A + w * B + noisy(np.zeros(128), N, _rng(), 0.03)
    usable = np.ones(N, bool)
    te = track_ends(TrackSpan(0, 0, N - 1, "clip start"), emb, usable, 10, 0)
    pts = np.stack([face_points(320, 240, 60)] * N)[:, None]
    pose = (np.zeros((N, 1)), np.zeros((N, 1)), np.zeros((N, 1)))
    match = {"pose_deg": 10.0, "mouth": 0.15, "min_pairs": 10, "on": 0.6}
    finding = ends_finding(te, emb, usable, np.arange(N) / FPS, pts, pose, on=0.65,
                           match=match, several=False)
    assert finding.kind == "identity_changed_in_track"
    assert 20 <= finding.measured["onset_frame"] <= 35
    assert finding.measured["head_tail_distance"] > 1.0


def test_face_back_as_someone_else_after_leaving():
    emb = np.full((N, 1, 128), np.nan)
    emb[:40, 0] = noisy(A, 40, _rng())
    emb[70:, 0] = noisy(B, N - 70, _rng())  # gone 1.2 s, back as B
    pts = np.stack([np.stack([face_points(320, 240, 60)])] * N)
    pts[40:70] = np.nan
    (finding,) = run(clip(emb, points=pts)).findings
    assert finding.kind == "identity_changed_on_reentry"
    assert finding.first_s == 70 / FPS
    assert np.isclose(finding.measured["gap_s"], 31 / FPS)
    assert finding.evidence[0].t_s == 39 / FPS  # the face that left


def test_same_face_back_after_leaving_is_clean():
    emb = np.full((N, 1, 128), np.nan)
    emb[:40, 0] = noisy(A, 40, _rng())
    emb[70:, 0] = noisy(A, N - 70, _rng())
    pts = np.stack([np.stack([face_points(320, 240, 60)])] * N)
    pts[40:70] = np.nan
    result = run(clip(emb, points=pts))
    assert result.status == "pass"
    assert [tr["starts_because"] for tr in result.details["tracks"]] == ["clip start",
                                                                        "face reappeared"]


def test_two_people_who_swap_slots_are_not_a_reentry():
    """Two faces on screen; one leaves and comes back in the other's slot: it matches a face
    seen in the shot, so it is that face, not a change."""
    emb = np.full((N, 2, 128), np.nan)
    emb[:, 0] = noisy(A, N, _rng())
    emb[:40, 1] = noisy(B, 40, _rng())
    emb[70:, 1] = noisy(A, N - 70, _rng())  # slot 2 now holds the first person's face
    pts = np.stack([np.stack([face_points(160, 240, 60), face_points(480, 240, 60)])] * N)
    pts[40:70, 1] = np.nan
    result = run(clip(emb, points=pts))
    assert result.findings == []


def test_cut_restarts_the_comparison():
    emb = np.vstack([noisy(A, 50, _rng()), noisy(B, N - 50, _rng())])[:, None, :]
    result = run(clip(emb, cut_at=50))
    assert result.findings == []


def test_matched_change_pairs_only_matching_poses():
    emb = np.vstack([np.zeros((4, 2)), np.ones((4, 2))])
    yaw = np.array([0, 0, 30, 30, 0, 30, 30, 60], float)
    zero = np.zeros(8)
    med, pairs = matched_change(emb, np.arange(4), np.arange(4, 8), yaw, zero, zero,
                                max_pose_deg=5, max_mouth=0.1)
    assert pairs == 2 + 2 * 2 and np.isclose(med, np.sqrt(2))
    # a set against itself: each pair once, frames at least 5 apart, at matched pose
    _, own = matched_change(emb, np.arange(8), np.arange(8), yaw, zero, zero,
                            max_pose_deg=5, max_mouth=0.1, self_pairs=True)
    assert own == 0  # the pairs 5 or more frames apart all differ in yaw
    _, own = matched_change(emb, np.arange(8), np.arange(8), zero, zero, zero,
                            max_pose_deg=5, max_mouth=0.1, self_pairs=True)
    assert own == 6  # (0,5) (0,6) (0,7) (1,6) (1,7) (2,7)


def test_alarm_only_at_poses_the_reference_never_had_is_not_a_finding():
    """A face far from its frontal reference only while turned 35 degrees (real footage does
    this: stableavatar case 52) is recorded as an unconfirmed alarm, not a finding."""
    w = np.clip((np.arange(N) - 40) / 30, 0, 1)  # turns and moves away over 1.2 s
    away = A + 0.7 * (B - A) / np.linalg.norm(B - A)
    emb = (1 - w)[:, None] * A + w[:, None] * away + noisy(np.zeros(128), N, _rng(), 0.05)
    pts = np.stack([np.stack([face_points(320, 240, 60, 35.0 * wi)]) for wi in w])
    result = run(clip(emb[:, None, :], points=pts))
    assert result.findings == []
    (track,) = result.details["tracks"]
    (alarm,) = track["unconfirmed_alarms"]
    assert alarm["matched_pose_distance"] < alarm["matched_threshold"]
    assert track["max_distance"] > track["on_threshold"]  # far from the reference, though


def test_review_score_is_zero_with_a_finding():
    """A re-entry change leaves each track steady, but the clip is not: the cover must not show
    'steady' beside FAIL."""
    emb = np.full((N, 1, 128), np.nan)
    emb[:40, 0] = noisy(A, 40, _rng())
    emb[70:, 0] = noisy(B, N - 70, _rng())
    pts = np.stack([np.stack([face_points(320, 240, 60)])] * N)
    pts[40:70] = np.nan
    result = run(clip(emb, points=pts))
    assert result.status == "fail"
    assert result.details["stability_score"] == 0.0
    assert min(tr["stability_score"] for tr in result.details["tracks"]) > 0.5


def test_face_that_keeps_changing_is_unstable_and_a_steady_one_is_not():
    """Every few frames another look (as the Disco panel of MagicDance figure 1): no single
    switch, a contaminated reference, but far from itself at the same pose a second earlier."""
    rng = _rng()
    people = [person(100 + i) for i in range(N // 5)]  # a new look every 5 frames
    looks = np.repeat(np.arange(N // 5), 5)
    # small changes between neighbouring frames: each look blends into the next over 5 frames
    target = np.stack([people[i] for i in looks])
    smooth = np.stack([target[max(0, i - 4) : i + 1].mean(axis=0) for i in range(N)])
    changing = smooth * 0.45 + noisy(np.zeros(128), N, rng, 0.05)
    result = run(clip(changing[:, None, :]))
    kinds = [f.kind for f in result.findings]
    assert "identity_unstable" in kinds, kinds
    (finding,) = [f for f in result.findings if f.kind == "identity_unstable"]
    assert finding.measured["median_local_matched_distance"] >= 0.45
    assert [e.label for e in finding.evidence][1] == "first failure"
    steady = run(clip(noisy(A, N, _rng())[:, None, :]))
    assert steady.findings == []
    (track,) = steady.details["tracks"]
    assert track["local_matched_distance"] < 0.3
