"""Every threshold and option: one frozen :class:`Settings` with a section per check.

The sections live beside this module, one file each: ``tracking.py``, ``hands.py``,
``identity.py``, ``lipsync.py``, ``evidence.py``.

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

from ..catalog import CHECK_NAMES
from ..errors import ConfigError
from .evidence import EvidenceVideoSettings
from .hands import HandSettings
from .identity import IdentitySettings
from .lipsync import LipSyncSettings
from .tracking import TrackingSettings

__all__ = [
    "EvidenceVideoSettings",
    "HandSettings",
    "IdentitySettings",
    "LipSyncSettings",
    "Settings",
    "TrackingSettings",
    "parse_assignment",
]


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
    evidence_video: EvidenceVideoSettings = field(default_factory=EvidenceVideoSettings)

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
