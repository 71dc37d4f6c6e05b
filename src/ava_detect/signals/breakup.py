"""Face breakup measurements: a face box that loses its fine structure, a mesh that drops out.

A face that dissolves, smears or doubles keeps being "a face" to the landmark model while the
pixels inside its box lose their fine structure (eyes, brows, lips, nostrils). The analyser
records, per frame and face, the box's sharpness (``face.sharpness``: mean absolute Laplacian
over the grey spread, the box resized to 64 px). Here it is compared with the same face's own
recent frames, so a soft-focus or low-resolution clip is its own reference.

Measured (docs/identity.md, "Face breakup"): the drop is real on the failure clips but deeper
on real footage of fast expressive heads, so it is reported as a measurement, not a finding.
"""

from __future__ import annotations

import numpy as np


def relative_structure(t: np.ndarray, sharp: np.ndarray, usable: np.ndarray, *,
                       window_s: float, min_frames: int) -> np.ndarray:
    """Each usable frame's sharpness over the median of the same face's usable frames in the
    ``window_s`` seconds before it (at least ``min_frames`` of them), else NaN: (N,) float.

    Parameters
    ----------
    t
        (N,) frame times, seconds.
    sharp
        (N,) the face box's sharpness (NaN where not measured).
    usable
        (N,) bool: frames of one face track that may be compared (the caller leaves out
        profiles, tiny faces and frames of another shot).
    """
    out = np.full(len(t), np.nan)
    idx = np.flatnonzero(usable & np.isfinite(sharp))
    if len(idx) <= min_frames:
        return out
    times = t[idx]
    lo = np.searchsorted(times, times - window_s, side="left")
    for j, i in enumerate(idx):
        if j - lo[j] >= min_frames:
            out[i] = sharp[i] / max(float(np.median(sharp[idx[lo[j] : j]])), 1e-6)
    return out


def sustained(values: np.ndarray, frames: int) -> np.ndarray:
    """The level a curve keeps for ``frames`` consecutive frames ending at each frame (the
    highest of them; NaN if any is NaN): a dip must last that long to show. (N,) float."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(len(v), np.nan)
    if frames < 1 or len(v) < frames:
        return out
    windows = np.lib.stride_tricks.sliding_window_view(v, frames)
    ok = np.isfinite(windows).all(axis=1)
    out[frames - 1 :][ok] = windows[ok].max(axis=1)
    return out


def mesh_gaps(present: np.ndarray, t: np.ndarray, max_gap_s: float) -> list[tuple[int, int]]:
    """Runs of frames without a mesh between two frames of the same face track at most
    ``max_gap_s`` apart (the track continues across them): (first, last) missing frames."""
    p = np.asarray(present, dtype=bool)
    seen = np.flatnonzero(p)
    gaps = []
    for a, b in zip(seen[:-1], seen[1:], strict=True):
        if b - a > 1 and t[b] - t[a] <= max_gap_s:
            gaps.append((int(a + 1), int(b - 1)))
    return gaps
