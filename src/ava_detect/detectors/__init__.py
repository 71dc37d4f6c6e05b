"""Pure detectors, one package per failure mode: signals in, findings out.

``base`` says what a detector is, ``registry`` which detector checks which mode, ``plots`` the
plot series every detector hands to the report. ``hands/``, ``identity/`` and ``lipsync/`` are
the built-in checks; each registers itself when imported, and they are imported here, once, so
the registry is complete as soon as this package is (a later override, a test's, always wins).
"""

from __future__ import annotations

from . import hands, identity, lipsync  # noqa: E402, F401, I001  (register the built-in checks)
from .base import Detector
from .registry import _REGISTRY, detector_for, register, registered_modes

__all__ = ["Detector", "_REGISTRY", "detector_for", "register", "registered_modes"]
