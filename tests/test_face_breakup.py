"""Face breakup measurement: the pure signal functions and the detector's details entry."""

from __future__ import annotations

import numpy as np

from ava_detect.detectors.identity.breakup import breakup_measure
from ava_detect.settings import Settings
from ava_detect.signals.breakup import mesh_gaps, relative_structure, sustained


def test_relative_structure_compares_with_own_recent_frames():
    t = np.arange(100) / 25
    sharp = np.full(100, 0.25)
    sharp[60:64] = 0.15  # a 4-frame loss of structure
    usable = np.ones(100, bool)
    rel = relative_structure(t, sharp, usable, window_s=2.0, min_frames=10)
    assert np.isnan(rel[:10]).all()  # too few earlier frames
    assert np.allclose(rel[10:60], 1.0)
    assert np.allclose(rel[60:64], 0.6)
    held = sustained(rel, 3)
    assert np.nanmin(held) == 0.6 and int(np.nanargmin(held)) == 62


def test_relative_structure_skips_unusable_frames():
    t = np.arange(60) / 25
    sharp = np.full(60, 0.3)
    usable = np.ones(60, bool)
    usable[20:30] = False  # e.g. a profile: neither measured nor part of the reference
    sharp[20:30] = 0.01
    rel = relative_structure(t, sharp, usable, window_s=2.0, min_frames=10)
    assert np.isnan(rel[20:30]).all()
    assert np.allclose(rel[30:], 1.0)


def test_sustained_needs_every_frame():
    v = np.array([1.0, 0.5, 0.5, np.nan, 0.4, 0.4, 0.4])
    out = sustained(v, 2)
    assert np.isnan(out[0]) and out[2] == 0.5 and np.isnan(out[3]) and np.isnan(out[4])
    assert out[6] == 0.4


def test_mesh_gaps_inside_a_track_only():
    t = np.arange(100) / 25
    present = np.ones(100, bool)
    present[:5] = False  # before the face appears: not a gap
    present[40:45] = False  # 0.2 s dropout: the track continues
    present[60:90] = False  # 1.2 s gone: a new track, not a dropout
    assert mesh_gaps(present, t, max_gap_s=1.0) == [(40, 44)]


def test_detector_reports_a_measurement_never_a_finding():
    n = 100
    t = np.arange(n) / 25
    present = np.zeros((n, 2), bool)
    present[:, 0] = True
    sharp = np.full((n, 2), np.nan)
    sharp[:, 0] = 0.25
    sharp[50:55, 0] = 0.1
    yaw = np.zeros((n, 2))
    eyes = np.full((n, 2), 80.0)
    out = breakup_measure(t, present, sharp, sharp, yaw, eyes, np.array([], int),
                          Settings().identity)
    assert out["reported_as"] == "measurement"
    (face,) = out["faces"]
    assert face["face"] == 1
    assert abs(face["lowest_relative_structure"] - 0.4) < 1e-9
    assert abs(face["t_s"] - t[50]) < 1e-9
    assert abs(face["clear_t_s"] - t[49]) < 1e-9  # the clear face just before the drop
    assert face["mesh_dropouts"] == 0
    # a shot cut restarts the reference: a softer new shot is not a drop
    sharp[60:, 0] = 0.1
    sharp[50:55, 0] = 0.25
    out = breakup_measure(t, present, sharp, sharp, yaw, eyes, np.array([60]),
                          Settings().identity)
    assert out["faces"][0]["lowest_relative_structure"] == 1.0


def test_switched_off_the_measurement_says_so():
    t = np.arange(30) / 25
    present = np.ones((30, 1), bool)
    out = breakup_measure(t, present, None, None, np.zeros((30, 1)), np.full((30, 1), 80.0),
                          np.array([], int), Settings().identity)
    assert out["reported_as"] == "not measured"
    assert out["faces"][0]["lowest_relative_structure"] is None
