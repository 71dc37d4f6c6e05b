"""Face and frame measurements that need the picture: cheek and iris colour, shot-cut cues.

Colours are CIE a*/b* (OpenCV's Lab on 0-1 floats); the whole-frame measures are made on the
frame shrunk to :data:`HIST_SIDE` pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..signals.face import CHEEKS, EYE_IMAGE_LEFT, EYE_IMAGE_RIGHT, IRISES

HIST_BINS = 8  # per RGB channel, for the shot-change histogram
HIST_SIDE = 96  # frames are shrunk to this before the histogram
THUMB_SIDE = 16  # each frame is kept as a 16x16 colour thumbnail (dissolve tests)


def _lab_ab(pixels: np.ndarray) -> np.ndarray | None:
    """Median CIE a*, b* of (M, 3) uint8 RGB pixels, or None if there are too few."""
    if len(pixels) < 8:
        return None
    lab = cv2.cvtColor(pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    return np.median(lab.reshape(-1, 3)[:, 1:], axis=0)


def skin_chroma(rgb: np.ndarray, points_px: np.ndarray, yaw: float) -> np.ndarray:
    """Median a*/b* of the cheek patches that face the camera (not lightness).

    Parameters
    ----------
    rgb
        (H, W, 3) uint8 frame.
    points_px
        (478, 3) landmarks in ``rgb``'s pixels.
    yaw
        Head yaw, degrees: a cheek turned away from the camera (> 20 deg) is left out.

    Returns
    -------
    (2,) float: a*, b*; NaN when not measurable.
    """
    half = 0.12 * float(np.hypot(*(points_px[EYE_IMAGE_RIGHT[0], :2]
                                    - points_px[EYE_IMAGE_LEFT[0], :2]))) / 2 + 1
    chosen = [c for c, away in zip(CHEEKS, (yaw < -20, yaw > 20), strict=True) if not away]
    patches = []
    height, width = rgb.shape[:2]
    for idx in chosen:
        x, y = points_px[idx, :2]
        x0, x1 = int(max(0, x - half)), int(min(width, x + half + 1))
        y0, y1 = int(max(0, y - half)), int(min(height, y + half + 1))
        if x1 > x0 and y1 > y0:
            patches.append(rgb[y0:y1, x0:x1].reshape(-1, 3))
    ab = _lab_ab(np.concatenate(patches)) if patches else None
    return np.full(2, np.nan) if ab is None else ab


def iris_chroma(rgb: np.ndarray, points_px: np.ndarray, yaw: float, pitch: float,
                min_radius_px: float) -> np.ndarray:
    """Median a*/b* of the visible irises, only where that is meaningful.

    Measured only for a near-frontal face (|yaw|, |pitch| <= 20 deg), an iris radius of at
    least ``min_radius_px`` in ``rgb`` and an eye open wider than the iris radius; pixels are
    taken from a ring between 40 % and 90 % of the radius (no pupil, no limbus) inside the
    eyelids, without highlights. (2,) float, NaN when not measurable.
    """
    if not (abs(yaw) <= 20 and abs(pitch) <= 20):
        return np.full(2, np.nan)
    height, width = rgb.shape[:2]
    samples = []
    for centre_i, ring, upper, lower in IRISES:
        c = points_px[centre_i, :2]
        radius = float(np.mean(np.hypot(*(points_px[list(ring), :2] - c).T)))
        top, bottom = points_px[upper, 1], points_px[lower, 1]
        if radius < min_radius_px or bottom - top < radius:
            continue
        r = int(np.ceil(radius))
        x0, y0 = int(c[0]) - r, int(c[1]) - r
        if x0 < 0 or y0 < 0 or x0 + 2 * r + 1 > width or y0 + 2 * r + 1 > height:
            continue
        patch = rgb[y0 : y0 + 2 * r + 1, x0 : x0 + 2 * r + 1]
        yy, xx = np.mgrid[y0 : y0 + 2 * r + 1, x0 : x0 + 2 * r + 1]
        dist = np.hypot(xx - c[0], yy - c[1])
        mask = (dist >= 0.4 * radius) & (dist <= 0.9 * radius) & (yy > top) & (yy < bottom)
        pix = patch[mask]
        pix = pix[pix.max(axis=1) < 230]  # specular highlights carry no iris colour
        samples.append(pix)
    ab = _lab_ab(np.concatenate(samples)) if samples else None
    return np.full(2, np.nan) if ab is None else ab


def shrink(rgb: np.ndarray, side: int = HIST_SIDE) -> np.ndarray:
    """The whole frame averaged down to (side, side, 3) uint8 (area averaging).

    Done in two steps, an exact integer reduction first (OpenCV's fast path for whole
    factors: about a third of the time of one direct area resize of a 720p frame), then the
    rest. The first step drops the fewer than ``f`` rows and columns at the bottom and right
    edges that do not fill a whole block, so the picture differs slightly from a direct resize
    (1 grey level mean on a 720p frame).
    """
    h, w = rgb.shape[:2]
    f = max(1, min(h, w) // (2 * side))
    if f > 1:
        rgb = cv2.resize(rgb[: h - h % f, : w - w % f], (w // f, h // f),
                         interpolation=cv2.INTER_AREA)
    return cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)


def colour_histogram(small: np.ndarray) -> np.ndarray:
    """Normalised 8x8x8 RGB histogram of a (shrunk) frame: (512,) float32, sums to 1."""
    hist = cv2.calcHist([small], [0, 1, 2], None, [HIST_BINS] * 3, [0, 256] * 3).ravel()
    return (hist / max(float(hist.sum()), 1.0)).astype(np.float32)


def layout(small: np.ndarray, side: int = 32) -> np.ndarray:
    """The frame's coarse light/dark layout: side x side grey, zero mean, unit norm, float32.

    ``small`` is the frame or its :func:`shrink`. The dot product of two layouts is their
    correlation (1 same picture, ~0 unrelated).
    """
    small = cv2.resize(small, (side, side), interpolation=cv2.INTER_AREA)
    v = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32).ravel()
    v -= v.mean()
    return v / max(float(np.linalg.norm(v)), 1e-6)


def thumbnail(small: np.ndarray) -> np.ndarray:
    """A shrunk frame as a (THUMB_SIDE, THUMB_SIDE, 3) uint8 thumbnail (area averaging)."""
    return cv2.resize(small, (THUMB_SIDE, THUMB_SIDE), interpolation=cv2.INTER_AREA)


STRUCTURE_SIDE = 64  # the face box is resized to this before its sharpness is measured


def face_sharpness(rgb: np.ndarray, box: tuple[float, float, float, float]
                   ) -> tuple[float, float]:
    """How much fine structure the face box holds, and the ring of picture around it.

    Both are the mean absolute Laplacian over the grey level's spread (plus 4 grey levels, so
    a flat patch does not divide by ~0), measured after the face box is resized to
    :data:`STRUCTURE_SIDE` pixels: the same blur relative to the face's size reads the same
    however large the face is. The ring is the box grown by half its size on each side, minus
    the box (hair, neck, background), measured at the same scale. (face, ring); NaN where the
    box is too small or the ring mostly outside the picture.

    Parameters
    ----------
    rgb
        (H, W, 3) uint8 frame.
    box
        (x0, y0, x1, y1) the face's mesh box in ``rgb``'s pixels.
    """
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    height, width = rgb.shape[:2]
    if bw < 8 or bh < 8:
        return np.nan, np.nan
    gx0, gy0 = int(round(x0 - bw / 2)), int(round(y0 - bh / 2))
    gx1, gy1 = int(round(x1 + bw / 2)), int(round(y1 + bh / 2))
    cx0, cy0, cx1, cy1 = max(0, gx0), max(0, gy0), min(width, gx1), min(height, gy1)
    if cx1 - cx0 < 16 or cy1 - cy0 < 16:
        return np.nan, np.nan
    side = 2 * STRUCTURE_SIDE  # the grown box is twice the face box
    sx, sy = side / (gx1 - gx0), side / (gy1 - gy0)
    grey = cv2.cvtColor(rgb[cy0:cy1, cx0:cx1], cv2.COLOR_RGB2GRAY)
    out_w, out_h = max(4, round((cx1 - cx0) * sx)), max(4, round((cy1 - cy0) * sy))
    grey = cv2.resize(grey, (out_w, out_h), interpolation=cv2.INTER_AREA).astype(np.float32)
    lap = np.abs(cv2.Laplacian(grey, cv2.CV_32F))
    inner = np.zeros(grey.shape, bool)
    ox, oy = round((cx0 - gx0) * sx), round((cy0 - gy0) * sy)  # grown-box origin in ``grey``
    lo, hi = STRUCTURE_SIDE // 2, STRUCTURE_SIDE // 2 * 3  # the face box in the grown box
    inner[max(0, lo - oy) : max(0, hi - oy), max(0, lo - ox) : max(0, hi - ox)] = True
    ring = ~inner
    ring[:1], ring[-1:], ring[:, :1], ring[:, -1:] = False, False, False, False  # edge pixels
    face = float(lap[inner].mean() / (grey[inner].std() + 4)) if inner.sum() >= 64 else np.nan
    around = float(lap[ring].mean() / (grey[ring].std() + 4)) if ring.sum() >= side * 4 else np.nan
    return face, around
