"""The lip-sync check's thresholds (see docs/lipsync.md)."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import TOLERANCE_STANDARDS
from ..errors import ConfigError


@dataclass(frozen=True)
class LipSyncSettings:
    """Thresholds of the lip-sync check (see docs/lipsync.md for how each was chosen)."""

    # Which broadcast standard sets the tolerance: itu_bt1359_acceptability (default),
    # itu_bt1359_detectability, ebu_r37, atsc_is191 (limits in catalog.TOLERANCE_STANDARDS), or
    # "custom" (the two limits below). With lag_ms > 0 meaning the audio leads, a clip is within
    # tolerance when -audio_lag_limit <= lag_ms <= +audio_lead_limit.
    tolerance_standard: str = "itu_bt1359_acceptability"
    custom_audio_lead_ms: float = 90.0  # "custom" only: largest allowed audio lead (lag_ms > 0)
    custom_audio_lag_ms: float = 185.0  # "custom" only: largest allowed audio lag (lag_ms < 0)
    # Lag search.
    max_lag_s: float = 2.0  # candidate lags cover +-this, one step per video frame
    highpass_s: float = 1.0  # moving average subtracted from lip and audio features, seconds
    audio_components: int = 8  # principal components of the audio features used by the CCA
    cca_ridge: float = 0.05  # ridge added to the CCA's correlation matrices
    sidelobe_exclusion_s: float = 0.2  # PSR sidelobe region: further than this from the peak
    # Below this peak-to-sidelobe ratio the lag is "inconclusive". Was 3.5 with the sqrt overlap
    # weight; with the linear weight, 3.0 keeps 95 % of conclusive whole clips and 91-95 % of
    # conclusive 3-4 s windows within 40 ms of a built shift (benchmarks/lipsync_accuracy.py).
    min_psr: float = 3.0
    # Shorter face tracks are inconclusive. Was 3.0, which made every 3 s clip inconclusive
    # (its grid covers 2.96 s); generated dialogue is 3-5 s long.
    min_duration_s: float = 2.5
    min_speech_fraction: float = 0.3  # voiced share of the face's frames needed for a lag
    min_speech_s: float = 1.0  # and at least this much voiced time (was 1.5; 3 s clips)
    # Lags are searched up to this share of the face's measured span (and max_lag_s), so every
    # candidate lag pairs at least 3/4 of the frames: on a 4.3 s VoxCeleb2 interview
    # (sync-filtered) a wrong peak at -1040 ms passed the PSR test; at a quarter of the span it
    # is the search edge (inconclusive). Clips of 8 s or more keep the full +-max_lag_s.
    max_lag_fraction: float = 0.25
    min_face_fraction: float = 0.5  # a face slot needs a face on this share of frames
    # An out-of-tolerance lag is reported only when its peak stands this many standard
    # deviations above the peaks of the same search with the audio circularly shifted
    # (``chance_shifts`` shifts). Measured (docs/lipsync.md): the believed-real offsets read
    # z 11 (LivePortrait d20) and 18 (the 1 s CNN clip); the false -314 ms (HDTF Katie Hill)
    # 0.2 and the false +521 ms (LatentSync vidlab7) 1.6. On built +-200/400 ms shifts of the
    # real clips, 83 % of right whole-clip lags reach 2.5 (the rest: clips with weak peaks, PSR
    # 3-4, now inconclusive rather than failing); the 5 wrong ones read 2.5-4.5.
    min_chance_z: float = 2.5
    chance_shifts: int = 12
    # Short clips (issue 17 item 1). On a clip (face span) shorter than ``short_clip_s`` the
    # circular shifts of the chance gate are few and overlap, so the gate stops right lags too
    # (3 s windows: right lags at z 0-1.5 with PSR 5-8). There the lag also counts when the
    # mouth's 2-7 Hz syllable rhythm (``signals.rhythm``), an independent estimator, peaks
    # within ``rhythm_agreement_ms`` of it: instead of the chance gate, and instead of the PSR
    # minimum down to ``short_min_psr`` (benchmark: 3 s windows 60 -> 71 % conclusive, 91-92 %
    # within 40 ms; 4 s 69 -> 76 %, 93-94 %; whole clips unchanged; docs/lipsync.md). At 2.0 an
    # unshifted 3 s window of vox2_517600055 read -491 ms at PSR 2.07 (a false offset).
    short_clip_s: float = 5.0
    short_min_psr: float = 2.2
    rhythm_agreement_ms: float = 40.0
    # Windowed lag (drift).
    window_s: float = 4.0  # window length of the lag curve over time
    window_hop_s: float = 1.0  # hop between windows
    window_search_s: float = 0.5  # windows search the global lag +-this (full range if none)
    window_min_psr: float = 3.0  # windows whose peak stands out less are left out (NaN)
    min_drift_ms: float = 80.0  # fitted lag change over the clip needed to report drift
    # With at least this many windows, a global lag none of them reproduces is inconclusive:
    # the Hamilton rap clip (scene cuts, rap over a beat) read +1365 ms with every window
    # unmeasurable; no conclusive real clip of the benchmark has all its windows unmeasured.
    min_windows_checked: int = 3
    # ... and one whose measured windows' median lag differs from it by more than this (ms):
    # the side-by-side AniPortrait clip read -318 ms globally, its one measurable window -169 ms.
    max_window_disagreement_ms: float = 80.0
    # Audio and video streams ending this far apart (ms) are reported (av_length_mismatch). On
    # the 65 shared clips with sound the ends differ by -102 ... +171 ms (demuxed packets; the
    # decoded spans the check sees: -48 ... +171 ms, the largest the clip with a built 1 s
    # offset); users report 200-500 ms.
    max_stream_end_difference_ms: float = 250.0
    # Audio.
    silence_dbfs: float = -60.0  # a track never louder than this (10 ms RMS) is silent
    vad_on_fraction: float = 0.45  # voice starts this far from noise floor to speech level
    vad_off_fraction: float = 0.3  # and ends below this fraction (hysteresis)
    vad_min_margin_db: float = 8.0  # voice must be at least this far above the noise floor
    vad_bridge_s: float = 0.15  # shorter voiceless gaps (stop consonants) stay voiced
    # Mouth/voice activity findings. Mouth motion = std of the inner-lip gap over 0.3 s, in
    # eye-distance units (speech typically 0.03-0.1; still mouth below 0.01).
    motion_window_s: float = 0.3  # window of the mouth-motion measure
    silence_guard_s: float = 0.2  # silence this close to voice is ignored (lips anticipate)
    moving_on: float = 0.06  # mouth "moving clearly" from this motion ...
    moving_off: float = 0.04  # ... until it drops below this (hysteresis)
    min_moving_silence_s: float = 0.3  # shortest reported mouth motion during silence
    still_motion: float = 0.012  # mouth "still" below this motion ...
    still_relative: float = 0.3  # ... and below this share of the clip's typical speech motion
    min_still_speech_s: float = 2.0  # shortest reported still mouth during speech (a mumbled
    # phrase behind a beard can look still to the face mesh for 1.5 s)
    # Silence and speech are only told apart when the sound drops well below the voice between
    # phrases: the voice level (97th percentile of the speech band) over its floor (10th), dB.
    # Music and singing clips read 10.3-14.9 and raised every activity finding in the media
    # (mouth "moving in silence" while the music plays); real speech 20.1 and more, but for a
    # studio background (12.4) and the Hamilton rap (17.5), neither with an activity finding.
    activity_min_dynamics_db: float = 18.0
    # Viseme check (issue 17 item 3): lips that never close on p, b, m, when the words are known
    # (--transcript, --transcript-file, or speech quoted in --prompt). Figures from
    # benchmarks/viseme_accuracy.py (docs/lipsync.md "Wrong viseme").
    # Window: the lips close before a stop's burst and frames are 33-40 ms apart; with it, 20/20
    # bilabials of the real clips with known words find a closed frame (at most 0.07 open).
    viseme_lead_s: float = 0.06  # the lips may close this long before a bilabial's phone ...
    viseme_trail_s: float = 0.04  # ... and until this long after it (one frame at 25 fps)
    viseme_closed_percentile: float = 5.0  # the clip's closed mouth: this percentile of the gap
    viseme_open_percentile: float = 95.0  # and its open mouth
    # A bilabial fails when its most closed frame is further open than this share of the clip's
    # closed-to-open scale: real speech with known words reads 0.00-0.07 (0.36 on the AI dub's
    # first frame), built open-mouth negatives 0.83-1.06.
    viseme_max_open_fraction: float = 0.5
    # ... and more than this above the closed gap (eye distances; the clips' open levels read
    # 0.11-0.42).
    viseme_min_open_gap: float = 0.05
    # Below this the mouth's open and closed levels are too close to tell a closure (eye dist.).
    viseme_min_mouth_span: float = 0.05
    # The alignment is trusted only when the words fit the audio. Mean acoustic score per 10 ms
    # frame of the words: correct words -12 ... -19 (recognised, partly wrong words down to
    # -27), another clip's words -47 ... -64.
    viseme_min_score_per_frame: float = -40.0
    # Share of phones squeezed to the aligner's 30 ms minimum: correct words 10-17 %, another
    # clip's words 21-33 %, the recogniser's words on two clips 25.2 and 26 % (not run).
    viseme_max_short_phone_share: float = 0.25
    # Share of the loud audio outside every aligned word: whole transcripts at most 12 % (words
    # cut at the clip's ends), the first half of a transcript 35-57 %.
    viseme_max_speech_outside_words: float = 0.3
    # Speakers taking turns (issue 17 item 2, signals/turns.py, docs/lipsync.md "Dialogues"):
    # with two or more faces, each voiced sample goes to the face whose mouth motion, averaged
    # over turn_smooth_s, is at least turn_min_ratio times every other face's.
    speaker_turns: bool = True  # off: one face for the whole clip, as before
    turn_smooth_s: float = 0.5  # a word gap (~0.2 s) does not hand the turn over
    turn_min_ratio: float = 2.0  # clearly the one moving; undecided samples take the neighbours'
    turn_min_s: float = 0.5  # shorter turns join the neighbouring turn (a back-channel "mm")
    turn_bridge_s: float = 0.5  # a pause this short inside one face's line stays in the line
    # A face is a speaker with at least this much speech assigned; with fewer than two speakers
    # the check is the single-face check.
    min_speaker_s: float = 1.0
    # ... and one turn at least this long (a line): built dialogue lines of 1.6-2.4 s are found
    # as turns of 0.9 s or more; the second face of the ghost split-screen duet moves with the
    # music in pieces of at most 0.8 s.
    min_line_s: float = 0.9

    def __post_init__(self) -> None:
        known = (*TOLERANCE_STANDARDS, "custom")
        if self.tolerance_standard not in known:
            raise ConfigError(
                f"lipsync.tolerance_standard {self.tolerance_standard!r} is unknown; "
                f"choose from {', '.join(known)}."
            )
