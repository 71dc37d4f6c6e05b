"""Wall seconds per stage of one analysis (kept out of the JSON: they vary from run to run)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StageTimes:
    """Wall seconds spent per stage of one analysis (kept out of the JSON: it varies per run).

    Each stage's time is counted in the thread that ran it: with the hand and face lanes in
    parallel their stages overlap, so ``total_s`` (their sum) is more than the wall time of the
    analysis. ``extra`` holds ``analyzer.<name>_s`` per frame analyser, and the evidence-pack
    stages ``evidence_s``, ``pdf_s``, ``json_s`` when a pack is written.
    """

    decode_s: float = 0.0
    hands_s: float = 0.0
    faces_s: float = 0.0
    hand_analyzers_s: float = 0.0  # frame analysers run in the hand lane
    face_analyzers_s: float = 0.0  # ... in the face lane
    both_analyzers_s: float = 0.0  # ... that need both models (serial loop)
    finish_s: float = 0.0  # the analysers' finish() calls
    audio_s: float = 0.0
    detect_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def analyzers_s(self) -> float:
        """All frame analysers' time."""
        return (
            self.hand_analyzers_s + self.face_analyzers_s + self.both_analyzers_s + self.finish_s
        )

    @property
    def total_s(self) -> float:
        return (
            self.decode_s
            + self.hands_s
            + self.faces_s
            + self.analyzers_s
            + self.audio_s
            + self.detect_s
        )
