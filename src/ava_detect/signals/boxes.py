"""Evidence boxes around landmarks: one rule for hands, faces and mouths."""

from __future__ import annotations

import numpy as np

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in full-resolution pixels


def padded_box(xy: np.ndarray, pad: tuple[float, float, float, float], *,
               square: bool = False) -> Box:
    """The box around ``xy`` grown on each side by a share of its size.

    Parameters
    ----------
    xy
        (P, 2+) float pixel points; NaN points are ignored.
    pad
        (left, top, right, bottom) growth, as shares of the box's width (left, right) and
        height (top, bottom), or of its longer side on every side when ``square``.
    """
    pts = np.asarray(xy, dtype=np.float64)[:, :2]
    x0, y0 = np.nanmin(pts, axis=0)
    x1, y1 = np.nanmax(pts, axis=0)
    w, h = x1 - x0, y1 - y0
    if square:
        w = h = max(w, h)
    left, top, right, bottom = pad
    return (float(x0 - left * w), float(y0 - top * h), float(x1 + right * w),
            float(y1 + bottom * h))
