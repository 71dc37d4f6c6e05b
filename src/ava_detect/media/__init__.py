"""Reading clips: the only package that imports PyAV.

Times are presentation times in seconds on the clip's own timeline, where 0 is the start of the
earliest stream (the container's start time). A video stream that starts late therefore has its
first frame at, say, ``0.033`` s, and audio sample ``i`` of :func:`read_audio` plays at
``i / sr`` seconds on the same timeline, so frames and audio can be compared directly.

Modules: ``container`` (opening, :func:`probe`, :class:`ClipInfo`), ``frames`` (decoding
pictures), ``span`` (the frames of one stretch), ``audio`` (decoding sound), ``writer``
(H.264 + AAC mp4 files, for the evidence clips), ``mp4box`` (why an mp4 looks truncated).
"""

from ..types import ClipInfo, DecodeStats, Frame
from .audio import read_audio
from .container import is_video_file, probe, sha256_of
from .frames import iter_frames, read_frame_at, read_frames_at
from .span import iter_span
from .writer import Mp4Writer

__all__ = [
    "ClipInfo",
    "DecodeStats",
    "Frame",
    "Mp4Writer",
    "is_video_file",
    "iter_span",
    "iter_frames",
    "probe",
    "read_audio",
    "read_frame_at",
    "read_frames_at",
    "sha256_of",
]
