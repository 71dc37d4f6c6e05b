"""Per-frame measurements: pure numpy, NaN where a frame could not be measured (never 0).

``clip.py`` holds :class:`ClipSignals`, everything the frame loop gathered about one clip; the
other modules turn its landmark arrays into per-check signals (hands, face, mouth, audio).
"""

from .clip import ClipSignals, FaceArrays, HandArrays

__all__ = ["ClipSignals", "FaceArrays", "HandArrays"]
