"""``ava-detect dashboard``: the figures, a self-contained page, and the page in headless
Chromium (Debian's ``chromium``; skipped with the reason when it is not installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from test_history import fake_report

from ava_detect.cli import main
from ava_detect.history.dashboard import dashboard_data
from ava_detect.history.recorder import HistoryRecorder

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--enable-logging=stderr", "--v=0"]  # fmt: skip

CASES = [  # day, platform, prompt, statuses, findings (mode, kind, first_s)
    ("01", "Sora", "hands typing, close-up", {"hands": "fail", "lipsync": "pass"},
     [("hands", "palm_flip", 1.2)]),
    ("01", "Sora", "a quiet beach", {"hands": "pass", "lipsync": "skipped"}, []),
    ("02", "Runway", "man speaking to camera", {"hands": "pass", "lipsync": "fail"},
     [("lipsync", "av_offset", 0.0)]),
    ("03", "Runway", "a chef chopping onions", {"hands": "fail", "lipsync": "pass"},
     [("hands", "palm_flip", 2.6), ("hands", "shape_jump", 3.1)]),
    ("03", "Sora", "close-up, woman turning her head", {"hands": "skipped", "identity": "fail"},
     [("identity", "identity_switch", 2.0)]),
]  # fmt: skip


@pytest.fixture
def history(tmp_path) -> Path:
    """A history of five clips over three days; each failure has an evidence frame on disk."""
    db = tmp_path / "h.sqlite"
    recorder = HistoryRecorder(db, warn=pytest.fail)
    for i, (day, platform, prompt, statuses, findings) in enumerate(CASES):
        data = fake_report(created_at=f"2026-12-{day}T09:0{i}:00+00:00", platform=platform,
                           prompt=prompt, statuses=statuses, findings=findings,
                           path=f"/renders/clip{i}.mp4")  # fmt: skip
        if findings:
            frame = np.full((360, 640, 3), (40 * i, 90, 200), np.uint8)
            cv2.putText(frame, f"clip{i}", (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 3, (255,) * 3, 6)
            cv2.imwrite(str(tmp_path / f"clip{i}.jpg"), frame)
            data["findings"][0]["evidence"] = [{"t_s": findings[0][2], "image": f"clip{i}.jpg"}]
            (tmp_path / f"clip{i}.pdf").write_bytes(b"%PDF-1.4\n")
        recorder.record(data, report_path=tmp_path / f"clip{i}.json",
                        pack_path=(tmp_path / f"clip{i}.pdf") if findings else None,
                        source="clip")  # fmt: skip
    recorder.close()
    return db


def _runs(db: Path) -> tuple[list, list]:
    from ava_detect.history.query import kind_counts, list_runs
    from ava_detect.history.store import connect

    conn = connect(db, write=False)
    try:
        return list_runs(conn), kind_counts(conn)
    finally:
        conn.close()


def test_dashboard_figures(history):
    data = dashboard_data(*_runs(history))
    assert data["buckets"] == ["2026-12-01", "2026-12-02", "2026-12-03"]
    assert data["platform_rates"] == {"Runway": [None, (1, 1), (1, 1)],
                                      "Sora": [(1, 2), None, (1, 1)]}  # fmt: skip
    assert data["mode_rates"]["hands"] == [(1, 2), (0, 1), (1, 1)]
    assert data["mode_rates"]["identity"] == [None, None, (1, 1)]
    assert data["kinds"][0] == ("hands", "palm_flip", 2)
    assert sorted(data["first_failure_s"]["hands"]) == [1.2, 2.6]
    assert [r["prompt"] for r in data["recent_failures"]] == [
        "close-up, woman turning her head", "a chef chopping onions", "man speaking to camera",
        "hands typing, close-up"]  # fmt: skip


def test_dashboard_page_is_self_contained(history, tmp_path):
    out = tmp_path / "d.html"
    result = CliRunner().invoke(main, ["dashboard", "--history", str(history), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    # Nothing to fetch: no http(s) source, stylesheet or script (the SVG namespace is a name).
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert html.count("data:image/jpeg;base64,") == 4  # one thumbnail per failed clip
    assert html.count('href="file://') == 8  # pack and report of each failure
    assert "Recent failures (4 of 4)" in html


@pytest.mark.slow
def test_dashboard_renders_in_headless_chromium(history, tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); .ci/run "
                    "installs it")
    out = tmp_path / "d.html"
    assert CliRunner().invoke(main, ["dashboard", "--history", str(history),
                                     "--out", str(out)]).exit_code == 0  # fmt: skip

    def chromium(*args: str, page: Path) -> subprocess.CompletedProcess:
        profile = tmp_path / f"profile{len(list(tmp_path.glob('profile*')))}"
        return subprocess.run(
            [CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )  # fmt: skip

    # The console check can see errors: a page that throws shows up in the same log.
    probe = tmp_path / "probe.html"
    probe.write_text("<html><body><script>throw new Error('probe-throw')</script></body></html>")
    assert "Uncaught Error: probe-throw" in chromium("--dump-dom", page=probe).stderr

    dom = chromium("--dump-dom", page=out)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    marks = re.search(r'data-chart-marks="([\d,]+)"', dom.stdout)
    assert marks, "the page's script did not run"
    counts = [int(n) for n in marks.group(1).split(",")]
    # platform lines (4 points), check lines (hands 3, identity 1, lipsync 3), kinds (4 bars),
    # one histogram per failed check (hands 2 bins, identity 1, lipsync 1)
    assert counts == [4, 7, 4, 2, 1, 1], counts
    shot = tmp_path / "dashboard.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,1600", page=out)
    assert shot.is_file() and shot.stat().st_size > 20_000
    keep = os.environ.get("AVA_DASHBOARD_SHOT")  # to look at it: AVA_DASHBOARD_SHOT=/tmp/d.png
    if keep:
        shutil.copy(shot, keep)
