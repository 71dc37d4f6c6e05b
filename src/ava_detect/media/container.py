"""Opening clips and describing them: ClipInfo, probe, and the checks every reader shares."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from ..errors import InputError
from ..types import ClipInfo
from .mp4box import truncation_reason

_HASH_CHUNK = 1 << 20


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
        if _is_picture_format(container.format.name):
            kind = container.format.long_name or "picture"
            raise InputError(
                f"{path}: this is a still image ({kind}); "
                "ava-detect analyses video clips. Give it the generated video (mp4, mov, webm)."
            )
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
        span = float(times[-1] - times[0])
        # every frame stamped at one time (a damaged file): the stream's own rate
        fps = (len(times) - 1) / span if span > 0 else 1 / frame_dur
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


# Demuxers that open single pictures or text art as a one-frame "video": not clips.
_PICTURE_FORMATS = frozenset({"image2", "tty", "bin", "xbin", "adf", "idf"})


def _is_picture_format(name: str) -> bool:
    return name in _PICTURE_FORMATS or name.endswith("_pipe")


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
            if _is_picture_format(container.format.name):
                return False
            return any(
                not (s.disposition & av.stream.Disposition.attached_pic)
                for s in container.streams.video
            )
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, ValueError):
        return False
