"""Clips for ``benchmarks/speed.py``, made at run time in a temporary folder.

The generated clip puts a real talking head (with its own speech) on the left half of the
picture and a real pair of moving hands on the right half, resampled to the wanted size and
frame rate and looped to the wanted length. Without real media the committed sample clip (a
talking face, no hands) is used on its own. A long clip is the short one repeated by copying
its packets (no re-encoding), so it costs seconds to make.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from ava_detect.media import read_audio

REPO = Path(__file__).resolve().parents[1]
FACE_CLIP = "speech/liveportrait_d20_man_speaking.mp4"  # 480x480, 25 fps, speech audio
HAND_CLIP = "hands/liveportrait_s20_hands_with_flower.mp4"  # 480x908, 30 fps, two hands
HAND_CROP_TOP = 0.45  # the hand clip's part below the chin: hands and chest, no face
SAMPLE_FACE = REPO / "sample_clips" / "talking_clean.mp4"
AUDIO_SR = 44100


def media_dir() -> Path | None:
    value = os.environ.get("AVA_TEST_MEDIA")
    return Path(value) if value and Path(value).is_dir() else None


def _looped_frames(path: Path, fps: float, n: int) -> Iterator[np.ndarray]:
    """RGB frames of ``path`` on a ``fps`` grid, ``n`` of them, looping the clip."""
    emitted = 0
    while emitted < n:
        start = emitted
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            origin = None
            current = None
            for frame in container.decode(stream):
                t = float(frame.pts * stream.time_base)
                origin = t if origin is None else origin
                t -= origin
                # emit every output time before this source frame with the previous frame
                while current is not None and emitted < n and (emitted - start) / fps < t:
                    yield current
                    emitted += 1
                current = frame.to_ndarray(format="rgb24")
            while current is not None and emitted < n and (emitted - start) / fps < t + 1 / fps:
                yield current
                emitted += 1
        if emitted == start:
            raise RuntimeError(f"{path}: no frames")


def _fit(rgb: np.ndarray, box_w: int, box_h: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = min(box_w / w, box_h / h)
    size = (max(2, int(w * s)), max(2, int(h * s)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)


def _paste(canvas: np.ndarray, img: np.ndarray, x0: int, x1: int) -> None:
    """Centre ``img`` in the columns x0:x1 of ``canvas``."""
    h, w = img.shape[:2]
    top = (canvas.shape[0] - h) // 2
    left = x0 + (x1 - x0 - w) // 2
    canvas[top : top + h, left : left + w] = img


def make_clip(path: Path, *, width: int, height: int, seconds: float = 10.0, fps: int = 30) -> str:
    """Write the benchmark clip; returns a one-line description of what is in it."""
    media = media_dir()
    face = media / FACE_CLIP if media else SAMPLE_FACE
    hands = media / HAND_CLIP if media else None
    n = int(round(seconds * fps))
    audio = read_audio(face, sr=AUDIO_SR)
    want = int(round(seconds * AUDIO_SR))
    audio = np.tile(audio, int(np.ceil(want / max(len(audio), 1))))[:want]
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.options = {"crf": "23", "preset": "veryfast"}
        aus = out.add_stream("aac", rate=AUDIO_SR)
        aus.layout = "mono"
        face_frames = _looped_frames(face, fps, n)
        hand_frames = _looped_frames(hands, fps, n) if hands else None
        half = width // 2 if hands else width
        for i in range(n):
            canvas = np.full((height, width, 3), 40, np.uint8)
            _paste(canvas, _fit(next(face_frames), half, height), 0, half)
            if hand_frames is not None:
                rgb = next(hand_frames)
                rgb = rgb[int(rgb.shape[0] * HAND_CROP_TOP) :]
                _paste(canvas, _fit(rgb, width - half, height), half, width)
            frame = av.VideoFrame.from_ndarray(canvas, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in vs.encode(frame):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        chunk = 1024
        for i in range(0, want, chunk):
            part = audio[i : i + chunk].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(part, format="flt", layout="mono")
            frame.sample_rate = AUDIO_SR
            frame.pts = i
            frame.time_base = Fraction(1, AUDIO_SR)
            for packet in aus.encode(frame):
                out.mux(packet)
        for packet in aus.encode():
            out.mux(packet)
    what = f"{face.name} (face, speech)"
    return what + (f" | {hands.name} (two hands)" if hands else ", no hands (no AVA_TEST_MEDIA)")


def repeat_clip(src: Path, dst: Path, times: int) -> None:
    """``src`` played ``times`` times in a row, by copying its packets with shifted timestamps."""
    with av.open(str(src)) as probe:
        span_s = max(
            [float(s.duration * s.time_base) for s in probe.streams if s.duration]
            + [probe.duration / 1e6 if probe.duration else 0.0]
        )
    with av.open(str(dst), "w") as out:
        for rep in range(times):
            with av.open(str(src)) as inp:
                if rep == 0:
                    streams = {s.index: out.add_stream_from_template(s) for s in inp.streams}
                for packet in inp.demux():
                    if packet.dts is None:
                        continue
                    if rep and packet.stream.type == "audio" and (packet.pts or 0) < 0:
                        continue  # the encoder's priming packet overlaps the previous copy
                    shift = int(round(rep * span_s / packet.stream.time_base))
                    packet.pts = None if packet.pts is None else packet.pts + shift
                    packet.dts += shift
                    packet.stream = streams[packet.stream.index]
                    out.mux(packet)


def real_clips() -> list[Path]:
    """Real clips from AVA_TEST_MEDIA: a 720p interview with gestures, a 720p thumbs-up clip."""
    media = media_dir()
    if media is None:
        return []
    names = (
        "speech/hyperlips_real_video2_obama_interview.mp4",
        "hands/mpsamples_gesture_recognizer_thumbsup_video.mp4",
    )
    return [media / n for n in names if (media / n).is_file()]
