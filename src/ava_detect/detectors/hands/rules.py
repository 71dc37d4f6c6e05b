"""The gated transition rules of the hand check: pure numpy over one clip's hand signals.

Each rule looks at consecutive frames of ONE track and fires only where the hand is judged
"steady and clearly seen" (the gate); see :func:`gate`. A rule returns :class:`Event` objects:
the first broken frame, the last frame of the episode, and the numbers that triggered it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...settings import HandSettings
from ...signals.hands import HandSignals, HandTracks


@dataclass
class Event:
    """One rule firing on one track: frames ``first``..``last`` (inclusive)."""

    kind: str
    track: int
    first: int
    last: int
    value: float  # the measured value that crossed the threshold
    measured: dict = field(default_factory=dict)
    threshold: dict = field(default_factory=dict)


def clear_view(sig: HandSignals, presence: np.ndarray, hs: HandSettings,
               judged: bool = False) -> np.ndarray:
    """(N, T) bool: the hand is present, big enough, apart from other hands, inside the frame
    and (where measured) confidently seen by the landmark model.

    With ``judged`` the looser limits for the judged frame itself apply (presence
    ``gate_min_presence_after``, distance ``gate_min_other_dist_after``): a breaking hand
    looks less like a hand, and its palm centre may move towards the other hand.
    """
    floor = hs.gate_min_presence_after if judged else hs.gate_min_presence
    apart = hs.gate_min_other_dist_after if judged else hs.gate_min_other_dist
    pres_ok = np.isnan(presence) | (presence >= floor)
    with np.errstate(invalid="ignore"):
        return (
            (sig.palm_px >= hs.gate_min_palm_px)
            & (sig.other_dist > apart)
            & sig.inside
            & pres_ok
        )


def gate(sig: HandSignals, presence: np.ndarray, hs: HandSettings) -> np.ndarray:
    """(N, T) bool: frame pair (n-1, n) may be judged: a clear view at n-1 and (with the
    looser limits of a judged frame) at n, and the hand moved less than ``gate_max_speed``
    palm widths a frame from n-2 to n-1 and from n-1 to n. Rows 0 and 1 are False."""
    view = clear_view(sig, presence, hs)
    after = clear_view(sig, presence, hs, judged=True)
    out = np.zeros_like(view)
    with np.errstate(invalid="ignore"):
        out[1:] = after[1:] & view[:-1] & (sig.speed[1:] < hs.gate_max_speed)
    # The hand must have arrived at n-1 slowly too (which needs it seen at n-2): the first
    # frame of a (re)found hand comes from the palm detector's coarse crop, and on a hand in
    # fast motion the smaller of the two centre speeds can be small by coincidence.
    out[1] = False
    with np.errstate(invalid="ignore"):
        out[2:] &= sig.speed[1:-1] < hs.gate_max_speed
    return out


def palm_flips(sig: HandSignals, ok: np.ndarray, hs: HandSettings) -> list[Event]:
    """The palm/back sign jumps from one side to the other without an edge-on frame between.

    Fires at n when the pair is gated, ``|facing|`` exceeds ``edge_on`` in both frames with
    opposite signs, the old side was held for ``flip_min_frames`` frames before n and the new
    side holds as long (or until the hand is lost). Real turns of the hand pass through
    edge-on, so their sign changes never fire.
    """
    events = []
    f = sig.facing
    for t in range(f.shape[1]):
        col = f[:, t]
        for n in np.nonzero(ok[:, t])[0]:
            a, b = col[n - 1], col[n]
            if not (abs(a) > hs.edge_on and abs(b) > hs.edge_on and np.sign(a) != np.sign(b)):
                continue
            with np.errstate(invalid="ignore"):
                same_side = np.sign(b) * col > hs.edge_on
            last = _hold(same_side, ~np.isnan(col), int(n), hs.flip_min_frames)
            with np.errstate(invalid="ignore"):
                old_side = np.sign(a) * col > hs.edge_on
            # the side it leaves must have been held as long (a one-frame glitch flips twice)
            held = n - hs.flip_min_frames >= 0 and old_side[n - hs.flip_min_frames: n].all()
            if last is None or not held:
                continue
            # the episode is the flip itself: a flip back soon after joins it when merged
            last = min(last, int(n) + hs.flip_min_frames - 1)
            events.append(Event(
                "palm_flip", t, int(n), last, float(abs(b - a)),
                measured={"facing_before": float(a), "facing_after": float(b),
                          "jump": float(abs(b - a)), "speed_palm_widths": float(sig.speed[n, t])},
                threshold={"edge_on": hs.edge_on, "min_frames": hs.flip_min_frames},
            ))
    return events


def handedness_flips(
    tracks: HandTracks, ok: np.ndarray, hs: HandSettings
) -> list[Event]:
    """MediaPipe's label leaves the track's majority handedness on a steady hand.

    Fires at n when the pair is gated, frame n-1 carries the majority label and frame n the
    other one with confidence >= ``label_min_score``, held for ``label_min_frames`` frames.
    """
    events = []
    for t in range(tracks.n_tracks):
        major = tracks.handedness[t]
        lab, score = tracks.label[:, t], tracks.label_score[:, t]
        for n in np.nonzero(ok[:, t])[0]:
            if not (lab[n - 1] == major and lab[n] == -major and score[n] >= hs.label_min_score):
                continue
            last = _hold(lab == -major, ~np.isnan(lab), int(n), hs.label_min_frames,
                         allow_lost=False)
            if last is None:
                continue
            events.append(Event(
                "handedness_flip", t, int(n), last, float(score[n]),
                measured={"label_before": _label(lab[n - 1]), "label_after": _label(lab[n]),
                          "label_score": float(score[n]), "track_label": _label(major),
                          "frames": last - int(n) + 1},
                threshold={"label_min_score": hs.label_min_score,
                           "min_frames": hs.label_min_frames},
            ))
    return events


def shape_jumps(sig: HandSignals, ok: np.ndarray, hs: HandSettings) -> list[Event]:
    """The hand's articulation changes more between two frames than real motion explains.

    ``shape_change`` (palm-frame landmarks, palm sizes) must exceed ``shape_jump`` and also
    ``shape_jump_per_speed`` times the hand's speed (a moving hand blurs and re-poses more).
    """
    events = []
    with np.errstate(invalid="ignore"):
        limit = np.fmax(hs.shape_jump, hs.shape_jump_per_speed * sig.speed)
        hit = ok & (sig.shape_change > limit)
    for n, t in zip(*np.nonzero(hit), strict=True):
        events.append(Event(
            "shape_jump", int(t), int(n), int(n), float(sig.shape_change[n, t]),
            measured={"shape_change_palm_sizes": float(sig.shape_change[n, t]),
                      "speed_palm_widths": float(sig.speed[n, t])},
            threshold={"shape_jump": hs.shape_jump,
                       "shape_jump_per_speed": hs.shape_jump_per_speed,
                       "limit_here": float(limit[n, t])},
        ))
    return events


def presence_and_vanish(
    tracks: HandTracks, sig: HandSignals, presence: np.ndarray, hs: HandSettings,
    frame_size: tuple[int, int],
) -> list[Event]:
    """A steady, clearly seen hand stops looking like a hand, or is gone.

    Starts at n when frame n-1 was a clear view (presence >= ``gate_min_presence`` where
    measured) reached at less than ``vanish_max_speed``, at least ``vanish_edge_margin`` palm
    widths plus ``vanish_edge_frames`` frames of its approach to the edge
    (:func:`edge_approach`) from the frame edge (else it may just be leaving the picture), and
    then either

    - the landmark model's presence score on the tracker's crop falls to ``presence_on`` or
      below (``presence_collapse``; the tracker drops hands under 0.5, so the hand may be
      gone too), lasting until presence is back above ``presence_off`` or the hand is back, or
    - the hand is gone for at least ``vanish_min_frames`` frames while its presence was not
      measured or above ``presence_half_seen`` (``hand_vanished``); a presence between the two
      thresholds (a half-seen hand) is neither.

    A hand the tracker lost must come back about where it was (moving less than
    ``vanish_max_speed`` on average over the gap): one that reappears far away, or never, may
    simply have moved fast, and motion blur hides fast hands from the tracker on real footage.
    """
    events = []
    view = clear_view(sig, presence, hs)
    n_frames = tracks.present.shape[0]
    room = edge_distance(tracks, sig.palm_px, frame_size)
    approach = edge_approach(room, sig.speed)
    for t in range(tracks.n_tracks):
        here, p = tracks.present[:, t], presence[:, t]
        n = 1
        while n < n_frames:
            before_ok = (
                here[n - 1] and view[n - 1, t] and sig.speed[n - 1, t] < hs.vanish_max_speed
                and room[n - 1, t] >= hs.vanish_edge_margin
                + hs.vanish_edge_frames * approach[n - 1, t]
            )
            if not before_ok:
                n += 1
                continue
            event = None
            lost_for = 0
            while n + lost_for < n_frames and not here[n + lost_for]:
                lost_for += 1
            if lost_for and not _stayed(tracks, sig, t, n - 1, n + lost_for, hs):
                n += 1  # moved away while unseen (or never came back): blur explains it
                continue
            measured = {"speed_before_palm_widths": float(sig.speed[n - 1, t]),
                        "palm_px_before": float(sig.palm_px[n - 1, t]),
                        "presence_before": _value(p[n - 1]), "frames_missing": lost_for}
            if p[n] <= hs.presence_on:
                last = n
                while last + 1 < n_frames and p[last + 1] <= hs.presence_off:
                    last += 1
                lowest = float(np.nanmin(p[n: last + 1]))
                measured.update({"presence": float(p[n]), "presence_lowest": lowest,
                                 "tracker_lost_hand": bool(lost_for > 0)})
                event = Event("presence_collapse", t, n, max(last, n + lost_for - 1), lowest,
                              measured=measured,
                              threshold={"presence_on": hs.presence_on,
                                         "presence_off": hs.presence_off,
                                         "presence_before_min": hs.gate_min_presence})
            elif p[n] <= hs.presence_half_seen:
                pass  # half seen: a soft hand in motion reads here on real footage
            elif lost_for >= hs.vanish_min_frames and n + hs.vanish_min_frames <= n_frames:
                measured["presence_at_loss"] = _value(p[n])
                event = Event("hand_vanished", t, n, n + lost_for - 1, float(lost_for),
                              measured=measured,
                              threshold={"min_frames": hs.vanish_min_frames,
                                         "vanish_max_speed": hs.vanish_max_speed})
            if event is None:
                n += 1
                continue
            events.append(event)
            n = event.last + 2
    return events


def _stayed(tracks: HandTracks, sig: HandSignals, t: int, seen: int, back: int,
            hs: HandSettings, look: int = 3) -> bool:
    """The hand lost after frame ``seen`` came back about where it was: in one of the first
    ``look`` frames from ``back`` it is less than ``vanish_max_speed`` palm widths a frame (on
    average since ``seen``) from its last position. Looking at a few frames tolerates a
    spurious detection joining the track first."""
    n_frames = tracks.present.shape[0]
    p0 = tracks.points[seen, t].astype(np.float64)
    box0 = (p0[:, :2].min(axis=0) + p0[:, :2].max(axis=0)) / 2
    for m in range(back, min(back + look, n_frames)):
        if not tracks.present[m, t]:
            continue
        p = tracks.points[m, t].astype(np.float64)
        box = (p[:, :2].min(axis=0) + p[:, :2].max(axis=0)) / 2
        moved = min(np.linalg.norm(box - box0),
                    np.linalg.norm(sig.centre[m, t] - sig.centre[seen, t]))
        if moved / sig.palm_px[seen, t] / (m - seen) < hs.vanish_max_speed:
            return True
    return False


def edge_approach(room: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """(N, T) how fast the hand nears the frame edge, palm widths a frame: the drop of
    :func:`edge_distance` since the previous frame (0 when it moves away from the edge or along
    it); the hand's speed where the previous frame is unknown."""
    out = speed.astype(np.float64).copy()
    with np.errstate(invalid="ignore"):
        drop = np.fmax(room[:-1] - room[1:], 0.0)
    known = np.isfinite(room[:-1]) & np.isfinite(room[1:])
    out[1:][known] = drop[known]
    return out


def edge_distance(tracks: HandTracks, palm_px: np.ndarray, frame_size: tuple[int, int]
                  ) -> np.ndarray:
    """(N, T) distance from the hand's landmarks to the nearest frame edge, palm widths."""
    w, h = frame_size
    p = tracks.points
    with np.errstate(invalid="ignore"), np.errstate(all="ignore"):
        room = np.minimum.reduce([
            np.nanmin(p[..., 0], axis=-1, initial=np.inf),
            np.nanmin(p[..., 1], axis=-1, initial=np.inf),
            w - np.nanmax(p[..., 0], axis=-1, initial=-np.inf),
            h - np.nanmax(p[..., 1], axis=-1, initial=-np.inf),
        ])
        return room / palm_px


def _hold(holds: np.ndarray, known: np.ndarray, n: int, min_frames: int,
          allow_lost: bool = True) -> int | None:
    """Last frame of the run from n where ``holds`` is true, or None when the run is shorter
    than ``min_frames``. An unknown frame (hand lost) ends the run; with ``allow_lost`` a run
    ended that way (or by the clip's end) counts as holding."""
    last = n
    while last + 1 < len(holds) and known[last + 1] and holds[last + 1]:
        last += 1
    if last - n + 1 >= min_frames:
        return last
    lost = last + 1 >= len(holds) or not known[last + 1]
    return last if (allow_lost and lost) else None


def _label(value: float) -> str:
    return "Right" if value > 0 else "Left"


def _value(x: float) -> float | None:
    """A measured value as a float (not rounded: the detector rounds what it reports)."""
    return None if np.isnan(x) else float(x)
