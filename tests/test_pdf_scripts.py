"""File names and prompts in any script survive into the PDF's text (issue: CJK as boxes)."""

from __future__ import annotations

import pytest
from pack_samples import make_index_clip, sample_report
from pypdf import PdfReader

from ava_detect.output.clip_job import write_pack
from ava_detect.output.paths import output_paths, prepare_output
from ava_detect.pipeline import Analysis, StageTimes
from ava_detect.report.pdf.scripts import runs, with_script_fonts

NAME = "生成视频_ひらがな_한국어_Привет_Ελλάδα_café"
PROMPT = "一个女人在说话 — женщина говорит, γυναίκα μιλάει, naïve café, 日本語のテキスト"
WORDS = ["生成视频", "ひらがな", "한국어", "Привет", "Ελλάδα", "café", "一个女人在说话",
         "женщина", "γυναίκα", "naïve", "日本語のテキスト", "gen_日本_42"]


@pytest.fixture(scope="module")
def pack_text(tmp_path_factory):
    clip = make_index_clip(tmp_path_factory.mktemp("clip") / f"{NAME}.mp4", seconds=2.0)
    report = sample_report(clip, user={"generation_id": "gen_日本_42", "prompt": PROMPT})
    paths = output_paths(clip, tmp_path_factory.mktemp("out"))
    prepare_output(paths)
    write_pack(Analysis(report=report, signals=None, times=StageTimes()), clip, paths)
    text = "".join(page.extract_text() for page in PdfReader(paths.pdf).pages)
    return text, paths


@pytest.mark.parametrize("word", WORDS)
def test_every_script_is_in_the_text_layer(pack_text, word):
    text, _ = pack_text
    assert word in text


def test_cjk_runs_get_a_cjk_font_and_the_rest_keeps_the_body_font():
    marked = with_script_fonts("clip 生成视频 &amp; 한국어 v2")
    assert marked.count("<font name=") == 2 and "clip " in marked and " v2" in marked
    pieces = runs("a 日本 b", "Body")
    assert [p for p, _ in pieces] == ["a ", "日本", " b"]
    assert pieces[0][1] == pieces[2][1] == "Body" and pieces[1][1] != "Body"
