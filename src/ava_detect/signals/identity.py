"""Identity distance curves: face tracks, references, smoothed distances, alarms and onsets.

Pure numpy over the arrays the frame loop gathered (landmarks, embeddings, histogram change).
Distances are Euclidean distances between dlib face descriptors (same person usually < 0.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .segments import Segment, hysteresis_segments


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
    onset: int  # the first frame that shows the other person
    last_near: int  # the foot of the rise: last frame at the level before it (-1 if none)
    first_high: int  # the first frame at or above the on threshold
    rise_s: float  # time from last_near to first_high
    step: float  # largest embedding change between neighbouring frames in the rise
    abrupt: bool  # that change is a switch (>= switch_step), not a gradual drift


def find_alarms(raw: np.ndarray, smooth: np.ndarray, emb: np.ndarray, t_s: np.ndarray, *,
                on: float, off: float, near: float, min_duration_s: float, switch_step: float,
                tolerance: float, lookback_s: float) -> list[Alarm]:
    """Alarms of one track: hysteresis on the smoothed distance, onset from per-frame values.

    ``first_high`` is the earliest raw distance at or above ``on`` within ``lookback_s`` before
    the smoothed curve crosses (it lags by up to its window). From there the rise is walked
    back down to its foot: frame by frame while the raw distance keeps to within ``tolerance``
    of the lowest value seen, stopping at the first frame at or below ``near`` (back at the
    baseline). A head turn can hold the distance above ``near`` for seconds; the foot of the
    rise is then where the climb began. If one step between neighbouring frames (at most 2.5
    frame times apart) inside the rise moves the embedding by ``switch_step`` or more, the change
    is abrupt and the onset is the frame after that step; otherwise it is gradual and the onset
    is the frame after the foot. An alarm must last ``min_duration_s`` from its onset.
    """
    alarms = []
    usable = ~np.isnan(raw)
    idx = np.flatnonzero(usable)
    frame_s = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 0.04
    for seg in hysteresis_segments(smooth, t_s, on=on, off=off, min_frames=2):
        lo = int(np.searchsorted(t_s, t_s[seg.start] - lookback_s))
        high = idx[(idx >= lo) & (idx <= seg.peak) & (raw[idx] >= on)]
        first_high = int(high[0]) if len(high) else seg.start
        foot, lowest, at_baseline = first_high, raw[first_high], False
        for i in idx[idx < first_high][::-1]:
            if raw[i] > lowest + tolerance:
                break
            if raw[i] < lowest:
                foot, lowest = int(i), raw[i]
            if raw[i] <= near:
                foot, at_baseline = int(i), True
                break
        rise = idx[(idx >= foot) & (idx <= first_high)]
        steps = [(float(np.linalg.norm(emb[j] - emb[i])), int(j))
                 for i, j in zip(rise[:-1], rise[1:], strict=True)
                 if t_s[j] - t_s[i] <= 2.5 * frame_s]
        step, at = max(steps) if steps else (float("nan"), first_high)
        abrupt = step >= switch_step
        later = idx[idx > foot]
        onset = at if abrupt else (int(later[0]) if len(later) and foot < first_high
                                   else first_high)
        if seg.end_s - t_s[onset] + 1e-9 < min_duration_s:
            continue
        last_near = foot if (at_baseline or foot < first_high) else -1
        t0 = t_s[last_near] if last_near >= 0 else t_s[onset]
        alarms.append(Alarm(seg, onset, last_near, first_high, float(t_s[first_high] - t0),
                            step, abrupt))
    return alarms


def largest_step(emb: np.ndarray, usable: np.ndarray, t_s: np.ndarray) -> float:
    """Largest embedding change between neighbouring usable frames (<= 1.5 frame times apart).

    Real footage of one person stays below ~0.46 from one frame to the next; a face that
    flickers into someone else for a frame, or switches, jumps further. NaN without a pair.
    """
    idx = np.flatnonzero(usable)
    if len(idx) < 2:
        return float("nan")
    frame_s = float(np.median(np.diff(t_s)))
    pairs = np.diff(t_s[idx]) <= 1.5 * frame_s
    if not pairs.any():
        return float("nan")
    steps = np.linalg.norm(emb[idx[1:]] - emb[idx[:-1]], axis=1)[pairs]
    return float(steps.max())


MAX_PAIR_FRAMES = 1200  # frames compared pairwise at most (evenly spread over the clip)


def matched_pose_distance(emb: np.ndarray, usable: np.ndarray, t_s: np.ndarray,
                          yaw: np.ndarray, pitch: np.ndarray, mouth: np.ndarray, *,
                          min_lag_s: float = 2.0, max_pose_deg: float = 5.0,
                          max_mouth: float = 0.05, min_pairs: int = 10) -> float:
    """Median distance between frames at least ``min_lag_s`` apart that show the same pose.

    Pairs must agree within ``max_pose_deg`` in yaw and pitch and ``max_mouth`` in mouth
    opening (per eye distance), which removes most of what moves a real person's embedding
    (head turns, speech). NaN with fewer than ``min_pairs`` pairs. A face that keeps its
    identity stays near its short-lag value; one that slowly becomes someone else does not.
    """
    i = np.flatnonzero(usable & np.isfinite(yaw) & np.isfinite(pitch) & np.isfinite(mouth))
    if len(i) < 2:
        return float("nan")
    if len(i) > MAX_PAIR_FRAMES:  # pairs grow with the square: keep memory flat on long clips
        i = i[np.linspace(0, len(i) - 1, MAX_PAIR_FRAMES).round().astype(int)]
    e, t, y, p, m = emb[i], t_s[i], yaw[i], pitch[i], mouth[i]
    a, b = np.triu_indices(len(i), k=1)
    keep = ((np.abs(t[a] - t[b]) >= min_lag_s) & (np.abs(y[a] - y[b]) <= max_pose_deg)
            & (np.abs(p[a] - p[b]) <= max_pose_deg) & (np.abs(m[a] - m[b]) <= max_mouth))
    if keep.sum() < min_pairs:
        return float("nan")
    a, b = a[keep], b[keep]
    chunk = 20_000  # pairs per step: a (pairs, 128) difference array stays a few MB
    dists = np.concatenate([np.linalg.norm(e[a[k : k + chunk]] - e[b[k : k + chunk]], axis=1)
                            for k in range(0, len(a), chunk)])
    return float(np.median(dists))


def dissolve_measure(thumbs: np.ndarray, before: int, after: int, *,
                     changed_level: float = 16.0) -> tuple[float, float]:
    """Does the picture go from ``before`` to ``after`` by a cross-dissolve?

    Parameters
    ----------
    thumbs
        (N, h, w, 3) uint8 frame thumbnails.
    before, after
        Frame indices around the change.

    Returns
    -------
    share
        Share of thumbnail pixels that changed by more than ``changed_level`` (of 255) in some
        channel: a dissolve between shots changes the whole picture (~1.0), a new face on the
        same body and background changes a part (a talking head ~0.01, a dancer ~0.3-0.55).
    residual
        Median, over the frames in between, of how far each is from the best blend
        ``(1 - w) * before + w * after``, relative to the whole change: a dissolve is such a
        blend (~0.05-0.15), movement is not (~0.3-1.3). NaN without frames in between.
    """
    a = thumbs[before].astype(np.float32)
    b = thumbs[after].astype(np.float32)
    change = b - a
    share = float((np.abs(change).max(axis=-1) > changed_level).mean())
    d = change.ravel()
    norm = max(float(np.linalg.norm(d)), 1e-6)
    residuals = []
    for m in range(before + 1, after):
        x = thumbs[m].astype(np.float32).ravel() - a.ravel()
        w = float(np.clip(x @ d / norm**2, 0.0, 1.0))
        residuals.append(float(np.linalg.norm(x - w * d)) / norm)
    return share, float(np.median(residuals)) if residuals else float("nan")


def blend_end(thumbs: np.ndarray, before: int, after: int, last: int, step: int) -> int:
    """The frame where a dissolve from ``before`` towards ``after`` stops progressing.

    The blend weight of each frame (0 at ``before``, 1 at ``after``) is followed from ``after``
    on; the dissolve has ended at the first frame whose weight grows by less than 0.03 over the
    next ``step`` frames (or at ``last``).
    """
    a = thumbs[before].astype(np.float32).ravel()
    d = thumbs[after].astype(np.float32).ravel() - a
    norm2 = max(float(d @ d), 1e-6)

    def weight(i: int) -> float:
        return float((thumbs[i].astype(np.float32).ravel() - a) @ d / norm2)

    for i in range(after, last + 1):
        if weight(min(i + step, last)) - weight(i) < 0.03:
            return i
    return last


def stretch_reference(emb: np.ndarray, usable: np.ndarray, n_frames: int, *,
                      from_end: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
    """The median embedding of the first (or last) ``n_frames`` usable frames of a track.

    Parameters
    ----------
    emb
        (N, D) embeddings, NaN rows where not embedded.
    usable
        (N,) bool: frames that may be used (embedded, gated in, clean enough).

    Returns
    -------
    (D,) median embedding and the (R,) frame indices it was built from (in time order), or
    None without any usable frame.
    """
    idx = np.flatnonzero(usable)
    idx = idx[-n_frames:] if from_end else idx[:n_frames]
    if len(idx) == 0:
        return None
    return np.median(emb[idx], axis=0), idx


def change_onset(emb: np.ndarray, usable: np.ndarray, head: np.ndarray, tail: np.ndarray,
                 *, leave: float = 0.3) -> int:
    """The first frame of a change from identity ``head`` to identity ``tail``.

    Each usable embedding is placed on the line from ``head`` (0) to ``tail`` (1) by
    projection; the onset is the frame after the last one still within ``leave`` of the head
    end, among the frames before the first one past the middle (a face that has become the
    other person and comes back a little is not a second onset). -1 without usable frames.

    Parameters
    ----------
    emb
        (N, D) embeddings, NaN rows where not embedded.
    usable
        (N,) bool.
    head, tail
        (D,) the identity at the start and at the end of the track.
    """
    idx = np.flatnonzero(usable)
    if len(idx) == 0:
        return -1
    axis = tail - head
    norm2 = max(float(axis @ axis), 1e-12)
    w = (emb[idx] - head) @ axis / norm2
    past = np.flatnonzero(w >= 0.5)
    if len(past) == 0:
        return int(idx[-1])
    first_past = int(past[0])
    near = np.flatnonzero(w[:first_past] <= leave)
    if len(near) == 0:
        return int(idx[0])
    return int(idx[near[-1] + 1])


def matched_change(emb: np.ndarray, before: np.ndarray, after: np.ndarray, yaw: np.ndarray,
                   pitch: np.ndarray, mouth: np.ndarray, *, max_pose_deg: float,
                   max_mouth: float, self_pairs: bool = False) -> tuple[float, int]:
    """How far a face is from its earlier self at the same pose: (median distance, pairs).

    Every frame in ``after`` is paired with every frame in ``before`` whose yaw and pitch
    agree within ``max_pose_deg`` and mouth opening within ``max_mouth`` (per eye distance);
    the median embedding distance over those pairs is returned with their count (NaN, 0
    without pairs). A head turn or an expression moves a real face away from its reference
    and back; at a matched pose the same person stays close, another person does not. With
    ``self_pairs`` (``before`` is ``after``) it is the face's own spread at matched poses,
    over pairs of frames at least 5 frames apart.

    Parameters
    ----------
    emb
        (N, D) embeddings.
    before, after
        Frame indices (embedded frames) before and after a change.
    yaw, pitch, mouth
        (N,) head pose in degrees and mouth opening.
    """
    b, a = np.asarray(before, int), np.asarray(after, int)
    if len(b) == 0 or len(a) == 0:
        return float("nan"), 0
    keep = ((np.abs(yaw[a][:, None] - yaw[b][None]) <= max_pose_deg)
            & (np.abs(pitch[a][:, None] - pitch[b][None]) <= max_pose_deg)
            & (np.abs(mouth[a][:, None] - mouth[b][None]) <= max_mouth))
    if self_pairs:  # a set against itself: each pair once, frames at least 5 apart
        keep &= (a[:, None] - b[None]) >= 5
    ia, ib = np.nonzero(keep)
    if len(ia) == 0:
        return float("nan"), 0
    d = np.linalg.norm(emb[a[ia]] - emb[b[ib]], axis=1)
    return float(np.median(d)), int(len(d))
