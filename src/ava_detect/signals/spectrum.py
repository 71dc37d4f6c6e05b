"""Short-time power spectrum and mel filter bank, in plain numpy.

What the lip-sync check needs from an audio library, written out: a centred, Hann-windowed
short-time Fourier transform and a mel filter bank on the Slaney mel scale with Slaney's
area normalisation (the conventions librosa uses by default, so the features match it; a test
compares the two). Doing it here saves about 5 s on the first clip of every process, which
librosa spends importing and compiling its functions.
"""

from __future__ import annotations

import numpy as np

# Slaney's mel scale: linear below 1 kHz (200/3 Hz a mel), logarithmic above.
_F_SP = 200.0 / 3.0
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOG_STEP = np.log(6.4) / 27.0
_BLOCK_FRAMES = 2048  # STFT frames transformed at a time


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """Frequencies in Hz -> mels on the Slaney scale."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _F_SP
    log = _MIN_LOG_MEL + np.log(np.maximum(hz, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOG_STEP
    return np.where(hz >= _MIN_LOG_HZ, log, linear)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Mels on the Slaney scale -> Hz."""
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * _F_SP
    log = _MIN_LOG_HZ * np.exp(_LOG_STEP * (np.maximum(mel, _MIN_LOG_MEL) - _MIN_LOG_MEL))
    return np.where(mel >= _MIN_LOG_MEL, log, linear)


def mel_filterbank(*, sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) float64 triangular mel filters over the rfft bins.

    Band edges are spaced evenly in mels from ``fmin`` to ``fmax`` Hz; each triangle is scaled
    by 2 / its width in Hz, so every band has the same area (Slaney normalisation).
    """
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    width = np.diff(edges)
    to_edge = edges[:, None] - freqs[None, :]  # (n_mels + 2, bins)
    rising = -to_edge[:-2] / width[:-1, None]
    falling = to_edge[2:] / width[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]


def hann(n: int) -> np.ndarray:
    """(n,) periodic Hann window (the one used for spectral analysis)."""
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def stft_power(y: np.ndarray, *, n_fft: int, hop: int) -> np.ndarray:
    """|STFT|^2 of a mono signal: (n_fft // 2 + 1, M) float64.

    Frame ``m`` is centred on sample ``m * hop`` (the signal is padded with ``n_fft // 2``
    zeros each side), windowed with :func:`hann`; M = 1 + len(y) // hop.
    """
    y = np.asarray(y, dtype=np.float32)
    padded = np.pad(y, (n_fft // 2, n_fft // 2))
    n_frames = 1 + (len(padded) - n_fft) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:n_frames]
    window = hann(n_fft).astype(np.float32)
    out = np.empty((n_fft // 2 + 1, n_frames))
    for start in range(0, n_frames, _BLOCK_FRAMES):  # in blocks: memory stays flat
        block = np.fft.rfft(frames[start : start + _BLOCK_FRAMES] * window, axis=1)
        out[:, start : start + _BLOCK_FRAMES] = (block.real**2 + block.imag**2).T
    return out
