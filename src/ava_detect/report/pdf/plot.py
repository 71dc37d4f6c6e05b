"""Vector timeline plots: a signal over the clip with its threshold and the failure marked."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from .. import style
from ..plotdata import PlotSpec, nice_ticks, runs, tick_text
from ..timefmt import both
from .theme import CONTENT_W, C, register_fonts


@dataclass(frozen=True)
class _Axes:
    """The plot area inside the drawing (points) and the data ranges it shows."""

    left: float
    bottom: float
    pw: float
    ph: float
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, t: float) -> float:
        share = (min(max(t, self.x0), self.x1) - self.x0) / (self.x1 - self.x0)
        return self.left + share * self.pw

    def y(self, v: float) -> float:
        share = (min(max(v, self.y0), self.y1) - self.y0) / (self.y1 - self.y0)
        return self.bottom + share * self.ph


def _text(x: float, y: float, text: str, colour, anchor: str, *, size: float = 6.5,
          bold: bool = False) -> String:  # fmt: skip
    font = register_fonts()["Body-Bold" if bold else "Body"]
    return String(x, y, text, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def plot(spec: PlotSpec, width: float = CONTENT_W, height: float = 32 * mm) -> Drawing:
    """``spec`` as a vector drawing: axes and ticks, thresholds, the series, the first failure."""
    d = Drawing(width, height)
    left, right, bottom, top = 40, 8, 24, 24
    (x0, x1), (y0, y1) = spec.x_range, spec.y_range
    x1 = x1 if x1 > x0 else x0 + 1
    ax = _Axes(left, bottom, width - left - right, height - bottom - top, x0, x1, y0, y1)
    _title(d, spec, height - 10)
    _frame(d, spec, ax)
    _threshold_lines(d, spec, ax)
    _series_lines(d, spec, ax)
    _first_failure(d, spec, ax)
    return d


def _frame(d: Drawing, spec: PlotSpec, ax: _Axes) -> None:
    """The shaded failure span, the plot border, the ticks and the time axis label."""
    if spec.span is not None and spec.span[1] > ax.x0 and spec.span[0] < ax.x1:
        a, b = ax.x(spec.span[0]), ax.x(spec.span[1])
        width = max(b - a, 1.2)
        d.add(Rect(a, ax.bottom, width, ax.ph, fillColor=C["FAIL_SPAN"], strokeColor=None))
    d.add(Rect(ax.left, ax.bottom, ax.pw, ax.ph, fillColor=None, strokeColor=C["RULE"],
               strokeWidth=0.6))  # fmt: skip
    xt, yt = nice_ticks(ax.x0, ax.x1, 10), nice_ticks(ax.y0, ax.y1, 4)
    for t in xt:
        x = ax.x(t)
        d.add(Line(x, ax.bottom, x, ax.bottom - 3, strokeColor=C["MUTED"], strokeWidth=0.5))
        d.add(_text(x, ax.bottom - 11, tick_text(t, xt), C["MUTED"], "middle"))
    for v in yt:
        y = ax.y(v)
        d.add(Line(ax.left, y, ax.left + ax.pw, y, strokeColor=C["RULE"], strokeWidth=0.25))
        d.add(_text(ax.left - 3, y - 2.2, tick_text(v, yt), C["MUTED"], "end"))
    d.add(_text(ax.left + ax.pw, 2, "time on the clip (s)", C["MUTED"], "end"))


def _band(d: Drawing, s_, ax: _Axes) -> None:
    """A threshold band, shaded between its two edges (clipped to the plot)."""
    lo, hi = (min(max(v, ax.y0), ax.y1) for v in sorted(s_.band_edges()))
    if hi <= lo:
        return
    tint = colors.Color(*C["THRESHOLD"].rgb(), alpha=0.18)
    d.add(Rect(ax.left, ax.y(lo), ax.pw, ax.y(hi) - ax.y(lo), fillColor=tint, strokeColor=None))
    d.add(_text(ax.left + ax.pw - 2, ax.y(hi) + 2, s_.threshold_label or "band", C["THRESHOLD"],
                "end", size=6.3))


def _threshold_lines(d: Drawing, spec: PlotSpec, ax: _Axes) -> None:
    """A dashed line at each threshold in range (a shaded band for a band), each distinct label
    written once."""
    labelled = set()
    for s_ in spec.series:
        if s_.band and len(s_.band_edges()) == 2:
            _band(d, s_, ax)
            continue
        for th in s_.thresholds:
            if not ax.y0 <= th <= ax.y1:
                continue
            y = ax.y(th)
            d.add(Line(ax.left, y, ax.left + ax.pw, y, strokeColor=C["THRESHOLD"],
                       strokeWidth=0.9, strokeDashArray=[4, 2.5]))  # fmt: skip
            text = s_.threshold_label or "threshold"
            if text not in labelled:
                labelled.add(text)
                d.add(_text(ax.left + ax.pw - 2, y + 2, f"{text}", C["THRESHOLD"], "end", size=6.3))


def _series_lines(d: Drawing, spec: PlotSpec, ax: _Axes) -> None:
    """Each series as lines between measured points (a lone point as a dot), NaN gaps left open."""
    for i, s_ in enumerate(spec.series):
        colour = colors.HexColor(style.SERIES[i % len(style.SERIES)])
        for run in runs(s_.t_s, s_.values, s_.step):
            inside = run[(run[:, 0] >= ax.x0) & (run[:, 0] <= ax.x1)]
            if len(inside) == 1:
                x, y = ax.x(inside[0, 0]), ax.y(inside[0, 1])
                d.add(Rect(x - 1, y - 1, 2, 2, fillColor=colour, strokeColor=None))
            elif len(inside) > 1:
                pts = [c for t, v in inside for c in (ax.x(t), ax.y(v))]
                d.add(PolyLine(pts, strokeColor=colour, strokeWidth=1.1))


def _first_failure(d: Drawing, spec: PlotSpec, ax: _Axes) -> None:
    """The first-failure line and its label, kept inside the plot's width."""
    if spec.first_s is None or not ax.x0 <= spec.first_s <= ax.x1:
        return
    xf = ax.x(spec.first_s)
    d.add(Line(xf, ax.bottom, xf, ax.bottom + ax.ph, strokeColor=C["FAIL"], strokeWidth=1))
    anchor = "start" if xf < ax.left + ax.pw * 0.75 else "end"
    text = f"first failure {both(spec.first_s)}"
    x = xf + (2 if anchor == "start" else -2)
    d.add(_text(x, ax.bottom + ax.ph + 2, text, C["FAIL"], anchor, bold=True))


def _title(d: Drawing, spec: PlotSpec, y: float) -> None:
    """The plot's title; with several series each label in its line colour (the legend)."""
    f = register_fonts()
    font, size = f["Body-Bold"], 8
    parts = [(spec.title, C["INK"])]
    if len(spec.series) > 1:
        parts = []
        for i, s_ in enumerate(spec.series):
            colour = colors.HexColor(style.SERIES[i % len(style.SERIES)])
            parts.append(((" / " if i else "") + s_.label, colour))
    if spec.y_label:
        parts.append((f" ({spec.y_label})", C["INK"]))
    x = 0.0
    for text, colour in parts:
        d.add(String(x, y, text, fontName=font, fontSize=size, fillColor=colour))
        x += pdfmetrics.stringWidth(text, font, size)
