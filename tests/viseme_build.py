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


def widest_open_run(t: np.ndarray, gap: np.ndarray, target: np.ndarray, start_s: float,
                    end_s: float) -> int:
    """First index of the run of ``len(target)`` consecutive frames whose least open mouth is
    the widest, among runs at least 0.5 s away from [start_s, end_s] (every donor frame shows
    an open mouth, not only the middle one)."""
    n = len(target)
    best, best_lo = -np.inf, 0
    for lo in range(len(t) - n + 1):
        if t[lo + n - 1] > start_s - 0.5 and t[lo] < end_s + 0.5:
            continue
        low = np.min(gap[lo : lo + n])
        if np.isfinite(low) and low > best:
            best, best_lo = low, lo
    return best_lo


def open_mouth_over(src: Path, dst: Path, signals, start_s: float, end_s: float, *,
                    fps: int = 25, max_side: int = 640) -> list[int]:
    """Write ``src`` to ``dst`` (H.264 at ``fps``, longer side ``max_side``, the same audio)
    with every frame from ``start_s`` to ``end_s`` (video times) replaced by the clip's most
    open run of as many frames (at least 0.5 s away from the span, :func:`widest_open_run`).

    Returns the indices of the replaced frames.
    """
    t = signals.t_s
    gap = inner_gap(signals)
    target = np.flatnonzero((t >= start_s) & (t <= end_s))
    lo = widest_open_run(t, gap, target, start_s, end_s)
    donors = list(range(lo, lo + len(target)))
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
