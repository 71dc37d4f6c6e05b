"""Evidence clips: they decode, show the right clip times, carry the clip's own sound aligned to
the picture within a millisecond, and are left out cleanly (no sound track; switched off)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from pack_samples import ORIGIN, frame_picture, make_index_clip, sample_report

from ava_detect.media import iter_frames, probe, read_audio
from ava_detect.output.clip_job import write_pack
from ava_detect.output.paths import output_paths, prepare_output
from ava_detect.output.video import AUDIO_SR, write_evidence_videos
from ava_detect.output.video import panels as P
from ava_detect.output.video.plan import plan_for
from ava_detect.pipeline import Analysis, StageTimes
from ava_detect.settings import EvidenceVideoSettings

FPS = 25
SIZE = (640, 360)
CFG = EvidenceVideoSettings()


def _speech_like(seconds: float, sr: int, seed: int = 3) -> np.ndarray:
    """Noise bursts of random length and loudness: no two stretches alike, so the
    cross-correlation has one clear peak."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    env = np.repeat(rng.uniform(0, 1, n // 800 + 1) ** 2, 800)[:n]
    return (0.4 * env * rng.standard_normal(n)).astype(np.float32)


@pytest.fixture(scope="module")
def talking_clip(tmp_path_factory) -> Path:
    """4 s, 25 fps index clip (frame i shows i) with a 44.1 kHz AAC track starting at 0."""
    path = tmp_path_factory.mktemp("clip") / "talk.mp4"
    sr = 44100
    audio = _speech_like(4.0, sr)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height = SIZE
        video.pix_fmt = "yuv420p"
        video.options = {"crf": "18", "g": "25"}
        sound = out.add_stream("aac", rate=sr, layout="mono")
        for i in range(4 * FPS):
            frame = av.VideoFrame.from_ndarray(frame_picture(i, *SIZE), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode())
        for start in range(0, len(audio), 1024):
            block = np.ascontiguousarray(audio[start : start + 1024])[None, :]
            frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
            frame.sample_rate, frame.pts = sr, start
            out.mux(sound.encode(frame))
        out.mux(sound.encode())
    return path


@pytest.fixture(scope="module")
def videos(talking_clip, tmp_path_factory):
    report = sample_report(talking_clip)
    report.clip["has_audio"] = True  # sample_report probes the clip: it has sound
    paths = output_paths(talking_clip, tmp_path_factory.mktemp("out"))
    run = write_evidence_videos(report, talking_clip, paths, None, CFG)
    return report, paths, run


def _panel_index(canvas: np.ndarray, left: int, main_h: int) -> int:
    """The frame index coded in the source frame shown in the evidence clip's left panel."""
    scale = min(left / SIZE[0], main_h / SIZE[1])
    ox = (left - int(SIZE[0] * scale)) // 2
    oy = P.HEADER_H + (main_h - int(SIZE[1] * scale)) // 2
    value = 0
    for bit in range(12):
        cx = ox + (ORIGIN[0] + bit * 24 + 12) * scale
        cy = oy + (ORIGIN[1] + 12) * scale
        patch = canvas[int(cy) - 3 : int(cy) + 4, int(cx) - 3 : int(cx) + 4]
        value = (value << 1) | int(patch.mean() > 128)
    return value


def test_every_finding_gets_a_clip_that_decodes(videos):
    report, paths, run = videos
    assert not run.skipped
    for n, finding in enumerate(report.findings, start=1):
        ev = finding.evidence_video
        assert ev["file"] == f"{paths.frames.name}/f{n:02d}_{finding.kind}.mp4"
        info = probe(paths.folder / ev["file"])
        assert info.codec == "h264" and info.width % 2 == 0 and info.height % 2 == 0
        assert info.duration_s == pytest.approx(ev["duration_s"], abs=0.05)
        assert (paths.folder / ev["strip"]).is_file()
        with av.open(str(paths.folder / ev["file"])) as container:
            assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"


def test_frames_cover_the_span_at_normal_then_half_speed(videos):
    report, paths, _ = videos
    finding = report.checks["hands"].findings[0]  # palm flip, frames 51-59 (2.04-2.36 s)
    ev = finding.evidence_video
    assert ev["source_start_s"] == pytest.approx(finding.first_s - CFG.context_s, abs=1e-6)
    assert ev["source_end_s"] >= finding.end_s
    right = P.even(CFG.width * 0.43)
    shown = [_panel_index(f.rgb, CFG.width - right, right)
             for f in iter_frames(paths.folder / ev["file"])]
    first = round(ev["source_start_s"] * FPS)
    n = round((ev["source_end_s"] - ev["source_start_s"]) * FPS)
    # the normal pass shows every frame once, in order; then the half-speed pass each twice
    times = [f.t_s for f in iter_frames(paths.folder / ev["file"])]
    assert shown[:n] == list(range(first, first + n))
    replay = [idx for idx, t in zip(shown, times, strict=True) if t >= ev["passes"][1]["start_s"]]
    assert sorted(set(replay)) == list(range(first, first + n))
    assert 51 in shown[:n] and 59 in shown[:n]  # first failure and end of the span
    assert ev["passes"][1]["end_s"] - ev["passes"][1]["start_s"] == pytest.approx(2 * n / FPS)


def _lag_ms(a: np.ndarray, b: np.ndarray, sr: int, search_ms: float = 50.0) -> float:
    """Lag of ``a`` behind ``b`` by cross-correlation (positive: ``a`` is late)."""
    m = int(search_ms / 1000 * sr)
    core = b[m : len(b) - m]
    scores = [float(np.dot(a[m + k : m + k + len(core)], core)) for k in range(-m, m + 1)]
    return (int(np.argmax(scores)) - m) / sr * 1000


def test_lipsync_clip_sound_is_aligned_to_the_picture_within_a_millisecond(videos, talking_clip):
    report, paths, _ = videos
    finding = report.checks["lipsync"].findings[0]
    ev = finding.evidence_video
    assert ev["has_audio"]
    original = read_audio(talking_clip, sr=AUDIO_SR)
    clip_audio = read_audio(paths.folder / ev["file"], sr=AUDIO_SR)
    start = round(ev["source_start_s"] * AUDIO_SR)
    n = round(ev["passes"][0]["end_s"] * AUDIO_SR)
    lag = _lag_ms(clip_audio[:n], original[start : start + n], AUDIO_SR)
    assert abs(lag) <= 1.0, f"normal pass sound is {lag:+.2f} ms off the picture"
    # the half-speed pass: the same sound slowed with the picture (every 2nd sample)
    slow = clip_audio[n : n + 2 * n : 2]
    lag = _lag_ms(slow, original[start : start + len(slow)], AUDIO_SR)
    assert abs(lag) <= 1.0, f"half-speed sound is {lag:+.2f} ms off the picture"


def test_clip_without_audio_gets_picture_only(tmp_path):
    clip = make_index_clip(tmp_path / "silent.mp4", seconds=4.0)
    report = sample_report(clip)
    paths = output_paths(clip, tmp_path / "out")
    run = write_evidence_videos(report, clip, paths, None, CFG)
    assert not run.skipped
    ev = report.checks["lipsync"].findings[0].evidence_video
    assert ev["has_audio"] is False
    assert probe(paths.folder / ev["file"]).has_audio is False


def test_switched_off_writes_no_clip_and_removes_old_ones(tmp_path):
    clip = make_index_clip(tmp_path / "shot.mp4", seconds=4.0)
    paths = output_paths(clip, tmp_path / "out")
    prepare_output(paths)
    paths.frames.mkdir()
    (paths.frames / "f01_palm_flip.mp4").write_bytes(b"old run")
    (paths.frames / "notes.mp4").write_bytes(b"user file")
    report = sample_report(clip, user={"generation_id": "g1"})
    write_pack(Analysis(report=report, signals=None, times=StageTimes()), clip, paths,
               video=EvidenceVideoSettings(enabled=False))
    assert sorted(p.name for p in paths.frames.glob("*.mp4")) == ["notes.mp4"]
    data = json.loads(paths.json.read_text())
    assert all(f["evidence_video"] is None for f in data["findings"])
    assert "Attached evidence clips" not in paths.ticket.read_text()


def test_plan_starts_on_whole_frames_before_the_first_failure():
    from ava_detect.report import Finding

    f = Finding(mode="hands", kind="palm_flip", first_s=0.133, start_s=0.133, end_s=9.0,
                confidence=1.0, description="x")
    plan = plan_for(f, {"fps": 30000 / 1001, "duration_s": 10.0}, CFG)
    times = plan.times(1.0)
    assert plan.start_s >= 0 and np.isclose(times, 0.133, atol=1e-6).any()
    assert plan.end_s - 0.133 <= CFG.max_span_s + 1 / 29.97
