"""``hand_melt``: the arm is followed steadily, yet its end is no hand the hand model can find.

Generated hands that melt into an object, smear into finger-less blobs or fuse into mittens
make MediaPipe's hand model give up: it finds no hand there, or one only in a few frames, so
the landmark rules never judge them. The pose model keeps following the arm. A run of frames in
which the pose model sees the wrist clearly, the hand's region is inside the picture, large
enough and not moving fast (ordinary motion blur), and no tracked hand lies in it, is the hand
model's verdict that this is not a hand; long runs of it do not happen on real footage, where
such frames come alone (see docs/hands.md for the measurements).

Pure numpy over the ``hand_pose`` analyser's arrays (``analysers/hand_pose.py``).
"""

from __future__ import annotations

import numpy as np

from ...settings import HandSettings
from .rules import Event

SIDE_NAMES = ("left", "right")  # the pose model's sides: the person's own left and right


def melt_frames(measured: dict[str, np.ndarray], frame_size: tuple[int, int],
                hs: HandSettings) -> np.ndarray | None:
    """(N, 2) bool: frames where an arm's end should be a hand and the hand model finds none.

    None when the pose analyser did not run. A frame counts when the pose model ran on it, the
    wrist's visibility is at least ``melt_min_visibility``, the hand region (side ``size``
    around ``centre``) lies inside the picture and is at least ``melt_min_size_px`` wide, the
    wrist moved less than ``melt_max_speed`` region sides a frame since the previous pose
    frame, no tracked hand lies in the region, the region's centre is not on the face
    (``hand_pose.on_face``: a hand held to the face, or a wrist the pose model put on it, is
    not judged), and the other arm's end (when seen as clearly) is at least
    ``melt_min_apart`` region sides away (hands clasped or touching are not judged).
    """
    need = ("centre", "size", "visibility", "found", "on_face", "ran", "wrist")
    if any(f"hand_pose.{k}" not in measured for k in need):
        return None
    centre = measured["hand_pose.centre"].astype(np.float64)
    size = measured["hand_pose.size"].astype(np.float64)
    vis = measured["hand_pose.visibility"].astype(np.float64)
    found = measured["hand_pose.found"].astype(np.float64)
    wrist = measured["hand_pose.wrist"].astype(np.float64)
    n = len(size)
    if n == 0:
        return np.zeros((0, 2), bool)
    w, h = frame_size
    half = size / 2
    with np.errstate(invalid="ignore"):
        inside = ((centre[..., 0] - half >= 0) & (centre[..., 0] + half <= w)
                  & (centre[..., 1] - half >= 0) & (centre[..., 1] + half <= h))
        speed = np.full((n, 2), np.inf)
        ran = np.flatnonzero(measured["hand_pose.ran"] > 0)
        if len(ran) > 1:
            step = np.linalg.norm(np.diff(wrist[ran], axis=0), axis=-1)
            gaps = np.diff(ran)[:, None]
            speed[ran[1:]] = step / gaps / size[ran[1:]]
        # clasped or touching hands: the hand model fails on interlocked fingers of real
        # hands too, so two arm ends closer than melt_min_apart region sides are not judged
        apart = np.linalg.norm(centre[:, 0] - centre[:, 1], axis=-1) / np.fmax(
            size[:, 0], size[:, 1])
        both_seen = (vis >= hs.melt_min_visibility).all(axis=1)
        apart = np.where(np.isnan(apart) | ~both_seen, np.inf, apart)[:, None]
        off_face = np.nan_to_num(measured["hand_pose.on_face"].astype(np.float64), nan=0.0) == 0
        return ((vis >= hs.melt_min_visibility) & inside & (size >= hs.melt_min_size_px)
                & (found == 0) & (speed < hs.melt_max_speed) & (apart >= hs.melt_min_apart)
                & off_face)


def hands_clasped(measured: dict[str, np.ndarray], n_frames: int, hs: HandSettings
                  ) -> np.ndarray:
    """(N,) bool: the pose model sees both wrists clearly (visibility >= ``melt_min_visibility``)
    and the two hand regions' centres closer than ``melt_min_apart`` region sides: clasped or
    touching hands, where the hand model loses interlocked real fingers too. All False when
    the pose analyser did not run."""
    need = ("hand_pose.centre", "hand_pose.size", "hand_pose.visibility")
    if any(k not in measured for k in need) or len(measured[need[0]]) != n_frames:
        return np.zeros(n_frames, bool)
    centre = measured["hand_pose.centre"].astype(np.float64)
    size = measured["hand_pose.size"].astype(np.float64)
    vis = measured["hand_pose.visibility"].astype(np.float64)
    with np.errstate(invalid="ignore"):
        apart = np.linalg.norm(centre[:, 0] - centre[:, 1], axis=-1) / np.fmax(
            size[:, 0], size[:, 1])
        return (vis >= hs.melt_min_visibility).all(axis=1) & (apart < hs.melt_min_apart)


def hand_melts(measured: dict[str, np.ndarray], t_s: np.ndarray, frame_size: tuple[int, int],
               hs: HandSettings) -> list[Event]:
    """Runs of :func:`melt_frames` lasting ``melt_min_s`` seconds or more, per side.

    The hand model must have found the hand at that arm's end within ``melt_seen_before_s``
    before the run starts (it gave up on a hand it knew). A run may skip ``melt_max_gap``
    frames (the hand model catching a glimpse of the broken hand, or the pose skipping a beat).
    Events carry ``track = -1 - side`` (they are arms, not hand tracks); ``value`` is the
    run's length in frames.
    """
    bad = melt_frames(measured, frame_size, hs)
    if bad is None or not len(bad):
        return []
    frame_s = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 0.04
    min_frames = max(2, int(np.ceil(hs.melt_min_s / frame_s - 1e-9)))
    recent = max(1, int(round(hs.melt_seen_before_s / frame_s)))
    found = measured["hand_pose.found"]
    events = []
    for side in range(2):
        col = bad[:, side]
        seen = np.nan_to_num(found[:, side], nan=0.0) == 1
        n = 0
        while n < len(col):
            if not col[n]:
                n += 1
                continue
            last, gap = n, 0
            m = n + 1
            while m < len(col) and gap <= hs.melt_max_gap:
                if col[m]:
                    last, gap = m, 0
                else:
                    gap += 1
                m += 1
            frames = int(col[n: last + 1].sum())
            # the hand model must have found this hand shortly before: it gave up on a hand
            # it knew (arms hanging at the sides, hands it never finds, are not judged)
            known = seen[max(0, n - recent): n + 1].any()
            if frames >= min_frames and known:
                events.append(Event(
                    "hand_melt", -1 - side, n, last, float(frames),
                    measured={"side": SIDE_NAMES[side], "frames_without_hand": frames,
                              "run_s": round(float(t_s[last] - t_s[n] + frame_s), 4),
                              "wrist_visibility_min": _round(
                                  measured["hand_pose.visibility"][n: last + 1, side])},
                    threshold={"min_frames": min_frames, "melt_min_s": hs.melt_min_s,
                               "melt_min_visibility": hs.melt_min_visibility,
                               "melt_min_size_px": hs.melt_min_size_px,
                               "melt_max_speed": hs.melt_max_speed}))
            n = last + 1
    return events


def _round(values: np.ndarray) -> float | None:
    v = values[np.isfinite(values)]
    return round(float(v.min()), 4) if len(v) else None
