"""detectors.base.hysteresis_segments on hand-made score arrays."""

from __future__ import annotations

import numpy as np
import pytest

from ava_detect.signals.segments import hysteresis_segments

T = np.arange(20) * 0.04  # 25 fps


def test_one_noisy_frame_is_not_a_segment_but_a_sustained_run_is():
    scores = np.zeros(20)
    scores[3] = 0.9  # one spike
    scores[10:16] = 0.8  # 6 frames = 240 ms
    segs = hysteresis_segments(scores, T, on=0.6, off=0.3, min_duration_s=0.2)
    assert len(segs) == 1
    seg = segs[0]
    assert (seg.start, seg.end) == (10, 15)
    assert seg.start_s == pytest.approx(0.40)
    assert seg.end_s == pytest.approx(0.64)  # when frame 15 stops being shown
    assert seg.duration_s == pytest.approx(0.24)


def test_off_threshold_holds_a_segment_through_a_dip():
    scores = np.array([0, 0.7, 0.5, 0.4, 0.7, 0.2, 0, 0, 0, 0], float)
    segs = hysteresis_segments(scores, T[:10], on=0.6, off=0.3)
    assert [(s.start, s.end) for s in segs] == [(1, 4)]
    # With a high off threshold the dip ends it: two segments.
    segs = hysteresis_segments(scores, T[:10], on=0.6, off=0.55)
    assert [(s.start, s.end) for s in segs] == [(1, 1), (4, 4)]


def test_nan_frames_carry_state_but_do_not_count_as_measured():
    scores = np.array([0, 0.9, np.nan, np.nan, 0.9, 0, 0, 0.9, np.nan, 0], float)
    segs = hysteresis_segments(scores, T[:10], on=0.5, off=0.2, min_frames=2)
    assert [(s.start, s.end) for s in segs] == [(1, 4)]  # 7-7 has only one measured frame


def test_below_direction_finds_dips_and_reports_the_lowest_peak():
    scores = np.array([1, 1, 0.2, 0.1, 0.3, 1, 1], float)
    segs = hysteresis_segments(scores, T[:7], on=0.35, off=0.6, above=False)
    assert len(segs) == 1
    assert segs[0].peak == 3 and segs[0].peak_value == pytest.approx(0.1)


def test_segment_running_to_the_end_of_the_clip_is_closed():
    scores = np.array([0, 0, 0, 1, 1], float)
    seg = hysteresis_segments(scores, T[:5], on=0.5, off=0.5)[0]
    assert (seg.start, seg.end) == (3, 4)
    assert seg.end_s == pytest.approx(0.20)


def test_thresholds_the_wrong_way_round_are_rejected():
    with pytest.raises(ValueError):
        hysteresis_segments(np.zeros(3), T[:3], on=0.3, off=0.6)
