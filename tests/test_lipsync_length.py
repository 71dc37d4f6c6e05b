"""Audio and video of different lengths, on a real clip re-muxed with its audio cut short."""

from __future__ import annotations

from fractions import Fraction

import av
import pytest

from ava_detect.media import read_audio
from ava_detect.pipeline import Analyzer
from ava_detect.settings import Settings

CLIP = "vox2_00086_man_red_bg"  # 5.2 s, audio and video end within 48 ms of each other


def remux_with_audio(src, dst, audio, sr: int = 16000) -> None:
    """Copy the video stream untouched and write ``audio`` (mono, ``sr`` Hz) as AAC."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        vout = out.add_stream_from_template(vin)
        aout = out.add_stream("aac", rate=sr)
        aout.layout = "mono"
        for packet in inp.demux(vin):
            if packet.dts is None:
                continue
            packet.stream = vout
            out.mux(packet)
        for i in range(0, len(audio), 1024):
            frame = av.AudioFrame.from_ndarray(audio[None, i : i + 1024], format="flt",
                                               layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
            out.mux(aout.encode(frame))
        out.mux(aout.encode(None))


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
