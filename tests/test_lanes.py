"""The frame loop's lanes: threaded work gives the same answers as the serial loop."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from ava_detect.lanes import InlineLane, ThreadLane
from ava_detect.pipeline import Analyzer
from ava_detect.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "sample_clips"


def test_thread_lane_keeps_order_and_runs_in_its_own_thread():
    seen, threads = [], set()

    def work(item):
        seen.append(item)
        threads.add(threading.get_ident())

    lane = ThreadLane("t", work, maxsize=2)
    for i in range(100):
        lane.put(i)
    lane.finish()
    assert seen == list(range(100))
    assert threads and threading.get_ident() not in threads
    assert lane.done == 100


@pytest.mark.parametrize("lane_type", [ThreadLane, InlineLane])
def test_lane_error_reaches_the_caller(lane_type):
    def work(item):
        if item == 3:
            raise ValueError("bad frame 3")

    lane = lane_type("t", work)
    with pytest.raises(ValueError, match="bad frame 3"):
        for i in range(50):
            lane.put(i)
        lane.finish()
    lane.stop()


@pytest.fixture(scope="module")
def both_ways():
    clip = SAMPLES / "identity_switch_3s.mp4"
    settings = Settings(checks=("identity", "lipsync", "hands"))
    return [Analyzer(settings.with_overrides({"parallel_lanes": p})).analyze(clip)
            for p in (False, True)]


def test_parallel_lanes_give_the_serial_signals(both_ways):
    serial, parallel = (a.signals for a in both_ways)
    assert np.array_equal(serial.t_s, parallel.t_s)
    assert np.array_equal(serial.faces.points, parallel.faces.points, equal_nan=True)
    assert np.array_equal(serial.hands.image, parallel.hands.image, equal_nan=True)
    assert serial.measured.keys() == parallel.measured.keys()
    for key in serial.measured:
        if not key.endswith(".ms"):  # the analysers' own timings differ run to run
            assert np.array_equal(serial.measured[key], parallel.measured[key], equal_nan=True)
    # The identity switch at 3.000 s is found, at the same time, by both.
    first = [[f.first_s for f in a.report.findings if f.mode == "identity"] for a in both_ways]
    assert first[0] == first[1] and first[0] and first[0][0] == pytest.approx(3.0, abs=0.2)


def test_stage_times_name_each_analyser(both_ways):
    times = both_ways[1].times
    assert times.extra["analyzer.face_s"] > 0
    assert times.face_analyzers_s == pytest.approx(times.extra["analyzer.face_s"])


def test_hand_search_skips_frames_while_no_hand_is_tracked():
    clip = SAMPLES / "talking_clean.mp4"  # a face, no hands
    settings = Settings(checks=("hands",), parallel_lanes=False)
    analyzer = Analyzer(settings.with_overrides({"tracking": {"hand_search_every": 4}}))
    tracker = analyzer.models.hand_tracker()
    result = analyzer.analyze(clip)
    n = result.signals.n_frames
    assert not result.signals.hands.present.any()
    assert tracker.runs == {"palms": -(-n // 4), "landmarks": 0}  # frames 0, 4, 8, ...
    analyzer.close()
