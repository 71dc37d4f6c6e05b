"""Audio and video of different lengths, on a real clip re-muxed with its audio cut short."""

from __future__ import annotations

import pytest
from av_remux import remux_with_audio

from ava_detect.media import read_audio
from ava_detect.pipeline import Analyzer
from ava_detect.settings import Settings

CLIP = "vox2_00086_man_red_bg"  # 5.2 s, audio and video end within 48 ms of each other


@pytest.mark.media
def test_real_clip_with_audio_cut_400ms_short(media_dir, tmp_path):
    src = media_dir / "speech" / f"{CLIP}.mp4"
    audio = read_audio(src)
    dst = tmp_path / f"{CLIP}_audio_short.mp4"
    remux_with_audio(src, dst, audio[: len(audio) - 400 * 16])
    az = Analyzer(Settings(checks=("lipsync",)))
    try:
        base = az.analyze(src).report.checks["lipsync"]
        short = az.analyze(dst).report.checks["lipsync"]
    finally:
        az.close()
    assert abs(base.details["stream_span"]["difference_ms"]) < 100
    assert not [f for f in base.findings if f.kind == "av_length_mismatch"]
    (f,) = [f for f in short.findings if f.kind == "av_length_mismatch"]
    expected = base.details["stream_span"]["difference_ms"] - 400
    assert f.measured["difference_ms"] == pytest.approx(expected, abs=70)  # AAC frame padding
    assert f.evidence and f.evidence[-1].label == "last frame"
