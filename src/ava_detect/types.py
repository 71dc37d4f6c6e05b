"""Plain data passed between the layers: no outside library but numpy.

:class:`ClipInfo`, :class:`Frame` and :class:`DecodeStats` come from :mod:`ava_detect.media`;
:class:`HandsInFrame` and :class:`FacesInFrame` from :mod:`ava_detect.landmarks`. Everything
downstream (signals, detectors, reports) sees only these, never a PyAV or MediaPipe object.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class ClipInfo:
    """What a clip is, measured from its container without decoding pictures."""

    path: str
    sha256: str
    size_bytes: int
    container: str
    codec: str
    duration_s: float
    fps: float
    variable_frame_rate: bool
    frame_count: int
    width: int
    height: int
    rotation: int
    start_s: float
    has_audio: bool
    audio_codec: str | None
    audio_sample_rate: int | None
    audio_channels: int | None

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) after applying the rotation metadata, in pixels."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Frame:
    """One decoded picture.

    ``rgb`` has shape (height, width, 3), dtype uint8, rotation already applied.
    ``t_s`` is the presentation time in seconds on the clip's timeline.
    """

    index: int
    t_s: float
    rgb: np.ndarray


@dataclass
class DecodeStats:
    """Filled in while :func:`iter_frames` runs: what could not be decoded."""

    frames: int = 0
    corrupt_packets: int = 0
    #: Frames dropped because their timestamp did not move forward (damaged or duplicated pts).
    bad_timestamps: int = 0
    #: Frames dropped because the decoder returned an empty (0-pixel) picture.
    empty_frames: int = 0
    #: True when reading stopped early at a damaged part of the file (the rest was not read).
    read_stopped_early: bool = False
    #: Frames the container's index lists for the stream (0 when it does not say).
    frames_declared: int = 0


N_HAND_POINTS = 21
N_FACE_POINTS = 478  # 468 mesh points + 10 iris points (refine_landmarks=True)


@dataclass
class HandsInFrame:
    """Hands found in one frame, padded to ``max_hands`` rows with NaN.

    image: (max_hands, 21, 3) float32, pixels of the full-resolution upright frame.
    world: (max_hands, 21, 3) float32, metres, origin at the hand's centre (MediaPipe world).
    handedness: (max_hands,) float32, MediaPipe's raw label: +1 "Right", -1 "Left", NaN absent.
        The model assumes a mirrored (selfie) picture, so on ordinary footage "Left" is usually
        the person's right hand.
    score: (max_hands,) float32, the label's confidence in [0, 1], NaN absent.
    presence: (max_hands,) float32, the landmark model's hand-presence score on the crop the
        tracker judged this frame, in [0, 1]; NaN where absent or not known (the legacy
        tracker hides it). Defaults to all NaN.
    from_palm: (max_hands,) bool, True where that crop came from this frame's palm detection
        (a hand found anew, or found again in the frame its tracking was lost); the presence
        of such a looser crop runs lower than on the landmark-placed crop (up to 0.24 on the
        real clips). Defaults to all False.
    """

    image: np.ndarray
    world: np.ndarray
    handedness: np.ndarray
    score: np.ndarray
    presence: np.ndarray | None = None
    from_palm: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.presence is None:
            self.presence = np.full(self.score.shape, np.nan, np.float32)
        if self.from_palm is None:
            self.from_palm = np.zeros(self.score.shape, bool)

    @classmethod
    def empty(cls, max_hands: int) -> HandsInFrame:
        def nan(*shape):
            return np.full(shape, np.nan, np.float32)

        return cls(
            image=nan(max_hands, N_HAND_POINTS, 3),
            world=nan(max_hands, N_HAND_POINTS, 3),
            handedness=nan(max_hands),
            score=nan(max_hands),
            presence=nan(max_hands),
            from_palm=np.zeros(max_hands, bool),
        )

    @property
    def count(self) -> int:
        return int(np.sum(~np.isnan(self.score)))

    def take(self, order: np.ndarray) -> HandsInFrame:
        """The same hands with slot ``k`` holding row ``order[k]`` (every field reordered)."""
        return HandsInFrame(
            image=self.image[order],
            world=self.world[order],
            handedness=self.handedness[order],
            score=self.score[order],
            presence=self.presence[order],
            from_palm=self.from_palm[order],
        )


@dataclass
class FacesInFrame:
    """Faces found in one frame, padded to ``max_faces`` rows with NaN.

    points: (max_faces, 478, 3) float32, pixels of the full-resolution upright frame.
    """

    points: np.ndarray

    @property
    def count(self) -> int:
        return int(np.sum(~np.isnan(self.points[:, 0, 0])))

    @property
    def image(self) -> np.ndarray:
        """The landmarks in pixels (the name hands use for theirs)."""
        return self.points

    def take(self, order: np.ndarray) -> FacesInFrame:
        """The same faces with slot ``k`` holding row ``order[k]``."""
        return FacesInFrame(points=self.points[order])


@dataclass(frozen=True)
class AlignedPhone:
    """One phone of a known word, placed in the audio by the forced aligner.

    ``word`` is the word as written in the transcript (lower case), ``word_index`` its position
    in the transcript's word list, ``phone`` the CMU (ARPAbet) phone without stress, ``start_s``
    and ``end_s`` its span on the clip's audio timeline (10 ms resolution), ``score`` the
    aligner's acoustic log score per 10 ms frame (higher is a better fit).
    """

    word: str
    word_index: int
    phone: str
    start_s: float
    end_s: float
    score: float


@dataclass(frozen=True)
class SpeechAlignment:
    """The known words of a clip aligned to its audio (``speech.align_known_words``).

    text: the transcript as given; source: where it came from ("--transcript",
        "--transcript-file", "--prompt" for quoted speech in the prompt).
    words: the normalised words that were aligned.
    phones: every phone of every word in time order (empty when the alignment did not run).
    reason: None when the alignment can be trusted; otherwise one sentence saying why not
        (words the dictionary lacks, audio that does not match the text, no speech ...).
    measured: the figures that decided the reason (score per frame, short-phone share ...).
    align_s: wall time the aligner took, seconds.
    """

    text: str
    source: str
    words: tuple[str, ...] = ()
    phones: tuple[AlignedPhone, ...] = ()
    reason: str | None = None
    measured: dict | None = None
    align_s: float = 0.0
