"""The speaking face, line by line: the lip-sync check on a dialogue (issue 17 item 2).

With two or more faces whose mouths each carry some of the speech (``signals.turns``), the
check does not pick one face for the whole clip. It measures "the speaking face": a virtual
face that, at every moment, is the face whose line it is (``signals.turns.compose``). The
global lag, the windows, the chance test and the activity findings then run unchanged on it, so
a listener's still mouth during someone else's line is never "mouth still in speech". Each
speaker's own lag is measured with the audio restricted to that speaker's turns
(``details["speakers"]``). Findings are re-labelled with the real face that speaks when they
start.

A single speaker (one face, or other faces that never move with the voice, such as the still
reference face beside an AniPortrait render) leaves the check as it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...signals import avsync
from ...signals import turns as T
from ...signals.boxes import padded_box
from ...signals.clip import FaceArrays
from . import findings as F

if TYPE_CHECKING:
    from ...report import Finding
    from ...settings import LipSyncSettings
    from ...signals import ClipSignals


@dataclass
class TurnPlan:
    """A dialogue's turns.

    speakers: face slots that speak, in order of first turn. label: (T,) slot speaking at each
    grid sample (``signals.turns.NOBODY`` in silence). owner: (T,) slot whose face stands for
    the speaking face at each sample (silences take the nearest turn's face). inputs: the
    speaking face's :class:`SyncInputs`. virtual: the slot index of the speaking face's
    landmarks in ``signals`` (one past the real slots; evidence boxes follow the speaker).
    """

    speakers: list[int]
    label: np.ndarray
    owner: np.ndarray
    inputs: avsync.SyncInputs
    virtual: int
    signals: ClipSignals
    own: dict = dataclasses.field(default_factory=dict)  # slot -> (SyncInputs, LagPeak | None)


def plan_turns(signals: ClipSignals, inputs: dict[int, avsync.SyncInputs], slots: list[int],
               cfg: LipSyncSettings) -> TurnPlan | None:
    """The dialogue's turns, or None when fewer than two faces each speak ``min_speaker_s``."""
    if len(slots) < 2 or not cfg.speaker_turns:
        return None
    first = inputs[slots[0]]
    if first.vad is None or not first.voiced.any():
        return None
    motion = np.column_stack([inputs[k].motion for k in slots])
    col = T.assign_turns(first.voiced, motion, first.step_s, smooth_s=cfg.turn_smooth_s,
                         min_ratio=cfg.turn_min_ratio, min_turn_s=cfg.turn_min_s,
                         bridge_s=cfg.turn_bridge_s)
    label = np.where(col == T.NOBODY, T.NOBODY, np.asarray(slots)[np.maximum(col, 0)])
    spoken = {k: float((label == k).sum() * first.step_s) for k in slots}
    longest = {k: max([b - a for a, b in T.turn_runs(label, first.t_s, first.step_s).get(k, [])],
                      default=0.0) for k in slots}
    speakers = [k for k in slots
                if spoken[k] >= cfg.min_speaker_s and longest[k] >= cfg.min_line_s]
    if len(speakers) < 2:
        return None
    label = np.where(np.isin(label, speakers), label, T.NOBODY)
    owner = T.fill_gaps(label)
    order = {k: int(np.argmax(label == k)) for k in speakers}
    speakers.sort(key=order.get)
    index = {k: i for i, k in enumerate(speakers)}
    composite = T.compose([inputs[k] for k in speakers],
                          np.array([index[int(k)] for k in owner]))
    virtual = signals.faces.points.shape[1]
    return TurnPlan(speakers=speakers, label=label, owner=owner, inputs=composite,
                    virtual=virtual, signals=_with_speaking_face(signals, first.t_s, owner))


def _with_speaking_face(signals: ClipSignals, grid: np.ndarray, owner: np.ndarray):
    """``signals`` with one more face slot holding, at each frame, the speaking face."""
    pts = signals.faces.points
    idx = np.clip(np.searchsorted(grid, signals.t_s), 0, len(grid) - 1)
    prev = np.clip(idx - 1, 0, len(grid) - 1)
    idx = np.where(np.abs(grid[prev] - signals.t_s) < np.abs(grid[idx] - signals.t_s), prev, idx)
    who = owner[idx]
    extra = pts[np.arange(len(pts)), who][:, None]
    return dataclasses.replace(signals, faces=FaceArrays(points=np.concatenate([pts, extra],
                                                                              axis=1)))


def speaker_details(plan: TurnPlan, inputs: dict[int, avsync.SyncInputs],
                    cfg: LipSyncSettings) -> list[dict]:
    """Per speaker: face slot, median face box (pixels), turns, spoken seconds, and the lag
    measured on the speaker's own turns (``lag_ms``, ``psr``, ``conclusive``)."""
    step = plan.inputs.step_s
    runs = T.turn_runs(plan.label, plan.inputs.t_s, step)
    out = []
    for n, k in enumerate(plan.speakers):
        mask = plan.label == k
        inp = T.audio_only_in(inputs[k], mask)
        plan.own[k] = (inp, *avsync.measure_lag(inp, max_lag_s=cfg.max_lag_s, ridge=cfg.cca_ridge,
                                     exclusion_s=cfg.sidelobe_exclusion_s,
                                     max_lag_fraction=cfg.max_lag_fraction))
        peak = plan.own[k][2]
        spoken_s = float(mask.sum() * step)
        conclusive = (peak is not None and not peak.at_edge and peak.psr >= cfg.min_psr
                      and spoken_s >= cfg.min_speech_s)
        out.append({
            "face": k, "speaker": n + 1, "box": _median_box(plan.signals, k),
            "segments": [[round(a, 3), round(b, 3)] for a, b in runs.get(k, [])],
            "spoken_s": round(spoken_s, 2),
            "lag_ms": None if peak is None else round(peak.lag_s * 1000, 1),
            "psr": None if peak is None or not np.isfinite(peak.psr) else round(peak.psr, 2),
            "conclusive": bool(conclusive),
        })
    return out


def _median_box(signals: ClipSignals, slot: int) -> list[int] | None:
    pts = signals.faces.points[:, slot]
    ok = ~np.isnan(pts[:, 0, 0])
    if not ok.any():
        return None
    box = padded_box(np.nanmedian(pts[ok, :, :2], axis=0), (0.0, 0.0, 0.0, 0.0))
    return [int(round(v)) for v in box]


def speaker_offsets(plan: TurnPlan, signals: ClipSignals, details: dict, tol,
                    cfg: LipSyncSettings) -> list[Finding]:
    """``av_offset`` for each speaker whose own lag is conclusive, beats chance and is out of
    tolerance by more than its uncertainty (one dubbed voice out of sync in a dialogue whose
    speaking face as a whole reads in sync or inconclusive)."""
    out = []
    for entry in details["speakers"]:
        k = entry["face"]
        inp, curve, peak = plan.own[k]
        if not entry["conclusive"]:
            continue
        lag_ms = peak.lag_s * 1000
        unc_ms = max(peak.width_s if np.isfinite(peak.width_s) else np.inf, inp.step_s / 2) * 1000
        if not tol.excess_ms(lag_ms) > unc_ms:
            continue
        nulls = T.chance_peaks_in_turns(inp, plan.label == k, curve, n_shifts=cfg.chance_shifts,
                                        ridge=cfg.cca_ridge)
        z = avsync.chance_z(peak, nulls)
        entry["chance_z"] = round(z, 2) if np.isfinite(z) else None
        if not z >= cfg.min_chance_z:
            continue
        for f in F.offset_findings(signals, inp, k, lag_ms, unc_ms, peak.psr, tol, cfg):
            f.measured.update(chance_z=entry["chance_z"], speaker=entry["speaker"])
            for ev in f.evidence:
                ev.label += f" - speaker {entry['speaker']} (face #{k + 1})"
            f.description = f.description.rstrip(".") + (
                f" (speaker {entry['speaker']}, face #{k + 1}, on its own lines).")
            out.append(f)
    return out


def speaker_at(plan: TurnPlan, t_s: float) -> int:
    """The face slot speaking at ``t_s`` (the nearest turn's face in silence)."""
    i = int(np.argmin(np.abs(plan.inputs.t_s - t_s)))
    return int(plan.owner[i])


def relabel(plan: TurnPlan, findings: list[Finding], details: dict) -> None:
    """Name real faces instead of the speaking face's virtual slot, in place; a drift of the
    speaking face's windowed lag is dropped (windows that straddle two speakers mix their
    lags; each speaker's own lag is in ``details["speakers"]``)."""
    drift = [f for f in findings if f.kind == "sync_drift"]
    if drift:
        details["speaking_face_drift_dropped"] = [
            {"first_s": f.first_s, "drift_ms_per_s": f.measured.get("drift_ms_per_s")}
            for f in drift]
        for f in drift:
            findings.remove(f)
    for f in findings:
        if f.track == plan.virtual:
            f.track = speaker_at(plan, f.first_s)
            who = plan.speakers.index(f.track) + 1
            f.measured["speaker"] = who
            if "face_slot" in f.measured:
                f.measured["face_slot"] = f.track
            f.description = f.description.rstrip(".") + f" (speaker {who}, face #{f.track + 1})."
            for ev in f.evidence:  # the box frames the mouth of the face speaking at that time
                k = speaker_at(plan, ev.t_s)
                ev.label += f" - speaker {plan.speakers.index(k) + 1} (face #{k + 1})"
    if details.get("face_slot") == plan.virtual:
        spoken = {s["face"]: s["spoken_s"] for s in details["speakers"]}
        details["face_slot"] = max(plan.speakers, key=spoken.get)
    if "faces" in details:
        details["faces"] = [f for f in details["faces"] if f["slot"] != plan.virtual]
    for series in (details.get("signals") or {}).values():
        if series.get("track") == plan.virtual:
            series["track"] = None
