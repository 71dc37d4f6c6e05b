"""Drawing one frame of an evidence clip: header, the boxed frame, the zoom, the panels.

Every picture is (height, width, 3) uint8 RGB. Text is OpenCV's Hershey font (ASCII), large
enough to read in a support widget's small player.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ...report.style import FAIL, REFERENCE, THRESHOLD, rgb255
from ...report.timefmt import both, clock  # noqa: F401 (clock: used by the scene)

FONT = cv2.FONT_HERSHEY_SIMPLEX
BG = (24, 28, 34)
PANEL_BG = (38, 44, 52)
WHITE = (245, 245, 245)
GREY = (170, 178, 189)
RED = rgb255(FAIL)
BLUE = rgb255(REFERENCE)
ORANGE = rgb255(THRESHOLD)
WAVE = (120, 180, 235)
HEADER_H = 72
TIMELINE_H = 40
WAVE_H = 176


def even(x: float) -> int:
    return max(2, int(round(x / 2)) * 2)


def text(img: np.ndarray, s: str, xy: tuple[int, int], scale: float = 0.6,
         colour=WHITE, thick: int = 1) -> None:
    cv2.putText(img, s, xy, FONT, scale, colour, thick, cv2.LINE_AA)


def fit(rgb: np.ndarray, w: int, h: int,
        panel: np.ndarray | None = None) -> tuple[np.ndarray, float, int, int]:
    """``rgb`` scaled to fit a w x h box, centred: (panel, scale, x offset, y offset).

    ``panel`` (h, w, 3), when given, is drawn into (and returned) instead of a new array.
    """
    fh, fw = rgb.shape[:2]
    scale = min(w / fw, h / fh)
    nw, nh = max(1, int(fw * scale)), max(1, int(fh * scale))
    # linear is enough for shrinking by less than 2 (area averaging costs several times more)
    interp = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
    if panel is None:
        panel = np.empty((h, w, 3), np.uint8)
    panel[:] = PANEL_BG
    ox, oy = (w - nw) // 2, (h - nh) // 2
    panel[oy : oy + nh, ox : ox + nw] = cv2.resize(rgb, (nw, nh), interpolation=interp)
    return panel, scale, ox, oy


def boxed(rgb: np.ndarray, box, w: int, h: int, colour,
          panel: np.ndarray | None = None) -> np.ndarray:
    """The frame fitted into w x h with ``box`` (frame pixels) outlined (into ``panel``)."""
    panel, scale, ox, oy = fit(rgb, w, h, panel)
    if box is not None:
        x0, y0, x1, y1 = (int(round(v * scale)) for v in box)
        pad = 4
        cv2.rectangle(panel, (ox + x0 - pad, oy + y0 - pad), (ox + x1 + pad, oy + y1 + pad),
                      colour, 3, cv2.LINE_AA)
    return panel


def zoom(rgb: np.ndarray, box, side: int, margin: float = 0.35) -> np.ndarray:
    """A square crop around ``box`` (frame pixels) with ``margin`` context, ``side`` px."""
    h, w = rgb.shape[:2]
    if box is None:
        return fit(rgb, side, side)[0]
    x0, y0, x1, y1 = box
    size = max(x1 - x0, y1 - y0, 24.0) * (1 + 2 * margin)
    size = int(min(size, w, h))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(round(min(max(cx - size / 2, 0), w - size)))
    top = int(round(min(max(cy - size / 2, 0), h - size)))
    crop = rgb[top : top + size, left : left + size]
    interp = cv2.INTER_CUBIC if side > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (side, side), interpolation=interp)


def caption(panel: np.ndarray, s: str, colour=WHITE) -> None:
    """A label on a dark band at the bottom of a panel (in place); shrinks to fit the panel."""
    h, w = panel.shape[:2]
    cv2.rectangle(panel, (0, h - 28), (w, h), (0, 0, 0), -1)
    text(panel, s, (8, h - 9), fitted(s, 0.55, 1, w - 14), colour)


def fitted(s: str, scale: float, thick: int, max_w: int) -> float:
    """The largest font scale up to ``scale`` at which ``s`` is at most ``max_w`` px wide."""
    (w, _), _ = cv2.getTextSize(s, FONT, scale, thick)
    return scale if w <= max_w else max(0.3, scale * max_w / w)


def header(width: int, term: str, kind: str, t_s: float, speed: float, state: str) -> np.ndarray:
    """Technical term, finding kind, the clip time, the speed and before/failure state; text
    shrinks to fit narrow clips (the badge and the speed keep their place on the right)."""
    img = np.full((HEADER_H, width, 3), BG, np.uint8)
    speed_text = "normal speed" if speed == 1.0 else f"{speed:g}x speed (replay)"
    badge = {"before": ("BEFORE THE FAILURE", BLUE), "first": ("FIRST FAILURE", RED),
             "failure": ("FAILURE", RED)}[state]
    b_scale = fitted(badge[0], 0.6, 2, width // 3)
    (bw, _), _ = cv2.getTextSize(badge[0], FONT, b_scale, 2)
    cv2.rectangle(img, (width - bw - 24, 8), (width - 8, 36), badge[1], -1)
    text(img, badge[0], (width - bw - 16, 29), b_scale, WHITE, 2)
    text(img, term, (12, 28), fitted(term, 0.7, 2, width - bw - 48), WHITE, 2)
    s_scale = fitted(speed_text, 0.6, 1, width // 3)
    (sw, _), _ = cv2.getTextSize(speed_text, FONT, s_scale, 1)
    text(img, speed_text, (width - sw - 12, 60), s_scale, WHITE if speed == 1.0 else ORANGE)
    left = f"{kind}   clip time {both(t_s)}"
    text(img, left, (12, 58), fitted(left, 0.6, 1, width - sw - 36), GREY)
    return img


def timeline(width: int, window: tuple[float, float], span: tuple[float, float],
             first_s: float, t_s: float) -> np.ndarray:
    """A bar over the clip times shown: failure span shaded, first failure, the playhead."""
    img = np.full((TIMELINE_H, width, 3), BG, np.uint8)
    x0, x1 = 12, width - 12
    a, b = window

    def x(t: float) -> int:
        return int(round(x0 + (x1 - x0) * (t - a) / max(b - a, 1e-9)))

    cv2.rectangle(img, (x0, 12), (x1, 24), PANEL_BG, -1)
    cv2.rectangle(img, (max(x0, x(span[0])), 12), (min(x1, x(span[1])), 24), (110, 40, 40), -1)
    cv2.line(img, (x(first_s), 6), (x(first_s), 30), RED, 2)
    cv2.line(img, (x(t_s), 4), (x(t_s), 34), WHITE, 2)
    text(img, "shaded: failure span   red: first failure   white: now", (x0, 38), 0.4, GREY)
    return img


class WaveTrack:
    """The clip's audio waveform and the mouth-opening trace, drawn once, shown per frame.

    ``env``: (C, 2) waveform min/max per column over the whole evidence window (plus the
    half window either side); ``mouth``: (C,) mouth opening per column scaled to 0-1 (NaN where
    not measured). The long strip is drawn once (drawing it per frame cost 21 ms a frame, a
    third of a lip-sync clip's writing time); :meth:`panel` cuts the window around the playhead
    and adds the playhead, the lag arrow and the captions.
    """

    TOP, BOTTOM = 22, WAVE_H - 30

    def __init__(self, width: int, env: np.ndarray, mouth: np.ndarray | None,
                 lag_ms: float | None, px_per_s: float, has_audio: bool):
        self.width, self.lag_ms, self.px_per_s, self.has_audio = width, lag_ms, px_per_s, has_audio
        pad = width // 2 + 1  # the window may reach half a panel beyond either end
        self.pad = pad
        n = len(env)
        track = np.full((WAVE_H, n + 2 * pad, 3), PANEL_BG, np.uint8)
        top, bottom = self.TOP, self.BOTTOM
        mid, half_h = (top + bottom) // 2, (bottom - top) // 2
        if has_audio and n:
            peak = float(np.abs(env).max()) or 1.0
            y_hi = np.rint(mid - env[:, 1] / peak * half_h).astype(int)
            y_lo = np.rint(mid - env[:, 0] / peak * half_h).astype(int)
            rows = np.arange(WAVE_H)[:, None]
            on = (rows >= y_hi[None, :]) & (rows <= y_lo[None, :])
            track[:, pad : pad + n][on] = WAVE
        if mouth is not None:
            pts = [(pad + c, int(bottom - y * (bottom - top))) for c, y in enumerate(mouth)
                   if math.isfinite(y)]
            for p, q in zip(pts, pts[1:], strict=False):
                if q[0] - p[0] <= 2:
                    cv2.line(track, p, q, ORANGE, 2, cv2.LINE_AA)
        self.track = track

    def panel(self, centre_col: int) -> np.ndarray:
        """(WAVE_H, width, 3) window of the track with column ``centre_col`` at the centre."""
        width = self.width
        lo = centre_col - width // 2 + self.pad
        img = np.full((WAVE_H, width, 3), PANEL_BG, np.uint8)
        a, b = max(lo, 0), min(lo + width, self.track.shape[1])
        if b > a:
            img[:, a - lo : b - lo] = self.track[:, a:b]
        top, bottom = self.TOP, self.BOTTOM
        if not self.has_audio:
            text(img, "this clip has no audio track", (width // 2 - 150, (top + bottom) // 2),
                 0.6, GREY)
        centre = width // 2
        cv2.line(img, (centre, top - 6), (centre, bottom + 4), WHITE, 2)
        lag_ms = self.lag_ms
        if lag_ms is not None and math.isfinite(lag_ms):
            dx = int(round(lag_ms / 1000 * self.px_per_s))
            y = top + 4
            cv2.arrowedLine(img, (centre, y), (centre + dx, y), RED, 2, cv2.LINE_AA,
                            tipLength=0.08)
            who = "mouth trails the voice" if lag_ms > 0 else "mouth leads the voice"
            text(img, f"measured lag {lag_ms:+.0f} ms: {who}", (12, 16), 0.55, RED, 1)
        text(img, "blue: the clip's own audio   orange: mouth opening   white line: now",
             (12, WAVE_H - 10), 0.5, GREY)
        return img


def strip(frames: list[np.ndarray], width: int) -> np.ndarray:
    """Key frames of the clip side by side, ``width`` px wide in all."""
    thumb_w = width // max(len(frames), 1)
    thumbs = []
    for f in frames:
        h = int(round(f.shape[0] * thumb_w / f.shape[1]))
        thumbs.append(cv2.resize(f, (thumb_w, h), interpolation=cv2.INTER_AREA))
    height = max(t.shape[0] for t in thumbs)
    out = np.full((height, thumb_w * len(thumbs), 3), 255, np.uint8)
    for i, t in enumerate(thumbs):
        out[: t.shape[0], i * thumb_w : (i + 1) * thumb_w] = t
    return out
