"""The evidence clip of a hand finding boxes the finding's own hand (the detector's track), not
the landmark slot numbered like the track (issue 15 follow-up: in MimicMotion hb_0's first
second slot 1 still held the other, lowered hand)."""

from __future__ import annotations

import numpy as np
import pytest
from test_hands_unit import FPS, clip, hand

from ava_detect.output.video.plan import Regions
from ava_detect.report import Evidence, Finding
from ava_detect.signals.hands import track_hands


def _swapped_slots() -> tuple:
    """Two hands, A at x 300 and B at x 900; MediaPipe lists B first for 10 frames, then A."""
    a = [hand(centre=(300.0 + i, 400.0)) for i in range(20)]
    b = [hand(centre=(900.0, 420.0 + i)) for i in range(20)]
    frames = [[b[i], a[i]] if i < 10 else [a[i], b[i]] for i in range(20)]
    return clip(frames), a, b


def test_hand_clip_box_follows_the_track_not_the_slot():
    sig, a, b = _swapped_slots()
    tracks = track_hands(sig.hands)
    # the track that holds hand A (x about 300) in every frame
    k = int(np.argmin(np.abs(np.nanmean(tracks.points[:, :, 9, 0], axis=0) - 300.0)))
    finding = Finding(mode="hands", kind="palm_flip", first_s=15 / FPS, start_s=15 / FPS,
                      end_s=16 / FPS, confidence=0.9, description="X", track=k)
    regions = Regions(finding, sig, (0.0, 19 / FPS))
    for i in (2, 8, 12, 18):  # slot k holds hand B in half of these frames
        box = regions.at(i / FPS)
        centre_x = (box[0] + box[2]) / 2
        a_x = (a[i][:, 0].min() + a[i][:, 0].max()) / 2  # hand A's box centre (smoothed +-2)
        assert centre_x == pytest.approx(a_x, abs=3.0)
        assert abs(centre_x - b[i][:, 0].mean()) > 400  # never hand B

def test_arm_finding_clip_box_comes_from_its_evidence():
    sig, _, _ = _swapped_slots()
    box = (100.0, 100.0, 200.0, 200.0)  # the pose model's hand region
    finding = Finding(mode="hands", kind="hand_melt", first_s=0.2, start_s=0.2, end_s=0.6,
                      confidence=0.9, description="X", track=-1,
                      evidence=[Evidence(t_s=0.2, label="first", box=box)])
    assert Regions(finding, sig, (0.0, 0.7)).at(0.3) == box
