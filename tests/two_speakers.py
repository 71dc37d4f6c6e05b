"""Two real talking heads side by side, speaking in turn (built at test time with PyAV).

Each line plays one person's own picture and sound (from where that person's clip left off);
the other person listens. ``listener="hold"``: the listener's picture holds the frame at which
their own clip resumes (a generator's idle face). ``listener="pause"``: the listener plays the
frames of the longest pause in their own clip (the quietest 40 ms frames, 0.4-0.9 s in the
VoxCeleb2 and HDTF clips) forwards and backwards: a listener's blinks and head motion, but
also lips that still move around breaths (docs/lipsync.md, "Dialogues": the check cannot yet
tell such a listener from the speaker). The sound is only the speaker's. ``shift_ms`` moves
the whole track earlier (the mouths then trail the audio by that much, as
``test_lipsync_media.shift_audio``).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

LINES_S = (2.0, 1.6, 2.4, 1.8, 2.0, 2.2)  # alternating: left, right, left, ...


def _frames(path: Path, size: int) -> tuple[list[np.ndarray], float]:
    import cv2

    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate)
        out = [cv2.resize(f.to_ndarray(format="rgb24"), (size, size), interpolation=cv2.INTER_AREA)
               for f in c.decode(stream)]
    return out, fps


def pause_frames(audio: np.ndarray, sr: int, fps: float, n_frames: int) -> np.ndarray:
    """Frame indices of the longest run of quiet frames (level under the 10th percentile + 6 dB),
    played forwards then backwards (a loop without a jump)."""
    hop = int(round(sr / fps))
    m = min(len(audio) // hop, n_frames)
    level = 20 * np.log10(np.sqrt((audio[: m * hop].reshape(m, hop) ** 2).mean(axis=1)) + 1e-9)
    quiet = np.concatenate([level < np.percentile(level, 10) + 6, [False]])
    best, start = (0, 1), None
    for i, q in enumerate(quiet):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    run = np.arange(*best)
    return np.concatenate([run, run[::-1][1:-1]]) if run.size > 2 else run


def build_turns(left: Path, right: Path, dst: Path, *, shift_ms: float = 0.0,
                lines_s: tuple[float, ...] = LINES_S, size: int = 224, sr: int = 16000,
                start_s: float = 0.2, listener: str = "hold") -> list[tuple[float, float, int]]:
    """Write the dialogue to ``dst``; returns the lines as (start_s, end_s, 0 left / 1 right).

    Both clips must have the same frame rate. ``start_s`` skips each clip's first frames.
    """
    from ava_detect.media import read_audio

    clips = [_frames(Path(p), size) for p in (left, right)]
    fps = clips[0][1]
    assert abs(clips[1][1] - fps) < 1e-3, "both clips need the same frame rate"
    audios = [read_audio(Path(p), sr=sr) for p in (left, right)]
    cursor = [int(round(start_s * fps))] * 2  # next frame of each person's clip
    loops = [pause_frames(a, sr, fps, len(c[0])) for a, c in zip(audios, clips, strict=True)]
    frames, sound, lines = [], [], []
    for i, dur in enumerate(lines_s):
        who = i % 2
        n = int(round(dur * fps))
        t0 = len(frames) / fps
        for j in range(n):
            pics = [None, None]
            pics[who] = clips[who][0][cursor[who] + j]
            other = 1 - who
            if listener == "pause":
                loop = loops[other]
                pics[other] = clips[other][0][loop[len(frames) % len(loop)]]
            else:  # the listener holds still
                pics[other] = clips[other][0][cursor[other]]
            frames.append(np.concatenate(pics, axis=1))
        a0 = int(round(cursor[who] / fps * sr))
        sound.append(audios[who][a0 : a0 + int(round(n / fps * sr))])
        cursor[who] += n
        lines.append((round(t0, 3), round(len(frames) / fps, 3), who))
    audio = np.concatenate(sound).astype(np.float32)
    k = int(round(shift_ms / 1000 * sr))
    if k > 0:
        audio = np.concatenate([audio[k:], np.zeros(k, np.float32)])
    elif k < 0:
        audio = np.concatenate([np.zeros(-k, np.float32), audio[:k]])
    _write(dst, frames, fps, audio, sr)
    return lines


def _write(dst: Path, frames: list[np.ndarray], fps: float, audio: np.ndarray, sr: int) -> None:
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(dst), "w") as out:
        v = out.add_stream("libx264", rate=rate)
        v.height, v.width = frames[0].shape[:2]
        v.pix_fmt = "yuv420p"
        v.options = {"crf": "18"}
        a = out.add_stream("aac", rate=sr)
        a.layout = "mono"
        for i, img in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = 1 / rate
            out.mux(v.encode(frame))
        out.mux(v.encode())
        for i in range(0, len(audio), 1024):
            block = np.ascontiguousarray(audio[None, i : i + 1024])
            frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
            out.mux(a.encode(frame))
        out.mux(a.encode())
