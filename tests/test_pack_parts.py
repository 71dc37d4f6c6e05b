"""The pack's pure parts: plot data, wording, ticket lines; and the CLI writing a pack."""

from __future__ import annotations

import math

import numpy as np
from click.testing import CliRunner
from pack_samples import make_index_clip
from pypdf import PdfReader

from ava_detect.catalog import FAILURE_MODES, KIND_WORDING, kind_wording, tolerance_text
from ava_detect.report import CheckResult, Evidence, Finding
from ava_detect.report.facts import fmt_number, measured_rows, quantity_name, span_text
from ava_detect.report.plotdata import nice_ticks, plots_for, runs, tick_text
from ava_detect.report.ticket import finding_sentence
from ava_detect.report.timefmt import both, clock


def _finding(**kw) -> Finding:
    base = dict(
        mode="hands",
        kind="palm_flip",
        first_s=2.04,
        start_s=2.04,
        end_s=2.36,
        confidence=0.8,
        description="the right hand's palm/back sign flips",
    )
    return Finding(**(base | kw))


def _signal(values, **kw) -> dict:
    t = np.arange(len(values)) * 0.04
    return {"label": "x", "unit": "u", "t_s": t.tolist(), "values": list(values)} | kw


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0, 4.0, 10) == [0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
    assert nice_ticks(-0.7, 0.7, 4) == [-0.5, 0.0, 0.5]
    ticks = nice_ticks(0.17, 0.83, 4)
    assert ticks == [0.2, 0.4, 0.6, 0.8]
    assert [tick_text(v, ticks) for v in ticks] == ["0.2", "0.4", "0.6", "0.8"]
    assert [tick_text(v, [0, 0.25]) for v in (0, 0.25)] == ["0.00", "0.25"]
    assert tick_text(200.0, [0, 200]) == "200"


def test_runs_split_at_nan_and_steps_hold_values():
    t = np.arange(6.0)
    v = np.array([1, 2, np.nan, 4, 5, 6.0])
    parts = runs(t, v, step=False)
    assert [p[:, 0].tolist() for p in parts] == [[0, 1], [3, 4, 5]]
    (step,) = runs(t[3:], v[3:], step=True)
    assert step.tolist() == [[3, 4], [4, 4], [4, 5], [5, 5], [5, 6]]


def test_plots_follow_kinds_track_and_group():
    finding = _finding(track=1)
    check = CheckResult(
        "fail",
        findings=[finding],
        details={
            "signals": {
                "palm": _signal([0.5, -0.5, 0.5], kinds=["palm_flip"], threshold=[0.13, -0.13]),
                "shape": _signal([1, 2, 3], kinds=["shape_jump"]),
                "other_hand": _signal([1, 1, 1], track=0),
                "mouth": _signal([0, 1, 0], group="av", unit="ratio"),
                "audio": _signal([0, 30, 60], group="av", unit="dB"),
            }
        },
    )
    plots, left_out = plots_for(check, finding, duration_s=4.0)
    assert [p.title for p in plots] == ["x", "x and x"] and left_out == 0
    palm, av = plots
    assert palm.span == (2.04, 2.36) and palm.first_s == 2.04 and palm.x_range == (0.0, 4.0)
    assert palm.series[0].thresholds == [0.13, -0.13]
    assert av.scaled and av.series[1].values.tolist() == [0, 0.5, 1]


def test_plots_without_signals_or_with_bad_ones_are_empty():
    bad = {"signals": {"a": {"t_s": [0, 1], "values": [1]}, "b": "nope"}}
    assert plots_for(CheckResult("pass", details=bad), None, 2.0) == ([], 0)
    assert plots_for(CheckResult("pass"), None, 2.0) == ([], 0)


def test_plots_are_ranked_by_what_belongs_to_the_finding_and_limited():
    """Declared track first, then a label naming the track, then the detector's order."""
    t = np.arange(100) * 0.04
    first = {"label": "first", "unit": "u", "t_s": t.tolist(), "values": [0.1] * 100,
             "threshold": 0.5}  # fmt: skip
    second = dict(first, label="second", values=[0.1] * 51 + [0.9] * 49)
    own = dict(first, label="own track", track=3)
    named = dict(first, label="speed (track 3)")
    signals = {"a": first, "b": second, "c": own, "d": named}
    check = CheckResult("fail", details={"signals": signals})
    plots, left_out = plots_for(check, _finding(track=3), 4.0, limit=3)
    assert [p.title for p in plots] == ["own track", "speed (track 3)", "first"]
    assert left_out == 1
    plots, _ = plots_for(check, _finding(track=None), 4.0, limit=2)
    assert [p.title for p in plots] == ["first", "second"]


def test_wording_for_people():
    assert quantity_name("lag_ms") == "lag (ms)"
    assert quantity_name("palm_width_px") == "palm width (px)"
    assert fmt_number(0.123456) == "0.123" and fmt_number(236.0) == "236"
    assert fmt_number(float("nan")) == "not measured" and fmt_number(7) == "7"
    f = _finding(measured={"lag_ms": 236.0, "psr": 6.1}, threshold={"lag_ms": 90.0, "min": 1})
    assert measured_rows(f) == [
        ("lag (ms)", "236", "90"),
        ("peak-to-sidelobe ratio (confidence)", "6.1", "\u2014"),
        ("min", "\u2014", "1"),
    ]
    g = _finding(measured={"reference_s": 0.8})
    assert measured_rows(g) == [("reference (s)", "0.800 s (0:00.800)", "\u2014")]
    assert span_text(f) == "2.040 s \u2013 2.360 s (0:02.040 \u2013 0:02.360), 0.320 s long"
    assert kind_wording("palm_flip") == KIND_WORDING["palm_flip"]
    assert kind_wording("brand_new_kind") == "brand new kind"
    assert "+90 ms" in tolerance_text("itu_bt1359_acceptability")
    assert "-185 ms" in tolerance_text("itu_bt1359_acceptability")


def test_every_mode_has_the_words_the_pack_needs():
    for mode in FAILURE_MODES.values():
        assert mode.plain_name and mode.ticket_sentence and mode.method and mode.limits


def test_times_both_forms_and_nan():
    assert both(1.24) == "1.240 s (0:01.240)"
    assert clock(75.5) == "1:15.500"
    assert both(math.nan) == "not measured"


def test_finding_sentence_names_term_kind_and_times():
    text = finding_sentence(_finding(evidence=[Evidence(t_s=2.04)]))
    assert text.startswith("Hand-Anatomy Topology Failure (palm/back flip), first visible at ")
    assert "2.040 s (0:02.040) until 2.360 s (0:02.360)" in text


def test_cli_writes_json_and_pdf_for_a_clip(tmp_path):
    """With no detector able to fail, the CLI still writes the PDF (an analysis record)."""
    from ava_detect.cli import main

    clip = make_index_clip(tmp_path / "tiny.mp4", seconds=1.0, size=(160, 96))
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main, [str(clip), "--out", str(out), "--checks", "lipsync", "--generation-id", "g1", "-q"]
    )
    assert result.exit_code in (0, 1), result.output
    assert (out / "tiny.json").is_file() and (out / "tiny.pdf").is_file()
    cover = " ".join(PdfReader(out / "tiny.pdf").pages[0].extract_text().split())
    assert "g1" in cover and "tiny.mp4" in cover
