"""Clips whose frames carry their own index, and hand-built reports over them.

Used by the evidence-pack tests and by ``benchmarks/pdf_speed.py``: the reports are real
Finding/CheckResult objects with realistic details and signals (as the detectors write them), so
the PDF, evidence and ticket code is proven without running any detector.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from ava_detect.media import probe
from ava_detect.pipeline import _clip_dict
from ava_detect.report import CheckResult, Evidence, Finding, Report

BITS = 12
CELL = 24  # px per code cell
ORIGIN = (12, 12)


def frame_picture(index: int, width: int, height: int) -> np.ndarray:
    """(height, width, 3) uint8: a moving disc, the index in digits, and a 12-bit code strip."""
    yy, xx = np.mgrid[0:height, 0:width]
    img = np.zeros((height, width, 3), np.uint8)
    img[..., 0] = (60 + 80 * xx / width).astype(np.uint8)
    img[..., 1] = (70 + 60 * yy / height).astype(np.uint8)
    img[..., 2] = 110
    cx = int(width * (0.3 + 0.4 * ((index % 50) / 50)))
    cv2.circle(img, (cx, height // 2), height // 8, (230, 180, 150), -1, cv2.LINE_AA)
    cv2.putText(img, f"frame {index}", (width // 2 - 90, height - 30),
                cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2, cv2.LINE_AA)  # fmt: skip
    x0, y0 = ORIGIN
    cv2.rectangle(img, (x0 - 4, y0 - 4), (x0 + BITS * CELL + 4, y0 + CELL + 4), (128, 0, 0), -1)
    for bit in range(BITS):
        on = (index >> (BITS - 1 - bit)) & 1
        x = x0 + bit * CELL
        img[y0 : y0 + CELL, x : x + CELL] = 255 if on else 0
    return img


def read_index(rgb: np.ndarray) -> int:
    """The frame index encoded in the code strip of a decoded frame."""
    x0, y0 = ORIGIN
    value = 0
    for bit in range(BITS):
        x = x0 + bit * CELL
        cell = rgb[y0 + 6 : y0 + CELL - 6, x + 6 : x + CELL - 6]
        value = (value << 1) | int(cell.mean() > 128)
    return value


def make_index_clip(
    path: Path,
    *,
    seconds: float = 4.0,
    fps: int = 25,
    size: tuple[int, int] = (640, 360),
    gop: int = 25,
) -> Path:
    """Write an H.264 mp4 whose frame ``i`` shows ``i`` (keyframe every ``gop`` frames)."""
    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "g": str(gop), "keyint_min": str(gop), "bf": "2"}
        stream.codec_context.time_base = Fraction(1, fps)
        for i in range(int(round(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(frame_picture(i, width, height), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _hand_points(cx: float, cy: float, scale: float) -> list[list[float]]:
    """21 plausible hand landmarks around (cx, cy): wrist below, five fingers fanned upwards."""
    pts = [[cx, cy + 1.0 * scale]]
    for finger, angle in enumerate((-60, -25, -5, 15, 35)):
        a = np.deg2rad(angle)
        base = 0.35 if finger else 0.25
        for j in range(4):
            r = base + 0.22 * j
            pts.append([cx + np.sin(a) * r * scale, cy + 0.5 * scale - np.cos(a) * r * scale])
    return pts


def sample_report(clip: Path, *, user: dict | None = None, shift: int = 0) -> Report:
    """A report with one finding per failure mode at known frames of an index clip (25 fps).

    hands: palm_flip, first failure at frame 51 (2.040 s), reference frame 49.
    identity: identity_switch at frame 75 (3.000 s), reference frame 20.
    lipsync: sync_drift, first out of tolerance at frame 31 (1.240 s).
    ``shift`` moves every event that many frames later (for longer clips).
    """
    info = probe(clip)
    w, h = info.display_size
    t = np.arange(info.frame_count) / info.fps
    dur = info.duration_s

    def at(i: int) -> float:
        return round((i + shift) / info.fps, 6)

    hand_box = (w * 0.42, h * 0.3, w * 0.6, h * 0.7)
    cx, cy = (hand_box[0] + hand_box[2]) / 2, (hand_box[1] + hand_box[3]) / 2
    palm = np.where((t >= at(51)) & (t < at(59)), -0.62, 0.55) + 0.03 * np.sin(t * 7)
    hands = CheckResult(
        "fail",
        findings=[
            Finding(
                mode="hands",
                kind="palm_flip",
                first_s=at(51),
                start_s=at(51),
                end_s=at(59),
                confidence=0.86,
                track=0,
                description="the right hand's palm/back sign flips from 2.040 s to 2.360 s without "
                "passing edge-on",
                measured={
                    "palm_sign_before": 0.55,
                    "palm_sign_after": -0.62,
                    "edge_on_min": 0.41,
                    "palm_width_px": 96.0,
                },
                threshold={"edge_on_min": 0.13, "palm_width_px": 40.0},
                evidence=[
                    Evidence(
                        t_s=at(49), label="before", box=hand_box, points=_hand_points(cx, cy, 60)
                    ),
                    Evidence(
                        t_s=at(51),
                        label="first failure",
                        box=hand_box,
                        points=_hand_points(cx, cy, 60),
                    ),
                ],
            )
        ],
        details={
            "signals": {
                "palm_sign": {
                    "label": "Palm/back sign, right hand",
                    "unit": "signed area",
                    "t_s": t.tolist(),
                    "values": palm.tolist(),
                    "threshold": [0.13, -0.13],
                    "threshold_label": "edge-on band",
                    "kinds": ["palm_flip"],
                }
            }
        },
    )

    face_box = (w * 0.1, h * 0.15, w * 0.3, h * 0.55)
    dist = np.where(t >= at(75), 0.76, 0.22) + 0.02 * np.cos(t * 5)
    dist[:12] = np.nan
    identity = CheckResult(
        "fail",
        findings=[
            Finding(
                mode="identity",
                kind="identity_switch",
                first_s=at(75),
                start_s=at(75),
                end_s=dur,
                confidence=0.93,
                track=0,
                description="the face becomes a different person at 3.000 s (distance to the "
                "reference face 0.76, same-person footage stays below 0.5)",
                measured={"distance_before": 0.22, "distance_after": 0.76, "reference_s": at(20)},
                threshold={"distance_after": 0.55},
                evidence=[
                    Evidence(t_s=at(20), label="reference", box=face_box),
                    Evidence(t_s=at(74), label="before", box=face_box),
                    Evidence(t_s=at(75), label="first failure", box=face_box),
                ],
            )
        ],
        details={
            "stability_score": 0.41,
            "signals": {
                "distance": {
                    "label": "Identity distance to the reference face",
                    "unit": "Euclidean",
                    "t_s": t.tolist(),
                    "values": dist.tolist(),
                    "threshold": 0.55,
                    "threshold_label": "different-person threshold 0.55",
                }
            },
        },
    )

    win_t = np.arange(2.0, max(dur - 1.0, 2.5), 1.0)
    lag = 60 + 80 * win_t
    mouth_box = (w * 0.15, h * 0.4, w * 0.25, h * 0.5)
    lipsync = CheckResult(
        "fail",
        findings=[
            Finding(
                mode="lipsync",
                kind="sync_drift",
                first_s=at(31),
                start_s=at(31),
                end_s=dur,
                confidence=0.78,
                description="the mouth trails the voice by more and more: +160 ms at 1.240 s, "
                "+300 ms by the end (drift 80 ms per second)",
                measured={"lag_ms": 236.0, "drift_ms_per_s": 80.0, "psr": 6.1},
                threshold={"lag_ms": 90.0, "psr": 3.0},
                evidence=[Evidence(t_s=at(31), label="first failure", box=mouth_box)],
            )
        ],
        details={
            "lag_ms": 236.0,
            "confidence": 0.78,
            "signals": {
                "lag": {
                    "label": "Lip-sync lag per 4 s window",
                    "unit": "ms",
                    "t_s": win_t.tolist(),
                    "values": lag.tolist(),
                    "threshold": [90.0, -185.0],
                    "threshold_label": "ITU-R BT.1359 tolerance",
                }
            },
        },
    )

    return Report(
        tool_version="0.1.0",
        clip=_clip_dict(info),
        checks={"hands": hands, "identity": identity, "lipsync": lipsync},
        created_at="2025-01-01T12:00:00+00:00",
        settings={
            "digest": "0123456789abcdef",
            "tracking": {"hand_model_complexity": 1},
            "lipsync": {"tolerance_standard": "itu_bt1359_acceptability"},
        },
        user=user or {},
        analysis={"frames_analyzed": info.frame_count},
    )


def clean_report(clip: Path) -> Report:
    """A report where every check passed or was skipped, with one plotted signal."""
    info = probe(clip)
    t = np.arange(info.frame_count) / info.fps
    dist = 0.2 + 0.03 * np.sin(t * 3)
    return Report(
        tool_version="0.1.0",
        clip=_clip_dict(info),
        checks={
            "hands": CheckResult("skipped", reason="no hands in the clip"),
            "identity": CheckResult(
                "pass",
                details={
                    "stability_score": 0.97,
                    "signals": {
                        "distance": {
                            "label": "Identity distance to the reference face",
                            "unit": "Euclidean",
                            "t_s": t.tolist(),
                            "values": dist.tolist(),
                            "threshold": 0.55,
                            "threshold_label": "threshold 0.55",
                        }
                    },
                },
            ),
            "lipsync": CheckResult(
                "skipped",
                reason="the clip has no audio track",
                details={"lag_ms": None, "confidence": None},
            ),
        },
        created_at="2025-01-01T12:00:00+00:00",
        user={"generation_id": "gen_clean_7"},
    )
