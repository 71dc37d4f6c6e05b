"""Decoding the sound track as mono samples on the clip's timeline."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import av
import numpy as np

from ..errors import InputError
from .container import _audio_stream, _open, _packets, _timeline_origin_s


def read_audio(path: str | os.PathLike, sr: int = 16000) -> np.ndarray:
    """Decode the first audio stream as mono float32 at ``sr`` Hz on the clip's timeline.

    Returns
    -------
    numpy.ndarray
        Shape (n_samples,), float32, full scale +-1. Sample ``i`` plays at ``i / sr`` seconds;
        if the audio stream starts after the video, the gap is filled with zeros.

    Raises
    ------
    InputError
        When the clip has no audio stream or it cannot be decoded.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _audio_stream(container)
        if stream is None:
            raise InputError(f"{path}: has no audio stream (or none ffmpeg can decode).")
        origin = _timeline_origin_s(container)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
        chunks: list[np.ndarray] = []
        first_t: float | None = None
        for packet in _packets(container, stream):
            try:
                decoded = packet.decode()
            except (av.error.FFmpegError, ValueError):
                continue
            for frame in decoded:
                if first_t is None and frame.pts is not None:
                    first_t = float(frame.pts * frame.time_base) - origin
                try:
                    chunks.extend(o.to_ndarray().reshape(-1) for o in resampler.resample(frame))
                except (av.error.FFmpegError, ValueError):
                    continue  # a damaged frame whose layout/rate the resampler refuses
        with contextlib.suppress(av.error.FFmpegError, ValueError):
            chunks.extend(o.to_ndarray().reshape(-1) for o in resampler.resample(None))
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    offset = int(round((first_t or 0.0) * sr))
    if offset > 0:
        samples = np.concatenate([np.zeros(offset, np.float32), samples])
    elif offset < 0:
        samples = samples[-offset:]
    return samples
