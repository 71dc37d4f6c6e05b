"""Keep each hand or face in the same slot from frame to frame.

MediaPipe lists the hands (faces) of a frame in no stable order, so its raw slots can swap
between frames. :class:`SlotTracker` reorders each frame's detections so that slot ``k`` follows
one object by position: detections are matched to the slots' last known centres, choosing the
permutation with the smallest total distance. A slot remembers its position for ``max_gap``
frames after its object disappears; a new object takes a free slot rather than displacing a
tracked one.
"""

from __future__ import annotations

import itertools

import numpy as np

_NEW_OBJECT_COST = 1e6


class SlotTracker:
    """Online slot assignment for K slots; feed frames in order."""

    def __init__(self, k_slots: int, *, max_gap: int = 15):
        self.k_slots = k_slots
        self.max_gap = max_gap
        self._last = np.full((k_slots, 2), np.nan)
        self._age = np.full(k_slots, np.inf)
        self._perms = [np.array(p) for p in itertools.permutations(range(k_slots))]

    def update(self, centres: np.ndarray) -> np.ndarray:
        """Order for one frame.

        Parameters
        ----------
        centres
            (K, 2) float, each raw detection's centre in pixels; NaN rows for empty slots.

        Returns
        -------
        numpy.ndarray
            (K,) int: tracked slot ``k`` takes raw slot ``order[k]``.
        """
        order = self._perms[0]
        if not np.all(np.isnan(centres[:, 0])):
            costs = [self._cost(centres[perm]) for perm in self._perms]
            order = self._perms[int(np.argmin(costs))]
        placed = centres[order]
        here = ~np.isnan(placed[:, 0])
        self._last[here] = placed[here]
        self._age[here] = 0
        self._age[~here] += 1
        return order

    def _cost(self, placed: np.ndarray) -> float:
        cost = 0.0
        for k in range(self.k_slots):
            if np.isnan(placed[k, 0]):
                continue
            if self._age[k] <= self.max_gap:
                cost += float(np.hypot(*(placed[k] - self._last[k])))
            else:
                cost += _NEW_OBJECT_COST
        return cost
