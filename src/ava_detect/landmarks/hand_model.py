"""MediaPipe's hand landmark model on one crop: landmarks, world landmarks, handedness, presence.

The model (``hand_landmark_full.tflite`` from the installed wheel, or the lite one) has four
outputs for a 224 x 224 crop: 63 values of 21 landmarks in crop pixels (x, y, relative depth),
the hand-presence probability, the probability that the hand is labelled "Left", and 63 values
of 21 world landmarks in metres in the crop's orientation. :class:`HandLandmarkModel` decodes
them as MediaPipe's ``HandLandmarkCpu`` graph does: landmarks projected back through the crop,
depth divided by 0.4 (MediaPipe's ``normalize_z``) and scaled like x, world landmarks turned by
the crop's rotation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ModelError
from ._mediapipe import landmark_model_path
from .crops import LANDMARK_INPUT, Roi
from .tflite import _TfliteGraph

_NORMALIZE_Z = 0.4  # MediaPipe's extra depth scale for the hand landmark model


@dataclass
class HandResult:
    """The landmark model's answer for one crop.

    points: (21, 3) float64, pixels of the picture the crop was cut from (z scaled like x).
    world: (21, 3) float64, metres, the picture's orientation (MediaPipe world landmarks).
    presence: hand-presence probability in [0, 1].
    left: probability that the hand is labelled "Left" (MediaPipe's selfie convention).
    """

    points: np.ndarray
    world: np.ndarray
    presence: float
    left: float

    @property
    def handedness(self) -> tuple[float, float]:
        """MediaPipe's label and its confidence: (+1 "Right" or -1 "Left", score)."""
        return (-1.0, self.left) if self.left > 0.5 else (1.0, 1.0 - self.left)


class HandLandmarkModel:
    """Runs the hand landmark model on rotated crops of a picture.

    The model runs in a small MediaPipe graph (TFLite with XNNPACK, about 5 ms a crop idle on
    one core, the full model); with ``backend="opencv"`` (or if that graph cannot be built)
    through OpenCV's DNN module (about 22 ms). OpenCV's TFLite import gets the world-landmark
    output wrong (values of 0.3 m on a hand where MediaPipe gives 0.03 m), so that backend
    returns NaN world landmarks; its other outputs agree with MediaPipe's (presence to 0.001,
    landmarks to 1-2 px).
    """

    def __init__(self, *, model_complexity: int = 1, backend: str = "mediapipe"):
        path = landmark_model_path(model_complexity)
        self._graph: _TfliteGraph | None = None
        if backend == "mediapipe":
            try:
                self._graph = _TfliteGraph(path, LANDMARK_INPUT, 4)
            except ModelError:
                self._graph = None  # fall back to OpenCV below
        if self._graph is None:
            import cv2

            try:
                self._net = cv2.dnn.readNetFromTFLite(path)
            except cv2.error as exc:
                raise ModelError(
                    f"hand landmark model {path} could not be loaded ({exc})."
                ) from exc
            self._outputs = list(self._net.getUnconnectedOutLayersNames())

    def infer(self, crop: np.ndarray) -> tuple[np.ndarray, float, float, np.ndarray]:
        """Raw outputs for a (224, 224, 3) uint8 crop: (21, 3) crop pixels, presence, left,
        (21, 3) world metres."""
        if self._graph is not None:
            marks, presence, left, world = self._graph.run(crop)
        else:
            tensor = (crop.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
            self._net.setInput(tensor)
            out = dict(zip(self._outputs, self._net.forward(self._outputs), strict=True))
            marks, presence, left = (
                out[name].ravel() for name in ("Identity", "Identity_1", "Identity_2")
            )
            world = np.full(63, np.nan)
        return (
            marks.reshape(21, 3).astype(np.float64),
            float(presence[0]),
            float(left[0]),
            world.reshape(21, 3).astype(np.float64),
        )

    def run(self, rgb: np.ndarray, roi: Roi) -> HandResult:
        """The model on the crop ``roi`` of ``rgb`` (H, W, 3) uint8; ``roi`` in its pixels."""
        n = LANDMARK_INPUT
        marks, presence, left, world = self.infer(roi.cut(rgb, n))
        lin, shift = roi.warp(n)
        xy = marks[:, :2] @ lin.T + shift
        z = marks[:, 2:] * (roi.side / n / _NORMALIZE_Z)
        cos, sin = np.cos(roi.rotation), np.sin(roi.rotation)
        turned = world.copy()
        turned[:, 0] = cos * world[:, 0] - sin * world[:, 1]
        turned[:, 1] = sin * world[:, 0] + cos * world[:, 1]
        return HandResult(np.hstack([xy, z]), turned, presence, left)

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()
