"""ava-detect: find and document failures in AI-generated video.

Public API (imported lazily so ``import ava_detect`` stays light)::

    from ava_detect import analyze, Settings
    result = analyze("clip.mp4", Settings(checks=("lipsync",)))
    result.report.verdict
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "analyze": ("pipeline", "analyze"),
    "Analyzer": ("pipeline", "Analyzer"),
    "Analysis": ("pipeline", "Analysis"),
    "Settings": ("settings", "Settings"),
    "Report": ("report.model", "Report"),
    "Finding": ("report.model", "Finding"),
    "CheckResult": ("report.model", "CheckResult"),
    "AvaError": ("errors", "AvaError"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'ava_detect' has no attribute {name!r}")
