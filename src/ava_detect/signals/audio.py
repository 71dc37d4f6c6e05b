"""Audio features for lip sync: log-mel bands, speech-band energy, onsets, voice activity.

All features are on a fixed hop (10 ms by default); frame ``i`` is centred at ``i * hop_s``
seconds on the clip timeline (the same timeline as the video frames, see ``media.read_audio``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .segments import Segment, hysteresis_segments
from .spectrum import mel_filterbank, stft_power

_EPS = 1e-10


@dataclass
class AudioFeatures:
    """Short-time features of one audio track.

    t_s: (M,) float64, centre time of each analysis frame, seconds.
    log_mel: (M, B) float64, natural log of mel-band power (B bands).
    band_db: (M,) float64, 300-3000 Hz energy in dB relative to full scale (speech band).
    rms_db: (M,) float64, broadband RMS level in dBFS.
    onset: (M,) float64, onset strength: mean positive rise of the log-mel bands per frame.
    hop_s: float, the frame hop in seconds.
    """

    t_s: np.ndarray
    log_mel: np.ndarray
    band_db: np.ndarray
    rms_db: np.ndarray
    onset: np.ndarray
    hop_s: float


def audio_features(audio: np.ndarray, sr: int, *, hop_s: float = 0.01, n_mels: int = 24,
                   fmin: float = 80.0, fmax: float = 7600.0,
                   band_hz: tuple[float, float] = (300.0, 3000.0)) -> AudioFeatures:
    """Log-mel, speech-band energy, RMS and onset strength on a ``hop_s`` hop.

    Parameters
    ----------
    audio : (S,) float, mono samples at ``sr`` Hz, full scale +-1.
    sr : int, sample rate in Hz.
    hop_s : float, hop between analysis frames in seconds (window is about 3 hops).
    n_mels, fmin, fmax : mel filter bank: number of bands and their range in Hz.
    band_hz : (low, high) Hz of the speech band whose energy drives voice activity.
    """
    y = np.asarray(audio, dtype=np.float32)
    hop = max(int(round(hop_s * sr)), 1)
    n_fft = int(2 ** np.ceil(np.log2(3 * hop)))
    if y.size < n_fft:
        y = np.pad(y, (0, n_fft - y.size))
    spec = stft_power(y, n_fft=n_fft, hop=hop)
    fmax = min(fmax, sr / 2)
    mel_fb = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    log_mel = np.log(mel_fb @ spec + _EPS).T
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    win_power = float(np.sum(np.hanning(n_fft + 1)[:-1] ** 2))
    band = (freqs >= band_hz[0]) & (freqs <= min(band_hz[1], sr / 2))
    # Parseval: 2 * sum(|X_k|^2) / (n_fft * sum(w^2)) is the mean power of the windowed frame.
    band_db = 10 * np.log10(2 * spec[band].sum(axis=0) / (n_fft * win_power) + _EPS)
    rms_db = 10 * np.log10(2 * spec.sum(axis=0) / (n_fft * win_power) + _EPS)
    onset = np.zeros(log_mel.shape[0])
    onset[1:] = np.maximum(np.diff(log_mel, axis=0), 0.0).mean(axis=1)
    t = np.arange(log_mel.shape[0]) * hop / sr
    return AudioFeatures(t_s=t, log_mel=log_mel, band_db=band_db, rms_db=rms_db, onset=onset,
                         hop_s=hop / sr)


def is_silent(audio: np.ndarray | None, *, threshold_db: float = -60.0) -> bool:
    """True when the track never rises above ``threshold_db`` dBFS over any 10 ms.

    Digital silence, or hiss far below speech level, counts as silent.
    """
    if audio is None or len(audio) == 0:
        return True
    y = np.asarray(audio, dtype=np.float64)
    n = max(len(y) // 160, 1)
    frames = y[: n * 160].reshape(n, -1) if len(y) >= 160 else y.reshape(1, -1)
    peak_rms = float(np.sqrt(np.max(np.mean(frames**2, axis=1))))
    return 20 * np.log10(peak_rms + _EPS) < threshold_db


@dataclass
class VoiceActivity:
    """Where the audio holds voice.

    active: (M,) bool per audio frame. segments: the voiced runs (frame indices of
    ``AudioFeatures.t_s``). floor_db / peak_db: the noise floor and speech level the thresholds
    came from; on_db / off_db: the hysteresis thresholds used, dBFS in the speech band.
    """

    active: np.ndarray
    segments: list[Segment]
    floor_db: float
    peak_db: float
    on_db: float
    off_db: float

    @property
    def dynamics_db(self) -> float:
        """How far the voice stands above the floor, dB (small for music or a loud background)."""
        return self.peak_db - self.floor_db


def voice_activity(feats: AudioFeatures, *, on_fraction: float = 0.45, off_fraction: float = 0.3,
                   min_margin_db: float = 8.0, absolute_floor_db: float = -55.0,
                   smooth_s: float = 0.05, min_voice_s: float = 0.08,
                   bridge_s: float = 0.15) -> VoiceActivity:
    """Voice activity from speech-band energy with two thresholds (hysteresis).

    The noise floor is the 10th percentile of the smoothed speech-band level and the speech
    level its 97th percentile. A voiced run starts where the level rises ``on_fraction`` of the
    way from floor to speech level (and at least ``min_margin_db`` over the floor and above
    ``absolute_floor_db``) and ends when it falls below ``off_fraction`` of the way. Runs shorter
    than ``min_voice_s`` are dropped and gaps shorter than ``bridge_s`` (stop consonants) are
    bridged. Because the thresholds follow the clip's own floor, steady background noise
    raises them instead of counting as voice.
    """
    level = _smooth(feats.band_db, max(int(round(smooth_s / feats.hop_s)), 1))
    floor = float(np.percentile(level, 10))
    peak = float(np.percentile(level, 97))
    span = max(peak - floor, 0.0)
    on = max(floor + on_fraction * span, floor + min_margin_db, absolute_floor_db)
    off = max(floor + off_fraction * span, floor + 0.6 * min_margin_db, absolute_floor_db - 5)
    off = min(off, on)
    segs = hysteresis_segments(level, feats.t_s, on=on, off=off, min_duration_s=0.0)
    segs = _bridge(segs, feats.t_s, bridge_s)
    segs = [s for s in segs if s.duration_s + 1e-9 >= min_voice_s]
    active = np.zeros(len(level), bool)
    for s in segs:
        active[s.start : s.end + 1] = True
    return VoiceActivity(active=active, segments=segs, floor_db=floor, peak_db=peak,
                         on_db=on, off_db=off)


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return np.asarray(x, dtype=np.float64)
    return np.convolve(np.pad(x, (width // 2, width - 1 - width // 2), mode="edge"),
                       np.ones(width) / width, mode="valid")


def _bridge(segs: list[Segment], t_s: np.ndarray, gap_s: float) -> list[Segment]:
    """Join segments whose gap is shorter than ``gap_s``."""
    out: list[Segment] = []
    for s in segs:
        if out and s.start_s - out[-1].end_s < gap_s:
            prev = out[-1]
            peak = prev if prev.peak_value >= s.peak_value else s
            out[-1] = Segment(start=prev.start, end=s.end, start_s=prev.start_s, end_s=s.end_s,
                              peak=peak.peak, peak_value=peak.peak_value)
        else:
            out.append(s)
    return out


def to_grid(t_s: np.ndarray, values: np.ndarray, grid: np.ndarray, width_s: float) -> np.ndarray:
    """Average audio-frame values over ``width_s`` around each grid time.

    Parameters
    ----------
    t_s : (M,) audio frame times; values : (M,) or (M, F); grid : (T,) target times, seconds.

    Returns
    -------
    (T,) or (T, F) float64; NaN for grid times outside the audio.
    """
    vals = np.asarray(values, dtype=np.float64)
    flat = vals.reshape(len(vals), -1)
    hop = float(t_s[1] - t_s[0]) if len(t_s) > 1 else 0.01
    width = max(int(round(width_s / hop)), 1)
    smoothed = np.stack([_smooth(flat[:, j], width) for j in range(flat.shape[1])], axis=1)
    out = np.stack([np.interp(grid, t_s, smoothed[:, j], left=np.nan, right=np.nan)
                    for j in range(flat.shape[1])], axis=1)
    return out.reshape((len(grid),) + vals.shape[1:])
