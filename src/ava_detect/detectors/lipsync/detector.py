"""Audio-Visual Lip Sync & Phoneme Alignment Failure: signed lag, drift, mouth/voice mismatch.

Sign convention: ``lag_ms > 0`` means the mouth trails the audio (the sound comes first, audio
early); ``lag_ms < 0`` means the mouth leads (audio late). The tolerance of the selected standard
is the interval ``[-audio_lag_limit_ms, +audio_lead_limit_ms]`` in that convention.

What the check does, in order:

1. no audio stream, or no face anywhere: ``skipped``. A silent track: no lag is measured; the
   check fails only if the mouth clearly moves over the silence, otherwise it is ``skipped``.
2. for every face slot seen on enough frames, the global lag curve (``signals.avsync``); the
   face whose peak correlation is highest is the speaker (``face_slot``). With two or more
   faces taking turns, "the speaking face" (each line's own face, ``turns.py``) is measured
   instead, and each speaker's own lag goes to ``details["speakers"]``.
3. conclusive only when the clip and the speech are long enough, the peak is not at the edge of
   the search range and its peak-to-sidelobe ratio reaches ``min_psr``.
4. windowed lags give a lag curve over time and a drift slope.
5. findings (``lip_sync_findings``): ``av_offset`` when the lag is outside tolerance by more
   than its uncertainty, ``sync_drift`` when the windowed lag drifts out of tolerance,
   ``mouth_open_in_silence`` and ``mouth_still_in_speech`` from voice and mouth activity.
6. when the words are known, ``viseme_mismatch`` for p, b, m the lips never close on
   (``visemes.viseme_check``; ``details["visemes"]`` says whether it ran, and why not).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...catalog import TOLERANCE_STANDARDS
from ...report import CheckResult
from ...settings import LipSyncSettings
from ...signals import avsync, rhythm
from ...signals.clip import FaceArrays
from ...signals.speakers import stitch_slots
from ...signals.sync import drift_fit, windowed_lags
from ..registry import register
from . import findings as F
from . import turns as turns_
from .visemes import viseme_check

if TYPE_CHECKING:
    from ...settings import Settings
    from ...signals import ClipSignals


@dataclass(frozen=True)
class Tolerance:
    """Allowed lag interval of one standard, in our sign convention (ms)."""

    key: str
    label: str
    audio_lead_limit_ms: float  # largest allowed lag_ms > 0 (audio early, mouth trails)
    audio_lag_limit_ms: float  # largest allowed -lag_ms (audio late, mouth leads)

    @property
    def low_ms(self) -> float:
        return -self.audio_lag_limit_ms

    @property
    def high_ms(self) -> float:
        return self.audio_lead_limit_ms

    def excess_ms(self, lag_ms: float) -> float:
        """How far ``lag_ms`` is outside the interval (0 inside)."""
        return max(lag_ms - self.high_ms, self.low_ms - lag_ms, 0.0)

    def limit_for(self, lag_ms: float) -> float:
        """The limit on the side of ``lag_ms``."""
        return self.high_ms if lag_ms >= 0 else self.low_ms

    def to_dict(self) -> dict:
        return {
            "standard": self.key,
            "label": self.label,
            "audio_lead_limit_ms": self.audio_lead_limit_ms,
            "audio_lag_limit_ms": self.audio_lag_limit_ms,
            "allowed_lag_ms": [self.low_ms, self.high_ms],
        }


def tolerance_of(cfg: LipSyncSettings) -> Tolerance:
    """The tolerance interval of ``cfg.tolerance_standard`` (or the custom limits)."""
    if cfg.tolerance_standard == "custom":
        return Tolerance("custom", "custom tolerance", cfg.custom_audio_lead_ms,
                         cfg.custom_audio_lag_ms)
    if cfg.tolerance_standard not in TOLERANCE_STANDARDS:
        from ...errors import ConfigError

        choices = ", ".join([*TOLERANCE_STANDARDS, "custom"])
        raise ConfigError(
            f"unknown lipsync.tolerance_standard {cfg.tolerance_standard!r}; choose {choices}."
        )
    label, lead, lag = TOLERANCE_STANDARDS[cfg.tolerance_standard]
    return Tolerance(cfg.tolerance_standard, label, lead, lag)


@register
class LipSyncDetector:
    """The lip-sync check (mode ``lipsync``)."""

    mode = "lipsync"
    needs_hands = False
    needs_faces = True
    needs_audio = True
    needs_words = True  # the clip's known words aligned to its audio (signals.speech), if any

    def analysers(self, settings: Settings) -> tuple[str, ...]:
        return ()

    def detect(self, signals: ClipSignals, settings: Settings) -> CheckResult:
        groups = []
        if signals.faces is not None:
            # One face split over two tracker slots is one speaker (signals.speakers).
            merged, groups = stitch_slots(signals.faces.points)
            signals = dataclasses.replace(signals, faces=FaceArrays(points=merged))
        result = self._sync(signals, settings, groups)
        return _with_visemes(result, signals, settings.lipsync)

    def _sync(self, signals: ClipSignals, settings: Settings, groups: list) -> CheckResult:
        cfg = settings.lipsync
        tol = tolerance_of(cfg)
        details = {"lag_ms": None, "confidence": None, "conclusive": False,
                   "tolerance": tol.to_dict(), "drift_ms_per_s": None, "face_slot": None}
        if signals.audio is None or len(signals.audio) == 0:
            why = ("the clip has no audio stream" if not signals.info.has_audio
                   else "the audio stream could not be decoded")
            return CheckResult("skipped", reason=why, details=details)
        if any(len(g) > 1 for g in groups):
            details["merged_face_slots"] = [g for g in groups if len(g) > 1]
        details["stream_span"] = F.stream_span(signals)
        slots = _face_slots(signals, cfg)
        if not slots:
            return CheckResult("skipped", reason="no face was found in the clip", details=details)
        vad_kwargs = {"on_fraction": cfg.vad_on_fraction, "off_fraction": cfg.vad_off_fraction,
                      "min_margin_db": cfg.vad_min_margin_db, "bridge_s": cfg.vad_bridge_s}
        inputs = {k: avsync.prepare(signals.t_s, signals.faces.points[:, k], signals.audio,
                                    signals.audio_sr, highpass_s=cfg.highpass_s,
                                    n_components=cfg.audio_components,
                                    motion_window_s=cfg.motion_window_s, vad_kwargs=vad_kwargs,
                                    silence_dbfs=cfg.silence_dbfs)
                  for k in slots}
        if inputs[slots[0]].vad is None:
            return _silent_track(signals, inputs, slots, cfg, details)
        # one sound track: the same voice activity for every face
        details["voice_dynamics_db"] = round(inputs[slots[0]].vad.dynamics_db, 1)
        not_judged = F.activity_not_judged(inputs[slots[0]], cfg)
        if not_judged is not None:
            details["activity_not_judged"] = not_judged

        measured = {k: avsync.measure_lag(inp, max_lag_s=cfg.max_lag_s, ridge=cfg.cca_ridge,
                                          exclusion_s=cfg.sidelobe_exclusion_s,
                                          max_lag_fraction=cfg.max_lag_fraction)
                    for k, inp in inputs.items()}
        plan = turns_.plan_turns(signals, inputs, slots, cfg)  # two or more faces taking turns
        if plan is not None:
            signals, inputs[plan.virtual] = plan.signals, plan.inputs
            measured[plan.virtual] = avsync.measure_lag(
                plan.inputs, max_lag_s=cfg.max_lag_s, ridge=cfg.cca_ridge,
                exclusion_s=cfg.sidelobe_exclusion_s, max_lag_fraction=cfg.max_lag_fraction)
            details["speakers"] = turns_.speaker_details(plan, inputs, cfg)
            slots = [plan.virtual, *slots]
        scored = [k for k in slots if measured[k][1] is not None]
        if not scored:
            slot = slots[0]
            details["face_slot"] = slot
            reason = "the face and the audio overlap too little to measure a lag"
            findings = F.activity_findings(signals, inputs[slot], slot, cfg)
            findings += F.length_findings(signals, details["stream_span"], slot, cfg)
            details["signals"] = F.plot_signals(inputs[slot], None, tol, cfg, slot)
            if plan is not None:
                turns_.relabel(plan, findings, details)
            return _result(findings, "inconclusive", reason, details)
        slot = (plan.virtual if plan is not None and plan.virtual in scored
                else max(scored, key=lambda k: measured[k][1].peak))
        inp, (_, peak) = inputs[slot], measured[slot]
        lag_ms = peak.lag_s * 1000
        uncertainty_ms = max(peak.width_s if np.isfinite(peak.width_s) else np.inf,
                             inp.step_s / 2) * 1000
        search_s = float(np.nanmax(measured[slot][0].lags_s))
        agrees = _rhythm_agrees(inp, peak, cfg, search_s, details)
        reasons = _inconclusive_reasons(inp, peak, cfg, search_s, agrees)
        windows = _windows(inp, None if reasons else peak.lag_s, cfg)
        n_win, n_measured = len(windows.lag_s), int(np.isfinite(windows.lag_s).sum())
        if not reasons and n_win >= cfg.min_windows_checked and n_measured == 0:
            # Issue 14 item 7: a lag the windows cannot reproduce anywhere (rap over a beat,
            # scene cuts between people) is no lag.
            reasons.append(f"none of the {n_win} windowed lags could be measured")
        elif not reasons and n_win >= cfg.min_windows_checked:
            agree_ms = abs(float(np.nanmedian(windows.lag_s)) - peak.lag_s) * 1000
            if agree_ms > cfg.max_window_disagreement_ms:
                reasons.append(f"the windowed lags (median of {n_measured}) differ from the "
                               f"clip's lag by {agree_ms:.0f} ms")
        if not reasons and tol.excess_ms(lag_ms) > uncertainty_ms:
            # A failure must beat chance: the same search with the audio circularly shifted
            # (signals.avsync.chance_peaks). Only run when an offset would be reported.
            nulls = avsync.chance_peaks(inp, measured[slot][0], peak, n_shifts=cfg.chance_shifts,
                                        ridge=cfg.cca_ridge)
            z = avsync.chance_z(peak, nulls)
            details["chance_z"] = round(z, 2) if np.isfinite(z) else None
            if not (z >= cfg.min_chance_z or agrees):
                reasons.append(f"the correlation peak stands only {z:.1f} standard deviations "
                               f"above the peaks of {nulls.size} circularly shifted audio tracks "
                               f"(needs {cfg.min_chance_z:g}): a lag this strong occurs by chance")
        conclusive = not reasons
        details.update(
            lag_ms=round(lag_ms, 1), confidence=round(F.psr_confidence(peak.psr), 3),
            conclusive=conclusive, face_slot=slot, psr=round(peak.psr, 2),
            uncertainty_ms=round(uncertainty_ms, 1) if np.isfinite(uncertainty_ms) else None,
            speech_fraction=round(float(inp.voiced[inp.face].mean()) if inp.face.any() else 0, 3),
            voiced_s=round(float(inp.voiced.sum() * inp.step_s), 2),
            faces=[{"slot": k, "lag_ms": round(measured[k][1].lag_s * 1000, 1),
                    "peak_z": round(measured[k][1].peak, 3), "psr": round(measured[k][1].psr, 2)}
                   for k in scored],
        )
        drift = drift_fit(windows)
        details["drift_ms_per_s"] = round(drift.slope * 1000, 2) if drift else None
        details["windows"] = [
            {"start_s": round(float(s), 3), "end_s": round(float(e), 3),
             "lag_ms": None if np.isnan(lag) else round(float(lag) * 1000, 1),
             "psr": None if np.isnan(p) else round(float(p), 2)}
            for s, e, lag, p in zip(windows.start_s, windows.end_s, windows.lag_s, windows.psr,
                                    strict=True)
        ]
        details["signals"] = F.plot_signals(inp, windows, tol, cfg, slot)

        findings = []
        if conclusive:
            findings += F.offset_findings(signals, inp, slot, lag_ms, uncertainty_ms, peak.psr,
                                          tol, cfg)
        for f in findings:
            f.measured["chance_z"] = details.get("chance_z")
        findings += F.drift_findings(signals, inp, slot, windows, drift, tol, cfg)
        activity = F.activity_findings(signals, inp, slot, cfg)
        if any(f.kind == "av_offset" for f in findings):
            activity = F.explained_by_offset(signals, inp, slot, findings, activity, lag_ms, cfg)
        findings += activity
        findings += F.length_findings(signals, details["stream_span"], slot, cfg)
        if plan is not None:
            turns_.relabel(plan, findings, details)
            if not any(f.kind == "av_offset" for f in findings):
                findings += turns_.speaker_offsets(plan, signals, details, tol, cfg)
        details["first_out_of_tolerance_s"] = next(
            (f.first_s for f in findings if f.kind in ("av_offset", "sync_drift")), None)
        if conclusive:
            return _result(findings, "pass", None, details)
        reason = "lag not measurable reliably: " + "; ".join(reasons)
        return _result(findings, "inconclusive", reason, details)


def _with_visemes(result: CheckResult, signals: ClipSignals,
                  cfg: LipSyncSettings) -> CheckResult:
    """``result`` with the viseme check's findings and ``details["visemes"]``; the mouth is
    read moved by the lag when the lag is conclusive."""
    d = result.details
    if signals.audio is None or len(signals.audio) == 0:
        d["visemes"] = {"ran": False, "reason": result.reason}
        return result
    lag_s = d["lag_ms"] / 1000 if d.get("conclusive") and d.get("lag_ms") is not None else 0.0
    findings, d["visemes"] = viseme_check(signals, d.get("face_slot"), lag_s, cfg,
                                          speakers=d.get("speakers"))
    if not findings:
        return result
    return CheckResult("fail", reason=result.reason, findings=[*result.findings, *findings],
                       details=d)


def _windows(inp: avsync.SyncInputs, centre_s: float | None, cfg: LipSyncSettings):
    """Windowed lags around ``centre_s``; without one, a first pass over the full range finds
    the windows' median lag and a second pass searches around it."""
    def run(centre):
        return windowed_lags(
            inp.lip, inp.audio_pcs, inp.speed, inp.onset, inp.t_s, inp.step_s,
            window_s=cfg.window_s, hop_s=cfg.window_hop_s, centre_lag_s=centre,
            search_s=cfg.window_search_s, max_lag_s=cfg.max_lag_s, ridge=cfg.cca_ridge,
            min_psr=cfg.window_min_psr, exclusion_s=cfg.sidelobe_exclusion_s)

    windows = run(centre_s)
    if centre_s is None:
        valid = windows.lag_s[~np.isnan(windows.lag_s)]
        if valid.size >= 3:
            windows = run(float(np.median(valid)))
    return windows


def _result(findings: list, status: str, reason: str | None, details: dict) -> CheckResult:
    if findings:
        return CheckResult("fail", reason=reason, findings=findings, details=details)
    return CheckResult(status, reason=reason, details=details)


def _face_slots(signals: ClipSignals, cfg: LipSyncSettings) -> list[int]:
    """Face slots seen on enough frames, most present first."""
    if signals.faces is None or signals.n_frames == 0:
        return []
    present = signals.faces.present  # (N, K)
    share = present.mean(axis=0)
    seconds = present.sum(axis=0) * signals.frame_duration_s
    order = [int(k) for k in np.argsort(-share, kind="stable") if share[k] > 0]
    good = [k for k in order
            if share[k] >= cfg.min_face_fraction or seconds[k] >= cfg.min_duration_s]
    return good or order[:1]


def _rhythm_agrees(inp: avsync.SyncInputs, peak, cfg: LipSyncSettings, search_s: float,
                   details: dict) -> bool:
    """On a short clip, whether the 2-7 Hz syllable rhythm peaks at the lag curve's lag
    (issue 17 item 1; ``details["rhythm_lag_ms"]`` records it)."""
    if len(inp.t_s) * inp.step_s >= cfg.short_clip_s:
        return False
    found = rhythm.rhythm_lag(inp.openness, inp.band_db, inp.step_s, search_s)
    if found is None:
        return False
    details["rhythm_lag_ms"] = round(found[0] * 1000, 1)
    return abs(found[0] - peak.lag_s) * 1000 <= cfg.rhythm_agreement_ms


def _inconclusive_reasons(inp: avsync.SyncInputs, peak, cfg: LipSyncSettings,
                          search_s: float, rhythm_agrees: bool = False) -> list[str]:
    reasons = []
    face_s = float(inp.face.sum() * inp.step_s)
    if face_s < cfg.min_duration_s:
        reasons.append(f"only {face_s:.1f} s of face (needs {cfg.min_duration_s:g} s)")
    voiced = inp.voiced & inp.face
    voiced_s = float(voiced.sum() * inp.step_s)
    share = float(voiced.sum() / max(inp.face.sum(), 1))
    if share < cfg.min_speech_fraction or voiced_s < cfg.min_speech_s:
        reasons.append(f"speech on {share:.0%} of the face's frames ({voiced_s:.1f} s)")
    if peak.at_edge:
        reasons.append(f"best lag at the edge of the +-{search_s:.2f} s search")
    if not (peak.psr >= cfg.min_psr or (rhythm_agrees and peak.psr >= cfg.short_min_psr)):
        # Printed rounded down, so a PSR just under the threshold never reads "3.5 below 3.5".
        shown = np.floor(peak.psr * 100) / 100 if np.isfinite(peak.psr) else peak.psr
        reasons.append(f"peak-to-sidelobe ratio {shown:.2f} below {cfg.min_psr:g}")
    return reasons


def _silent_track(signals: ClipSignals, inputs: dict, slots: list[int], cfg: LipSyncSettings,
                  details: dict) -> CheckResult:
    """The audio stream holds no sound: no lag; a mouth that clearly moves is still reported."""
    slot = max(slots, key=lambda k: float(np.nansum(inputs[k].motion)))
    details["face_slot"] = slot
    details["signals"] = F.plot_signals(inputs[slot], None, None, cfg, slot)
    reason = f"the audio track is silent (never above {cfg.silence_dbfs:g} dBFS): no lag measured"
    # Without sound there is no dialogue to sync to: a silent render whose face moves its mouth
    # (LivePortrait's re-animations, a prompt with no speech) is not a lip-sync failure a support
    # agent could confirm. The motion is still listed, as a measurement, not as a finding.
    moving = [f for f in F.activity_findings(signals, inputs[slot], slot, cfg)
              if f.kind == "mouth_open_in_silence"]
    details["mouth_motion_in_silent_track"] = [
        {"start_s": f.start_s, "end_s": f.end_s, "motion_peak": f.measured["motion_peak"]}
        for f in moving]
    if moving:
        total = sum(f.end_s - f.start_s for f in moving)
        reason += (f"; the mouth moves clearly in {len(moving)} stretch(es), {total:.2f} s in "
                   "all (details: mouth_motion_in_silent_track)")
    return CheckResult("skipped", reason=reason, details=details)
