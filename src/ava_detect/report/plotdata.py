"""Timeline plots as data: which signals to plot for a finding, axis ranges, ticks, line runs.

Detectors publish plottable signals in ``CheckResult.details["signals"]``::

    {name: {"label": str, "unit": str, "t_s": [...], "values": [...],
            "threshold": float | [float, ...] | None, "threshold_label": str | None}}

and may add these optional keys, which the PDF understands:

- ``"kinds"``: list of finding kinds the plot belongs to (default: every finding of the check);
- ``"track"``: the hand/face slot it belongs to (default: any);
- ``"group"``: signals sharing a group are drawn on one plot (for example mouth openness over
  the audio envelope); with different units each is scaled to its own 0-1 range;
- ``"style"``: ``"line"`` (default) or ``"step"`` (counts, states);
- ``"window_s"``: ``[t0, t1]`` time range to show (default: the whole clip).

Nothing here draws: :mod:`.pdf` turns a :class:`PlotSpec` into vector graphics.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from .model import CheckResult, Finding

MAX_POINTS = 1200  # more points than this are thinned before drawing


@dataclass
class Series:
    label: str
    unit: str
    t_s: np.ndarray  # (n,) seconds
    values: np.ndarray  # (n,) NaN where not measured; already scaled when the plot is scaled
    thresholds: list[float] = field(default_factory=list)
    threshold_label: str | None = None
    step: bool = False
    band: bool = False  # the thresholds bound a band (one value t: -t to +t), shaded

    def band_edges(self) -> list[float]:
        """The thresholds, or the band's two edges (-t, +t for one threshold t)."""
        if self.band and len(self.thresholds) == 1:
            return [-abs(self.thresholds[0]), abs(self.thresholds[0])]
        return list(self.thresholds)


@dataclass
class PlotSpec:
    """One plot: its series, axis ranges and the failure to mark."""

    title: str
    y_label: str
    series: list[Series]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    span: tuple[float, float] | None = None  # failure span to shade, seconds
    first_s: float | None = None  # first-failure line
    scaled: bool = False  # every series scaled to 0-1 of its own range


def _as_array(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _thresholds(value) -> list[float]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [float(v) for v in items if v is not None and math.isfinite(float(v))]


def _applies(sig: dict, finding: Finding | None) -> bool:
    if finding is None:
        return True
    kinds = sig.get("kinds")
    if kinds and finding.kind not in kinds:
        return False
    track = sig.get("track")
    return track is None or finding.track is None or track == finding.track


def _series(sig: dict) -> Series | None:
    try:
        t = _as_array(sig.get("t_s", []))
        v = _as_array(sig.get("values", []))
    except (TypeError, ValueError):
        return None
    if t.shape != v.shape or t.size == 0:
        return None
    if t.size > MAX_POINTS:
        keep = np.linspace(0, t.size - 1, MAX_POINTS).round().astype(int)
        t, v = t[keep], v[keep]
    return Series(
        label=str(sig.get("label") or ""),
        unit=str(sig.get("unit") or ""),
        t_s=t,
        values=v,
        thresholds=_thresholds(sig.get("threshold")),
        threshold_label=sig.get("threshold_label"),
        step=sig.get("style") == "step",
        band=bool(sig.get("band")),
    )


def plots_for(
    check: CheckResult, finding: Finding | None, duration_s: float, *, limit: int | None = None
) -> tuple[list[PlotSpec], int]:
    """The plots of ``check``'s signals, marked with ``finding``'s span (None: no marks).

    With ``limit``, only the most telling plots are kept: those declared for this finding's
    track or kind first, then those whose label names its track, otherwise in the detector's
    order. Returns the plots and how many were left out.
    """
    signals = check.details.get("signals") or {}
    groups: dict[str, list[tuple[dict, Series]]] = {}
    for name, sig in signals.items():
        if not isinstance(sig, dict) or not _applies(sig, finding):
            continue
        series = _series(sig)
        if series is not None:
            groups.setdefault(str(sig.get("group") or name), []).append((sig, series))
    ranked = sorted(
        groups.values(), key=lambda members: -max(_relevance(g, finding) for g, _ in members)
    )
    kept = ranked if limit is None else ranked[:limit]
    plots = []
    for members in kept:
        window = members[0][0].get("window_s")
        if isinstance(window, list | tuple) and len(window) == 2:
            x_range = (float(window[0]), float(window[1]))
        else:
            x_range = (0.0, max(duration_s, max(float(np.nanmax(s.t_s)) for _, s in members)))
        plots.append(_spec([s for _, s in members], x_range, finding))
    return plots, len(ranked) - len(kept)


def _relevance(sig: dict, finding: Finding | None) -> int:
    """How directly a signal shows ``finding``: declared for its track or kind (4 each), or
    labelled with its track (3). Ties keep the detector's order (its most telling signal first)."""
    if finding is None:
        return 0
    score = 0
    if sig.get("track") is not None and sig.get("track") == finding.track:
        score += 4
    elif (
        sig.get("track") is None
        and finding.track is not None
        and re.search(rf"\btrack {finding.track}\b", str(sig.get("label", "")))
    ):
        score += 3  # no declared track, but the label names the finding's ("... (track 1)")
    if sig.get("kinds") and finding.kind in sig["kinds"]:
        score += 4
    return score


def _spec(series: list[Series], x_range: tuple[float, float], finding: Finding | None) -> PlotSpec:
    units = {s.unit for s in series}
    scaled = len(series) > 1 and len(units) > 1
    if scaled:
        for s in series:
            lo, hi = _finite_range(s.values)
            width = (hi - lo) or 1.0
            s.values = (s.values - lo) / width
            s.thresholds = [(v - lo) / width for v in s.band_edges()]
            s.band = s.band and len(s.thresholds) == 2
    title = series[0].label if len(series) == 1 else " and ".join(s.label for s in series)
    y_label = "scaled to its range" if scaled else next(iter(units))
    edges = [np.asarray(s.band_edges()) for s in series]
    values = np.concatenate([s.values for s in series] + edges)
    lo, hi = _finite_range(values)
    pad = (hi - lo) * 0.08 or max(abs(hi), 1.0) * 0.1
    span = first = None
    if finding is not None:
        first = finding.first_s
        if math.isfinite(finding.start_s) and math.isfinite(finding.end_s):
            span = (finding.start_s, max(finding.end_s, finding.start_s))
    return PlotSpec(
        title=title,
        y_label=y_label,
        series=series,
        x_range=x_range,
        y_range=(lo - pad, hi + pad),
        span=span,
        first_s=first,
        scaled=scaled,
    )


def _finite_range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 1.0
    return float(finite.min()), float(finite.max())


def nice_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(target, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = start
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def tick_text(value: float, ticks: list[float]) -> str:
    """Tick label with as many decimals as the tick step needs."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = max(0, math.ceil(-math.log10(step) - 1e-9))
    if abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    return f"{value:.{decimals}f}"


def runs(t: np.ndarray, v: np.ndarray, step: bool) -> list[np.ndarray]:
    """Split a series at NaN into (m, 2) point runs; a step series holds each value until the next
    sample."""
    ok = np.isfinite(t) & np.isfinite(v)
    out = []
    idx = np.flatnonzero(ok)
    if not idx.size:
        return out
    breaks = np.flatnonzero(np.diff(idx) > 1) + 1
    for part in np.split(idx, breaks):
        pts = np.column_stack([t[part], v[part]])
        if step and len(pts) > 1:
            xs = np.repeat(pts[:, 0], 2)[1:]
            ys = np.repeat(pts[:, 1], 2)[:-1]
            pts = np.column_stack([xs, ys])
        out.append(pts)
    return out
