"""Why an mp4/mov file looks incomplete, read from its top-level boxes (no decoding, no PyAV).

An mp4 is a sequence of boxes, each starting with a 4-byte big-endian size and a 4-byte type.
A download or export cut short leaves the last box running past the end of the file, and, when
the index box ``moov`` is written at the end (the default of most encoders), no ``moov`` at all,
so ffmpeg reports only "invalid data". This module tells the user the file is truncated instead.
"""

from __future__ import annotations

import os
import struct

_MAX_BOXES = 10_000


def truncation_reason(path: str | os.PathLike) -> str | None:
    """Say how an mp4/mov file is incomplete, or None (complete, or not an mp4 at all).

    Returns
    -------
    str or None
        For example ``"its last box ('mdat') runs 1048576 bytes past the end of the file"``
        or ``"its index ('moov' box) is missing"``.
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            return _walk(fh, size)
    except OSError:
        return None


def _plausible(kind: bytes) -> bool:
    """Box types are four printable characters ('moov', 'mdat', '\xa9too' in metadata)."""
    return all(48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c in (32, 169) for c in kind)


def _walk(fh, size: int) -> str | None:
    pos, seen = 0, set()
    for _ in range(_MAX_BOXES):
        if pos >= size:
            break
        fh.seek(pos)
        head = fh.read(16)
        if len(head) < 8:
            return "it ends inside a box header" if seen else None
        box_size, kind = struct.unpack(">I4s", head[:8])
        if not seen and kind not in (b"ftyp", b"wide", b"free", b"skip", b"moov", b"mdat"):
            return None  # not an ISO media file: nothing to say
        if box_size == 1:
            if len(head) < 16:
                return "it ends inside a box header"
            box_size = struct.unpack(">Q", head[8:16])[0]
        elif box_size == 0:
            box_size = size - pos  # runs to the end of the file by definition
        if box_size < 8 or not _plausible(kind):
            return None  # damaged inside, not cut short: say nothing rather than guess
        seen.add(kind)
        if pos + box_size > size:
            name = kind.decode("latin-1")
            missing = pos + box_size - size
            if b"moov" not in seen:
                return f"its '{name}' box runs {missing} bytes past the end and 'moov' is missing"
            return f"its last box ('{name}') runs {missing} bytes past the end of the file"
        pos += box_size
    if seen and b"moov" not in seen:
        return "its index ('moov' box) is missing"
    return None
