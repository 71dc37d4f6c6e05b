"""Unit tests (synthetic signals) for the lip-sync rules added after issue 17's first pass:
face slots stitched into one speaker, the chance gate on offsets, offset-explained silence and
the wording of signed lags."""

from __future__ import annotations

import numpy as np
import pytest
from lipsync_synth import (
    face_track,
    make_signals,
    syllable_envelope,
    talking_clip,
    voice_from_envelope,
)

from ava_detect.detectors import detector_for
from ava_detect.detectors.lipsync import findings as F
from ava_detect.settings import Settings
from ava_detect.signals import avsync
from ava_detect.signals.speakers import stitch_slots

SETTINGS = Settings(checks=("lipsync",))


def detect(signals, settings=SETTINGS):
    return detector_for("lipsync").detect(signals, settings)


def _split(points: np.ndarray, cut: int) -> np.ndarray:
    """(N, 478, 3) one face -> (N, 2, 478, 3) with frames from ``cut`` on in slot 1."""
    two = np.full((len(points), 2, *points.shape[1:]), np.nan, np.float32)
    two[:cut, 0] = points[:cut]
    two[cut:, 1] = points[cut:]
    return two


def test_one_face_split_over_two_slots_is_stitched():
    pts = face_track(np.full(100, 0.05), np.random.default_rng(0))
    merged, groups = stitch_slots(_split(pts, 60))
    assert groups == [[0, 1]]
    assert np.isfinite(merged[:, 0, 0, 0]).all() and np.isnan(merged[:, 1]).all()
    np.testing.assert_array_equal(merged[70, 0], pts[70])
    # A duplicate detection of the same face on a few frames is the same face too.
    dup = _split(pts, 60)
    dup[55:60, 1] = pts[55:60] + 2.0
    assert stitch_slots(dup)[1] == [[0, 1]]


def test_two_faces_side_by_side_are_not_stitched():
    rng = np.random.default_rng(1)
    left = face_track(np.full(80, 0.05), rng, centre_x=150)
    right = face_track(np.full(80, 0.05), rng, centre_x=480)
    both = np.stack([left, right], axis=1)
    merged, groups = stitch_slots(both)
    assert groups == [[0], [1]]
    np.testing.assert_array_equal(merged, both)
    # Taking turns on screen at different places: still two faces.
    both[40:, 0] = np.nan
    both[:40, 1] = np.nan
    assert stitch_slots(both)[1] == [[0], [1]]


def test_split_speaker_lag_is_measured_on_the_whole_face():
    clip = talking_clip(-300, duration_s=8.0, seed=21)
    clip.faces.points = _split(clip.faces.points[:, 0], 150)  # last 2 s in another slot
    res = detect(clip)
    assert res.details["merged_face_slots"] == [[0, 1]]
    assert res.details["face_slot"] == 0
    assert res.details["lag_ms"] == pytest.approx(-300, abs=40)
    assert res.details["chance_z"] > 2.5  # a real offset beats shifted audio by far
    assert [f.kind for f in res.findings] == ["av_offset"]
    assert res.findings[0].measured["chance_z"] == res.details["chance_z"]


def _inputs(clip):
    cfg = SETTINGS.lipsync
    return avsync.prepare(clip.t_s, clip.faces.points[:, 0], clip.audio, clip.audio_sr,
                          highpass_s=cfg.highpass_s, n_components=cfg.audio_components,
                          motion_window_s=cfg.motion_window_s)


def test_chance_peaks_separate_a_real_alignment_from_an_unrelated_mouth():
    cfg = SETTINGS.lipsync
    synced = _inputs(talking_clip(250, duration_s=6.0, seed=22))
    curve, peak = avsync.measure_lag(synced, max_lag_s=2.0, ridge=cfg.cca_ridge,
                                     exclusion_s=0.2, max_lag_fraction=0.25)
    nulls = avsync.chance_peaks(synced, curve, peak, n_shifts=12, ridge=cfg.cca_ridge)
    assert 6 <= nulls.size <= 12
    assert avsync.chance_z(peak, nulls) > 5

    # The mouth of another utterance over this voice: whatever peak it finds is chance.
    rng = np.random.default_rng(23)
    t_env, env = syllable_envelope(6.0, rng)
    _, other = syllable_envelope(6.0, np.random.default_rng(77))
    t = np.arange(150) / 25.0
    pts = face_track(0.02 + 0.3 * np.interp(t, t_env, other), rng)[:, None]
    unrelated = _inputs(make_signals(pts, voice_from_envelope(t_env, env, rng)))
    curve, peak = avsync.measure_lag(unrelated, max_lag_s=2.0, ridge=cfg.cca_ridge,
                                     exclusion_s=0.2, max_lag_fraction=0.25)
    z = avsync.chance_z(peak, avsync.chance_peaks(unrelated, curve, peak, n_shifts=12,
                                                 ridge=cfg.cca_ridge))
    assert z < 2.5


def test_chance_z_needs_three_nulls_and_counts_standard_deviations():
    peak = type("P", (), {"peak": 0.6})()
    assert np.isnan(avsync.chance_z(peak, np.array([0.3, 0.4])))
    assert avsync.chance_z(peak, np.array([0.3, 0.4, 0.5])) == pytest.approx(
        (0.6 - 0.4) / np.std([0.3, 0.4, 0.5]))


def test_silence_explained_by_the_offset_is_folded_into_it():
    # Mouth trails the voice by 1 s: after the last word the mouth still "talks" for 1 s of
    # silence, which the offset explains.
    rng = np.random.default_rng(24)
    t_env, env = syllable_envelope(10.0, rng, pauses=[(8.0, 10.0)])
    audio = voice_from_envelope(t_env, env, rng)
    t = np.arange(250) / 25.0
    pts = face_track(0.02 + 0.3 * np.interp(t - 1.0, t_env, env, left=0.0), rng)[:, None]
    res = detect(make_signals(pts, audio))
    assert res.details["lag_ms"] == pytest.approx(1000, abs=40)
    kinds = [f.kind for f in res.findings]
    assert kinds == ["av_offset"]  # no separate mouth_open_in_silence
    (offset,) = res.findings
    (explained,) = offset.measured["explained_silence_findings"]
    assert explained["start_s"] == pytest.approx(8.2, abs=0.3)  # silence guard 0.2 s
    assert explained["end_s"] <= 9.1
    assert "consequence, not a separate failure" in offset.description


def test_signed_lag_wording_and_capitalised_descriptions():
    assert F._mouth_moves_label(-286) == "mouth moved for it 286 ms earlier"
    assert F._mouth_moves_label(286) == "mouth moves for it 286 ms later"
    assert F._describe_lag(-286) == "the mouth leads the audio by 286 ms (the sound comes late)"
    assert F._describe_lag(120) == "the mouth trails the audio by 120 ms (the sound comes first)"
    assert F.sentence("the mouth") == "The mouth"
    res = detect(talking_clip(-330, duration_s=8.0, seed=25))
    (offset,) = [f for f in res.findings if f.kind == "av_offset"]
    assert offset.description.startswith("The mouth leads the audio by 3")
    assert any(e.label.endswith("ms earlier") for e in offset.evidence)


def test_psr_just_below_the_threshold_never_prints_as_equal():
    from ava_detect.detectors.lipsync.detector import _inconclusive_reasons

    inp = _inputs(talking_clip(0, duration_s=6.0, seed=26))
    peak = type("P", (), {"psr": 2.996, "at_edge": False})()
    (reason,) = _inconclusive_reasons(inp, peak, SETTINGS.lipsync, 1.5)
    assert reason == "peak-to-sidelobe ratio 2.99 below 3"


@pytest.mark.parametrize(("cut_ms", "found"), [(0, False), (200, False), (400, True)])
def test_audio_ending_early_is_a_length_mismatch_beyond_real_spread(cut_ms, found):
    clip = talking_clip(0, duration_s=6.0, seed=27)
    clip.audio = clip.audio[: len(clip.audio) - int(cut_ms / 1000 * clip.audio_sr)]
    res = detect(clip)
    span = res.details["stream_span"]
    assert span["video_end_s"] == pytest.approx(6.0)
    assert span["difference_ms"] == pytest.approx(-cut_ms, abs=1)
    mismatch = [f for f in res.findings if f.kind == "av_length_mismatch"]
    assert bool(mismatch) == found
    if found:
        assert mismatch[0].measured["difference_ms"] == pytest.approx(-400, abs=1)
        assert mismatch[0].description.startswith("The picture runs on for 400 ms")


def test_sound_running_past_the_picture_is_a_length_mismatch():
    clip = talking_clip(0, duration_s=6.0, seed=28)
    clip.audio = np.concatenate([clip.audio, clip.audio[: int(0.3 * clip.audio_sr)]])
    (f,) = [f for f in detect(clip).findings if f.kind == "av_length_mismatch"]
    assert f.measured["difference_ms"] == pytest.approx(300, abs=1)
    assert "sound runs on for 300 ms" in f.description


@pytest.mark.parametrize("bed_dbfs, judged", [(-70.0, True), (-24.0, False)])
def test_silence_is_judged_only_where_the_sound_falls_well_below_the_voice(bed_dbfs, judged):
    # The mouth keeps "talking" through a 2 s pause. Over a quiet floor that pause is silence
    # (mouth_open_in_silence); over a steady bed about 10 dB under the voice (music, a backing
    # track) "no voice" is not silence, and the check says why it did not judge it.
    rng = np.random.default_rng(7)
    t_env, env = syllable_envelope(10.0, rng, pauses=[(5.0, 7.0)])
    audio = voice_from_envelope(t_env, env, rng, noise_dbfs=bed_dbfs)
    _, talk = syllable_envelope(10.0, np.random.default_rng(8))
    mouth_env = np.where((t_env >= 5.0) & (t_env < 7.0), talk, env)
    t = np.arange(250) / 25.0
    pts = face_track(0.02 + 0.3 * np.interp(t, t_env, mouth_env), rng)[:, None]
    res = detect(make_signals(pts, audio))
    silent = [f for f in res.findings if f.kind == "mouth_open_in_silence"]
    dynamics = res.details["voice_dynamics_db"]
    if judged:
        assert dynamics >= 18.0
        assert "activity_not_judged" not in res.details
        assert silent and all(f.start_s >= 5.0 and f.end_s <= 7.0 for f in silent)
        assert min(f.start_s for f in silent) <= 5.6 and max(f.end_s for f in silent) >= 6.4
    else:
        assert dynamics < 18.0
        assert not silent
        assert "silence cannot be told from it" in res.details["activity_not_judged"]
