"""Counting the fingers a picture shows, beyond the landmarks (pure numpy + OpenCV on a crop).

MediaPipe always draws five fingers, so the count here comes from the pixels: a skin-colour
silhouette of the hand (colour model learned from the landmark region, kept per hand), with
the palm disc removed; what sticks out of the disc on the fingers' side are the finger
protrusions. Each protrusion is checked against the landmark fingertips, and a protrusion's
width says how many fingers lie side by side in it.

Limits (why this is a measurement, not an alarm): skin touching skin (two hands, a face, the
forearm) merges silhouettes, fingers held together read as one wide protrusion, and skin-coloured
backgrounds leak in.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .hands import FINGER_CHAINS, FINGERTIPS, PALM_POINTS

_CHAN = (1, 2)  # Cr, Cb of YCrCb: chroma only, so shading changes matter less


@dataclass
class ColourModel:
    """Gaussian chroma model (Cr, Cb) of one hand's skin: mean (2,), inverse covariance (2, 2)."""

    mean: np.ndarray
    inv_cov: np.ndarray

    def distance(self, ycrcb: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 YCrCb -> (H, W) Mahalanobis distance of the chroma."""
        d = ycrcb[..., _CHAN].astype(np.float32) - self.mean.astype(np.float32)
        q = np.einsum("...i,ij,...j->...", d, self.inv_cov.astype(np.float32), d)
        return np.sqrt(np.maximum(q, 0.0))


@dataclass
class FingerReading:
    """What one hand's crop shows.

    count: fingers seen sticking out of the palm disc (protrusions, split by width).
    tips_out: landmark fingertips that lie on the silhouette outside the palm disc.
    unmatched: protrusions with no landmark finger in them (extra-finger evidence).
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
    """Fit the chroma Gaussian on the masked pixels, trimming the 10 % most unusual."""
    px = ycrcb[mask > 0][:, _CHAN].astype(np.float64)
    if len(px) < 30:
        return None
    med = np.median(px, axis=0)
    dist = np.linalg.norm(px - med, axis=1)
    px = px[dist <= np.percentile(dist, 90)]
    cov = np.cov(px.T) + np.eye(2) * 4.0  # floor: 2 chroma levels of spread
    return ColourModel(px.mean(axis=0), np.linalg.inv(cov))


def blend(old: ColourModel | None, new: ColourModel | None, rate: float = 0.2
          ) -> ColourModel | None:
    """Running per-track model: move ``rate`` of the way to the new frame's fit."""
    if old is None or new is None:
        return new or old
    return ColourModel(old.mean + rate * (new.mean - old.mean),
                       old.inv_cov + rate * (new.inv_cov - old.inv_cov))


def read_fingers(rgb: np.ndarray, points: np.ndarray, model: ColourModel,
                 max_distance: float = 3.0) -> FingerReading | None:
    """Count finger protrusions of one hand.

    Parameters
    ----------
    rgb
        (H, W, 3) uint8 picture.
    points
        (21, 2+) landmarks in ``rgb`` pixels.
    model
        The hand's skin colour model.
    max_distance
        Mahalanobis distance still counted as skin.

    Returns
    -------
    FingerReading, or None when the crop is degenerate.
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
    local = p - (x0, y0)
    crop = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2YCrCb)
    skin = (model.distance(crop) <= max_distance).astype(np.uint8)
    k = max(1, int(round(0.06 * width)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    skin = cv2.morphologyEx(skin, cv2.MORPH_OPEN, kernel)
    skin = cv2.morphologyEx(skin, cv2.MORPH_CLOSE, kernel)
    region = skin_mask_points(skin.shape, local, width)
    n_lab, labels = cv2.connectedComponents(skin)
    inside = labels[(region > 0) & (skin > 0)]
    if len(inside) == 0:
        return FingerReading(0, 0, 0, 0.0)
    hand = (labels == np.bincount(inside).argmax()).astype(np.uint8)
    skin_fraction = float(hand[region > 0].mean())
    # Palm disc: centred between wrist and knuckles, reaching just past the knuckles.
    centre = local[list(PALM_POINTS)].mean(axis=0)
    reach = np.linalg.norm(local[[5, 9, 13, 17]] - centre, axis=1).max()
    radius = 1.15 * reach
    fingers = hand.copy()
    cv2.circle(fingers, tuple(int(round(v)) for v in centre), int(round(radius)), 0, -1)
    # Drop the forearm side: everything beyond the wrist, away from the knuckles.
    axis = local[9] - local[0]
    axis /= np.linalg.norm(axis) + 1e-9
    yy, xx = np.mgrid[0: fingers.shape[0], 0: fingers.shape[1]]
    along = (xx - local[0, 0]) * axis[0] + (yy - local[0, 1]) * axis[1]
    fingers[along < 0.1 * width] = 0
    n_blobs, blobs, stats, _ = cv2.connectedComponentsWithStats(fingers)
    finger_w = max(2.0, width / 4.0)
    min_area = 0.25 * finger_w * finger_w
    tips = np.round(local[list(FINGERTIPS)]).astype(int)
    count = unmatched = 0
    for b in range(1, n_blobs):
        if stats[b, cv2.CC_STAT_AREA] < min_area:
            continue
        n_here = _fingers_in_blob(blobs == b, centre, finger_w)
        if n_here == 0:
            continue
        count += n_here
        has_tip = any(_at(blobs, tip) == b for tip in tips) or _bone_in(blobs, local, b)
        unmatched += 0 if has_tip else n_here
    tips_out = sum(
        1 for tip in tips if _at(hand, tip) and np.hypot(*(tip - centre)) > radius
    )
    return FingerReading(count, tips_out, unmatched, skin_fraction)


def _fingers_in_blob(blob: np.ndarray, centre: np.ndarray, finger_w: float) -> int:
    """How many fingers one protrusion holds: its width across the direction it points,
    in finger widths (a short stub is no finger)."""
    ys, xs = np.nonzero(blob)
    d = np.stack([xs - centre[0], ys - centre[1]], axis=1).astype(np.float64)
    direction = d.mean(axis=0)
    direction /= np.linalg.norm(direction) + 1e-9
    along = d @ direction
    across = d @ np.array([-direction[1], direction[0]])
    length = np.percentile(along, 95) - np.percentile(along, 5)
    if length < 0.6 * finger_w:
        return 0
    span = np.percentile(across, 95) - np.percentile(across, 5)
    return int(max(1, round(span / (1.3 * finger_w))))


def _at(img: np.ndarray, xy: np.ndarray) -> int:
    x, y = int(xy[0]), int(xy[1])
    if 0 <= y < img.shape[0] and 0 <= x < img.shape[1]:
        return int(img[y, x])
    return 0


def _bone_in(blobs: np.ndarray, local: np.ndarray, b: int) -> bool:
    """A landmark finger's middle or end joint lies in blob ``b`` (finger curled at the tip)."""
    return any(_at(blobs, np.round(local[j]).astype(int)) == b
               for chain in FINGER_CHAINS for j in chain[2:])
