"""Hand tracks and the per-frame hand signals the topology check reads.

Everything here is pure numpy on the landmark arrays of :class:`~ava_detect.signals.HandArrays`
(pixels of the full-resolution frame). Values are NaN wherever a frame could not be measured.

Landmark indices (MediaPipe Hands): 0 wrist; thumb 1-4; index 5-8; middle 9-12; ring 13-16;
pinky 17-20 (each finger: knuckle/MCP, PIP, DIP, tip).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .boxes import padded_box
from .clip import HandArrays

WRIST, INDEX_MCP, MIDDLE_MCP, PINKY_MCP = 0, 5, 9, 17
PALM_POINTS = (0, 1, 5, 9, 13, 17)
FINGER_CHAINS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
FINGERTIPS = (4, 8, 12, 16, 20)


@dataclass
class HandTracks:
    """Hands followed through the clip, one column per physical hand.

    points: (N, T, 21, 3) float32, landmarks in full-resolution pixels; NaN where absent.
    slot: (N, T) int, the :class:`HandArrays` slot each track took at frame n; -1 absent.
    label: (N, T) float32, MediaPipe's raw per-frame handedness label (+1 "Right", -1 "Left").
    label_score: (N, T) float32, that label's confidence.
    handedness: (T,) float, ONE label per track: the score-weighted majority of ``label``.
    phantom: (N, K) bool, detections dropped as duplicates of another hand in the same frame.
    """

    points: np.ndarray
    slot: np.ndarray
    label: np.ndarray
    label_score: np.ndarray
    handedness: np.ndarray
    phantom: np.ndarray

    @property
    def n_tracks(self) -> int:
        return int(self.points.shape[1])

    @property
    def present(self) -> np.ndarray:
        """(N, T) bool."""
        return self.slot >= 0


def palm_width(points: np.ndarray) -> np.ndarray:
    """Palm width: 3-D distance between the index and pinky knuckles, pixels.

    points: (..., 21, 3) -> (...,). MediaPipe's depth is in the same pixel scale as x, so the
    3-D distance stays near the true width when the palm turns edge-on.
    """
    return np.linalg.norm(points[..., INDEX_MCP, :] - points[..., PINKY_MCP, :], axis=-1)


def palm_size(points: np.ndarray) -> np.ndarray:
    """Hand scale for normalising shapes: mean 3-D length of the palm's four sides and its
    wrist-to-middle-knuckle axis, pixels. points: (..., 21, 3) -> (...,)."""
    pairs = ((0, 5), (5, 17), (17, 0), (0, 9))
    return np.mean(
        [np.linalg.norm(points[..., a, :] - points[..., b, :], axis=-1) for a, b in pairs], axis=0
    )


def palm_centre(points: np.ndarray) -> np.ndarray:
    """(..., 21, 3) -> (..., 2): mean x, y of the wrist and knuckles, pixels."""
    return points[..., PALM_POINTS, :2].mean(axis=-2)


def box_centre(points: np.ndarray) -> np.ndarray:
    """(..., 21, 3) -> (..., 2): centre of the landmarks' bounding box, pixels. Where the hand
    as a whole is: unlike the palm centre it stays put when the hand flips in place."""
    with np.errstate(invalid="ignore"):
        return (points[..., :2].min(axis=-2) + points[..., :2].max(axis=-2)) / 2


def hand_box(points: np.ndarray, pad: float = 0.15) -> tuple[float, float, float, float]:
    """(21, 3) landmarks -> (x0, y0, x1, y1) box around them, padded by ``pad`` of its size."""
    return padded_box(points, (pad, pad, pad, pad), square=True)


def track_hands(
    hands: HandArrays, *, max_gap: int = 8, max_jump: float = 2.0, max_size_ratio: float = 1.8,
    phantom_overlap: float = 0.6,
) -> HandTracks:
    """Follow each physical hand by position and size.

    Parameters
    ----------
    hands
        The clip's landmark arrays, (N, K, 21, 3).
    max_gap
        Frames a track may go unseen and still take a hand near its last position.
    max_jump
        Largest centre move, in palm sizes per unseen frame (+1), that still continues a track.
    max_size_ratio
        Largest change of palm size between a track's last sighting and a new detection.
    phantom_overlap
        Two detections of one frame whose centres are closer than this many palm sizes are one
        hand seen twice (MediaPipe's phantom duplicates); the one that continues a track (else
        the more confident) is kept.

    Returns
    -------
    HandTracks
    """
    n_frames, k_slots = hands.score.shape
    present = hands.present & ~np.isnan(hands.image[:, :, 0, 0])
    centre = palm_centre(hands.image)
    size = palm_size(hands.image)
    phantom = np.zeros((n_frames, k_slots), bool)
    tracks: list[dict] = []  # each: slots (N,) int, last_n, last_centre, last_size
    for n in range(n_frames):
        dets = [k for k in range(k_slots) if present[n, k] and size[n, k] > 0]
        live = [t for t in tracks if n - t["last_n"] <= max_gap + 1]
        pairs = []
        for ti, t in enumerate(live):
            for k in dets:
                gap = n - t["last_n"]
                dist = np.hypot(*(centre[n, k] - t["last_centre"])) / t["last_size"]
                ratio = max(size[n, k], t["last_size"]) / min(size[n, k], t["last_size"])
                if dist <= max_jump * gap and ratio <= max_size_ratio:
                    pairs.append((dist, ti, k))
        taken_t, taken_k = set(), set()
        for _dist, ti, k in sorted(pairs):
            if ti in taken_t or k in taken_k:
                continue
            taken_t.add(ti)
            taken_k.add(k)
            _extend(live[ti], n, k, centre[n, k], size[n, k])
        # Unmatched detections lying on a hand already taken this frame are phantoms.
        kept = sorted(taken_k)
        for k in sorted(set(dets) - taken_k, key=lambda k: -np.nan_to_num(hands.score[n, k])):
            near = any(
                np.hypot(*(centre[n, k] - centre[n, j])) < phantom_overlap * min(size[n, k],
                                                                               size[n, j])
                for j in kept
            )
            if near:
                phantom[n, k] = True
                continue
            kept.append(k)
            track = {"slots": np.full(n_frames, -1, int)}
            _extend(track, n, k, centre[n, k], size[n, k])
            tracks.append(track)
    n_t = len(tracks)
    slot = np.stack([t["slots"] for t in tracks], axis=1) if n_t else np.full((n_frames, 0), -1)
    points = np.full((n_frames, n_t, 21, 3), np.nan, np.float32)
    label = np.full((n_frames, n_t), np.nan, np.float32)
    label_score = np.full((n_frames, n_t), np.nan, np.float32)
    rows, cols = np.nonzero(slot >= 0)
    points[rows, cols] = hands.image[rows, slot[rows, cols]]
    label[rows, cols] = hands.handedness[rows, slot[rows, cols]]
    label_score[rows, cols] = hands.score[rows, slot[rows, cols]]
    vote = np.nansum(label * label_score, axis=0) if n_t else np.zeros(0)
    handedness = np.where(vote >= 0, 1.0, -1.0)
    return HandTracks(points, slot, label, label_score, handedness, phantom)


def _extend(track: dict, n: int, k: int, centre: np.ndarray, size: float) -> None:
    track["slots"][n] = k
    track["last_n"] = n
    track["last_centre"] = centre
    track["last_size"] = size


@dataclass
class HandSignals:
    """Per-frame signals of each track; every array is (N, T) unless noted, NaN where absent.

    palm_px: palm width (index to pinky knuckle, 3-D), pixels.
    centre: (N, T, 2) palm centre, pixels.
    speed: motion since the previous frame, palm widths per frame: the smaller of the palm
        centre's and the landmark box centre's (a hand flipping in place keeps its box, a
        hand whose fingers collapse keeps its palm; a moving hand moves both).
    facing: palm/back signal: the wrist-index-pinky triangle's signed 2-D area over its 3-D
        area, signed by the track's one handedness; > 0 palm toward the camera, < 0 back of
        the hand, near 0 edge-on. Range [-1, 1].
    shape: (N, T, 21, 3) landmarks in the palm's own 3-D frame, divided by palm size (rotation,
        position and scale removed).
    shape_change: RMS landmark move of ``shape`` since the previous frame, palm sizes.
    other_dist: distance between palm centres to the nearest other hand, palm widths (inf
        when alone).
    inside: the hand's landmarks are all inside the frame with a margin of a tenth of a palm.
    """

    palm_px: np.ndarray
    centre: np.ndarray
    speed: np.ndarray
    facing: np.ndarray
    shape: np.ndarray
    shape_change: np.ndarray
    other_dist: np.ndarray
    inside: np.ndarray


def hand_signals(tracks: HandTracks, frame_size: tuple[int, int]) -> HandSignals:
    """Measure each track frame by frame.

    Parameters
    ----------
    tracks
        From :func:`track_hands`.
    frame_size
        (width, height) of the full-resolution frame, pixels.
    """
    p = tracks.points.astype(np.float64)
    width = palm_width(p)
    centre = palm_centre(p)
    whole = box_centre(p)
    speed = np.full(width.shape, np.nan)
    if len(p) > 1:
        # the slower of the palm centre and the landmark-box centre: a hand flipping in
        # place keeps its box, a hand whose fingers collapse keeps its palm
        step = np.fmin(np.linalg.norm(whole[1:] - whole[:-1], axis=-1),
                       np.linalg.norm(centre[1:] - centre[:-1], axis=-1))
        speed[1:] = step / np.fmax(width[1:], width[:-1])
    facing = palm_facing(p) * tracks.handedness[None, :]
    shape = normalised_shape(p)
    change = np.full(width.shape, np.nan)
    if len(p) > 1:
        change[1:] = np.sqrt(np.mean(np.sum((shape[1:] - shape[:-1]) ** 2, axis=-1), axis=-1))
    other = np.full(width.shape, np.inf)
    n_t = p.shape[1]
    for a in range(n_t):
        for b in range(n_t):
            if a != b:
                d = np.linalg.norm(centre[:, a] - centre[:, b], axis=-1) / width[:, a]
                other[:, a] = np.fmin(other[:, a], np.where(np.isnan(d), np.inf, d))
    margin = 0.1 * width
    w, h = frame_size
    xs, ys = p[..., 0], p[..., 1]
    inside = (
        (np.nanmin(xs, axis=-1, initial=np.inf) >= margin)
        & (np.nanmin(ys, axis=-1, initial=np.inf) >= margin)
        & (np.nanmax(xs, axis=-1, initial=-np.inf) <= w - margin)
        & (np.nanmax(ys, axis=-1, initial=-np.inf) <= h - margin)
    ) if n_t else np.zeros(width.shape, bool)
    other[~tracks.present] = np.nan
    return HandSignals(width, centre, speed, facing, shape, change, other, inside)


def palm_facing(points: np.ndarray) -> np.ndarray:
    """Signed palm area ratio, before the handedness sign. (..., 21, 3) -> (...,).

    The 2-D cross product of wrist->index knuckle and wrist->pinky knuckle, divided by the
    product of their 3-D lengths: about +-0.7 for a flat hand facing the camera, 0 edge-on.
    Multiply by the track's handedness (+1 "Right", -1 "Left") to get palm (> 0) / back (< 0).
    """
    a = points[..., INDEX_MCP, :] - points[..., WRIST, :]
    b = points[..., PINKY_MCP, :] - points[..., WRIST, :]
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    norm = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cross / norm


def palm_frame(points: np.ndarray) -> np.ndarray:
    """Orthonormal palm axes. (..., 21, 3) -> (..., 3, 3), rows x, y, z.

    y runs wrist -> middle knuckle, x towards the pinky knuckle (orthogonalised), z = x cross y
    (the palm normal; its direction depends on the hand's chirality as drawn).
    """
    y = points[..., MIDDLE_MCP, :] - points[..., WRIST, :]
    y = y / np.linalg.norm(y, axis=-1, keepdims=True)
    x = points[..., PINKY_MCP, :] - points[..., INDEX_MCP, :]
    x = x - np.sum(x * y, axis=-1, keepdims=True) * y
    x = x / np.linalg.norm(x, axis=-1, keepdims=True)
    z = np.cross(x, y)
    return np.stack([x, y, z], axis=-2)


def normalised_shape(points: np.ndarray) -> np.ndarray:
    """Landmarks in the palm's own frame, palm-size units. (..., 21, 3) -> (..., 21, 3).

    Position (palm centre), rotation (:func:`palm_frame`) and scale (:func:`palm_size`) are
    removed, so only the hand's articulation is left.
    """
    centre = points[..., PALM_POINTS, :].mean(axis=-2, keepdims=True)
    axes = palm_frame(points)
    rel = np.einsum("...ij,...pj->...pi", axes, points - centre)
    return rel / palm_size(points)[..., None, None]


def sideways_bend(points: np.ndarray) -> np.ndarray:
    """Largest sideways bend of the index-to-pinky middle and end knuckles, degrees.

    A finger's middle and end joints only flex, so all its bones keep the same sideways lean
    (angle towards the palm's knuckle line, the x axis of :func:`palm_frame`) whatever the
    flexion; spreading the fingers happens at the base knuckle and tilts the whole finger. The
    change of lean from one bone to the next, at the PIP and DIP joints of the four fingers, is
    the sideways bend. Joints flexed by more than 50 deg are skipped: a curled finger hides
    the bend and its landmarks' depth is a guess.

    points: (..., 21, 3) -> (...,) degrees, NaN where not measurable.
    """
    side = palm_frame(points)[..., 0, :]
    out = np.full(points.shape[:-2], np.nan)
    for chain in FINGER_CHAINS[1:]:
        bones = [points[..., chain[i + 1], :] - points[..., chain[i], :] for i in range(3)]
        with np.errstate(invalid="ignore", divide="ignore"):
            lean = [np.degrees(np.arcsin(np.clip(
                np.sum(v * side, axis=-1) / np.linalg.norm(v, axis=-1), -1.0, 1.0)))
                for v in bones]
        for i in range(len(bones) - 1):
            u, v = bones[i], bones[i + 1]
            with np.errstate(invalid="ignore", divide="ignore"):
                cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1)
                                                  * np.linalg.norm(v, axis=-1))
            bend = np.abs(lean[i + 1] - lean[i])
            # a joint flexed past ~50 deg hides its sideways bend (and its depth is guessed)
            out = np.fmax(out, np.where(cos >= np.cos(np.radians(50.0)), bend, np.nan))
    return out


def thumb_direction(points: np.ndarray) -> np.ndarray:
    """Direction of the thumb in the palm's plane, degrees from the thumb side.

    The thumb (its base joint to its tip) is projected onto the palm plane; 0 deg points away
    from the palm on the thumb's side (pinky knuckle -> index knuckle direction), 90 deg along
    the fingers, 180 deg across the palm towards the pinky, beyond that (up to 180 from the
    other way round, reported as negative) back towards the wrist.

    points: (..., 21, 3) -> (...,) degrees in (-180, 180].
    """
    axes = palm_frame(points)
    thumb = points[..., 4, :] - points[..., 2, :]
    x = np.sum(thumb * axes[..., 0, :], axis=-1)
    y = np.sum(thumb * axes[..., 1, :], axis=-1)
    return np.degrees(np.arctan2(y, -x))
