"""Evidence frames: fetch the real decoded frame each finding points at, box it, zoom on it.

For every :class:`~ava_detect.report.Evidence` of every finding, the frame on screen at
``Evidence.t_s`` is decoded again from the clip at full resolution (seek by presentation time,
then decode forward; :func:`ava_detect.media.read_frame_at`), and its own presentation time is
checked against the requested one. Two JPEG files are written into the clip's ``*_frames``
folder: the full frame with the region boxed, and a zoomed crop of the region with the landmarks
drawn. The Evidence objects are then filled in place (``image``, ``crop`` relative to the JSON
report, and ``frame_t_s``), so the JSON and the PDF can point at them.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..errors import InputError, OutputError
from ..media import read_frame_at, read_frames_at
from ..report import Evidence, Finding, Report
from ..report.style import FAIL, REFERENCE, is_reference_label, rgb255
from ..signals import ClipSignals
from ..types import Frame
from .paths import OutputPaths

log = logging.getLogger(__name__)

JPEG_QUALITY = 92
CROP_SIDE = 480  # longer side of the zoomed crop, pixels
CROP_MARGIN = 0.35  # context around the region, as a share of its size on each side
MIN_CROP_PX = 48  # smallest region (full-frame px) a crop is cut from
FILE_PATTERN = re.compile(r"^f\d{2}e\d{2}_[a-z0-9_-]+\.jpg$")

# MediaPipe's 21-point hand: wrist 0, thumb 1-4, index 5-8, middle 9-12, ring 13-16, pinky 17-20.
HAND_BONES = (
    (0, 1), (1, 2), (2, 3), (3, 4),
    (0, 5), (5, 6), (6, 7), (7, 8),
    (5, 9), (9, 10), (10, 11), (11, 12),
    (9, 13), (13, 14), (14, 15), (15, 16),
    (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
)  # fmt: skip


@dataclass
class EvidenceRun:
    """What :func:`write_evidence` did: files written, frames whose time did not match."""

    written: list[Path] = field(default_factory=list)
    mismatched: list[tuple[float, float]] = field(default_factory=list)  # (asked, decoded)
    failed: list[tuple[float, str]] = field(default_factory=list)  # (asked, reason)


def write_evidence(report: Report, clip: str | Path, paths: OutputPaths) -> EvidenceRun:
    """Write the evidence frames of every finding and fill their Evidence records.

    Parameters
    ----------
    report
        The analysed clip's report; its findings' evidence gets ``image``, ``crop`` and
        ``frame_t_s`` filled in place.
    clip
        The clip the report describes (frames are decoded from it again).
    paths
        Where the report goes; images land in ``paths.frames``.

    Returns
    -------
    EvidenceRun
        Written files, and any evidence time whose decoded frame was more than one frame away
        or could not be decoded (those keep ``image=None``).
    """
    run = EvidenceRun()
    _clear_old_frames(paths.frames)
    findings = report.findings
    if not any(ev for f in findings for ev in f.evidence):
        return run
    frames = _fetch_all(report, clip, run)
    paths.frames.mkdir(parents=True, exist_ok=True)
    for fi, finding in enumerate(findings, start=1):
        for ei, ev in enumerate(finding.evidence, start=1):
            frame = frames.get(_key(ev.t_s))
            if frame is None:
                continue
            base = _file_stem(fi, ei, finding, ev)
            ev.frame_t_s = frame.t_s
            ev.image = _write(paths, f"{base}.jpg", annotate_frame(frame.rgb, ev), run)
            crop = crop_region(frame.rgb, ev)
            ev.crop = _write(paths, f"{base}_crop.jpg", crop, run) if crop is not None else None
    return run


def add_hand_landmarks(report: Report, signals: ClipSignals | None) -> int:
    """Give hand evidence without ``points`` the tracked hand's 21 landmarks on that frame.

    Uses the analysis's own landmarks (full-resolution pixels) of the finding's ``track`` (as
    :func:`ava_detect.signals.hands.track_hands` numbers them, like the detector) at the
    analysed frame whose time equals ``Evidence.t_s``. Detectors that
    set ``points`` themselves are left alone. Returns how many evidence items were filled.
    """
    if signals is None or signals.hands is None or not len(signals.t_s):
        return 0
    from ..signals.hands import track_hands

    # ``finding.track`` numbers the detector's tracks, not the tracker's slots (which hand
    # sits in which slot changes over a clip): the same tracking gives the track's points.
    points = track_hands(signals.hands).points
    filled = 0
    for finding in report.findings:
        if finding.mode != "hands" or finding.track is None:
            continue
        if not 0 <= finding.track < points.shape[1]:
            continue
        for ev in finding.evidence:
            if ev.points is not None or _key(ev.t_s) is None:
                continue
            i = int(np.argmin(np.abs(signals.t_s - ev.t_s)))
            if abs(signals.t_s[i] - ev.t_s) > 1e-3:
                continue
            pts = points[i, finding.track, :, :2]
            if np.isfinite(pts).all():
                ev.points = np.round(pts.astype(float), 2).tolist()
                filled += 1
    return filled


def _key(t_s: float | None) -> float | None:
    if t_s is None or not math.isfinite(t_s):
        return None
    return round(float(t_s), 6)


def _fetch_all(report: Report, clip: str | Path, run: EvidenceRun) -> dict[float, Frame]:
    """The frame on screen at every evidence time, each checked against its own timestamp.

    All times are decoded in one pass (:func:`~ava_detect.media.read_frames_at`); if that
    fails, each time is tried alone so one undecodable spot costs only its own frames.
    """
    keys = {_key(ev.t_s) for f in report.findings for ev in f.evidence}
    times = sorted(k for k in keys if k is not None)
    try:
        frames = dict(zip(times, read_frames_at(clip, times), strict=True))
    except InputError:
        frames = {}
        for t in times:
            try:
                frames[t] = read_frame_at(clip, t)
            except InputError as exc:
                run.failed.append((t, str(exc)))
                log.warning("evidence frame at %.3f s not written: %s", t, exc)
    fps = float(report.clip.get("fps") or 25.0)
    for t, frame in frames.items():
        # The frame on screen at t is the last one with pts <= t (or the first frame when t is
        # before it), so a correct answer is at most one frame period away.
        if abs(t - frame.t_s) > 1.0 / fps + 1e-3:
            run.mismatched.append((t, frame.t_s))
            log.warning("asked for the frame at %.3f s, decoded one at %.3f s", t, frame.t_s)
    return frames


def _file_stem(fi: int, ei: int, finding: Finding, ev: Evidence) -> str:
    label = re.sub(r"[^a-z0-9]+", "-", (ev.label or "frame").lower()).strip("-") or "frame"
    ms = int(round(ev.t_s * 1000))
    return f"f{fi:02d}e{ei:02d}_{finding.mode}_{finding.kind}_{label}_{ms:06d}ms"


def _write(paths: OutputPaths, name: str, rgb: np.ndarray, run: EvidenceRun) -> str:
    path = paths.frames / name
    ok, data = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise OutputError(f"{path}: the evidence image could not be encoded.")
    try:
        path.write_bytes(data.tobytes())
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror}).") from exc
    run.written.append(path)
    return f"{paths.frames.name}/{name}"


def _clear_old_frames(folder: Path) -> None:
    """Remove evidence images an earlier run wrote here (our own names only)."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder; it was left untouched.")
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and FILE_PATTERN.match(path.name):
                path.unlink()


def _colour(ev: Evidence) -> tuple[int, int, int]:
    r, g, b = rgb255(REFERENCE if is_reference_label(ev.label) else FAIL)
    return (r, g, b)  # images are drawn in RGB order


def region_of(ev: Evidence, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The evidence region in integer pixels, clipped to the frame; from the box or the points.

    ``size`` is (width, height). None when the evidence names no region.
    """
    w, h = size
    if ev.box is not None and all(math.isfinite(v) for v in ev.box):
        x0, y0, x1, y1 = ev.box
    elif ev.points:
        pts = np.asarray(ev.points, dtype=float)[:, :2]
        pts = pts[np.isfinite(pts).all(axis=1)]
        if not len(pts):
            return None
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
    else:
        return None
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    box = (max(0, int(x0)), max(0, int(y0)), min(w - 1, int(math.ceil(x1))), min(h - 1, int(y1)))
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    return box


def annotate_frame(rgb: np.ndarray, ev: Evidence) -> np.ndarray:
    """The full frame with the evidence region boxed (a copy; the input is not changed)."""
    out = rgb.copy()
    h, w = out.shape[:2]
    region = region_of(ev, (w, h))
    if region is not None:
        thick = max(2, int(round(max(w, h) / 360)))
        pad = thick * 2
        x0, y0, x1, y1 = region
        cv2.rectangle(
            out,
            (max(0, x0 - pad), max(0, y0 - pad)),
            (min(w - 1, x1 + pad), min(h - 1, y1 + pad)),
            _colour(ev),
            thick,
            cv2.LINE_AA,
        )
    return out


def crop_region(rgb: np.ndarray, ev: Evidence) -> np.ndarray | None:
    """A zoomed crop around the evidence region, landmarks drawn; None without a region.

    The crop is square around the region with ``CROP_MARGIN`` context, resized so its side is
    ``CROP_SIDE`` pixels.
    """
    h, w = rgb.shape[:2]
    region = region_of(ev, (w, h))
    if region is None:
        return None
    x0, y0, x1, y1 = region
    side = max(x1 - x0, y1 - y0) * (1 + 2 * CROP_MARGIN)
    side = int(min(max(side, MIN_CROP_PX), w, h))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(round(min(max(cx - side / 2, 0), w - side)))
    top = int(round(min(max(cy - side / 2, 0), h - side)))
    crop = rgb[top : top + side, left : left + side]
    scale = CROP_SIDE / side
    interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    out = cv2.resize(crop, (CROP_SIDE, CROP_SIDE), interpolation=interp)
    if ev.points:
        pts = (np.asarray(ev.points, dtype=float)[:, :2] - (left, top)) * scale
        draw_landmarks(out, pts, _colour(ev))
    return out


def draw_landmarks(img: np.ndarray, pts: np.ndarray, colour: tuple[int, int, int]) -> None:
    """Draw (P, 2) pixel points on ``img`` in place; 21 points are joined as a hand skeleton."""
    ok = np.isfinite(pts).all(axis=1)
    ipts = np.where(ok[:, None], pts, 0).round().astype(int)
    if len(pts) == 21:
        # A hand skeleton is drawn thin (1 px bones, 2 px joints) so the fingers it lies on
        # stay visible: the picture, not the skeleton, is the evidence.
        for a, b in HAND_BONES:
            if ok[a] and ok[b]:
                cv2.line(img, tuple(ipts[a]), tuple(ipts[b]), colour, 1, cv2.LINE_AA)
        for i in np.flatnonzero(ok):
            cv2.circle(img, tuple(ipts[i]), 2, colour, -1, cv2.LINE_AA)
        return
    radius = 4 if len(pts) <= 68 else 1
    for i in np.flatnonzero(ok):
        centre = tuple(ipts[i])
        cv2.circle(img, centre, radius + 1, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.circle(img, centre, radius, colour, -1, cv2.LINE_AA)
