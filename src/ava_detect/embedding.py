"""Face identity embeddings: the only module that imports dlib.

dlib's ResNet face descriptor (``dlib_face_recognition_resnet_model_v1``, 128 numbers, two
photos of one person are usually closer than Euclidean 0.6) from the ``face_recognition_models``
package. The descriptor expects a 150x150 chip aligned the way dlib aligns faces from its 5-point
shape (outer and inner corner of each eye, base of the nose). We build that shape from MediaPipe
face-mesh points instead of running dlib's own face detector and shape predictor, which would
cost about 130 ms a frame; on still photos the two alignments give descriptors within ~0.05-0.09
of each other.

The model files are located with :mod:`importlib.resources`: ``face_recognition_models``' own
helpers import ``pkg_resources``, which new Python environments may not have.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np

from .errors import ModelError

CHIP_SIZE = 150  # the descriptor network's input, pixels
CHIP_PADDING = 0.25  # dlib's default margin around the aligned face
EMBEDDING_DIM = 128

# dlib's 5-point order, as MediaPipe face-mesh indices: the eye on the image's right (outer,
# inner corner), the eye on the image's left (outer, inner corner), the base of the nose.
MESH_FIVE_POINTS = (263, 362, 33, 133, 2)

_DESCRIPTOR_FILE = "dlib_face_recognition_resnet_model_v1.dat"


def _import_dlib():
    try:
        import dlib
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ModelError(
            f"dlib is not installed or failed to import ({exc}). "
            "Reinstall with: pip install dlib-bin face_recognition_models"
        ) from exc
    return dlib


def model_path(name: str = _DESCRIPTOR_FILE) -> Path:
    """Path of one model file shipped in the ``face_recognition_models`` package."""
    try:
        root = importlib.resources.files("face_recognition_models") / "models"
    except ModuleNotFoundError as exc:
        raise ModelError(
            "the face_recognition_models package is missing; install it with "
            "pip install face_recognition_models"
        ) from exc
    path = Path(str(root / name))
    if not path.is_file():
        raise ModelError(f"face model file {name} is missing from {root}; reinstall "
                         "face_recognition_models.")
    return path


def five_points(points: np.ndarray) -> np.ndarray:
    """dlib's 5-point shape from one face's mesh: (478, 3) or (478, 2) -> (5, 2) pixels."""
    return np.asarray(points)[list(MESH_FIVE_POINTS), :2].astype(np.float64)


class FaceEmbedder:
    """Aligns faces and computes their 128-d identity descriptors.

    Loading the network takes about a second; a descriptor about 90 ms per face on one core.
    """

    def __init__(self) -> None:
        dlib = _import_dlib()
        self._dlib = dlib
        try:
            self._net = dlib.face_recognition_model_v1(str(model_path()))
        except RuntimeError as exc:
            raise ModelError(f"dlib face descriptor model could not be loaded ({exc}).") from exc

    def chip(self, rgb: np.ndarray, five: np.ndarray) -> np.ndarray | None:
        """The aligned (150, 150, 3) uint8 chip of one face, or None if the points are unusable.

        Parameters
        ----------
        rgb
            (H, W, 3) uint8 frame.
        five
            (5, 2) float pixel coordinates in ``rgb``, in :data:`MESH_FIVE_POINTS` order.
        """
        if not np.all(np.isfinite(five)):
            return None
        dlib = self._dlib
        pts = [dlib.point(int(round(x)), int(round(y))) for x, y in five]
        x0, y0 = np.floor(five.min(axis=0)).astype(int)
        x1, y1 = np.ceil(five.max(axis=0)).astype(int)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        shape = dlib.full_object_detection(dlib.rectangle(int(x0), int(y0), int(x1), int(y1)),
                                           pts)
        return dlib.get_face_chip(np.ascontiguousarray(rgb), shape, size=CHIP_SIZE,
                                  padding=CHIP_PADDING)

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        """Descriptors of aligned chips: list of (150, 150, 3) uint8 -> (M, 128) float32."""
        if not chips:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        out = self._net.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
        return np.array([np.array(v) for v in out], dtype=np.float32)
