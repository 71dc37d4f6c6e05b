"""Everything the lip-sync check measures for one face, on one uniform time grid.

:func:`prepare` turns a face slot's landmarks and the clip's audio into aligned arrays (lip
features, audio components, onsets, voice activity, mouth motion); :func:`measure_lag` runs the
global lag search on them. Pure numpy; the decisions are made by ``detectors.lip_sync``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import audio as A
from . import mouth as M
from .sync import LagCurve, LagPeak, audio_components, find_peak, lag_curve


@dataclass
class SyncInputs:
    """One face's signals on the grid ``t_s`` (T,) with step ``step_s`` seconds.

    lip: (T, 7) high-passed lip features. openness: (T,) inner-lip gap in eye-distance units.
    speed: (T,) positive part of the opening speed (units per second). motion: (T,) std of the
    openness over the motion window. audio_pcs: (T, G) audio components. onset: (T,) audio onset
    strength. band_db: (T,) speech-band level, dBFS. voiced: (T,) bool voice activity.
    face: (T,) bool, a face is measured at the grid time. vad: the voice activity details.
    """

    t_s: np.ndarray
    step_s: float
    lip: np.ndarray
    openness: np.ndarray
    speed: np.ndarray
    motion: np.ndarray
    audio_pcs: np.ndarray
    onset: np.ndarray
    band_db: np.ndarray
    voiced: np.ndarray
    face: np.ndarray
    vad: A.VoiceActivity | None


def rolling_std(x: np.ndarray, width: int) -> np.ndarray:
    """Centred NaN-aware standard deviation over ``width`` samples, (T,) float64."""
    mean = M.moving_average(x, width)
    mean_sq = M.moving_average(np.asarray(x, dtype=np.float64) ** 2, width)
    out = np.sqrt(np.clip(mean_sq - mean**2, 0.0, None))
    out[np.isnan(x)] = np.nan
    return out


def prepare(t_s: np.ndarray, points: np.ndarray, audio: np.ndarray | None, sr: int, *,
            highpass_s: float, n_components: int, motion_window_s: float,
            vad_kwargs: dict | None = None, silence_dbfs: float = -60.0) -> SyncInputs:
    """Lip and audio signals of one face slot on a uniform grid at the video frame rate.

    Parameters
    ----------
    t_s : (N,) frame times, seconds. points : (N, 478, 3) the slot's landmarks, pixels.
    audio : (S,) mono samples, or None / silent (then the audio arrays are NaN and nothing is
        voiced). sr : sample rate, Hz.
    highpass_s : moving-average length removed from lip and audio features, seconds.
    n_components : audio principal components kept.
    motion_window_s : window of the mouth-motion measure, seconds.
    vad_kwargs : keyword arguments for :func:`audio.voice_activity`.
    silence_dbfs : a track never louder than this is treated as silent.
    """
    grid, step = M.uniform_grid(t_s)
    feats = M.resample(t_s, M.lip_features(points), grid, max_gap_s=3.5 * step)
    width = max(int(round(highpass_s / step)), 3)
    openness = feats[:, 0]
    speed = np.maximum(np.gradient(openness) / step, 0.0)
    motion = rolling_std(openness, max(int(round(motion_window_s / step)), 3))
    face = ~np.isnan(openness)
    nan_t = np.full(len(grid), np.nan)
    pcs, onset, band_db = np.full((len(grid), n_components), np.nan), nan_t, nan_t.copy()
    voiced = np.zeros(len(grid), bool)
    vad = None
    if audio is not None and not A.is_silent(audio, threshold_db=silence_dbfs):
        af = A.audio_features(audio, sr)
        x = np.column_stack([af.log_mel, af.band_db / (10 / np.log(10))])  # band in nepers
        x = M.highpass(x, max(int(round(highpass_s / af.hop_s)), 3))
        pcs = audio_components(A.to_grid(af.t_s, x, grid, step), n_components)
        onset = A.to_grid(af.t_s, af.onset, grid, step)
        band_db = A.to_grid(af.t_s, af.band_db, grid, step)
        vad = A.voice_activity(af, **(vad_kwargs or {}))
        voiced = A.to_grid(af.t_s, vad.active.astype(float), grid, step) > 0.5
    return SyncInputs(t_s=grid, step_s=step, lip=M.highpass(feats, width), openness=openness,
                      speed=speed, motion=motion, audio_pcs=pcs, onset=onset, band_db=band_db,
                      voiced=voiced, face=face, vad=vad)


def measure_lag(inp: SyncInputs, *, max_lag_s: float, ridge: float, exclusion_s: float,
                max_lag_fraction: float = 1.0) -> tuple[LagCurve, LagPeak | None]:
    """Global lag curve of one face and its peak (None if unmeasurable).

    Candidate lags cover +-``max_lag_s``, but at most ``max_lag_fraction`` of the span over
    which the face is measured (a short clip cannot support a lag close to its own length).
    """
    face = np.flatnonzero(inp.face)
    span_s = float((face[-1] - face[0] + 1) * inp.step_s) if face.size else 0.0
    max_lag_s = min(max_lag_s, max(max_lag_fraction * span_s, 4 * inp.step_s))
    k = max(int(np.floor(max_lag_s / inp.step_s + 1e-9)), 2)
    curve = lag_curve(inp.lip, inp.audio_pcs, inp.speed, inp.onset, k, inp.step_s, ridge=ridge)
    return curve, find_peak(curve, exclusion_s=exclusion_s)


def chance_peaks(inp: SyncInputs, curve: LagCurve, peak: LagPeak, *, n_shifts: int,
                 ridge: float, margin_s: float = 0.25) -> np.ndarray:
    """Peak heights of the same lag search with the audio circularly shifted: what chance gives.

    The audio arrays are rolled by ``n_shifts`` amounts spread over the clip, each chosen so
    that the measured alignment (``peak.lag_s``) lands at least ``margin_s`` outside the
    searched lags: the rolled audio is still this clip's speech, with its rhythm and level, but
    no longer the sound these lips make. A real alignment stands far above these peaks; a peak
    among them is chance. Returns (M,) combined z peak heights (M <= ``n_shifts``; empty when
    the clip is too short to place the alignment outside the search).
    """
    n = len(inp.t_s)
    k = (len(curve.lags_s) - 1) // 2
    lo = k + int(np.ceil(margin_s / inp.step_s))
    if n - 2 * lo < 1:
        return np.zeros(0)
    here = int(round(peak.lag_s / inp.step_s))
    out = []
    for shift in here + np.unique(np.linspace(lo, n - lo, n_shifts).astype(int)):
        null = lag_curve(inp.lip, np.roll(inp.audio_pcs, shift, axis=0), inp.speed,
                         np.roll(inp.onset, shift), k, inp.step_s, ridge=ridge)
        if np.isfinite(null.score).any():
            out.append(float(np.nanmax(null.score)))
    return np.asarray(out)


def chance_z(peak: LagPeak, nulls: np.ndarray) -> float:
    """How many standard deviations ``peak`` stands above the chance peaks (NaN with < 3)."""
    if nulls.size < 3:
        return float("nan")
    sd = float(nulls.std())
    return float((peak.peak - nulls.mean()) / sd) if sd > 0 else float("inf")
