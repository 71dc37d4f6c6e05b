"""Findings and plot signals of the lip-sync check (see ``detectors.lip_sync``).

Each function returns plain :class:`~ava_detect.report.Finding` objects with the measured values,
the threshold crossed and evidence frame times; evidence boxes frame the speaker's mouth.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from ...report import Evidence, Finding
from ...signals.mouth import convolve_same, mouth_box
from ...signals.segments import Segment, hysteresis_segments
from ..plots import PlotSeries

if TYPE_CHECKING:
    from ...settings import LipSyncSettings
    from ...signals import ClipSignals
    from ...signals.avsync import SyncInputs
    from ...signals.sync import DriftFit, WindowLags

MODE = "lipsync"


def psr_confidence(psr: float) -> float:
    """Map a peak-to-sidelobe ratio to 0-1: 0 at PSR 2, 0.63 at 3.5, 0.86 at 5, 0.98 at 8."""
    if not np.isfinite(psr):
        return 0.0
    return float(np.clip(1.0 - np.exp(-(psr - 2.0) / 1.5), 0.0, 1.0))


def _evidence(signals: ClipSignals, slot: int, t_s: float, label: str) -> Evidence:
    """Evidence at the frame nearest ``t_s`` (grid times are frame times up to rounding), boxed
    on the mouth."""
    idx = int(np.argmin(np.abs(signals.t_s - t_s)))
    box = None
    if signals.faces is not None:
        box = mouth_box(signals.faces.points[idx, slot])
    return Evidence(t_s=float(signals.t_s[idx]), label=label, box=box)


def _clip_end(signals: ClipSignals) -> float:
    return float(signals.t_s[-1] + signals.frame_duration_s)


def _describe_lag(lag_ms: float) -> str:
    if lag_ms >= 0:
        return f"the mouth trails the audio by {lag_ms:.0f} ms (the sound comes first)"
    return f"the mouth leads the audio by {-lag_ms:.0f} ms (the sound comes late)"


def _mouth_moves_label(lag_ms: float) -> str:
    """Where the mouth moves for a sound, worded by the lag's sign (never "-286 ms later")."""
    if lag_ms >= 0:
        return f"mouth moves for it {lag_ms:.0f} ms later"
    return f"mouth moved for it {-lag_ms:.0f} ms earlier"


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (descriptions are sentences)."""
    return text[:1].upper() + text[1:]


def _allowance(tol, lag_ms: float) -> str:
    if lag_ms >= 0:
        return f"{tol.label} allows the audio to lead by at most {tol.audio_lead_limit_ms:g} ms"
    return f"{tol.label} allows the audio to lag by at most {tol.audio_lag_limit_ms:g} ms"


def offset_findings(signals: ClipSignals, inp: SyncInputs, slot: int, lag_ms: float,
                    uncertainty_ms: float, psr: float, tol, cfg: LipSyncSettings) -> list[Finding]:
    """``av_offset`` when the global lag is outside tolerance by more than its uncertainty."""
    excess = tol.excess_ms(lag_ms)
    if not excess > uncertainty_ms:
        return []
    voiced = np.flatnonzero(inp.voiced & inp.face)
    lag_s = lag_ms / 1000
    t_first_voice = float(inp.t_s[voiced[0]]) if voiced.size else float(inp.t_s[0])
    t_last_voice = float(inp.t_s[voiced[-1]]) if voiced.size else float(inp.t_s[-1])
    # Mouth trailing: the first sound plays over a mouth that has not moved yet. Mouth leading:
    # the lips move for that sound lag_s earlier.
    first = max(float(signals.t_s[0]), t_first_voice + min(lag_s, 0.0))
    end = min(_clip_end(signals), t_last_voice + max(lag_s, 0.0))
    evidence = [_evidence(signals, slot, first, "first failure")]
    onset_t = _strongest_onset(inp, lag_s)
    if onset_t is not None:
        evidence.append(_evidence(signals, slot, onset_t, "sound starts (strongest onset)"))
        evidence.append(_evidence(signals, slot, onset_t + lag_s, _mouth_moves_label(lag_ms)))
    return [Finding(
        mode=MODE, kind="av_offset", first_s=round(first, 3), start_s=round(first, 3),
        end_s=round(end, 3), confidence=psr_confidence(psr),
        description=sentence(f"{_describe_lag(lag_ms)}, +-{uncertainty_ms:.0f} ms; "
                             f"{_allowance(tol, lag_ms)}."),
        measured={"lag_ms": round(lag_ms, 1), "uncertainty_ms": round(uncertainty_ms, 1),
                  "psr": round(psr, 2), "excess_ms": round(excess, 1), "face_slot": slot},
        threshold={**tol.to_dict(), "rule": "outside tolerance by more than the uncertainty"},
        evidence=evidence, track=slot,
    )]


def _strongest_onset(inp: SyncInputs, lag_s: float) -> float | None:
    """Grid time of the strongest voiced audio onset whose lagged mouth frame has a face."""
    shift = int(round(lag_s / inp.step_s))
    idx = np.arange(len(inp.t_s))
    ok = inp.voiced & ~np.isnan(inp.onset) & (idx + shift >= 0) & (idx + shift < len(idx))
    ok[ok] &= inp.face[idx[ok] + shift] & inp.face[idx[ok]]
    if not ok.any():
        return None
    best = idx[ok][int(np.argmax(inp.onset[ok]))]
    return float(inp.t_s[best])


def drift_findings(signals: ClipSignals, inp: SyncInputs, slot: int, windows: WindowLags,
                   drift: DriftFit | None, tol, cfg: LipSyncSettings) -> list[Finding]:
    """``sync_drift`` when the windowed lag changes steadily and leaves tolerance."""
    if drift is None:
        return []
    change_ms = drift.change_s * 1000
    if abs(change_ms) < cfg.min_drift_ms or abs(drift.slope) < 3 * drift.slope_se:
        return []
    lag_ms = windows.lag_s * 1000
    unc = np.maximum(np.nan_to_num(windows.width_s, nan=np.inf), inp.step_s / 2) * 1000
    excess = np.array([tol.excess_ms(v) if np.isfinite(v) else 0.0 for v in lag_ms])
    out = np.flatnonzero(excess > unc)
    if out.size == 0:
        return []
    w0, worst = int(out[0]), int(out[np.argmax(excess[out])])
    limit = tol.high_ms if drift.slope > 0 else tol.low_ms
    t_cross = (limit / 1000 - drift.intercept_s) / drift.slope
    first = float(np.clip(t_cross, signals.t_s[0], windows.centre_s[w0]))
    slope_ms = drift.slope * 1000
    return [Finding(
        mode=MODE, kind="sync_drift", first_s=round(first, 3), start_s=round(first, 3),
        end_s=round(_clip_end(signals), 3), confidence=float(min(1.0, abs(slope_ms) / (
            3 * drift.slope_se * 1000 + 1e-9)) * 0.9),
        description=sentence(
            f"lip sync drifts by {slope_ms:+.0f} ms per second: the lag goes from "
            f"{drift.at(windows.centre_s[0]) * 1000:+.0f} ms at {windows.centre_s[0]:.1f} s to "
            f"{drift.at(windows.centre_s[-1]) * 1000:+.0f} ms at {windows.centre_s[-1]:.1f} s "
            f"and leaves the {tol.label} tolerance at about {first:.1f} s"),
        measured={"drift_ms_per_s": round(slope_ms, 2),
                  "drift_se_ms_per_s": round(drift.slope_se * 1000, 2),
                  "change_ms": round(change_ms, 1),
                  "worst_window_lag_ms": round(float(lag_ms[worst]), 1),
                  "worst_window_centre_s": round(float(windows.centre_s[worst]), 3)},
        threshold={**tol.to_dict(), "min_drift_ms": cfg.min_drift_ms},
        evidence=[_evidence(signals, slot, first, "first failure"),
                  _evidence(signals, slot, float(windows.centre_s[worst]), "largest lag")],
        track=slot,
    )]


def _erode(mask: np.ndarray, n: int) -> np.ndarray:
    """Keep only samples at least ``n`` samples away from any False."""
    if n <= 0:
        return mask.copy()
    near_false = convolve_same((~mask).astype(float), np.ones(2 * n + 1)) > 0
    return mask & ~near_false


def activity_not_judged(inp: SyncInputs, cfg: LipSyncSettings) -> str | None:
    """Why silence and speech cannot be told apart in this sound (None: they can).

    The voice activity follows the clip's own floor; where the sound never drops far below the
    voice (music, singing over a backing track, a loud steady background), "no voice" is not
    silence and a still mouth may be singing over an instrumental.
    """
    if inp.vad is None or inp.vad.dynamics_db >= cfg.activity_min_dynamics_db:
        return None
    return (f"the sound never falls more than {inp.vad.dynamics_db:.1f} dB below the voice (music, "
            f"singing or a steady background; speech pauses fall at least "
            f"{cfg.activity_min_dynamics_db:g} dB), so silence cannot be told from it: mouth "
            "movement in silence and a still mouth in speech were not judged")


def activity_findings(signals: ClipSignals, inp: SyncInputs, slot: int,
                      cfg: LipSyncSettings) -> list[Finding]:
    """Mouth moving clearly during silence, and mouth still during sustained speech (none
    where :func:`activity_not_judged` gives a reason)."""
    if activity_not_judged(inp, cfg) is not None:
        return []
    findings = []
    guard = int(round(cfg.silence_guard_s / inp.step_s))
    silence = _erode(~inp.voiced, guard)
    score = np.where(silence, inp.motion, np.where(np.isnan(inp.motion), np.nan, 0.0))
    for seg in hysteresis_segments(score, inp.t_s, on=cfg.moving_on, off=cfg.moving_off,
                                   min_duration_s=cfg.min_moving_silence_s):
        findings.append(_moving_in_silence(signals, inp, slot, seg, cfg))

    voiced_motion = inp.motion[inp.voiced & inp.face]
    voiced_motion = voiced_motion[~np.isnan(voiced_motion)]
    if voiced_motion.size >= 5:
        typical = float(np.percentile(voiced_motion, 75))
        frozen = float(np.percentile(voiced_motion, 90)) < cfg.still_motion
        still = cfg.still_motion if frozen else min(cfg.still_motion, cfg.still_relative * typical)
        score = np.where(inp.voiced, inp.motion, 1.0)
        for seg in hysteresis_segments(score, inp.t_s, on=still, off=1.5 * still, above=False,
                                       min_duration_s=cfg.min_still_speech_s):
            findings.append(_still_in_speech(signals, inp, slot, seg, still, typical, cfg))
    return findings


def explained_by_offset(signals: ClipSignals, inp: SyncInputs, slot: int, sync: list[Finding],
                        activity: list[Finding], lag_ms: float,
                        cfg: LipSyncSettings) -> list[Finding]:
    """Fold into the ``av_offset`` finding the silence findings that its lag explains.

    The voice activity is moved by the measured lag (the mouth at ``t`` speaks the sound at
    ``t - lag``) and the activity findings are found again; a ``mouth_open_in_silence`` finding
    that no longer appears is a consequence of the offset: it is listed in the offset's
    ``measured["explained_silence_findings"]`` and its description, and dropped from the list.
    Returns the activity findings that remain.
    """
    k = int(round(lag_ms / 1000 / inp.step_s))
    moved = np.zeros_like(inp.voiced)
    src = np.arange(len(moved)) - k
    ok = (src >= 0) & (src < len(moved))
    moved[ok] = inp.voiced[src[ok]]
    again = activity_findings(signals, dataclasses.replace(inp, voiced=moved), slot, cfg)
    spans = [(f.start_s, f.end_s) for f in again if f.kind == "mouth_open_in_silence"]
    (offset,) = [f for f in sync if f.kind == "av_offset"]
    kept, explained = [], []
    for f in activity:
        overlap = any(a < f.end_s and f.start_s < b for a, b in spans)
        (kept if f.kind != "mouth_open_in_silence" or overlap else explained).append(f)
    if explained:
        offset.measured["explained_silence_findings"] = [
            {"start_s": f.start_s, "end_s": f.end_s} for f in explained]
        when = ", ".join(f"{f.start_s:.2f}-{f.end_s:.2f} s" for f in explained)
        offset.description = offset.description.rstrip(".") + (
            f". The offset also explains the mouth moving while the audio is silent at {when}"
            " (the sound for those movements is shifted away): a consequence, not a separate "
            "failure.")
    return kept


def _moving_in_silence(signals, inp, slot: int, seg: Segment, cfg) -> Finding:
    widest = seg.start + int(np.nanargmax(inp.openness[seg.start : seg.end + 1]))
    level = inp.band_db[seg.start : seg.end + 1]
    level_db = float(np.nanmax(level)) if np.isfinite(level).any() else None
    return Finding(
        mode=MODE, kind="mouth_open_in_silence", first_s=round(seg.start_s, 3),
        start_s=round(seg.start_s, 3), end_s=round(seg.end_s, 3),
        confidence=float(np.clip(seg.peak_value / (2 * cfg.moving_on), 0.5, 1.0)),
        description=sentence(f"the mouth moves clearly from {seg.start_s:.2f} s to "
                             f"{seg.end_s:.2f} s ({seg.duration_s:.2f} s) while the audio is "
                             "silent"),
        measured={"motion_peak": round(seg.peak_value, 4), "duration_s": round(seg.duration_s, 3),
                  "max_openness": round(float(inp.openness[widest]), 3),
                  "speech_band_max_dbfs": None if level_db is None else round(level_db, 1)},
        threshold={"moving_on": cfg.moving_on, "moving_off": cfg.moving_off,
                   "min_duration_s": cfg.min_moving_silence_s,
                   "silence_guard_s": cfg.silence_guard_s},
        evidence=[_evidence(signals, slot, seg.start_s, "first failure"),
                  _evidence(signals, slot, float(inp.t_s[widest]), "mouth widest open")],
        track=slot,
    )


def _still_in_speech(signals, inp, slot: int, seg: Segment, still: float, typical: float,
                     cfg) -> Finding:
    mean_open = float(np.nanmean(inp.openness[seg.start : seg.end + 1]))
    state = "closed" if mean_open < 0.05 else "open"
    loudest = seg.start + int(np.nanargmax(np.nan_to_num(inp.band_db[seg.start : seg.end + 1],
                                                         nan=-200.0)))
    return Finding(
        mode=MODE, kind="mouth_still_in_speech", first_s=round(seg.start_s, 3),
        start_s=round(seg.start_s, 3), end_s=round(seg.end_s, 3),
        confidence=float(np.clip(1.0 - seg.peak_value / (still + 1e-9), 0.5, 1.0)),
        description=sentence(f"the mouth stays still ({state}) from {seg.start_s:.2f} s to "
                     f"{seg.end_s:.2f} s ({seg.duration_s:.2f} s) while speech continues"),
        measured={"motion_min": round(seg.peak_value, 4), "duration_s": round(seg.duration_s, 3),
                  "mean_openness": round(mean_open, 3), "typical_speech_motion": round(typical, 4)},
        threshold={"still_motion": round(still, 4), "min_duration_s": cfg.min_still_speech_s},
        evidence=[_evidence(signals, slot, seg.start_s, "first failure"),
                  _evidence(signals, slot, float(inp.t_s[loudest]), "loudest speech, mouth still")],
        track=slot,
    )


def _series(label: str, unit: str, t: np.ndarray, v: np.ndarray, threshold=None,
            threshold_label=None, **extra) -> dict:
    return PlotSeries(label, unit, t, v, threshold, threshold_label, extra).to_dict()


def stream_span(signals: ClipSignals) -> dict:
    """Where the picture and the sound end on the clip timeline, and the difference (ms).

    The video ends one frame after its last frame's time; the audio after its last decoded sample
    (sample ``i`` plays at ``i / sr``). Positive ``difference_ms``: the sound runs on after the
    picture ends; negative: the picture runs on in silence.
    """
    video_end = float(signals.t_s[-1] + signals.frame_duration_s) if signals.n_frames else 0.0
    audio_end = len(signals.audio) / signals.audio_sr if signals.audio is not None else None
    diff = None if audio_end is None else round((audio_end - video_end) * 1000, 1)
    return {"video_end_s": round(video_end, 3),
            "audio_end_s": None if audio_end is None else round(audio_end, 3),
            "difference_ms": diff}


def length_findings(signals: ClipSignals, span: dict, slot: int | None,
                    cfg: LipSyncSettings) -> list[Finding]:
    """``av_length_mismatch`` when the streams end further apart than real files do."""
    diff = span["difference_ms"]
    if diff is None or not abs(diff) > cfg.max_stream_end_difference_ms:
        return []
    early_end = min(span["video_end_s"], span["audio_end_s"])
    if diff > 0:
        what = (f"the sound runs on for {diff:.0f} ms after the picture ends "
                f"({span['audio_end_s']:.2f} s against {span['video_end_s']:.2f} s)")
    else:
        what = (f"the picture runs on for {-diff:.0f} ms after the sound ends "
                f"({span['video_end_s']:.2f} s against {span['audio_end_s']:.2f} s)")
    t_last = float(signals.t_s[-1]) if signals.n_frames else 0.0
    evidence = []
    if slot is not None and signals.n_frames:
        evidence = [_evidence(signals, slot, min(early_end, t_last), "first failure"),
                    _evidence(signals, slot, t_last, "last frame")]
    return [Finding(
        mode=MODE, kind="av_length_mismatch", first_s=round(min(early_end, t_last), 3),
        start_s=round(min(early_end, t_last), 3), end_s=round(max(span["video_end_s"],
                                                                 span["audio_end_s"]), 3),
        confidence=float(np.clip(abs(diff) / (2 * cfg.max_stream_end_difference_ms), 0.5, 1.0)),
        description=sentence(f"{what}; real files differ by at most "
                             f"{cfg.max_stream_end_difference_ms:g} ms"),
        measured=dict(span), threshold={"max_difference_ms": cfg.max_stream_end_difference_ms},
        evidence=evidence, track=slot,
    )]


SYNC_KINDS = ["av_offset", "sync_drift"]
ACTIVITY_KINDS = ["mouth_open_in_silence", "mouth_still_in_speech"]


def plot_signals(inp: SyncInputs, windows: WindowLags | None, tol,
                 cfg: LipSyncSettings, slot: int | None = None) -> dict:
    """The PDF's plots, most telling first: the lag per window (offset and drift findings),
    mouth openness over the audio envelope (one shared plot), and mouth motion (activity
    findings)."""
    out = {}
    if windows is not None and tol is not None:
        lags = windows.lag_s[np.isfinite(windows.lag_s)] * 1000
        side = float(np.median(lags)) if lags.size else 0.0
        limit = tol.limit_for(side)
        out["lag"] = _series("A/V lag per window (+ = mouth trails audio)", "ms",
                             windows.centre_s, windows.lag_s * 1000, limit,
                             f"{tol.label} limit {limit:+g} ms", kinds=SYNC_KINDS, track=slot)
    out["mouth_openness"] = _series("mouth openness (inner-lip gap)", "eye distances",
                                    inp.t_s, inp.openness, group="mouth_audio", track=slot)
    if np.isfinite(inp.band_db).any():
        on = inp.vad.on_db if inp.vad is not None else None
        out["audio_envelope"] = _series("speech-band level (300-3000 Hz)", "dBFS", inp.t_s,
                                        inp.band_db, on, "voice on", group="mouth_audio")
    out["mouth_motion"] = _series("mouth motion", "eye distances", inp.t_s, inp.motion,
                                  cfg.moving_on, "moving clearly", kinds=ACTIVITY_KINDS,
                                  track=slot)
    return out
