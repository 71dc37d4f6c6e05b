"""One detector per failure mode, registered by mode key.

A detector module registers its class with :func:`register`; the pipeline asks
:func:`detector_for` for each selected check. A check with no registered detector is reported as
``skipped`` with that reason, never as a pass.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import Detector, FrameAnalyzer, Segment, hysteresis_segments

_REGISTRY: dict[str, Callable[[], Detector]] = {}


def register(factory: Callable[[], Detector]) -> Callable[[], Detector]:
    """Class decorator: make ``factory().mode`` available to the pipeline."""
    mode = factory.mode
    _REGISTRY[mode] = factory
    return factory


def detector_for(mode: str) -> Detector | None:
    """A fresh detector for ``mode``, or None when this version has none."""
    factory = _REGISTRY.get(mode)
    return factory() if factory is not None else None


def registered_modes() -> tuple[str, ...]:
    return tuple(_REGISTRY)


# The built-in detectors register themselves when imported; importing them here, once, means the
# registry is complete as soon as this package is, so a later override (a test's) always wins.
from . import hand_topology, identity_drift, lip_sync  # noqa: E402, F401

__all__ = [
    "Detector",
    "FrameAnalyzer",
    "Segment",
    "detector_for",
    "hysteresis_segments",
    "register",
    "registered_modes",
]
