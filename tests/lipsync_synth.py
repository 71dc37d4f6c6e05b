"""Synthetic talking faces for the lip-sync unit tests: landmark arrays and audio with known lag.

The "voice" is a pulse train at 120 Hz plus band noise, shaped by a syllable envelope; the face
is a fixed random 478-point mesh whose lower lip and chin drop with the same envelope, delayed by
the requested lag (positive: the mouth trails the audio).
"""

from __future__ import annotations

import numpy as np

from ava_detect.media import ClipInfo
from ava_detect.signals import ClipSignals, FaceArrays

SR = 16000
EYE_PX = 70.0  # eye-centre distance of the synthetic face, pixels


def syllable_envelope(duration_s: float, rng: np.random.Generator, *,
                      pauses: list[tuple[float, float]] = ()) -> tuple[np.ndarray, np.ndarray]:
    """A speech-like 0..1 envelope sampled at 1 kHz: syllables of 120-320 ms, short gaps.

    ``pauses`` are (start_s, end_s) spans forced to zero. Returns (t_s, env).
    """
    t = np.arange(int(duration_s * 1000)) / 1000.0
    env = np.zeros_like(t)
    pos = 0.2
    while pos < duration_s - 0.3:
        length = rng.uniform(0.12, 0.32)
        height = rng.uniform(0.5, 1.0)
        inside = (t >= pos) & (t < pos + length)
        env[inside] = height * np.sin(np.pi * (t[inside] - pos) / length) ** 2
        pos += length + rng.uniform(0.03, 0.22)
    for a, b in pauses:
        env[(t >= a) & (t < b)] = 0.0
    return t, env


def voice_from_envelope(t_env: np.ndarray, env: np.ndarray, rng: np.random.Generator, *,
                        level: float = 0.3, noise_dbfs: float = -55.0) -> np.ndarray:
    """Mono audio at SR Hz whose loudness follows ``env`` (plus a steady noise floor)."""
    n = int(t_env[-1] * SR) + SR // 1000
    ts = np.arange(n) / SR
    e = np.interp(ts, t_env, env)
    pulses = np.zeros(n)
    pulses[:: SR // 120] = 1.0
    kernel = np.exp(-np.arange(200) / 25.0) * np.sin(2 * np.pi * 700 * np.arange(200) / SR)
    voiced = np.convolve(pulses, kernel, mode="same")
    voiced /= np.max(np.abs(voiced)) + 1e-9
    hiss = rng.normal(0, 0.3, n)
    y = level * e * (voiced + hiss)
    y += rng.normal(0, 10 ** (noise_dbfs / 20), n)
    return y.astype(np.float32)


def base_face(rng: np.random.Generator, centre_x: float = 320.0) -> np.ndarray:
    """A (478, 3) mesh: random points with eyes and lips where a face has them."""
    pts = np.column_stack([rng.normal(centre_x, 40, 478), rng.normal(260, 50, 478),
                           rng.normal(0, 20, 478)])
    dx = centre_x - 320.0
    fixed = {33: (270, 200), 133: (300, 200), 362: (340, 200), 263: (370, 200),
             13: (320, 300), 14: (320, 301), 0: (320, 292), 17: (320, 312),
             61: (295, 304), 291: (345, 304), 152: (320, 360)}
    for i, (x, y) in fixed.items():
        pts[i] = (x + dx, y, 0.0)
    return pts


def face_track(openness: np.ndarray, rng: np.random.Generator, *, centre_x: float = 320.0,
               jitter_px: float = 0.2) -> np.ndarray:
    """(N, 478, 3) landmarks whose inner-lip gap is ``openness`` eye distances."""
    base = base_face(rng, centre_x)
    pts = np.repeat(base[None], len(openness), axis=0)
    drop = np.asarray(openness) * EYE_PX
    pts[:, 14, 1] += drop
    pts[:, 17, 1] += drop
    pts[:, 152, 1] += 0.5 * drop
    pts += rng.normal(0, jitter_px, pts.shape)
    return pts.astype(np.float32)


def make_signals(points: np.ndarray | None, audio: np.ndarray | None, fps: float = 25.0,
                 duration_s: float | None = None) -> ClipSignals:
    """ClipSignals for (N, K, 478, 3) points (or None) and mono audio at SR (or None)."""
    n = points.shape[0] if points is not None else int(round((duration_s or 1.0) * fps))
    t = np.arange(n) / fps
    info = ClipInfo(path="synthetic.mp4", sha256="0" * 64, size_bytes=0, container="mp4",
                    codec="h264", duration_s=n / fps, fps=fps, variable_frame_rate=False,
                    frame_count=n, width=640, height=480, rotation=0, start_s=0.0,
                    has_audio=audio is not None, audio_codec="aac" if audio is not None else None,
                    audio_sample_rate=SR if audio is not None else None,
                    audio_channels=1 if audio is not None else None)
    faces = FaceArrays(points=points) if points is not None else FaceArrays(
        points=np.full((n, 1, 478, 3), np.nan, np.float32))
    return ClipSignals(info=info, t_s=t, frame_size=(640, 480), faces=faces, audio=audio,
                       audio_sr=SR)


def talking_clip(lag_ms: float, *, duration_s: float = 8.0, fps: float = 25.0, seed: int = 1,
                 pauses: list[tuple[float, float]] = (), drift_ms_per_s: float = 0.0
                 ) -> ClipSignals:
    """One face whose mouth follows the voice ``lag_ms`` later (plus a linear drift)."""
    rng = np.random.default_rng(seed)
    t_env, env = syllable_envelope(duration_s, rng, pauses=pauses)
    audio = voice_from_envelope(t_env, env, rng)
    t = np.arange(int(round(duration_s * fps))) / fps
    lag_s = lag_ms / 1000 + drift_ms_per_s / 1000 * t
    openness = 0.02 + 0.3 * np.interp(t - lag_s, t_env, env, left=0.0, right=0.0)
    points = face_track(openness, rng)[:, None]
    return make_signals(points, audio, fps)
