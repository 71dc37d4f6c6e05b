"""Face breakup, reported as a measurement: how far each face's fine structure dropped below
its own recent level, and where the face mesh dropped out while the track continued.

Not a finding (docs/identity.md, "Face breakup"): the deepest drop on the failure clips (0.82,
the sketch face dissolving into a double image in Hallo, inside its labelled window) is
shallower than on real footage of one person (0.64 for a fast head turn with motion blur,
0.77 for fast expressive moves), so any threshold that catches it raises findings on real
clips. The TPS smear in MagicDance figure 2 is soft from its first frame (0.92 at most against
itself), and the face mesh kept following every failure face (no mesh dropout).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...signals.breakup import mesh_gaps, relative_structure, sustained

if TYPE_CHECKING:
    from ...settings import IdentitySettings

CLEAR_LEVEL = 0.95  # a frame at least this sharp against its recent frames is "clear"
WHY_NOT_A_FINDING = (
    "measurement only: where a generated face dissolves into a double image (Hallo) its fine "
    "structure drops to 0.82 of its own last 2 s; real footage of one person drops further "
    "(0.64: a fast head turn with motion blur), so no threshold separates them")


def breakup_measure(t: np.ndarray, present: np.ndarray, sharp: np.ndarray | None,
                    ring: np.ndarray | None, yaw: np.ndarray, eyes: np.ndarray,
                    cuts: np.ndarray, s: IdentitySettings) -> dict:
    """``details["face_breakup"]``: per face slot, the lowest sustained relative structure
    (with its time and the ring around the face at that time) and the mesh dropouts.

    present, sharp, ring, yaw, eyes: (N, K); cuts: frames where a new shot starts.
    """
    faces = []
    n, k_slots = present.shape
    shot = np.searchsorted(np.asarray(cuts), np.arange(n), side="right")
    for k in range(k_slots):
        if not present[:, k].any():
            continue
        rel = np.full(n, np.nan)
        rel_ring = np.full(n, np.nan)
        usable = (present[:, k] & (np.abs(yaw[:, k]) <= s.gate_max_yaw_deg)
                  & (eyes[:, k] >= s.min_eye_distance_px))
        for sh in np.unique(shot[present[:, k]]):
            here = usable & (shot == sh)
            if sharp is not None:
                part = relative_structure(t, sharp[:, k], here, window_s=s.breakup_window_s,
                                          min_frames=s.breakup_min_frames)
                rel[here] = part[here]
            if ring is not None:
                part = relative_structure(t, ring[:, k], here, window_s=s.breakup_window_s,
                                          min_frames=s.breakup_min_frames)
                rel_ring[here] = part[here]
        held = sustained(rel, s.breakup_sustain_frames)
        gaps = mesh_gaps(present[:, k], t, s.track_gap_s)
        frame_s = float(np.median(np.diff(t))) if n > 1 else 0.0
        entry = {"face": k + 1, "lowest_relative_structure": None, "t_s": None,
                 "clear_t_s": None, "ring_relative_structure": None,
                 "mesh_dropouts": len(gaps),
                 "longest_mesh_dropout_s": max((float(t[b] - t[a]) + frame_s for a, b in gaps),
                                               default=0.0)}
        if np.isfinite(held).any():
            i = int(np.nanargmin(held))
            first = i - s.breakup_sustain_frames + 1
            # the frame to look at beside it: the last one before the drop at its usual level
            clear = np.flatnonzero(rel[:first] >= CLEAR_LEVEL)
            entry.update(lowest_relative_structure=float(held[i]), t_s=float(t[first]),
                         clear_t_s=float(t[clear[-1]]) if len(clear) else None,
                         ring_relative_structure=(float(rel_ring[i])
                                                  if np.isfinite(rel_ring[i]) else None))
        faces.append(entry)
    return {"reported_as": "measurement" if sharp is not None else "not measured",
            "why_not_a_finding": WHY_NOT_A_FINDING, "faces": faces}
