"""Evidence clips: a short video per finding that shows the failure move.

For finding ``NN`` of a clip the file ``CLIP_STEM_frames/fNN_<kind>.mp4`` shows about a second
before the failure and the failure itself (at most ``evidence_video.max_span_s``), once at normal
speed and once at half speed, every frame re-decoded from the clip. Each frame carries the
technical term, the clip time, the speed and whether the failure is on screen yet; the region is
boxed and zoomed. Lip sync adds a scrolling waveform of the clip's own audio with the
mouth-opening trace and the measured lag, and carries the audio itself (slowed with the picture
in the half-speed pass), aligned to the picture sample for frame. Identity puts the reference
face beside the current face. A strip of key frames (``fNN_<kind>_strip.jpg``) goes into the
PDF. The finding's ``evidence_video`` (JSON) names both files and the clip times covered.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ...catalog import kind_wording
from ...errors import InputError, OutputError
from ...media import Mp4Writer, iter_span, read_audio, read_frame_at
from ...report import Finding, Report
from ...report.style import is_reference_label
from ...settings import EvidenceVideoSettings
from ...signals import ClipSignals
from ...types import Frame
from ..paths import OutputPaths
from . import panels as P
from .plan import SPEEDS, Plan, Regions, envelope, mouth_trace, plan_for

log = logging.getLogger(__name__)

AUDIO_SR = 48_000  # sound track of the lip-sync clips
DECODE_SIDE = 1280  # frames are decoded at most this large (the zoom needs detail)
WAVE_WINDOW_S = 3.0  # the waveform panel shows this much time around the playhead
FILE_PATTERN = re.compile(r"^f\d{2}_[a-z0-9_]+(_strip\.jpg|\.mp4)$")


@dataclass
class VideoRun:
    """What :func:`write_evidence_videos` did."""

    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (finding number, why)


def write_evidence_videos(report: Report, clip: str | Path, paths: OutputPaths,
                          signals: ClipSignals | None, cfg: EvidenceVideoSettings) -> VideoRun:
    """Write one evidence clip (and its key-frame strip) per finding; fill ``evidence_video``.

    Earlier runs' clips in the frames folder are removed first (our own names only), also when
    ``cfg.enabled`` is false, so the folder never holds a clip the JSON does not list.
    """
    run = VideoRun()
    clear_old_videos(paths.frames)
    if not cfg.enabled or not report.findings:
        return run
    audio = None
    if any(f.mode == "lipsync" for f in report.findings) and report.clip.get("has_audio"):
        try:
            audio = read_audio(clip, sr=AUDIO_SR)
        except InputError as exc:
            log.warning("evidence clips without sound: %s", exc)
    paths.frames.mkdir(parents=True, exist_ok=True)
    for n, finding in enumerate(report.findings, start=1):
        plan = plan_for(finding, report.clip, cfg)
        if plan is None:
            run.skipped.append((n, "the clip has no usable frame rate or span"))
            continue
        try:
            run.written += _write_one(n, finding, plan, report, clip, paths, signals, cfg, audio)
        except InputError as exc:
            run.skipped.append((n, str(exc)))
            log.warning("evidence clip of finding %d not written: %s", n, exc)
    return run


def clear_old_videos(folder: Path) -> None:
    """Remove evidence clips and strips an earlier run wrote into ``folder``."""
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and FILE_PATTERN.match(path.name):
                path.unlink()


def _write_one(n: int, finding: Finding, plan: Plan, report: Report, clip: str | Path,
               paths: OutputPaths, signals: ClipSignals | None, cfg: EvidenceVideoSettings,
               audio: np.ndarray | None) -> list[Path]:
    stem = f"f{n:02d}_{re.sub(r'[^a-z0-9_]+', '_', finding.kind.lower())}"
    scene = Scene(finding, plan, report, clip, signals, cfg.width, audio)
    video = paths.frames / f"{stem}.mp4"
    keys = _key_times(finding, plan)
    captured: dict[int, np.ndarray] = {}
    with Mp4Writer(video, scene.size, plan.fps, crf=cfg.crf,
                   audio_sr=AUDIO_SR if scene.with_sound else None) as writer:
        # The normal pass decodes and draws each source frame once; the replays reuse those
        # drawings (only the header, which names the speed, is drawn again).
        bodies: list[tuple[float, np.ndarray]] = []  # (frame time, picture below the header)
        for speed in SPEEDS:
            times = plan.times(speed)
            if speed == SPEEDS[0]:
                shown = _shown_once(_frames_at(clip, plan, times), scene, bodies)
            else:
                source_t = np.array([t for t, _ in bodies])
                shown = _held(np.searchsorted(source_t, times + 1e-6, side="right") - 1)
            for i, (k, periods) in enumerate(shown):
                t, body = bodies[k]
                canvas = scene.compose(scene.header(t, speed), body)
                writer.add_frame(canvas, periods)
                if speed == SPEEDS[0] and i in keys:
                    captured[i] = canvas
        if scene.with_sound:
            writer.add_audio(scene.sound())
        writer.close()
    strip_path = paths.frames / f"{stem}_strip.jpg"
    strip = P.strip([captured[i] for i in sorted(captured)], 1600)
    ok, data = cv2.imencode(".jpg", strip[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:
        raise OutputError(f"{strip_path}: the key-frame strip could not be encoded.")
    strip_path.write_bytes(data.tobytes())
    folder = paths.frames.name
    finding.evidence_video = {
        "file": f"{folder}/{video.name}",
        "strip": f"{folder}/{strip_path.name}",
        "strip_t_s": [round(float(plan.times(1.0)[i]), 6) for i in sorted(captured)],
        "source_start_s": plan.start_s,
        "source_end_s": plan.end_s,
        "duration_s": round(plan.passes()[-1]["end_s"], 6),
        "fps": round(float(plan.fps), 6),
        "width": scene.size[0],
        "height": scene.size[1],
        "passes": plan.passes(),
        "has_audio": scene.with_sound,
        "bytes": video.stat().st_size,
    }
    return [video, strip_path]


def _shown_once(frames: Iterator[Frame], scene: Scene,
                bodies: list[tuple[float, np.ndarray]]) -> list[tuple[int, int]]:
    """Draw each distinct source frame of the normal pass once into ``bodies``; returns the
    pass as (index into bodies, periods it is held)."""
    order = []
    last = None
    for frame in frames:
        if frame is not last:
            bodies.append((frame.t_s, scene.body(frame)))
            last = frame
        order.append(len(bodies) - 1)
    return _held(np.asarray(order))


def _held(order: np.ndarray) -> list[tuple[int, int]]:
    """Runs of one picture: (picture index, how many periods in a row it is shown)."""
    out: list[tuple[int, int]] = []
    for k in order.tolist():
        k = max(k, 0)
        if out and out[-1][0] == k:
            out[-1] = (k, out[-1][1] + 1)
        else:
            out.append((k, 1))
    return out


def _key_times(finding: Finding, plan: Plan) -> set[int]:
    """Normal-pass frame numbers for the strip: context, first failure, mid-span, last."""
    times = plan.times(1.0)
    end = min(finding.end_s, plan.end_s)
    wanted = (plan.start_s, finding.first_s, (finding.first_s + end) / 2, times[-1])
    return {min(int(np.searchsorted(times, t - 1e-6)), len(times) - 1) for t in wanted}


def _frames_at(clip: str | Path, plan: Plan, times: np.ndarray) -> Iterator[Frame]:
    """The frame on screen at each of ``times`` (increasing), decoding the span once."""
    source = iter_span(clip, plan.start_s, plan.end_s, max_side=DECODE_SIDE)
    current = next(source, None)
    if current is None:
        raise InputError(f"{clip}: no frame could be decoded between {plan.start_s:.3f} s "
                         f"and {plan.end_s:.3f} s.")
    upcoming = next(source, None)
    for t in times:
        while upcoming is not None and upcoming.t_s <= t + 1e-6:
            current, upcoming = upcoming, next(source, None)
        yield current


class Scene:
    """Lays out and draws the frames of one finding's evidence clip."""

    def __init__(self, finding: Finding, plan: Plan, report: Report, clip: str | Path,
                 signals: ClipSignals | None, width: int, audio: np.ndarray | None):
        self.f, self.plan = finding, plan
        self.kind = kind_wording(finding.kind)
        self.ref_w = float(signals.frame_size[0] if signals is not None
                           else report.clip.get("width") or 0) or None
        self.regions = Regions(finding, signals, (plan.start_s, plan.end_s))
        self.width = P.even(width)
        self.lipsync = finding.mode == "lipsync"
        self.identity = finding.mode == "identity"
        self.audio = audio if self.lipsync else None
        self.with_sound = self.audio is not None
        if self.identity:
            self.face = P.even(self.width * 0.27)
            self.main_h = P.even(self.face + 100)
            self.left = self.width - 2 * self.face - 24
            self.reference = self._reference_face(clip)
        else:
            self.right = P.even(self.width * 0.43)
            self.main_h = self.right
            self.left = self.width - self.right
        if self.lipsync:
            self._prepare_wave(report, signals)
        height = P.HEADER_H + self.main_h + P.TIMELINE_H + (P.WAVE_H if self.lipsync else 0)
        self.size = (self.width, P.even(height))
        self._main = np.full((self.main_h, self.width, 3), P.BG, np.uint8)  # reused
        self._left_panel = np.empty((self.main_h, self.left, 3), np.uint8)

    def render(self, frame: Frame, speed: float) -> np.ndarray:
        """The whole picture for ``frame`` shown at ``speed``."""
        return self.compose(self.header(frame.t_s, speed), self.body(frame))

    def header(self, t: float, speed: float) -> np.ndarray:
        return P.header(self.width, self.f.technical_term, self.kind, t, speed, self._state(t))

    def compose(self, header: np.ndarray, body: np.ndarray) -> np.ndarray:
        out = np.concatenate([header, body], axis=0)
        if out.shape[0] < self.size[1]:
            out = np.concatenate([out, np.full((self.size[1] - out.shape[0], self.width, 3),
                                               P.BG, np.uint8)])
        return out

    def body(self, frame: Frame) -> np.ndarray:
        """Everything below the header: the frame and zoom, waveform, timeline."""
        rgb, t = frame.rgb, frame.t_s
        scale = rgb.shape[1] / self.ref_w if self.ref_w else 1.0
        region = self.regions.at(t)
        box = tuple(v * scale for v in region) if region is not None else None
        state = self._state(t)
        colour = P.BLUE if state == "before" else P.RED
        rows = []
        main = self._main
        P.boxed(rgb, box, self.left, self.main_h, colour, self._left_panel)
        main[:, : self.left] = self._left_panel
        if self.identity:
            y = (self.main_h - self.face) // 2
            x = self.left + 12
            main[y : y + self.face, x : x + self.face] = self.reference
            now = P.zoom(rgb, box, self.face)
            P.caption(now, f"now {P.clock(t)}", P.WHITE)
            x += self.face + 12
            main[y : y + self.face, x : x + self.face] = now
        else:
            crop = P.zoom(rgb, box, self.right)
            P.caption(crop, "mouth, zoomed" if self.lipsync else "zoomed region")
            main[:, self.left :] = crop
        rows.append(main)  # copied by the concatenation below (self._main is reused)
        if self.lipsync:
            col = int(round((t - self.t0) * self.px_per_s))
            rows.append(self.wave.panel(col))
        rows.append(P.timeline(self.width, (self.plan.start_s, self.plan.end_s),
                               (self.f.start_s, self.f.end_s), self.f.first_s, t))
        return np.concatenate(rows, axis=0)

    def sound(self) -> np.ndarray:
        """The clip's audio under the normal pass, then the same slowed to half speed."""
        n = int(round(self.plan.pass_s * AUDIO_SR))
        a = int(round(self.plan.start_s * AUDIO_SR))
        seg = np.zeros(n, np.float32)
        part = self.audio[a : a + n]
        seg[: len(part)] = part
        slow = np.interp(np.arange(2 * n) / 2.0, np.arange(n), seg).astype(np.float32)
        return np.concatenate([seg, slow])

    def _state(self, t: float) -> str:
        period = 1.0 / float(self.plan.fps)
        if t < self.f.first_s - 1e-3:
            return "before"
        if t < self.f.first_s + period - 1e-3:
            return "first"
        return "failure"

    def _reference_face(self, clip: str | Path) -> np.ndarray:
        ref = next((e for e in self.f.evidence if is_reference_label(e.label)), None)
        side = self.face
        if ref is None:
            tile = np.full((side, side, 3), P.PANEL_BG, np.uint8)
            P.caption(tile, "no reference frame")
            return tile
        frame = read_frame_at(clip, ref.t_s, max_side=DECODE_SIDE)
        scale = frame.rgb.shape[1] / self.ref_w if self.ref_w else 1.0
        box = ref.box or Regions(self.f, None, (ref.t_s, ref.t_s)).at(ref.t_s)
        box = tuple(v * scale for v in box) if box is not None else None
        tile = P.zoom(frame.rgb, box, side)
        P.caption(tile, f"reference {P.clock(frame.t_s)}", (150, 200, 255))
        return tile

    def _prepare_wave(self, report: Report, signals: ClipSignals | None) -> None:
        self.px_per_s = self.width / WAVE_WINDOW_S
        half = WAVE_WINDOW_S / 2
        self.t0 = self.plan.start_s - half
        n_cols = int(math.ceil((self.plan.end_s - self.plan.start_s + 2 * half) * self.px_per_s))
        self.env = (envelope(self.audio, AUDIO_SR, self.t0, self.px_per_s, n_cols)
                    if self.audio is not None else np.zeros((n_cols, 2), np.float32))
        self.mouth = None
        check = report.checks.get(self.f.mode)
        trace = mouth_trace(self.f, signals, check.details if check else {})
        if trace is not None:
            t, v = trace
            ok = np.isfinite(v) & np.isfinite(t)
            if ok.sum() >= 2:
                tc = self.t0 + (np.arange(n_cols) + 0.5) / self.px_per_s
                m = np.interp(tc, t[ok], v[ok])
                gap = np.abs(t[ok][np.clip(np.searchsorted(t[ok], tc), 0, ok.sum() - 1)] - tc)
                m[(gap > 0.15) | (tc < t[ok][0]) | (tc > t[ok][-1])] = np.nan
                top = np.nanpercentile(m, 99) if np.isfinite(m).any() else 1.0
                self.mouth = np.clip(m / (top or 1.0), 0, 1)
        self.wave = P.WaveTrack(self.width, self.env, self.mouth, self.f.measured.get("lag_ms"),
                                self.px_per_s, self.with_sound)
