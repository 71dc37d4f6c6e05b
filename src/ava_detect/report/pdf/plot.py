"""Vector timeline plots: a signal over the clip with its threshold and the failure marked."""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from .. import style
from ..plotdata import PlotSpec, nice_ticks, runs, tick_text
from ..timefmt import both
from .theme import CONTENT_W, C, register_fonts


def plot(spec: PlotSpec, width: float = CONTENT_W, height: float = 32 * mm) -> Drawing:
    f = register_fonts()
    d = Drawing(width, height)
    left, right, bottom, top = 40, 8, 24, 24
    pw, ph = width - left - right, height - bottom - top
    (x0, x1), (y0, y1) = spec.x_range, spec.y_range
    x1 = x1 if x1 > x0 else x0 + 1

    def X(t: float) -> float:
        return left + (min(max(t, x0), x1) - x0) / (x1 - x0) * pw

    def Y(v: float) -> float:
        return bottom + (min(max(v, y0), y1) - y0) / (y1 - y0) * ph

    _title(d, spec, height - 10)
    if spec.span is not None and spec.span[1] > x0 and spec.span[0] < x1:
        a, b = X(spec.span[0]), X(spec.span[1])
        d.add(Rect(a, bottom, max(b - a, 1.2), ph, fillColor=C["FAIL_SPAN"], strokeColor=None))
    d.add(Rect(left, bottom, pw, ph, fillColor=None, strokeColor=C["RULE"], strokeWidth=0.6))
    xt, yt = nice_ticks(x0, x1, 10), nice_ticks(y0, y1, 4)
    for t in xt:
        d.add(Line(X(t), bottom, X(t), bottom - 3, strokeColor=C["MUTED"], strokeWidth=0.5))
        d.add(
            String(
                X(t),
                bottom - 11,
                tick_text(t, xt),
                fontName=f["Body"],
                fontSize=6.5,
                fillColor=C["MUTED"],
                textAnchor="middle",
            )
        )
    for v in yt:
        d.add(Line(left, Y(v), left + pw, Y(v), strokeColor=C["RULE"], strokeWidth=0.25))
        d.add(
            String(
                left - 3,
                Y(v) - 2.2,
                tick_text(v, yt),
                fontName=f["Body"],
                fontSize=6.5,
                fillColor=C["MUTED"],
                textAnchor="end",
            )
        )
    d.add(
        String(
            left + pw,
            2,
            "time on the clip (s)",
            fontName=f["Body"],
            fontSize=6.5,
            fillColor=C["MUTED"],
            textAnchor="end",
        )
    )
    labelled = set()
    for s_ in spec.series:
        for th in s_.thresholds:
            if y0 <= th <= y1:
                d.add(
                    Line(
                        left,
                        Y(th),
                        left + pw,
                        Y(th),
                        strokeColor=C["THRESHOLD"],
                        strokeWidth=0.9,
                        strokeDashArray=[4, 2.5],
                    )
                )
                text = s_.threshold_label or "threshold"
                if text not in labelled:
                    labelled.add(text)
                    d.add(
                        String(
                            left + pw - 2,
                            Y(th) + 2,
                            f"{text}",
                            fontName=f["Body"],
                            fontSize=6.3,
                            fillColor=C["THRESHOLD"],
                            textAnchor="end",
                        )
                    )
    for i, s_ in enumerate(spec.series):
        colour = colors.HexColor(style.SERIES[i % len(style.SERIES)])
        for run in runs(s_.t_s, s_.values, s_.step):
            inside = run[(run[:, 0] >= x0) & (run[:, 0] <= x1)]
            if len(inside) == 1:
                d.add(
                    Rect(
                        X(inside[0, 0]) - 1,
                        Y(inside[0, 1]) - 1,
                        2,
                        2,
                        fillColor=colour,
                        strokeColor=None,
                    )
                )
            elif len(inside) > 1:
                pts = [c for t, v in inside for c in (X(t), Y(v))]
                d.add(PolyLine(pts, strokeColor=colour, strokeWidth=1.1))
    if spec.first_s is not None and x0 <= spec.first_s <= x1:
        xf = X(spec.first_s)
        d.add(Line(xf, bottom, xf, bottom + ph, strokeColor=C["FAIL"], strokeWidth=1))
        anchor = "start" if xf < left + pw * 0.75 else "end"
        d.add(
            String(
                xf + (2 if anchor == "start" else -2),
                bottom + ph + 2,
                f"first failure {both(spec.first_s)}",
                fontName=f["Body-Bold"],
                fontSize=6.5,
                fillColor=C["FAIL"],
                textAnchor=anchor,
            )
        )
    return d


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
