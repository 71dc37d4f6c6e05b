"""Hand-Anatomy Topology Failure: catch the moment a tracked hand breaks.

MediaPipe always draws a plausible five-finger hand, so per-frame anatomy limits cannot tell a
broken hand from a real one. What does work is a sudden change of a hand between consecutive
frames while it is tracked steadily: the gated rules of :mod:`.hand_rules`. Finger counts and
joint angles are reported as supporting measurements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report import CheckResult, Finding
from ...report.model import Evidence
from ...signals.hands import (
    hand_box,
    hand_signals,
    sideways_bend,
    thumb_direction,
    track_hands,
)
from ..plots import MAX_PLOT_POINTS, number
from ..registry import register
from .rules import (
    Event,
    gate,
    handedness_flips,
    palm_flips,
    presence_and_vanish,
    shape_jumps,
)

if TYPE_CHECKING:
    from ...settings import HandSettings, Settings
    from ...signals import ClipSignals
    from ...signals.hands import HandSignals, HandTracks

KINDS = ("palm_flip", "handedness_flip", "shape_jump", "presence_collapse", "hand_vanished")
_MIN_TRACK_FRAMES = 3  # shorter tracks are detection noise, not hands
_CARRY_LOST_FRAMES = 3  # the presence analyser scores a lost hand's last crop this long


@register
class HandTopologyDetector:
    """The hands check (mode ``"hands"``)."""

    mode = "hands"
    needs_hands = True
    needs_faces = False
    needs_audio = False

    def analysers(self, settings: Settings) -> tuple[str, ...]:
        hs = settings.hands
        return (("hand_presence",) if hs.presence_rerun else ()) + (
            ("finger_count",) if hs.finger_count else ())

    def detect(self, signals: ClipSignals, settings: Settings) -> CheckResult:
        hs = settings.hands
        hands = signals.hands
        if hands is None or not hands.present.any():
            return CheckResult("skipped", reason="no hand was found in any frame")
        tracks = track_hands(hands)
        sig = hand_signals(tracks, signals.frame_size)
        presence = track_values(tracks, signals.measured.get("hand_presence.score"))
        fingers = track_values(tracks, signals.measured.get("finger_count.count"),
                               carry_lost=False)
        long_enough = tracks.present.sum(axis=0) >= _MIN_TRACK_FRAMES
        ok = gate(sig, presence, hs) & long_enough[None, :]
        events = (
            palm_flips(sig, ok, hs)
            + handedness_flips(tracks, ok, hs)
            + shape_jumps(sig, ok, hs)
            + presence_and_vanish(tracks, sig, presence, hs, signals.frame_size)
        )
        events = [e for e in events if long_enough[e.track]]
        findings = [
            _finding(group, tracks, sig, signals.t_s, signals.frame_duration_s)
            for group in merge_events(events, signals.t_s, hs.merge_gap_s)
        ]
        findings.sort(key=lambda f: (f.first_s, f.kind, f.track))
        details = _details(tracks, sig, presence, fingers, ok, signals, hs)
        if findings:
            return CheckResult("fail", findings=findings, details=details)
        judged = int(ok.sum())
        if judged < hs.min_gated_frames:
            return CheckResult("inconclusive", reason=_why_not_judged(tracks, sig, presence, hs),
                               details=details)
        return CheckResult("pass", details=details)


def track_values(tracks: HandTracks, per_slot: np.ndarray | None,
                 carry_lost: bool = True) -> np.ndarray:
    """(N, K) per-slot analyser output -> (N, T) per track; NaN where missing.

    With ``carry_lost`` a track's value in the three frames after it was lost is read from the
    slot it last used, unless another track holds that slot (the presence analyser scores a
    lost hand's last crop there).
    """
    n_frames, n_t = tracks.slot.shape
    out = np.full((n_frames, n_t), np.nan)
    if per_slot is None or per_slot.shape[0] != n_frames:
        return out
    used = np.zeros((n_frames, per_slot.shape[1] + 1), bool)
    rows, cols = np.nonzero(tracks.slot >= 0)
    used[rows, tracks.slot[rows, cols]] = True
    for t in range(n_t):
        last, since = -1, 0
        for n in range(n_frames):
            k = tracks.slot[n, t]
            if k >= 0:
                last, since = k, 0
            else:
                since += 1
                if not carry_lost or last < 0 or since > _CARRY_LOST_FRAMES or used[n, last]:
                    continue
                k = last
            if k < per_slot.shape[1]:
                out[n, t] = per_slot[n, k]
    return out


def merge_events(events: list[Event], t_s: np.ndarray, gap_s: float) -> list[list[Event]]:
    """Group events of the same kind and track that are closer than ``gap_s``."""
    groups: list[list[Event]] = []
    for e in sorted(events, key=lambda e: (e.kind, e.track, e.first)):
        prev = groups[-1][-1] if groups else None
        if (prev is not None and prev.kind == e.kind and prev.track == e.track
                and t_s[e.first] - t_s[prev.last] <= gap_s):
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def hand_name(tracks: HandTracks, t: int) -> str:
    """Plain name of a track ("right hand"). MediaPipe's label assumes a mirrored picture,
    so its "Left" is the person's right hand on ordinary footage."""
    return ("right" if tracks.handedness[t] < 0 else "left") + " hand"


_WHAT = {
    "palm_flip": "'s palm/back sign flips from {a} s to {b} s without passing edge-on",
    "handedness_flip": " is labelled as the other hand from {a} s to {b} s while held steady",
    "shape_jump": " changes shape at {a} s more than its motion explains (until {b} s)",
    "presence_collapse": " stops looking like a hand to the landmark model from {a} s to {b} s",
    "hand_vanished": " disappears from {a} s to {b} s while it was held steady in view",
}


def _finding(group: list[Event], tracks: HandTracks, sig: HandSignals, t_s: np.ndarray,
             frame_s: float) -> Finding:
    first = group[0]
    worst = max(group, key=lambda e: e.value)
    n0, t = first.first, first.track
    last = max(e.last for e in group)
    end_s = float(t_s[last + 1]) if last + 1 < len(t_s) else float(t_s[last] + frame_s)
    desc = hand_name(tracks, t) + _WHAT[first.kind].format(a=f"{t_s[n0]:.2f}", b=f"{end_s:.2f}")
    desc += f" (track {t}" + (f"; {len(group)} such events)" if len(group) > 1 else ")")
    measured = dict(first.measured)
    measured["events"] = len(group)
    measured["first_frame"] = int(n0)
    measured["palm_px"] = number(sig.palm_px[n0 - 1, t])
    measured["sideways_bend_deg"] = number(sideways_bend(tracks.points[n0, t].astype(float)))
    measured["thumb_direction_deg"] = number(thumb_direction(tracks.points[n0, t].astype(float)))
    if worst is not first:
        measured["worst_value"] = worst.value
        measured["worst_s"] = float(t_s[worst.first])
    return Finding(
        mode="hands",
        kind=first.kind,
        first_s=float(t_s[n0]),
        start_s=float(t_s[n0]),
        end_s=end_s,
        confidence=_confidence(first),
        description=desc,
        measured=measured,
        threshold=dict(first.threshold),
        evidence=_evidence(tracks, t, n0, t_s),
        track=t,
    )


def _evidence(tracks: HandTracks, t: int, n0: int, t_s: np.ndarray) -> list[Evidence]:
    before = tracks.points[n0 - 1, t]
    now = tracks.points[n0, t]
    box_before = hand_box(before) if not np.isnan(before[0, 0]) else None
    box_now = hand_box(now) if not np.isnan(now[0, 0]) else box_before
    return [
        Evidence(t_s=float(t_s[n0 - 1]), label="before", box=box_before),
        Evidence(t_s=float(t_s[n0]), label="first failure", box=box_now),
    ]


def _confidence(e: Event) -> float:
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
    else:  # hand_vanished: the longer it stays away, the surer
        ratio = (e.value - th["min_frames"]) / max(th["min_frames"], 1)
    return float(np.clip(0.5 + 0.5 * ratio, 0.5, 0.99))


def _why_not_judged(tracks: HandTracks, sig: HandSignals, presence: np.ndarray,
                    hs: HandSettings) -> str:
    here = tracks.present
    total = int(here.sum())
    with np.errstate(invalid="ignore"):
        small = int((here & (sig.palm_px < hs.gate_min_palm_px)).sum())
        fast = int((here & (sig.speed >= hs.gate_max_speed)).sum())
        close = int((here & (sig.other_dist <= hs.gate_min_other_dist)).sum())
        unsure = int((here & (presence < hs.gate_min_presence)).sum())
    edge = int((here & ~sig.inside).sum())
    parts = [f"{small} with a palm under {hs.gate_min_palm_px:.0f} px",
             f"{fast} moving faster than {hs.gate_max_speed} palm widths a frame",
             f"{close} touching another hand", f"{edge} cut by the frame edge",
             f"{unsure} with a landmark presence under {hs.gate_min_presence}"]
    return (f"hands were found in {total} hand-frames, but too few were large, steady and "
            f"clearly seen to judge ({'; '.join(parts)})")


def _details(tracks: HandTracks, sig: HandSignals, presence: np.ndarray, fingers: np.ndarray,
             ok: np.ndarray, signals: ClipSignals, hs: HandSettings) -> dict:
    from .details import details

    return details(tracks, sig, presence, fingers, ok, signals, hs, MAX_PLOT_POINTS)
