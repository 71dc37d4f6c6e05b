"""Audio-visual lag estimation: correlation curves over candidate lags, and their peak.

Sign convention (the project's): a lag ``L > 0`` means the mouth trails the audio, i.e. the
mouth at time ``t`` matches the sound at ``t - L``. For a candidate lag of ``k`` grid steps we
pair the lip features at grid index ``i`` with the audio features at ``i - k``.

Two correlation curves are computed per candidate lag and averaged as Fisher z values
(``arctanh r``):

- the first canonical correlation between several high-passed lip features and the leading
  principal components of the high-passed audio features, with ridge regularisation so a few
  hundred samples do not overfit it;
- the Pearson correlation of the mouth's opening speed (positive part) with audio onset
  strength.

The peak is refined to sub-step precision with a 3-point parabola; its peak-to-sidelobe ratio
(PSR) says how much it stands out from the rest of the curve.

The same curve restricted to lip samples inside a time window gives the lag over time
(:func:`windowed_lags`) and a drift slope (:func:`drift_fit`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LagCurve:
    """Combined correlation over candidate lags.

    lags_s: (L,) float, candidate lags in seconds (step = grid step).
    score: (L,) float, mean Fisher z of the parts; NaN where too few pairs overlapped.
    parts: name -> (L,) float correlation r of each part.
    n_pairs: (L,) int, number of frame pairs behind each value.
    """

    lags_s: np.ndarray
    score: np.ndarray
    parts: dict[str, np.ndarray]
    n_pairs: np.ndarray


@dataclass
class LagPeak:
    """The best lag of a curve and how far it stands out.

    lag_s: sub-step refined lag, seconds. index: position of the best sample in the curve.
    peak: combined z at the best sample. psr: peak-to-sidelobe ratio (peak minus the mean of
    the curve outside +-``exclusion_s`` of the peak, over its standard deviation there).
    at_edge: the best sample is the first or last candidate. width_s: lag distance over which
    the parabola through the peak falls by one sidelobe standard deviation (a measure of how
    sharply the peak is located).
    """

    lag_s: float
    index: int
    peak: float
    psr: float
    at_edge: bool
    width_s: float


def audio_components(feats: np.ndarray, n_components: int = 8) -> np.ndarray:
    """Leading principal components of standardised audio features.

    Parameters
    ----------
    feats : (T, G) float, audio features on the grid; rows with NaN are left NaN.

    Returns
    -------
    (T, min(n_components, G)) float64 component scores.
    """
    x = np.asarray(feats, dtype=np.float64)
    ok = ~np.isnan(x).any(axis=1)
    out = np.full((len(x), min(n_components, x.shape[1])), np.nan)
    if ok.sum() < 3:
        return out
    xo = x[ok]
    xo = (xo - xo.mean(axis=0)) / (xo.std(axis=0) + 1e-9)
    _, _, vt = np.linalg.svd(xo, full_matrices=False)
    out[ok] = xo @ vt[: out.shape[1]].T
    return out


def _standardise(x: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=0)
    return x / (x.std(axis=0) + 1e-9)


def _inv_sqrt(c: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(c)
    return (v / np.sqrt(np.maximum(w, 1e-12))) @ v.T


def canonical_r(x: np.ndarray, y: np.ndarray, ridge: float) -> float:
    """First canonical correlation of (n, p) and (n, q) samples with ridge ``ridge``.

    Each side is standardised and its covariance gets ``ridge`` added on the diagonal
    (a correlation matrix, so ``ridge`` is relative).
    """
    n = len(x)
    xs, ys = _standardise(x), _standardise(y)
    cxx = xs.T @ xs / n + ridge * np.eye(xs.shape[1])
    cyy = ys.T @ ys / n + ridge * np.eye(ys.shape[1])
    cxy = xs.T @ ys / n
    m = _inv_sqrt(cxx) @ cxy @ _inv_sqrt(cyy)
    s = np.linalg.svd(m, compute_uv=False)
    return float(np.clip(s[0], 0.0, 0.999))


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt(np.sum(a * a) * np.sum(b * b))
    return float(np.sum(a * b) / den) if den > 0 else 0.0


def lag_curve(lip: np.ndarray, audio_pcs: np.ndarray, mouth_speed: np.ndarray,
              audio_onset: np.ndarray, max_lag: int, step_s: float, *,
              ridge: float = 0.2, use: np.ndarray | None = None,
              min_pairs: int = 25) -> LagCurve:
    """Combined correlation curve over lags ``-max_lag..max_lag`` grid steps.

    Parameters
    ----------
    lip : (T, F) high-passed lip features on the grid (NaN where no face).
    audio_pcs : (T, G) audio principal components on the same grid.
    mouth_speed : (T,) positive part of the mouth-opening speed.
    audio_onset : (T,) audio onset strength.
    max_lag : int, largest candidate lag in grid steps.
    step_s : float, grid step in seconds.
    ridge : float, CCA regularisation.
    use : (T,) bool, optional: only lip samples where True take part (a time window).
    min_pairs : int, fewer overlapping pairs than this leaves the lag NaN.
    """
    n = len(lip)
    lip_ok = ~np.isnan(lip).any(axis=1) & ~np.isnan(mouth_speed)
    if use is not None:
        lip_ok &= use
    aud_ok = ~np.isnan(audio_pcs).any(axis=1) & ~np.isnan(audio_onset)
    lags = np.arange(-max_lag, max_lag + 1)
    r_cca = np.full(len(lags), np.nan)
    r_on = np.full(len(lags), np.nan)
    pairs = np.zeros(len(lags), int)
    idx = np.arange(n)
    for j, k in enumerate(lags):
        a_idx = idx - k
        inside = (a_idx >= 0) & (a_idx < n)
        sel = np.zeros(n, bool)
        sel[inside] = lip_ok[inside] & aud_ok[a_idx[inside]]
        m = int(sel.sum())
        pairs[j] = m
        if m < min_pairs:
            continue
        li, ai = idx[sel], a_idx[sel]
        r_cca[j] = canonical_r(lip[li], audio_pcs[ai], ridge)
        r_on[j] = np.clip(_pearson(mouth_speed[li], audio_onset[ai]), -0.999, 0.999)
    # Mean Fisher z, weighted by (n - 3) relative to the best-covered lag: a correlation from
    # fewer pairs (large lags overlap less) is weaker evidence, and the CCA's chance level rises
    # as pairs get fewer, which would otherwise pull the peak to the search edges. The weight
    # was sqrt((n - 3) / (n_max - 3)); on 3-4 s clips the wrong peaks sat at lags of about 1 s
    # (median), where a 3 s clip overlaps by 2 s, and the linear weight made 83-88 % of 3-4 s
    # windows conclusive instead of 47-61 % at the same accuracy (docs/lipsync.md).
    weight = np.clip(pairs - 3, 0, None) / max(pairs.max() - 3, 1)
    score = (np.arctanh(r_cca) + np.arctanh(r_on)) / 2 * weight
    return LagCurve(lags_s=lags * step_s, score=score, parts={"cca": r_cca, "onset": r_on},
                    n_pairs=pairs)


def find_peak(curve: LagCurve, *, exclusion_s: float = 0.2) -> LagPeak | None:
    """Best lag of ``curve`` with parabolic refinement and its PSR; None if the curve is empty."""
    s = curve.score
    ok = ~np.isnan(s)
    if ok.sum() < 5:
        return None
    i = int(np.nanargmax(s))
    step = float(curve.lags_s[1] - curve.lags_s[0]) if len(s) > 1 else 0.04
    valid_idx = np.flatnonzero(ok)
    at_edge = i in (valid_idx[0], valid_idx[-1])
    offset, curvature = 0.0, 0.0
    if 0 < i < len(s) - 1 and ok[i - 1] and ok[i + 1]:
        a, b, c = s[i - 1], s[i], s[i + 1]
        den = a - 2 * b + c
        if den < 0:
            offset = float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))
            curvature = -den / 2  # score drop per step^2
    far = ok & (np.abs(curve.lags_s - curve.lags_s[i]) > exclusion_s)
    if far.sum() >= 3:
        side = s[far]
        sd = float(side.std())
        psr = float((s[i] - side.mean()) / sd) if sd > 0 else float("inf")
    else:
        sd, psr = float("nan"), float("nan")
    if curvature > 0 and np.isfinite(sd):
        width = float(np.sqrt(sd / curvature) * step)
    else:
        width = float("nan")
    return LagPeak(lag_s=float(curve.lags_s[i] + offset * step), index=i, peak=float(s[i]),
                   psr=psr, at_edge=bool(at_edge), width_s=width)


@dataclass
class WindowLags:
    """Lag measured in sliding windows.

    centre_s, start_s, end_s: (W,) window times, seconds. lag_s: (W,) refined lag, NaN where the
    window's peak did not stand out (PSR below the minimum, at the search edge, or too few
    pairs). psr, width_s: (W,) peak-to-sidelobe ratio and peak width of each window.
    """

    centre_s: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    lag_s: np.ndarray
    psr: np.ndarray
    width_s: np.ndarray


def windowed_lags(lip: np.ndarray, audio_pcs: np.ndarray, mouth_speed: np.ndarray,
                  audio_onset: np.ndarray, grid: np.ndarray, step_s: float, *,
                  window_s: float, hop_s: float, centre_lag_s: float | None,
                  search_s: float, max_lag_s: float, ridge: float, min_psr: float,
                  exclusion_s: float) -> WindowLags:
    """Lag per window of ``window_s`` seconds every ``hop_s`` seconds.

    Only the lip samples inside a window take part; the audio they pair with may come from just
    outside it. With ``centre_lag_s`` given, each window searches ``centre_lag_s +- search_s``
    (so a window cannot jump to a far spurious peak); otherwise ``+-max_lag_s``.
    Arrays as in :func:`lag_curve`; ``grid`` (T,) is the grid's times in seconds.
    """
    t0, t1 = float(grid[0]), float(grid[-1]) + step_s
    span = t1 - t0
    if span <= window_s:
        starts = np.array([t0])
        window_s = span
    else:
        n = int(np.floor((span - window_s) / hop_s + 1e-9)) + 1
        starts = t0 + hop_s * np.arange(n)
        if starts[-1] + window_s < t1 - 0.5 * hop_s:  # cover the end of the clip too
            starts = np.append(starts, t1 - window_s)
    if centre_lag_s is None:
        lo, hi = -max_lag_s, max_lag_s
    else:
        lo, hi = centre_lag_s - search_s, centre_lag_s + search_s
    k_max = int(np.ceil(max(abs(lo), abs(hi)) / step_s)) + 1
    out = {k: np.full(len(starts), np.nan) for k in ("lag", "psr", "width")}
    for w, start in enumerate(starts):
        use = (grid >= start) & (grid < start + window_s)
        curve = lag_curve(lip, audio_pcs, mouth_speed, audio_onset, k_max, step_s,
                          ridge=ridge, use=use, min_pairs=max(15, int(0.4 * use.sum())))
        inside = (curve.lags_s >= lo - 1e-9) & (curve.lags_s <= hi + 1e-9)
        curve.score = np.where(inside, curve.score, np.nan)
        peak = find_peak(curve, exclusion_s=exclusion_s)
        if peak is None:
            continue
        out["psr"][w], out["width"][w] = peak.psr, peak.width_s
        if peak.psr >= min_psr and not peak.at_edge:
            out["lag"][w] = peak.lag_s
    return WindowLags(centre_s=starts + window_s / 2, start_s=starts, end_s=starts + window_s,
                      lag_s=out["lag"], psr=out["psr"], width_s=out["width"])


@dataclass
class DriftFit:
    """Straight line through the windowed lags: ``lag(t) = intercept_s + slope * t``.

    slope: seconds of lag per second of clip (x1000 = ms/s). slope_se: its standard error.
    n: number of windows used. change_s: fitted lag change from the first to the last window.
    """

    slope: float
    intercept_s: float
    slope_se: float
    n: int
    change_s: float

    def at(self, t_s: float) -> float:
        return self.intercept_s + self.slope * t_s


def drift_fit(windows: WindowLags) -> DriftFit | None:
    """Robust straight line through the measured window lags; None with fewer than 3.

    Theil-Sen: the slope is the median of the slopes between all pairs of windows, so one
    window that locked onto a wrong peak does not tilt the line. The standard error comes from
    the residuals' median absolute deviation; windows overlap, so it is optimistic and the
    detector also asks for a minimum total change.
    """
    ok = ~np.isnan(windows.lag_s)
    if ok.sum() < 3:
        return None
    t, y = windows.centre_s[ok], windows.lag_s[ok]
    i, j = np.triu_indices(len(t), k=1)
    dt = t[j] - t[i]
    slope = float(np.median((y[j] - y[i])[dt > 0] / dt[dt > 0]))
    intercept = float(np.median(y - slope * t))
    resid = y - (intercept + slope * t)
    sigma = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
    sxx = float(np.sum((t - t.mean()) ** 2))
    se = sigma / np.sqrt(sxx) if sxx > 0 else float("inf")
    return DriftFit(slope=slope, intercept_s=intercept, slope_se=float(se), n=int(ok.sum()),
                    change_s=float(slope * (t.max() - t.min())))
