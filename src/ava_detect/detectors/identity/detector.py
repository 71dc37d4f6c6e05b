"""Facial Identity Drift: a face that turns into a different person, caught at the frame.

Per face track (one face in one shot) the reference is the median identity embedding of its
first clean (near-frontal) frames. Every embedded frame's distance to it is measured; frames
turned too far from the camera are not compared. The distance of the embeddings averaged over
a short trailing window must exceed the lower of an absolute threshold and the track's own
baseline plus a margin, for a minimum time (hysteresis); the onset is then walked back to the
first frame that left the baseline. A rise within a frame or two is an ``identity_switch``,
a slower one an ``identity_drift``. At editorial cuts every reference starts again and the
report records a new shot, not a change of person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report import CheckResult, Evidence, Finding
from ...signals.face import (
    eye_distance,
    face_box,
    head_pose,
    is_shot_cut,
    mouth_opening,
)
from ...signals.identity import (
    Alarm,
    TrackSpan,
    blend_end,
    dissolve_measure,
    find_alarms,
    largest_step,
    matched_pose_distance,
    raw_distance,
    reference,
    smoothed_distance,
    split_tracks,
)
from ..registry import register
from .breakup import breakup_measure
from .ends import (
    confirm_at_matched_pose,
    early_switch,
    early_switch_finding,
    ends_finding,
    local_matched_curve,
    reentry_findings,
    track_ends,
    unstable_finding,
)
from .summary import details as _details
from .summary import dissolve_event, plot, stability, why_unmeasured
from .summary import range_of as _range

if TYPE_CHECKING:
    from ...settings import IdentitySettings, Settings
    from ...signals import ClipSignals


@register
class IdentityDriftDetector:
    """Facial Identity Drift (mode ``identity``)."""

    mode = "identity"
    needs_hands = False
    needs_faces = True
    needs_audio = False

    def analysers(self, settings: Settings) -> tuple[str, ...]:
        return ("face",)

    def detect(self, signals: ClipSignals, settings: Settings) -> CheckResult:
        s = settings.identity
        faces = signals.faces
        if faces is None or not faces.present.any():
            return CheckResult("skipped", reason="no face was found in any frame")
        emb = signals.measured.get("face.embedding")
        if emb is None:
            return CheckResult("inconclusive", reason="face embeddings were not computed")
        t = signals.t_s
        n, k_slots = faces.present.shape
        pts = faces.points.astype(np.float64)
        yaw, pitch = head_pose(pts)
        eyes = eye_distance(pts)
        mouth = mouth_opening(pts)
        hist = signals.measured.get("face.hist_change", np.full(n, np.nan))
        similar = signals.measured.get("face.similarity", np.full(n, np.nan))
        cuts = np.flatnonzero(is_shot_cut(hist, similar, min_change=s.shot_cut,
                                          max_similarity=s.shot_cut_similarity))
        ctx = _Context(signals, s, pts, (yaw, pitch, mouth), eyes, emb, cuts)

        tracks, findings, plots, events = [], [], {}, []
        for k in range(k_slots):
            present = faces.present[:, k]
            if not present.any():
                continue
            centres = np.full((n, 2), np.nan)
            centres[present] = pts[present, k, :, :2].mean(axis=1)
            curve = np.full(n, np.nan)
            spans = split_tracks(k, present, centres, eyes[:, k], t, cuts,
                                 jump_eye_distances=s.track_jump_eye_distances,
                                 gap_s=s.track_gap_s)
            while spans:
                span = spans.pop(0)
                info, found, dissolve = ctx.track(span, curve)
                tracks.append(info)
                findings.extend(found)
                if dissolve is not None:  # the rest of the track is a new shot
                    events.append(dissolve_event(t, *dissolve))
                    spans.insert(0, TrackSpan(k, dissolve[1], span.end, "new shot"))
            if np.isfinite(curve).any():
                measured = np.isfinite(curve)  # embedded frames only: no gaps in the line
                plots[f"identity_distance_face{k + 1}"] = {
                    **plot(t[measured], curve[measured],
                            f"Face {k + 1}: identity distance to its reference (smoothed)",
                            min((tr["on_threshold"] for tr in tracks if tr["slot"] == k
                                 and tr["on_threshold"] is not None), default=s.abs_on)),
                    "track": k}
        several = int(faces.present.any(axis=0).sum()) > 1
        match = {"pose_deg": s.matched_pose_deg, "mouth": s.matched_mouth,
                 "min_pairs": s.matched_min_pairs, "on": s.matched_on}
        pose = (yaw, pitch, mouth)
        findings.extend(reentry_findings(ctx.ends, ctx.emb, t, pts, pose, on=s.reentry_on,
                                         match=match, several=several))
        for te in ctx.ends:
            k = te.span.slot
            found = ends_finding(te, ctx.emb[:, k], ctx.usable[k], t, pts, pose, on=s.ends_on,
                                 match=match, several=several)
            findings.extend([found] if found else [])
        if len(cuts):
            plots["shot_change"] = {**plot(t, hist, "Whole-frame colour histogram change",
                                            s.shot_cut), "unit": "share of picture",
                                    "threshold_label": "new shot"}
        details = _details(tracks, cuts, t, hist, plots, emb, events)
        details["face_breakup"] = breakup_measure(
            t, faces.present, signals.measured.get("face.sharpness") if s.breakup_measure
            else None, signals.measured.get("face.ring_sharpness"), yaw, eyes, cuts, s)
        measured = [tr for tr in tracks if tr["measured"]]
        if findings:
            findings.sort(key=lambda f: (f.first_s, f.track))
            details["stability_score"] = 0.0  # a confirmed change of person is not steady
            return CheckResult("fail", findings=findings, details=details)
        if not measured:
            return CheckResult("inconclusive", reason=why_unmeasured(tracks, s), details=details)
        return CheckResult("pass", details=details)


class _Context:
    """Per-clip arrays shared by the per-track analysis."""

    def __init__(self, signals: ClipSignals, s: IdentitySettings, pts: np.ndarray,
                 pose: tuple[np.ndarray, np.ndarray, np.ndarray], eyes: np.ndarray,
                 emb: np.ndarray, cuts: np.ndarray):
        self.sig, self.s, self.pts, self.eyes, self.cuts = signals, s, pts, eyes, cuts
        self.ends: list = []  # TrackEnds of every measured track, in the order analysed
        self.usable: dict[int, np.ndarray] = {}  # per slot: frames embedded and gated in
        self.yaw, self.pitch, self.mouth = pose
        self.emb = emb.astype(np.float64)
        self.t = signals.t_s
        self.skin = signals.measured.get("face.skin_ab")
        self.iris = signals.measured.get("face.iris_ab")
        self.thumbs = signals.measured.get("face.thumb")

    def track(self, span: TrackSpan, curve: np.ndarray
              ) -> tuple[dict, list[Finding], tuple[int, int, float, float] | None]:
        """One track's summary and findings; if a gradual change turns out to be a
        cross-dissolve, the summary and findings cover the track up to it, and the dissolve
        (last frame before, first frame after, share of the picture changed, blend residual)
        is returned too."""
        s, k, t = self.s, span.slot, self.t
        sl = slice(span.start, span.end + 1)
        emb = np.full_like(self.emb[:, k], np.nan)
        emb[sl] = self.emb[sl, k]
        yaw = self.yaw[:, k]
        eyes = self.eyes[:, k]
        usable = (~np.isnan(emb[:, 0]) & (np.abs(yaw) <= s.gate_max_yaw_deg)
                  & (eyes >= s.min_eye_distance_px))
        clean = np.abs(yaw) <= s.reference_max_yaw_deg
        info = {
            "slot": k, "face": k + 1, "start_s": float(t[span.start]),
            "end_s": float(t[span.end]), "starts_because": span.why, "measured": False,
            "eye_distance_px": float(np.nanmedian(eyes[sl])),
            "frames": int(span.end - span.start + 1), "embedded_frames": int(usable.sum()),
            "reference_t_s": None, "baseline": None, "on_threshold": None,
            "max_distance": None, "stability_score": None, "yaw_range_deg": _range(yaw[sl]),
        }
        early = early_switch(emb, usable & clean, t, s.reference_frames,
                             step_on=s.switch_step, on=s.matched_on)
        if early is not None:  # a switch inside the reference frames: restart after it
            at, step, sides = early
            prev = int(np.flatnonzero((usable & clean)[:at])[-1])
            info, rest, dissolve = self.track(TrackSpan(k, at, span.end, span.why), curve)
            several = int(self.sig.faces.present.any(axis=0).sum()) > 1
            first = early_switch_finding(
                k, at, prev, step, sides, t, self.pts, span.end, several=several,
                threshold={"switch_step": s.switch_step, "matched_on": s.matched_on})
            return info, [first, *rest], dissolve
        ref = reference(emb, usable, clean, s.reference_frames)
        if ref is None:
            return info, [], None
        ref_vec, ref_idx = ref
        raw = raw_distance(emb, ref_vec, usable)
        smooth = smoothed_distance(emb, ref_vec, usable, t, s.smooth_ms / 1000)
        first_second = usable & (t >= t[ref_idx[0]]) & (t <= t[ref_idx[0]] + 1.0)
        baseline = float(np.nanmedian(raw[first_second]))
        on = min(s.abs_on, baseline + s.rel_on)
        near = baseline + s.near_fraction * (on - baseline)
        curve[sl] = smooth[sl]
        ref_frame = int(ref_idx[np.argmin(raw[ref_idx])])
        q95 = float(np.nanpercentile(smooth[sl], 95))
        info.update(
            measured=True, reference_t_s=float(t[ref_frame]), reference_frame=ref_frame,
            baseline=baseline, on_threshold=on, max_distance=float(np.nanmax(smooth[sl])),
            p95_distance=q95, largest_frame_step=largest_step(emb, usable, t),
            matched_pose_distance=matched_pose_distance(
                emb, usable, t, yaw, self.pitch[:, k], self.mouth[:, k]),
        )
        info["stability_score"] = stability(q95, info["largest_frame_step"], s)
        alarms = find_alarms(raw, smooth, emb, t, on=on, off=on - s.off_margin, near=near,
                             min_duration_s=s.min_duration_ms / 1000,
                             switch_step=s.switch_step, tolerance=s.walk_back_tolerance,
                             lookback_s=s.smooth_ms / 1000 + 0.25)
        found = []
        for a in alarms:
            before = a.last_near if a.last_near >= 0 else max(a.onset - 1, span.start)
            dissolve = None if a.abrupt else self._dissolve(before, a.first_high, span)
            if dissolve is not None:
                head = TrackSpan(k, span.start, before, span.why)
                curve[before + 1 : span.end + 1] = np.nan
                info, found_head, _ = self.track(head, curve)
                return info, found + found_head, dissolve
            ok, why = confirm_at_matched_pose(
                emb, usable, span.start, a.onset, a.segment.end,
                (yaw, self.pitch[:, k], self.mouth[:, k]), abrupt=a.abrupt, on=s.matched_on,
                margin=s.matched_margin, max_pose_deg=s.matched_pose_deg, max_mouth=s.matched_mouth,
                min_pairs=s.matched_min_pairs)
            if not ok:  # far from the reference only at poses the reference never had
                info.setdefault("unconfirmed_alarms", []).append(
                    {"t_s": float(t[a.onset]), **why})
                continue
            found.append(self._finding(span, a, raw, ref_frame, baseline, on, near))
            found[-1].measured.update(why)
        self.usable[k] = self.usable.get(k, np.zeros(len(t), bool)) | usable
        shot = int(np.searchsorted(self.cuts, span.start, side="right"))
        local, partner = local_matched_curve(
            emb, usable, t, (yaw, self.pitch[:, k], self.mouth[:, k]), min_lag_s=0.2,
            max_lag_s=2.0, max_pose_deg=s.matched_pose_deg, max_mouth=s.matched_mouth,
            min_pairs=3)
        measured_local = local[sl][np.isfinite(local[sl])]
        info["local_matched_distance"] = (float(np.median(measured_local))
                                          if len(measured_local) else None)
        if not found:
            several = int(self.sig.faces.present.any(axis=0).sum()) > 1
            unstable = unstable_finding(k, span, local, partner, t, self.pts,
                                        on=s.unstable_on, min_points=s.unstable_min_points,
                                        several=several)
            found = [unstable] if unstable else []
        te = track_ends(span, emb, usable & clean, s.end_frames, shot)
        if te is not None:
            te.changed = bool(found)
            self.ends.append(te)
        return info, found, None

    def _dissolve(self, foot: int, first_high: int, span: TrackSpan
                  ) -> tuple[int, int, float, float] | None:
        """(before, end, share, residual) if the rise at ``foot``..``first_high`` is a
        cross-dissolve of the whole picture, else None."""
        if self.thumbs is None:
            return None
        t, s = self.t, self.s
        before = max(int(np.searchsorted(t, t[foot] - s.dissolve_margin_s)), span.start)
        after = min(int(np.searchsorted(t, t[first_high] + s.dissolve_margin_s)), span.end)
        if after - before < 2:
            return None
        share, residual = dissolve_measure(self.thumbs, before, after)
        if share < s.dissolve_share or not residual <= s.dissolve_residual:
            return None
        step = max(1, int(round(0.2 / float(np.median(np.diff(t))))))
        end = blend_end(self.thumbs, before, after, span.end, step)
        return before, end, share, residual

    def _finding(self, span: TrackSpan, a: Alarm, raw: np.ndarray, ref_frame: int,
                 baseline: float, on: float, near: float) -> Finding:
        s, k, t = self.s, span.slot, self.t
        seg = a.segment
        switch = a.abrupt
        after = raw[a.onset : seg.end + 1]
        after_med = float(np.nanmedian(after))
        peak = a.onset + int(np.nanargmax(after))
        # The frame shown as "before": the one just before a switch, the last still-near
        # frame before a drift.
        prev = np.flatnonzero(~np.isnan(raw[: a.onset]))
        before_frame = (int(prev[-1]) if len(prev) else -1) if switch else a.last_near
        before = float(raw[before_frame]) if before_frame >= 0 else baseline
        to_end = seg.end >= span.end
        measured = {
            "reference_t_s": float(t[ref_frame]), "onset_frame": a.onset,
            "distance_before": before, "distance_after": after_med,
            "peak_distance": float(raw[peak]), "smoothed_peak": seg.peak_value,
            "baseline": baseline, "largest_frame_step": a.step, "rise_ms": a.rise_s * 1000,
            "yaw_deg_at_onset": float(self.yaw[a.onset, k]),
            "eye_distance_px": float(self.eyes[a.onset, k]),
        }
        notes = self._attributes(k, span.start, before_frame, a.onset, seg.end, measured)
        until = "the end of the shot" if to_end else f"{seg.end_s:.2f} s"
        several = int(np.any(~np.isnan(self.pts[:, :, 0, 0]), axis=0).sum()) > 1
        face = f"face {k + 1}" if several else "the face"
        if switch:
            gap = ("within one frame" if a.onset - before_frame == 1
                   else f"between frames {before_frame} and {a.onset}")
            text = (f"{face} becomes a different person at {t[a.onset]:.2f} s (frame {a.onset}): "
                    f"its identity distance to the reference at {t[ref_frame]:.2f} s jumps from "
                    f"{before:.2f} to {raw[a.onset]:.2f} {gap} (alarm at {on:.2f}) and "
                    f"stays near {after_med:.2f} until {until}")
        else:
            text = (f"{face} drifts into a different person from {t[a.onset]:.2f} s "
                    f"(frame {a.onset}): its identity distance to the reference at "
                    f"{t[ref_frame]:.2f} s rises from {before:.2f} to {raw[peak]:.2f} over "
                    f"{a.rise_s:.2f} s (alarm at {on:.2f}) and stays high until {until}")
        # The face was hidden (no mesh) between the last frame like the reference and the
        # onset: it came back as someone else.
        hidden = before_frame >= 0 and not self.sig.faces.present[before_frame:a.onset, k].all()
        if hidden:
            text = (f"{face} comes back after being hidden from "
                    f"{t[before_frame]:.2f} s as a different person; " + text.split(": ", 1)[1])
        evidence = [
            Evidence(t_s=float(t[ref_frame]), label="reference", box=self._box(ref_frame, k)),
            Evidence(t_s=float(t[a.onset]), label="first failure", box=self._box(a.onset, k)),
        ]
        if before_frame >= 0:
            evidence.insert(1, Evidence(t_s=float(t[before_frame]), label="before",
                                        box=self._box(before_frame, k)))
        if not switch:
            evidence.append(Evidence(t_s=float(t[peak]), label="most different",
                                     box=self._box(peak, k)))
        margin = after_med - on
        return Finding(
            mode="identity", kind=("identity_changed_on_reentry" if hidden else
                                   "identity_switch" if switch else "identity_drift"),
            first_s=float(t[a.onset]), start_s=float(t[a.onset]), end_s=seg.end_s,
            confidence=float(np.clip(0.6 + 1.6 * margin, 0.3, 0.99)),
            description=text + "".join(f"; {n}" for n in notes) + ".",
            measured=measured,
            threshold={"on": on, "off": on - s.off_margin, "abs_on": s.abs_on,
                       "rel_on": s.rel_on, "near": near, "min_duration_ms": s.min_duration_ms,
                       "switch_step": s.switch_step, "skin_shift": s.skin_shift,
                       "iris_shift": s.iris_shift},
            evidence=evidence, track=k,
        )

    def _attributes(self, k: int, start: int, before_end: int, onset: int, end: int,
                    measured: dict) -> list[str]:
        """Skin and iris chroma before/after the onset, as supporting measurements."""
        notes = []
        for name, arr, limit in (("skin", self.skin, self.s.skin_shift),
                                 ("iris", self.iris, self.s.iris_shift)):
            if arr is None:
                continue
            b, c = arr[start : before_end + 1, k], arr[onset : end + 1, k]
            b, c = b[~np.isnan(b[:, 0])], c[~np.isnan(c[:, 0])]
            if len(b) < 3 or len(c) < 3:
                continue
            mb, mc = np.median(b, axis=0), np.median(c, axis=0)
            shift = float(np.hypot(*(mc - mb)))
            measured[f"{name}_ab_before"] = [float(x) for x in mb]
            measured[f"{name}_ab_after"] = [float(x) for x in mc]
            measured[f"{name}_ab_shift"] = shift
            if shift >= limit:
                what = "skin tone" if name == "skin" else "iris colour"
                notes.append(f"{what} shifts by {shift:.1f} in a*/b* (reportable from {limit:g})")
        return notes

    def _box(self, i: int, k: int) -> tuple[float, float, float, float]:
        return face_box(self.pts[i, k])
