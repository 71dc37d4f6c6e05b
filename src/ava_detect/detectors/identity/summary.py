"""The identity check's per-clip summary: stability score, tracks, events, plots."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..plots import PlotSeries

if TYPE_CHECKING:
    from ...settings import IdentitySettings

STABILITY_FLOOR = 0.25  # a track whose 95th-percentile distance stays below this scores 1.0
STEP_FLOOR = 0.46  # largest frame-to-frame step measured on real footage of one person


def stability(q95: float, step: float, s: IdentitySettings) -> float:
    """Graded identity stability of one track, 1.0 steady to 0.0 another person.

    The lower of two scores: the 95th-percentile smoothed distance (1.0 up to
    ``STABILITY_FLOOR``, 0.0 at the alarm threshold) and the largest frame-to-frame step
    (1.0 up to ``STEP_FLOOR``, the most real footage showed, 0.0 at ``switch_step``).
    """
    level = 1 - (q95 - STABILITY_FLOOR) / (s.abs_on - STABILITY_FLOOR)
    flicker = 1.0 if np.isnan(step) else 1 - (step - STEP_FLOOR) / (s.switch_step - STEP_FLOOR)
    return float(np.clip(min(level, flicker), 0, 1))


def range_of(values: np.ndarray) -> list[float] | None:
    v = values[np.isfinite(values)]
    return [float(v.min()), float(v.max())] if len(v) else None


def plot(t: np.ndarray, values: np.ndarray, label: str, threshold: float) -> dict:
    return PlotSeries(label, "dlib descriptor distance", t, values, float(threshold),
                      "alarm").to_dict()


def dissolve_event(t: np.ndarray, before: int, after: int, share: float,
                    residual: float) -> dict:
    return {"t_s": float(t[after]), "kind": "new_shot", "changed_share": share,
            "blend_residual": residual,
            "description": f"new shot: a cross-dissolve that ends at {t[after]:.2f} s (the whole "
                           f"picture blends into another, {share:.0%} of it changes, not just "
                           "the face); face references restart, so this is an edit, not "
                           "identity drift"}


def details(tracks: list[dict], cuts: np.ndarray, t: np.ndarray, hist: np.ndarray,
             plots: dict, emb: np.ndarray, dissolves: list[dict]) -> dict:
    scores = [tr["stability_score"] for tr in tracks if tr["stability_score"] is not None]
    matched = [tr["matched_pose_distance"] for tr in tracks
               if np.isfinite(tr.get("matched_pose_distance", np.nan))]
    embedded = ~np.isnan(emb[..., 0])
    events = [{"t_s": float(t[c]), "kind": "new_shot", "histogram_change": float(hist[c]),
               "description": f"new shot at {t[c]:.2f} s (the whole picture changes); face "
                              "references restart, so this is an edit, not identity drift"}
              for c in cuts]
    events = sorted(events + dissolves, key=lambda e: e["t_s"])
    return {
        "stability_score": min(scores) if scores else None,
        "matched_pose_distance": max(matched) if matched else None,
        "tracks": tracks,
        "events": events,
        "shot_starts_s": sorted([float(t[c]) for c in cuts] + [e["t_s"] for e in dissolves]),
        "embedded_fraction": float(embedded.any(axis=1).mean()) if len(embedded) else 0.0,
        "signals": plots,
    }


def why_unmeasured(tracks: list[dict], s: IdentitySettings) -> str:
    eyes = [tr["eye_distance_px"] for tr in tracks]
    if eyes and max(eyes) < s.min_eye_distance_px:
        return (f"faces too small: {max(eyes):.0f} px between the eyes, identity needs at least "
                f"{s.min_eye_distance_px:.0f} px")
    return (f"no face was seen near-frontal (|yaw| <= {s.reference_max_yaw_deg:.0f} deg) and "
            "large enough to build an identity reference")
