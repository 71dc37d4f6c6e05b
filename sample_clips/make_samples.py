"""Generate the sample clips in this folder, with their ground truth, from images pip ships.

Faces come from scikit-image's ``astronaut.png`` (Eileen Collins) and matplotlib's
``grace_hopper.jpg``. Each clip is a still portrait brought to life: a slow head sway, a mouth
that opens and closes with a synthetic voice (a pulse train through vowel formants, in syllables
and pauses), and for one clip a face swap to a different person at a known frame, with the
background untouched.

    python sample_clips/make_samples.py            # writes the clips and truth.json here
    python sample_clips/make_samples.py --out DIR  # somewhere else

Needs the test extra (scikit-image, matplotlib) besides ava-detect's own dependencies.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

FPS = 25
SR = 16000
SIZE = 400  # output frames are SIZE x SIZE pixels
DURATION_S = 6.0
SEED = 7

# Face-mesh landmark indices (MediaPipe topology).
UPPER_INNER_LIP = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
LOWER_INNER_LIP = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
FACE_OVAL = [
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
]
ALIGN_POINTS = [33, 133, 362, 263, 1, 61, 291, 199]  # eye corners, nose tip, mouth corners, chin


def load_faces() -> dict[str, np.ndarray]:
    import matplotlib
    import skimage

    mpl_data = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    astronaut = cv2.imread(str(Path(skimage.__file__).parent / "data" / "astronaut.png"))
    hopper = cv2.imread(str(mpl_data))
    return {
        "astronaut": cv2.cvtColor(astronaut, cv2.COLOR_BGR2RGB),
        "hopper": cv2.cvtColor(hopper, cv2.COLOR_BGR2RGB),
    }


def face_points(rgb: np.ndarray) -> np.ndarray:
    """(478, 2) pixel landmarks of the one face in a still image."""
    import mediapipe as mp

    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:
        result = mesh.process(rgb)
    if not result.multi_face_landmarks:
        raise RuntimeError("no face found in a sample image")
    h, w = rgb.shape[:2]
    return np.array([(p.x * w, p.y * h) for p in result.multi_face_landmarks[0].landmark])


def square_crop(rgb: np.ndarray, points: np.ndarray, face_share: float = 0.42) -> np.ndarray:
    """Crop a square around the face so the face oval spans ``face_share`` of the width."""
    oval = points[FACE_OVAL]
    cx, cy = oval.mean(axis=0)
    side = (oval[:, 0].max() - oval[:, 0].min()) / face_share
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2 + 0.05 * side))
    pad = int(side)
    padded = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    crop = padded[y0 + pad : y0 + pad + int(side), x0 + pad : x0 + pad + int(side)]
    return cv2.resize(crop, (SIZE, SIZE), interpolation=cv2.INTER_AREA)


def swap_face(target: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Paste ``source``'s face over ``target``'s, aligned by landmarks, colour-matched."""
    tp, sp = face_points(target), face_points(source)
    matrix, _ = cv2.estimateAffinePartial2D(sp[ALIGN_POINTS], tp[ALIGN_POINTS])
    warped = cv2.warpAffine(source, matrix, (SIZE, SIZE), borderMode=cv2.BORDER_REFLECT)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(tp[FACE_OVAL].astype(np.int32)), 255)
    mask = cv2.erode(mask, np.ones((9, 9), np.uint8))
    soft = cv2.GaussianBlur(mask, (0, 0), 6).astype(np.float32)[..., None] / 255.0
    # Match the pasted face's colour statistics to the original face (in LAB).
    t_lab = cv2.cvtColor(target, cv2.COLOR_RGB2LAB).astype(np.float32)
    w_lab = cv2.cvtColor(warped, cv2.COLOR_RGB2LAB).astype(np.float32)
    inside = mask > 0
    for c in range(3):
        w_mean, w_std = w_lab[..., c][inside].mean(), w_lab[..., c][inside].std() + 1e-6
        t_mean, t_std = t_lab[..., c][inside].mean(), t_lab[..., c][inside].std()
        w_lab[..., c] = (w_lab[..., c] - w_mean) * (t_std / w_std) + t_mean
    matched = cv2.cvtColor(np.clip(w_lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
    return (matched * soft + target * (1 - soft)).astype(np.uint8)


class TalkingFace:
    """A still face whose jaw opens by a given number of pixels."""

    def __init__(self, rgb: np.ndarray):
        self.rgb = rgb
        self.points = face_points(rgb)
        p = self.points
        self.mouth_y = float((p[13, 1] + p[14, 1]) / 2)
        self.mouth_x = float((p[61, 0] + p[291, 0]) / 2)
        self.mouth_w = float(p[291, 0] - p[61, 0])
        self.chin_y = float(p[152, 1])
        ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
        self._xs, self._ys = xs, ys
        across = np.clip(
            1.0 - (np.abs(xs - self.mouth_x) - 0.6 * self.mouth_w) / (0.5 * self.mouth_w), 0, 1
        )
        below = np.clip((ys - self.mouth_y + 1.5) / 3.0, 0, 1)
        fade = np.clip(1.0 - (ys - self.chin_y) / (0.35 * (self.chin_y - self.mouth_y) + 1), 0, 1)
        self._weight = (across * below * fade).astype(np.float32)

    @property
    def max_open_px(self) -> float:
        return 0.24 * self.mouth_w

    def render(
        self, openness: float, dx: float = 0.0, dy: float = 0.0, zoom: float = 1.0
    ) -> np.ndarray:
        """Frame with the jaw dropped by ``openness`` (0-1) and the head moved slightly."""
        drop = openness * self.max_open_px
        map_y = self._ys - drop * self._weight
        frame = cv2.remap(
            self.rgb, self._xs, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        if drop > 0.5:
            upper = self.points[UPPER_INNER_LIP]
            lower = self.points[LOWER_INNER_LIP][::-1].copy()
            lower[1:-1, 1] += drop
            poly = np.concatenate([upper, lower]).astype(np.int32)
            cv2.fillPoly(frame, [poly], (52, 18, 20), lineType=cv2.LINE_AA)
        centre = (SIZE / 2, SIZE / 2)
        matrix = cv2.getRotationMatrix2D(centre, 0.0, zoom)
        matrix[:, 2] += (dx, dy)
        return cv2.warpAffine(frame, matrix, (SIZE, SIZE), borderMode=cv2.BORDER_REFLECT)


def speech(duration_s: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic voice and its per-sample mouth openness (0-1).

    Syllables of 120-260 ms, each a vowel (pulse train at ~120 Hz through two formants) with a
    short noise burst before it, grouped into words with pauses of 250-600 ms.
    """
    n = int(duration_s * SR)
    voice = np.zeros(n, np.float32)
    openness = np.zeros(n, np.float32)
    vowels = [
        (730, 1090, 1.0),
        (530, 1840, 0.7),
        (300, 2300, 0.35),
        (570, 840, 0.8),
        (440, 1020, 0.55),
        (660, 1700, 0.9),
    ]
    t = 0.35
    while t < duration_s - 0.4:
        for _ in range(int(rng.integers(2, 5))):
            dur = float(rng.uniform(0.12, 0.26))
            if t + dur > duration_s - 0.3:
                break
            f1, f2, open_amount = vowels[int(rng.integers(len(vowels)))]
            start, stop = int(t * SR), int((t + dur) * SR)
            m = stop - start
            env = np.sin(np.linspace(0, np.pi, m)) ** 0.7
            f0 = 118 + 10 * np.sin(np.linspace(0, 3, m)) + rng.normal(0, 0.5, m)
            phase = np.cumsum(2 * np.pi * f0 / SR)
            pulses = np.sign(np.sin(phase)) * 0.5 + np.sin(phase)
            voiced = _formant(pulses, f1, 90) + 0.6 * _formant(pulses, f2, 120)
            voice[start:stop] += (env * voiced / (np.abs(voiced).max() + 1e-9)).astype(np.float32)
            burst = min(int(0.03 * SR), start)
            voice[start - burst : start] += rng.normal(0, 0.08, burst).astype(np.float32)
            openness[start:stop] = np.maximum(openness[start:stop], env * open_amount)
            t += dur + float(rng.uniform(0.02, 0.06))
        t += float(rng.uniform(0.25, 0.6))
    voice += rng.normal(0, 0.003, n).astype(np.float32)  # room noise
    return (0.5 * voice / np.abs(voice).max()).astype(np.float32), openness


def _formant(signal: np.ndarray, freq: float, bandwidth: float) -> np.ndarray:
    """Two-pole resonator at ``freq`` Hz."""
    from scipy.signal import lfilter

    r = np.exp(-np.pi * bandwidth / SR)
    theta = 2 * np.pi * freq / SR
    return lfilter([1 - r], [1, -2 * r * np.cos(theta), r * r], signal)


def write_clip(path: Path, frames: list[np.ndarray], audio: np.ndarray | None) -> None:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width = video.height = SIZE
        video.pix_fmt = "yuv420p"
        video.time_base = Fraction(1, FPS)
        video.options = {"crf": "27", "preset": "slow"}
        stream_audio = None
        if audio is not None:
            stream_audio = out.add_stream("aac", rate=SR, layout="mono")
            stream_audio.bit_rate = 48000
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if stream_audio is not None:
            chunk = 1024
            for start in range(0, len(audio), chunk):
                block = audio[start : start + chunk]
                frame = av.AudioFrame.from_ndarray(block[None, :], format="flt", layout="mono")
                frame.sample_rate = SR
                frame.pts = start
                out.mux(stream_audio.encode(frame))
            out.mux(stream_audio.encode())


def head_motion(n_frames: int) -> list[tuple[float, float, float]]:
    t = np.arange(n_frames) / FPS
    return [
        (
            3.0 * np.sin(2 * np.pi * 0.23 * s),
            2.0 * np.sin(2 * np.pi * 0.17 * s + 1),
            1 + 0.01 * np.sin(2 * np.pi * 0.11 * s),
        )
        for s in t
    ]


def shift_audio(audio: np.ndarray, lag_ms: float) -> np.ndarray:
    """Audio moved ``lag_ms`` earlier (positive: audio leads, the mouth trails)."""
    k = int(round(lag_ms / 1000 * SR))
    if k >= 0:
        return np.concatenate([audio[k:], np.zeros(k, audio.dtype)])
    return np.concatenate([np.zeros(-k, audio.dtype), audio[:k]])


def make_all(out_dir: Path) -> dict:
    rng = np.random.default_rng(SEED)
    faces = load_faces()
    base = {name: square_crop(rgb, face_points(rgb)) for name, rgb in faces.items()}
    speaker = TalkingFace(base["astronaut"])
    swapped = TalkingFace(swap_face(base["astronaut"], base["hopper"]))
    voice, open_curve = speech(DURATION_S, rng)
    n_frames = int(DURATION_S * FPS)
    motion = head_motion(n_frames)
    frame_open = [
        float(open_curve[min(int(i / FPS * SR), len(open_curve) - 1)]) for i in range(n_frames)
    ]

    clean = [speaker.render(o, *m) for o, m in zip(frame_open, motion, strict=True)]
    switch_frame = 75
    switched = [
        (speaker if i < switch_frame else swapped).render(o, *m)
        for i, (o, m) in enumerate(zip(frame_open, motion, strict=True))
    ]
    lag_ms = 200.0
    truth = {
        "talking_clean.mp4": {
            "description": "astronaut portrait talking, audio in sync",
            "lag_ms": 0.0,
            "identity_switch_s": None,
            "verdict": "pass",
        },
        "talking_audio_early_200ms.mp4": {
            "description": "same clip with the audio moved 200 ms earlier (the mouth trails)",
            "lag_ms": lag_ms,
            "identity_switch_s": None,
            "verdict": "fail",
        },
        "identity_switch_3s.mp4": {
            "description": "astronaut face replaced by Grace Hopper's from frame 75 (3.000 s); "
            "background, motion and audio unchanged",
            "lag_ms": 0.0,
            "identity_switch_s": switch_frame / FPS,
            "identity_switch_frame": switch_frame,
            "verdict": "fail",
        },
    }
    write_clip(out_dir / "talking_clean.mp4", clean, voice)
    write_clip(out_dir / "talking_audio_early_200ms.mp4", clean, shift_audio(voice, lag_ms))
    write_clip(out_dir / "identity_switch_3s.mp4", switched, voice)
    common = {
        "fps": FPS,
        "size_px": SIZE,
        "duration_s": DURATION_S,
        "audio_sample_rate": SR,
        "seed": SEED,
        "lag_sign": "positive lag_ms: the audio is early, the mouth trails",
    }
    (out_dir / "truth.json").write_text(
        json.dumps({"common": common, "clips": truth}, indent=2) + "\n"
    )
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in make_all(args.out):
        path = args.out / name
        print(f"{path}  {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
