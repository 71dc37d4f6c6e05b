"""Timestamps as people read them in tickets: ``1.240 s`` and ``0:01.240``."""

from __future__ import annotations

import math

NOT_MEASURED = "not measured"


def seconds_ms(t_s: float) -> str:
    """``1.24`` -> ``'1.240 s'``; NaN -> ``'not measured'``."""
    if not math.isfinite(t_s):
        return NOT_MEASURED
    return f"{t_s:.3f} s"


def clock(t_s: float) -> str:
    """``75.5`` -> ``'1:15.500'`` (minutes:seconds.milliseconds); NaN -> ``'not measured'``."""
    if not math.isfinite(t_s):
        return NOT_MEASURED
    total_ms = int(round(t_s * 1000))
    minutes, rest_ms = divmod(total_ms, 60_000)
    return f"{minutes}:{rest_ms // 1000:02d}.{rest_ms % 1000:03d}"


def both(t_s: float) -> str:
    """``1.24`` -> ``'1.240 s (0:01.240)'``; NaN -> ``'not measured'``."""
    if not math.isfinite(t_s):
        return NOT_MEASURED
    return f"{seconds_ms(t_s)} ({clock(t_s)})"
