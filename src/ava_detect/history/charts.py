"""Inline SVG charts for the dashboard: plain strings, no library, nothing fetched at view time.

Every mark carries ``class="mark"`` and a ``<title>`` (the browser's own tooltip) with the counts
behind it, so a reader can always see "7 of 12", never a bare percentage.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")

W, H = 560, 220  # chart size in CSS pixels
MIN_SPAN_S = 5.0  # first-failure histograms show at least 0-5 s
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 46  # plot margins


def _frame(body: str, *, label: str, marks: int, height: int = H) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" data-marks="{marks}" '
        f'viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _empty(label: str) -> str:
    body = (
        f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle" class="muted">'
        "no data yet</text>"
    )
    return _frame(body, label=label, marks=0)


def rate_lines(
    series: dict[str, list[tuple[int, int] | None]], buckets: list[str], *, label: str
) -> str:
    """Failure rate over time, one line per series.

    Parameters
    ----------
    series
        name -> per bucket ``(failed, measured)`` counts, or None where nothing was measured.
    buckets
        The time buckets' labels (days or weeks), oldest first, one per x position.
    """
    if not buckets or not any(any(p for p in pts) for pts in series.values()):
        return _empty(label)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = pw / max(1, len(buckets) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(buckets) > 1 else pw / 2)

    def y(rate: float) -> float:
        return TOP + ph * (1 - rate)

    parts = []
    for frac in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(frac):.1f}" y2="{y(frac):.1f}" '
            f'class="grid"/><text x="{LEFT - 6}" y="{y(frac) + 4:.1f}" text-anchor="end" '
            f'class="axis">{int(frac * 100)}%</text>'
        )
    every = max(1, len(buckets) // 6)
    for i, name in enumerate(buckets):
        if i % every == 0 or i == len(buckets) - 1:
            anchor = "start" if i == 0 else "end" if i == len(buckets) - 1 else "middle"
            parts.append(
                f'<text x="{x(i):.1f}" y="{H - BOTTOM + 16}" text-anchor="{anchor}" '
                f'class="axis">{escape(name)}</text>'
            )
    marks = 0
    legend = []
    for k, (name, points) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        coords = [(x(i), y(f / n), f, n, i) for i, p in enumerate(points) if p for f, n in [p]]
        if not coords:
            continue
        path = " ".join(f"{'M' if j == 0 else 'L'}{cx:.1f},{cy:.1f}" for j, (cx, cy, *_) in
                        enumerate(coords))  # fmt: skip
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for cx, cy, failed, n, i in coords:
            marks += 1
            tip = f"{name}, {buckets[i]}: {failed} of {n} failed"
            parts.append(
                f'<circle class="mark" cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        legend.append((name, colour))
    for k, (name, colour) in enumerate(legend):
        lx = LEFT + (k % 4) * 128
        ly = H - 14 + (k // 4) * 0
        parts.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{ly}" class="legend">{escape(name[:16])}</text>'
        )
    return _frame("".join(parts), label=label, marks=marks)


def bars(items: list[tuple[str, int, str]], *, label: str) -> str:
    """Horizontal bars: (label, count, tooltip) per bar, largest first."""
    if not items:
        return _empty(label)
    row = 22
    height = TOP + row * len(items) + 8
    top = max(n for _, n, _ in items)
    left, width = 270, W - 270 - 40
    parts = []
    for i, (name, n, tip) in enumerate(items):
        yy = TOP + i * row
        bw = max(2.0, width * n / top)
        parts.append(
            f'<text x="{left - 8}" y="{yy + 14}" text-anchor="end" class="axis">'
            f"{escape(name[:44])}</text>"
            f'<rect class="mark" x="{left}" y="{yy + 3}" width="{bw:.1f}" height="15" '
            f'fill="{PALETTE[0]}"><title>{escape(tip)}</title></rect>'
            f'<text x="{left + bw + 6:.1f}" y="{yy + 14}" class="axis">{n}</text>'
        )
    return _frame("".join(parts), label=label, marks=len(items), height=height)


def histogram(values: list[float], *, label: str, colour: str = PALETTE[1]) -> str:
    """First-failure times (seconds into the clip) in bins of 0.5 s (1 s past 10 s of range);
    the axis spans at least :data:`MIN_SPAN_S`, so one early failure is not one wide bar."""
    if not values:
        return _empty(label)
    top_s = max(max(values), MIN_SPAN_S - 1e-9)
    width_s = 0.5 if top_s <= 10 else 1.0
    n_bins = int(top_s // width_s) + 1
    counts = [0] * n_bins
    for v in values:
        counts[min(n_bins - 1, int(max(0.0, v) // width_s))] += 1
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    bw = pw / n_bins
    peak = max(counts)
    parts = [
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" class="axis">{peak}</text>'
        f'<text x="{LEFT - 6}" y="{TOP + ph + 4}" text-anchor="end" class="axis">0</text>'
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + ph}" y2="{TOP + ph}" class="grid"/>'
    ]
    marks = 0
    every = max(1, n_bins // 8)
    for i, n in enumerate(counts):
        x0 = LEFT + i * bw
        if n:
            marks += 1
            h = ph * n / peak
            tip = f"{n} clip(s) first failed at {i * width_s:g}-{(i + 1) * width_s:g} s"
            parts.append(
                f'<rect class="mark" x="{x0 + 1:.1f}" y="{TOP + ph - h:.1f}" '
                f'width="{max(1.0, bw - 2):.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x0:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" class="axis">'
                f"{i * width_s:g}s</text>"
            )
    return _frame("".join(parts), label=label, marks=marks)
