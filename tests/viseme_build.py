"""Built viseme negatives: a real clip whose frames around one bilabial are replaced by
open-mouth frames from the same clip (built in a temporary folder at test time)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from ava_detect.media import Mp4Writer, iter_frames, read_audio
from ava_detect.signals.mouth import lip_features


def inner_gap(signals, slot: int = 0) -> np.ndarray:
    """(N,) inner-lip gap of face slot ``slot``, eye-distance units."""
    return lip_features(signals.faces.points[:, slot])[:, 0]


def open_donors(t: np.ndarray, gap: np.ndarray, target: np.ndarray, start_s: float,
                end_s: float) -> np.ndarray:
    """The ``len(target)`` frames with the widest open mouth (largest inner-lip gap) at least
    0.5 s away from [start_s, end_s], in time order: every replaced frame shows an open mouth.
    (A run of consecutive frames around the widest one was tried first: on clips whose mouth
    never stays open for 0.3 s, its edge frames were only 45 % open.)"""
    far = (t < start_s - 0.5) | (t > end_s + 0.5)
    order = np.argsort(-np.where(far & np.isfinite(gap), gap, -np.inf), kind="stable")
    return np.sort(order[: len(target)])


def open_mouth_over(src: Path, dst: Path, signals, start_s: float, end_s: float, *,
                    fps: int = 25, max_side: int = 640) -> list[int]:
    """Write ``src`` to ``dst`` (H.264 at ``fps``, longer side ``max_side``, the same audio)
    with every frame from ``start_s`` to ``end_s`` (video times) replaced by the clip's most
    open frames (at least 0.5 s away from the span, :func:`open_donors`).

    Returns the indices of the replaced frames.
    """
    t = signals.t_s
    gap = inner_gap(signals)
    target = np.flatnonzero((t >= start_s) & (t <= end_s))
    donors = open_donors(t, gap, target, start_s, end_s)
    frames = [f.rgb for f in iter_frames(src, max_side=max_side)]
    assert len(frames) == len(t), "decoded frames differ from the analysed frames"
    for k, d in zip(target, donors, strict=True):
        frames[k] = frames[d]
    h, w = frames[0].shape[:2]
    audio = read_audio(src, sr=16000)
    writer = Mp4Writer(dst, (w - w % 2, h - h % 2), Fraction(fps), crf=18, audio_sr=16000)
    with writer:
        for rgb in frames:
            writer.add_frame(np.ascontiguousarray(rgb[: h - h % 2, : w - w % 2]))
        writer.add_audio(audio)
        writer.close()
    return [int(k) for k in target]
