"""Which detector checks which failure mode.

A detector class registers itself with :func:`register` (a class decorator); the pipeline asks
:func:`detector_for` for each selected check. A check with no registered detector is reported as
``skipped`` with that reason, never as a pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Detector

_REGISTRY: dict[str, Callable[[], Detector]] = {}


def register(factory: Callable[[], Detector]) -> Callable[[], Detector]:
    """Class decorator: make ``factory().mode`` available to the pipeline."""
    _REGISTRY[factory.mode] = factory
    return factory


def detector_for(mode: str) -> Detector | None:
    """A fresh detector for ``mode``, or None when this version has none."""
    factory = _REGISTRY.get(mode)
    return factory() if factory is not None else None


def registered_modes() -> tuple[str, ...]:
    return tuple(_REGISTRY)
