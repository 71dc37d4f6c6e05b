"""Batch runs over generated folders: summary rows, exit codes, isolation of bad clips, resume.

The clips' verdicts are known because the batch workers load the test detectors of
``batch_testkit`` (bright frames fail ``hands``, loud audio fails ``lipsync``); this process never
imports that module, so other tests keep the real detectors.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pypdf
import pytest
from batch_clips import write_clip

from ava_detect.batch import run_batch
from ava_detect.batch.summary import exit_code
from ava_detect.errors import ExitCode, InputError, OutputError
from ava_detect.report.json import contract_errors
from ava_detect.settings import Settings

SETTINGS = Settings(checks=("hands", "lipsync"), plugins=("batch_testkit",))


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> Path:
    """clean, two failing, one corrupt, a text file, same-name clips in two folders, no audio."""
    root = tmp_path_factory.mktemp("renders")
    write_clip(root / "clean.mp4", seed=0)
    write_clip(root / "bright.mp4", bright_from_s=0.5, seed=1)
    write_clip(root / "loud.mp4", loud_from_s=0.4, seed=2)
    write_clip(root / "a" / "shot.mp4", seed=3)
    write_clip(root / "b" / "shot.mp4", bright_from_s=0.3, seed=4)
    write_clip(root / "silent" / "noaudio.mp4", audio=False, seed=5)
    data = (root / "clean.mp4").read_bytes()
    (root / "corrupt.mp4").write_bytes(data[: len(data) // 3])
    (root / "notes.txt").write_text("shot list, not a video\n")
    return root


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def _rows(out: Path) -> dict[str, dict]:
    return {row["path"]: row for row in _summary(out)["clips"]}


def test_batch_summary_rows_exit_code_and_resume(renders, tmp_path):
    out = tmp_path / "out"
    result = run_batch(renders, out, SETTINGS, quiet=True, workers=2)
    # the corrupt clip could not be analysed, and 2 wins over failures
    assert result.exit_code is ExitCode.CANNOT_ANALYSE

    summary = _summary(out)
    rows = _rows(out)
    order = [r["path"] for r in summary["clips"]]
    assert order == [
        "a/shot.mp4",
        "b/shot.mp4",
        "bright.mp4",
        "clean.mp4",
        "corrupt.mp4",
        "loud.mp4",
        "silent/noaudio.mp4",
    ]
    assert summary["not_videos"] == ["notes.txt"]
    assert summary["complete"] and summary["exit_code"] == 2
    assert result.rows == summary["clips"] and result.counts == summary["counts"]
    assert result.counts["error"] == 1 and result.counts["fail"] == 3

    assert rows["clean.mp4"]["verdict"] == "pass"
    assert rows["bright.mp4"]["verdict"] == "fail"
    assert rows["bright.mp4"]["worst_severity"] == "critical"
    assert rows["bright.mp4"]["hands_first_s"] == pytest.approx(0.5)
    assert rows["b/shot.mp4"]["hands_first_s"] == pytest.approx(0.3)
    assert rows["a/shot.mp4"]["verdict"] == "pass"
    assert rows["loud.mp4"]["worst_severity"] == "major"
    assert rows["loud.mp4"]["lipsync_first_s"] == pytest.approx(0.4, abs=0.11)
    assert rows["loud.mp4"]["hands_status"] == "pass"
    assert rows["silent/noaudio.mp4"]["lipsync_status"] == "skipped"
    assert rows["silent/noaudio.mp4"]["verdict"] == "pass"
    corrupt = rows["corrupt.mp4"]
    assert corrupt["verdict"] == "error" and "corrupt.mp4" in corrupt["error"]
    assert corrupt["sha256"] and corrupt["report"] is None
    for path, row in rows.items():
        assert row["duration_s"] == (None if path == "corrupt.mp4" else pytest.approx(1.0))
        assert (row["error"] is None) == (path != "corrupt.mp4")

    # Same names in different folders: two reports, each about its own clip.
    for sub in ("a", "b"):
        report = json.loads((out / sub / "shot.json").read_text())
        assert report["clip"]["path"] == str(renders / sub / "shot.mp4")
        # identity was not selected, so it is absent from the report (the contract lists all three)
        assert contract_errors(report) == []
    assert rows["a/shot.mp4"]["sha256"] != rows["b/shot.mp4"]["sha256"]

    with open(out / "summary.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["path"] for r in table] == order
    assert [r["verdict"] for r in table] == [rows[p]["verdict"] for p in order]
    assert table[order.index("bright.mp4")]["hands_first_s"] == "0.5"

    # The summary PDF lists failures first, each clip linked to its report.
    pdf = pypdf.PdfReader(out / "summary.pdf")
    text = pdf.pages[0].extract_text()
    positions = [text.index(name) for name in ("b/shot.mp4", "loud.mp4", "corrupt.mp4")]
    assert positions == sorted(positions) and text.index("loud.mp4") < text.index("clean.mp4")
    links = [a.get_object()["/A"] for a in pdf.pages[0]["/Annots"]]
    # each clip links to its evidence pack when one was written, else to its JSON report
    assert {link.get("/URI") or link.get("/F") for link in links} == {
        r["pdf"] or r["report"] for r in rows.values() if r["report"]
    }
    assert all(r["pdf"] for r in rows.values() if r["report"])

    # A second run reuses every report (same bytes, same settings) and rewrites none of them.
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.json") if p.name != "summary.json"}
    again_result = run_batch(renders, out, SETTINGS, quiet=True, workers=2)
    assert again_result.exit_code == 2
    again = _rows(out)
    assert all(again[p]["resumed"] for p in again if p != "corrupt.mp4")
    assert again["corrupt.mp4"]["verdict"] == "error"  # errors are retried, and fail again
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert [again[p]["verdict"] for p in order] == [rows[p]["verdict"] for p in order]

    # Other settings, or --force: analysed again.
    other = SETTINGS.with_overrides({"analysis_max_side": 640})
    run_batch(renders, out, other, quiet=True, workers=2)
    assert not any(r["resumed"] for r in _rows(out).values())
    run_batch(renders, out, other, quiet=True, workers=1, force=True)
    assert not any(r["resumed"] for r in _rows(out).values())


def test_fail_on_severity_gate(renders, tmp_path):
    rows = list(_rows_after_run(renders, tmp_path).values())
    analysed = [r for r in rows if r["verdict"] != "error"]
    major_only = [r for r in analysed if r["path"] in ("loud.mp4", "clean.mp4")]
    assert exit_code(analysed, "critical") == 1
    assert exit_code(major_only, "critical") == 0
    assert exit_code(major_only, "major") == 1
    assert exit_code(major_only, "minor") == 1
    assert exit_code([r for r in analysed if r["verdict"] == "pass"], "minor") == 0


def _rows_after_run(renders: Path, tmp_path: Path) -> dict[str, dict]:
    out = tmp_path / "gate"
    run_batch(renders, out, SETTINGS, quiet=True, workers=1)
    return _rows(out)


def test_hang_and_crash_are_error_rows_and_the_batch_carries_on(tmp_path):
    folder = tmp_path / "renders"
    write_clip(folder / "1_hang.mp4", seed=1)
    write_clip(folder / "2_crash.mp4", seed=2)
    write_clip(folder / "3_ok.mp4", seed=3)
    write_clip(folder / "4_bright.mp4", bright_from_s=0.2, seed=4)
    out = tmp_path / "out"
    result = run_batch(
        folder,
        out,
        SETTINGS,
        quiet=True,
        workers=2,
        timeout_per_clip=6,
    )
    rows = _rows(out)
    assert result.exit_code == 2
    assert "longer than --timeout-per-clip 6 s" in rows["1_hang.mp4"]["error"]
    assert "crashed" in rows["2_crash.mp4"]["error"]
    assert "SIGSEGV" in rows["2_crash.mp4"]["error"]
    assert rows["3_ok.mp4"]["verdict"] == "pass"
    assert rows["4_bright.mp4"]["hands_first_s"] == pytest.approx(0.2)


def test_folder_errors(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        run_batch(tmp_path / "missing", tmp_path / "out", SETTINGS, quiet=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "readme.txt").write_text("hello")
    with pytest.raises(InputError, match="no video files found"):
        run_batch(tmp_path / "docs", tmp_path / "out", SETTINGS, quiet=True)
    out = tmp_path / "taken"
    out.mkdir()
    (out / "summary.json").write_text('{"mine": true}')
    with pytest.raises(OutputError, match="left untouched"):
        run_batch(tmp_path / "docs", out, SETTINGS, quiet=True)
    assert (out / "summary.json").read_text() == '{"mine": true}'


def test_find_clips_by_content_in_stable_order(tmp_path):
    import cv2
    import numpy as np

    from ava_detect.batch.plan import find_clips, plan_jobs

    folder = tmp_path / "renders"
    write_clip(folder / "B" / "shot.mp4", seconds=0.3)
    write_clip(folder / "B" / "shot.mov", seconds=0.3, seed=1)  # same stem, same folder
    write_clip(folder / "summary.mp4", seconds=0.3, seed=2)  # would clash with summary.json
    (folder / "render_0001").write_bytes((folder / "B" / "shot.mp4").read_bytes())  # no suffix
    write_clip(folder / ".hidden" / "x.mp4", seconds=0.3)
    (folder / "._shot.mp4").write_bytes(b"\x00\x05\x16\x07 resource fork")
    (folder / "fake.mp4").write_text("this is text named like a video")
    cv2.imwrite(str(folder / "still.png"), np.zeros((16, 16, 3), np.uint8))
    (folder / "notes.nfo").write_text("text that ffmpeg's tty demuxer would open")
    out = folder / "qa"  # the output folder inside the scanned folder is never scanned
    write_clip(out / "old.mp4", seconds=0.3)

    found = find_clips(folder, exclude=out)
    rel = [p.relative_to(folder).as_posix() for p in found.clips]
    assert rel == ["B/shot.mov", "B/shot.mp4", "fake.mp4", "render_0001", "summary.mp4"]
    assert sorted(p.name for p in found.not_videos) == ["notes.nfo", "still.png"]

    jobs = plan_jobs(found.clips, folder, tmp_path / "out")
    names = {j.rel: j.paths.json.relative_to(tmp_path / "out").as_posix() for j in jobs}
    assert names == {
        "B/shot.mov": "B/shot_mov.json",
        "B/shot.mp4": "B/shot_mp4.json",
        "fake.mp4": "fake.json",
        "render_0001": "render_0001.json",
        "summary.mp4": "summary_mp4.json",
    }


def test_worker_import_failure_is_one_clear_error(renders, tmp_path):
    from ava_detect.errors import ConfigError

    with pytest.raises(ConfigError, match="no_such_module_for_ava"):
        run_batch(
            renders,
            tmp_path / "out",
            Settings(checks=("hands", "lipsync"), plugins=("no_such_module_for_ava",)),
            quiet=True,
            workers=1,
        )


def test_cli_help_documents_folder_options():
    from click.testing import CliRunner

    from ava_detect.cli import main

    text = CliRunner().invoke(main, ["--help"]).output
    for option in ("--workers N", "--timeout-per-clip SECONDS", "--force", "--fail-on"):
        assert option in text
    bad = CliRunner().invoke(main, [".", "--fail-on", "sometimes"])
    assert bad.exit_code == 2 and "sometimes" in bad.output


def test_exit_codes_are_the_documented_ones():
    from ava_detect.errors import AvaError

    assert [int(c) for c in ExitCode] == [0, 1, 2, 130, 143]
    assert (ExitCode.OK, ExitCode.FAILURE_FOUND, ExitCode.CANNOT_ANALYSE) == (0, 1, 2)
    assert ExitCode.INTERRUPTED == 130
    assert InputError("x").exit_code is AvaError.exit_code is ExitCode.CANNOT_ANALYSE


def test_batch_result_matches_the_cli_and_an_upgrade_is_reanalysed(tmp_path):
    from click.testing import CliRunner

    from ava_detect import __version__
    from ava_detect.batch import BatchResult
    from ava_detect.cli import main

    folder = tmp_path / "renders"
    write_clip(folder / "clean.mp4", seconds=0.5, seed=6)
    write_clip(folder / "bright.mp4", seconds=0.5, bright_from_s=0.2, seed=7)
    out = tmp_path / "out"
    result = run_batch(folder, out, SETTINGS, quiet=True, workers=1)
    assert isinstance(result, BatchResult)
    assert result.exit_code is ExitCode.FAILURE_FOUND
    assert result.counts["fail"] == 1 and result.counts["pass"] == 1
    assert [r["path"] for r in result.rows] == ["bright.mp4", "clean.mp4"]
    assert result.written == [out / "summary.csv", out / "summary.json", out / "summary.pdf"]

    # The command on the same folder (fresh --out) exits with the same code.
    args = [str(folder), "--out", str(tmp_path / "cli"), "--checks", "hands,lipsync", "-q"]
    cli = CliRunner().invoke(main, [*args, "--workers", "1", "--set", "plugins=batch_testkit"])
    assert cli.exit_code == result.exit_code, cli.output

    # A report written by another version of ava-detect is not reused: it is analysed again.
    report_path = out / "clean.json"
    data = json.loads(report_path.read_text())
    assert data["tool"]["version"] == __version__
    data["tool"]["version"] = "0.0.1-older"
    report_path.write_text(json.dumps(data))
    again = run_batch(folder, out, SETTINGS, quiet=True, workers=1)
    resumed = {r["path"]: r["resumed"] for r in again.rows}
    assert resumed == {"bright.mp4": True, "clean.mp4": False}
    assert json.loads(report_path.read_text())["tool"]["version"] == __version__
    assert again.exit_code is ExitCode.FAILURE_FOUND


def test_reusable_report_needs_the_same_tool_version(tmp_path):
    from ava_detect import __version__
    from ava_detect.batch.plan import plan_jobs, reusable_report
    from ava_detect.media import sha256_of

    folder = tmp_path / "renders"
    clip = write_clip(folder / "shot.mp4", seconds=0.3)
    (job,) = plan_jobs([clip], folder, tmp_path / "out")
    job.paths.folder.mkdir(parents=True)
    digest = SETTINGS.digest()

    def write(version: str) -> None:
        report = {
            "tool": {"name": "ava-detect", "version": version},
            "clip": {"sha256": sha256_of(clip)},
            "settings": {"digest": digest},
        }
        job.paths.json.write_text(json.dumps(report))

    write(__version__)
    assert reusable_report(job, digest) is not None
    assert reusable_report(job, "another-digest") is None
    write("0.0.1-older")
    assert reusable_report(job, digest) is None
    assert reusable_report(job, digest, version="0.0.1-older") is not None
