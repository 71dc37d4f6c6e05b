"""A new user's first hour: stills, tiny and damaged clips, the terminal display, usage errors."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_clips" / "talking_clean.mp4"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ava_detect.cli", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True)


def _clip(path: Path, frames: int, *, zero_pts: bool = False, size: int = 128) -> Path:
    """``frames`` frames of the sample clip (a face), 25 fps; all timestamps 0 if asked."""
    with av.open(str(SAMPLE)) as src, av.open(str(path), "w") as dst:
        stream = dst.add_stream("libx264", rate=25)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        packets = []
        for i, frame in enumerate(src.decode(video=0)):
            if i >= frames:
                break
            packets += stream.encode(frame.reformat(format="yuv420p", width=size, height=size))
        packets += stream.encode()
        for packet in packets:
            if zero_pts:
                packet.pts = packet.dts = 0
            dst.mux(packet)
    return path


def _still(path: Path) -> Path:
    rgb = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    with av.open(str(path), "w", format="image2") as dst:
        stream = dst.add_stream("png" if path.suffix == ".png" else "mjpeg")
        stream.width = stream.height = 64
        stream.pix_fmt = "rgb24" if path.suffix == ".png" else "yuvj420p"
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        for packet in stream.encode(frame.reformat(format=stream.pix_fmt)):
            dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return path


@pytest.mark.parametrize("name", ["photo.jpg", "cutout.png"])
def test_a_still_image_is_refused_in_one_line(tmp_path, name):
    proc = _cli(str(_still(tmp_path / name)), "--out", "out", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "still image" in lines[0] and "video" in lines[0]
    assert "Traceback" not in proc.stderr


def test_a_one_frame_clip_is_analysed_as_far_as_it_can_be(tmp_path):
    clip = _clip(tmp_path / "one.mp4", 1)
    proc = _cli(str(clip), "--out", "out", "--json", "-", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["verdict"] == "inconclusive" and report["analysis"]["frames_analyzed"] == 1
    for check in report["checks"].values():
        assert check["status"] == "inconclusive" and "only 1 frame" in check["reason"]


def test_a_two_frame_clip_runs_every_check(tmp_path):
    proc = _cli(str(_clip(tmp_path / "two.mp4", 2)), "--out", "out", "--json", "-", "-q",
                cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["analysis"]["frames_analyzed"] == 2
    assert all("only 1 frame" not in (c["reason"] or "") for c in report["checks"].values())


def test_frames_all_stamped_zero_are_reported_not_a_crash(tmp_path):
    clip = _clip(tmp_path / "zero.mp4", 10, zero_pts=True)
    proc = _cli(str(clip), "--out", "out", "--json", "-", "-q", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["clip"]["frame_count"] == 10
    assert report["analysis"]["frames_analyzed"] == 1
    assert report["analysis"]["frames_dropped_bad_timestamp"] == 9
    assert np.isfinite(report["clip"]["fps"]) and report["clip"]["fps"] > 0


def test_an_unknown_check_is_a_usage_error_naming_the_valid_ones(tmp_path):
    proc = _cli(str(SAMPLE), "--checks", "hands,lips", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "'lips'" in lines[0]
    assert all(name in lines[0] for name in ("hands", "identity", "lipsync"))
    assert "internal error" not in lines[0] and "BadParameter" not in lines[0]


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as stdout and stderr; all it wrote, decoded."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ava_detect.cli", *args], cwd=cwd,
                            env={**ENV, "TERM": "xterm-256color", "COLUMNS": "100"},
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace")


def test_the_progress_bar_counts_frames_and_gives_the_terminal_back(tmp_path):
    clip = _clip(tmp_path / "short.mp4", 25, size=160)
    code, shown = _run_on_a_terminal([str(clip), "--out", "out", "--checks", "hands"], tmp_path)
    assert code == 0, shown
    counts = re.findall(r"(\d+)/(\d+)\S* frames", shown)
    assert ("25", "25") in counts  # the bar reached the clip's frame count
    assert shown.count("\x1b[?25l") == shown.count("\x1b[?25h") >= 1  # cursor shown again
    # the summary starts on a line of its own, after the bar was cleared
    tail = shown[shown.rfind("\x1b[?25h"):]
    assert re.search(r"\x1b\[2K(\x1b\[[0-9;]*m)*short\.mp4(\x1b\[0m)?  \S*(PASS|INCONCLUSIVE)",
                     tail), tail
