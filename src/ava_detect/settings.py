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

from .catalog import CHECK_NAMES
from .errors import ConfigError


@dataclass(frozen=True)
class HandSettings:
    """Thresholds of the Hand-Anatomy Topology check."""

    model_complexity: int = 1  # MediaPipe Hands: 0 lite, 1 full
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    # Re-run the landmark model on the tracker's crop to get its hand-presence score
    # (about 15 ms a hand and frame); off: presence_collapse is not checked.
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
    """Thresholds of the Facial Identity Drift check."""

    min_detection_confidence: float = 0.5


@dataclass(frozen=True)
class LipSyncSettings:
    """Thresholds of the lip-sync check."""

    # Which broadcast standard sets the tolerance: itu_bt1359_acceptability (default),
    # itu_bt1359_detectability, ebu_r37, atsc_is191.
    tolerance_standard: str = "itu_bt1359_acceptability"


@dataclass(frozen=True)
class Settings:
    """All options of one analysis. Immutable: derive changed copies with :meth:`with_overrides`."""

    checks: tuple[str, ...] = CHECK_NAMES
    analysis_max_side: int = 1280  # frames are downscaled to this longer side before tracking
    max_hands: int = 2
    max_faces: int = 2
    audio_sample_rate: int = 16000
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
    raise ConfigError(
        f"setting '{name}' must be {type(current).__name__}, got {value!r}."
    )
