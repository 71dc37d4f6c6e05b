"""The pixel side of the hand check on built pictures and arrays: the motion-compensated change
that confirms landmark events, and the pose-based ``hand_melt`` rule (no video, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from ava_detect.analysers.hand_change import HandChangeAnalyzer, compensated_change
from ava_detect.analysers.hand_pose import arm_ends, hand_in_region, head_box
from ava_detect.detectors.hands.melt import hand_melts, melt_frames
from ava_detect.media import ClipInfo
from ava_detect.settings import Settings
from ava_detect.types import Frame, HandsInFrame

HS = Settings().hands


def _texture(seed: int = 0, side: int = 200) -> np.ndarray:
    """A smooth random grey texture (blobs of ~10 px), uint8 (side, side)."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(0, 255, (side // 10, side // 10)).astype(np.float32)
    import cv2

    return cv2.resize(small, (side, side), interpolation=cv2.INTER_CUBIC).clip(0, 255).astype(
        np.uint8)


def test_a_moved_picture_is_no_change_and_a_new_picture_is():
    a = _texture(0)
    shifted = np.roll(a, (3, 4), axis=(0, 1))  # the hand moved 3-4 px: motion, not change
    other = _texture(1)  # a different picture in the same place: a real change
    same = compensated_change(a[20:180, 20:180], shifted[20:180, 20:180])
    new = compensated_change(a[20:180, 20:180], other[20:180, 20:180])
    assert same < 0.05
    assert new > 0.3
    assert same < HS.pixel_change_min < new


def test_the_analyser_measures_each_hand_to_the_next_frame():
    info = ClipInfo(
        path="built.mp4", sha256="0" * 64, size_bytes=0, container="mp4", codec="h264",
        duration_s=0.16, fps=25.0, variable_frame_rate=False, frame_count=4, width=400,
        height=300, rotation=0, start_s=0.0, has_audio=False, audio_codec=None,
        audio_sample_rate=None, audio_channels=None,
    )
    pts = np.zeros((2, 21, 3), np.float32)
    pts[1] = np.nan
    pts[0, :, 0] = np.linspace(150, 250, 21)
    pts[0, :, 1] = np.linspace(100, 200, 21)
    base = np.zeros((300, 400), np.uint8)
    base[:200, :200] = _texture(0)
    changed = base.copy()
    changed[100:200, 150:250] = 255 - changed[100:200, 150:250]  # the hand's region inverted
    an = HandChangeAnalyzer(max_side=1280)
    an.begin(info)
    for i, grey in enumerate((base, base, changed, changed)):
        hands = HandsInFrame(image=pts, world=pts, handedness=np.array([1.0, np.nan]),
                             score=np.array([0.9, np.nan]))
        an.update(Frame(i, i / 25.0, np.repeat(grey[:, :, None], 3, axis=2)), hands, None)
    out = an.finish()
    nxt = out["hand_change.next"]
    assert nxt.shape == (4, 2)
    assert nxt[0, 0] < 0.02  # frame 0 -> 1: the same picture
    assert nxt[1, 0] > 0.3  # frame 1 -> 2: the region changed
    assert nxt[2, 0] < 0.02  # 2 -> 3: the same (changed) picture again
    assert np.isnan(nxt[3, 0]) and np.isnan(nxt[:, 1]).all()  # last frame; empty slot
    assert out["hand_change.flows"].tolist() == [0, 1, 1, 1]


def _pose_arrays(n: int, lacks: range, *, vis: float = 0.95, size: float = 150.0,
                 speed_px: float = 2.0, centre=(500.0, 400.0)) -> dict[str, np.ndarray]:
    """hand_pose arrays of a right arm whose end has no hand in frames ``lacks``."""
    wrist = np.full((n, 2, 2), np.nan)
    wrist[:, 1, 0] = centre[0] + speed_px * np.arange(n)
    wrist[:, 1, 1] = centre[1]
    c = wrist.copy()
    found = np.full((n, 2), np.nan)
    found[:, 1] = 1.0
    found[list(lacks), 1] = 0.0
    return {"hand_pose.wrist": wrist, "hand_pose.centre": c,
            "hand_pose.size": np.where(np.isnan(wrist[..., 0]), np.nan, size),
            "hand_pose.visibility": np.where(np.isnan(wrist[..., 0]), np.nan, vis),
            "hand_pose.found": found, "hand_pose.on_face": np.zeros((n, 2)),
            "hand_pose.ran": np.ones(n)}


def test_an_arm_whose_end_is_no_hand_for_long_enough_is_a_melt():
    t_s = np.arange(80) / 25.0
    m = _pose_arrays(80, range(20, 42))  # 22 frames = 0.88 s
    events = hand_melts(m, t_s, (1280, 720), HS)
    assert [(e.kind, e.first, e.last, e.track) for e in events] == [("hand_melt", 20, 41, -2)]
    assert events[0].measured["side"] == "right"
    assert events[0].measured["frames_without_hand"] == 22
    # 0.64 s is not enough; one frame with a hand inside the run does not split it
    assert hand_melts(_pose_arrays(80, range(20, 36)), t_s, (1280, 720), HS) == []
    gap = _pose_arrays(80, [*range(20, 30), *range(31, 42)])
    assert [(e.first, e.last) for e in hand_melts(gap, t_s, (1280, 720), HS)] == [(20, 41)]


def test_a_hand_the_hand_model_never_knew_or_clasped_hands_are_not_a_melt():
    t_s = np.arange(80) / 25.0
    never = _pose_arrays(80, range(0, 42))  # no hand found from the start (hanging arm)
    assert hand_melts(never, t_s, (1280, 720), HS) == []
    clasped = _pose_arrays(80, range(20, 42))
    clasped["hand_pose.centre"][:, 0] = clasped["hand_pose.centre"][:, 1] + (100.0, 0.0)
    clasped["hand_pose.size"][:, 0] = 150.0
    clasped["hand_pose.visibility"][:, 0] = 0.95
    clasped["hand_pose.found"][:, 0] = 1.0
    assert hand_melts(clasped, t_s, (1280, 720), HS) == []  # 0.67 region sides apart
    clasped["hand_pose.centre"][:, 0] = clasped["hand_pose.centre"][:, 1] + (300.0, 0.0)
    assert len(hand_melts(clasped, t_s, (1280, 720), HS)) == 1  # 2 apart: judged


def test_an_arm_end_on_the_face_is_not_judged():
    # stableavatar_case45: mittens held to the face; the pose put the wrist on the cheek and
    # the hand model (rightly) found no hand there for 26 frames
    t_s = np.arange(80) / 25.0
    m = _pose_arrays(80, range(20, 42))
    on_face = np.zeros((80, 2))
    on_face[20:42, 1] = 1.0
    m["hand_pose.on_face"] = on_face
    assert not melt_frames(m, (1280, 720), HS)[20:42].any()
    assert hand_melts(m, t_s, (1280, 720), HS) == []
    on_face[20:42, 0] = 1.0  # the other arm's end on the face does not excuse this one
    on_face[20:42, 1] = 0.0
    assert len(hand_melts(m, t_s, (1280, 720), HS)) == 1


def test_the_face_box_spans_the_pose_head_points():
    pts = np.full((33, 3), np.nan, np.float32)
    pts[0] = (300, 200, 0)  # nose
    pts[7] = (250, 190, 0)  # ears 100 px apart
    pts[8] = (350, 190, 0)
    pts[9] = (290, 225, 0)  # mouth corners
    pts[10] = (310, 225, 0)
    centre, half = head_box(pts)
    assert centre.tolist() == [300.0, 207.5]
    assert half == pytest.approx(0.8 * 100.0)  # from the forehead to the chin
    centre, half = head_box(np.full((33, 3), np.nan, np.float32))  # no person
    assert np.isnan(centre).all() and np.isnan(half)


@pytest.mark.parametrize("change", [
    {"vis": 0.6},  # the pose model is not sure the wrist is there (hidden)
    {"size": 40.0},  # too small to show fingers
    {"size": 80.0},  # a hand in a 384 px render: the hand model loses plausible ones too
    {"speed_px": 120.0},  # fast: motion blur, not a melt
    {"centre": (1250.0, 400.0)},  # cut by the frame edge
])
def test_hidden_small_fast_or_cut_arm_ends_are_not_judged(change):
    t_s = np.arange(60) / 25.0
    m = _pose_arrays(60, range(20, 40), **change)
    assert not melt_frames(m, (1280, 720), HS)[20:40].any()
    assert hand_melts(m, t_s, (1280, 720), HS) == []


def test_arm_ends_and_hand_regions_from_pose_points():
    pts = np.full((33, 3), np.nan, np.float32)
    vis = np.zeros(33, np.float32)
    pts[16] = (100, 100, 0)  # right wrist, index 40 px away
    pts[18] = (120, 130, 0)
    pts[20] = (100, 140, 0)
    pts[22] = (90, 120, 0)
    vis[16] = 0.9
    wrist, centre, size, v = arm_ends(pts, vis)
    assert np.isnan(wrist[0]).all() and wrist[1].tolist() == [100, 100]
    assert size[1] == pytest.approx(2.5 * 40.0)  # the longer of wrist->index and ->pinky
    assert v[1] == pytest.approx(0.9)
    hand = np.full((2, 21, 3), np.nan, np.float32)
    hand[0, :, :2] = centre[1] + 5
    frame = HandsInFrame(image=hand, world=hand, handedness=np.array([1.0, np.nan]),
                         score=np.array([0.9, np.nan]))
    assert hand_in_region(frame, centre[1], size[1])
    assert not hand_in_region(frame, centre[1] + 200, size[1])


def test_events_while_the_pose_sees_both_hands_together_are_not_judged():
    from ava_detect.detectors.hands.detector import confirm_by_pixels
    from ava_detect.detectors.hands.melt import hands_clasped
    from ava_detect.detectors.hands.rules import Event

    m = _pose_arrays(40, [])
    m["hand_pose.centre"][:, 0] = m["hand_pose.centre"][:, 1] + (100.0, 0.0)  # 0.67 apart
    m["hand_pose.size"][:, 0] = 150.0
    m["hand_pose.visibility"][:, 0] = 0.95
    m["hand_pose.centre"][30:, 0] += 300.0  # from frame 30 the hands are apart (2.67)
    clasped = hands_clasped(m, 40, HS)
    assert clasped[:30].all() and not clasped[30:].any()
    change = np.full((40, 1), 0.3)
    events = [Event("presence_collapse", 0, 20, 22, 0.2), Event("palm_flip", 0, 35, 36, 1.0)]
    yes, no = confirm_by_pixels(events, change, HS, clasped)
    assert [e.first for e in yes] == [35] and [e.first for e in no] == [20]
    assert no[0].measured["hands_clasped"] is True
    assert not hands_clasped({}, 40, HS).any()  # no pose: nothing is excluded
