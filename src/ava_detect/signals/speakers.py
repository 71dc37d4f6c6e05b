"""One face per speaker: face slots that are the same face are stitched back together.

The face tracker (``signals.tracks``) sometimes hands one face to a new slot: after a brief
duplicate detection, or when the face is lost for a few frames. The lip-sync check then sees two
fragments of one person, each too short to measure on its own, and a fragment's correlation
peak, computed from fewer frames, stands out by chance more easily (the LatentSync demo: the
whole-clip slot reads -5 ms, PSR 5.1; a 3.5 s fragment of the same face -446 ms, PSR 3.7).

:func:`stitch_slots` merges a slot into an earlier one when the two are the same face: they are
rarely on screen together (and, when they are, their boxes overlap: a duplicate), and their
median positions are within ``max_centre_shift`` face widths. Two people side by side are never
merged: they are on screen together with disjoint boxes. Pure numpy.
"""

from __future__ import annotations

import warnings

import numpy as np


def _boxes(points: np.ndarray) -> np.ndarray:
    """(N, K, 4) x0, y0, x1, y1 of each slot's landmarks per frame (NaN where absent)."""
    x, y = points[..., 0], points[..., 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: absent faces
        return np.stack([np.nanmin(x, axis=2), np.nanmin(y, axis=2),
                         np.nanmax(x, axis=2), np.nanmax(y, axis=2)], axis=-1)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of (M, 4) box pairs."""
    w = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    h = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = w * h
    area = lambda q: (q[:, 2] - q[:, 0]) * (q[:, 3] - q[:, 1])  # noqa: E731
    return inter / np.maximum(area(a) + area(b) - inter, 1e-9)


def stitch_slots(points: np.ndarray, *, max_centre_shift: float = 0.5,
                 min_duplicate_iou: float = 0.5) -> tuple[np.ndarray, list[list[int]]]:
    """Merge face slots that hold the same face.

    Parameters
    ----------
    points : (N, K, P, 3) landmarks in pixels, NaN where a slot holds no face.
    max_centre_shift : largest distance between two slots' median box centres, in face widths
        (the larger slot's median box width), for them to be one face.
    min_duplicate_iou : frames where both slots hold a face must have boxes overlapping at least
        this much (median intersection over union): one face detected twice.

    Returns
    -------
    merged : (N, K, P, 3) copy where each group's first (most present) slot holds the group's
        face wherever any of its slots has one (the first slot wins on shared frames); merged-in
        slots are NaN.
    groups : slot lists, each a face, most present slot first (slots with no face are left out).
    """
    n, k = points.shape[:2]
    present = ~np.isnan(points[:, :, 0, 0])
    boxes = _boxes(points) if n else np.zeros((0, k, 4))
    order = [int(s) for s in np.argsort(-present.sum(axis=0), kind="stable")
             if present[:, s].any()]
    merged = points.copy()
    groups: list[list[int]] = []
    for s in order:
        home = None
        for g in groups:
            lead = g[0]
            here = present[:, lead]
            both = here & present[:, s]
            if both.any() and (np.median(_iou(boxes[both, lead], boxes[both, s]))
                               < min_duplicate_iou):
                continue  # on screen together as different faces
            width = float(np.median(boxes[here, lead, 2] - boxes[here, lead, 0]))
            c_lead = np.median((boxes[here, lead, :2] + boxes[here, lead, 2:]) / 2, axis=0)
            c_s = np.median((boxes[present[:, s], s, :2] + boxes[present[:, s], s, 2:]) / 2,
                            axis=0)
            if np.hypot(*(c_lead - c_s)) <= max_centre_shift * width:
                home = g
                break
        if home is None:
            groups.append([s])
            continue
        home.append(s)
        lead = home[0]
        fill = present[:, s] & ~present[:, lead]
        merged[fill, lead] = points[fill, s]
        boxes[fill, lead] = boxes[fill, s]
        present[fill, lead] = True
        merged[:, s] = np.nan
    return merged, groups
