"""Lip features from the 478 face-mesh points, normalised so they compare across faces and clips.

Each frame's face is first aligned in 3-D (MediaPipe's x, y and relative depth z) to the clip's
median face on rigid landmarks, which removes head turns, nods and changes of distance; the lips
are then measured in units of the eye-centre distance. A feature is NaN in frames where the face
slot is empty (never 0).

The helpers at the end put per-frame features on a uniform time grid (from the frames' real
presentation times, so variable-frame-rate clips work), high-pass them by subtracting a moving
average (which removes slow changes such as a smile and keeps articulation), and measure how much
the mouth is moving.
"""

from __future__ import annotations

import numpy as np

from .boxes import padded_box

# MediaPipe face-mesh landmark indices.
INNER_UPPER, INNER_LOWER = 13, 14  # middle of the inner lip contour, top and bottom
OUTER_UPPER, OUTER_LOWER = 0, 17  # middle of the outer lip contour, top and bottom
CORNER_LEFT, CORNER_RIGHT = 61, 291  # mouth corners (outer contour)
CHIN = 152
MOUTH_POINTS = (0, 17, 61, 291, 13, 14, 78, 308, 152)  # for evidence boxes
# Rigid parts of the face (forehead, nose bridge and tip, eye corners, temples, brows): each
# frame is aligned to the clip's median face on these before the lips are measured. Positions
# 11-14 are the eye corners (used for the unit length).
STABLE_POINTS = (10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 33, 133, 362, 263, 234, 454, 127,
                 356, 70, 300, 107, 336, 98, 327)

# The points the lip features are measured on.
_LIP_POINTS = (INNER_UPPER, INNER_LOWER, OUTER_UPPER, OUTER_LOWER, CORNER_LEFT, CORNER_RIGHT,
               CHIN)

FEATURE_NAMES = ("inner_gap", "outer_gap", "mouth_width", "lower_lip_y", "chin_y",
                 "upper_lip_y", "corners_y")


def align_to_median(points: np.ndarray, stable: tuple[int, ...] = STABLE_POINTS) -> np.ndarray:
    """Remove head motion: fit each frame's rigid points to the clip's median face.

    A 3-D similarity transform (rotation, scale, translation; the Umeyama least-squares fit)
    maps each frame's :data:`STABLE_POINTS` onto their median position over the clip and is
    applied to all 478 points. The result is divided by the median face's eye-centre distance,
    so one unit is the distance between the eyes and y points down the face.

    Parameters
    ----------
    points : (N, P, 3) float, pixels; NaN rows where absent. P = 478, or any subset of the
        mesh points that holds the rigid ones.
    stable : the positions of :data:`STABLE_POINTS` in ``points`` (the mesh indices for 478).

    Returns
    -------
    (N, P, 3) float64 in eye-distance units; NaN rows where absent.
    """
    pts = np.asarray(points, dtype=np.float64)
    out = np.full(pts.shape, np.nan)
    ok = ~np.isnan(pts.reshape(len(pts), -1)).any(axis=1)
    if not ok.any():
        return out
    stable = list(stable)
    shapes = pts[ok]
    ref = np.median(shapes[:, stable], axis=0)
    # Two passes (generalised Procrustes): the first median of unaligned frames mixes poses;
    # the median of the aligned frames is a face shape all frames can be fitted to exactly,
    # turned upright (eye line horizontal) so "vertical" means down the face.
    moved = _fit_similarity(shapes, stable, ref)
    ref = _upright(np.median(moved[:, stable], axis=0))
    moved = _fit_similarity(shapes, stable, ref)
    unit = float(np.linalg.norm(ref[11:13].mean(axis=0) - ref[13:15].mean(axis=0)))
    out[ok] = moved / (unit if unit > 1e-6 else 1.0)
    return out


def _upright(ref: np.ndarray) -> np.ndarray:
    """Rotate a (S, 3) reference shape about its centre so the eye line is horizontal."""
    d = ref[13:15].mean(axis=0) - ref[11:13].mean(axis=0)  # left eye centre -> right eye centre
    angle = np.arctan2(d[1], d[0])
    c, s = np.cos(-angle), np.sin(-angle)
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    centre = ref.mean(axis=0)
    return (ref - centre) @ rot.T + centre


def _fit_similarity(shapes: np.ndarray, stable: list[int], ref: np.ndarray) -> np.ndarray:
    """Apply to each (P, 3) shape the similarity transform that best maps its ``stable``
    points onto ``ref`` (Umeyama's closed form). shapes: (n, P, 3) -> (n, P, 3)."""
    src = shapes[:, stable]
    mu_s = src.mean(axis=1, keepdims=True)
    mu_r = ref.mean(axis=0)
    a = src - mu_s
    b = ref - mu_r
    cov = np.einsum("sj,nsk->njk", b, a) / len(stable)  # per frame: sum_s b_s a_s^T / S
    u, d, vt = np.linalg.svd(cov)
    fix = np.ones((len(src), 3))
    fix[:, 2] = np.sign(np.linalg.det(u) * np.linalg.det(vt))  # no reflections
    rot = u @ (fix[:, :, None] * vt)
    var = (a**2).sum(axis=(1, 2)) / len(stable)
    scale = (d * fix).sum(axis=1) / var
    return scale[:, None, None] * np.einsum("njk,npk->npj", rot, shapes - mu_s) + mu_r


def lip_features(points: np.ndarray) -> np.ndarray:
    """Seven lip features per frame, measured on the face aligned by :func:`align_to_median`.

    Parameters
    ----------
    points : (N, 478, 3) float
        One face slot's landmarks over N frames (full-resolution pixels); NaN where absent.

    Returns
    -------
    (N, 7) float64 in eye-distance units, columns in :data:`FEATURE_NAMES` order: inner-lip gap,
    outer-lip gap, mouth width (corner to corner), then the vertical positions of the lower lip,
    the chin, the upper lip and the mouth corners (sum of both) in the aligned face. NaN where
    the face is absent.
    """
    points = np.asarray(points)
    if points.ndim != 3 or points.shape[1] < 468:
        raise ValueError("points must have shape (N, 478, 3)")
    # Only the rigid points and the lips are aligned: the same numbers as aligning all 478,
    # in a tenth of the memory (a 5-minute clip's 478 points are 100 MB a face in float64).
    cols = list(STABLE_POINTS) + list(_LIP_POINTS)
    a = align_to_median(points[:, cols], stable=tuple(range(len(STABLE_POINTS))))
    at = {mesh: len(STABLE_POINTS) + i for i, mesh in enumerate(_LIP_POINTS)}
    return np.stack(
        [
            a[:, at[INNER_LOWER], 1] - a[:, at[INNER_UPPER], 1],
            a[:, at[OUTER_LOWER], 1] - a[:, at[OUTER_UPPER], 1],
            np.linalg.norm(a[:, at[CORNER_RIGHT]] - a[:, at[CORNER_LEFT]], axis=1),
            a[:, at[INNER_LOWER], 1],
            a[:, at[CHIN], 1],
            a[:, at[INNER_UPPER], 1],
            a[:, at[CORNER_LEFT], 1] + a[:, at[CORNER_RIGHT], 1],
        ],
        axis=1,
    )


def mouth_box(points: np.ndarray, margin: float = 0.6) -> tuple[float, float, float, float] | None:
    """Evidence box around the mouth of one frame's (478, 3) landmarks, full-resolution pixels.

    The box spans the lips and chin and is widened by ``margin`` times its size; None if the
    face is absent in that frame.
    """
    pts = np.asarray(points, dtype=np.float64)[list(MOUTH_POINTS), :2]
    if np.isnan(pts).any():
        return None
    half = margin / 2
    return padded_box(pts, (half, half, half, half), square=True)


def uniform_grid(t_s: np.ndarray) -> tuple[np.ndarray, float]:
    """A uniform time grid over the frames' span, one step per (median) frame period.

    Returns
    -------
    grid : (T,) float64, seconds, from the first to the last frame time.
    step_s : float, the grid step in seconds.
    """
    t = np.asarray(t_s, dtype=np.float64)
    step = float(np.median(np.diff(t))) if t.size > 1 else 0.04
    step = step if step > 0 else 0.04
    n = int(np.floor((t[-1] - t[0]) / step + 1e-6)) + 1 if t.size else 0
    return t[0] + step * np.arange(n), step


def resample(t_s: np.ndarray, values: np.ndarray, grid: np.ndarray,
             max_gap_s: float = 0.1) -> np.ndarray:
    """Linearly interpolate per-frame values at the grid times.

    Parameters
    ----------
    t_s : (N,) float, frame times in seconds, increasing.
    values : (N,) or (N, F) float, NaN where not measured.
    grid : (T,) float, target times in seconds.
    max_gap_s : float
        Grid points between two measured frames further apart than this are NaN (a gap in the
        face track is not invented), as are points outside the measured span.

    Returns
    -------
    (T,) or (T, F) float64.
    """
    vals = np.asarray(values, dtype=np.float64)
    flat = vals.reshape(len(vals), -1)
    out = np.full((len(grid), flat.shape[1]), np.nan)
    for j in range(flat.shape[1]):
        ok = ~np.isnan(flat[:, j])
        if ok.sum() < 2:
            continue
        tk, vk = t_s[ok], flat[ok, j]
        col = np.interp(grid, tk, vk, left=np.nan, right=np.nan)
        idx = np.clip(np.searchsorted(tk, grid, side="right"), 1, len(tk) - 1)
        gap = tk[idx] - tk[idx - 1]
        col[gap > max_gap_s + 1e-9] = np.nan
        out[:, j] = col
    return out.reshape((len(grid),) + vals.shape[1:])


def convolve_same(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Centred convolution with the length of ``x``, also when the kernel is longer than ``x``.

    (``np.convolve(..., "same")`` returns the longer of the two lengths.)
    """
    full = np.convolve(x, kernel)
    start = (len(kernel) - 1) // 2
    return full[start : start + len(x)]


def moving_average(x: np.ndarray, width: int) -> np.ndarray:
    """NaN-aware centred moving average along axis 0 over ``width`` samples."""
    arr = np.asarray(x, dtype=np.float64)
    flat = arr.reshape(len(arr), -1)
    ok = ~np.isnan(flat)
    kernel = np.ones(max(int(width), 1))
    sums = np.apply_along_axis(convolve_same, 0, np.where(ok, flat, 0.0), kernel)
    counts = np.apply_along_axis(convolve_same, 0, ok.astype(float), kernel)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    mean[counts < 0.3 * len(kernel)] = np.nan
    return mean.reshape(arr.shape)


def highpass(x: np.ndarray, width: int) -> np.ndarray:
    """Subtract the centred moving average over ``width`` samples (NaN stays NaN)."""
    return np.asarray(x, dtype=np.float64) - moving_average(x, width)
