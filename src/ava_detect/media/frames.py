"""Decoding pictures: every frame in order, or the frames on screen at given times."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..errors import InputError
from ..types import DecodeStats, Frame
from .container import _open, _packets, _rotation_of, _timeline_origin_s, _video_stream


def _scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    # Even sizes keep swscale's chroma handling exact.
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


def _to_rgb(
    frame: av.VideoFrame, max_side: int | None, rotation: int, size: tuple[int, int] | None = None
) -> np.ndarray:
    """RGB picture scaled to ``size`` (w, h) before rotation, or to ``max_side`` of its own size.

    Passing the stream's size keeps every frame the same shape even when a damaged stream
    changes its coded size midway.
    """
    width, height = size or _scaled_size(frame.width, frame.height, max_side)
    rgb = frame.to_ndarray(width=width, height=height, format="rgb24")
    if rotation:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=-(rotation // 90)))
    return rgb


def iter_frames(
    path: str | os.PathLike,
    *,
    max_side: int | None = None,
    rotation: int | None = None,
    stats: DecodeStats | None = None,
) -> Iterator[Frame]:
    """Decode every frame of the first video stream, in presentation order.

    Parameters
    ----------
    path
        The clip.
    max_side
        Downscale so the longer side is at most this many pixels (aspect kept); ``None`` keeps
        the decoded size.
    rotation
        Clockwise degrees to rotate each picture; ``None`` reads it from the clip.
    stats
        Optional counters, updated as frames are decoded: corrupt packets are skipped and
        counted rather than ending the clip.

    Yields
    ------
    Frame
        ``index`` counts yielded frames from 0; ``t_s`` comes from the frame's own pts.
    """
    path = Path(path)
    stats = stats if stats is not None else DecodeStats()
    with _open(path) as container:
        stream = _video_stream(container, path)
        stream.thread_type = "AUTO"
        origin = _timeline_origin_s(container)
        tb = stream.time_base
        rot = rotation
        index = 0
        last_t = -np.inf
        size = None
        stats.frames_declared = int(stream.frames or 0)
        for frame in _decoded(container, stream, stats):
            if frame.width <= 0 or frame.height <= 0:
                stats.empty_frames += 1
                continue
            if rot is None:
                rot = _rotation_of(stream, frame)
            t = _frame_time(frame, tb, origin, last_t)
            if t <= last_t:
                stats.bad_timestamps += 1
                continue
            last_t = t
            if size is None:
                w = stream.codec_context.width or frame.width
                h = stream.codec_context.height or frame.height
                size = _scaled_size(w, h, max_side)
            yield Frame(index=index, t_s=t, rgb=_to_rgb(frame, max_side, rot, size))
            index += 1
            stats.frames = index


def _decoded(
    container: av.container.InputContainer, stream: av.video.VideoStream, stats: DecodeStats
) -> Iterator[av.VideoFrame]:
    """Decode every readable packet, skipping rejected ones; flush the decoder at the end."""
    for packet in _packets(container, stream, stats):
        try:
            yield from packet.decode()
        except (av.error.FFmpegError, ValueError):
            stats.corrupt_packets += 1
    if stats.read_stopped_early:  # demux ended without its flush packet: drain the decoder
        with contextlib.suppress(av.error.FFmpegError, ValueError):
            yield from stream.codec_context.decode(None)


def _frame_time(frame: av.VideoFrame, tb: Fraction, origin: float, last_t: float) -> float:
    pts = frame.pts if frame.pts is not None else frame.dts
    if pts is None:
        # No timestamp at all (rare, raw streams): continue one nominal step after the last.
        return float(last_t + 1 / 25) if np.isfinite(last_t) else 0.0
    return round(float(pts * tb) - origin, 6)


def read_frame_at(path: str | os.PathLike, t_s: float, *, max_side: int | None = None) -> Frame:
    """Decode the frame that is on screen at time ``t_s`` (the last frame with pts <= t_s).

    Seeks to the keyframe before ``t_s`` and decodes forward, so the returned frame's ``t_s`` is
    its own presentation time; ``index`` is -1 because seeking does not count frames. Only the
    returned frame is converted to RGB. A ``t_s`` before the first frame gives the first frame.
    """
    return read_frames_at(path, [t_s], max_side=max_side)[0]


def read_frames_at(
    path: str | os.PathLike, times_s: list[float], *, max_side: int | None = None
) -> list[Frame]:
    """The frames on screen at each of ``times_s``, decoded in one forward pass where possible.

    Times are visited in increasing order: the decoder seeks to the keyframe before the first
    one and decodes forward, seeking again only when the next time is more than
    ``_RESEEK_S`` ahead. Each frame's ``t_s`` is its own presentation time; only the frames
    returned are converted to RGB. Returns one Frame per entry of ``times_s``, in its order.

    Raises
    ------
    InputError
        When no frame can be decoded near one of the times.
    """
    path = Path(path)
    order = sorted(range(len(times_s)), key=lambda i: times_s[i])
    found: dict[int, Frame] = {}
    with _open(path) as container:
        stream = _video_stream(container, path)
        stream.thread_type = "AUTO"
        origin = _timeline_origin_s(container)
        tb = stream.time_base
        rot = None
        pending = list(order)
        while pending:
            target = pending[0]
            try:
                seek_pts = max(int((times_s[target] + origin) / tb), 0)
                container.seek(seek_pts, stream=stream, backward=True)
            except av.error.FFmpegError:
                container.seek(0)
            prev: tuple[float, av.VideoFrame] | None = None
            last_t = -np.inf
            for frame in _decoded(container, stream, DecodeStats()):
                if frame.width <= 0 or frame.height <= 0:
                    continue
                t = _frame_time(frame, tb, origin, last_t)
                last_t = t
                if rot is None:
                    rot = _rotation_of(stream, frame)
                while pending and t > times_s[pending[0]] + 1e-4:
                    shown_t, shown = prev if prev is not None else (t, frame)
                    found[pending.pop(0)] = Frame(-1, shown_t, _to_rgb(shown, max_side, rot))
                prev = (t, frame)
                if not pending:
                    break
                if pending[0] != target and times_s[pending[0]] - t > _RESEEK_S:
                    break  # far ahead: seeking there is cheaper than decoding up to it
            else:  # the stream ended: every time still pending shows the last frame
                if prev is None:
                    raise InputError(
                        f"{path}: no frame could be decoded near {times_s[target]:.3f} s."
                    )
                while pending:
                    found[pending.pop(0)] = Frame(-1, prev[0], _to_rgb(prev[1], max_side, rot))
    return [found[i] for i in range(len(times_s))]


_RESEEK_S = 2.0  # decode forward to a later time rather than seek, up to this far ahead
