"""Face measurements for the identity check: pose, size, colour, shot changes, embeddings.

The geometry functions are pure numpy over MediaPipe face-mesh landmarks (pixels; ``z`` in the
same pixel scale, larger is further from the camera). :class:`FaceAnalyzer` is the frame
analyser that needs pixels: identity embeddings (through :mod:`ava_detect.embedding`), cheek
and iris colour, and the whole-frame colour histogram change that marks editorial cuts.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..embedding import EMBEDDING_DIM, FaceEmbedder, five_points

if TYPE_CHECKING:
    from ..landmarks import FacesInFrame, HandsInFrame
    from ..media import ClipInfo, Frame
    from ..settings import IdentitySettings

# Face-mesh indices used here.
EYE_IMAGE_LEFT = (33, 133)  # outer, inner corner of the eye on the image's left
EYE_IMAGE_RIGHT = (263, 362)  # outer, inner corner of the eye on the image's right
FOREHEAD, CHIN = 10, 152
CHEEKS = (205, 425)  # mid-cheek, image-left and image-right
# Iris centre, ring points, and the upper/lower eyelid points of the same eye.
IRISES = ((468, (469, 470, 471, 472), 159, 145), (473, (474, 475, 476, 477), 386, 374))

_HIST_BINS = 8  # per RGB channel, for the shot-change histogram
_HIST_SIDE = 96  # frames are shrunk to this before the histogram
_THUMB_SIDE = 16  # each frame is kept as a 16x16 colour thumbnail (dissolve tests)


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
    xy = np.asarray(points)[:, :2]
    x0, y0 = np.nanmin(xy, axis=0)
    x1, y1 = np.nanmax(xy, axis=0)
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    return (float(x0 - dx), float(y0 - dy * 1.5), float(x1 + dx), float(y1 + dy * 0.5))


def _lab_ab(pixels: np.ndarray) -> np.ndarray | None:
    """Median CIE a*, b* of (M, 3) uint8 RGB pixels, or None if there are too few."""
    if len(pixels) < 8:
        return None
    lab = cv2.cvtColor(pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    return np.median(lab.reshape(-1, 3)[:, 1:], axis=0)


def skin_chroma(rgb: np.ndarray, points_px: np.ndarray, yaw: float) -> np.ndarray:
    """Median a*/b* of the cheek patches that face the camera (not lightness).

    Parameters
    ----------
    rgb
        (H, W, 3) uint8 frame.
    points_px
        (478, 3) landmarks in ``rgb``'s pixels.
    yaw
        Head yaw, degrees: a cheek turned away from the camera (> 20 deg) is left out.

    Returns
    -------
    (2,) float: a*, b*; NaN when not measurable.
    """
    half = 0.12 * float(np.hypot(*(points_px[EYE_IMAGE_RIGHT[0], :2]
                                    - points_px[EYE_IMAGE_LEFT[0], :2]))) / 2 + 1
    chosen = [c for c, away in zip(CHEEKS, (yaw < -20, yaw > 20), strict=True) if not away]
    patches = []
    height, width = rgb.shape[:2]
    for idx in chosen:
        x, y = points_px[idx, :2]
        x0, x1 = int(max(0, x - half)), int(min(width, x + half + 1))
        y0, y1 = int(max(0, y - half)), int(min(height, y + half + 1))
        if x1 > x0 and y1 > y0:
            patches.append(rgb[y0:y1, x0:x1].reshape(-1, 3))
    ab = _lab_ab(np.concatenate(patches)) if patches else None
    return np.full(2, np.nan) if ab is None else ab


def iris_chroma(rgb: np.ndarray, points_px: np.ndarray, yaw: float, pitch: float,
                min_radius_px: float) -> np.ndarray:
    """Median a*/b* of the visible irises, only where that is meaningful.

    Measured only for a near-frontal face (|yaw|, |pitch| <= 20 deg), an iris radius of at
    least ``min_radius_px`` in ``rgb`` and an eye open wider than the iris radius; pixels are
    taken from a ring between 40 % and 90 % of the radius (no pupil, no limbus) inside the
    eyelids, without highlights. (2,) float, NaN when not measurable.
    """
    if not (abs(yaw) <= 20 and abs(pitch) <= 20):
        return np.full(2, np.nan)
    height, width = rgb.shape[:2]
    samples = []
    for centre_i, ring, upper, lower in IRISES:
        c = points_px[centre_i, :2]
        radius = float(np.mean(np.hypot(*(points_px[list(ring), :2] - c).T)))
        top, bottom = points_px[upper, 1], points_px[lower, 1]
        if radius < min_radius_px or bottom - top < radius:
            continue
        r = int(np.ceil(radius))
        x0, y0 = int(c[0]) - r, int(c[1]) - r
        if x0 < 0 or y0 < 0 or x0 + 2 * r + 1 > width or y0 + 2 * r + 1 > height:
            continue
        patch = rgb[y0 : y0 + 2 * r + 1, x0 : x0 + 2 * r + 1]
        yy, xx = np.mgrid[y0 : y0 + 2 * r + 1, x0 : x0 + 2 * r + 1]
        dist = np.hypot(xx - c[0], yy - c[1])
        mask = (dist >= 0.4 * radius) & (dist <= 0.9 * radius) & (yy > top) & (yy < bottom)
        pix = patch[mask]
        pix = pix[pix.max(axis=1) < 230]  # specular highlights carry no iris colour
        samples.append(pix)
    ab = _lab_ab(np.concatenate(samples)) if samples else None
    return np.full(2, np.nan) if ab is None else ab


def shrink(rgb: np.ndarray, side: int = _HIST_SIDE) -> np.ndarray:
    """The whole frame averaged down to (side, side, 3) uint8 (area averaging).

    Done in two steps, an exact integer reduction first (OpenCV's fast path for whole
    factors: about a third of the time of one direct area resize of a 720p frame), then the
    rest. The first step drops the fewer than ``f`` rows and columns at the bottom and right
    edges that do not fill a whole block, so the picture differs slightly from a direct resize
    (1 grey level mean on a 720p frame).
    """
    h, w = rgb.shape[:2]
    f = max(1, min(h, w) // (2 * side))
    if f > 1:
        rgb = cv2.resize(rgb[: h - h % f, : w - w % f], (w // f, h // f),
                         interpolation=cv2.INTER_AREA)
    return cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)


def colour_histogram(small: np.ndarray) -> np.ndarray:
    """Normalised 8x8x8 RGB histogram of a (shrunk) frame: (512,) float32, sums to 1."""
    hist = cv2.calcHist([small], [0, 1, 2], None, [_HIST_BINS] * 3, [0, 256] * 3).ravel()
    return (hist / max(float(hist.sum()), 1.0)).astype(np.float32)


def histogram_change(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the picture whose colour moved to another histogram bin (0 same, 1 all)."""
    return float(0.5 * np.abs(a - b).sum())


def layout(small: np.ndarray, side: int = 32) -> np.ndarray:
    """The frame's coarse light/dark layout: side x side grey, zero mean, unit norm, float32.

    ``small`` is the frame or its :func:`shrink`. The dot product of two layouts is their
    correlation (1 same picture, ~0 unrelated).
    """
    small = cv2.resize(small, (side, side), interpolation=cv2.INTER_AREA)
    v = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32).ravel()
    v -= v.mean()
    return v / max(float(np.linalg.norm(v)), 1e-6)


def is_shot_cut(hist_change: np.ndarray, similarity: np.ndarray, *, min_change: float,
                max_similarity: float) -> np.ndarray:
    """(N,) bool: an editorial cut before each frame.

    A cut changes the colours and the layout of the whole picture at once; a lighting jump
    keeps the layout (similarity stays high), a face swap changes too little of the picture.
    """
    change = np.nan_to_num(np.asarray(hist_change, dtype=np.float64), nan=0.0)
    sim = np.nan_to_num(np.asarray(similarity, dtype=np.float64), nan=1.0)
    return (change >= min_change) & (sim <= max_similarity)


class _Track:
    """Embedding schedule of one face slot (see :class:`FaceAnalyzer`)."""

    def __init__(self, buffer_len: int):
        self.warm: list[np.ndarray] = []  # clean embeddings collected for the reference
        self.reference: np.ndarray | None = None
        self.last_index = -(10**9)
        self.last_embedding: np.ndarray | None = None
        self.last_ref_distance = 0.0
        self.last_centre: np.ndarray | None = None
        self.last_seen_s = -np.inf
        self.dense_until = -1
        self.buffer: deque[tuple[int, np.ndarray]] = deque(maxlen=buffer_len)

    def restart(self) -> None:
        self.warm, self.reference, self.last_embedding = [], None, None
        self.last_ref_distance = 0.0
        self.buffer.clear()


class FaceAnalyzer:
    """Embeds faces sparsely and densely where identity may change; measures face colour.

    Per face slot, a frame is embedded when: the track's reference is still being built (its
    first ``reference_frames`` clean frames, after each shot cut or track restart), every
    ``embed_stride``-th frame, or during ``dense_frames`` after an embedding that moved more than
    ``jump_trigger`` from the previous one or crossed ``drift_trigger`` from the running
    reference. The aligned chips of the last ``2 * embed_stride`` frames are kept, so a trigger
    also bisects the frames since the previous embedding, without decoding again, to find
    where the face changed (:meth:`_refine`). Frames too small or turned too far are not
    embedded at all.

    ``finish`` returns (N = frames, K = face slots):
    ``face.embedding`` (N, K, 128) float32, ``face.skin_ab`` and ``face.iris_ab`` (N, K, 2)
    float32 CIE a*/b*, ``face.hist_change`` (N,) float32 colour-histogram change from the
    previous frame (0-1), ``face.similarity`` (N,) float32 correlation of the frame's coarse
    layout with the previous frame's (-1-1), ``face.thumb`` (N, 16, 16, 3) uint8 each frame
    shrunk to 16x16 pixels. NaN where not measured.
    """

    name = "face"

    def __init__(self, settings: IdentitySettings, max_faces: int,
                 embedder: FaceEmbedder | None = None):
        self.s = settings
        self.k = max_faces
        self._embedder = embedder
        self._scale = 1.0
        self._full_width: float | None = None
        self._tracks = [_Track(2 * settings.embed_stride) for _ in range(max_faces)]
        self._emb: list[np.ndarray] = []
        self._skin: list[np.ndarray] = []
        self._iris: list[np.ndarray] = []
        self._hist: list[float] = []
        self._similar: list[float] = []
        self._thumbs: list[np.ndarray] = []
        self._prev_hist: np.ndarray | None = None
        self._prev_layout: np.ndarray | None = None

    def begin(self, info: ClipInfo) -> None:
        self._full_width = float(info.display_size[0])

    @property
    def embedder(self) -> FaceEmbedder:
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    def update(self, frame: Frame, hands: HandsInFrame | None,
               faces: FacesInFrame | None) -> None:
        i = len(self._emb)
        self._emb.append(np.full((self.k, EMBEDDING_DIM), np.nan, np.float32))
        self._skin.append(np.full((self.k, 2), np.nan, np.float32))
        self._iris.append(np.full((self.k, 2), np.nan, np.float32))
        small = shrink(frame.rgb)  # one pass over the full frame; the rest works on this
        hist, lay = colour_histogram(small), layout(small)
        self._thumbs.append(cv2.resize(small, (_THUMB_SIDE, _THUMB_SIDE),
                                       interpolation=cv2.INTER_AREA))
        first = self._prev_hist is None
        change = np.nan if first else histogram_change(hist, self._prev_hist)
        similar = np.nan if first else float(lay @ self._prev_layout)
        self._prev_hist, self._prev_layout = hist, lay
        self._hist.append(change)
        self._similar.append(similar)
        if is_shot_cut(np.array([change]), np.array([similar]), min_change=self.s.shot_cut,
                       max_similarity=self.s.shot_cut_similarity)[0]:
            # an edit: every reference starts again
            for track in self._tracks:
                track.restart()
        if faces is None:
            return
        scale = frame.rgb.shape[1] / (self._full_width or frame.rgb.shape[1])
        for k in range(min(self.k, faces.points.shape[0])):
            pts = faces.points[k]
            if np.isnan(pts[0, 0]):
                continue
            self._measure_face(i, frame.t_s, k, frame.rgb, pts.astype(np.float64), scale)

    def _measure_face(self, i: int, t_s: float, k: int, rgb: np.ndarray, pts: np.ndarray,
                      scale: float) -> None:
        s, track = self.s, self._tracks[k]
        yaw, pitch = (float(v) for v in head_pose(pts))
        eyes = float(eye_distance(pts))
        centre = pts[:, :2].mean(axis=0)
        moved = (track.last_centre is not None
                 and np.hypot(*(centre - track.last_centre)) > s.track_jump_eye_distances * eyes)
        if moved or t_s - track.last_seen_s > s.track_gap_s:
            track.restart()  # another face took the slot, or the face was gone a while
        track.last_centre, track.last_seen_s = centre, t_s
        scaled = pts * scale
        self._skin[i][k] = skin_chroma(rgb, scaled, yaw)
        self._iris[i][k] = iris_chroma(rgb, scaled, yaw, pitch, s.iris_min_radius_px)
        if eyes < s.min_eye_distance_px or abs(yaw) > s.gate_max_yaw_deg:
            return
        chip = self.embedder.chip(rgb, five_points(scaled))
        if chip is None:
            return
        clean = abs(yaw) <= s.reference_max_yaw_deg
        building = track.reference is None
        due = i - track.last_index >= s.embed_stride or i <= track.dense_until
        if not ((building and clean) or due):
            track.buffer.append((i, chip))
            return
        emb = self.embedder.embed([chip])[0]
        self._emb[i][k] = emb
        if building and clean:
            track.warm.append(emb)
            if len(track.warm) >= s.reference_frames:
                track.reference = np.median(np.stack(track.warm), axis=0)
        jump = (track.last_embedding is not None
                and float(np.linalg.norm(emb - track.last_embedding)) >= s.jump_trigger)
        ref_distance = (float(np.linalg.norm(emb - track.reference))
                        if track.reference is not None else 0.0)
        # Crossing the drift level triggers; staying above it does not (a face that has
        # already become someone else needs no more than sparse samples).
        drift = track.last_ref_distance < s.drift_trigger <= ref_distance
        if jump or drift:
            self._refine(k, track, emb)
            track.dense_until = i + s.dense_frames
        track.last_index, track.last_embedding = i, emb
        track.last_ref_distance = ref_distance

    def _refine(self, k: int, track: _Track, emb: np.ndarray) -> None:
        """Find where between the previous embedding and this one the face changed.

        Bisects the frames kept in the track's buffer since the previous embedding: each
        embedded frame goes with the side it is nearer, so a switch ends up between two
        neighbouring embedded frames after about log2(stride) embeddings, not one per frame.
        """
        chips = [(j, chip) for j, chip in track.buffer if j > track.last_index]
        track.buffer.clear()
        if track.last_embedding is None:
            return
        before, after = track.last_embedding, emb
        lo, hi = 0, len(chips)  # the change lies after chips[lo - 1], at or before chips[hi]
        while lo < hi:
            mid = (lo + hi) // 2
            j, chip = chips[mid]
            found = self.embedder.embed([chip])[0]
            self._emb[j][k] = found
            if np.linalg.norm(found - before) <= np.linalg.norm(found - after):
                lo, before = mid + 1, found
            else:
                hi, after = mid, found

    def finish(self) -> dict[str, np.ndarray]:
        n = len(self._emb)
        shape = (0, self.k)
        return {
            "face.embedding": np.stack(self._emb) if n else np.zeros((*shape, EMBEDDING_DIM)),
            "face.skin_ab": np.stack(self._skin) if n else np.zeros((*shape, 2)),
            "face.iris_ab": np.stack(self._iris) if n else np.zeros((*shape, 2)),
            "face.hist_change": np.asarray(self._hist, dtype=np.float32),
            "face.similarity": np.asarray(self._similar, dtype=np.float32),
            "face.thumb": (np.stack(self._thumbs) if n
                           else np.zeros((0, _THUMB_SIDE, _THUMB_SIDE, 3), np.uint8)),
        }


_SHARED: FaceEmbedder | None = None


def shared_embedder() -> FaceEmbedder:
    """One loaded embedder per process (loading the network takes about a second)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = FaceEmbedder()
    return _SHARED
