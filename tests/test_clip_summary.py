"""The terminal summary: statuses, technical term, first failure, kinds printed literally."""

from __future__ import annotations

from pathlib import Path

from ava_detect.console.clip_summary import print_clip_summary
from ava_detect.output.paths import OutputPaths
from ava_detect.report import CheckResult, Finding, Report


def test_summary_names_the_failure_time_and_kinds(tmp_path, capsys):
    finding = Finding(mode="hands", kind="palm_flip", first_s=0.7333, start_s=0.7333, end_s=0.8,
                      confidence=0.9, description="left hand's palm/back sign flips [track 1]")
    report = Report(
        tool_version="0", created_at="now",
        clip={"file_name": "shot[1].mp4", "duration_s": 2.4, "fps": 30.0, "width": 576,
              "height": 1024, "codec": "h264", "has_audio": False},
        checks={"hands": CheckResult("fail", findings=[finding]),
                "identity": CheckResult("pass"),
                "lipsync": CheckResult("skipped", reason="the clip has no audio stream [none]",
                                       details={"lag_ms": None})},
    )
    print_clip_summary(report, OutputPaths(folder=Path(tmp_path), stem="shot"))
    out = capsys.readouterr().out
    assert "shot[1].mp4  FAIL" in out
    assert "Hand-Anatomy Topology Failure — first at 0.733 s (0:00.733)  [palm_flip]" in out
    assert "(the clip has no audio stream [none])" in out
    assert "sign flips [track 1]" in out
