"""Hand-Anatomy Topology Failure: catch the moment a tracked hand breaks.

MediaPipe always draws a plausible five-finger hand, so per-frame anatomy limits cannot tell a
broken hand from a real one. What does work is a sudden change of a hand between consecutive
frames while it is tracked steadily: the gated rules of :mod:`.hand_rules`. Finger counts and
joint angles are reported as supporting measurements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report import CheckResult
from ...signals.hands import hand_signals, track_hands
from ..plots import MAX_PLOT_POINTS, number
from ..registry import register
from .findings import group_events, hand_name, make_finding, melt_finding
from .melt import hand_melts, hands_clasped
from .rules import (
    Event,
    clear_view,
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

KINDS = ("palm_flip", "handedness_flip", "shape_jump", "presence_collapse", "hand_vanished",
         "hand_melt")
__all__ = ["KINDS", "HandTopologyDetector", "hand_name", "track_values"]
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
            ("finger_count",) if hs.finger_count else ()) + ("hand_change",) + (
            ("hand_pose",) if hs.pose_arms else ())

    def detect(self, signals: ClipSignals, settings: Settings) -> CheckResult:
        hs = settings.hands
        hands = signals.hands
        melts = hand_melts(signals.measured, signals.t_s, signals.frame_size, hs)
        melt_findings = [melt_finding(e, signals.measured, signals.t_s,
                                      signals.frame_duration_s) for e in melts]
        if hands is None or not hands.present.any():
            if melt_findings:
                return CheckResult("fail", findings=melt_findings)
            return CheckResult("skipped", reason="no hand was found in any frame")
        tracks = track_hands(hands)
        sig = hand_signals(tracks, signals.frame_size)
        presence = track_values(tracks, signals.measured.get("hand_presence.score"))
        fingers = track_values(tracks, signals.measured.get("finger_count.count"),
                               carry_lost=False)
        change = change_into(tracks, signals.measured.get("hand_change.next"))
        long_enough = tracks.present.sum(axis=0) >= _MIN_TRACK_FRAMES
        ok = gate(sig, presence, hs) & long_enough[None, :]
        events = (
            palm_flips(sig, ok, hs)
            + handedness_flips(tracks, ok, hs)
            + shape_jumps(sig, ok, hs)
            + presence_and_vanish(tracks, sig, presence, hs, signals.frame_size)
        )
        events = [e for e in events if long_enough[e.track]]
        # clasped: the pose model sees both hands together where the hand model found at most
        # one hand in the frame before (two tracked hands are kept apart by the gate's own
        # distance rule; a hand that vanishes leaves one hand in the frame itself)
        count = tracks.present.sum(axis=1)
        clasped = hands_clasped(signals.measured, signals.n_frames, hs)
        clasped &= np.concatenate([count[:1], count[:-1]]) <= 1
        confirmed, unconfirmed = confirm_by_pixels(events, change, hs, clasped)
        view = clear_view(sig, presence, hs) & tracks.present
        groups = group_events(confirmed, signals.t_s, hs.merge_gap_s)
        # A shape jump on its own (no flip, label change or presence drop with it) stays a
        # measurement unless shape_jump_alone: on real and plausible generated hands the
        # landmark model re-poses hands holding objects or swinging past the face while the
        # picture really changes (see docs/hands.md).
        alone = [g for g in groups if {e.kind for e in g} == {"shape_jump"}]
        if not hs.shape_jump_alone:
            groups = [g for g in groups if g not in alone]
        findings = [
            make_finding(group, tracks, sig, signals.t_s, signals.frame_duration_s, change, view)
            for group in groups
        ]
        findings += melt_findings
        findings.sort(key=lambda f: (f.first_s, f.kind, -1 if f.track is None else f.track))
        details = _details(tracks, sig, presence, fingers, ok, signals, hs)
        details["pixel_change_into"] = _per_track_change(change, tracks)
        details["unconfirmed_events"] = [_event_note(e, signals.t_s, change) for e in unconfirmed]
        if not hs.shape_jump_alone:
            details["shape_jumps_alone"] = [_event_note(g[0], signals.t_s, change)
                                            for g in alone]
        if findings:
            return CheckResult("fail", findings=findings, details=details)
        judged = int(ok.sum())
        if judged >= hs.min_gated_frames:
            return CheckResult("pass", details=details)
        barely = barely_present(tracks, sig, long_enough, signals.t_s, hs)
        if barely:
            return CheckResult("skipped", reason=barely, details=details)
        return CheckResult("inconclusive", reason=_why_not_judged(tracks, sig, presence, hs),
                           details=details)


def change_into(tracks: HandTracks, next_per_slot: np.ndarray | None) -> np.ndarray:
    """(N, T) motion-compensated change of each track's hand region from frame n-1 into n
    (``hand_change.next`` of the slot the track held at n-1); NaN where not measured."""
    out = np.full(tracks.slot.shape, np.nan)
    if next_per_slot is None or next_per_slot.shape[0] != tracks.slot.shape[0]:
        return out
    per_track = track_values(tracks, next_per_slot, carry_lost=False)
    out[1:] = per_track[:-1]
    return out


def confirm_by_pixels(events: list[Event], change: np.ndarray, hs: HandSettings,
                      clasped: np.ndarray | None = None) -> tuple[list[Event], list[Event]]:
    """Split events into those the picture confirms and those it does not.

    An event at frame n counts only when the hand's region changed by at least
    ``pixel_change_min`` from n-1 into n after compensating its motion: when the landmarks
    jump, flip or lose a hand but the picture hardly changed, it is landmark jitter. An
    unmeasured change (NaN) does not confirm. The change is added to the event's measurements.
    Events at frames where ``clasped`` (N,) is true (the pose model sees both hands together:
    interlocked real fingers shift and defeat the hand model) are not judged either.
    """
    yes, no = [], []
    for e in events:
        value = change[e.first, e.track]
        e.measured["pixel_change"] = None if np.isnan(value) else round(float(value), 4)
        e.threshold["pixel_change_min"] = hs.pixel_change_min
        together = clasped is not None and bool(clasped[max(e.first - 1, 0): e.first + 1].any())
        e.measured["hands_clasped"] = together
        (yes if value >= hs.pixel_change_min and not together else no).append(e)
    return yes, no


def barely_present(tracks: HandTracks, sig: HandSignals, long_enough: np.ndarray,
                   t_s: np.ndarray, hs: HandSettings) -> str | None:
    """The reason to skip the check when hands are barely part of the clip, else None.

    Hands are barely present when the frames showing a hand (on a track of at least
    ``_MIN_TRACK_FRAMES`` frames) with a palm of at least ``gate_min_palm_px`` cover less than
    ``subject_min_s`` seconds: a stray hand in a talking head is no subject to judge, and
    ``inconclusive`` stays for hands that are a real part of the clip but could not be judged.
    """
    here = tracks.present & long_enough[None, :]
    seen = int(np.any(tracks.present, axis=1).sum())
    with np.errstate(invalid="ignore"):
        large = here & (sig.palm_px >= hs.gate_min_palm_px)
    frames_large = int(np.any(large, axis=1).sum())
    frame_s = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 0.04
    if frames_large * frame_s >= hs.subject_min_s:
        return None
    size = "none" if frames_large == 0 else f"only {frames_large}"
    return (f"hands seen in {seen} frame{'s' if seen != 1 else ''}, {size} large enough to "
            f"judge (a palm of {hs.gate_min_palm_px:.0f} px for {hs.subject_min_s} s)")


def _per_track_change(change: np.ndarray, tracks: HandTracks) -> list[dict]:
    out = []
    for t in range(tracks.n_tracks):
        col = change[:, t]
        if np.isfinite(col).any():
            out.append({"track": t, "median": number(np.nanmedian(col)),
                        "p95": number(np.nanpercentile(col, 95))})
    return out


def _event_note(e: Event, t_s: np.ndarray, change: np.ndarray) -> dict:
    """A landmark event the picture did not confirm (kept as a measurement)."""
    value = change[e.first, e.track]
    return {"kind": e.kind, "track": e.track, "t_s": round(float(t_s[e.first]), 4),
            "pixel_change": None if np.isnan(value) else round(float(value), 4),
            "hands_clasped": bool(e.measured.get("hands_clasped", False))}


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
