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


@dataclass(frozen=True)
class IdentitySettings:
    """Thresholds of the Facial Identity Drift check (distances are dlib descriptor distances)."""

    min_detection_confidence: float = 0.5  # MediaPipe face mesh: confidence to accept a face
    # Which frames get an identity embedding (about 90 ms a face): every embed_stride-th frame,
    # every frame while a reference is being built, and densely around a suspicious jump.
    embed_stride: int = 8
    jump_trigger: float = 0.55  # distance between successive embeddings that triggers dense
    drift_trigger: float = 0.45  # crossing this distance to the running reference: dense
    dense_frames: int = 12  # frames embedded densely after a trigger
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
    skin_shift: float = 8.0  # cheek a*/b* change worth reporting (real clips stay within ~6)
    iris_shift: float = 12.0  # iris a*/b* change worth reporting (frontal, eyes open only)
    iris_min_radius_px: float = 5.0  # iris colour is measured only above this radius


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
    raise ConfigError(f"setting '{name}' must be {type(current).__name__}, got {value!r}.")
