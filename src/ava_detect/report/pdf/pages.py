"""The pages around the findings: cover or certificate, ticket text, method appendix.

Each finding's own section is :mod:`.finding`."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table, TableStyle

from ...catalog import FAILURE_MODES, STATUS_MEANING
from .. import facts, style
from ..model import Report
from ..plotdata import plots_for
from ..ticket import ticket_text
from .finding import more_signals
from .plot import plot
from .theme import CONTENT_W, C, facts_table, para, paragraph, table


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
        check = paragraph(
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
    # every header and "INCONCLUSIVE" fit on one line (bold 8.4 pt text + 2.8 mm padding:
    # INCONCLUSIVE 24.8, Severity 13.9, Confidence 18.6, First failure 19.6, m:ss.mmm 18.2 mm)
    widths = [60 * mm, 28 * mm, 17 * mm, 22 * mm, 23 * mm]  # m:ss.mmm gets the rest: 24 mm
    return table(rows, widths + [CONTENT_W - sum(widths)], header=True)


def _speakers(report: Report, s: dict) -> list:
    """Which face spoke when (a dialogue's lip-sync check), a line per speaker."""
    lines = facts.speaker_lines(report)
    if not lines:
        return []
    return [para("Who speaks when (lip sync)", s["h2"]),
            *[para(escape(line), s["small"]) for line in lines]]


def _clip_sections(report: Report, s: dict) -> list:
    return [
        *_speakers(report, s),
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
        heading = para("Measurements across the clip", s["h2"])
        out.append(KeepTogether([heading, plot(plots[0], height=34 * mm)]))
        out += [plot(p, height=34 * mm) for p in plots[1:]]
        if left_out:
            out.append(para(more_signals(left_out), s["small"]))
    out.append(PageBreak())
    return out


def ticket_page(report: Report, pdf_name: str, ticket_name: str, s: dict) -> list:
    text = ticket_text(report, pdf_name=pdf_name)
    # One row per line, so a long ticket (a long clip with many findings) flows over pages.
    rows = [[paragraph(escape(line) or "&nbsp;", s["mono"])] for line in text.splitlines()]
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
