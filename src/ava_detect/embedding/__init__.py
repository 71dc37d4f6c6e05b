"""Face identity models: the only package that imports dlib (or any other face-recognition model).

Every model is a :class:`FaceEmbedder`: it aligns a face from its MediaPipe mesh, computes a
fixed-length descriptor, and carries its own metric and calibration, so the identity check's
thresholds are read against the model that made the numbers.
"""

from .dlib_resnet import (
    CHIP_SIZE,
    EMBEDDING_DIM,
    MESH_FIVE_POINTS,
    DescriptorProcess,
    DlibFaceEmbedder,
    five_points,
    model_path,
)
from .protocol import FaceEmbedder

__all__ = [
    "CHIP_SIZE",
    "EMBEDDING_DIM",
    "MESH_FIVE_POINTS",
    "DescriptorProcess",
    "DlibFaceEmbedder",
    "FaceEmbedder",
    "five_points",
    "model_path",
]
