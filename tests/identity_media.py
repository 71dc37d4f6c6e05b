"""Build identity-change clips from real media at test time (spliced and cross-faded faces).

``faces/ghost_src_dance.mp4`` and ``faces/aigen_ghost_swap_*.webm`` are the same 66 frames
with different people's faces (same pose, background and timing), so mixing them changes the
identity and nothing else. Used by the identity tests and ``benchmarks/identity_accuracy.py``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ava_detect.media import iter_frames, probe

GHOST_SOURCE = "faces/ghost_src_dance.mp4"
GHOST_SWAPS = ("elon", "khabenskii", "mark")


def ghost_swap(name: str) -> str:
    return f"faces/aigen_ghost_swap_{name}.webm"


def read_frames(path: str | Path) -> tuple[list[np.ndarray], float]:
    """All frames of a clip as (H, W, 3) uint8 RGB, and its frame rate."""
    info = probe(path)
    return [f.rgb for f in iter_frames(path)], info.fps


def write_clip(path: str | Path, frames: list[np.ndarray], fps: float) -> Path:
    """Encode frames as a near-lossless H.264 mp4 (CRF 12), constant frame rate."""
    path = Path(path)
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "12", "preset": "veryfast"}
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def splice(first: list[np.ndarray], second: list[np.ndarray], at: int) -> list[np.ndarray]:
    """Frames ``0..at-1`` of ``first`` then ``at..`` of ``second``: a switch at frame ``at``."""
    n = min(len(first), len(second))
    return [first[i] if i < at else second[i] for i in range(n)]


def crossfade(first: list[np.ndarray], second: list[np.ndarray], start: int,
              length: int) -> list[np.ndarray]:
    """Blend from ``first`` to ``second`` over ``length`` frames beginning at ``start``.

    Frame ``start`` is still all ``first``; frame ``start + length`` and later all ``second``.
    """
    n = min(len(first), len(second))
    out = []
    for i in range(n):
        w = float(np.clip((i - start) / length, 0.0, 1.0))
        mix = (1 - w) * first[i].astype(np.float32) + w * second[i].astype(np.float32)
        out.append(np.clip(np.rint(mix), 0, 255).astype(np.uint8))
    return out


def hide_region(frames: list[np.ndarray], start: int, stop: int,
                box: tuple[int, int, int, int]) -> list[np.ndarray]:
    """Frames ``start..stop-1`` with the region ``box`` (x0, y0, x1, y1 px) smoothed into a
    3 x 3 colour gradient: the face is gone for a while, the picture's colours and layout stay
    (no cut).
    """
    import cv2

    x0, y0, x1, y1 = box
    out = [f.copy() for f in frames]
    for i in range(start, min(stop, len(out))):
        region = np.ascontiguousarray(out[i][y0:y1, x0:x1])
        coarse = cv2.resize(region, (3, 3), interpolation=cv2.INTER_AREA)
        out[i][y0:y1, x0:x1] = cv2.resize(coarse, (x1 - x0, y1 - y0),
                                          interpolation=cv2.INTER_LINEAR)
    return out
