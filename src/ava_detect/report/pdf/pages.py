"""The pages of the pack: cover or certificate, finding sections, ticket, method appendix."""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from ...catalog import FAILURE_MODES, STATUS_MEANING, kind_wording
from .. import facts, style
from ..model import Evidence, Finding, Report
from ..plotdata import plots_for
from ..ticket import ticket_text
from ..timefmt import both
from .plot import plot
from .theme import CONTENT_W, C, facts_table, para, table


def _banner(report: Report, s: dict) -> Table:
    words = {
        "fail": "FAILURES FOUND",
        "pass": "NO FAILURE FOUND",
        "inconclusive": "NO FAILURE FOUND \u2014 NOT EVERY CHECK COULD MEASURE",
    }
    colour = colors.HexColor(style.STATUS_COLOUR[report.verdict])
    t = Table(
        [
            [para(f"Verdict: {words[report.verdict]}", s["banner"])],
            [para(facts.verdict_line(report), s["bannertext"])],
        ],
        colWidths=[CONTENT_W],
    )
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (0, 0), 7),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
            ]
        )
    )
    return t


def _checks_table(report: Report, s: dict) -> Table:
    head = ["Check", "Result", "Severity", "Confidence", "First failure", "m:ss.mmm"]
    rows = [[para(h, s["cellb"]) for h in head]]
    for r in facts.check_rows(report):
        status = ParagraphStyle(
            "st", s["cellb"], textColor=colors.HexColor(style.STATUS_COLOUR[r["status"]])
        )
        check = Paragraph(
            f"<b>{escape(r['term'])}</b><br/>{escape(r['plain'])}"
            + (f": {escape(r['note'])}" if r["note"] else ""),
            s["cell"],
        )
        rows.append(
            [
                check,
                para(r["status"].upper(), status),
                para(r["severity"], s["cell"]),
                para(r["confidence"], s["cell"]),
                para(r["first_s"], s["cellb"]),
                para(r["first_clock"], s["cellb"]),
            ]
        )
    widths = [66 * mm, 19 * mm, 18 * mm, 22 * mm, 25 * mm]
    return table(rows, widths + [CONTENT_W - sum(widths)], header=True)


def _clip_sections(report: Report, s: dict) -> list:
    return [
        para("The clip", s["h2"]),
        facts_table(facts.clip_rows(report), s, mono_keys=("SHA-256",)),
        para("Supplied by the user", s["h2"]),
        facts_table(facts.user_rows(report), s),
        para("This analysis", s["h2"]),
        facts_table(facts.tool_rows(report), s),
    ]


def cover(report: Report, s: dict) -> list:
    name = report.clip.get("file_name", "clip")
    out = [
        para("Evidence pack", s["title"]),
        para(
            f"{name}: an AI-generated clip checked by ava-detect for generation failures",
            s["subtitle"],
        ),
        Spacer(1, 4),
        _banner(report, s),
        Spacer(1, 8),
        para("Results per check", s["h2"]),
        _checks_table(report, s),
    ]
    out += _clip_sections(report, s)
    n = len(report.findings)
    out.append(Spacer(1, 6))
    out.append(
        para(
            f"Next pages: {n} finding section{'s' if n != 1 else ''} with the evidence "
            "frames and measurements, the ticket text to paste into a support form, and "
            "how each check measures.",
            s["small"],
        )
    )
    return out


def certificate(report: Report, s: dict) -> list:
    title = "Check certificate" if report.verdict == "pass" else "Analysis record"
    terms = ", ".join(FAILURE_MODES[m].technical_term for m in report.checks)
    out = [
        para(title, s["title"]),
        para(
            f"{report.clip.get('file_name', 'clip')} was checked by ava-detect "
            f"{report.tool_version} for: {terms}.",
            s["subtitle"],
        ),
        Spacer(1, 4),
        _banner(report, s),
        Spacer(1, 8),
        para("Results per check", s["h2"]),
        _checks_table(report, s),
    ]
    out += _clip_sections(report, s)
    duration = float(report.clip.get("duration_s") or 0)
    plots, left_out = [], 0
    for check in report.checks.values():
        some, more = plots_for(check, None, duration, limit=2)
        plots += some
        left_out += more
    if plots:
        out.append(para("Measurements across the clip", s["h2"]))
        out += [plot(p, height=34 * mm) for p in plots]
        if left_out:
            out.append(para(_more_signals(left_out), s["small"]))
    out.append(PageBreak())
    return out


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
    return Paragraph(text, s["small"])


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
    out += _measured_block(finding, s)
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
            out.append(para(_more_signals(left_out), s["small"]))
    out.append(PageBreak())
    return out


MAX_PLOTS = 2  # timeline plots per finding; the rest stay in the JSON


def _more_signals(n: int) -> str:
    return (
        f"{n} more signal{'s' if n > 1 else ''} of this check "
        f"{'are' if n > 1 else 'is'} in the JSON report (checks.*.signals)."
    )


def _measured_block(finding: Finding, s: dict) -> list:
    """Values paired with a same-named threshold in one table; the rest side by side, small."""
    paired, measured, thresholds = facts.measured_split(finding)
    out: list = [para("Measured against the threshold", s["h2"])]
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
    return [KeepTogether(out)] if len(out) > 1 else []


def _track_text(finding: Finding) -> str:
    if finding.track is None:
        return ""
    thing = FAILURE_MODES[finding.mode].subject if finding.mode in FAILURE_MODES else "subject"
    return f" \u00b7 {thing} #{finding.track + 1} in the clip"


def ticket_page(report: Report, pdf_name: str, ticket_name: str, s: dict) -> list:
    text = ticket_text(report, pdf_name=pdf_name)
    # One row per line, so a long ticket (a long clip with many findings) flows over pages.
    rows = [[Paragraph(escape(line) or "&nbsp;", s["mono"])] for line in text.splitlines()]
    box = Table(rows, colWidths=[CONTENT_W], splitByRow=True, repeatRows=0)
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), C["PANEL"]),
                ("BOX", (0, 0), (-1, -1), 0.6, C["RULE"]),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
            ]
        )
    )
    return [
        para("Ticket text", s["h1"]),
        para(
            f"Copy the text in the box into the platform's support form and attach the "
            f"frames it lists (they are in the folder next to this PDF). The same text is in "
            f"{ticket_name}.",
            s["body"],
        ),
        Spacer(1, 4),
        box,
        PageBreak(),
    ]


def appendix(report: Report, s: dict) -> list:
    out = [
        para("Method", s["h1"]),
        para(
            "Times are presentation times on the clip's own timeline (0 is the start of the "
            "clip), written as seconds with milliseconds and as minutes:seconds.milliseconds. "
            "Every evidence frame was decoded again from the clip at its stated time, and the "
            "decoded frame's own timestamp was checked; it is the real frame, not a "
            "re-rendering.",
            s["body"],
        ),
        para("What the results mean", s["h2"]),
    ]
    out.append(
        table(
            [[para(k.upper(), s["cellb"]), para(v, s["cell"])] for k, v in STATUS_MEANING.items()],
            [28 * mm, CONTENT_W - 28 * mm],
        )
    )
    for mode, check in report.checks.items():
        fm = FAILURE_MODES[mode]
        block = [
            para(f"{fm.plain_name}: {fm.technical_term}", s["h2"]),
            para(
                f"Result on this clip: {check.status}"
                + (f" ({check.reason})" if check.reason else "")
                + ".",
                s["body"],
            ),
        ]
        if check.status == "skipped":  # nothing was measured: the reason is enough
            out.append(KeepTogether(block))
            continue
        block += [para(text, s["body"]) for text in fm.method]
        rows = facts.settings_rows(report, mode)
        if rows:
            text = "; ".join(f"{k} {v}" for k, v in rows)
            block.append(para(f"Settings used: {text}.", s["small"]))
        block += [para(f"Limit: {text}", s["small"]) for text in fm.limits]
        out.append(KeepTogether(block[:3]))
        out += block[3:]
    return out
