"""Everything the frame loop gathered about one clip, as arrays over its N analysed frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..types import ClipInfo, DecodeStats, SpeechAlignment


@dataclass
class HandArrays:
    """Hand landmarks over the clip; slot ``k`` follows one hand (see ``signals.tracks``).

    image: (N, K, 21, 3) float32, full-resolution pixels (x right, y down, z depth px).
    world: (N, K, 21, 3) float32, metres around the hand's centre.
    handedness: (N, K) float32, MediaPipe's raw label, +1 "Right" / -1 "Left" (selfie
        convention: "Left" is usually a right hand on ordinary footage).
    score: (N, K) float32, handedness confidence. NaN everywhere a slot holds no hand.
    """

    image: np.ndarray
    world: np.ndarray
    handedness: np.ndarray
    score: np.ndarray

    @property
    def present(self) -> np.ndarray:
        """(N, K) bool: a hand is in slot k at frame n."""
        return ~np.isnan(self.score)


@dataclass
class FaceArrays:
    """Face-mesh landmarks over the clip; slot ``k`` follows one face.

    points: (N, K, 478, 3) float32, full-resolution pixels; 468 mesh points, then the two irises
        (468-472 and 473-477, centre first). NaN where a slot holds no face.
    """

    points: np.ndarray

    @property
    def present(self) -> np.ndarray:
        """(N, K) bool: a face is in slot k at frame n."""
        return ~np.isnan(self.points[:, :, 0, 0])


@dataclass
class ClipSignals:
    """The input of every detector.

    t_s: (N,) float64, presentation time of each analysed frame, seconds on the clip timeline.
    frame_size: (width, height) of the upright full-resolution frame, pixels.
    hands / faces: landmark arrays, or None when no check needed that model.
    audio: (S,) float32 mono at ``audio_sr`` Hz (sample i plays at i / audio_sr s), or None
        when the clip has no audio or no check needed it.
    measured: extra per-frame arrays from frame analysers, keyed "<analyser>.<name>".
    speech: the clip's known words aligned to its audio (phones with times), or None when no
        words were given (``speech.align_known_words``; the lip-sync viseme check reads it).
    """

    info: ClipInfo
    t_s: np.ndarray
    frame_size: tuple[int, int]
    hands: HandArrays | None = None
    faces: FaceArrays | None = None
    audio: np.ndarray | None = None
    audio_sr: int = 16000
    measured: dict[str, np.ndarray] = field(default_factory=dict)
    decode: DecodeStats = field(default_factory=DecodeStats)
    speech: SpeechAlignment | None = None

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def frame_duration_s(self) -> float:
        """Median spacing of frame times (1/fps for constant frame rate)."""
        if self.n_frames < 2:
            return 1.0 / max(self.info.fps, 1.0)
        return float(np.median(np.diff(self.t_s)))
