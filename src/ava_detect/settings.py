"""Every threshold and option, in one frozen dataclass with a section per check.

Defaults are the documented values. A TOML file (``--config``) overrides any of them, using the
same names::

    checks = ["hands", "lipsync"]
    analysis_max_side = 960

    [lipsync]
    tolerance_standard = "ebu_r37"

and ``--set section.name=value`` on the command line overrides the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .catalog import CHECK_NAMES, TOLERANCE_STANDARDS
from .errors import ConfigError


@dataclass(frozen=True)
class TrackingSettings:
    """The hand and face trackers (MediaPipe), shared by every check that reads landmarks."""

    max_hands: int = 2
    max_faces: int = 2
    hand_model_complexity: int = 1  # MediaPipe Hands landmark model: 0 lite, 1 full
    hand_min_detection_confidence: float = 0.5  # palm detector score to start a hand
    hand_min_tracking_confidence: float = 0.5  # landmark model presence to keep tracking it
    face_min_detection_confidence: float = 0.5  # face detector score to start a face
    # While no hand is tracked, look for hands (MediaPipe's palm detector) only on every n-th
    # frame; once one is found, every frame is tracked, and while fewer than max_hands are
    # tracked the search for another runs on every n-th frame too. 1 = look on every frame. A
    # hand that comes into view is then found at most n-1 frames late.
    hand_search_every: int = 4
    # While some but fewer than max_faces faces are tracked, look for more faces (MediaPipe's
    # face detector) only on every n-th frame (and on a frame where a tracked face was lost);
    # with no face tracked, on every frame; tracked faces are followed on every frame. 1 = look
    # on every frame (as MediaPipe's FaceMesh). A second face coming into view is then found at
    # most n-1 frames late; a clip with one face pays for detection on every n-th frame only.
    face_search_every: int = 4

    def __post_init__(self) -> None:
        for name in ("hand_search_every", "face_search_every", "max_hands", "max_faces"):
            if getattr(self, name) < 1:
                raise ConfigError(f"tracking.{name} must be at least 1.")
        if self.hand_model_complexity not in (0, 1):
            raise ConfigError("tracking.hand_model_complexity must be 0 (lite) or 1 (full).")


@dataclass(frozen=True)
class HandSettings:
    """Thresholds of the Hand-Anatomy Topology check."""

    # Keep the landmark model's hand-presence score (the tracker's own; the model re-run on the
    # landmark crop of a hand just found by the palm detector and on a lost hand's last crop for
    # 3 frames); off: presence_collapse is not checked.
    presence_rerun: bool = True
    # Count fingers on a skin-colour silhouette (about 5-10 ms a hand and frame); a measurement.
    finger_count: bool = True
    # --- the gate: a frame pair is judged only when the hand is steady and clearly seen ---
    gate_max_speed: float = 0.25  # palm-centre motion, palm widths per frame
    gate_min_palm_px: float = 40.0  # palm width (index to pinky knuckle); smaller: angles are noise
    gate_min_other_dist: float = 2.0  # palm widths to the nearest other hand (touching hands swap)
    gate_min_other_dist_after: float = 1.5  # ... in the judged frame (a flip moves the palm)
    gate_min_presence: float = 0.9  # landmark model's presence score in the frame before
    gate_min_presence_after: float = 0.5  # ... and in the judged frame (a breaking hand drops)
    # --- palm_flip: the palm/back sign flips without passing edge-on ---
    edge_on: float = 0.13  # |facing| at or below this is edge-on; real sign changes pass here
    flip_min_frames: int = 2  # the flipped side must hold this many frames (or until lost)
    # --- handedness_flip: the raw label leaves the track's majority label ---
    label_min_score: float = 0.8  # the off-majority label's confidence
    label_min_frames: int = 2  # consecutive off-majority frames
    # --- shape_jump: articulation changes more than real motion explains ---
    shape_jump: float = 0.4  # RMS landmark move in the palm frame, palm sizes per frame
    shape_jump_per_speed: float = 1.2  # and more than this times the hand's speed
    # --- presence_collapse: the landmark model stops seeing a steady hand (maybe dropped) ---
    presence_on: float = 0.6  # collapse when presence on the tracker's crop falls to this ...
    presence_off: float = 0.8  # ... and it lasts until presence is back above this
    # --- hand_vanished: a steady, clearly seen hand is gone (presence unmeasured or high) ---
    vanish_min_frames: int = 2  # frames the hand stays away
    # before either: this far from the frame edge, palm widths, plus this many frames of the
    # hand's motion (else it may simply be leaving the picture)
    vanish_edge_margin: float = 0.25
    vanish_edge_frames: float = 3.0
    # --- segments: events of one kind on one track closer than this are one finding ---
    merge_gap_s: float = 0.5
    # --- joint anatomy limits (supporting measurements, never alarms: generated hands stay
    # inside the real range too); the worst value on the real clips x ~1.1-1.2 ---
    sideways_bend_deg: float = 60.0  # sideways bend at a middle/end knuckle (real max 50)
    thumb_back_deg: float = 140.0  # |thumb direction| in the palm plane (real max 130)
    # --- verdict when nothing could be judged ---
    min_gated_frames: int = 5  # fewer judged frames over the clip: inconclusive


@dataclass(frozen=True)
class IdentitySettings:
    """Thresholds of the Facial Identity Drift check (distances are dlib descriptor distances)."""

    # Which frames get an identity embedding (about 90 ms a face): every embed_stride-th frame,
    # every frame while a reference is being built, and densely around a suspicious jump.
    embed_stride: int = 12
    jump_trigger: float = 0.55  # distance between successive embeddings that triggers dense
    drift_trigger: float = 0.45  # crossing this distance to the running reference: dense
    dense_frames: int = 6  # frames embedded densely after a trigger
    # Reference: median embedding of the first clean frames of each face track and shot.
    reference_frames: int = 10  # clean frames that make the reference
    reference_max_yaw_deg: float = 30.0  # a clean frame is at most this far from frontal
    gate_max_yaw_deg: float = 40.0  # frames turned further are not compared (profile views)
    min_eye_distance_px: float = 28.0  # smaller faces are not measurable (full-frame px)
    smooth_ms: float = 360.0  # trailing window over which embeddings are averaged
    # Alarm: smoothed distance to the reference above abs_on, or above the track's own
    # baseline + rel_on, whichever is lower; it ends below that minus off_margin.
    abs_on: float = 0.55  # real footage of one person peaked at 0.49 after gating/smoothing
    rel_on: float = 0.42  # different people can be as close as 0.50 in absolute terms
    off_margin: float = 0.08  # hysteresis between the on and off thresholds
    min_duration_ms: float = 200.0  # an alarm shorter than this is not a finding
    # The onset is the first frame after the last one whose distance is still within this
    # fraction of the way from the baseline to the on threshold.
    near_fraction: float = 0.3
    # Walking back down a rise stops where the distance climbs more than this above the lowest
    # value met (the foot of the rise, e.g. when a head turn holds it above the baseline).
    walk_back_tolerance: float = 0.06
    # One frame-to-frame embedding step this large inside the rise makes it a switch (abrupt):
    # hard switches measured >= 0.66, real footage <= 0.46 between neighbouring frames.
    switch_step: float = 0.55
    track_jump_eye_distances: float = 1.5  # a track whose face moves further than this many
    # eye distances in one frame has jumped to another face: it restarts, never a switch
    track_gap_s: float = 1.0  # a face gone longer than this starts a new track (new reference)
    # An edit: the colour histogram changes by at least shot_cut between two frames AND the
    # coarse picture layout correlates at most shot_cut_similarity (measured: cuts 0.17-0.37
    # and 0.01-0.26; otherwise up to 0.22 and never below 0.63).
    shot_cut: float = 0.12
    shot_cut_similarity: float = 0.5
    # A gradual change is a cross-dissolve between shots (an edit) when, from
    # dissolve_margin_s before its rise to dissolve_margin_s after, at least dissolve_share of
    # the picture changes and the frames in between are blends of the two ends (residual at
    # most dissolve_residual). Measured: dissolves 1.0 and 0.05-0.22; a new face on a moving
    # dancer 0.3-0.55 and 0.55-1.3; a head turn 0.61 and 0.34.
    dissolve_margin_s: float = 0.5
    dissolve_share: float = 0.8
    dissolve_residual: float = 0.3
    skin_shift: float = 8.0  # cheek a*/b* change worth reporting (real clips stay within ~6)
    iris_shift: float = 12.0  # iris a*/b* change worth reporting (frontal, eyes open only)
    iris_min_radius_px: float = 5.0  # iris colour is measured only above this radius
    # How a track begins and how it ends: the median embedding of its first and of its last
    # end_frames clean frames (the analyser embeds the last ones when the track ends).
    end_frames: int = 10
    # Every change must also show at matched pose and mouth opening (|yaw|, |pitch| within
    # matched_pose_deg, mouth within matched_mouth): the median distance between the frames
    # after the change and the same track's frames before it at such poses must reach
    # matched_on (dlib's own same-person limit), or the face's own matched spread before the
    # change plus matched_margin where that is lower. Measured at the alarm: the same person
    # turning into poses its reference never had (stableavatar case52) 0.47 against its own
    # spread 0.34 (+0.13; the interview vox2_517600055 +0.11); spliced switches 0.79-0.81
    # against 0.24; the TPS smear in MagicDance figure 2 0.28-0.34 (dlib sees one person).
    matched_on: float = 0.6
    matched_margin: float = 0.25
    matched_pose_deg: float = 10.0  # wide enough for 10+ pairs on real clips of a few seconds
    matched_mouth: float = 0.15  # per eye distance: speech open/closed kept apart
    matched_min_pairs: int = 10  # fewer pairs: only an abrupt switch (a one-frame step) stands
    # "Begins as one person, ends as another": the medians of a track's first and last
    # end_frames clean frames differ by at least ends_on (and agree at matched pose where they
    # share poses). Measured: two GHOST identities 0.78-0.79 apart (medians of ten frames); one
    # person 0.08-0.45 over the cached real and generated negatives, 0.59 for stableavatar
    # case52, whose reference looks down and whose end looks up (no matched pairs).
    ends_on: float = 0.65
    # A face that returns (a new track in the same shot after the earlier one ended) as someone
    # else: its first stretch is at least reentry_on from the last stretch of the face that
    # left, and from every other face seen in the shot. Same figures as ends_on.
    reentry_on: float = 0.65
    # A face that keeps changing: the median, over a track, of each frame's median distance to
    # the same face 0.2-2 s earlier at matched pose (matched_pose_deg, matched_mouth, at least
    # 3 such frames) reaches unstable_on, over at least unstable_min_points frames. Measured
    # (frames embedded every 1-4): one person 0.17-0.36 (the highest: the exaggerated
    # expressions of liveportrait_d6; case52 0.22-0.23, the hand over the eye in
    # mimicmotion_cmp_musev_4 0.30); the Disco panel of MagicDance figure 1 0.51-0.53.
    unstable_on: float = 0.45
    unstable_min_points: int = 8


@dataclass(frozen=True)
class LipSyncSettings:
    """Thresholds of the lip-sync check (see docs/lipsync.md for how each was chosen)."""

    # Which broadcast standard sets the tolerance: itu_bt1359_acceptability (default),
    # itu_bt1359_detectability, ebu_r37, atsc_is191 (limits in catalog.TOLERANCE_STANDARDS), or
    # "custom" (the two limits below). With lag_ms > 0 meaning the audio leads, a clip is within
    # tolerance when -audio_lag_limit <= lag_ms <= +audio_lead_limit.
    tolerance_standard: str = "itu_bt1359_acceptability"
    custom_audio_lead_ms: float = 90.0  # "custom" only: largest allowed audio lead (lag_ms > 0)
    custom_audio_lag_ms: float = 185.0  # "custom" only: largest allowed audio lag (lag_ms < 0)
    # Lag search.
    max_lag_s: float = 2.0  # candidate lags cover +-this, one step per video frame
    highpass_s: float = 1.0  # moving average subtracted from lip and audio features, seconds
    audio_components: int = 8  # principal components of the audio features used by the CCA
    cca_ridge: float = 0.05  # ridge added to the CCA's correlation matrices
    sidelobe_exclusion_s: float = 0.2  # PSR sidelobe region: further than this from the peak
    min_psr: float = 3.5  # below this peak-to-sidelobe ratio the lag is "inconclusive"
    min_duration_s: float = 3.0  # shorter clips (or face tracks) are inconclusive
    min_speech_fraction: float = 0.3  # voiced share of the face's frames needed for a lag
    min_speech_s: float = 1.5  # and at least this much voiced time
    min_face_fraction: float = 0.5  # a face slot needs a face on this share of frames
    # Windowed lag (drift).
    window_s: float = 4.0  # window length of the lag curve over time
    window_hop_s: float = 1.0  # hop between windows
    window_search_s: float = 0.5  # windows search the global lag +-this (full range if none)
    window_min_psr: float = 3.0  # windows whose peak stands out less are left out (NaN)
    min_drift_ms: float = 80.0  # fitted lag change over the clip needed to report drift
    # Audio.
    silence_dbfs: float = -60.0  # a track never louder than this (10 ms RMS) is silent
    vad_on_fraction: float = 0.45  # voice starts this far from noise floor to speech level
    vad_off_fraction: float = 0.3  # and ends below this fraction (hysteresis)
    vad_min_margin_db: float = 8.0  # voice must be at least this far above the noise floor
    vad_bridge_s: float = 0.15  # shorter voiceless gaps (stop consonants) stay voiced
    # Mouth/voice activity findings. Mouth motion = std of the inner-lip gap over 0.3 s, in
    # eye-distance units (speech typically 0.03-0.1; still mouth below 0.01).
    motion_window_s: float = 0.3  # window of the mouth-motion measure
    silence_guard_s: float = 0.2  # silence this close to voice is ignored (lips anticipate)
    moving_on: float = 0.06  # mouth "moving clearly" from this motion ...
    moving_off: float = 0.04  # ... until it drops below this (hysteresis)
    min_moving_silence_s: float = 0.3  # shortest reported mouth motion during silence
    still_motion: float = 0.012  # mouth "still" below this motion ...
    still_relative: float = 0.3  # ... and below this share of the clip's typical speech motion
    min_still_speech_s: float = 2.0  # shortest reported still mouth during speech (a mumbled
    # phrase behind a beard can look still to the face mesh for 1.5 s)

    def __post_init__(self) -> None:
        known = (*TOLERANCE_STANDARDS, "custom")
        if self.tolerance_standard not in known:
            raise ConfigError(
                f"lipsync.tolerance_standard {self.tolerance_standard!r} is unknown; "
                f"choose from {', '.join(known)}."
            )


@dataclass(frozen=True)
class Settings:
    """All options of one analysis. Immutable: derive changed copies with :meth:`with_overrides`."""

    checks: tuple[str, ...] = CHECK_NAMES
    analysis_max_side: int = 1280  # frames are downscaled to this longer side before tracking
    # The hand and face lanes run in threads of their own beside the decoder; False runs
    # everything in one thread (for debugging and profiling; results are the same).
    parallel_lanes: bool = True
    # Python modules imported before any clip is analysed (in every batch worker too); each may
    # register a detector (detectors.register) or a frame analyser (analysers.ANALYSERS).
    plugins: tuple[str, ...] = ()
    audio_sample_rate: int = 16000
    tracking: TrackingSettings = field(default_factory=TrackingSettings)
    hands: HandSettings = field(default_factory=HandSettings)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    lipsync: LipSyncSettings = field(default_factory=LipSyncSettings)

    def __post_init__(self) -> None:
        unknown = [c for c in self.checks if c not in CHECK_NAMES]
        if unknown:
            raise ConfigError(
                f"unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECK_NAMES)}."
            )
        if not self.checks:
            raise ConfigError(f"no check selected; choose from {', '.join(CHECK_NAMES)}.")
        if self.analysis_max_side < 64:
            raise ConfigError("analysis_max_side must be at least 64 pixels.")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def digest(self) -> str:
        """A short hash of every setting: two reports with the same digest used the same options."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_overrides(self, overrides: dict[str, Any]) -> Settings:
        """A copy with ``{"name": v}`` or ``{"section": {"name": v}}`` values replaced."""
        return _apply(self, overrides, "")

    @classmethod
    def from_toml(cls, path: str | Path) -> Settings:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: settings file not found.") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}).") from exc
        return cls().with_overrides(data)


def parse_assignment(text: str) -> dict[str, Any]:
    """``"lipsync.tolerance_standard=ebu_r37"`` -> ``{"lipsync": {"tolerance_standard": ...}}``.

    The value is read as TOML when it parses as such (numbers, booleans, quoted strings,
    arrays), otherwise taken as a plain string.
    """
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: write it as name=value, e.g. lipsync.window_s=4")
    key, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    nested: dict[str, Any] = {}
    node = nested
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return nested


def _apply(obj: Any, overrides: dict[str, Any], prefix: str) -> Any:
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        name = f"{prefix}{key}"
        if key not in known:
            choices = ", ".join(sorted(known))
            raise ConfigError(f"unknown setting '{name}'; known here: {choices}.")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"setting '{name}' is a section; give it as [{name}] values.")
            changes[key] = _apply(current, value, f"{name}.")
        else:
            changes[key] = _coerce(name, current, value)
    try:
        return replace(obj, **changes)
    except TypeError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc


def _coerce(name: str, current: Any, value: Any) -> Any:
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(current, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(current, float):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif isinstance(current, str):
        if isinstance(value, str):
            return value
    elif isinstance(current, tuple):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list):
            return tuple(value)
    else:
        return value
    raise ConfigError(f"setting '{name}' must be {type(current).__name__}, got {value!r}.")
