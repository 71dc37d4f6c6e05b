"""The PDF evidence pack: ``ava_detect.report.pdf`` is the only package that imports reportlab.

A clip with failures gets: a cover page (verdict, per-check results with first-failure times,
clip facts, what the user supplied), one section per finding (plain words, evidence frames,
measured values against thresholds, vector timeline plots), the ticket text, and a method
appendix. A clip without failures gets a pass certificate (or, if a check could not measure,
an analysis record that says so) and the method appendix. Content comes from
:mod:`ava_detect.report.facts`, :mod:`~ava_detect.report.plotdata` and
:mod:`~ava_detect.report.ticket`; this package only lays it out in one style: ``theme`` (fonts,
colours, tables), ``plot`` (vector timelines), ``pages`` (cover or certificate, ticket, method
appendix), ``finding`` (one section per finding), and ``batch_summary`` (a folder run's
``summary.pdf`` table).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

from ..model import Report
from .finding import finding_section
from .pages import appendix, certificate, cover, ticket_page
from .scripts import runs
from .theme import CONTENT_W, MARGIN, PAGE_H, PAGE_W, C, register_fonts, styles

__all__ = ["pdf_bytes", "write_pdf"]


class _NumberedCanvas(Canvas):
    """Writes "page N of M" by holding pages until the total is known."""

    footer_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        f = register_fonts()
        for page in self._pages:
            self.__dict__.update(page)
            self.setStrokeColor(C["RULE"])
            self.setLineWidth(0.5)
            self.line(MARGIN, 12 * mm, PAGE_W - MARGIN, 12 * mm)
            self.setFont(f["Body"], 7)
            self.setFillColor(C["MUTED"])
            x = MARGIN
            for piece, font in runs(self.footer_text, f["Body"]):
                self.setFont(font, 7)
                self.drawString(x, 8 * mm, piece)
                x += pdfmetrics.stringWidth(piece, font, 7)
            self.setFont(f["Body"], 7)
            self.drawRightString(PAGE_W - MARGIN, 8 * mm, f"page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def pdf_bytes(report: Report, folder: Path, *, stem: str) -> bytes:
    """Lay out the pack for ``report``; evidence image paths are relative to ``folder``."""
    s = styles()
    buf = io.BytesIO()
    clip = report.clip
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        invariant=1,
        title=f"ava-detect evidence pack: {clip.get('file_name', stem)}",
        author="ava-detect",
        creator=f"ava-detect {report.tool_version}",
        subject=f"verdict {report.verdict}",
    )
    doc.addPageTemplates(
        [PageTemplate("page", [Frame(MARGIN, MARGIN, CONTENT_W, PAGE_H - 2 * MARGIN, id="body")])]
    )
    story: list = []
    if report.findings:
        story += cover(report, s) + [PageBreak()]
        total = len(report.findings)
        for n, finding in enumerate(report.findings, start=1):
            story += finding_section(n, total, finding, report, folder, s)
        story += ticket_page(report, f"{stem}.pdf", f"{stem}_ticket.txt", s)
    else:
        story += certificate(report, s)
    story += appendix(report, s)

    footer = (
        f"ava-detect {report.tool_version} \u00b7 {clip.get('file_name', stem)} "
        f"\u00b7 SHA-256 {str(clip.get('sha256', ''))[:16]}\u2026"
    )

    class _Canvas(_NumberedCanvas):
        footer_text = footer

    doc.build(story, canvasmaker=_Canvas)
    return buf.getvalue()


def write_pdf(report: Report, path: str | os.PathLike) -> Path:
    """Write the pack to ``path`` atomically; evidence images are read relative to its folder."""
    from ..json import write_text_atomic

    path = Path(path)
    write_text_atomic(path, pdf_bytes(report, path.parent, stem=path.stem))
    return path
