"""Two real talking heads side by side, speaking in turn (built at test time with PyAV).

Each line plays one person's own picture and sound (from where that person's clip left off);
the other person listens: their picture holds the frame at which their own clip resumes, so a
listener's mouth is closed-still or mid-word-still, as a generator's idle face would be. The
sound is only the speaker's. ``shift_ms`` moves the whole track earlier (the mouths then trail
the audio by that much, as ``test_lipsync_media.shift_audio``).
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


def build_turns(left: Path, right: Path, dst: Path, *, shift_ms: float = 0.0,
                lines_s: tuple[float, ...] = LINES_S, size: int = 224, sr: int = 16000,
                start_s: float = 0.2) -> list[tuple[float, float, int]]:
    """Write the dialogue to ``dst``; returns the lines as (start_s, end_s, 0 left / 1 right).

    Both clips must have the same frame rate. ``start_s`` skips each clip's first frames.
    """
    from ava_detect.media import read_audio

    clips = [_frames(Path(p), size) for p in (left, right)]
    fps = clips[0][1]
    assert abs(clips[1][1] - fps) < 1e-3, "both clips need the same frame rate"
    audios = [read_audio(Path(p), sr=sr) for p in (left, right)]
    cursor = [int(round(start_s * fps))] * 2  # next frame of each person's clip
    frames, sound, lines = [], [], []
    for i, dur in enumerate(lines_s):
        who = i % 2
        n = int(round(dur * fps))
        t0 = len(frames) / fps
        for j in range(n):
            pics = [None, None]
            pics[who] = clips[who][0][cursor[who] + j]
            pics[1 - who] = clips[1 - who][0][cursor[1 - who]]  # the listener holds still
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
