"""Small clips written at test time with PyAV: known timestamps, tones and pictures."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def numbered_frame(index: int, width: int = 96, height: int = 64) -> np.ndarray:
    """An RGB frame whose brightness encodes ``index`` (0-24 -> 10..250 grey)."""
    value = 10 + (index % 25) * 10
    return np.full((height, width, 3), value, np.uint8)


def write_video(
    path: Path,
    times_s: list[float],
    *,
    size: tuple[int, int] = (96, 64),
    audio: np.ndarray | None = None,
    audio_sr: int = 16000,
    audio_start_s: float = 0.0,
    codec: str = "libx264",
    container_options: dict | None = None,
) -> Path:
    """Write frames shown at ``times_s`` (millisecond precision) and optional mono audio.

    Frame ``i`` is :func:`numbered_frame` ``(i)``, so a decoded frame tells which one it is.
    """
    width, height = size
    with av.open(str(path), "w", options=container_options or {}) as out:
        video = out.add_stream(codec, rate=1000 if codec == "libx264" else 25)
        video.width, video.height = width, height
        video.pix_fmt = "yuv420p"
        video.time_base = Fraction(1, 1000)
        audio_stream = None
        if audio is not None:
            audio_stream = out.add_stream("aac", rate=audio_sr, layout="mono")
        for i, t in enumerate(times_s):
            frame = av.VideoFrame.from_ndarray(numbered_frame(i, width, height), format="rgb24")
            frame.pts = int(round(t * 1000))
            frame.time_base = Fraction(1, 1000)
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if audio_stream is not None:
            offset = int(round(audio_start_s * audio_sr))
            for start in range(0, len(audio), 1024):
                block = np.ascontiguousarray(audio[start : start + 1024], dtype=np.float32)
                frame = av.AudioFrame.from_ndarray(block[None, :], format="flt", layout="mono")
                frame.sample_rate = audio_sr
                frame.pts = offset + start
                out.mux(audio_stream.encode(frame))
            out.mux(audio_stream.encode())
    return path


def tone(
    freq_hz: float,
    duration_s: float,
    *,
    sr: int = 16000,
    start_s: float = 0.0,
    amplitude: float = 0.5,
) -> np.ndarray:
    """Silence until ``start_s``, then a sine tone, to ``duration_s`` in all."""
    t = np.arange(int(duration_s * sr)) / sr
    signal = amplitude * np.sin(2 * np.pi * freq_hz * t)
    signal[t < start_s] = 0.0
    return signal.astype(np.float32)
