"""Folder runs on a real Ray cluster: a head started on the loopback address for this module.

Skipped, saying so, when Ray (the ``ray`` extra) is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from batch_clips import write_clip

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'ava-detect[ray]')")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_clips"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")])}
TESTKIT = ["--set", "plugins=batch_testkit", "--checks", "hands,lipsync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray_cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("ray")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "ray.scripts.scripts"]
    return subprocess.run([*command, *args], env=ENV, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def head():
    """A Ray head on 127.0.0.1 with 2 CPUs; its address; stopped at the end."""
    port = _free_port()
    started = _ray_cli("start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
                       "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats")
    if started.returncode != 0:
        pytest.fail(f"ray start failed: {started.stderr[-2000:]}")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        _ray_cli("stop", "--force")


def _run(folder: Path, out: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ava_detect.cli", str(folder), "--out", str(out), "-q",
               *args]
    return subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=timeout)


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def _comparable(rows: list[dict]) -> list[dict]:
    drop = {"report", "pdf", "resumed"}
    return [{k: v for k, v in row.items() if k not in drop} for row in rows]


@pytest.mark.slow
def test_ray_gives_the_local_pools_verdicts_rows_and_exit_code(head, tmp_path):
    folder = tmp_path / "renders"
    folder.mkdir()
    for name in ("talking_clean.mp4", "identity_switch_3s.mp4", "talking_audio_early_200ms.mp4"):
        shutil.copy(SAMPLES / name, folder / name)
    data = (SAMPLES / "talking_clean.mp4").read_bytes()
    (folder / "broken.mp4").write_bytes(data[: len(data) // 3])

    local = _run(folder, tmp_path / "local", "--workers", "1")
    on_ray = _run(folder, tmp_path / "ray", "--ray", head)
    assert on_ray.returncode == local.returncode == 2, on_ray.stderr  # broken clip: exit 2
    a, b = _summary(tmp_path / "local"), _summary(tmp_path / "ray")
    assert _comparable(b["clips"]) == _comparable(a["clips"])
    verdicts = {r["path"]: r["verdict"] for r in b["clips"]}
    assert verdicts == {"broken.mp4": "error", "identity_switch_3s.mp4": "fail",
                        "talking_audio_early_200ms.mp4": "fail", "talking_clean.mp4": "pass"}
    assert (tmp_path / "ray" / "summary.pdf").exists()

    again = _run(folder, tmp_path / "ray", "--ray", head)  # resume: nothing analysed again
    assert again.returncode == 2
    resumed = {r["path"]: r["resumed"] for r in _summary(tmp_path / "ray")["clips"]}
    assert resumed == {"broken.mp4": False, "identity_switch_3s.mp4": True,
                       "talking_audio_early_200ms.mp4": True, "talking_clean.mp4": True}


def _actor_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "ray::_ClipWorker" in cmdline:
                pids.append(int(entry.name))
    return pids


@pytest.mark.slow
def test_a_worker_killed_mid_clip_is_retried_or_an_error_row_never_a_hang(head, tmp_path):
    folder = tmp_path / "renders"
    for i in range(4):
        write_clip(folder / f"slow_{i}.mp4", seconds=0.5, seed=20 + i)  # each sleeps 1.5 s
    killed: list[int] = []

    def kill_one_actor_while_busy() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            busy = [p for p in _actor_pids()
                    if "analyse" in Path(f"/proc/{p}/cmdline").read_bytes().decode(
                        errors="replace")]
            if busy:
                os.kill(busy[0], signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_actor_while_busy, daemon=True)
    killer.start()
    result = _run(folder, tmp_path / "out", "--ray", head, *TESTKIT, timeout=600)
    killer.join(1)
    assert killed, "no busy Ray worker was found to kill"
    rows = _summary(tmp_path / "out")["clips"]
    assert len(rows) == 4 and result.returncode in (0, 2), result.stderr
    errors = [r for r in rows if r["verdict"] == "error"]
    assert all("crashed" in r["error"] for r in errors)
    assert len(errors) <= 1 and sum(r["verdict"] == "pass" for r in rows) >= 3


def test_ray_refuses_a_single_clip_and_a_cluster_it_cannot_reach(tmp_path):
    one = _run(SAMPLES / "talking_clean.mp4", tmp_path / "out", "--ray", "local")
    assert one.returncode == 2 and "--ray applies to folder runs" in one.stderr
    folder = tmp_path / "renders"
    write_clip(folder / "a.mp4", seconds=0.3, seed=1)
    port = _free_port()  # nothing listens there
    unreachable = _run(folder, tmp_path / "out2", "--ray", f"127.0.0.1:{port}", *TESTKIT,
                       timeout=300)
    assert unreachable.returncode == 2
    lines = unreachable.stderr.strip().splitlines()
    assert lines and "Ray" in lines[-1] and "Traceback" not in unreachable.stderr
