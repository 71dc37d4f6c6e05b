"""Identity distance curves: face tracks, references, smoothed distances, alarms and onsets.

Pure numpy over the arrays the frame loop gathered (landmarks, embeddings, histogram change).
Distances are Euclidean distances between dlib face descriptors (same person usually < 0.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..detectors.base import Segment, hysteresis_segments


@dataclass(frozen=True)
class TrackSpan:
    """Frames ``start..end`` (inclusive) of one face slot that follow one face in one shot.

    ``why`` says why the track starts: "clip start", "new shot", "face reappeared",
    "another face".
    """

    slot: int
    start: int
    end: int
    why: str


def shot_starts(hist_change: np.ndarray, threshold: float) -> np.ndarray:
    """Frame indices where a new shot begins (the colour histogram jumps), as (C,) int."""
    change = np.nan_to_num(np.asarray(hist_change, dtype=np.float64), nan=0.0)
    return np.flatnonzero(change >= threshold)


def split_tracks(slot: int, present: np.ndarray, centres: np.ndarray, eyes: np.ndarray,
                 t_s: np.ndarray, cuts: np.ndarray, *, jump_eye_distances: float,
                 gap_s: float) -> list[TrackSpan]:
    """Cut one slot's frames into tracks: at shot cuts, long gaps and jumps to another face.

    Parameters
    ----------
    present
        (N,) bool, a face is in the slot.
    centres
        (N, 2) float, the face's mean landmark position, px.
    eyes
        (N,) float, eye distance, px (the scale of a "jump").
    t_s
        (N,) frame times, s.
    cuts
        Frame indices where a new shot starts.
    """
    cut_set = {int(c) for c in cuts}
    spans: list[TrackSpan] = []
    start = last = None
    why = "clip start"
    for i in np.flatnonzero(present):
        i = int(i)
        reason = None
        if last is not None:
            if any(last < c <= i for c in cut_set):
                reason = "new shot"
            elif t_s[i] - t_s[last] > gap_s:
                reason = "face reappeared"
            elif np.hypot(*(centres[i] - centres[last])) > jump_eye_distances * eyes[i]:
                reason = "another face"
        if reason is not None:
            spans.append(TrackSpan(slot, start, last, why))
            start, why = i, reason
        if start is None:
            start = i
            why = "new shot" if any(0 < c <= i for c in cut_set) else "clip start"
        last = i
    if start is not None:
        spans.append(TrackSpan(slot, start, last, why))
    return spans


def reference(emb: np.ndarray, usable: np.ndarray, clean: np.ndarray,
              n_frames: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The median embedding of the first ``n_frames`` clean frames.

    Parameters
    ----------
    emb
        (N, 128) embeddings, NaN rows where not embedded.
    usable, clean
        (N,) bool: embedded and gated in; near-frontal enough for a reference.

    Returns
    -------
    (128,) reference and the (R,) frame indices it was built from, or None without any.
    """
    idx = np.flatnonzero(usable & clean)[:n_frames]
    if len(idx) == 0:
        return None
    return np.median(emb[idx], axis=0), idx


def raw_distance(emb: np.ndarray, ref: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """(N,) distance of each usable frame's embedding to the reference; NaN elsewhere."""
    out = np.full(len(emb), np.nan)
    out[usable] = np.linalg.norm(emb[usable] - ref, axis=1)
    return out


def smoothed_distance(emb: np.ndarray, ref: np.ndarray, usable: np.ndarray, t_s: np.ndarray,
                      window_s: float) -> np.ndarray:
    """(N,) distance to the reference of the mean embedding over the trailing window.

    At each usable frame, the embeddings of usable frames in ``(t - window_s, t]`` are averaged
    (the average of one person's embeddings is steadier than any single one); NaN elsewhere.
    """
    out = np.full(len(emb), np.nan)
    idx = np.flatnonzero(usable)
    lo = 0
    for n, i in enumerate(idx):
        while t_s[idx[lo]] <= t_s[i] - window_s:
            lo += 1
        out[i] = float(np.linalg.norm(emb[idx[lo : n + 1]].mean(axis=0) - ref))
    return out


@dataclass(frozen=True)
class Alarm:
    """One stretch where a face reads as someone else, with its onset walked back."""

    segment: Segment  # from the smoothed distance
    onset: int  # first frame that is no longer near the baseline
    last_near: int  # the last frame before it still near the baseline (-1 if none)
    rise_s: float  # time from last_near to the first frame at or above the on threshold
    step: float  # embedding distance between last_near and onset (NaN if no last_near)


def find_alarms(raw: np.ndarray, smooth: np.ndarray, emb: np.ndarray, t_s: np.ndarray, *,
                on: float, off: float, near: float, min_duration_s: float) -> list[Alarm]:
    """Alarms of one track: hysteresis on the smoothed distance, onset from the raw distance.

    The onset is the usable frame right after the last frame (before the alarm) whose raw
    distance is at most ``near``; the rise time runs from that frame to the first raw distance
    at or above ``on``. An alarm must last ``min_duration_s`` from its onset (the smoothed
    curve itself crosses later, by up to half its window, so a change near the end of a clip
    would otherwise be lost).
    """
    alarms = []
    usable = ~np.isnan(raw)
    for seg in hysteresis_segments(smooth, t_s, on=on, off=off, min_frames=2):
        before = np.flatnonzero(usable[: seg.start + 1] & (raw[: seg.start + 1] <= near))
        last_near = int(before[-1]) if len(before) else -1
        after = np.flatnonzero(usable[last_near + 1 :]) + last_near + 1
        onset = int(after[0]) if len(after) else seg.start
        high = np.flatnonzero(usable[onset:] & (raw[onset:] >= on)) + onset
        first_high = int(high[0]) if len(high) else seg.peak
        t0 = t_s[last_near] if last_near >= 0 else t_s[onset]
        step = (float(np.linalg.norm(emb[onset] - emb[last_near])) if last_near >= 0
                else float("nan"))
        if seg.end_s - t_s[onset] + 1e-9 < min_duration_s:
            continue
        alarms.append(Alarm(seg, onset, last_near, float(t_s[first_high] - t0), step))
    return alarms


def downsample(t_s: np.ndarray, values: np.ndarray, max_points: int = 600) -> tuple[list, list]:
    """Every k-th point so at most ``max_points`` remain, as lists (NaN kept where unmeasured)."""
    step = max(1, int(np.ceil(len(t_s) / max_points)))
    t = [round(float(x), 4) for x in t_s[::step]]
    v = [round(float(x), 4) for x in values[::step]]
    return t, v
