"""Evidence-frame thumbnails for the dashboard, inlined as ``data:`` URIs (the page fetches
nothing): the frame JPEG read with OpenCV, shrunk to :data:`THUMB_WIDTH` pixels wide."""

from __future__ import annotations

import base64
from pathlib import Path

THUMB_WIDTH = 160  # px: a table row's picture, about 5-8 kB as JPEG


def thumbnail_uri(image: str | Path | None) -> str | None:
    """A ``data:image/jpeg;base64,...`` thumbnail of ``image``, or None when it is missing
    or unreadable (the dashboard then says so)."""
    if not image or not Path(image).is_file():
        return None
    import cv2

    frame = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if frame is None or frame.size == 0:
        return None
    h, w = frame.shape[:2]
    if w > THUMB_WIDTH:
        size = (THUMB_WIDTH, max(1, round(h * THUMB_WIDTH / w)))
        frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 75])
    if not ok:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii")
