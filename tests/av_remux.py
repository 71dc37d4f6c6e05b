"""Real clips re-muxed with other audio, for lip-sync tests (built in temporary folders)."""

from __future__ import annotations

from fractions import Fraction

import av


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
