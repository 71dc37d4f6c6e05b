"""Lip sync on real footage (AVA_TEST_MEDIA) and on the repository's sample clips.

Each real clip is analysed once per session; shifted cases re-run only the pure detector on the
clip's signals with the decoded audio moved in time, and two cases go through a real re-muxed
file with the shift written into its audio stream.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from av_remux import remux_with_audio

from ava_detect.detectors import detector_for
from ava_detect.pipeline import Analyzer
from ava_detect.settings import Settings

SETTINGS = Settings(checks=("lipsync",))
SAMPLES = Path(__file__).resolve().parents[1] / "sample_clips"
OFFSETS_MS = (-400, -200, -100, -40, 40, 100, 200, 400)
# Every nominally in-sync real talking head in speech/ of at least 6 s (SOURCES-av.md); the
# AI-generated clips and the clip with a known 1 s offset are left out.
REAL_CLIPS = (
    "hdtf_aoc_speech_8s", "hdtf_katiehill_speech_8s", "ghost_obama_short_speech",
    "hyperlips_real_video2_obama_interview", "hyperlips_real_video3_woman_tv_interview",
    "latentsync_demo1_fullbody_small_face", "liveportrait_d20_man_speaking",
    "retalking_face1_man_suit", "retalking_face4_woman_blue_bg", "tps_driving_man_talking",
    "vox2_00015_man_news_interview", "vox2_00098_man_beard_red_set",
    "vox2_00473_older_man_white_bg", "vox2_681100216_man_tv_studio",
    "vox2_741400104_man_interview_12s", "vox2_741400163_man_tinted_glasses_12s",
)


def shift_audio(audio: np.ndarray, sr: int, shift_ms: float) -> np.ndarray:
    """Move the audio ``shift_ms`` earlier (positive: the mouth then trails by that much more)."""
    n = int(round(shift_ms / 1000 * sr))
    if n > 0:
        return np.concatenate([audio[n:], np.zeros(n, audio.dtype)])
    if n < 0:
        return np.concatenate([np.zeros(-n, audio.dtype), audio[:n]])
    return audio


def remux_with_shift(src: Path, dst: Path, shift_ms: float, sr: int = 16000) -> None:
    """Copy the video stream untouched and write the audio ``shift_ms`` earlier as AAC."""
    from ava_detect.media import read_audio

    remux_with_audio(src, dst, shift_audio(read_audio(src, sr=sr), sr, shift_ms), sr)


@pytest.fixture(scope="session")
def analyzer():
    az = Analyzer(SETTINGS)
    yield az
    az.close()


@pytest.fixture(scope="session")
def real_signals(media_dir, analyzer):
    return {name: analyzer.analyze(media_dir / "speech" / f"{name}.mp4").signals
            for name in REAL_CLIPS}


def _detect(signals):
    return detector_for("lipsync").detect(signals, SETTINGS)


@pytest.fixture(scope="session")
def shift_grid(real_signals):
    """name -> (unshifted result, {offset_ms: result})."""
    grid = {}
    for name, sig in real_signals.items():
        base = _detect(sig)
        shifted = {off: _detect(dataclasses.replace(
            sig, audio=shift_audio(sig.audio, sig.audio_sr, off))) for off in OFFSETS_MS}
        grid[name] = (base, shifted, sig.info.duration_s)
    return grid


@pytest.mark.media
def test_added_shift_is_recovered_on_real_talking_heads(shift_grid):
    errors, conclusive_long, cases_long = [], 0, 0
    for base, shifted, duration in shift_grid.values():
        for off, res in shifted.items():
            ok = base.details["conclusive"] and res.details["conclusive"]
            if duration >= 5.0:
                cases_long += 1
                conclusive_long += ok
            if ok:
                errors.append(res.details["lag_ms"] - base.details["lag_ms"] - off)
    errors = np.abs(errors)
    assert len(shift_grid) >= 8
    assert np.mean(errors <= 40) >= 0.9, np.round(errors)
    assert conclusive_long / cases_long >= 0.8


@pytest.mark.media
def test_real_in_sync_clips_mostly_pass(shift_grid):
    statuses = {name: base.status for name, (base, _, _) in shift_grid.items()}
    passed = sum(s == "pass" for s in statuses.values())
    assert passed >= 0.6 * len(statuses), statuses
    # Clips that fail carry a finding that says why, with evidence times.
    for name, (base, _, _) in shift_grid.items():
        if base.status == "fail":
            assert base.findings and all(f.evidence for f in base.findings), name


@pytest.mark.media
def test_remuxed_files_with_shifted_audio(media_dir, analyzer, real_signals, tmp_path):
    name = "vox2_741400104_man_interview_12s"
    base = _detect(real_signals[name])
    status = {}
    for off in (300, -200):
        dst = tmp_path / f"{name}_{off:+d}ms.mp4"
        remux_with_shift(media_dir / "speech" / f"{name}.mp4", dst, off)
        res = analyzer.analyze(dst).report.checks["lipsync"]
        assert res.details["conclusive"]
        assert res.details["lag_ms"] - base.details["lag_ms"] == pytest.approx(off, abs=40)
        status[off] = res.status
    # The clip itself reads about +30 ms: +330 ms is past ITU's +90, -170 ms is inside -185.
    assert status == {300: "fail", -200: "pass"}


@pytest.mark.media
def test_cnn_clip_with_audio_one_second_early(media_dir, analyzer):
    res = analyzer.analyze(media_dir / "speech" / "news_cnn_anchor_audio_leads_1000ms.mp4")
    check = res.report.checks["lipsync"]
    assert check.status == "fail"
    assert check.details["lag_ms"] == pytest.approx(1000, abs=60)
    (offset,) = [f for f in check.findings if f.kind == "av_offset"]
    assert offset.measured["lag_ms"] > 0 and "trails" in offset.description
    assert check.details["confidence"] > 0.9


@pytest.mark.media
def test_silent_audio_clip_gets_no_lag_but_its_mouth_motion_is_reported(media_dir, analyzer):
    res = analyzer.analyze(media_dir / "faces" / "liveportrait_d18_man_mouth_open_silent_audio.mp4")
    check = res.report.checks["lipsync"]
    assert check.details["lag_ms"] is None and not check.details["conclusive"]
    # Revised (issue 14 item 7): skipped, as the README says of a silent track; the motion is
    # listed in the details instead of failing the clip four times.
    assert check.status == "skipped" and "silent" in check.reason and not check.findings
    moving = check.details["mouth_motion_in_silent_track"]
    assert moving and moving[0]["start_s"] < 3.0
    assert sum(m["end_s"] - m["start_s"] for m in moving) >= 1.0


def test_sample_clip_with_injected_lag_is_measured_within_a_frame(analyzer):
    truth = json.loads((SAMPLES / "truth.json").read_text())["clips"]
    frame_ms = 1000 / 25
    for name in ("talking_clean.mp4", "talking_audio_early_200ms.mp4"):
        check = analyzer.analyze(SAMPLES / name).report.checks["lipsync"]
        assert check.details["conclusive"], name
        assert check.details["lag_ms"] == pytest.approx(truth[name]["lag_ms"], abs=frame_ms)
        assert check.status == truth[name]["verdict"]


def _cut(sig, start_s: float, length_s: float):
    """Video and audio of ``[start_s, start_s + length_s)``, times re-based to 0."""
    keep = (sig.t_s >= start_s - 1e-6) & (sig.t_s < start_s + length_s - 1e-6)
    a0, a1 = (int(round(x * sig.audio_sr)) for x in (start_s, start_s + length_s))
    return dataclasses.replace(
        sig, t_s=sig.t_s[keep] - start_s, audio=sig.audio[a0:a1],
        faces=dataclasses.replace(sig.faces, points=sig.faces.points[keep]),
        info=dataclasses.replace(sig.info, duration_s=length_s, frame_count=int(keep.sum())))


@pytest.mark.media
@pytest.mark.slow
def test_short_windows_of_real_clips_recover_a_built_shift(real_signals, shift_grid):
    """Issue 17: 3 s and 4 s cuts of real talking heads, audio moved by -300 / +200 ms.

    The error is measured against the whole clip's own lag (its natural offset cancels). On the
    benchmark's 584 such cases 83-88 % were conclusive and 91-95 % of those within 40 ms.
    """
    errors, conclusive = [], []
    for name in ("hdtf_aoc_speech_8s", "hyperlips_real_video2_obama_interview",
                 "vox2_741400163_man_tinted_glasses_12s", "retalking_face4_woman_blue_bg"):
        sig = real_signals[name]
        base = shift_grid[name][0].details
        assert base["conclusive"], name
        for off in (-300, 200):
            moved = dataclasses.replace(sig, audio=shift_audio(sig.audio, sig.audio_sr, off))
            for length in (3.0, 4.0):
                piece = _cut(moved, 0.5, length)
                d = _detect(piece).details
                conclusive.append(d["conclusive"])
                if d["conclusive"]:
                    errors.append(d["lag_ms"] - base["lag_ms"] - off)
    assert np.mean(conclusive) >= 0.7
    assert np.mean(np.abs(errors) <= 40) >= 0.85, errors


@pytest.mark.media
def test_rap_over_scene_cuts_gets_no_lag(media_dir, analyzer):
    """Issue 14 item 7: every windowed lag unmeasurable, so the +1.4 s peak is not a lag."""
    check = analyzer.analyze(media_dir / "faces" / "facerec_hamilton_clip_scene_cuts.mp4"
                             ).report.checks["lipsync"]
    assert check.status != "fail" and not check.details["conclusive"]
    assert "windowed lags could be measured" in check.reason


@pytest.mark.media
@pytest.mark.parametrize(("name", "start_s", "offset_ms"), [
    ("vox2_00015_man_news_interview", 0.0, -200),
    ("ghost_obama_short_speech", 3.0, 100),
])
def test_syllable_rhythm_makes_a_3s_window_conclusive(media_dir, analyzer, name, start_s,
                                                      offset_ms):
    """Issue 17 item 1: a 3 s window whose right lag does not beat the circularly shifted
    audio (chance z 1.2 and 0.6 in the benchmark, needs 2.5) is conclusive because the mouth's
    2-7 Hz syllable rhythm peaks at the same lag, and the lag is the built shift within 40 ms."""
    sig = analyzer.analyze(media_dir / "speech" / f"{name}.mp4").signals
    base = _detect(sig).details
    assert base["conclusive"], name
    moved = dataclasses.replace(sig, audio=shift_audio(sig.audio, sig.audio_sr, offset_ms))
    d = _detect(_cut(moved, start_s, 3.0)).details
    assert d["conclusive"], d
    assert d["chance_z"] is not None and d["chance_z"] < SETTINGS.lipsync.min_chance_z
    assert abs(d["rhythm_lag_ms"] - d["lag_ms"]) <= SETTINGS.lipsync.rhythm_agreement_ms
    assert abs(d["lag_ms"] - base["lag_ms"] - offset_ms) <= 40, (d["lag_ms"], base["lag_ms"])


@pytest.mark.media
@pytest.mark.parametrize("name", ["joyhallo_page_en_0_s6_7_terracotta_warrior_singing_audio.mp4",
                                  "stableavatar_case51_piano_hands_audio.mp4"])
def test_music_is_not_silence(media_dir, analyzer, name):
    # Singing over a backing track and a piano clip: between sung phrases the music plays on.
    # Until the dynamics gate these raised "mouth moves while the audio is silent" at 6.52 s
    # and at 3.32 s / 9.32 s (speech band -16 to -19 dBFS there: not silent).
    from ava_detect.report.facts import check_rows

    report = analyzer.analyze(media_dir / "generated2" / name).report
    check = report.checks["lipsync"]
    assert check.details["voice_dynamics_db"] < 15.0
    assert "silence cannot be told from it" in check.details["activity_not_judged"]
    assert not [f for f in check.findings
                if f.kind in ("mouth_open_in_silence", "mouth_still_in_speech")]
    (row,) = [r for r in check_rows(report) if r["mode"] == "lipsync"]  # the PDF's cover
    assert "silence not judged" in row["note"]
