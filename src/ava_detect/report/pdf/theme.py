"""The pack's one look in reportlab terms: page geometry, colours, fonts, paragraph styles and
table helpers. Colours come from :mod:`ava_detect.report.style`."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

from .. import style
from .scripts import with_script_fonts

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
C = {name: colors.HexColor(getattr(style, name)) for name in (
    "INK", "MUTED", "RULE", "PANEL", "ACCENT", "FAIL", "FAIL_SPAN", "PASS", "WARN", "SKIP",
    "ERROR", "ERROR_SPAN", "REFERENCE", "THRESHOLD")}  # fmt: skip

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
              "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")  # fmt: skip


def _font_dirs() -> list[Path]:
    """Where to look for DejaVu: the system's font folders, then matplotlib's own copy (a
    dependency of MediaPipe, so always installed; found without importing matplotlib)."""
    import importlib.util

    dirs = [Path(d) for d in _FONT_DIRS]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    return dirs
_FONTS: dict[str, str] = {}


def register_fonts() -> dict[str, str]:
    """DejaVu Sans (Latin with accents, Greek, Cyrillic) from the system or matplotlib, else
    reportlab's own Vera (same design family, Latin only); CJK runs: :mod:`.scripts`."""
    if _FONTS:
        return _FONTS
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    wanted = {
        "Body": ("DejaVuSans.ttf", vera / "Vera.ttf"),
        "Body-Bold": ("DejaVuSans-Bold.ttf", vera / "VeraBd.ttf"),
        "Mono": ("DejaVuSansMono.ttf", None),
    }
    for name, (file, fallback) in wanted.items():
        path = next((d / file for d in _font_dirs() if (d / file).is_file()), fallback)
        if path is not None and Path(path).is_file():
            pdfmetrics.registerFont(TTFont(f"ava-{name}", str(path)))
            _FONTS[name] = f"ava-{name}"
        else:
            _FONTS[name] = "Courier"
    pdfmetrics.registerFontFamily(
        "ava-Body",
        normal=_FONTS["Body"],
        bold=_FONTS["Body-Bold"],
        italic=_FONTS["Body"],
        boldItalic=_FONTS["Body-Bold"],
    )
    return _FONTS


def styles() -> dict[str, ParagraphStyle]:
    f = register_fonts()
    base = ParagraphStyle(
        "body",
        fontName=f["Body"],
        fontSize=9.2,
        leading=12.6,
        textColor=C["INK"],
        alignment=TA_LEFT,
        spaceAfter=4,
    )
    return {
        "body": base,
        "title": ParagraphStyle(
            "title",
            base,
            fontName=f["Body-Bold"],
            fontSize=19,
            leading=23,
            textColor=C["ACCENT"],
            spaceAfter=2,
        ),
        "subtitle": ParagraphStyle("subtitle", base, textColor=C["MUTED"], fontSize=9.5),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=f["Body-Bold"],
            fontSize=14.5,
            leading=18,
            textColor=C["ACCENT"],
            spaceBefore=4,
            spaceAfter=4,
        ),
        "h2": ParagraphStyle(
            "h2",
            base,
            fontName=f["Body-Bold"],
            fontSize=10.5,
            leading=14,
            textColor=C["ACCENT"],
            spaceBefore=8,
            spaceAfter=3,
        ),
        "cell": ParagraphStyle("cell", base, fontSize=8.4, leading=10.6, spaceAfter=0),
        "cellb": ParagraphStyle(
            "cellb", base, fontName=f["Body-Bold"], fontSize=8.4, leading=10.6, spaceAfter=0
        ),
        "small": ParagraphStyle(
            "small", base, fontSize=7.6, leading=9.6, textColor=C["MUTED"], spaceAfter=0
        ),
        "mono": ParagraphStyle(
            "mono", base, fontName=f["Mono"], fontSize=7.6, leading=10, spaceAfter=1.5
        ),
        "banner": ParagraphStyle(
            "banner",
            base,
            fontName=f["Body-Bold"],
            fontSize=13,
            leading=16,
            textColor=colors.white,
            spaceAfter=1,
        ),
        "bannertext": ParagraphStyle("bannertext", base, textColor=colors.white, spaceAfter=0),
        "key": ParagraphStyle(
            "key",
            base,
            fontName=f["Body-Bold"],
            fontSize=11.5,
            leading=15,
            textColor=C["FAIL"],
            spaceAfter=2,
        ),
    }


def paragraph(markup: str, st: ParagraphStyle) -> Paragraph:
    """A paragraph of reportlab markup; CJK runs get a font that has their glyphs."""
    return Paragraph(with_script_fonts(markup), st)


def para(text: str, st: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped)."""
    return paragraph(escape(str(text)), st)


def table(
    rows: list[list], widths: list[float], *, header: bool = False, pad: float = 2.5
) -> Table:
    """A ruled table in the pack's style; ``pad`` is the vertical cell padding in points."""
    t = Table(rows, colWidths=widths, hAlign="LEFT")
    cmds = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, C["RULE"]),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), C["PANEL"]))
    t.setStyle(TableStyle(cmds))
    return t


def facts_table(rows: list[tuple[str, str]], s: dict, *, mono_keys: tuple[str, ...] = ()) -> Table:
    cells = []
    for key, value in rows:
        st = s["mono"] if key in mono_keys else s["cell"]
        cells.append([para(key, s["cellb"]), para(value, st)])
    return table(cells, [32 * mm, CONTENT_W - 32 * mm])
