"""The evidence pack reads well: whole words in narrow columns, headings with what they head,
threshold bands drawn as bands, titles that say what a table holds, README true to the files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pack_samples import clean_report, make_index_clip
from pypdf import PdfReader
from reportlab.graphics.shapes import Line, Rect

from ava_detect.output.evidence import FILE_PATTERN
from ava_detect.report import CheckResult, Finding
from ava_detect.report.model import Evidence
from ava_detect.report.pdf import pdf_bytes
from ava_detect.report.pdf.batch_summary import write_summary_pdf
from ava_detect.report.pdf.finding import _measured_block
from ava_detect.report.pdf.plot import plot
from ava_detect.report.pdf.theme import styles
from ava_detect.report.plotdata import plots_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_index_clip(tmp_path_factory.mktemp("clip") / "shot.mp4", seconds=2.0)


def _pages(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    return [page.extract_text() for page in PdfReader(path).pages]


def test_inconclusive_is_one_word_on_the_cover(clip, tmp_path):
    report = clean_report(clip)
    report.checks["lipsync"] = CheckResult("inconclusive", reason="too little speech",
                                           details={"lag_ms": None, "confidence": None})
    cover = _pages(pdf_bytes(report, tmp_path, stem="shot"), tmp_path)[0]
    for word in ("INCONCLUSIVE", "Severity", "Confidence", "First failure", "m:ss.mmm"):
        assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", cover), (word, cover[:600])


def test_inconclusive_is_one_word_in_the_batch_summary(tmp_path):
    row = {"path": "a/very/long/folder/name/clip_0001.mp4", "verdict": "inconclusive",
           "worst_severity": None, "hands_status": "inconclusive", "identity_status": "pass",
           "lipsync_status": "inconclusive", "first_failure_s": None, "error": None,
           "report": None, "pdf": None}
    from ava_detect.batch.summary import summary_dict

    summary = summary_dict([row], folder=tmp_path, out_dir=tmp_path, settings_digest="0" * 16,
                           fail_on="minor", not_videos=[], complete=True)
    path = write_summary_pdf(tmp_path / "summary.pdf", summary, [row])
    text = PdfReader(path).pages[0].extract_text()
    assert len(re.findall(r"\binconclusive\b", text)) >= 3, text


def test_the_measurement_heading_is_kept_with_its_first_plot(clip, tmp_path):
    pages = _pages(pdf_bytes(clean_report(clip), tmp_path, stem="shot"), tmp_path)
    for text in pages:
        lines = [line for line in text.splitlines() if line.strip()]
        # a heading is never the last thing on a page (before the footer)
        body = [line for line in lines if not line.startswith("ava-detect ")]
        assert not body or body[-1].strip() != "Measurements across the clip"
    heading = next(i for i, t in enumerate(pages) if "Measurements across the clip" in t)
    assert "Identity distance to the reference face" in pages[heading]


def test_a_threshold_band_is_shaded_not_dashed(clip):
    t = [i / 25 for i in range(50)]
    facing = [0.5 - i / 50 for i in range(50)]
    check = CheckResult("pass", details={"signals": {"palm": {
        "label": "palm (+) / back (-) facing", "unit": "ratio", "t_s": t, "values": facing,
        "threshold": 0.13, "threshold_label": "edge-on band", "band": True}}})
    spec = plots_for(check, None, 2.0)[0][0]
    drawing = plot(spec)
    dashed = [s for s in drawing.contents if isinstance(s, Line) and s.strokeDashArray]
    shaded = [s for s in drawing.contents if isinstance(s, Rect) and s.fillColor is not None
              and getattr(s.fillColor, "alpha", 1) < 1]
    assert not dashed and len(shaded) == 1
    axis = spec.y_range
    assert axis[0] <= -0.13 and axis[1] >= 0.13  # the band's two edges are in the plot


def test_a_table_without_thresholds_is_not_titled_against_the_threshold():
    s = styles()
    finding = Finding(mode="identity", kind="identity_switch", first_s=1.0, start_s=1.0,
                      end_s=2.0, confidence=0.9, description="Face changes.",
                      measured={"skin_ab_before": [5.39, 8.67]}, threshold={},
                      evidence=[Evidence(t_s=1.0, label="first failure")])
    heading = _measured_block(finding, s)[0]._content[0].text
    assert heading == "Measured values and settings"
    finding.measured["distance"], finding.threshold["distance"] = 0.7, 0.55
    heading = _measured_block(finding, s)[0]._content[0].text
    assert heading == "Measured against the threshold"


def test_readme_names_the_evidence_frames_format():
    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if "_frames/`" in line)
    assert "JPEG" in row and "PNG" not in row
    assert FILE_PATTERN.pattern.endswith(r"\.jpg$")

