"""Syllable rhythm: the lag between the mouth's 2-7 Hz opening rhythm and the speech envelope.

An estimator independent of the lag curve (``signals.sync``), for short clips (issue 17): the
inner-lip gap and the speech-band level (dB) are both band-passed to 2-7 Hz, the syllable rate,
and their normalised cross-correlation is searched over the same candidate lags. It is blunter
than the lag curve (one frame steps, no CCA, no onsets), so it is not a lag of its own: the
detector uses its agreement with the lag curve's peak as evidence that a weak or short peak is
the alignment and not chance. Sign convention as in ``signals.sync``: a lag ``L > 0`` pairs the
mouth at ``t`` with the sound at ``t - L``. Pure numpy.
"""

from __future__ import annotations

import numpy as np


def _filled(x: np.ndarray) -> np.ndarray:
    """``x`` with NaN runs linearly interpolated (zeros if fewer than 2 values are known)."""
    x = np.asarray(x, dtype=np.float64).copy()
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.zeros_like(x)
    x[~ok] = np.interp(np.flatnonzero(~ok), np.flatnonzero(ok), x[ok])
    return x


def bandpass(x: np.ndarray, step_s: float, low_hz: float = 2.0, high_hz: float = 7.0
             ) -> np.ndarray:
    """(T,) ``x`` (NaN filled) band-passed to ``low_hz``-``high_hz`` with a zero-padded FFT."""
    x = _filled(x)
    x = x - x.mean()
    n = len(x)
    freqs = np.fft.rfftfreq(2 * n, step_s)
    spec = np.fft.rfft(x, 2 * n)
    spec[(freqs < low_hz) | (freqs > high_hz)] = 0
    return np.fft.irfft(spec, 2 * n)[:n]


def rhythm_lag(openness: np.ndarray, level_db: np.ndarray, step_s: float, max_lag_s: float, *,
               low_hz: float = 2.0, high_hz: float = 7.0, min_pairs: int = 10
               ) -> tuple[float, float] | None:
    """Lag (s) and correlation of the best match of the mouth's and the voice's 2-7 Hz rhythm.

    Parameters
    ----------
    openness : (T,) inner-lip gap on the grid (NaN where no face).
    level_db : (T,) speech-band level on the same grid, dB.
    step_s : grid step, seconds. max_lag_s : candidate lags cover +-this.

    Returns (lag_s, r), or None when nothing could be correlated or no lag correlates positively.
    """
    mouth = bandpass(openness, step_s, low_hz, high_hz)
    voice = bandpass(level_db, step_s, low_hz, high_hz)
    n = len(mouth)
    k = int(max_lag_s / step_s + 1e-9)
    best = None
    for lag in range(-k, k + 1):
        i0, i1 = max(0, lag), min(n, n + lag)  # mouth index i pairs with voice index i - lag
        if i1 - i0 < min_pairs:
            continue
        x, y = mouth[i0:i1], voice[i0 - lag:i1 - lag]
        den = np.sqrt(float(np.sum(x * x) * np.sum(y * y)))
        r = float(np.sum(x * y) / den) if den > 0 else 0.0
        if best is None or r > best[1]:
            best = (lag * step_s, r)
    return best if best is not None and best[1] > 0 else None
