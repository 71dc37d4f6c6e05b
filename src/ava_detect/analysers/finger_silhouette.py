"""Counting the fingers a picture shows, beyond the landmarks (pure numpy + OpenCV on a crop).

MediaPipe always draws five fingers, so the count here comes from the pixels: a skin-colour
silhouette of the hand (colour model learned from the landmark region, kept per hand); the
fingertip-like protrusions of its outline (peaks of the distance from the palm centre that stand
out from the valleys between them) are counted and checked against the landmark fingertips.

Limits (why this is a measurement, not an alarm): skin touching skin (two hands, a face, the
forearm) merges silhouettes, fingers held together read as one wide protrusion, and skin-coloured
backgrounds leak in, and a curled finger makes no protrusion.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from ..signals.hands import FINGER_CHAINS, FINGERTIPS, PALM_POINTS
from ..signals.peaks import find_peaks

_VAR_FLOOR = (100.0, 4.0, 4.0)  # Y, Cr, Cb variance floors (levels squared)
_WORK_PALM_PX = 60.0  # hands are resampled to this palm width: enough to see fingers
PROMINENCE = 0.15  # a fingertip stands this many palm widths out of the valleys beside it


@dataclass
class ColourModel:
    """Gaussian colour model in YCrCb: mean (3,), inverse covariance (3, 3)."""

    mean: np.ndarray
    inv_cov: np.ndarray

    def whiten(self, ycrcb: np.ndarray) -> np.ndarray:
        """(..., 3) YCrCb -> (..., 3) float32 coordinates in which this model's Mahalanobis
        distance is the Euclidean one (``x @ L`` with ``L @ L.T = inv_cov``)."""
        return np.asarray(ycrcb, np.float32) @ self._whitening

    def distance(self, ycrcb: np.ndarray) -> np.ndarray:
        """(..., 3) uint8/float YCrCb -> (...,) Mahalanobis distance."""
        return _norm(self.whiten(ycrcb) - self.whiten(self.mean))

    @functools.cached_property
    def _whitening(self) -> np.ndarray:
        sym = (self.inv_cov + self.inv_cov.T) / 2
        try:
            return np.linalg.cholesky(sym).astype(np.float32)
        except np.linalg.LinAlgError:  # not positive definite (a blend gone bad): clip it
            vals, vecs = np.linalg.eigh(sym)
            return (vecs * np.sqrt(np.maximum(vals, 1e-9))).astype(np.float32)


def _norm(x: np.ndarray) -> np.ndarray:
    """Euclidean length over the last axis, float32."""
    return np.sqrt(np.einsum("...i,...i->...", x, x))


@dataclass
class FingerReading:
    """What one hand's crop shows.

    count: fingertip-like protrusions of the silhouette's outline.
    tips_out: landmark fingertips extended beyond the palm (1.2 x the centre-to-knuckle
        distance) that lie on the silhouette: what the landmarks say is extended.
    unmatched: protrusions with no landmark fingertip near (extra-finger evidence).
    skin_fraction: share of the hand's landmark region the silhouette covers (quality).
    """

    count: int
    tips_out: int
    unmatched: int
    skin_fraction: float


def skin_mask_points(shape: tuple[int, int], points: np.ndarray, width: float) -> np.ndarray:
    """(H, W) uint8 mask of the landmark region: the palm polygon and thick finger bones."""
    mask = np.zeros(shape, np.uint8)
    palm = np.round(points[list(PALM_POINTS), :2]).astype(np.int32)
    cv2.fillConvexPoly(mask, cv2.convexHull(palm), 255)
    thick = max(2, int(round(0.12 * width)))
    for chain in FINGER_CHAINS:
        line = np.round(points[list(chain), :2]).astype(np.int32)
        cv2.polylines(mask, [line], False, 255, thickness=thick)
    return mask


def learn_colour(ycrcb: np.ndarray, mask: np.ndarray) -> ColourModel | None:
    """Fit the skin Gaussian on the masked pixels, trimming the 10 % most unusual.

    Brightness varies more over a hand (shading) than chroma, so its variance gets a larger
    floor than the chroma's.
    """
    px = ycrcb[mask > 0].astype(np.float64)
    if len(px) < 30:
        return None
    med = np.median(px, axis=0)
    dist = np.linalg.norm((px - med) / (20.0, 4.0, 4.0), axis=1)
    px = px[dist <= np.percentile(dist, 90)]
    cov = np.cov(px.T) + np.diag(_VAR_FLOOR)
    return ColourModel(px.mean(axis=0), np.linalg.inv(cov))


def background_colours(ycrcb: np.ndarray, mask: np.ndarray, k: int = 3) -> np.ndarray:
    """(k, 3) colour centres of the pixels outside ``mask`` (k-means), or (0, 3)."""
    px = ycrcb[mask == 0].reshape(-1, 3).astype(np.float32)
    if len(px) < 4 * k:
        return np.zeros((0, 3), np.float32)
    if len(px) > 1500:
        px = px[:: len(px) // 1500 + 1]
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 8, 1.0)
    cv2.setRNGSeed(0)  # same picture, same clusters
    _, _, centres = cv2.kmeans(px, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    return centres


def blend(old: ColourModel | None, new: ColourModel | None, rate: float = 0.2
          ) -> ColourModel | None:
    """Running per-track model: move ``rate`` of the way to the new frame's fit."""
    if old is None or new is None:
        return new or old
    return ColourModel(old.mean + rate * (new.mean - old.mean),
                       old.inv_cov + rate * (new.inv_cov - old.inv_cov))


@dataclass
class HandCrop:
    """One hand's neighbourhood, resampled so the palm is about ``_WORK_PALM_PX`` wide.

    ycrcb: (h, w, 3) uint8 YCrCb pixels; points: (21, 2) landmarks in crop pixels;
    width: palm width (index to pinky knuckle) in crop pixels.
    """

    ycrcb: np.ndarray
    points: np.ndarray
    width: float


def hand_crop(rgb: np.ndarray, points: np.ndarray) -> HandCrop | None:
    """Cut the hand with a margin of 0.6 palm widths and bring it to the working scale.

    Parameters
    ----------
    rgb
        (H, W, 3) uint8 picture.
    points
        (21, 2+) landmarks in ``rgb`` pixels.

    Returns
    -------
    HandCrop, or None when the hand is too small or outside the picture.
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    width = float(np.linalg.norm(p[5] - p[17]))
    if not np.isfinite(width) or width < 8:
        return None
    h, w = rgb.shape[:2]
    lo = np.floor(p.min(axis=0) - 0.6 * width).astype(int)
    hi = np.ceil(p.max(axis=0) + 0.6 * width).astype(int)
    x0, y0 = max(0, lo[0]), max(0, lo[1])
    x1, y1 = min(w, hi[0]), min(h, hi[1])
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    scale = min(1.0, _WORK_PALM_PX / width)
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    if scale < 1.0:
        size = (max(8, int(round((x1 - x0) * scale))), max(8, int(round((y1 - y0) * scale))))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    local = (p - (x0, y0)) * scale
    return HandCrop(cv2.cvtColor(crop, cv2.COLOR_RGB2YCrCb), local, width * scale)


def read_fingers(hand: HandCrop, model: ColourModel, max_distance: float = 3.0
                 ) -> FingerReading:
    """Count finger protrusions of one hand.

    Parameters
    ----------
    hand
        The hand's crop (:func:`hand_crop`).
    model
        The hand's skin colour model.
    max_distance
        Mahalanobis distance still counted as skin.
    """
    crop, local, width = hand.ycrcb, hand.points, hand.width
    white = model.whiten(crop)  # every distance below is Euclidean in these coordinates
    d_skin = _norm(white - model.whiten(model.mean))
    skin = d_skin <= max_distance
    # Background colours from around the hand: a pixel nearer one of them than the skin
    # mean (in the skin model's metric) is not skin, e.g. a beige sweater behind the hand.
    # A cluster with the skin's own colour (forearm, other hand) cannot be told apart.
    reach = max(3, 2 * int(0.3 * width) + 1)
    near_hand = cv2.dilate(skin_mask_points(crop.shape[:2], local, width),
                           cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    for colour in background_colours(crop, near_hand):
        if model.distance(colour[None])[0] > 1.0:
            skin &= d_skin < _norm(white - model.whiten(colour))
    skin = skin.astype(np.uint8)
    k = max(1, int(round(0.03 * width)))  # small: closing would fill the gaps between fingers
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    skin = cv2.morphologyEx(skin, cv2.MORPH_OPEN, kernel)
    region = skin_mask_points(skin.shape, local, width)
    n_lab, labels = cv2.connectedComponents(skin)
    inside = labels[(region > 0) & (skin > 0)]
    if len(inside) == 0:
        return FingerReading(0, 0, 0, 0.0)
    hand = (labels == np.bincount(inside).argmax()).astype(np.uint8)
    skin_fraction = float(hand[region > 0].mean())
    count, unmatched, tips_out = _protrusions(hand, local, width)
    return FingerReading(count, tips_out, unmatched, skin_fraction)


def _protrusions(hand: np.ndarray, local: np.ndarray, width: float) -> tuple[int, int, int]:
    """Fingertip-like protrusions of a silhouette: peaks of the outline's distance from the
    palm centre that stand out from the valleys beside them.

    Returns (protrusions, protrusions with no landmark fingertip near, landmark fingertips
    lying on such a protrusion).
    """
    contours, _ = cv2.findContours(hand, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return 0, 0, 0
    outline = max(contours, key=cv2.contourArea)[:, 0, :].astype(np.float64)
    if len(outline) < 20:
        return 0, 0, 0
    centre = local[list(PALM_POINTS)].mean(axis=0)
    reach = float(np.linalg.norm(local[[5, 9, 13, 17]] - centre, axis=1).max())
    axis = local[9] - local[0]
    axis /= np.linalg.norm(axis) + 1e-9
    rel = outline - centre
    dist = np.linalg.norm(rel, axis=1)
    dist[rel @ axis < -0.3 * reach] = 0.0  # the forearm side cannot hold a finger
    win = max(3, int(0.08 * width)) | 1
    smooth = np.convolve(np.concatenate([dist[-win:], dist, dist[:win]]),
                         np.ones(win) / win, mode="same")[win:-win]
    n = len(smooth)
    ext = np.concatenate([smooth, smooth])  # the outline is closed: search a doubled copy
    peaks = find_peaks(ext, height=1.2 * reach, prominence=PROMINENCE * width,
                       distance=max(2, int(0.25 * width)))
    peaks = np.unique(peaks % n)
    # a peak found in both copies may differ by a sample or two: merge close ones
    keep: list[int] = []
    for i in sorted(peaks):
        if not keep or min(abs(i - keep[-1]), n - abs(i - keep[-1])) > 0.25 * width:
            keep.append(int(i))
    if len(keep) > 1 and n - keep[-1] + keep[0] <= 0.25 * width:
        keep.pop()
    tips = local[list(FINGERTIPS)]
    near = [np.linalg.norm(tips - outline[i], axis=1).min() < 0.5 * width for i in keep]
    out_tips = np.linalg.norm(tips - centre, axis=1) > 1.2 * reach
    on_hand = np.array([_at(hand, tip) for tip in tips], bool)
    return len(keep), len(keep) - int(sum(near)), int(np.sum(out_tips & on_hand))


def _at(img: np.ndarray, xy: np.ndarray) -> int:
    x, y = int(round(xy[0])), int(round(xy[1]))
    if 0 <= y < img.shape[0] and 0 <= x < img.shape[1]:
        return int(img[y, x])
    return 0
