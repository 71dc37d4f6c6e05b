"""From confirmed events to findings: one finding per event of one hand, with all its kinds,
its wording, its confidence and the evidence frames a support agent can check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report import Finding
from ...report.model import Evidence
from ...signals.hands import hand_box, sideways_bend, thumb_direction
from ..plots import number
from .rules import Event

if TYPE_CHECKING:
    from ...signals.hands import HandSignals, HandTracks

#: Which kind names a finding when one event raised several (the first in this order that
#: is among them): the plainest to see first.
KIND_ORDER = ("hand_melt", "presence_collapse", "hand_vanished", "palm_flip", "shape_jump",
              "handedness_flip")
_BEFORE_MAX_BACK = 8  # frames searched back for a clear "before" view of the same hand
# frames after an event's last frame still searched for the most broken view: a hand often
# looks worst a frame or two after the landmarks jumped (MimicMotion hb_0: jump at frame 22,
# fused fingers at 23 and 25)
_WORST_AFTER = 3


def hand_name(tracks: HandTracks, t: int) -> str:
    """Plain name of a track ("right hand #1"). MediaPipe's label assumes a mirrored picture,
    so its "Left" is the person's right hand on ordinary footage. ``#n`` is the track number
    + 1, the same number the PDF shows ("hand #1 in the clip")."""
    return ("right" if tracks.handedness[t] < 0 else "left") + f" hand #{t + 1}"


_WHAT = {
    "palm_flip": "its palm/back sign flips without passing edge-on",
    "handedness_flip": "it is labelled as the other hand while held steady",
    "shape_jump": "it changes shape more than its motion explains",
    "presence_collapse": "it stops looking like a hand to the landmark model",
    "hand_vanished": "it disappears while it was held steady in view",
    "hand_melt": "it loses its finger structure while the arm stays in view",
}


def group_events(events: list[Event], t_s: np.ndarray, gap_s: float) -> list[list[Event]]:
    """Events of one track whose frames overlap or lie closer than ``gap_s`` form one group
    (whatever their kinds): one event of the hand, one finding."""
    groups: list[list[Event]] = []
    for e in sorted(events, key=lambda e: (e.track, e.first, e.kind)):
        prev = groups[-1] if groups else None
        if (prev is not None and prev[0].track == e.track
                and t_s[e.first] - t_s[max(x.last for x in prev)] <= gap_s):
            prev.append(e)
        else:
            groups.append([e])
    return groups


def make_finding(group: list[Event], tracks: HandTracks, sig: HandSignals, t_s: np.ndarray,
                 frame_s: float, change: np.ndarray, view: np.ndarray) -> Finding:
    """One finding from a group of events of one track.

    change: (N, T) motion-compensated change of the hand's region into frame n (from n-1),
        NaN where not measured; picks the frame where the hand is most broken.
    view: (N, T) bool, clear views of the hands; picks the "before" frame.
    """
    kinds = sorted({e.kind for e in group}, key=KIND_ORDER.index)
    main = min((e for e in group if e.kind == kinds[0]), key=lambda e: e.first)
    t = main.track
    n0 = min(e.first for e in group)
    last = max(e.last for e in group)
    end_s = float(t_s[last + 1]) if last + 1 < len(t_s) else float(t_s[last] + frame_s)
    what = _WHAT[kinds[0]]
    if len(kinds) > 1:
        what += "; " + "; ".join(_WHAT[k] for k in kinds[1:])
    desc = (f"{hand_name(tracks, t).capitalize()}: from {t_s[n0]:.2f} s to {end_s:.2f} s "
            f"{what}.")
    measured = dict(main.measured)
    measured["kinds"] = kinds
    measured["events"] = len(group)
    measured["first_frame"] = int(n0)
    measured["palm_px"] = number(sig.palm_px[max(n0 - 1, 0), t])
    pts = tracks.points[n0, t].astype(float)
    measured["sideways_bend_deg"] = number(sideways_bend(pts))
    measured["thumb_direction_deg"] = number(thumb_direction(pts))
    for e in group:
        if e is not main:
            for k, v in e.measured.items():
                measured.setdefault(f"{e.kind}.{k}", v)
    threshold = dict(main.threshold)
    for e in group:
        if e is not main:
            for k, v in e.threshold.items():
                threshold.setdefault(f"{e.kind}.{k}", v)
    worst = _most_broken(t, n0, min(last + _WORST_AFTER, len(t_s) - 1), change)
    if worst != n0:
        measured["most_broken_s"] = float(t_s[worst])
    return Finding(
        mode="hands",
        kind=kinds[0],
        first_s=float(t_s[n0]),
        start_s=float(t_s[n0]),
        end_s=end_s,
        confidence=max(confidence(e) for e in group),
        description=desc,
        measured=measured,
        threshold=threshold,
        evidence=evidence(tracks, t, n0, worst, t_s, view),
        track=t,
    )


def _most_broken(t: int, first: int, last: int, change: np.ndarray) -> int:
    """The frame of ``first``..``last`` whose picture changed most into it (ties: earliest)."""
    col = change[first: last + 1, t]
    if not np.isfinite(col).any():
        return first
    return first + int(np.nanargmax(col))


def _before_frame(t: int, n0: int, view: np.ndarray, present: np.ndarray) -> int:
    """The last clear view of the hand before ``n0`` (up to ``_BEFORE_MAX_BACK`` frames
    back), else the last frame it was seen, else ``n0 - 1``."""
    lo = max(0, n0 - _BEFORE_MAX_BACK)
    for m in range(n0 - 1, lo - 1, -1):
        if view[m, t]:
            return m
    for m in range(n0 - 1, lo - 1, -1):
        if present[m, t]:
            return m
    return max(n0 - 1, 0)


def evidence(tracks: HandTracks, t: int, n0: int, worst: int, t_s: np.ndarray,
             view: np.ndarray) -> list[Evidence]:
    """The clear frame before, the first broken frame and (if another) the most broken one,
    each boxed on this hand with this hand's own landmarks (where it was found)."""
    before = _before_frame(t, n0, view, tracks.present)
    frames = [(before, "before"), (n0, "first failure")]
    if worst != n0:
        frames.append((worst, "most broken"))
    out = []
    last_box = None
    for m, label in frames:
        pts = tracks.points[m, t]
        seen = bool(np.isfinite(pts[:, :2]).all())
        box = hand_box(pts) if seen else last_box
        last_box = box if box is not None else last_box
        out.append(Evidence(
            t_s=float(t_s[m]), label=label, box=box,
            points=np.round(pts[:, :2].astype(float), 2).tolist() if seen else None))
    return out


def confidence(e: Event) -> float:
    """0.5 at the threshold, rising with the margin past it; capped at 0.99."""
    th = e.threshold
    if e.kind == "palm_flip":
        margin = min(abs(e.measured["facing_before"]), abs(e.measured["facing_after"]))
        ratio = (margin - th["edge_on"]) / th["edge_on"]
    elif e.kind == "handedness_flip":
        ratio = (e.value - th["label_min_score"]) / (1 - th["label_min_score"] + 1e-9) + (
            e.measured["frames"] - th["min_frames"]) * 0.25
    elif e.kind == "shape_jump":
        ratio = (e.value - th["limit_here"]) / th["limit_here"]
    elif e.kind == "presence_collapse":
        ratio = (th["presence_on"] - e.value) / th["presence_on"]
    elif e.kind == "hand_melt":
        ratio = (e.value - th["min_frames"]) / max(th["min_frames"], 1)
    else:  # hand_vanished: the longer it stays away, the surer
        ratio = (e.value - th["min_frames"]) / max(th["min_frames"], 1)
    return float(np.clip(0.5 + 0.5 * ratio, 0.5, 0.99))


def melt_finding(e: Event, measured_arrays: dict[str, np.ndarray], t_s: np.ndarray,
                 frame_s: float) -> Finding:
    """The finding of a ``hand_melt`` event (an arm's end, side ``-1 - e.track``).

    Evidence: the last frame before the run where the hand model found that hand (up to
    ``_BEFORE_MAX_BACK`` frames back, else the frame before the run), the run's first frame
    and its middle frame, each boxed on the pose model's hand region (no hand landmarks: the
    hand model found none).
    """
    side = -1 - e.track
    centre = measured_arrays["hand_pose.centre"][:, side].astype(float)
    size = measured_arrays["hand_pose.size"][:, side].astype(float)
    found = measured_arrays["hand_pose.found"][:, side]
    n0, last = e.first, e.last
    before = max(n0 - 1, 0)
    for m in range(n0 - 1, max(-1, n0 - 1 - _BEFORE_MAX_BACK), -1):
        if found[m] == 1:
            before = m
            break
    middle = (n0 + last) // 2
    frames = [(before, "before"), (n0, "first failure")]
    if middle != n0:
        frames.append((middle, "most broken"))
    evidence_list = []
    for m, label in frames:
        k = m if np.isfinite(size[m]) else n0
        if np.isfinite(size[k]):
            c, half = centre[k], size[k] / 2
            box = (float(c[0] - half), float(c[1] - half), float(c[0] + half), float(c[1] + half))
        else:
            box = None
        evidence_list.append(Evidence(t_s=float(t_s[m]), label=label, box=box))
    end_s = float(t_s[last + 1]) if last + 1 < len(t_s) else float(t_s[last] + frame_s)
    who = f"the {e.measured['side']} arm's hand"
    desc = (f"{who.capitalize()}: from {t_s[n0]:.2f} s to {end_s:.2f} s {_WHAT['hand_melt']}"
            f" (the hand model finds no hand at the end of the arm in "
            f"{e.measured['frames_without_hand']} frames).")
    measured = dict(e.measured)
    measured.update({"kinds": ["hand_melt"], "events": 1, "first_frame": int(n0)})
    return Finding(mode="hands", kind="hand_melt", first_s=float(t_s[n0]),
                   start_s=float(t_s[n0]), end_s=end_s, confidence=confidence(e),
                   description=desc, measured=measured, threshold=dict(e.threshold),
                   evidence=evidence_list, track=None)
