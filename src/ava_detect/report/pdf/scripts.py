"""Text in any script: Chinese, Japanese and Korean runs get a font that has their glyphs.

The body font (DejaVu Sans) covers Latin with accents, Greek and Cyrillic, but no CJK. A run of
CJK characters in a file name, prompt or generation ID is set in a CJK font instead: an
embedded TrueType one when the system has one (WenQuanYi Micro Hei, Droid Sans Fallback: the
pack then shows the characters everywhere), else one of reportlab's built-in CID fonts (not
embedded: the characters are in the text layer, and viewers draw them with their own CJK fonts).
"""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HAN = "\u2e80-\u2fdf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK_PUNCT = "\u3000-\u303f\uff00-\uff65\uffe0-\uffef"
_RUN = re.compile(f"[{_HANGUL}{_KANA}{_HAN}{_CJK_PUNCT}]+")

# TrueType CJK fonts (reportlab cannot embed the CFF-based Noto/Source Han OpenType fonts).
_CJK_TTF = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
)
# reportlab's CID fonts per script (Adobe's standard Asian fonts, known to PDF viewers).
_CID = {"korean": "HYSMyeongJo-Medium", "japanese": "HeiseiKakuGo-W5", "chinese": "STSong-Light"}
_registered: dict[str, str] = {}


def _embedded_cjk_font() -> str | None:
    if "embedded" not in _registered:
        _registered["embedded"] = ""
        for path, index in _CJK_TTF:
            if Path(path).is_file():
                try:
                    pdfmetrics.registerFont(TTFont("ava-CJK", path, subfontIndex=index))
                except Exception:  # noqa: BLE001 - an unreadable font: try the next
                    continue
                _registered["embedded"] = "ava-CJK"
                break
    return _registered["embedded"] or None


def _cid_font(script: str) -> str:
    name = _CID[script]
    if name not in _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(name))
        _registered[name] = name
    return name


def font_for(run: str) -> str:
    """The font for one run of CJK characters."""
    embedded = _embedded_cjk_font()
    if embedded:
        return embedded
    if re.search(f"[{_HANGUL}]", run):
        return _cid_font("korean")
    if re.search(f"[{_KANA}]", run):
        return _cid_font("japanese")
    return _cid_font("chinese")


def with_script_fonts(markup: str) -> str:
    """Paragraph markup with every run of CJK characters wrapped in a font that has them."""
    return _RUN.sub(lambda m: f'<font name="{font_for(m.group())}">{m.group()}</font>', markup)


def runs(text: str, body_font: str) -> list[tuple[str, str]]:
    """Plain text as (piece, font) runs, for drawing straight on a canvas."""
    out, at = [], 0
    for m in _RUN.finditer(text):
        if m.start() > at:
            out.append((text[at : m.start()], body_font))
        out.append((m.group(), font_for(m.group())))
        at = m.end()
    if at < len(text):
        out.append((text[at:], body_font))
    return out
