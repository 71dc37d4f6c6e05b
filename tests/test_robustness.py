"""Bad input gives one clear line and exit 2; damaged or odd clips are analysed, not refused.

Missing path, zero-byte file, text named .mp4 and audio-only file are covered in test_cli.py;
a folder with no videos in test_batch.py (run_batch) and here through the CLI.
"""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from cli_runner import run_cli
from clipgen import write_video

from ava_detect import detectors, media
from ava_detect.errors import InputError, OutputError
from ava_detect.pipeline import analyze
from ava_detect.report import CheckResult
from ava_detect.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_clips" / "talking_clean.mp4"


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ava-detect: error:"), proc.stderr
    return lines[0]


# --- clear errors, exit 2 -------------------------------------------------------------------


def test_first_half_of_a_real_mp4_is_called_truncated(tmp_path):
    half = tmp_path / "half.mp4"
    data = SAMPLE.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    line = one_line_error(run_cli(str(half), "--out", str(tmp_path / "o"), cwd=tmp_path))
    assert "looks incomplete (truncated" in line and "'moov' is missing" in line


def test_unknown_video_codec_is_called_unsupported(tmp_path):
    clip = tmp_path / "alien.mp4"
    clip.write_bytes(SAMPLE.read_bytes().replace(b"avc1", b"zzzz"))  # sample entry fourcc
    line = one_line_error(run_cli(str(clip), "--out", str(tmp_path / "o"), cwd=tmp_path))
    assert "unsupported codec" in line


def test_unreadable_file_says_permission_denied(tmp_path, monkeypatch):
    # Tests run as root, where chmod 000 still reads; exercise the check through os.access.
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(SAMPLE.read_bytes())
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == clip else real_access(p, mode)
    )
    with pytest.raises(InputError, match="permission denied"):
        media.probe(clip)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_through_the_cli(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(SAMPLE.read_bytes())
    clip.chmod(0)
    line = one_line_error(run_cli(str(clip), "--out", str(tmp_path / "o"), cwd=tmp_path))
    assert "permission denied" in line


def test_out_that_is_a_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    line = one_line_error(run_cli(str(SAMPLE), "--out", str(target), cwd=tmp_path))
    assert "is not a folder" in line and target.read_text() == "mine"


def test_out_folder_that_cannot_be_written(tmp_path, monkeypatch):
    from ava_detect.output import paths as outputs

    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(outputs.os, "access", lambda p, mode: Path(p) != locked)
    with pytest.raises(OutputError, match="not writable"):
        outputs.prepare_output(outputs.output_paths("clip.mp4", locked))


def test_folder_without_videos_through_the_cli(tmp_path):
    folder = tmp_path / "renders"
    folder.mkdir()
    (folder / "readme.txt").write_text("no clips here")
    line = one_line_error(run_cli(str(folder), "--out", str(tmp_path / "o"), cwd=tmp_path))
    assert "no video files found" in line


# --- degrade instead of failing -------------------------------------------------------------


class AllModels:
    """Test detector needing hands, faces and audio: proves every model runs on the clip."""

    needs_hands = needs_faces = needs_audio = True

    def __init__(self, mode):
        self.mode = mode

    def analysers(self, settings):
        return ()

    def detect(self, signals, settings):
        return CheckResult(
            "pass",
            details={
                "frames": signals.n_frames,
                "hands_shape": list(signals.hands.image.shape),
                "faces_shape": list(signals.faces.points.shape),
                "audio": None if signals.audio is None else len(signals.audio),
            },
        )


@pytest.fixture
def all_models(monkeypatch):
    for mode in ("hands", "identity", "lipsync"):
        monkeypatch.setitem(detectors._REGISTRY, mode, lambda m=mode: AllModels(m))


def test_corrupt_frames_in_the_middle_are_skipped_and_counted(tmp_path, all_models):
    clip = tmp_path / "bad_middle.mp4"
    rng = np.random.default_rng(0)
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        stream.options = {"g": "1"}  # every frame a keyframe: damage stays in its own frame
        for i in range(50):
            frame = av.VideoFrame.from_ndarray(
                np.full((64, 96, 3), 10 + (i % 25) * 10, np.uint8), format="rgb24"
            )
            frame.pts = i
            for packet in stream.encode(frame):
                if 20 <= packet.pts < 25:  # frames 20-24 replaced by garbage slices
                    junk = b"\x00\x00\x00\x01\x65" + rng.integers(0, 256, 200, np.uint8).tobytes()
                    bad = av.Packet(junk)
                    bad.pts, bad.dts, bad.time_base = packet.pts, packet.dts, packet.time_base
                    bad.stream, bad.is_keyframe = packet.stream, True
                    packet = bad
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)

    report = analyze(clip, Settings()).report
    assert report.analysis["frames_analyzed"] == 45
    assert report.analysis["corrupt_packets_skipped"] == 5
    assert report.analysis["frames_missing"] == 5
    # Analysis went on after the damage: frame 25 (t = 1.00 s) onwards is there.
    assert report.checks["hands"].details["frames"] == 45
    times = list(media.iter_frames(clip))
    assert [round(f.t_s, 2) for f in times[19:21]] == [0.76, 1.0]


def _rotate_90_clockwise(path: Path) -> None:
    """Write a 90-degree display matrix into the video track header (as phones do)."""
    data = bytearray(path.read_bytes())
    box = data.find(b"tkhd") - 4
    assert data[box + 8] == 0  # version 0 header: the matrix sits 48 bytes in
    matrix = struct.pack(">9I", 0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000)
    data[box + 48 : box + 84] = matrix
    path.write_bytes(bytes(data))


def test_rotated_phone_video_comes_out_upright(tmp_path):
    clip = tmp_path / "phone.mp4"
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        for i in range(5):
            img = np.zeros((64, 96, 3), np.uint8)
            img[:16, :16] = 255  # a white mark in the stored picture's top-left corner
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    _rotate_90_clockwise(clip)

    info = media.probe(clip)
    assert info.rotation == 90 and (info.width, info.height) == (96, 64)
    assert info.display_size == (64, 96)
    rgb = next(media.iter_frames(clip)).rgb
    assert rgb.shape == (96, 64, 3)
    # Turned a quarter clockwise, the stored top-left corner is shown top-right.
    assert rgb[:16, -16:].mean() > 200 and rgb[:16, :16].mean() < 30
    assert media.read_frame_at(clip, 0.08).rgb.shape == (96, 64, 3)


@pytest.mark.parametrize(
    ("size", "n_frames", "codec_pix"),
    [((96, 64), 12, "yuv420p"), ((64, 64), 25, "yuv420p"), ((97, 61), 25, "yuv444p")],
    ids=["under_half_second", "tiny_64x64", "odd_97x61"],
)
def test_short_tiny_and_odd_sized_clips_analyse(tmp_path, all_models, size, n_frames, codec_pix):
    from clipgen import tone

    clip = tmp_path / "odd.mp4"
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height = size
        stream.pix_fmt = codec_pix
        for i in range(n_frames):
            img = np.random.default_rng(i).integers(0, 255, (size[1], size[0], 3), np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    if n_frames < 25:  # the short case also carries audio
        times = [i / 25 for i in range(n_frames)]
        clip = write_video(tmp_path / "short.mp4", times, audio=tone(300, n_frames / 25))

    report = analyze(clip, Settings()).report
    assert (report.clip["width"], report.clip["height"]) == size
    details = report.checks["hands"].details
    assert details["frames"] == n_frames
    assert details["hands_shape"][0] == n_frames and details["faces_shape"][0] == n_frames
    if n_frames < 25:
        assert report.clip["duration_s"] < 1.0 and details["audio"] > 0


def test_fast_start_mp4_cut_short_is_analysed_and_flagged(tmp_path, all_models):
    full = tmp_path / "full.mp4"
    with av.open(str(full), "w", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for i in range(50):  # noise: every frame costs several kB, so the cut lands mid-stream
            img = np.random.default_rng(i).integers(0, 255, (96, 160, 3), np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    data = full.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # index first: the cut keeps it
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])

    analysis = analyze(cut, Settings()).report.analysis
    assert "('mdat') runs" in analysis["file_truncated"]
    assert 20 <= analysis["frames_analyzed"] < 40
    assert analysis["frames_missing"] == 50 - analysis["frames_analyzed"]
