"""The evidence pack's one visual style: palette and sizes shared by the PDF and the frame images.

Colours are ``#rrggbb`` strings so this module needs no drawing library; :mod:`.pdf` turns them
into reportlab colours and :mod:`ava_detect.output.evidence` into OpenCV's BGR tuples.
"""

from __future__ import annotations

INK = "#1f2933"  # body text
MUTED = "#616e7c"  # captions, secondary text
RULE = "#cbd2d9"  # table lines, axes
PANEL = "#f5f7fa"  # table header and ticket background
ACCENT = "#1f4e79"  # headings, signal lines
FAIL = "#c81e1e"  # failures: verdict, failure span, boxes on failing frames
FAIL_SPAN = "#fbd5d5"  # shaded failure span in plots
PASS = "#1e7b34"
WARN = "#b7791f"  # inconclusive
SKIP = "#7b8794"  # skipped
ERROR = "#6a1b9a"  # batch summary: a clip that could not be analysed
ERROR_SPAN = "#f3e5f5"  # batch summary: shaded row of such a clip
REFERENCE = "#2b6cb0"  # boxes on reference ("before") frames
THRESHOLD = "#d97706"  # threshold lines in plots
SERIES = ("#1f4e79", "#7b3fa0", "#0f766e", "#9a3412")  # several signals on one plot

STATUS_COLOUR = {"pass": PASS, "fail": FAIL, "inconclusive": WARN, "skipped": SKIP}


def rgb255(hex_colour: str) -> tuple[int, int, int]:
    """``"#c81e1e"`` -> ``(200, 30, 30)``."""
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def is_reference_label(label: str) -> bool:
    """True for evidence labels that show the clip before the failure ("before", "reference")."""
    text = label.lower()
    return any(word in text for word in ("before", "reference", "baseline", "earlier"))
