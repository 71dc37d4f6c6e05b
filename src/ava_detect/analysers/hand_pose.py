"""Where a hand should be when the hand model finds none: the arm's end from the pose model.

The hand landmark model gives up on hands that melt, smear or fuse. MediaPipe's pose model keeps
following the arm there, so for each side of the body this analyser records the pose model's
wrist and hand region and whether the hand tracker found a hand in that region. The detector
(:mod:`ava_detect.detectors.hands.melt`) turns runs of "arm in view, hand end not a hand" into
``hand_melt`` events.

Cost: the pose model runs only while the hand tracker has found a hand within the last
``window_s`` seconds (a melt is judged only on a hand the hand model knew shortly before; this
also covers clasped hands) or while an arm's end lacks a hand (from the first such frame until a
hand is found again or the arm leaves), and then on every ``every``-th frame (every frame while
an arm's end lacks a hand). A talking head without hands costs no pose run.

Output arrays, NaN where the pose did not run or found no person (side 0 = the model's "left",
1 = "right"):

- ``hand_pose.wrist`` (N, 2, 2): wrist, full-resolution pixels;
- ``hand_pose.centre`` (N, 2, 2): the hand region's centre (mean of the wrist and the pose's
  pinky, index and thumb points), pixels;
- ``hand_pose.size`` (N, 2): the hand region's side, 2.5 x the longer of wrist->index and
  wrist->pinky, pixels;
- ``hand_pose.visibility`` (N, 2): the pose model's wrist visibility in [0, 1];
- ``hand_pose.found`` (N, 2): 1 where a tracked hand's palm centre lies in the region, else 0;
- ``hand_pose.on_face`` (N, 2): 1 where the hand region's centre lies on the face (the box of
  the pose's own head points, :func:`head_box`), else 0: a hand held to the face, or a wrist
  the pose model put on the face, which the hand model cannot separate from it;
- ``hand_pose.ran`` (N,): 1 where the pose model ran on the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..types import ClipInfo, Frame, HandsInFrame

# (elbow, wrist, pinky, index, thumb) per side, MediaPipe pose indices
_ARMS = ((13, 15, 17, 19, 21), (14, 16, 18, 20, 22))
_PALM = (0, 1, 5, 9, 13, 17)  # hand landmarks whose mean is the palm centre
_SIZE_FACTOR = 2.5  # hand region side over the wrist->index (pose) distance
_VISIBLE = 0.8  # wrist visibility above which an arm's end counts as in view (dense runs)
_HEAD = tuple(range(11))  # pose nose, eyes, ears and mouth corners
_HEAD_HALF = 0.8  # face box half-side over the head points' largest extent (ear to ear)


def arm_ends(points: np.ndarray, visibility: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per side: wrist (2, 2), hand centre (2, 2), hand region side (2,), wrist visibility (2,).

    points: (33, 3) pose landmarks in pixels (NaN: no person); visibility: (33,).
    """
    wrist = np.full((2, 2), np.nan)
    centre = np.full((2, 2), np.nan)
    size = np.full(2, np.nan)
    vis = np.full(2, np.nan)
    for s, (_, w, pinky, index, thumb) in enumerate(_ARMS):
        p = points[:, :2].astype(np.float64)
        if not np.isfinite(p[w]).all():
            continue
        wrist[s] = p[w]
        centre[s] = p[[w, pinky, index, thumb]].mean(axis=0)
        reach = max(np.linalg.norm(p[index] - p[w]), np.linalg.norm(p[pinky] - p[w]))
        size[s] = _SIZE_FACTOR * reach
        vis[s] = visibility[w]
    return wrist, centre, size, vis


def head_box(points: np.ndarray) -> tuple[np.ndarray, float]:
    """The face as the pose model sees it: centre (2,) and half-side (pixels), NaN if unseen.

    points: (33, 3) pose landmarks in pixels. The box is centred on the head points (nose,
    eyes, ears, mouth corners) and its half-side is ``_HEAD_HALF`` times their largest
    extent (about the head's width ear to ear), so it reaches from the forehead to the chin.
    """
    head = points[list(_HEAD), :2].astype(np.float64)
    head = head[np.isfinite(head).all(axis=1)]
    if len(head) < 3:
        return np.full(2, np.nan), float("nan")
    lo, hi = head.min(axis=0), head.max(axis=0)
    return (lo + hi) / 2, _HEAD_HALF * float((hi - lo).max())


def hand_in_region(hands: HandsInFrame | None, centre: np.ndarray, size: float) -> bool:
    """True when a tracked hand's palm centre lies within the square region."""
    if hands is None or not np.isfinite(centre).all():
        return False
    here = np.isfinite(hands.image[:, 0, 0])
    palms = hands.image[here][:, _PALM, :2].astype(np.float64).mean(axis=1)
    palms = palms[np.isfinite(palms).all(axis=1)]
    return bool(len(palms) and (np.abs(palms - centre).max(axis=1) <= size / 2).any())


class HandPoseAnalyzer:
    """Runs the pose model (passed in) on a schedule and records each arm's end."""

    name = "hand_pose"
    lane = "hands"

    def __init__(self, pose_model, *, every: int = 1, window_s: float = 1.0):
        """``pose_model``: zero-argument function giving the pipeline's pose tracker, reset
        for a new clip (called once per clip, in :meth:`begin`)."""
        self._get_model = pose_model
        self._model = None
        self._every = max(1, int(every))
        self._window_s = float(window_s)
        self._hand_seen_s = -np.inf  # time of the last frame with a tracked hand
        self._full_size: tuple[int, int] | None = None
        self._rows: list[tuple] = []
        self._dense = False  # an arm's end lacked a hand in the last frame the pose ran on

    def begin(self, info: ClipInfo) -> None:
        self._full_size = info.display_size
        self._rows = []
        self._dense = False
        self._hand_seen_s = -np.inf
        self._model = self._get_model()

    def update(self, frame: Frame, hands: HandsInFrame | None, faces) -> None:
        n = len(self._rows)
        empty = (np.full((2, 2), np.nan), np.full((2, 2), np.nan), np.full(2, np.nan),
                 np.full(2, np.nan), np.full(2, np.nan), np.full(2, np.nan), 0.0)
        if hands is not None and np.isfinite(hands.image[:, 0, 0]).any():
            self._hand_seen_s = frame.t_s
        recent = frame.t_s - self._hand_seen_s <= self._window_s
        if not (self._dense or (recent and n % self._every == 0)) or self._full_size is None:
            self._rows.append(empty)
            return
        pose = self._model.process(frame.rgb, self._full_size)
        wrist, centre, size, vis = arm_ends(pose.points, pose.visibility)
        found = np.array([float(hand_in_region(hands, centre[s], size[s])) for s in range(2)])
        found[np.isnan(vis)] = np.nan
        face_centre, face_half = head_box(pose.points)
        with np.errstate(invalid="ignore"):
            on_face = (np.abs(centre - face_centre).max(axis=1) <= face_half).astype(np.float64)
            self._dense = bool(((vis >= _VISIBLE) & (found == 0)).any())
        on_face[np.isnan(vis)] = np.nan
        self._rows.append((wrist, centre, size, vis, found, on_face, 1.0))

    def finish(self) -> dict[str, np.ndarray]:
        cols = list(zip(*self._rows, strict=True)) if self._rows else [[]] * 7
        names = ("wrist", "centre", "size", "visibility", "found", "on_face", "ran")
        shapes = ((0, 2, 2), (0, 2, 2), (0, 2), (0, 2), (0, 2), (0, 2), (0,))
        return {f"{self.name}.{k}": (np.asarray(c, np.float32) if len(c)
                                     else np.zeros(s, np.float32))
                for k, c, s in zip(names, cols, shapes, strict=True)}
