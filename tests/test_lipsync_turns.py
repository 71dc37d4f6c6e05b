"""Speakers taking turns (issue 17 item 2): ``signals.turns`` and the check on a synthetic
dialogue of two faces whose lines alternate."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from lipsync_synth import face_track, make_signals, syllable_envelope, voice_from_envelope

from ava_detect.detectors import detector_for
from ava_detect.settings import LipSyncSettings, Settings
from ava_detect.signals import turns as T

SETTINGS = Settings(checks=("lipsync",))
LINES = [(0.0, 2.4), (2.4, 4.4), (4.4, 6.8), (6.8, 8.8), (8.8, 11.0), (11.0, 13.0)]


def test_assign_turns_follows_the_moving_mouth():
    step = 0.04
    t = np.arange(300) * step
    voiced = np.ones(300, bool)
    voiced[100:104] = False  # a short pause inside the second line
    motion = np.full((300, 2), 0.002)
    for i, (a, b) in enumerate([(0, 3), (3, 6), (6, 9), (9, 12)]):
        motion[(t >= a) & (t < b), i % 2] = 0.05
    motion[40:45, 1] = 0.2  # a 0.2 s twitch of the listener: too short to be a turn
    label = T.assign_turns(voiced, motion, step, smooth_s=0.5, min_ratio=2.0, min_turn_s=0.5,
                           bridge_s=0.5)
    runs = T.turn_runs(label, t, step)
    assert sorted(runs) == [0, 1]
    # Turns change within a grid step of the built changes.
    assert np.allclose(runs[0], [(0.0, 3.0), (6.0, 9.0)], atol=step + 1e-9)
    assert np.allclose(runs[1], [(3.0, 6.0), (9.0, 12.0)], atol=step + 1e-9)


def test_assign_turns_without_voice_or_motion_names_nobody():
    motion = np.zeros((50, 2))
    assert (T.assign_turns(np.ones(50, bool), motion, 0.04, smooth_s=0.5, min_ratio=2.0,
                           min_turn_s=0.5, bridge_s=0.5) == T.NOBODY).all()
    assert (T.assign_turns(np.zeros(50, bool), motion + 1, 0.04, smooth_s=0.5, min_ratio=2.0,
                           min_turn_s=0.5, bridge_s=0.5) == T.NOBODY).all()


def test_fill_gaps_splits_silence_half_way():
    label = np.array([0, 0, -1, -1, -1, -1, 1, 1])
    assert T.fill_gaps(label).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]


def dialogue(lag_ms: float, *, fps: float = 25.0, seed: int = 3):
    """Two faces (left, right) speaking the lines of ``LINES`` in turn; the listener's mouth
    is closed and still. The mouths follow the voice ``lag_ms`` later."""
    rng = np.random.default_rng(seed)
    duration = LINES[-1][1]
    t_env, env = syllable_envelope(duration, rng)
    audio = voice_from_envelope(t_env, env, rng)
    t = np.arange(int(round(duration * fps))) / fps
    spoken = np.interp(t - lag_ms / 1000, t_env, env, left=0.0, right=0.0)
    faces = []
    for who, centre in ((0, 170.0), (1, 470.0)):
        mine = np.zeros(len(t), bool)
        for i, (a, b) in enumerate(LINES):
            if i % 2 == who:
                mine |= (t >= a + lag_ms / 1000) & (t < b + lag_ms / 1000)
        faces.append(face_track(0.02 + 0.3 * np.where(mine, spoken, 0.0), rng,
                                centre_x=centre))
    return make_signals(np.stack(faces, axis=1), audio, fps)


@pytest.mark.parametrize("lag_ms", [0.0, 240.0])
def test_dialogue_lines_go_to_the_speaking_face(lag_ms):
    result = detector_for("lipsync").detect(dialogue(lag_ms), SETTINGS)
    speakers = result.details["speakers"]
    assert [s["face"] for s in speakers] == [0, 1]
    for s in speakers:
        assert s["conclusive"]
        assert abs(s["lag_ms"] - lag_ms) <= 40
        mine = [ln for i, ln in enumerate(LINES) if i % 2 == s["face"]]
        for a, b in s["segments"]:  # every turn lies in one of the face's lines
            assert any(a >= la - 0.4 and b <= lb + 0.6 for la, lb in mine), (a, b)
    kinds = [f.kind for f in result.findings]
    assert "mouth_still_in_speech" not in kinds
    if lag_ms:
        assert result.status == "fail" and "av_offset" in kinds
        offset = next(f for f in result.findings if f.kind == "av_offset")
        assert offset.track in (0, 1) and abs(offset.measured["lag_ms"] - lag_ms) <= 40
    else:
        assert result.status == "pass"
    assert all(f.track in (0, 1) for f in result.findings)


def test_one_face_for_the_whole_dialogue_when_turned_off():
    off = dataclasses.replace(SETTINGS, lipsync=LipSyncSettings(speaker_turns=False))
    result = detector_for("lipsync").detect(dialogue(0.0), off)
    assert "speakers" not in result.details


def test_pdf_and_ticket_say_who_speaks_when(tmp_path):
    from pack_samples import make_index_clip, sample_report

    from ava_detect.report import facts
    from ava_detect.report.pdf import write_pdf
    from ava_detect.report.ticket import ticket_text

    report = sample_report(make_index_clip(tmp_path / "clip.mp4"))
    report.checks["lipsync"].details["speakers"] = [
        {"face": 1, "speaker": 1, "box": [10, 20, 110, 150], "segments": [[0.0, 1.9], [3.6, 6.0]],
         "spoken_s": 4.3, "lag_ms": 212.4, "psr": 5.8, "conclusive": True},
        {"face": 0, "speaker": 2, "box": [300, 20, 400, 150], "segments": [[1.9, 3.6]],
         "spoken_s": 1.7, "lag_ms": None, "psr": None, "conclusive": False},
    ]
    lines = facts.speaker_lines(report)
    assert lines[0].startswith("Speaker 1 (face #2") and "0.0-1.9 s, 3.6-6.0 s" in lines[0]
    assert "lag +212 ms" in lines[0] and "lag not measured" in lines[1]
    text = ticket_text(report)
    assert "Who speaks when (lip sync):" in text and f"- {lines[1]}" in text
    assert write_pdf(report, tmp_path / "pack.pdf").stat().st_size > 0
