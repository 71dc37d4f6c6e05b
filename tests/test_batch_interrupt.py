"""Interrupting a batch run (Ctrl-C, or the process killed) keeps finished reports whole.

The CLI runs in a subprocess with one worker over clips that each take about 1.5 s (the test
detector sleeps on ``slow`` in the name); it is interrupted as soon as the first report appears.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_clips import write_clip

from ava_detect.report.json import contract_errors

N_CLIPS = 4
SRC = Path(__file__).resolve().parents[1] / "src"
TESTS = Path(__file__).resolve().parent


def _cli(folder: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(TESTS)])
    command = [sys.executable, "-m", "ava_detect.cli", str(folder), "--out", str(out)]
    command += ["--checks", "hands,lipsync", "--workers", "1", "--set", "plugins=batch_testkit"]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a terminal job
        # ... and Ctrl-C reaches it as it reaches a terminal's foreground job: a test run
        # started in the background of a script inherits SIGINT ignored, and Python then
        # keeps it ignored (no KeyboardInterrupt ever), as a shell's background job should
        preexec_fn=_sigint_default,
    )


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _reports(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.json") if p.name != "summary.json")


def _group_gone(pgid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_interrupted_batch_keeps_finished_reports_and_resumes(tmp_path, how):
    folder = tmp_path / "renders"
    for i in range(N_CLIPS):
        write_clip(folder / f"slow_{i}.mp4", bright_from_s=0.5 if i % 2 else None, seed=i)
    out = tmp_path / "out"

    start = time.monotonic()
    proc = _cli(folder, out)
    deadline = start + 60
    while not _reports(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first_seen_s = time.monotonic() - start
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends to the job
    else:
        os.kill(proc.pid, signal.SIGKILL)  # only the main process: workers must stop alone
    interrupted_after_s = time.monotonic() - start
    _, stderr = proc.communicate(timeout=30)
    assert _group_gone(proc.pid, within_s=15), "worker processes outlived the batch"

    finished = _reports(out)
    assert 1 <= len(finished) < N_CLIPS, (
        f"{len(finished)} of {N_CLIPS} reports, interrupted {interrupted_after_s:.2f} s after "
        f"the start, first report seen {first_seen_s:.2f} s; stderr: {stderr[-600:]}")
    for path in finished:
        report = json.loads(path.read_text())  # complete JSON, never half a file
        assert contract_errors(report) == []
    assert not list(out.rglob("*.tmp"))
    if how == "ctrl-c":
        assert proc.returncode == 130
        assert "interrupted" in stderr and "Traceback" not in stderr
        partial = json.loads((out / "summary.json").read_text())
        assert partial["complete"] is False
        assert len(partial["clips"]) == len(finished)
    else:
        assert proc.returncode == -signal.SIGKILL

    stamps = {p: p.stat().st_mtime_ns for p in finished}
    rerun = _cli(folder, out)
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 1, stderr  # two bright clips fail, nothing is left unanalysed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is True
    assert [r["path"] for r in summary["clips"]] == [f"slow_{i}.mp4" for i in range(N_CLIPS)]
    assert [r["verdict"] for r in summary["clips"]] == ["pass", "fail", "pass", "fail"]
    assert sum(r["resumed"] for r in summary["clips"]) == len(finished)
    assert {p: p.stat().st_mtime_ns for p in finished} == stamps
    assert len(_reports(out)) == N_CLIPS
