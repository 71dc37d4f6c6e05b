"""Build edited copies of real hand videos with a known broken-hand event (test-time only).

Each edit changes the hand's region in frames ``start .. start + length - 1`` of a window cut
from the real clip and writes an H.264 mp4, so the detector can be checked for catching the
event at ``start``. Used by ``tests/test_hands_media.py`` and ``benchmarks/hands_accuracy.py``.
:func:`reencode` makes a whole clip look like generator output (small, hard-compressed), for
``tests/test_hands_generated.py`` and ``benchmarks/hands_degraded.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from ava_detect.media import iter_frames, probe
from ava_detect.signals.hands import hand_box

EDITS = ("mirror", "smear", "erase_hand", "erase_finger", "pose_pop")


@dataclass(frozen=True)
class EditedClip:
    path: Path
    edit: str
    start: int  # first edited frame, index in the written clip
    length: int
    fps: float

    @property
    def start_s(self) -> float:
        return self.start / self.fps


def _box(points: np.ndarray, width: int, height: int, pad: float = 0.2) -> tuple[int, ...]:
    x0, y0, x1, y1 = hand_box(points, pad=pad)
    return (max(0, int(x0)), max(0, int(y0)), min(width, int(np.ceil(x1))),
            min(height, int(np.ceil(y1))))


def mirror(rgb: np.ndarray, points: np.ndarray, **_) -> np.ndarray:
    """The hand's box flipped left-right in place: palm and back swap, chirality flips."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _box(points, w, h, pad=0.1)
    out = rgb.copy()
    out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1][:, ::-1]
    return out


def smear(rgb: np.ndarray, points: np.ndarray, **_) -> np.ndarray:
    """The hand smeared into a blob: its box blurred with a kernel a third of the hand's size."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _box(points, w, h, pad=0.1)
    sigma = max(x1 - x0, y1 - y0) / 6.0
    out = rgb.copy()
    big = _box(points, w, h, pad=0.5)
    region = cv2.GaussianBlur(rgb[big[1]:big[3], big[0]:big[2]], (0, 0), sigma)
    out[y0:y1, x0:x1] = region[y0 - big[1]:y1 - big[1], x0 - big[0]:x1 - big[0]]
    return out


def erase_finger(rgb: np.ndarray, points: np.ndarray, **_) -> np.ndarray:
    """The index finger painted out (inpainted from its surroundings): a four-finger hand."""
    width = np.linalg.norm(points[5, :2] - points[17, :2])
    mask = np.zeros(rgb.shape[:2], np.uint8)
    chain = np.round(points[[5, 6, 7, 8], :2]).astype(np.int32)
    cv2.polylines(mask, [chain], False, 255, thickness=max(3, int(0.35 * width)))
    cv2.circle(mask, tuple(int(v) for v in chain[-1]), max(2, int(0.2 * width)), 255, -1)
    return cv2.inpaint(rgb, mask, max(3, int(0.2 * width)), cv2.INPAINT_TELEA)


def erase_hand(rgb: np.ndarray, points: np.ndarray, **_) -> np.ndarray:
    """The whole hand painted out (inpainted from its surroundings): it vanishes in place."""
    width = np.linalg.norm(points[5, :2] - points[17, :2])
    mask = np.zeros(rgb.shape[:2], np.uint8)
    hull = cv2.convexHull(np.round(points[:, :2]).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=max(2, int(0.3 * width)))
    return cv2.inpaint(rgb, mask, 5, cv2.INPAINT_TELEA)


def pose_pop(rgb: np.ndarray, points: np.ndarray, *, donor: np.ndarray, donor_points: np.ndarray,
             **_) -> np.ndarray:
    """The hand's box replaced by the same hand from another moment (a different pose),
    scaled to the current box: the hand re-poses instantly."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _box(points, w, h, pad=0.1)
    dx0, dy0, dx1, dy1 = _box(donor_points, w, h, pad=0.1)
    patch = cv2.resize(donor[dy0:dy1, dx0:dx1], (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    out = rgb.copy()
    out[y0:y1, x0:x1] = patch
    return out


def build(src: Path, dst: Path, edit: str, points: np.ndarray, *, start: int, length: int = 4,
          window: tuple[int, int] | None = None, donor_offset: int = 60) -> EditedClip:
    """Write ``dst``: frames ``window`` of ``src`` with ``edit`` applied to one hand.

    Parameters
    ----------
    points
        (N, 21, 3) landmarks of the hand to edit in every frame of ``src`` (full-resolution
        pixels; NaN where absent), e.g. one track of the original clip's analysis.
    start
        First edited frame, index in ``src``.
    window
        (first, stop) frames of ``src`` to keep; default the whole clip.
    donor_offset
        For ``pose_pop``: the pasted hand is taken this many frames away.
    """
    info = probe(src)
    first, stop = window or (0, info.frame_count)
    frames = [f.rgb for f in iter_frames(src, rotation=info.rotation)]
    stop = min(stop, len(frames))
    fn = {"mirror": mirror, "smear": smear, "erase_hand": erase_hand,
          "erase_finger": erase_finger, "pose_pop": pose_pop}
    rate = Fraction(info.fps).limit_denominator(1000)
    h, w = frames[0].shape[:2]
    with av.open(str(dst), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = w - w % 2, h - h % 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "16", "preset": "veryfast"}
        for n in range(first, stop):
            rgb = frames[n]
            if start <= n < start + length:
                donor_n = n + donor_offset if n + donor_offset < len(frames) else n - donor_offset
                rgb = fn[edit](rgb, points[n], donor=frames[donor_n], donor_points=points[donor_n])
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(rgb[: stream.height, : stream.width]), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return EditedClip(Path(dst), edit, start - first, length, float(info.fps))


def reencode(src: Path, dst: Path, side: int, crf: int, max_frames: int | None = None) -> Path:
    """``src`` resized so its longest side is ``side`` px (up or down), H.264 at ``crf``;
    only its first ``max_frames`` frames when given."""
    from ava_detect.media import Mp4Writer

    info = probe(src)
    w, h = info.display_size
    scale = side / max(w, h)
    size = (max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2))
    writer = Mp4Writer(dst, size, Fraction(info.fps).limit_denominator(1001), crf=crf,
                       preset="veryfast")
    with writer:
        for n, frame in enumerate(iter_frames(src)):
            if max_frames is not None and n >= max_frames:
                break
            writer.add_frame(cv2.resize(frame.rgb, size, interpolation=cv2.INTER_AREA))
        writer.close()
    return dst
