"""Decoding the frames of one stretch of a clip (for the evidence clips), without the rest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from ..types import DecodeStats, Frame
from .container import _open, _rotation_of, _timeline_origin_s, _video_stream
from .frames import _decoded, _frame_time, _scaled_size, _to_rgb


def iter_span(path: str | os.PathLike, start_s: float, end_s: float, *,
              max_side: int | None = None) -> Iterator[Frame]:
    """Every frame on screen between ``start_s`` and ``end_s``, in presentation order.

    Seeks to the keyframe before ``start_s`` and decodes forward. The first frame yielded is the
    one on screen at ``start_s`` (the last with pts <= start_s, or the first of the clip); the
    last is the last one whose pts is < ``end_s``. Only the yielded frames are converted to RGB
    (scaled so the longer side is at most ``max_side``). ``index`` is -1 (seeking does not count
    frames); ``t_s`` is each frame's own presentation time on the clip's timeline.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        stream.thread_type = "AUTO"
        origin = _timeline_origin_s(container)
        tb = stream.time_base
        try:
            container.seek(max(int((start_s + origin) / tb), 0), stream=stream, backward=True)
        except av.error.FFmpegError:
            container.seek(0)
        w = stream.codec_context.width
        h = stream.codec_context.height
        size = _scaled_size(w, h, max_side) if w and h else None
        rot = None
        held: tuple[float, av.VideoFrame] | None = None
        last_t = -np.inf
        for frame in _decoded(container, stream, DecodeStats()):
            if frame.width <= 0 or frame.height <= 0:
                continue
            t = _frame_time(frame, tb, origin, last_t)
            if t <= last_t:
                continue
            last_t = t
            if rot is None:
                rot = _rotation_of(stream, frame)
            if t >= end_s:
                break
            if t <= start_s + 1e-6:
                held = (t, frame)  # the frame on screen at start_s, so far
                continue
            if held is not None:
                yield Frame(-1, held[0], _to_rgb(held[1], max_side, rot or 0, size))
                held = None
            yield Frame(-1, t, _to_rgb(frame, max_side, rot or 0, size))
        if held is not None:
            yield Frame(-1, held[0], _to_rgb(held[1], max_side, rot or 0, size))
