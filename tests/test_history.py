"""The failure history: rows after a clip and after a folder run with 2 workers, concurrent
writers, migrations, damaged and unwritable files, and ``ava-detect history``."""

from __future__ import annotations

import csv
import json
import multiprocessing as mp
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from batch_clips import write_clip
from click.testing import CliRunner

from ava_detect.cli import main
from ava_detect.history.query import Filters, list_runs
from ava_detect.history.recorder import HistoryRecorder
from ava_detect.history.store import MIGRATIONS, connect, migrate, schema_version

ROOT = Path(__file__).resolve().parents[1]
TESTKIT = ["--set", "plugins=batch_testkit", "--checks", "hands,lipsync"]


def fake_report(
    *,
    created_at: str = "2026-12-01T10:00:00+00:00",
    platform: str | None = "Sora",
    prompt: str | None = "hands typing, close-up",
    statuses: dict[str, str] | None = None,
    findings: list[tuple[str, str, float]] = (),
    path: str = "/renders/clip.mp4",
) -> dict:
    """A report dict with the fields the history reads (the JSON contract's names)."""
    statuses = statuses or {"hands": "pass", "identity": "skipped", "lipsync": "pass"}
    user = {k: v for k, v in (("platform", platform), ("prompt", prompt)) if v}
    return {
        "schema_version": 1, "tool": {"name": "ava-detect", "version": "0.1.0"},
        "created_at": created_at, "clip": {"path": path, "sha256": "ab" * 32, "duration_s": 4.0},
        "user": user, "settings": {"digest": "d1"},
        "verdict": "fail" if "fail" in statuses.values() else "pass",
        "first_failure_s": min((t for _, _, t in findings), default=None),
        "checks": {m: {"status": s, "reason": None} for m, s in statuses.items()},
        "findings": [{"mode": m, "kind": k, "first_s": t, "start_s": t, "end_s": t + 1,
                      "severity": "critical", "evidence": []} for m, k, t in findings],
    }  # fmt: skip


def _runs(path: Path, **filters) -> list[dict]:
    conn = connect(path, write=False)
    try:
        return list_runs(conn, Filters(**filters))
    finally:
        conn.close()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The CLI in a child process (the test detectors stay out of this one)."""
    return subprocess.run(
        [sys.executable, "-m", "ava_detect.cli", *args], cwd=cwd, capture_output=True,
        text=True, timeout=300,
        env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT / 'tests'}", "PATH": "/usr/bin:/bin",
             "HOME": str(cwd)},
    )  # fmt: skip


def test_a_single_clip_is_recorded_with_what_it_found(tmp_path):
    clip = write_clip(tmp_path / "shot.mp4", bright_from_s=0.5, loud_from_s=0.3, seed=4)
    db = tmp_path / "h.sqlite"
    out = _cli(str(clip), "--out", "qa", "--history", str(db), "-q", "--platform", "Sora",
               "--prompt", "hands typing", "--generation-id", "gen_1", *TESTKIT, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    report = json.loads((tmp_path / "qa" / "shot.json").read_text())
    [run] = _runs(db)
    assert run["source"] == "clip" and run["verdict"] == "fail"
    assert run["clip_sha256"] == report["clip"]["sha256"]
    assert run["settings_digest"] == report["settings"]["digest"]
    assert (run["platform"], run["prompt"], run["generation_id"]) == ("Sora", "hands typing",
                                                                      "gen_1")
    assert run["first_failure_s"] == pytest.approx(0.3)
    assert run["checks"]["hands"] == {"status": "fail", "reason": None, "first_s": 0.5,
                                      "kinds": ["bright"]}  # fmt: skip
    assert run["checks"]["lipsync"]["first_s"] == pytest.approx(0.3)
    assert run["checks"]["identity"]["status"] == "skipped"
    assert Path(run["report_path"]) == (tmp_path / "qa" / "shot.json").resolve()
    assert Path(run["pack_path"]).is_file() and Path(run["evidence_image"]).is_file()
    assert oct(db.stat().st_mode & 0o777) == "0o600"  # prompts are private


def test_a_folder_run_with_two_workers_records_every_clip(tmp_path):
    folder = tmp_path / "renders"
    for i in range(6):
        write_clip(folder / f"c{i}.mp4", seed=10 + i, bright_from_s=0.4 if i % 2 else None)
    db = tmp_path / "h.sqlite"
    args = [str(folder), "--out", str(tmp_path / "qa"), "--workers", "2", "-q",
            "--history", str(db), *TESTKIT]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    runs = _runs(db)
    assert sorted(Path(r["clip_path"]).name for r in runs) == [f"c{i}.mp4" for i in range(6)]
    assert {r["source"] for r in runs} == {"folder"}
    assert [r["verdict"] for r in sorted(runs, key=lambda r: r["clip_path"])] == [
        "pass", "fail"] * 3
    # A re-run reuses the reports: nothing was analysed again, so nothing new is recorded.
    assert CliRunner().invoke(main, args).exit_code == 1
    assert len(_runs(db)) == 6


def _write_many(path: str, worker: int, n: int) -> None:
    recorder = HistoryRecorder(path, warn=lambda line: sys.exit(f"warned: {line}"))
    for i in range(n):
        data = fake_report(path=f"/w{worker}/clip{i}.mp4")
        assert recorder.record(data, report_path=None, pack_path=None, source="folder")
    recorder.close()


def test_concurrent_writers_lose_no_rows_and_never_lock_each_other_out(tmp_path):
    db = tmp_path / "h.sqlite"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(db), w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    runs = _runs(db)
    assert len(runs) == 160 and len({r["clip_path"] for r in runs}) == 160


def test_a_damaged_or_unwritable_history_never_stops_an_analysis(tmp_path):
    clip = write_clip(tmp_path / "shot.mp4", bright_from_s=0.5, seed=5)
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not an SQLite database\n" * 40)
    out = _cli(str(clip), "--out", "qa", "--history", str(damaged), "-q", *TESTKIT, cwd=tmp_path)
    assert out.returncode == 1
    assert "warning" in out.stderr and "damaged" in out.stderr and "Traceback" not in out.stderr
    assert (tmp_path / "qa" / "shot.json").is_file() and (tmp_path / "qa" / "shot.pdf").is_file()
    assert damaged.read_bytes().startswith(b"this is not")  # left as it was
    blocked = tmp_path / "a_file"
    blocked.write_text("x")
    out = _cli(str(clip), "--out", "qa2", "--history", str(blocked / "h.sqlite"), "-q", *TESTKIT,
               cwd=tmp_path)  # fmt: skip
    assert out.returncode == 1 and out.stderr.count("warning") == 1
    assert (tmp_path / "qa2" / "shot.json").is_file()


def test_no_history_writes_nothing(tmp_path):
    clip = write_clip(tmp_path / "shot.mp4", seed=6)
    db = tmp_path / "h.sqlite"
    out = _cli(str(clip), "--out", "qa", "--history", str(db), "--no-history", "-q", *TESTKIT,
               cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert not db.exists()


def test_migrations_bring_an_older_schema_forward_and_refuse_a_newer_one(tmp_path):
    db = tmp_path / "h.sqlite"
    conn = connect(db)
    assert schema_version(conn) == len(MIGRATIONS)
    HistoryRecorder(db, warn=print).record(fake_report(), report_path=None, pack_path=None,
                                           source="clip")  # fmt: skip
    step = "ALTER TABLE runs ADD COLUMN note TEXT; UPDATE runs SET note = 'kept'"
    assert migrate(conn, (*MIGRATIONS, step)) == len(MIGRATIONS) + 1
    assert conn.execute("SELECT note FROM runs").fetchall() == [("kept",)]
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    warnings: list[str] = []
    recorder = HistoryRecorder(db, warn=warnings.append)
    assert recorder.record(fake_report(), report_path=None, pack_path=None, source="clip") is None
    assert len(warnings) == 1 and "newer ava-detect" in warnings[0]
    assert sqlite3.connect(db).execute("SELECT count(*) FROM runs").fetchone() == (1,)


@pytest.fixture
def filled(tmp_path) -> Path:
    db = tmp_path / "h.sqlite"
    recorder = HistoryRecorder(db, warn=pytest.fail)
    for i, (day, platform, prompt, statuses, findings) in enumerate([
        ("01", "Sora", "hands typing, close-up", {"hands": "fail", "lipsync": "pass"},
         [("hands", "palm_flip", 1.2)]),
        ("02", "sora", "a quiet beach", {"hands": "skipped", "lipsync": "skipped"}, []),
        ("03", "Runway", "man speaking to camera", {"hands": "pass", "lipsync": "fail"},
         [("lipsync", "av_offset", 0.0)]),
        ("04", None, None, {"hands": "pass", "lipsync": "pass"}, []),
    ]):  # fmt: skip
        data = fake_report(created_at=f"2026-12-{day}T09:00:00+00:00", platform=platform,
                           prompt=prompt, statuses=statuses, findings=findings,
                           path=f"/r/clip{i}.mp4")  # fmt: skip
        recorder.record(data, report_path=None, pack_path=None, source="clip")
    return db


def test_history_lists_newest_first_and_filters(filled):
    names = lambda **f: [Path(r["clip_path"]).stem for r in _runs(filled, **f)]  # noqa: E731
    assert names() == ["clip3", "clip2", "clip1", "clip0"]
    assert names(platform="SORA") == ["clip1", "clip0"]
    assert names(mode="hands") == ["clip3", "clip2", "clip0"]
    assert names(mode="hands", verdict="fail") == ["clip0"]
    assert names(verdict="fail") == ["clip2", "clip0"]
    assert names(since="2026-12-02", until="2026-12-03") == ["clip2", "clip1"]
    assert names(text="SPEAKING") == ["clip2"]
    assert names(limit=1) == ["clip3"]


def test_history_command_table_json_and_csv(filled, tmp_path):
    run = CliRunner().invoke
    table = run(main, ["history", "--history", str(filled), "--platform", "sora"])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split()[:3] == ["analysed", "(UTC)", "platform"]
    assert "fail 1.20s" in lines[2] and "hands typing" in lines[2] and "clip0" not in lines[1]
    data = json.loads(run(main, ["history", "--history", str(filled), "--json", "-",
                                 "--mode", "lipsync", "--verdict", "fail"]).output)  # fmt: skip
    assert [r["checks"]["lipsync"]["kinds"] for r in data["runs"]] == [["av_offset"]]
    out = tmp_path / "runs.csv"
    assert run(main, ["history", "--history", str(filled), "--csv", str(out)]).exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 and rows[-1]["hands_status"] == "fail"
    assert rows[-1]["hands_first_s"] == "1.2" and rows[-1]["hands_kinds"] == "palm_flip"
    bad = run(main, ["history", "--history", str(filled), "--since", "last week"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_history_and_dashboard_on_a_damaged_database(tmp_path):
    damaged = tmp_path / "h.sqlite"
    damaged.write_bytes(b"\x00garbage" * 512)
    for args in (["history"], ["dashboard", "--out", str(tmp_path / "d.html")]):
        result = CliRunner().invoke(main, [*args, "--history", str(damaged)])
        assert result.exit_code == 2
        assert "damaged" in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "d.html").exists()
    empty = CliRunner().invoke(main, ["history", "--history", str(tmp_path / "none.sqlite")])
    assert empty.exit_code == 0 and "No analyses recorded yet" in empty.output


def test_preflight_learns_from_the_history(tmp_path):
    db = tmp_path / "h.sqlite"
    recorder = HistoryRecorder(db, warn=pytest.fail)
    for i in range(12):
        data = fake_report(prompt="close-up of hands knitting a scarf",
                           statuses={"hands": "fail" if i < 7 else "pass"},
                           path=f"/r/k{i}.mp4")  # fmt: skip
        recorder.record(data, report_path=None, pack_path=None, source="clip")
    result = CliRunner().invoke(main, ["preflight", "Hands typing on a typewriter, close-up",
                                       "--platform", "Sora", "--history", str(db), "--json", "-"])
    hands = json.loads(result.output)["modes"]["hands"]["history"]
    assert (hands["clips"], hands["failed"], hands["enough"]) == (12, 7, True)
    assert "your 12 Sora clips with" in hands["sentence"] and "7 times" in hands["sentence"]
    text = CliRunner().invoke(main, ["preflight", "Hands typing", "--platform", "Runway",
                                     "--history", str(db)]).output  # fmt: skip
    assert "none of your Runway clips" in text
