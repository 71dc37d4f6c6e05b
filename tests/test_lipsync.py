"""Lip-sync check on synthetic arrays with known answers (no video, no models)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from lipsync_synth import (
    SR,
    face_track,
    make_signals,
    syllable_envelope,
    talking_clip,
    voice_from_envelope,
)

from ava_detect.detectors import detector_for
from ava_detect.detectors.lipsync.detector import tolerance_of
from ava_detect.report.json import plain
from ava_detect.settings import LipSyncSettings, Settings
from ava_detect.signals import audio as A
from ava_detect.signals import mouth as M

SETTINGS = Settings(checks=("lipsync",))
REQUIRED = ("lag_ms", "confidence", "conclusive", "tolerance", "drift_ms_per_s", "face_slot")


def detect(signals, settings=SETTINGS):
    result = detector_for("lipsync").detect(signals, settings)
    for key in REQUIRED:
        assert key in result.details
    return result


@pytest.mark.parametrize(("lag_ms", "seed"), [(-300, 1), (-120, 2), (0, 3), (60, 4), (250, 5)])
def test_known_lag_is_recovered_within_a_frame(lag_ms, seed):
    result = detect(talking_clip(lag_ms, seed=seed))
    assert result.details["conclusive"]
    assert abs(result.details["lag_ms"] - lag_ms) <= 40  # one frame at 25 fps
    assert result.details["confidence"] > 0.8


def test_half_frame_lag_is_refined_below_a_frame():
    result = detect(talking_clip(100, seed=6))  # 2.5 frames at 25 fps
    assert abs(result.details["lag_ms"] - 100) <= 20


def test_tolerances_map_to_our_sign_convention():
    itu = tolerance_of(LipSyncSettings())
    assert (itu.low_ms, itu.high_ms) == (-185.0, 90.0)  # audio lead 90 -> lag_ms <= +90
    det = tolerance_of(LipSyncSettings(tolerance_standard="itu_bt1359_detectability"))
    assert (det.low_ms, det.high_ms) == (-125.0, 45.0)
    ebu = tolerance_of(LipSyncSettings(tolerance_standard="ebu_r37"))
    assert (ebu.low_ms, ebu.high_ms) == (-60.0, 40.0)
    atsc = tolerance_of(LipSyncSettings(tolerance_standard="atsc_is191"))
    assert (atsc.low_ms, atsc.high_ms) == (-45.0, 15.0)
    assert itu.excess_ms(120.0) == pytest.approx(30.0)
    assert itu.excess_ms(-200.0) == pytest.approx(15.0)
    assert itu.excess_ms(0.0) == 0.0


def test_offset_fails_only_outside_tolerance_by_more_than_uncertainty():
    early = detect(talking_clip(160, seed=7))  # audio early by 160 ms: ITU allows 90
    assert early.status == "fail"
    (finding,) = [f for f in early.findings if f.kind == "av_offset"]
    assert finding.measured["lag_ms"] == pytest.approx(160, abs=40)
    assert finding.threshold["allowed_lag_ms"] == [-185.0, 90.0]
    assert finding.measured["excess_ms"] > finding.measured["uncertainty_ms"]
    assert {e.label for e in finding.evidence} >= {"first failure"}
    assert all(e.box is not None for e in finding.evidence)

    late = detect(talking_clip(-160, seed=7))  # audio late by 160 ms: ITU allows 185
    assert late.status == "pass"
    ebu = Settings(checks=("lipsync",)).with_overrides({"lipsync": {"tolerance_standard":
                                                                    "ebu_r37"}})
    assert detect(talking_clip(-160, seed=7), ebu).status == "fail"
    # 100 ms early is 10 ms over ITU's +90: inside the measurement's own uncertainty (>= 20 ms).
    near = detect(talking_clip(100, seed=8))
    assert near.details["uncertainty_ms"] >= 20
    assert near.status == "pass"


def test_drift_slope_and_first_time_out_of_tolerance():
    result = detect(talking_clip(0, duration_s=12, drift_ms_per_s=35, seed=9))
    assert result.details["drift_ms_per_s"] == pytest.approx(35, abs=8)
    (drift,) = [f for f in result.findings if f.kind == "sync_drift"]
    assert drift.first_s == pytest.approx(90 / 35, abs=0.8)  # lag crosses +90 ms at 2.6 s
    lag_plot = result.details["signals"]["lag"]
    assert lag_plot["threshold"] == 90.0


def test_no_drift_reported_for_a_steady_lag():
    result = detect(talking_clip(40, duration_s=12, seed=10))
    assert abs(result.details["drift_ms_per_s"]) < 5
    assert not [f for f in result.findings if f.kind == "sync_drift"]


def _features(audio):
    return A.audio_features(audio, SR)


def test_vad_hysteresis_bridges_stops_splits_pauses_and_drops_clicks():
    rng = np.random.default_rng(0)
    n = 4 * SR
    t = np.arange(n) / SR
    loud = ((t > 0.5) & (t < 1.5)) | ((t > 1.58) & (t < 2.2)) | ((t > 2.8) & (t < 3.6))
    y = rng.normal(0, 0.003, n)  # noise floor about -50 dBFS
    y[loud] += 0.2 * np.sin(2 * np.pi * 500 * t[loud])
    click = (t > 2.45) & (t < 2.47)
    y[click] += 0.3 * rng.normal(0, 1, click.sum())
    vad = A.voice_activity(_features(y.astype(np.float32)))
    spans = [(round(s.start_s, 2), round(s.end_s, 2)) for s in vad.segments]
    assert len(spans) == 2, spans  # 80 ms dip bridged, 20 ms click dropped, 600 ms pause kept
    np.testing.assert_allclose(spans, [(0.5, 2.2), (2.8, 3.6)], atol=0.05)


def test_vad_thresholds_follow_a_loud_noise_floor():
    rng = np.random.default_rng(1)
    t = np.arange(3 * SR) / SR
    y = rng.normal(0, 0.05, len(t))  # steady noise at about -26 dBFS
    speech = (t > 1.0) & (t < 2.0)
    y[speech] += 0.5 * np.sin(2 * np.pi * 300 * t[speech])
    vad = A.voice_activity(_features(y.astype(np.float32)))
    assert [(round(s.start_s, 1), round(s.end_s, 1)) for s in vad.segments] == [(1.0, 2.0)]


def test_silent_track_detection():
    assert A.is_silent(np.zeros(SR, np.float32))
    assert A.is_silent(np.full(SR, 1e-4, np.float32))  # -80 dBFS hum
    assert not A.is_silent(0.1 * np.ones(SR, np.float32))


def _clip_with(openness_fn, env_fn, duration_s=8.0, fps=25.0, seed=0):
    """A face whose openness and a voice whose envelope are given as functions of time."""
    rng = np.random.default_rng(seed)
    t_env = np.arange(int(duration_s * 1000)) / 1000.0
    audio = voice_from_envelope(t_env, env_fn(t_env), rng)
    t = np.arange(int(duration_s * fps)) / fps
    return make_signals(face_track(openness_fn(t), rng)[:, None], audio, fps)


def test_mouth_moving_in_silence_is_found_with_its_span():
    rng = np.random.default_rng(11)
    t_env, env = syllable_envelope(8.0, rng, pauses=[(3.0, 5.0)])

    def env_fn(t):
        return np.interp(t, t_env, env)

    def open_fn(t):  # the mouth keeps "talking" through the silent 3-5 s
        talk = 0.02 + 0.3 * np.interp(t, t_env, env)
        babble = 0.02 + 0.15 * (1 + np.sin(2 * np.pi * 4 * t))
        return np.where((t >= 3.0) & (t < 5.0), babble, talk)

    result = detect(_clip_with(open_fn, env_fn))
    (finding,) = [f for f in result.findings if f.kind == "mouth_open_in_silence"]
    assert finding.start_s == pytest.approx(3.2, abs=0.25)  # silence guard of 0.2 s
    assert finding.end_s == pytest.approx(4.8, abs=0.25)
    assert finding.evidence[0].label == "first failure"


def test_pause_with_breath_or_still_open_mouth_is_not_a_finding():
    rng = np.random.default_rng(12)
    t_env, env = syllable_envelope(8.0, rng, pauses=[(3.0, 4.5)])

    def env_fn(t):
        return np.interp(t, t_env, env)

    def open_fn(t):  # in the pause: one slow breath (0.1 eye distances over 0.8 s)
        talk = 0.02 + 0.3 * np.interp(t, t_env, env)
        breath = 0.02 + 0.1 * np.sin(np.pi * np.clip((t - 3.3) / 0.8, 0, 1))
        return np.where((t >= 3.0) & (t < 4.5), breath, talk)

    result = detect(_clip_with(open_fn, env_fn))
    assert not [f for f in result.findings if f.kind.startswith("mouth_")]


def test_mouth_still_in_speech_but_not_for_a_short_mm():
    rng = np.random.default_rng(13)
    t_env, env = syllable_envelope(9.0, rng)
    hum = np.zeros_like(t_env)
    hum[(t_env >= 2.0) & (t_env < 2.4)] = 0.7  # a 400 ms "mm": voiced, lips closed
    hum[(t_env >= 5.0) & (t_env < 7.6)] = 0.7  # 2.6 s of voice over a frozen mouth

    def env_fn(t):
        return np.maximum(np.interp(t, t_env, env), np.interp(t, t_env, hum))

    def open_fn(t):
        talk = 0.02 + 0.3 * np.interp(t, t_env, env)
        closed = ((t >= 2.0) & (t < 2.4)) | ((t >= 5.0) & (t < 7.6))
        return np.where(closed, 0.02, talk)

    result = detect(_clip_with(open_fn, env_fn, duration_s=9.0))
    still = [f for f in result.findings if f.kind == "mouth_still_in_speech"]
    assert len(still) == 1
    assert still[0].start_s == pytest.approx(5.1, abs=0.3)
    assert still[0].end_s == pytest.approx(7.5, abs=0.3)


def test_no_audio_no_face_and_silent_track_are_skipped():
    clip = talking_clip(0, seed=14)
    no_audio = make_signals(clip.faces.points, None)
    res = detect(no_audio)
    assert res.status == "skipped" and "no audio" in res.reason
    assert res.details["lag_ms"] is None and res.details["confidence"] is None

    no_face = make_signals(None, clip.audio, duration_s=8.0)
    res = detect(no_face)
    assert res.status == "skipped" and "no face" in res.reason

    still_face = face_track(np.full(200, 0.02), np.random.default_rng(0))[:, None]
    res = detect(make_signals(still_face, np.zeros(8 * SR, np.float32)))
    assert res.status == "skipped" and "silent" in res.reason
    assert res.details["lag_ms"] is None


def test_silent_track_with_a_talking_mouth_reports_the_motion_without_a_lag():
    # Revised (issue 14 item 7): a silent track has no dialogue to sync to, so the check is
    # skipped, as the README says; the mouth motion is listed in the details, not as findings.
    clip = talking_clip(0, seed=15)
    res = detect(make_signals(clip.faces.points, np.zeros(len(clip.audio), np.float32)))
    assert res.details["lag_ms"] is None
    assert res.status == "skipped" and not res.findings
    assert "silent" in res.reason and "mouth moves clearly" in res.reason
    spans = res.details["mouth_motion_in_silent_track"]
    assert spans and sum(s["end_s"] - s["start_s"] for s in spans) > 3.0


def test_short_clip_is_inconclusive_with_reason():
    res = detect(talking_clip(0, duration_s=2.0, seed=16))
    assert res.status == "inconclusive"
    assert "face" in res.reason and not res.details["conclusive"]


def test_multi_face_uses_the_face_that_matches_the_voice():
    rng = np.random.default_rng(17)
    t_env, env = syllable_envelope(8.0, rng)
    audio = voice_from_envelope(t_env, env, rng)
    t = np.arange(200) / 25.0
    speaker = face_track(0.02 + 0.3 * np.interp(t - 0.08, t_env, env), rng, centre_x=450)
    _, other_env = syllable_envelope(8.0, np.random.default_rng(99))
    listener = face_track(0.02 + 0.3 * np.interp(t, t_env, other_env), rng, centre_x=150)
    res = detect(make_signals(np.stack([listener, speaker], axis=1), audio))
    assert res.details["face_slot"] == 1
    assert res.details["lag_ms"] == pytest.approx(80, abs=40)
    assert {f["slot"] for f in res.details["faces"]} == {0, 1}


def test_details_are_json_ready_and_plots_are_bounded():
    res = detect(talking_clip(0, duration_s=30, seed=18))
    data = plain(res.to_dict())
    plots = data["signals"]
    assert {"lag", "mouth_openness", "audio_envelope"} <= set(plots)
    for series in plots.values():
        assert len(series["t_s"]) == len(series["values"]) <= 600
        assert {"label", "unit", "threshold", "threshold_label"} <= set(series)
    json.dumps(data, allow_nan=False)  # NaN became null
    assert isinstance(data["lag_ms"], float) and isinstance(data["confidence"], float)


def test_lip_features_ignore_head_scale_and_rotation():
    rng = np.random.default_rng(19)
    openness = np.linspace(0.0, 0.3, 20)
    pts = face_track(openness, rng, jitter_px=0.0).astype(np.float64)
    angle = np.deg2rad(25)
    rot = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0],
                    [0, 0, 1]])
    moved = pts.copy()
    moved[10:] = 1.7 * (pts[10:] - 300) @ rot.T + 500  # second half: nearer and tilted
    f_a, f_b = M.lip_features(pts), M.lip_features(moved)
    np.testing.assert_allclose(f_b[:, 0], f_a[:, 0], atol=2e-3)
    assert f_a[-1, 0] - f_a[0, 0] == pytest.approx(0.3, abs=0.02)
