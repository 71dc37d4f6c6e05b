"""The ava-detect command: exit codes, one-line errors, files written, JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_cli
from click.testing import CliRunner
from detector_fixtures import FaceMissingDetector

from ava_detect import detectors
from ava_detect.cli import main
from ava_detect.report.json import contract_errors

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_clips" / "talking_clean.mp4"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.mp4", None, "no such file"),
        ("empty.mp4", b"", "empty"),
        ("notes.mp4", b"meeting notes, definitely not a video\n" * 20, "not a video file"),
        ("photo.mp4", None, "no video stream"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, name, content, says):
    path = tmp_path / name
    if name == "photo.mp4":
        import av
        import numpy as np

        with av.open(str(path), "w", format="mp4") as out:  # audio only, named .mp4
            stream = out.add_stream("aac", rate=16000, layout="mono")
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts = 16000, 0
            out.mux(stream.encode(frame))
            out.mux(stream.encode())
    elif content is not None:
        path.write_bytes(content)
    proc = run_cli(str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ava-detect: error:") and says in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_bad_usage_exits_2(tmp_path):
    proc = run_cli(str(SAMPLE), "--checks", "elbows", cwd=tmp_path)
    assert proc.returncode == 2 and "choose one or more of hands, identity, lipsync" in proc.stderr


def test_sample_clip_writes_a_valid_report_and_summary(tmp_path):
    proc = run_cli(
        str(SAMPLE),
        "--out",
        "reports",
        "--generation-id",
        "gen-42",
        "--platform",
        "TestGen",
        cwd=tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((tmp_path / "reports" / "talking_clean.json").read_text())
    assert contract_errors(report) == []
    assert report["user"] == {"generation_id": "gen-42", "platform": "TestGen"}
    assert report["clip"]["duration_s"] == pytest.approx(6.0)
    assert "talking_clean.mp4" in proc.stdout and "report:" in proc.stdout
    assert proc.returncode == (1 if report["verdict"] == "fail" else 0)


def test_json_to_stdout_is_pure_json(tmp_path):
    proc = run_cli(str(SAMPLE), "--checks", "lipsync", "--json", "-", "--out", "r", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert contract_errors(data) == []
    assert data["settings"]["checks"] == ["lipsync"]


def test_exit_1_on_a_failure_and_0_on_a_clean_clip(tmp_path, monkeypatch):
    monkeypatch.setitem(detectors._REGISTRY, "identity", FaceMissingDetector)
    import av
    import numpy as np

    grey = tmp_path / "grey.mp4"  # no face anywhere: the fixture detector fails it
    with av.open(str(grey), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(25):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 128, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    runner = CliRunner()
    failing = runner.invoke(main, [str(grey), "--checks", "identity", "--out", str(tmp_path)])
    assert failing.exit_code == 1, failing.output
    clean = runner.invoke(main, [str(SAMPLE), "--checks", "identity", "--out", str(tmp_path)])
    assert clean.exit_code == 0, clean.output


def test_never_overwrites_a_users_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    precious = out / "talking_clean.json"
    precious.write_text('{"my": "data"}')
    proc = run_cli(str(SAMPLE), "--out", str(out), "--checks", "lipsync", cwd=tmp_path)
    assert proc.returncode == 2 and "left untouched" in proc.stderr
    assert precious.read_text() == '{"my": "data"}'


def test_config_file_and_set_are_applied(tmp_path):
    config = tmp_path / "ava.toml"
    config.write_text("analysis_max_side = 320\n")
    proc = run_cli(
        str(SAMPLE),
        "--config",
        str(config),
        "--set",
        "tracking.max_faces=1",
        "--checks",
        "lipsync",
        "--json",
        "-",
        cwd=tmp_path,
    )
    data = json.loads(proc.stdout)
    assert data["settings"]["analysis_max_side"] == 320
    assert data["settings"]["tracking"]["max_faces"] == 1
    bad = run_cli(str(SAMPLE), "--set", "tracking.max_faces=many", cwd=tmp_path)
    assert bad.returncode == 2 and "max_faces" in bad.stderr


def test_help_teaches_the_checks_and_exit_codes(tmp_path):
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for text in (
        "Hand-Anatomy Topology Failure",
        "Facial Identity Drift",
        "exits with",
        "--generation-id",
    ):
        assert text in proc.stdout


def test_written_reports_are_readable_by_others_as_the_umask_allows(tmp_path):
    import os

    from ava_detect.report.json import write_text_atomic

    target = tmp_path / "r.json"
    old = os.umask(0o022)
    os.umask(old)
    write_text_atomic(target, "{}")
    assert target.stat().st_mode & 0o777 == 0o666 & ~old
