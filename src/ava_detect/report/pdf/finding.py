"""One finding's section of the pack: the words, the evidence frames, the measurements against
their thresholds and the timeline plots, on (ideally) one page."""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, Table, TableStyle

from ...catalog import FAILURE_MODES, kind_wording
from .. import facts, style
from ..model import Evidence, Finding, Report
from ..plotdata import plots_for
from ..timefmt import both, clock
from .plot import plot
from .theme import CONTENT_W, para, paragraph, table


def image(path: Path, width: float, max_height: float | None = None) -> Image:
    w, h = ImageReader(str(path)).getSize()
    height = width * h / w
    if max_height and height > max_height:
        width, height = max_height * w / h, max_height
    return Image(str(path), width=width, height=height)


def caption(ev: Evidence, s: dict, what: str) -> Paragraph:
    colour = style.REFERENCE if style.is_reference_label(ev.label) else style.FAIL
    t = ev.frame_t_s if ev.frame_t_s is not None else ev.t_s
    text = (
        f"<font color='{colour}'><b>{escape(ev.label or 'frame')}</b></font> "
        f"{what} at {escape(both(t))}"
    )
    if ev.frame_t_s is not None and abs(ev.frame_t_s - ev.t_s) > 5e-4:
        text += f" (the frame on screen at {escape(both(ev.t_s))})"
    return paragraph(text, s["small"])


_GRID = TableStyle(
    [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _grid(cells: list[list], width: float, per_row: int) -> Table:
    """Pictures with their captions beneath, ``per_row`` to a row."""
    rows = []
    for i in range(0, len(cells), per_row):
        chunk = cells[i : i + per_row] + [["", ""]] * (per_row - len(cells[i : i + per_row]))
        rows += [[c[0] for c in chunk], [c[1] for c in chunk]]
    t = Table(rows, colWidths=[width + 4 * mm] * per_row, hAlign="LEFT")
    t.setStyle(_GRID)
    return t


ROW_H = 46 * mm  # picture height when zooms and full frames share one row


def _one_row_width(shown: list[Evidence], crops: list[Evidence], folder: Path) -> float:
    """Width of every zoom and full frame side by side at ``ROW_H``, gaps included."""
    total = len(crops) * (ROW_H + 3 * mm)
    for ev in shown:
        w, h = ImageReader(str(folder / ev.image)).getSize()
        total += ROW_H * w / h + 3 * mm
    return total


def _evidence_block(finding: Finding, folder: Path, s: dict) -> list:
    """The zoomed crops side by side (the comparison), then the full frames for context."""
    shown = [ev for ev in finding.evidence if ev.image and (folder / ev.image).is_file()]
    missing = [ev for ev in finding.evidence if ev not in shown and math.isfinite(ev.t_s)]
    crops = [ev for ev in shown if ev.crop and (folder / ev.crop).is_file()][:4]
    out: list = []
    if len(shown) == 1:  # one frame: full frame and zoom side by side
        ev = shown[0]
        cells = [[image(folder / ev.image, 118 * mm, 70 * mm), caption(ev, s, "full frame,")]]
        if crops:
            cells.append([image(folder / ev.crop, 48 * mm), caption(ev, s, "zoomed,")])
        t = Table(
            [[c[0] for c in cells], [c[1] for c in cells]],
            colWidths=[122 * mm, 52 * mm][: len(cells)],
            hAlign="LEFT",
        )
        t.setStyle(_GRID)
        out.append(t)
    elif shown and _one_row_width(shown, crops, folder) <= CONTENT_W:
        # narrow (portrait) frames: zooms and full frames side by side at one height
        cells = [[image(folder / ev.crop, ROW_H, ROW_H), caption(ev, s, "zoomed,")] for ev in crops]
        cells += [
            [image(folder / ev.image, CONTENT_W, ROW_H), caption(ev, s, "full frame,")]
            for ev in shown
        ]
        widths = [c[0].drawWidth + 3 * mm for c in cells]
        t = Table([[c[0] for c in cells], [c[1] for c in cells]], colWidths=widths, hAlign="LEFT")
        t.setStyle(_GRID)
        out.append(t)
    elif shown:
        if crops:
            w = min(46 * mm, (CONTENT_W - 4 * mm * (len(crops) - 1)) / len(crops))
            cells = [[image(folder / ev.crop, w), caption(ev, s, "zoomed,")] for ev in crops]
            out.append(_grid(cells, w, len(crops)))
        per_row = min(len(shown), 3)
        w = (CONTENT_W - 4 * mm * (per_row - 1)) / per_row
        max_h = 52 * mm if per_row == 2 else 46 * mm
        cells = [
            [image(folder / ev.image, w, max_h), caption(ev, s, "full frame,")] for ev in shown
        ]
        out.append(_grid(cells, w, per_row))
    if out:
        out = [KeepTogether([para("Evidence frames", s["h2"]), out[0]])] + out[1:]
    for ev in missing:
        out.append(
            para(
                f"The frame at {both(ev.t_s)} ({ev.label or 'frame'}) could not be "
                "decoded again, so it is not shown.",
                s["small"],
            )
        )
    return out


def finding_section(
    n: int, total: int, finding: Finding, report: Report, folder: Path, s: dict
) -> list:
    """One finding on (ideally) one page: the words, the numbers, the timeline, the frames."""
    check = report.checks[finding.mode]
    out = [
        para(f"Finding {n} of {total}: {finding.technical_term}", s["h1"]),
        para(
            f"{kind_wording(finding.kind).capitalize()} \u00b7 severity {finding.severity} "
            f"\u00b7 confidence {finding.confidence:.2f}" + _track_text(finding),
            s["subtitle"],
        ),
        para(f"First visible at {both(finding.first_s)}", s["key"]),
        para(f"Failure span: {facts.span_text(finding)}", s["body"]),
        para("What was seen", s["h2"]),
        para(finding.description, s["body"]),
    ]
    out += _evidence_block(finding, folder, s)
    out += _video_block(finding, folder, s)
    plots, left_out = plots_for(
        check, finding, float(report.clip.get("duration_s") or 0), limit=MAX_PLOTS
    )
    if plots:
        legend = para(
            "Shaded: the failure span. Red line: the first failure. Dashed orange "
            "line: the threshold.",
            s["small"],
        )
        out.append(KeepTogether([para("Across the clip", s["h2"]), legend, plot(plots[0])]))
        out += [plot(spec) for spec in plots[1:]]
        if left_out:
            out.append(para(more_signals(left_out), s["small"]))
    # the tables last: they may flow onto the next page, a plot may not (no near-empty page)
    out += _measured_block(finding, s)
    out.append(PageBreak())
    return out


MAX_PLOTS = 2  # timeline plots per finding; the rest stay in the JSON
STRIP_H = 30 * mm  # height of the evidence clip's key-frame strip


def _video_block(finding: Finding, folder: Path, s: dict) -> list:
    """The evidence clip's name, what it shows, and a strip of its key frames (if made)."""
    video = finding.evidence_video
    if not video or not (folder / video["file"]).is_file():
        return []
    speeds = " then ".join("normal speed" if p["speed"] == 1 else f"{p['speed']:g}x speed"
                           for p in video.get("passes", []))
    sound = ", with the clip's own sound" if video.get("has_audio") else ""
    times = ", ".join(clock(t) for t in video.get("strip_t_s", []))
    file = Path(video["file"])
    text = (f"<b>{escape(file.name)}</b> (in {escape(file.parent.name)}/): clip time "
            f"{escape(both(video['source_start_s']))} to "
            f"{escape(both(video['source_end_s']))}, {speeds}{sound}, "
            f"{video.get('duration_s', 0):.1f} s. Key frames at {escape(times)}:")
    out: list = [para("Evidence clip", s["h2"]), paragraph(text, s["small"])]  # text is markup
    strip = folder / video["strip"] if video.get("strip") else None
    if strip is not None and strip.is_file():
        out.append(image(strip, CONTENT_W, STRIP_H))
    return [KeepTogether(out)]


def more_signals(n: int) -> str:
    return (
        f"{n} more signal{'s' if n > 1 else ''} of this check "
        f"{'are' if n > 1 else 'is'} in the JSON report (checks.*.signals)."
    )


def _measured_block(finding: Finding, s: dict) -> list:
    """Values paired with a same-named threshold in one table; the rest side by side, small."""
    paired, measured, thresholds = facts.measured_split(finding)
    title = "Measured against the threshold" if paired else "Measured values and settings"
    out: list = [para(title, s["h2"])]
    if paired:
        cells = [[para(h, s["cellb"]) for h in ("Quantity", "Measured", "Threshold")]]
        cells += [
            [para(a, s["cell"]), para(b, s["cellb"]), para(c, s["cell"])] for a, b, c in paired
        ]
        out.append(table(cells, [70 * mm, 45 * mm, CONTENT_W - 115 * mm], header=True))
    half = (CONTENT_W - 6 * mm) / 2
    sides = []
    for title, rows in (("Other measurements", measured), ("Thresholds and settings", thresholds)):
        cells = [[para(title, s["cellb"]), ""]]
        cells += [[para(k, s["small"]), para(v, s["small"])] for k, v in rows]
        t = table(cells, [half * 0.62, half * 0.38], header=True, pad=1.2) if rows else ""
        sides.append(t)
    if any(sides):
        grid = Table([sides], colWidths=[half + 6 * mm, half], hAlign="LEFT")
        grid.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
        out.append(grid)
    # the heading stays with the first table; the rest may go on to the next page
    return [KeepTogether(out[:2]), *out[2:]] if len(out) > 1 else []


def _track_text(finding: Finding) -> str:
    if finding.track is None:
        return ""
    thing = FAILURE_MODES[finding.mode].subject if finding.mode in FAILURE_MODES else "subject"
    return f" \u00b7 {thing} #{finding.track + 1} in the clip"
