"""The timeline plots a detector hands to the report: one series type, one downsampler.

A check's ``details["signals"]`` maps a plot key to :meth:`PlotSeries.to_dict` of a series;
the PDF draws each against its threshold and marks the finding's span
(:mod:`ava_detect.report.plotdata`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_PLOT_POINTS = 600  # a series longer than this is thinned to every k-th point
TIME_DECIMALS = 4
VALUE_DECIMALS = 4


def number(x: Any, decimals: int = VALUE_DECIMALS) -> float | None:
    """A measured value for the JSON: rounded, None where not measured (NaN or infinite)."""
    x = float(x)
    return round(x, decimals) if np.isfinite(x) else None


def thin(n: int, max_points: int = MAX_PLOT_POINTS) -> int:
    """The step that leaves at most ``max_points`` of ``n`` points."""
    return max(1, int(np.ceil(n / max_points)))


@dataclass(frozen=True)
class PlotSeries:
    """One signal over time, in the units a reader sees.

    t_s: (N,) float seconds; values: (N,) float, NaN where not measured. ``threshold`` is the
    line the finding crossed (None: no line); ``extra`` carries plot hints the report reads:
    ``band=True`` shades the band between -threshold and +threshold (or between two
    thresholds) instead of drawing lines, ``group``, ``kinds``, ``track``, ``style="step"``.
    """

    label: str
    unit: str
    t_s: np.ndarray
    values: np.ndarray
    threshold: float | None = None
    threshold_label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, max_points: int = MAX_PLOT_POINTS) -> dict[str, Any]:
        """The JSON form, thinned to at most ``max_points`` points."""
        step = thin(len(self.t_s), max_points)
        return {
            "label": self.label,
            "unit": self.unit,
            "t_s": [round(float(x), TIME_DECIMALS) for x in np.asarray(self.t_s)[::step]],
            "values": [number(x) for x in np.asarray(self.values)[::step]],
            "threshold": self.threshold,
            "threshold_label": self.threshold_label,
            **self.extra,
        }
