"""The viseme check on real speech (AVA_TEST_MEDIA): alignment, real clips, built negatives.

No SOURCES file gives the clips' words. The words below were established by running
pocketsphinx's own recogniser on each clip, correcting by context where it was plainly wrong
(e.g. "thrilled with gratitude for the sport" -> "filled with gratitude for the support", in
the Obama Foundation's new-year message) and checking that the corrected words align with a
good fit (docs/lipsync.md "Wrong viseme" lists every clip and figure). Nobody listened to them.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from viseme_build import inner_gap, open_mouth_over

from ava_detect.detectors.lipsync.visemes import viseme_check
from ava_detect.media import read_audio
from ava_detect.output.clip_job import run_clip_job
from ava_detect.pipeline import Analyzer
from ava_detect.report.json import contract_errors
from ava_detect.settings import Settings
from ava_detect.speech import known_words
from ava_detect.speech.aligner import align_known_words

SETTINGS = Settings(checks=("lipsync",))
CFG = SETTINGS.lipsync
JFK = "and so my fellow americans ask not what your country can do for you ask what you can " \
      "do for your country"
OBAMA = ("as i reflect on last year and look ahead to the next one i am filled with gratitude "
         "for the support you've given to the obama foundation")
# clip -> (words, the bilabials in order as (word, phone, start_s) from the alignment)
REAL = {
    "hyperlips_real_video2_obama_interview": (OBAMA, [
        ("am", "M", 5.11), ("support", "P", 7.03), ("obama", "B", 8.18), ("obama", "M", 8.35)]),
    "retalking_face1_man_suit": (
        "my biggest weakness is asking for help when needed i'd like to do better and i", [
            ("my", "M", 0.0), ("biggest", "B", 0.13), ("help", "P", 1.79),
            ("better", "B", 3.99)]),
    "ghost_obama_short_speech": ("but i also see now the wisdom of the founders that", [
        ("but", "B", 0.75), ("wisdom", "M", 2.77)]),
}


def _align(audio, sr, text):
    return align_known_words(audio, sr, known_words({"transcript": text}))


@pytest.fixture(scope="module")
def jfk_audio(media_dir):
    return read_audio(media_dir / "speech" / "audio_jfk_inaugural_11s.flac", sr=16000)


def test_forced_alignment_of_real_speech_gives_phone_times(jfk_audio):
    al = _align(jfk_audio, 16000, JFK)
    assert al.reason is None and al.words[:4] == ("and", "so", "my", "fellow")
    (m,) = [p for p in al.phones if p.word == "my" and p.phone == "M"]
    assert m.start_s == pytest.approx(0.97, abs=0.03) and m.end_s - m.start_s >= 0.03
    first = {p.word_index: p.start_s for p in reversed(al.phones)}
    starts = [first[i] for i in sorted(first)]
    assert len(starts) == len(al.words) and starts == sorted(starts)  # every word, in order
    assert al.measured["score_per_frame"] > CFG.viseme_min_score_per_frame
    assert al.measured["short_phone_share"] <= CFG.viseme_max_short_phone_share


def _fit_reason(audio, text):
    info_clip = dataclasses.make_dataclass("S", ["speech", "audio", "audio_sr", "faces"])
    signals = info_clip(_align(audio, 16000, text), audio, 16000, None)
    findings, info = viseme_check(signals, None, 0.0, CFG)
    assert findings == []
    return info


@pytest.mark.parametrize(("case", "says"), [
    ("shuffled", "the audio does not match the words"),
    ("partial", "of the loud audio lies outside the aligned words"),
    ("german", "the audio does not match the words"),
])
def test_audio_that_does_not_say_the_words_is_a_reason_not_a_finding(media_dir, jfk_audio,
                                                                     case, says):
    audio = jfk_audio
    text = {"shuffled": " ".join(reversed(JFK.split())), "partial": "and so my fellow americans",
            "german": JFK}[case]
    if case == "german":
        audio = read_audio(media_dir / "speech" / "audio_german_16k.wav", sr=16000)
    info = _fit_reason(audio, text)
    assert info["ran"] is False and says in info["reason"]


def test_dictionary_gaps_and_other_scripts_are_named(jfk_audio):
    assert "lacks 'zorblax'" in _align(jfk_audio, 16000, "and so zorblax").reason
    assert "'\u4f60\u597d'" in _align(jfk_audio, 16000, "\u4f60\u597d").reason
    assert "write numbers as words" in _align(jfk_audio, 16000, "in 1961").reason


@pytest.fixture(scope="module")
def analyzer():
    a = Analyzer(SETTINGS)
    yield a
    a.close()


@pytest.fixture(scope="module")
def real(media_dir, analyzer):
    return {name: analyzer.analyze(media_dir / "speech" / f"{name}.mp4",
                                   user={"transcript": words})
            for name, (words, _) in REAL.items()}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_speech_with_its_words_closes_on_every_bilabial(real, name):
    result = real[name].report.checks["lipsync"]
    v = result.details["visemes"]
    assert v["ran"] is True and v["reason"] is None and v["source"] == "--transcript"
    got = [(r["word"], r["phone"], r["start_s"]) for r in v["bilabials"]]
    expected = REAL[name][1]
    assert [g[:2] for g in got] == [e[:2] for e in expected]
    assert np.allclose([g[2] for g in got], [e[2] for e in expected], atol=0.05)
    assert v["bilabials_checked"] == len(expected) == v["bilabials_closed"]
    assert not [f for f in result.findings if f.kind == "viseme_mismatch"]


def test_without_words_the_report_says_the_check_did_not_run(analyzer, media_dir):
    a = analyzer.analyze(media_dir / "speech" / "retalking_face1_man_suit.mp4",
                         user={"prompt": "a man in a suit talks about himself"})
    v = a.report.checks["lipsync"].details["visemes"]
    assert v["ran"] is False and "--transcript" in v["reason"]


@pytest.fixture(scope="module")
def built(real, analyzer, media_dir, tmp_path_factory):
    """The Obama interview with the frames around the 'p' of "support" showing the widest open
    mouth of the clip; analysed with the words quoted in a prompt."""
    name = "hyperlips_real_video2_obama_interview"
    original = real[name]
    v = original.report.checks["lipsync"].details["visemes"]
    (row,) = [r for r in v["bilabials"] if r["word"] == "support"]
    lag_s = v["lag_applied_ms"] / 1000
    start = row["start_s"] + lag_s - CFG.viseme_lead_s - 0.04
    end = row["end_s"] + lag_s + CFG.viseme_trail_s + 0.04
    dst = tmp_path_factory.mktemp("viseme") / "obama_support_open.mp4"
    replaced = open_mouth_over(media_dir / "speech" / f"{name}.mp4", dst, original.signals,
                               start, end)
    prompt = f"Obama at his desk saying '{OBAMA}' warmly"
    job = run_clip_job(dst, dst.parent / "out", SETTINGS.with_overrides(
        {"evidence_video": {"enabled": False}}), user={"prompt": prompt}, analyzer=analyzer)
    return row, replaced, job


def test_built_open_mouth_at_a_bilabial_is_a_viseme_mismatch(built):
    row, replaced, job = built
    analysis = job.analysis
    result = analysis.report.checks["lipsync"]
    assert result.details["visemes"]["source"] == "--prompt"
    found = [f for f in result.findings if f.kind == "viseme_mismatch"]
    assert [(f.measured["word"], f.measured["phone"]) for f in found] == [("support", "P")]
    (f,) = found
    assert f.measured["phone_start_s"] == pytest.approx(row["start_s"], abs=0.05)
    assert result.status == "fail" and "'p' (P) in \"support\"" in f.description
    # The evidence frame is one of the replaced frames, and its mouth is open in the built clip.
    (ev,) = f.evidence
    t = analysis.signals.t_s
    k = int(np.argmin(np.abs(t - ev.t_s)))
    assert k in replaced and ev.box is not None
    v = result.details["visemes"]
    gap = inner_gap(analysis.signals)
    assert (gap[k] - v["mouth_closed_gap"]) / (v["mouth_open_gap"] - v["mouth_closed_gap"]) \
        > CFG.viseme_max_open_fraction
    # The report files carry it: the JSON finding, its evidence picture, the PDF, the ticket.
    data = json.loads(job.paths.json.read_text())
    assert contract_errors(data) == []
    (jf,) = [f for f in data["findings"] if f["kind"] == "viseme_mismatch"]
    assert jf["measured"]["word"] == "support" and jf["measured"]["phone"] == "P"
    assert (job.paths.folder / jf["evidence"][0]["image"]).is_file()
    assert job.paths.pdf.is_file() and "support" in job.paths.ticket.read_text()
    # Every other bilabial still closes.
    others = [r for r in v["bilabials"] if r["word"] != "support"]
    assert others and all(r["closed"] for r in others)
