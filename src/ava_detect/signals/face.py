"""Face geometry for the identity and lip-sync checks: pose, size, boxes, shot cuts.

Pure numpy over MediaPipe face-mesh landmarks (pixels; ``z`` in the same pixel scale, larger is
further from the camera). The measurements that need the picture (colour, embeddings) are made
in the frame loop by :mod:`ava_detect.analysers.face_pixels` and
:mod:`ava_detect.analysers.face_identity`.
"""

from __future__ import annotations

import numpy as np

from .boxes import padded_box

# Face-mesh indices used here.
EYE_IMAGE_LEFT = (33, 133)  # outer, inner corner of the eye on the image's left
EYE_IMAGE_RIGHT = (263, 362)  # outer, inner corner of the eye on the image's right
FOREHEAD, CHIN = 10, 152
CHEEKS = (205, 425)  # mid-cheek, image-left and image-right
# Iris centre, ring points, and the upper/lower eyelid points of the same eye.
IRISES = ((468, (469, 470, 471, 472), 159, 145), (473, (474, 475, 476, 477), 386, 374))



def head_pose(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Yaw and pitch of the head from the mesh, degrees.

    The face's axes are taken from the eye corners (left-right) and forehead-chin (up-down);
    their normal is the direction the face points. Yaw > 0: the face turns towards the image's
    right; pitch > 0: it looks up. Rough (a landmark proxy, not calibrated), but monotonic.

    Parameters
    ----------
    points
        (..., 478, 3) float landmarks in pixels; NaN where no face.

    Returns
    -------
    yaw, pitch
        (...) float arrays, degrees; NaN where no face.
    """
    p = np.asarray(points)
    ex = np.asarray(p[..., EYE_IMAGE_RIGHT[0], :] - p[..., EYE_IMAGE_LEFT[0], :], np.float64)
    ex = ex / np.linalg.norm(ex, axis=-1, keepdims=True)
    ey = np.asarray(p[..., CHIN, :] - p[..., FOREHEAD, :], np.float64)
    ey = ey - np.sum(ey * ex, axis=-1, keepdims=True) * ex
    ey = ey / np.linalg.norm(ey, axis=-1, keepdims=True)
    out = -np.cross(ex, ey)  # towards the camera for a frontal face: (0, 0, -1)
    yaw = np.degrees(np.arctan2(out[..., 0], -out[..., 2]))
    pitch = np.degrees(np.arctan2(-out[..., 1], -out[..., 2]))
    return yaw, pitch


def eye_distance(points: np.ndarray) -> np.ndarray:
    """Distance between the two eye centres (mean of each eye's corners), pixels, in 3-D.

    Measured in 3-D so a head turn does not shrink it. (..., 478, 3) -> (...); NaN if no face.
    """
    p = np.asarray(points)
    a = p[..., list(EYE_IMAGE_LEFT), :].astype(np.float64).mean(axis=-2)
    b = p[..., list(EYE_IMAGE_RIGHT), :].astype(np.float64).mean(axis=-2)
    return np.linalg.norm(a - b, axis=-1)


def mouth_opening(points: np.ndarray) -> np.ndarray:
    """Inner-lip gap per eye distance (0 closed, ~0.5 wide open): (..., 478, 3) -> (...)."""
    p = np.asarray(points)
    gap = (p[..., 13, :2] - p[..., 14, :2]).astype(np.float64)
    return np.linalg.norm(gap, axis=-1) / eye_distance(p)


def face_box(points: np.ndarray, pad: float = 0.15) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) around one face's mesh, grown by ``pad`` of its size each side (px)."""
    return padded_box(points, (pad, pad * 1.5, pad, pad * 0.5))


def histogram_change(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the picture whose colour moved to another histogram bin (0 same, 1 all)."""
    return float(0.5 * np.abs(a - b).sum())


def is_shot_cut(hist_change: np.ndarray, similarity: np.ndarray, *, min_change: float,
                max_similarity: float) -> np.ndarray:
    """(N,) bool: an editorial cut before each frame.

    A cut changes the colours and the layout of the whole picture at once; a lighting jump
    keeps the layout (similarity stays high), a face swap changes too little of the picture.
    """
    change = np.nan_to_num(np.asarray(hist_change, dtype=np.float64), nan=0.0)
    sim = np.nan_to_num(np.asarray(similarity, dtype=np.float64), nan=1.0)
    return (change >= min_change) & (sim <= max_similarity)
