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
    """Thresholds of the Facial Identity Drift check."""

    min_detection_confidence: float = 0.5


# Lip-sync tolerance windows, as (audio may lead by at most, audio may lag by at most) in ms,
# the way the standards state them. In our sign convention (lag_ms > 0: the mouth trails the
# audio, i.e. the audio leads) a clip is within tolerance when
# -audio_lag_ms <= lag_ms <= +audio_lead_ms.
LIPSYNC_TOLERANCES: dict[str, tuple[str, float, float]] = {
    # key: (label, audio lead limit ms, audio lag limit ms)
    "itu_bt1359_acceptability": ("ITU-R BT.1359-1 acceptability", 90.0, 185.0),
    "itu_bt1359_detectability": ("ITU-R BT.1359-1 detectability", 45.0, 125.0),
    "ebu_r37": ("EBU R37", 40.0, 60.0),
    "atsc_is191": ("ATSC IS-191", 15.0, 45.0),
}


@dataclass(frozen=True)
class LipSyncSettings:
    """Thresholds of the lip-sync check (see docs/lipsync.md for how each was chosen)."""

    # Which broadcast standard sets the tolerance: itu_bt1359_acceptability (default),
    # itu_bt1359_detectability, ebu_r37, atsc_is191, or "custom" (the two limits below).
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
