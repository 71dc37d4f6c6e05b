"""How each face track begins and ends: identity changes a forward reference cannot see.

A forward reference is built from a track's first clean frames, so a face that changes within
them (a stylised face turning photoreal in the first second) is baked into the reference, and
a face that leaves the frame and comes back as someone else starts a new track with a new
reference. Both are found by comparing *stretches*: the median embedding of a track's first
``end_frames`` clean frames (its head) and of its last ones (its tail).

- ``identity_changed_in_track``: one track's head and tail differ ("begins as one person, ends
  as another"); the onset is where the embeddings leave the head on the line to the tail.
- ``identity_changed_on_reentry``: a track that starts in the same shot after another one
  ended differs from the face that left and from every other face seen in the shot (two
  people on screen at once are two faces, not a change).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...report import Evidence, Finding
from ...signals.face import face_box
from ...signals.identity import TrackSpan, change_onset, matched_change, stretch_reference


@dataclass
class TrackEnds:
    """The head and tail identity of one measured track.

    head, tail: (D,) median embeddings; head_idx, tail_idx: (R,) frames they come from.
    shot: index of the editorial shot the track is in. changed: a finding already covers it.
    """

    span: TrackSpan
    head: np.ndarray
    head_idx: np.ndarray
    tail: np.ndarray
    tail_idx: np.ndarray
    shot: int
    changed: bool = False


def track_ends(span: TrackSpan, emb: np.ndarray, usable: np.ndarray, n_frames: int,
               shot: int) -> TrackEnds | None:
    """Head and tail of a track from its (N, D) embeddings and (N,) usable frames."""
    head = stretch_reference(emb, usable, n_frames)
    tail = stretch_reference(emb, usable, n_frames, from_end=True)
    if head is None or tail is None:
        return None
    return TrackEnds(span, head[0], head[1], tail[0], tail[1], shot)


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def _box(pts: np.ndarray, i: int, k: int) -> tuple[float, float, float, float]:
    return face_box(pts[i, k])


def _matched(a_emb: np.ndarray, a_idx: np.ndarray, b_emb: np.ndarray, b_idx: np.ndarray,
             pose: tuple, a_slot: int, b_slot: int, match: dict) -> tuple[float, int]:
    """Median distance between frames of two stretches at matched pose and mouth, pairs."""
    yaw, pitch, mouth = pose
    both = np.concatenate([a_emb[a_idx], b_emb[b_idx]])
    n = len(a_idx)
    return matched_change(
        both, np.arange(n), np.arange(n, len(both)),
        np.concatenate([yaw[a_idx, a_slot], yaw[b_idx, b_slot]]),
        np.concatenate([pitch[a_idx, a_slot], pitch[b_idx, b_slot]]),
        np.concatenate([mouth[a_idx, a_slot], mouth[b_idx, b_slot]]),
        max_pose_deg=match["pose_deg"], max_mouth=match["mouth"])


def _stands(d: float, matched: tuple[float, int], on: float, match: dict) -> bool:
    """A stretch comparison stands at ``on``; where enough pose-matched pairs exist, their
    median must reach the matched threshold as well."""
    med, pairs = matched
    return d >= on and (pairs < match["min_pairs"] or med >= match["on"])


def ends_finding(te: TrackEnds, emb: np.ndarray, usable: np.ndarray, t_s: np.ndarray,
                 pts: np.ndarray, pose: tuple, *, on: float, match: dict,
                 several: bool) -> Finding | None:
    """``identity_changed_in_track`` when the track's head and tail are ``on`` or more apart.

    The head and tail stretches must not overlap (a short track has no separate end), and
    where they share poses (``match``: pose_deg, mouth, min_pairs, on) the pose-matched
    distance must agree.
    """
    if te.changed or te.tail_idx[0] <= te.head_idx[-1]:
        return None
    d = _dist(te.head, te.tail)
    k = te.span.slot
    matched = _matched(emb, te.head_idx, emb, te.tail_idx, pose, k, k, match)
    if not _stands(d, matched, on, match):
        return None
    inside = np.zeros_like(usable)
    inside[te.span.start : te.span.end + 1] = usable[te.span.start : te.span.end + 1]
    onset = change_onset(emb, inside, te.head, te.tail)
    first, last = int(te.head_idx[0]), int(te.tail_idx[-1])
    before = int(te.head_idx[np.argmin(np.linalg.norm(emb[te.head_idx] - te.head, axis=1))])
    after = int(te.tail_idx[np.argmin(np.linalg.norm(emb[te.tail_idx] - te.tail, axis=1))])
    face = f"face {k + 1}" if several else "the face"
    text = (f"{face} begins as one person and ends as another: the identity of its first "
            f"frames ({t_s[first]:.2f} s on) and of its last frames (to {t_s[last]:.2f} s) are "
            f"{d:.2f} apart (a change is reported from {on:.2f}); the change starts at "
            f"{t_s[onset]:.2f} s (frame {onset}).")
    return Finding(
        mode="identity", kind="identity_changed_in_track", first_s=float(t_s[onset]),
        start_s=float(t_s[onset]), end_s=float(t_s[te.span.end]),
        confidence=float(np.clip(0.6 + 1.6 * (d - on), 0.3, 0.99)), description=text,
        measured={"onset_frame": onset, "head_tail_distance": d,
                  "matched_pose_distance": None if np.isnan(matched[0]) else matched[0],
                  "matched_pairs": matched[1],
                  "head_frames": [int(i) for i in te.head_idx],
                  "tail_frames": [int(i) for i in te.tail_idx],
                  "reference_t_s": float(t_s[before])},
        threshold={"ends_on": on},
        evidence=[Evidence(t_s=float(t_s[before]), label="reference", box=_box(pts, before, k)),
                  Evidence(t_s=float(t_s[onset]), label="first failure",
                           box=_box(pts, onset, k)),
                  Evidence(t_s=float(t_s[after]), label="most different",
                           box=_box(pts, after, k))],
        track=k,
    )


def reentry_findings(ends: list[TrackEnds], emb: np.ndarray, t_s: np.ndarray,
                     pts: np.ndarray, pose: tuple, *, on: float, match: dict,
                     several: bool) -> list[Finding]:
    """``identity_changed_on_reentry`` for each track that returns as someone else.

    A track is compared with the tracks of the same shot that ended before it started (the
    face that left: the latest of them) and with every other track of the shot; it is a
    change only if it is at least ``on`` from all of them (a returning face that matches any
    face seen in the shot is that face) and, where the two faces share poses, the
    pose-matched distance agrees (``match``). Tracks that start a new shot are never compared.
    ``emb``: (N, K, D) embeddings.
    """
    found = []
    for te in ends:
        if te.span.why == "new shot":
            continue
        same_shot = [o for o in ends if o is not te and o.shot == te.shot]
        left = [o for o in same_shot if o.span.end < te.span.start]
        if not left:
            continue
        gone = max(left, key=lambda o: o.span.end)
        d_left = _dist(te.head, gone.tail)
        d_any = min(min(_dist(te.head, o.tail), _dist(te.head, o.head)) for o in same_shot)
        k, j = te.span.slot, gone.span.slot
        matched = _matched(emb[:, j], gone.tail_idx, emb[:, k], te.head_idx, pose, j, k, match)
        if not _stands(d_any, matched, on, match):
            continue
        was, back = int(gone.tail_idx[-1]), int(te.head_idx[0])
        gap = float(t_s[te.span.start] - t_s[gone.span.end])
        face = f"face {k + 1}" if several else "the face"
        text = (f"{face} comes back at {t_s[te.span.start]:.2f} s (frame {te.span.start}) as a "
                f"different person: {gap:.2f} s after the face last seen at "
                f"{t_s[gone.span.end]:.2f} s left, in the same shot, its identity is "
                f"{d_left:.2f} from that face and at least {d_any:.2f} from every face seen in "
                f"the shot (a change is reported from {on:.2f}).")
        found.append(Finding(
            mode="identity", kind="identity_changed_on_reentry",
            first_s=float(t_s[te.span.start]), start_s=float(t_s[te.span.start]),
            end_s=float(t_s[te.span.end]),
            confidence=float(np.clip(0.6 + 1.6 * (d_any - on), 0.3, 0.99)), description=text,
            measured={"onset_frame": int(te.span.start), "distance_to_face_that_left": d_left,
                      "distance_to_nearest_face": d_any, "gap_s": gap,
                      "matched_pose_distance": None if np.isnan(matched[0]) else matched[0],
                      "matched_pairs": matched[1],
                      "left_at_s": float(t_s[gone.span.end]), "left_track_face": j + 1,
                      "reference_t_s": float(t_s[was])},
            threshold={"reentry_on": on},
            evidence=[Evidence(t_s=float(t_s[was]), label="before (the face that left)",
                               box=_box(pts, was, j)),
                      Evidence(t_s=float(t_s[back]), label="first failure (the face that "
                               "came back)", box=_box(pts, back, k))],
            track=k,
        ))
        te.changed = True
    return found


def confirm_at_matched_pose(emb: np.ndarray, usable: np.ndarray, start: int, onset: int,
                            end: int, pose: tuple[np.ndarray, np.ndarray, np.ndarray], *,
                            abrupt: bool, on: float, margin: float, max_pose_deg: float,
                            max_mouth: float, min_pairs: int) -> tuple[bool, dict]:
    """Is an alarm a change of person, or a face seen at a pose its reference never had?

    The frames from ``onset`` to ``end`` are compared with the track's frames before the onset
    at matched pose and mouth opening (:func:`matched_change`). With at least ``min_pairs``
    pairs the alarm stands when their median distance reaches ``on``, or the face's own
    spread at matched poses before the onset plus ``margin`` if that is lower; with fewer
    pairs, only an abrupt change (one step between neighbouring frames, which are at the same
    pose by themselves) stands. Returns the verdict and the numbers behind it.
    """
    idx = np.flatnonzero(usable)
    before = idx[(idx >= start) & (idx < onset)]
    after = idx[(idx >= onset) & (idx <= end)]
    yaw, pitch, mouth = pose
    med, pairs = matched_change(emb, before, after, yaw, pitch, mouth,
                                max_pose_deg=max_pose_deg, max_mouth=max_mouth)
    own, own_pairs = matched_change(emb, before, before, yaw, pitch, mouth,
                                    max_pose_deg=max_pose_deg, max_mouth=max_mouth,
                                    self_pairs=True)
    level = min(on, own + margin) if own_pairs >= min_pairs else on
    ok = med >= level if pairs >= min_pairs else abrupt
    return bool(ok), {"matched_pose_distance": None if np.isnan(med) else med,
                      "matched_pairs": pairs, "matched_threshold": level,
                      "own_matched_spread": None if np.isnan(own) else own}


def early_switch(emb: np.ndarray, usable: np.ndarray, t_s: np.ndarray, n_frames: int, *,
                 step_on: float, on: float) -> tuple[int, float, float] | None:
    """A switch among a track's first ``n_frames`` usable frames (the reference frames).

    The largest embedding step between neighbouring usable frames (at most 2.5 frame times
    apart) is a switch when it is ``step_on`` or more and the median embeddings of the frames
    before and after it are ``on`` or more apart. Returns (the frame after the step, the
    step, the distance between the two sides), or None.
    """
    idx = np.flatnonzero(usable)[:n_frames]
    if len(idx) < 2:
        return None
    frame_s = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 0.04
    steps = np.linalg.norm(emb[idx[1:]] - emb[idx[:-1]], axis=1)
    steps[np.diff(t_s[idx]) > 2.5 * frame_s] = 0.0
    pos = int(np.argmax(steps)) + 1
    if steps[pos - 1] < step_on:
        return None
    sides = _dist(np.median(emb[idx[:pos]], axis=0), np.median(emb[idx[pos:]], axis=0))
    if sides < on:
        return None
    return int(idx[pos]), float(steps[pos - 1]), sides


def early_switch_finding(k: int, at: int, prev: int, step: float, sides: float,
                         t_s: np.ndarray, pts: np.ndarray, end: int, *, several: bool,
                         threshold: dict) -> Finding:
    """``identity_switch`` among the frames a reference would be built from."""
    face = f"face {k + 1}" if several else "the face"
    text = (f"{face} becomes a different person at {t_s[at]:.2f} s (frame {at}), within its "
            f"first frames: its identity moves by {step:.2f} from frame {prev} to frame {at} "
            f"and the frames before and after differ by {sides:.2f}; the comparison restarts "
            f"from the new face.")
    return Finding(
        mode="identity", kind="identity_switch", first_s=float(t_s[at]),
        start_s=float(t_s[at]), end_s=float(t_s[end]),
        confidence=float(np.clip(0.6 + 1.6 * (sides - 0.6), 0.3, 0.99)), description=text,
        measured={"onset_frame": at, "largest_frame_step": step, "distance_after": sides,
                  "reference_t_s": float(t_s[prev]), "early": True},
        threshold=threshold,
        evidence=[Evidence(t_s=float(t_s[prev]), label="before", box=_box(pts, prev, k)),
                  Evidence(t_s=float(t_s[at]), label="first failure", box=_box(pts, at, k))],
        track=k,
    )


def local_matched_curve(emb: np.ndarray, usable: np.ndarray, t_s: np.ndarray,
                        pose: tuple[np.ndarray, np.ndarray, np.ndarray], *, min_lag_s: float,
                        max_lag_s: float, max_pose_deg: float, max_mouth: float,
                        min_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """How far each frame is from the same face shortly before, at the same pose.

    For each usable frame, the median distance to the usable frames ``min_lag_s`` to
    ``max_lag_s`` earlier whose yaw and pitch agree within ``max_pose_deg`` and mouth opening
    within ``max_mouth``; NaN with fewer than ``min_pairs`` of them. A real face stays close
    to itself over a second or two at the same pose; a face that keeps turning into other
    people does not, however its first frames looked.

    Parameters
    ----------
    emb
        (N, D) embeddings of one track. usable: (N,) bool. t_s: (N,) s.
    pose
        (N,) yaw, pitch (degrees) and mouth opening of the track.

    Returns
    -------
    (N,) median distances and (N,) int the earlier frame farthest from each (-1 where NaN).
    """
    yaw, pitch, mouth = pose
    idx = np.flatnonzero(usable)
    out, partner = np.full(len(t_s), np.nan), np.full(len(t_s), -1)
    for i in idx:
        j = idx[(t_s[idx] <= t_s[i] - min_lag_s) & (t_s[idx] >= t_s[i] - max_lag_s)]
        j = j[(np.abs(yaw[j] - yaw[i]) <= max_pose_deg) & (np.abs(pitch[j] - pitch[i])
              <= max_pose_deg) & (np.abs(mouth[j] - mouth[i]) <= max_mouth)]
        if len(j) < min_pairs:
            continue
        d = np.linalg.norm(emb[j] - emb[i], axis=1)
        out[i], partner[i] = float(np.median(d)), int(j[np.argmax(d)])
    return out, partner


def unstable_finding(k: int, span: TrackSpan, curve: np.ndarray, partner: np.ndarray,
                     t_s: np.ndarray, pts: np.ndarray, *, on: float, min_points: int,
                     several: bool) -> Finding | None:
    """``identity_unstable``: a face whose typical distance to itself shortly before, at the
    same pose, is ``on`` or more (median of the track's curve over ``min_points`` or more
    frames): it keeps changing into other people."""
    values = curve[span.start : span.end + 1]
    measured = np.isfinite(values)
    if measured.sum() < min_points:
        return None
    level = float(np.median(values[measured]))
    if level < on:
        return None
    high = span.start + np.flatnonzero(values >= on)
    first, last = int(high[0]), int(high[-1])
    worst = span.start + int(np.nanargmax(values))
    face = f"face {k + 1}" if several else "the face"
    text = (f"{face} keeps changing into a different-looking person: compared at the same head "
            f"pose and mouth opening with itself up to 2 s earlier, it is typically {level:.2f} "
            f"away (a change is reported from {on:.2f}; real footage of one person stays near "
            f"0.2-0.35), first at {t_s[first]:.2f} s (frame {first}), most at "
            f"{t_s[worst]:.2f} s (frame {worst}, {values[worst - span.start]:.2f}).")
    ev = [(int(partner[first]), "before (same pose, earlier)"), (first, "first failure"),
          (int(partner[worst]), "before (most different pair)"), (worst, "most different")]
    return Finding(
        mode="identity", kind="identity_unstable", first_s=float(t_s[first]),
        start_s=float(t_s[first]), end_s=float(t_s[last]),
        confidence=float(np.clip(0.6 + 1.6 * (level - on), 0.3, 0.99)), description=text,
        measured={"onset_frame": first, "median_local_matched_distance": level,
                  "peak_local_matched_distance": float(values[worst - span.start]),
                  "frames_compared": int(measured.sum()),
                  "reference_t_s": float(t_s[partner[first]])},
        threshold={"unstable_on": on, "unstable_min_points": min_points},
        evidence=[Evidence(t_s=float(t_s[i]), label=label, box=_box(pts, i, k))
                  for i, label in ev],
        track=k,
    )
