"""Small generated clips for the batch tests (see ``batch_testkit.py`` for their verdicts)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_clip(
    path: Path,
    *,
    seconds: float = 1.0,
    fps: int = 10,
    bright_from_s: float | None = None,
    audio: bool = True,
    loud_from_s: float | None = None,
    seed: int = 0,
) -> Path:
    """Write a small H.264 mp4 (96x64) with an optional AAC tone.

    Frames are dark grey noise (mean brightness about 0.2) until ``bright_from_s``, then light
    (about 0.85). The tone is quiet (RMS about 0.01) until ``loud_from_s``, then loud (0.35).
    ``seed`` makes clips of equal settings differ in their bytes.
    """
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 96, 64, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=16000) if audio else None
        n_frames = int(round(seconds * fps))
        for i in range(n_frames):
            level = 215 if bright_from_s is not None and i / fps >= bright_from_s else 50
            rgb = np.clip(level + rng.integers(-10, 10, (64, 96, 3)), 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if sound is not None:
            _write_tone(out, sound, seconds, loud_from_s)
    return path


def _write_tone(out, stream, seconds: float, loud_from_s: float | None) -> None:
    sr = stream.codec_context.sample_rate
    t = np.arange(int(seconds * sr)) / sr
    amp = np.where(loud_from_s is not None and t >= (loud_from_s or 0), 0.5, 0.014)
    samples = (amp * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    frame_size = stream.codec_context.frame_size or 1024
    for start in range(0, samples.size, frame_size):
        chunk = samples[start : start + frame_size]
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = sr
        frame.pts = start
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
