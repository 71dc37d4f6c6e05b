"""The batch summary PDF (``summary.pdf``): one table of every clip, each linked to its own pack.

The rows come already in the order to show (failures first; :mod:`ava_detect.batch.summary`
decides), so this module only lays them out, in the colours of :mod:`ava_detect.report.style`.
Links are relative to the summary's folder, so the whole ``--out`` folder can be moved or zipped:
a clip's PDF pack opens with a PDF "go to file" link; a clip without a pack links to its JSON.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, TableStyle

from ...catalog import CHECK_NAMES, FAILURE_MODES, headline_text
from ..json import write_text_atomic
from .theme import C, paragraph, register_fonts

_VERDICT_COLOUR = {
    "fail": C["FAIL"],
    "error": C["ERROR"],
    "inconclusive": C["WARN"],
    "pass": C["PASS"],
}
_ROW_TINT = {"fail": C["FAIL_SPAN"], "error": C["ERROR_SPAN"]}


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    f = register_fonts()  # the pack's fonts: file names in any script (see .scripts)
    cell = ParagraphStyle("cell", parent=base["BodyText"], fontName=f["Body"], fontSize=7.5,
                          leading=9)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=f["Body-Bold"]),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=f["Body"], fontSize=9,
                               leading=12),
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=f["Body-Bold"]),
    }


def _hex(colour: colors.Color) -> str:
    return "#" + colour.hexval()[2:]


def _fmt_s(value) -> str:
    return f"{value:.3f} s" if isinstance(value, int | float) else ""


def _link(row: dict) -> str:
    name = escape(row["path"])
    if row.get("pdf"):
        return f'<a href="pdf:{escape(row["pdf"])}" color="blue"><u>{name}</u></a>'
    if row.get("report"):
        return f'<a href="{escape(row["report"])}" color="blue"><u>{name}</u></a>'
    return name


def _check_cell(row: dict, name: str) -> str:
    status = row.get(f"{name}_status")
    if row["verdict"] == "error":
        return ""
    if not status:
        return f'<font color="{_hex(C["SKIP"])}">not run</font>'
    text = escape(status)
    if status == "fail":
        first = _fmt_s(row.get(f"{name}_first_s"))
        text = f'<font color="{_hex(C["FAIL"])}"><b>fail</b></font> {first}'
    headline = headline_text(name, row)
    if headline:
        text += f"<br/>{escape(headline)}"
    return text


def _table(rows: list[dict], st: dict[str, ParagraphStyle]) -> LongTable:
    head = ["#", "clip (link to its report)", "verdict", "severity"]
    head += [FAILURE_MODES[n].technical_term for n in CHECK_NAMES]
    head += ["first failure", "error"]
    data = [[paragraph(escape(h), st["head"]) for h in head]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, C["RULE"]),
        ("BACKGROUND", (0, 0), (-1, 0), C["PANEL"]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for i, row in enumerate(rows, start=1):
        verdict = row["verdict"]
        colour = _hex(_VERDICT_COLOUR.get(verdict, colors.black))
        cells = [
            str(i),
            _link(row),
            f'<font color="{colour}"><b>{escape(verdict)}</b></font>'
            + (" (reused)" if row.get("resumed") else ""),
            escape(row.get("worst_severity") or ""),
            *(_check_cell(row, n) for n in CHECK_NAMES),
            _fmt_s(row.get("first_failure_s")),
            escape(row.get("error") or ""),
        ]
        data.append([paragraph(c, st["cell"]) for c in cells])
        if verdict in _ROW_TINT:
            style.append(("BACKGROUND", (0, i), (-1, i), _ROW_TINT[verdict]))
    # the verdict column fits "inconclusive" on one line (7.5 pt: 22 mm with padding)
    widths = [8 * mm, 62 * mm, 20 * mm, 20 * mm, 30 * mm, 30 * mm, 30 * mm, 18 * mm, 49 * mm]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def write_summary_pdf(path: str | os.PathLike, summary: dict, rows: list[dict]) -> Path:
    """Write the summary PDF for ``summary`` (as built by ``batch.summary.summary_dict``).

    ``rows`` are the summary's clip rows in the order the table lists them. Written to a
    temporary name and renamed, like every report file.
    """
    import io

    path = Path(path)
    st = _styles()
    n = summary["counts"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title="ava-detect batch summary",
        author=f"ava-detect {summary['tool']['version']}",
    )
    facts = (
        f"Folder <b>{escape(summary['folder'])}</b>, analysed {escape(summary['created_at'])} "
        f"with ava-detect {escape(summary['tool']['version'])} "
        f"(settings digest {escape(summary['settings_digest'])}).<br/>"
        f"<b>{len(rows)} clips</b>: {n['fail']} fail, {n['error']} could not be analysed, "
        f"{n['inconclusive']} inconclusive, {n['pass']} pass"
        + (f"; {n['resumed']} reports reused from an earlier run" if n.get("resumed") else "")
        + f". Exit code {summary['exit_code']} with --fail-on {escape(summary['fail_on'])}."
    )
    story = [paragraph("ava-detect batch summary", st["title"]), paragraph(facts, st["body"])]
    if summary.get("not_videos"):
        shown = summary["not_videos"][:20]
        more = len(summary["not_videos"]) - len(shown)
        text = ", ".join(escape(p) for p in shown) + (f" and {more} more" if more else "")
        story.append(paragraph(f"Skipped, not video: {text}.", st["body"]))
    story += [Spacer(1, 4 * mm), _table(rows, st)]
    doc.build(story)
    write_text_atomic(path, buffer.getvalue())
    return path
