"""The evidence clips' options (output only: they change no finding)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError


@dataclass(frozen=True)
class EvidenceVideoSettings:
    """The evidence clips (``CLIP_frames/fNN_<kind>.mp4``): one short video per finding.

    Output only: they change no finding. They are settings (in the digest) so that a folder run
    resumed with them switched on or off makes or drops the clips rather than reusing packs.
    """

    enabled: bool = True  # --no-evidence-video sets this to false
    # Context before the failure span, seconds ("about a second" of normal motion first).
    context_s: float = 1.0
    # At most this much of the failure span is shown (identity and lip-sync spans often run to
    # the end of the clip): with the context and the half-speed replay a clip lasts at most
    # 3 x 5 s = 15 s; measured 0.24-0.50 MB (640x360 synthetic, 4.6-11.3 s) and 1.84 MB (the
    # CNN anchor clip, 12.5 s with sound) at the defaults (docs/evidence-pack.md).
    max_span_s: float = 4.0
    # Picture width of the evidence clip, pixels (even). Measured on the CNN clip (1 finding,
    # same run): 960 px 6.6 s = 49 % of its 13.5 s analysis, 1.87 MB; 640 px 5.1 s = 38 %,
    # 1.26 MB; the header text shrinks to fit narrow widths.
    width: int = 640
    # x264 constant-rate factor (x264's own default is 23): 26 kept the burnt-in text and the
    # waveform readable in the frames looked at and a 12.5 s clip under 2 MB; other values
    # were not measured.
    crf: int = 26

    def __post_init__(self) -> None:
        if self.context_s < 0 or self.max_span_s <= 0:
            raise ConfigError("evidence_video.context_s must be >= 0 and max_span_s > 0.")
        if self.width < 320 or self.width % 2:
            raise ConfigError("evidence_video.width must be an even number of at least 320.")
        if not 0 <= self.crf <= 51:
            raise ConfigError("evidence_video.crf must be between 0 and 51.")
