"""The viseme check's pure parts: known words, bilabial closure, the fit rules, the CLI flags.

Real-media cases (alignment of real speech, real clips, built negatives) are in
``test_visemes_media.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from cli_runner import run_cli

from ava_detect.cli_runs import read_transcript
from ava_detect.detectors.lipsync.visemes import viseme_check
from ava_detect.errors import ConfigError
from ava_detect.settings import Settings
from ava_detect.signals import ClipSignals
from ava_detect.signals.visemes import (
    MouthScale,
    closure_at,
    mouth_scale,
    speech_outside_words,
)
from ava_detect.speech import known_words, normalise, quoted_speech
from ava_detect.types import AlignedPhone, ClipInfo, SpeechAlignment

CFG = Settings().lipsync


@pytest.mark.parametrize(("prompt", "speech"), [
    ("Person saying 'absolutely fantastic' enthusiastically", "absolutely fantastic"),
    ("A man's face, he says \"I don't know\" and then 'bye'", "I don't know bye"),
    ("woman says \u201chello there, Bob!\u201d", "hello there, Bob!"),
    ("he says \u2018it\u2019s fine\u2019 quietly", "it\u2019s fine"),
    ("a chef's knife chopping onions", None),
    ("", None),
])
def test_quoted_speech_in_a_prompt(prompt, speech):
    assert quoted_speech(prompt) == speech


def test_normalise_keeps_contractions_and_sets_aside_numbers_and_other_scripts():
    words, odd = normalise("Well-known caf\u00e9, don\u2019t STOP at 2024! \u4f60\u597d")
    assert words == ("well", "known", "don't", "stop", "at")
    assert odd == ("caf\u00e9,", "2024!", "\u4f60\u597d")


def test_a_transcript_wins_over_the_prompt():
    user = {"prompt": "saying 'hello'", "transcript": "good bye",
            "transcript_source": "--transcript-file"}
    known = known_words(user)
    assert known.words == ("good", "bye") and known.source == "--transcript-file"
    assert known_words({"prompt": "saying 'hello'"}).source == "--prompt"
    assert known_words({"prompt": "no dialogue"}) is None


def test_transcript_file_errors_say_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="no such file.*--transcript TEXT"):
        read_transcript(None, tmp_path / "missing.txt")
    with pytest.raises(ConfigError, match="not both"):
        read_transcript("hi", tmp_path / "x.txt")
    (tmp_path / "words.txt").write_text("absolutely\n  fantastic\n", encoding="utf-8")
    assert read_transcript(None, tmp_path / "words.txt") == {
        "transcript": "absolutely fantastic", "transcript_source": "--transcript-file"}


def test_cli_missing_transcript_file_is_one_line_exit_2(tmp_path):
    proc = run_cli("whatever.mp4", "--transcript-file", str(tmp_path / "nope.txt"),
                   cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--transcript-file" in lines[0] and "no such file" in lines[0]


def test_cli_transcript_with_a_folder_is_one_line_exit_2(tmp_path):
    (tmp_path / "clips").mkdir()
    proc = run_cli(str(tmp_path / "clips"), "--transcript", "hello", "--no-history",
                   cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "apply to one clip" in lines[0]


def test_cli_help_teaches_the_transcript_flags(tmp_path):
    out = " ".join(run_cli("--help", cwd=tmp_path).stdout.split())
    assert "--transcript TEXT" in out and "--transcript-file FILE" in out
    assert "p, b and m" in out and "saying 'hi Bob'" in out


def _gap_clip():
    """25 fps, 2 s: mouth closed (0.0) at 0.40-0.56 s, open (0.3) at 1.2-1.4 s, 0.15 else."""
    t = np.arange(50) / 25
    gap = np.full(50, 0.15)
    gap[10:15] = 0.0
    gap[30:36] = 0.3
    return t, gap


def test_closure_finds_the_closed_frame_in_the_window():
    t, gap = _gap_clip()
    scale = mouth_scale(gap, closed_percentile=5, open_percentile=95)
    assert scale.closed == pytest.approx(0.0) and scale.open == pytest.approx(0.3)
    c = closure_at(t, gap, scale, 0.45, 0.50, lead_s=0.06, trail_s=0.04)
    assert 10 <= c.frame <= 14 and c.open_fraction == pytest.approx(0.0)
    # A bilabial while the mouth is wide open: its most closed frame is still 100 % open.
    c = closure_at(t, gap, scale, 1.28, 1.32, lead_s=0.06, trail_s=0.04)
    assert 30 <= c.frame <= 35 and c.open_fraction == pytest.approx(1.0)
    # A phone shorter than a frame period is still measured (the nearest frame).
    c = closure_at(t, gap, scale, 1.001, 1.002, lead_s=0.0, trail_s=0.0)
    assert c.frame == 25 and c.frames == 1


def test_a_phone_past_the_last_frame_is_unmeasured_not_read_off_the_last_frame():
    t, gap = _gap_clip()
    scale = MouthScale(0.0, 0.3)
    c = closure_at(t, gap, scale, 2.5, 2.6, lead_s=0.06, trail_s=0.04)
    assert c.frame == -1 and c.frames == 0


def test_closure_without_a_face_is_unmeasured():
    t = np.arange(10) / 25
    c = closure_at(t, np.full(10, np.nan), MouthScale(0.0, 0.3), 0.1, 0.2, lead_s=0.05,
                   trail_s=0.05)
    assert c.frame == -1 and np.isnan(c.open_fraction)
    assert mouth_scale(np.full(5, 0.1), closed_percentile=5, open_percentile=95) is None


def test_speech_outside_words():
    sr = 16000
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 1e-4, 3 * sr).astype(np.float32)
    audio[sr // 2 : sr] += rng.normal(0, 0.2, sr // 2).astype(np.float32)  # speech 0.5-1.0 s
    audio[2 * sr : 5 * sr // 2] += rng.normal(0, 0.2, sr // 2).astype(np.float32)  # 2.0-2.5 s
    assert speech_outside_words(audio, sr, [(0.5, 1.0), (2.0, 2.5)]) == pytest.approx(0, abs=.02)
    assert speech_outside_words(audio, sr, [(0.5, 1.0)]) == pytest.approx(0.5, abs=0.05)
    assert speech_outside_words(np.zeros(sr, np.float32), sr, []) is None  # no contrast


def _signals(speech=None):
    info = ClipInfo(path="x.mp4", sha256="", size_bytes=0, container="mp4", codec="h264",
                    duration_s=2.0, fps=25.0, variable_frame_rate=False, frame_count=50,
                    width=64, height=64, rotation=0, start_s=0.0, has_audio=True,
                    audio_codec="aac", audio_sample_rate=16000, audio_channels=1)
    return ClipSignals(info=info, t_s=np.arange(50) / 25, frame_size=(64, 64),
                       audio=np.zeros(32000, np.float32), speech=speech)


def test_without_words_the_check_says_it_did_not_run_and_how_to_run_it():
    findings, info = viseme_check(_signals(), 0, 0.0, CFG)
    assert findings == [] and info["ran"] is False
    assert "--transcript TEXT" in info["reason"] and "--prompt" in info["reason"]


def test_an_alignment_reason_is_passed_on_not_guessed_past():
    speech = SpeechAlignment(text="zorblax", source="--transcript", words=("zorblax",),
                             reason="the aligner's US English dictionary lacks 'zorblax'")
    findings, info = viseme_check(_signals(speech), 0, 0.0, CFG)
    assert findings == [] and info["ran"] is False and "'zorblax'" in info["reason"]


def test_a_poor_fit_is_reported_as_audio_that_does_not_match_the_words():
    phones = tuple(AlignedPhone("bob", 0, p, 0.1 * i, 0.1 * i + 0.03, -80.0)
                   for i, p in enumerate(("B", "AA", "B")))
    speech = SpeechAlignment(text="bob", source="--transcript", words=("bob",), phones=phones,
                             measured={"score_per_frame": -80.0, "short_phone_share": 1.0})
    findings, info = viseme_check(_signals(speech), 0, 0.0, CFG)
    assert findings == [] and info["ran"] is False
    assert info["reason"].startswith("the audio does not match the words")
    assert "-80.0 per frame" in info["reason"] and "100.0% of the phones" in info["reason"]


def _face_with_gap(gap_px: np.ndarray) -> np.ndarray:
    """(N, 1, 478, 3) landmarks of a still face (eye centres 80 px apart) whose inner lips
    (mesh points 13 and 14) are ``gap_px`` apart."""
    rng = np.random.default_rng(1)
    base = rng.uniform(0, 200, (478, 3))
    base[:, 2] = rng.uniform(-5, 5, 478)
    for i, x in zip((33, 133, 362, 263), (100, 140, 180, 220), strict=True):
        base[i] = (x, 100, 0)
    base[13] = (160, 200, 0)
    pts = np.repeat(base[None], len(gap_px), axis=0)
    pts[:, 14] = pts[:, 13] + np.stack([np.zeros_like(gap_px), gap_px, np.zeros_like(gap_px)], 1)
    return pts[:, None].astype(np.float32)


def test_a_bilabial_on_an_open_mouth_is_reported_with_word_phone_and_time():
    from ava_detect.signals.clip import FaceArrays

    t = np.arange(75) / 25  # 3 s at 25 fps
    gap = np.where((t > 0.40) & (t < 0.70), 0.0, 24.0)  # lips together only at 0.44-0.68 s
    gap[(t > 1.0) & (t < 1.3)] = 2.0  # nearly closed at 1.04-1.28 s
    sr = 16000
    audio = np.random.default_rng(2).normal(0, 0.2, 3 * sr).astype(np.float32)
    phones = (AlignedPhone("bob", 0, "B", 0.48, 0.54, -15.0),
              AlignedPhone("bob", 0, "AA", 0.54, 0.70, -15.0),
              AlignedPhone("map", 1, "M", 1.10, 1.16, -15.0),
              AlignedPhone("map", 1, "AE", 1.16, 1.50, -15.0),
              AlignedPhone("map", 1, "P", 1.60, 1.66, -15.0))
    speech = SpeechAlignment(text="Bob map", source="--prompt", words=("bob", "map"),
                             phones=phones, measured={"score_per_frame": -15.0,
                                                      "short_phone_share": 0.1})
    signals = _signals(speech)
    signals.audio = audio
    signals.t_s = t
    signals.faces = FaceArrays(points=_face_with_gap(gap))
    findings, info = viseme_check(signals, 0, 0.0, CFG)
    assert info["ran"] and info["bilabials_checked"] == 3 and info["bilabials_closed"] == 2
    (f,) = findings
    assert (f.kind, f.measured["word"], f.measured["phone"]) == ("viseme_mismatch", "map", "P")
    assert f.first_s == pytest.approx(1.60) and f.measured["phone_start_s"] == 1.60
    assert f.measured["open_fraction"] == pytest.approx(1.0)
    assert 1.54 <= f.evidence[0].t_s <= 1.70 and f.evidence[0].box is not None
    # A measured lag moves the windows: with the mouth trailing by 0.56 s, the 'p' at 1.60 s is
    # read at 2.16 s (open) and the 'b' at 0.48 s at 1.04 s (nearly closed: closed).
    findings, info = viseme_check(signals, 0, 0.56, CFG)
    by_word = {(r["word"], r["phone"]): r["closed"] for r in info["bilabials"]}
    assert by_word == {("bob", "B"): True, ("map", "M"): False, ("map", "P"): False}
    assert info["lag_applied_ms"] == 560.0 and "trails the sound by 560 ms" in \
        findings[0].description
    # A dialogue: from 1.45 s the other face speaks, and its lips close for the 'p'.
    other = np.where((t > 1.5) & (t < 1.8), 0.0, 20.0)
    signals.faces = FaceArrays(points=np.concatenate(
        [_face_with_gap(gap), _face_with_gap(other)], axis=1))
    speakers = [{"face": 0, "segments": [[0.0, 1.4]]}, {"face": 1, "segments": [[1.45, 3.0]]}]
    findings, info = viseme_check(signals, 0, 0.0, CFG, speakers=speakers)
    assert findings == [] and info["bilabials_closed"] == 3
    assert [r["face_slot"] for r in info["bilabials"]] == [0, 0, 1]
