"""Batch QA of a render folder (``ava-detect renders/``): :func:`run_batch` returns a
:class:`BatchResult`.

:mod:`.plan` finds the clips and where each report goes (and which earlier reports can be
reused), :mod:`.pool` runs them in worker processes, :mod:`.summary` turns the reports into the
summary rows, files and exit code, and :mod:`.run` ties them together.

The names are imported lazily, so a worker process (which imports :mod:`.pool`) does not load
the terminal display.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import run_batch
    from .summary import BatchResult

_LAZY = {"run_batch": "run", "BatchResult": "summary"}

__all__ = ["BatchResult", "run_batch"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
