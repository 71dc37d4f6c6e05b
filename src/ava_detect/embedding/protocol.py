"""What a face identity model offers the rest of the code."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class FaceEmbedder(Protocol):
    """A face-recognition model: mesh-aligned chips in, descriptors out.

    ``dim`` is the descriptor length, ``metric`` names how :meth:`distance` compares two of
    them, and ``same_person_below`` is the model's own calibration (two images of one person
    are usually closer than this). :meth:`close` frees the model (and any process it runs in).
    """

    name: str
    dim: int
    metric: str
    same_person_below: float

    def chip(self, rgb: np.ndarray, mesh: np.ndarray) -> np.ndarray | None:
        """The aligned chip of one face from (H, W, 3) uint8 and its (478, 2|3) mesh pixels."""
        ...

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        """(M,) chips -> (M, dim) float32 descriptors."""
        ...

    def distance(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Distance between descriptors, broadcasting over leading axes."""
        ...

    def close(self) -> None: ...
