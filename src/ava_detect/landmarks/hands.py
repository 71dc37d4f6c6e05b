"""The hand tracker: MediaPipe's hand tracking with one landmark-model run per hand and frame.

It follows MediaPipe's ``hand_landmark_tracking_cpu`` graph step by step, but in Python, so the
landmark model's hand-presence score is kept instead of thrown away:

1. Palm detection on the full frame, only while fewer than ``max_hands`` hands are tracked
   (:class:`~.palms.PalmDetector`), at most ``max_hands`` palms, and only on every
   ``search_every``-th frame (MediaPipe searches on every frame). While no hand is tracked, the
   frames in between are not looked at at all (no hand, no model run); while some are, they
   are tracked on every frame.
2. The palms' crops are merged with the tracked hands' crops: a palm whose box overlaps a
   tracked hand's by IoU > 0.5 is dropped (:func:`~.crops.associate`).
3. The landmark model runs once on each crop (:class:`~.hand_model.HandLandmarkModel`); a hand
   whose presence is not above ``min_tracking_confidence`` is dropped.
4. Each kept hand's crop for the next frame is placed from its landmarks
   (:func:`~.crops.tracker_crop`).

The first ``max_hands`` kept hands are reported, in MediaPipe's order (new palms first).
"""

from __future__ import annotations

import numpy as np

from .crops import Roi, associate, roi_from_landmarks
from .frames import HandsInFrame
from .hand_model import HandLandmarkModel, HandResult
from .palms import PalmDetector


class HandTracker:
    """Hands in tracking mode, with presence: feed frames in order, get :class:`HandsInFrame`.

    Same arguments and output as MediaPipe's ``mp.solutions.hands`` (the test oracle
    ``tests/oracles/legacy_hands.py``), plus
    ``HandsInFrame.presence``: the presence score of the crop each reported hand was judged on
    (the previous frame's landmark crop for a tracked hand, the palm crop for a new one), and
    ``HandsInFrame.from_palm``, which of the two it was.
    """

    def __init__(
        self,
        *,
        max_hands: int = 2,
        model_complexity: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        search_every: int = 1,
    ):
        self.max_hands = max_hands
        #: while some but fewer than ``max_hands`` hands are tracked, palms are searched for
        #: on every ``search_every``-th frame only (a further hand is found that much later)
        self.search_every = max(1, int(search_every))
        self._calls = 0  # frames the models looked at
        self._frames = 0  # frames given
        self.min_tracking_confidence = min_tracking_confidence
        self._palms = PalmDetector(model_complexity=model_complexity,
                                   min_score=min_detection_confidence)
        self._model = HandLandmarkModel(model_complexity=model_complexity)
        self._tracked: list[Roi] = []  # crops for the next frame, picture pixels
        self._size: tuple[int, int] | None = None  # the picture size they belong to
        #: landmark-model and palm-detector runs so far (for cost accounting)
        self.runs = {"landmarks": 0, "palms": 0}

    def process(self, rgb: np.ndarray, full_size: tuple[int, int]) -> HandsInFrame:
        """Landmarks for one RGB frame (H, W, 3) uint8; ``full_size`` is (width, height) px."""
        height, width = rgb.shape[:2]
        if self._size != (width, height):
            self._tracked = []  # a picture of another size: crops no longer apply
            self._size = (width, height)
        index, self._frames = self._frames, self._frames + 1
        if not self._tracked and index % self.search_every:
            return HandsInFrame.empty(self.max_hands)  # no hand, and no search due
        palms: list[Roi] = []
        self._calls += 1
        due = not self._tracked or self._calls % self.search_every == 0
        if len(self._tracked) < self.max_hands and due:
            palms = self._palms.detect(rgb)[: self.max_hands]
            self.runs["palms"] += 1
        kept: list[tuple[HandResult, bool]] = []
        for roi, from_palm in associate(palms, self._tracked):
            hand = self._model.run(rgb, roi)
            self.runs["landmarks"] += 1
            if hand.presence > self.min_tracking_confidence:
                kept.append((hand, from_palm))
        self._tracked = [roi_from_landmarks(hand.points) for hand, _ in kept]
        return self._frame(kept[: self.max_hands], (width, height), full_size)

    def _frame(self, kept, size: tuple[int, int], full_size: tuple[int, int]) -> HandsInFrame:
        out = HandsInFrame.empty(self.max_hands)
        # MediaPipe's landmarks are fractions of the picture; the full-resolution frame has
        # the same proportions, so scale each axis (and depth like x) by its size.
        sx, sy = full_size[0] / size[0], full_size[1] / size[1]
        for k, (hand, from_palm) in enumerate(kept):
            out.image[k] = hand.points * np.array([sx, sy, sx])
            out.world[k] = hand.world
            out.handedness[k], out.score[k] = hand.handedness
            out.presence[k] = hand.presence
            out.from_palm[k] = from_palm
        return out

    def reset(self) -> None:
        """Forget the tracking state so the next frame starts a new clip."""
        self._tracked = []
        self._size = None
        self._calls = 0
        self._frames = 0

    def close(self) -> None:
        self._palms.close()
        self._model.close()
