"""The hand check's ``details``: per-track summaries, supporting measurements, plot signals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...signals.hands import sideways_bend, thumb_direction
from ..plots import PlotSeries, number
from .rules import clear_view

if TYPE_CHECKING:
    from ...settings import HandSettings
    from ...signals import ClipSignals
    from ...signals.hands import HandSignals, HandTracks

_MIN_PLOT_FRAMES = 10  # tracks shorter than this are not plotted


def details(tracks: HandTracks, sig: HandSignals, presence: np.ndarray, fingers: np.ndarray,
            ok: np.ndarray, signals: ClipSignals, hs: HandSettings, max_points: int) -> dict:
    """Everything the report and PDF show besides findings (JSON-ready types only)."""
    from .detector import hand_name

    t_s = signals.t_s
    view = clear_view(sig, presence, hs) & tracks.present
    bend = sideways_bend(tracks.points.astype(np.float64))
    thumb = thumb_direction(tracks.points.astype(np.float64))
    per_track = []
    plots: dict[str, dict] = {}
    for t in range(tracks.n_tracks):
        here = tracks.present[:, t]
        if here.sum() == 0:
            continue
        steady = view[:, t] & (np.nan_to_num(sig.speed[:, t], nan=np.inf) < hs.gate_max_speed)
        entry = {
            "track": t,
            "hand": hand_name(tracks, t).split(" #")[0],
            "mediapipe_label": "Left" if tracks.handedness[t] < 0 else "Right",
            "frames": int(here.sum()),
            "first_s": float(t_s[np.argmax(here)]),
            "last_s": float(t_s[len(here) - 1 - np.argmax(here[::-1])]),
            "judged_frame_pairs": int(ok[:, t].sum()),
            "palm_px_median": number(np.nanmedian(sig.palm_px[here, t])),
            "raw_label_flips": int(np.sum(np.diff(tracks.label[here, t]) != 0)),
            "presence_median": number(_nanmedian(presence[here, t])),
            "sideways_bend_deg_p95": number(_nanpct(bend[steady, t], 95)),
            "sideways_bend_frames_over": int(np.sum(bend[steady, t] > hs.sideways_bend_deg)),
            "thumb_direction_deg_range": [number(_nanpct(thumb[steady, t], 2)),
                                          number(_nanpct(thumb[steady, t], 98))],
            "thumb_back_frames": int(np.sum(np.abs(thumb[steady, t]) > hs.thumb_back_deg)),
        }
        entry.update(finger_summary(fingers[:, t], steady))
        entry["finger_count_steady_changes_s"] = [
            round(float(t_s[n]), 4) for n in steady_count_changes(fingers[:, t], ok[:, t])]
        per_track.append(entry)
        if here.sum() >= _MIN_PLOT_FRAMES:
            name = hand_name(tracks, t)
            plots.update(_track_plots(t, name, t_s, sig, presence, fingers, hs, max_points))
    return {
        "hand_frames": int(tracks.present.sum()),
        "judged_frame_pairs": int(ok.sum()),
        "tracks": per_track,
        "phantom_detections": int(tracks.phantom.sum()),
        "limits": {"sideways_bend_deg": hs.sideways_bend_deg,
                   "thumb_back_deg": hs.thumb_back_deg},
        "signals": plots,
    }


def finger_summary(count: np.ndarray, steady: np.ndarray) -> dict:
    """Finger-count measurement over one track's steady frames (a measurement, not an alarm).

    ``finger_count_confidence`` is the share of steady frames whose count agrees with the
    track's most common count.
    """
    vals = count[steady & ~np.isnan(count)]
    if len(vals) == 0:
        return {"finger_count_mode": None, "finger_count_confidence": None,
                "finger_count_frames_not_5": None, "finger_count_changes": None}
    uniq, freq = np.unique(vals, return_counts=True)
    mode = float(uniq[np.argmax(freq)])
    return {
        "finger_count_mode": int(mode),
        "finger_count_confidence": round(float(freq.max() / len(vals)), 3),
        "finger_count_frames_not_5": int(np.sum(vals != 5)),
        "finger_count_changes": int(np.sum(np.diff(vals) != 0)),
    }


def steady_count_changes(count: np.ndarray, ok: np.ndarray, stable: int = 6) -> list[int]:
    """Frames where the finger count changes after ``stable`` equal, judged frames and the new
    count holds for a second frame: what a ``finger_count`` alarm would fire on. Reported,
    not alarmed: it fires on real hands too (see docs/hands.md).
    """
    out = []
    for n in range(stable, len(count) - 1):
        prev = count[n - stable: n]
        if not ok[n - stable + 1: n + 2].all() or np.isnan(prev).any():
            continue
        if np.all(prev == prev[0]) and count[n] != prev[0] and count[n + 1] == count[n]:
            out.append(n)
    return out


def _track_plots(t: int, name: str, t_s: np.ndarray, sig: HandSignals, presence: np.ndarray,
                 fingers: np.ndarray, hs: HandSettings, max_points: int) -> dict:
    def series(label, unit, values, threshold=None, threshold_label=None, **extra):
        # "track": the PDF shows a finding the plots of its own hand (findings carry the track)
        return PlotSeries(f"{label}, {name}", unit, t_s, values, threshold,
                          threshold_label, {"track": t, **extra}).to_dict(max_points)

    out = {
        f"palm_facing_t{t}": series("palm (+) / back (-) facing", "ratio", sig.facing[:, t],
                                    hs.edge_on, "edge-on band", band=True),
        f"shape_change_t{t}": series("shape change per frame", "palm sizes",
                                     sig.shape_change[:, t], hs.shape_jump, "shape jump"),
        f"speed_t{t}": series("hand speed", "palm widths/frame", sig.speed[:, t],
                              hs.gate_max_speed, "steady gate"),
    }
    if not np.all(np.isnan(presence[:, t])):
        out[f"presence_t{t}"] = series("hand presence (landmark model)", "probability",
                                       presence[:, t], hs.presence_on, "collapse")
    if not np.all(np.isnan(fingers[:, t])):
        out[f"finger_count_t{t}"] = series("fingers seen on the silhouette", "fingers",
                                           fingers[:, t])
    return out


def _nanpct(x: np.ndarray, q: float) -> float:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    return float(np.percentile(x, q)) if len(x) else np.nan


def _nanmedian(x) -> float:
    return _nanpct(x, 50)
