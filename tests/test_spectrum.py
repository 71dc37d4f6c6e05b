"""The numpy STFT and mel filter bank against librosa's (the conventions they follow)."""

from __future__ import annotations

import numpy as np
import pytest

from ava_detect.signals.audio import audio_features
from ava_detect.signals.spectrum import hz_to_mel, mel_filterbank, mel_to_hz, stft_power

librosa = pytest.importorskip("librosa", reason="librosa (test extra) is the reference")


@pytest.mark.parametrize("n_samples", [600, 16000 * 3 + 77, 16000 * 40])
def test_stft_power_matches_librosa(n_samples):
    y = np.random.default_rng(n_samples).standard_normal(n_samples).astype(np.float32) * 0.1
    ours = stft_power(y, n_fft=512, hop=160)
    ref = np.abs(librosa.stft(y, n_fft=512, hop_length=160, window="hann", center=True)) ** 2
    assert ours.shape == ref.shape
    assert np.max(np.abs(ours - ref)) <= 1e-5 * ref.max()


@pytest.mark.parametrize("sr, n_fft, n_mels, fmin, fmax", [
    (16000, 512, 24, 80.0, 7600.0), (22050, 1024, 40, 0.0, 11025.0), (8000, 256, 24, 80.0, 4000.0),
])
def test_mel_filterbank_matches_librosa(sr, n_fft, n_mels, fmin, fmax):
    ours = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    ref = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    assert ours.shape == ref.shape
    assert np.max(np.abs(ours - ref)) <= 1e-6 * ref.max()


def test_mel_scale_round_trip_and_knee():
    hz = np.array([0.0, 200.0, 999.0, 1000.0, 4000.0, 8000.0])
    assert np.allclose(mel_to_hz(hz_to_mel(hz)), hz)
    assert hz_to_mel(1000.0) == pytest.approx(15.0)  # the linear part ends at 15 mels
    assert hz_to_mel(np.array([440.0])) == pytest.approx(librosa.hz_to_mel(440.0))


def test_tone_lands_in_its_mel_band():
    sr = 16000
    t = np.arange(sr * 2) / sr
    tone = 0.5 * np.sin(2 * np.pi * 1000.0 * t).astype(np.float32)
    feats = audio_features(tone, sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(80.0), hz_to_mel(7600.0), 24 + 2))
    expected = int(np.argmin(np.abs(edges[1:-1] - 1000.0)))  # the band centred nearest 1 kHz
    assert int(np.argmax(feats.log_mel[100])) == expected
    assert feats.band_db[100] == pytest.approx(10 * np.log10(0.5**2 / 2), abs=0.5)  # -9 dBFS
