"""Reading clips: the only module that imports PyAV.

Times are presentation times in seconds on the clip's own timeline, where 0 is the start of the
earliest stream (the container's start time). A video stream that starts late therefore has its
first frame at, say, ``0.033`` s, and audio sample ``i`` of :func:`read_audio` plays at
``i / sr`` seconds on the same timeline, so frames and audio can be compared directly.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .errors import InputError
from .mp4box import truncation_reason

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class ClipInfo:
    """What a clip is, measured from its container without decoding pictures."""

    path: str
    sha256: str
    size_bytes: int
    container: str
    codec: str
    duration_s: float
    fps: float
    variable_frame_rate: bool
    frame_count: int
    width: int
    height: int
    rotation: int
    start_s: float
    has_audio: bool
    audio_codec: str | None
    audio_sample_rate: int | None
    audio_channels: int | None

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) after applying the rotation metadata, in pixels."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Frame:
    """One decoded picture.

    ``rgb`` has shape (height, width, 3), dtype uint8, rotation already applied.
    ``t_s`` is the presentation time in seconds on the clip's timeline.
    """

    index: int
    t_s: float
    rgb: np.ndarray


@dataclass
class DecodeStats:
    """Filled in while :func:`iter_frames` runs: what could not be decoded."""

    frames: int = 0
    corrupt_packets: int = 0
    #: Frames dropped because their timestamp did not move forward (damaged or duplicated pts).
    bad_timestamps: int = 0
    #: Frames dropped because the decoder returned an empty (0-pixel) picture.
    empty_frames: int = 0
    #: True when reading stopped early at a damaged part of the file (the rest was not read).
    read_stopped_early: bool = False
    #: Frames the container's index lists for the stream (0 when it does not say).
    frames_declared: int = 0


def sha256_of(path: str | os.PathLike) -> str:
    """SHA-256 of the file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file. Check the path and try again.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a video file, or the folder for a batch run.")
    if not os.access(path, os.R_OK):
        raise InputError(
            f"{path}: cannot be read (permission denied). Check the file's permissions."
        )
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes). Re-download or re-export the clip.")


def _open(path: Path) -> av.container.InputContainer:
    _check_readable(path)
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        truncated = truncation_reason(path)
        if truncated:
            raise InputError(
                f"{path}: looks incomplete (truncated: {truncated}). "
                "Re-download or re-export the complete clip."
            ) from exc
        raise InputError(
            f"{path}: not a video file ffmpeg can read ({_ffmpeg_reason(exc)}). "
            "Check that it is a complete, unencrypted video (mp4, mov, webm, mkv, avi)."
        ) from exc


def _ffmpeg_reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(";")[0].strip() or type(exc).__name__


def _video_stream(container: av.container.InputContainer, path: Path) -> av.video.VideoStream:
    streams = [s for s in container.streams.video if s.codec_context is not None]
    if not streams and container.streams.video:
        raise InputError(
            f"{path}: its video uses a codec ffmpeg cannot decode (unsupported codec). "
            "Re-export it as H.264 mp4."
        )
    # Cover art is stored as a one-picture "video" stream; skip it.
    streams = [s for s in streams if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not streams:
        raise InputError(
            f"{path}: has no video stream ffmpeg recognises (audio-only, data or damaged file). "
            "Give a clip with pictures."
        )
    return streams[0]


def _audio_stream(container: av.container.InputContainer) -> av.audio.AudioStream | None:
    """The first audio stream with a decoder; a damaged or unknown one counts as no audio."""
    streams = [s for s in container.streams.audio if s.codec_context is not None]
    return streams[0] if streams else None


def _stream_start_s(stream: av.stream.Stream) -> float | None:
    if stream.start_time is None:
        return None
    return float(stream.start_time * stream.time_base)


def _timeline_origin_s(container: av.container.InputContainer) -> float:
    """Start of the earliest stream in seconds: time 0 of the clip's timeline."""
    starts = [_stream_start_s(s) for s in container.streams if s.type in ("video", "audio")]
    starts = [s for s in starts if s is not None]
    return min(starts) if starts else 0.0


def _rotation_of(stream: av.video.VideoStream, first: av.VideoFrame | None) -> int:
    """Clockwise rotation in degrees (0, 90, 180, 270) that makes the picture upright."""
    rot = 0
    if first is not None:
        rot = int(round(getattr(first, "rotation", 0) or 0))
    if not rot:
        tag = stream.metadata.get("rotate")
        if tag:
            try:
                rot = -int(tag)
            except ValueError:
                rot = 0
    # PyAV reports the display matrix angle counter-clockwise; we store clockwise degrees.
    return (-rot) % 360


def probe(path: str | os.PathLike) -> ClipInfo:
    """Describe a clip: hash, container, codec, timing, size, rotation and audio.

    Frame timing is read from the demuxed packets (no picture decoding), so the frame count,
    duration and variable-frame-rate flag come from the stream's own timestamps.

    Raises
    ------
    InputError
        When the path is missing, empty, unreadable or holds no decodable video stream.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        origin = _timeline_origin_s(container)
        tb = stream.time_base
        pts = [p.pts for p in _packets(container, stream) if p.pts is not None]
        if not pts:
            raise InputError(f"{path}: the video stream holds no frames. Re-export the clip.")
        times = np.sort(np.asarray(pts, dtype=np.float64)) * float(tb) - origin
        first_frame = _first_frame(path, stream.index)
        if first_frame is None:
            raise InputError(
                f"{path}: no frame of the video could be decoded (damaged file or unsupported "
                f"codec '{stream.codec_context.name}'). Re-export it as H.264 mp4."
            )
        deltas = np.diff(times)
        deltas = deltas[deltas > 0]
        if deltas.size:
            frame_dur = float(np.median(deltas))
            vfr = bool(np.any(np.abs(deltas - frame_dur) > max(0.002, 0.05 * frame_dur)))
        else:
            frame_dur = float(1 / stream.average_rate) if stream.average_rate else 0.04
            vfr = False
        duration = float(times[-1] - times[0] + frame_dur)
        fps = (len(times) - 1) / float(times[-1] - times[0]) if len(times) > 1 else 1 / frame_dur
        audio = _audio_stream(container)
        try:
            digest = sha256_of(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror}).") from exc
        return ClipInfo(
            path=str(path),
            sha256=digest,
            size_bytes=path.stat().st_size,
            container=container.format.name,
            codec=stream.codec_context.name,
            duration_s=round(duration, 6),
            fps=round(float(fps), 6),
            variable_frame_rate=vfr,
            frame_count=len(times),
            width=int(stream.codec_context.width or first_frame.width),
            height=int(stream.codec_context.height or first_frame.height),
            rotation=_rotation_of(stream, first_frame),
            start_s=round(float(times[0]), 6),
            has_audio=audio is not None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            audio_sample_rate=int(audio.codec_context.sample_rate) if audio is not None else None,
            audio_channels=int(audio.codec_context.channels) if audio is not None else None,
        )


def _first_frame(path: Path, stream_index: int) -> av.VideoFrame | None:
    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams[stream_index]
        for packet in _packets(container, stream):
            try:
                frames = packet.decode()
            except (av.error.FFmpegError, ValueError):
                continue
            for frame in frames:
                if frame.width > 0 and frame.height > 0:
                    return frame
    return None


def _packets(
    container: av.container.InputContainer, stream: av.stream.Stream, stats=None
) -> Iterator[av.Packet]:
    """Demux ``stream``, stopping (not raising) where the file is too damaged to read on."""
    demux = container.demux(stream)
    while True:
        try:
            packet = next(demux)
        except StopIteration:
            return
        except (av.error.FFmpegError, ValueError, OSError):
            if stats is not None:
                stats.read_stopped_early = True
            return
        yield packet


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


def read_audio(path: str | os.PathLike, sr: int = 16000) -> np.ndarray:
    """Decode the first audio stream as mono float32 at ``sr`` Hz on the clip's timeline.

    Returns
    -------
    numpy.ndarray
        Shape (n_samples,), float32, full scale +-1. Sample ``i`` plays at ``i / sr`` seconds;
        if the audio stream starts after the video, the gap is filled with zeros.

    Raises
    ------
    InputError
        When the clip has no audio stream or it cannot be decoded.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _audio_stream(container)
        if stream is None:
            raise InputError(f"{path}: has no audio stream (or none ffmpeg can decode).")
        origin = _timeline_origin_s(container)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
        chunks: list[np.ndarray] = []
        first_t: float | None = None
        for packet in _packets(container, stream):
            try:
                decoded = packet.decode()
            except (av.error.FFmpegError, ValueError):
                continue
            for frame in decoded:
                if first_t is None and frame.pts is not None:
                    first_t = float(frame.pts * frame.time_base) - origin
                try:
                    chunks.extend(o.to_ndarray().reshape(-1) for o in resampler.resample(frame))
                except (av.error.FFmpegError, ValueError):
                    continue  # a damaged frame whose layout/rate the resampler refuses
        with contextlib.suppress(av.error.FFmpegError, ValueError):
            chunks.extend(o.to_ndarray().reshape(-1) for o in resampler.resample(None))
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    offset = int(round((first_t or 0.0) * sr))
    if offset > 0:
        samples = np.concatenate([np.zeros(offset, np.float32), samples])
    elif offset < 0:
        samples = samples[-offset:]
    return samples


# Demuxers that open single pictures or text art as a one-frame "video": not clips.
_PICTURE_FORMATS = frozenset({"image2", "tty", "bin", "xbin", "adf", "idf"})


def is_video_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is a regular file PyAV opens with a picture stream that is a clip.

    Used to find clips by content in a folder: reads only the container header, never raises.
    Still images (jpg, png, webp...), text files and audio-only files are not clips. A file that
    passes can still fail later (for example when its frames cannot be decoded).
    """
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        with av.open(str(path), metadata_errors="ignore") as container:
            name = container.format.name
            if name in _PICTURE_FORMATS or name.endswith("_pipe"):
                return False
            return any(
                not (s.disposition & av.stream.Disposition.attached_pic)
                for s in container.streams.video
            )
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, ValueError):
        return False
