"""The identity check's frame analyser: sparse face embeddings, face colour, shot-cut cues."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from ..signals.face import eye_distance, face_box, head_pose, histogram_change, is_shot_cut
from . import face_pixels as px

if TYPE_CHECKING:
    from ..embedding import FaceEmbedder
    from ..settings import IdentitySettings
    from ..types import ClipInfo, FacesInFrame, Frame, HandsInFrame


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
    where the face changed (:meth:`_refine`). When a track ends (a cut, a long gap, another
    face in the slot, the end of the clip) up to ``end_frames`` of its last buffered chips are
    embedded too, so the detector can compare how a track begins with how it ends, and a face
    that comes back with the face that left (:meth:`_embed_tail`). Frames too small or turned
    too far are not embedded at all.

    ``finish`` returns (N = frames, K = face slots):
    ``face.embedding`` (N, K, 128) float32, ``face.skin_ab`` and ``face.iris_ab`` (N, K, 2)
    float32 CIE a*/b*, ``face.hist_change`` (N,) float32 colour-histogram change from the
    previous frame (0-1), ``face.similarity`` (N,) float32 correlation of the frame's coarse
    layout with the previous frame's (-1-1), ``face.thumb`` (N, 16, 16, 3) uint8 each frame
    shrunk to 16x16 pixels, ``face.sharpness`` and ``face.ring_sharpness`` (N, K) float32 the
    fine structure of each face's mesh box and of the picture around it
    (:func:`~ava_detect.analysers.face_pixels.face_sharpness`, the face breakup measurement).
    NaN where not measured.
    """

    name = "face"
    lane = "faces"

    def __init__(self, settings: IdentitySettings, max_faces: int,
                 embedder: FaceEmbedder):
        self.s = settings
        self.k = max_faces
        self._embedder = embedder
        self._scale = 1.0
        self._full_width: float | None = None
        self._tracks = [_Track(2 * settings.embed_stride) for _ in range(max_faces)]
        self._emb: list[np.ndarray] = []
        self._skin: list[np.ndarray] = []
        self._iris: list[np.ndarray] = []
        self._sharp: list[np.ndarray] = []  # (K, 2) per frame: face box, ring around it
        self._hist: list[float] = []
        self._similar: list[float] = []
        self._thumbs: list[np.ndarray] = []
        self._prev_hist: np.ndarray | None = None
        self._prev_layout: np.ndarray | None = None

    def begin(self, info: ClipInfo) -> None:
        self._full_width = float(info.display_size[0])

    @property
    def embedder(self) -> FaceEmbedder:
        return self._embedder

    def update(self, frame: Frame, hands: HandsInFrame | None,
               faces: FacesInFrame | None) -> None:
        i = len(self._emb)
        self._emb.append(np.full((self.k, self._embedder.dim), np.nan, np.float32))
        self._skin.append(np.full((self.k, 2), np.nan, np.float32))
        self._iris.append(np.full((self.k, 2), np.nan, np.float32))
        self._sharp.append(np.full((self.k, 2), np.nan, np.float32))
        small = px.shrink(frame.rgb)  # one pass over the full frame; the rest works on this
        hist, lay = px.colour_histogram(small), px.layout(small)
        self._thumbs.append(px.thumbnail(small))
        first = self._prev_hist is None
        change = np.nan if first else histogram_change(hist, self._prev_hist)
        similar = np.nan if first else float(lay @ self._prev_layout)
        self._prev_hist, self._prev_layout = hist, lay
        self._hist.append(change)
        self._similar.append(similar)
        if is_shot_cut(np.array([change]), np.array([similar]), min_change=self.s.shot_cut,
                       max_similarity=self.s.shot_cut_similarity)[0]:
            # an edit: every reference starts again
            for k, track in enumerate(self._tracks):
                self._embed_tail(k, track)
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
            self._embed_tail(k, track)
            track.restart()  # another face took the slot, or the face was gone a while
        track.last_centre, track.last_seen_s = centre, t_s
        scaled = pts * scale
        self._skin[i][k] = px.skin_chroma(rgb, scaled, yaw)
        self._iris[i][k] = px.iris_chroma(rgb, scaled, yaw, pitch, s.iris_min_radius_px)
        if s.breakup_measure:
            self._sharp[i][k] = px.face_sharpness(rgb, face_box(scaled, pad=0.0))
        if eyes < s.min_eye_distance_px or abs(yaw) > s.gate_max_yaw_deg:
            return
        chip = self.embedder.chip(rgb, scaled)
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

    def _embed_tail(self, k: int, track: _Track) -> None:
        """Embed the last ``end_frames`` buffered chips of a track that is ending."""
        chips = [(j, chip) for j, chip in track.buffer if j > track.last_index]
        chips = chips[-self.s.end_frames:]
        if chips:
            found = self.embedder.embed([chip for _, chip in chips])
            for (j, _), e in zip(chips, found, strict=True):
                self._emb[j][k] = e
        track.buffer.clear()

    def finish(self) -> dict[str, np.ndarray]:
        for k, track in enumerate(self._tracks):
            self._embed_tail(k, track)
        n = len(self._emb)
        shape = (0, self.k)
        return {
            "face.embedding": (np.stack(self._emb) if n
                               else np.zeros((*shape, self._embedder.dim))),
            "face.skin_ab": np.stack(self._skin) if n else np.zeros((*shape, 2)),
            "face.iris_ab": np.stack(self._iris) if n else np.zeros((*shape, 2)),
            "face.sharpness": (np.stack(self._sharp)[..., 0] if n else np.zeros(shape)),
            "face.ring_sharpness": (np.stack(self._sharp)[..., 1] if n else np.zeros(shape)),
            "face.hist_change": np.asarray(self._hist, dtype=np.float32),
            "face.similarity": np.asarray(self._similar, dtype=np.float32),
            "face.thumb": (np.stack(self._thumbs) if n
                           else np.zeros((0, px.THUMB_SIDE, px.THUMB_SIDE, 3), np.uint8)),
        }

