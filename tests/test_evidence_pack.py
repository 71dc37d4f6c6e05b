"""The evidence pack: frames at the right times, a PDF that says what matters, the ticket."""

from __future__ import annotations

import json
import re

import cv2
import numpy as np
import pytest
from pack_samples import clean_report, make_index_clip, read_index, sample_report
from pypdf import PdfReader

from ava_detect.errors import OutputError
from ava_detect.media import iter_frames
from ava_detect.output.clip_job import write_pack
from ava_detect.output.evidence import CROP_SIDE, write_evidence
from ava_detect.output.paths import output_paths, prepare_output
from ava_detect.pipeline import Analysis, StageTimes
from ava_detect.report import Evidence, Finding
from ava_detect.report.json import contract_errors
from ava_detect.report.style import FAIL, REFERENCE, rgb255

USER = {
    "generation_id": "gen_8812-XQ",
    "platform": "Runway",
    "prompt": "a chef chopping onions, close-up on the hands",
}
FPS = 25


@pytest.fixture(scope="module")
def index_clip(tmp_path_factory):
    """4 s, 25 fps, 640x360 H.264 with a keyframe every 25 frames; frame i shows i."""
    return make_index_clip(tmp_path_factory.mktemp("clip") / "shot_01.mp4", gop=25)


@pytest.fixture(scope="module")
def pack(index_clip, tmp_path_factory):
    """The full pack for the hand-built failing report: (report, paths, pdf text per page)."""
    report = sample_report(index_clip, user=USER)
    paths = output_paths(index_clip, tmp_path_factory.mktemp("out"))
    prepare_output(paths)
    write_pack(Analysis(report=report, signals=None, times=StageTimes()), index_clip, paths)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(paths.pdf).pages]
    return report, paths, pages


def test_evidence_images_are_the_frames_at_the_stated_times(pack):
    report, paths, _ = pack
    evidence = [ev for f in report.findings for ev in f.evidence]
    assert len(evidence) == 6
    for ev in evidence:
        full = cv2.imread(str(paths.folder / ev.image))[:, :, ::-1]
        assert full.shape == (360, 640, 3)
        assert read_index(full) == round(ev.t_s * FPS), ev.image
        assert ev.frame_t_s == pytest.approx(ev.t_s, abs=1e-6)
        crop = cv2.imread(str(paths.folder / ev.crop))
        assert crop.shape == (CROP_SIDE, CROP_SIDE, 3)


def test_boxes_are_drawn_in_failure_and_reference_colours(pack):
    report, paths, _ = pack
    hand = report.checks["hands"].findings[0]
    for ev, colour in zip(hand.evidence, (REFERENCE, FAIL), strict=True):
        full = cv2.imread(str(paths.folder / ev.image))[:, :, ::-1].astype(int)
        x0, y0, x1, y1 = (int(v) for v in ev.box)
        edge = full[(y0 + y1) // 2, max(0, x0 - 8) : x0 + 1]  # the box's left side
        dist = np.abs(edge - np.array(rgb255(colour))).sum(axis=1)
        assert dist.min() < 60, f"no {colour} box edge near x={x0} in {ev.image}"


def test_frame_between_two_timestamps_is_the_one_on_screen(index_clip, tmp_path):
    """A time between frames 51 (2.040 s) and 52 (2.080 s) shows frame 51, after a seek."""
    report = sample_report(index_clip)
    finding = report.checks["hands"].findings[0]
    finding.evidence = [Evidence(t_s=2.07, label="first failure", box=(10, 60, 100, 150))]
    report.checks = {"hands": report.checks["hands"]}
    paths = output_paths(index_clip, tmp_path)
    run = write_evidence(report, index_clip, paths)
    assert not run.mismatched and not run.failed
    ev = finding.evidence[0]
    assert ev.frame_t_s == pytest.approx(2.04, abs=1e-6)
    assert read_index(cv2.imread(str(tmp_path / ev.image))[:, :, ::-1]) == 51


def test_pdf_cover_has_term_first_failure_sha_and_generation_id(pack):
    report, _, pages = pack
    cover = pages[0]
    for term in (
        "Hand-Anatomy Topology Failure",
        "Facial Identity Drift",
        "Audio-Visual Lip Sync & Phoneme Alignment Failure",
    ):
        assert term in cover
    # the first failure of the clip (lip sync, frame 31) in both forms
    assert "1.240 s" in cover and "0:01.240" in cover
    assert "2.040 s" in cover and "0:02.040" in cover  # hands' first failure
    assert report.clip["sha256"] in cover
    assert USER["generation_id"] in cover and USER["prompt"] in cover
    assert "FAILURES FOUND" in cover


def test_pdf_has_one_section_per_finding_with_its_frames_and_numbers(pack):
    report, paths, pages = pack
    text = " ".join(pages)
    for n, finding in enumerate(report.findings, start=1):
        head = f"Finding {n} of 3: {finding.technical_term}"
        page = next(i for i, p in enumerate(pages) if head in p)
        body = pages[page]
        assert finding.description in body
        first = f"{finding.first_s:.3f} s"
        assert first in body
        # the evidence frames are embedded as pictures (two per frame: full and zoomed), and
        # the evidence clip's key-frame strip (issue 21) one more; the timeline plot is vector
        # graphics, not one more picture
        n_images = len(PdfReader(paths.pdf).pages[page].images)
        assert n_images == 2 * len(finding.evidence) + 1
        assert finding.evidence_video["file"].split("/")[-1] in body
        assert "<b>" not in body and "&lt;" not in body  # markup is drawn, not printed
    assert "Ticket text" in text and "Method" in text
    assert "ITU-R BT.1359-1" in text


def test_json_records_the_evidence_files(pack):
    report, paths, _ = pack
    data = json.loads(paths.json.read_text())
    assert contract_errors(data) == []
    evidence = [ev for f in data["findings"] for ev in f["evidence"]]
    assert all((paths.folder / ev["image"]).is_file() for ev in evidence)
    assert all((paths.folder / ev["crop"]).is_file() for ev in evidence)
    assert all(ev["image"].startswith("shot_01_frames/") for ev in evidence)
    hand = next(f for f in data["findings"] if f["mode"] == "hands")
    assert len(hand["evidence"][0]["points"]) == 21


def test_ticket_text_file(pack):
    report, paths, pages = pack
    ticket = paths.ticket.read_text(encoding="utf-8")
    # worst severity first, then earliest
    assert ticket.startswith(
        "Subject: Hand-Anatomy Topology Failure, Facial Identity Drift, Audio-Visual Lip Sync & "
        f"Phoneme Alignment Failure in generation {USER['generation_id']}; first failure at "
        "1.240 s (0:01.240)\n"
    )
    assert f"Generation ID: {USER['generation_id']}" in ticket
    assert f'Prompt: "{USER["prompt"]}"' in ticket
    assert "First failure: 1.240 s (0:01.240)" in ticket
    assert report.clip["sha256"] in ticket
    listed = re.findall(r"^- (shot_01_frames/\S+\.jpg)", ticket, flags=re.M)
    assert len(listed) == 6 and all((paths.folder / name).is_file() for name in listed)
    for n, finding in enumerate(report.findings, start=1):
        assert f"{n}. {finding.technical_term}" in ticket
    # the PDF's ticket block carries the same text
    ticket_page = next(p for p in pages if p.startswith("Ticket text"))
    assert " ".join(ticket.splitlines()[0].split()) in ticket_page


def test_clean_clip_gets_a_certificate_and_no_ticket(index_clip, tmp_path):
    report = clean_report(index_clip)
    paths = output_paths(index_clip, tmp_path)
    paths.ticket.write_text("old\nChecked with ava-detect 0.0.9 on then.\n")  # earlier run's
    write_pack(Analysis(report=report, signals=None, times=StageTimes()), index_clip, paths)
    assert not paths.ticket.exists() and not paths.frames.exists()
    reader = PdfReader(paths.pdf)
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Check certificate" in cover and "NO FAILURE FOUND" in cover
    assert report.clip["sha256"] in cover and "gen_clean_7" in cover
    assert "SKIPPED" in cover and "PASS" in cover and "no hands in the clip" in cover
    # the check's own per-clip number, named as a review score, not a finding (issue 14 item 5:
    # "identity stability (0-1) 0" beside PASS read as a contradiction)
    assert "review score, identity steadiness (1 steady, 0 unsteady; not a finding) 0.97" in cover
    assert len(reader.pages) <= 3


def test_inconclusive_clip_is_not_called_a_pass(index_clip, tmp_path):
    report = clean_report(index_clip)
    report.checks["lipsync"].status = "inconclusive"
    report.checks["lipsync"].reason = "too little speech (0.8 s)"
    paths = output_paths(index_clip, tmp_path)
    write_pack(Analysis(report=report, signals=None, times=StageTimes()), index_clip, paths)
    cover = " ".join(PdfReader(paths.pdf).pages[0].extract_text().split())
    assert "Analysis record" in cover and "Check certificate" not in cover
    assert "NOT EVERY CHECK COULD MEASURE" in cover and "too little speech" in cover


@pytest.mark.parametrize("name", ["pdf", "ticket"])
def test_a_file_ava_detect_did_not_write_is_never_replaced(index_clip, tmp_path, name):
    paths = output_paths(index_clip, tmp_path)
    target = getattr(paths, name)
    target.write_text("the user's own notes")
    with pytest.raises(OutputError, match="left untouched"):
        prepare_output(paths)
    assert target.read_text() == "the user's own notes"


def test_rerun_replaces_its_own_pack(index_clip, tmp_path):
    paths = output_paths(index_clip, tmp_path)
    for _ in range(2):
        prepare_output(paths)
        report = sample_report(index_clip, user=USER)
        write_pack(Analysis(report=report, signals=None, times=StageTimes()), index_clip, paths)
    # no leftovers, no duplicates: 12 evidence images, and (issue 21) an evidence clip and its
    # key-frame strip per finding
    assert len(list(paths.frames.iterdir())) == 12 + 2 * len(report.findings)


def test_unknown_kind_and_missing_region_still_make_a_pack(index_clip, tmp_path):
    report = sample_report(index_clip)
    report.checks["hands"].findings.append(
        Finding(
            mode="hands",
            kind="new_kind_x",
            first_s=3.2,
            start_s=3.2,
            end_s=3.2,
            confidence=0.5,
            description="something new",
            evidence=[Evidence(t_s=3.2, label="first failure"), Evidence(t_s=float("nan"))],
        )
    )
    paths = output_paths(index_clip, tmp_path)
    write_pack(Analysis(report=report, signals=None, times=StageTimes()), index_clip, paths)
    new = report.checks["hands"].findings[-1]
    assert new.evidence[0].image and new.evidence[0].crop is None
    assert new.evidence[1].image is None
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(paths.pdf).pages)
    assert "New kind x" in text


@pytest.mark.media
@pytest.mark.parametrize(
    "name", ["speech/news_cnn_anchor_audio_leads_1000ms.mp4", "faces/ghost_src_dance.mp4"]
)
def test_real_clip_evidence_is_the_decoded_frame_at_that_time(media_dir, tmp_path, name):
    """On real clips (one with a non-zero stream start), the written frame is the same picture
    sequential decoding gives at that timestamp, not a neighbour."""
    from ava_detect.media import probe
    from ava_detect.pipeline import _clip_dict
    from ava_detect.report import CheckResult, Report

    clip = media_dir / name
    frames = list(iter_frames(clip))
    picks = [5, len(frames) // 2, len(frames) - 3]
    w, h = frames[0].rgb.shape[1], frames[0].rgb.shape[0]
    finding = Finding(
        mode="identity",
        kind="identity_switch",
        first_s=frames[picks[1]].t_s,
        start_s=frames[picks[1]].t_s,
        end_s=frames[-1].t_s,
        confidence=0.9,
        description="test",
        evidence=[
            Evidence(t_s=frames[i].t_s, box=(w * 0.3, h * 0.2, w * 0.7, h * 0.6)) for i in picks
        ],
    )
    report = Report(
        tool_version="0.1.0",
        clip=_clip_dict(probe(clip)),
        checks={"identity": CheckResult("fail", findings=[finding])},
        created_at="2025-01-01T00:00:00+00:00",
    )
    run = write_evidence(report, clip, output_paths(clip, tmp_path))
    assert not run.mismatched and not run.failed
    for i, ev in zip(picks, finding.evidence, strict=True):
        assert ev.frame_t_s == pytest.approx(frames[i].t_s, abs=1e-6)
        img = cv2.imread(str(tmp_path / ev.image))[:, :, ::-1].astype(float)
        inside = (slice(0, int(h * 0.15)), slice(None))  # above the drawn box
        diffs = {
            j: np.abs(img[inside] - frames[j].rgb[inside]).mean()
            for j in (i - 1, i, i + 1)
            if 0 <= j < len(frames)
        }
        assert min(diffs, key=diffs.get) == i and diffs[i] < 4.0, diffs


def test_read_frames_at_gives_the_frame_on_screen_for_any_order_of_times(tmp_path):
    """One keyframe every 60 frames; times unsorted, repeated, far apart (a re-seek), before the
    first frame and past the last one."""
    from ava_detect.media import read_frame_at, read_frames_at

    clip = make_index_clip(tmp_path / "long.mp4", seconds=6.0, size=(320, 180), gop=60)
    times = [5.5, 0.0, 0.05, 0.05, 2.999, 3.0, 4.9, -1.0, 99.0, 0.3]
    expected = [137, 0, 1, 1, 74, 75, 122, 0, 149, 7]
    frames = read_frames_at(clip, times)
    assert [read_index(f.rgb) for f in frames] == expected
    assert [round(f.t_s * FPS) for f in frames] == expected
    assert read_index(read_frame_at(clip, 4.9).rgb) == 122


def test_hand_evidence_gets_the_tracked_landmarks_of_that_frame(index_clip):
    from ava_detect.media import probe
    from ava_detect.output.evidence import add_hand_landmarks
    from ava_detect.signals import ClipSignals, HandArrays

    report = sample_report(index_clip)
    hand = report.checks["hands"].findings[0]
    for ev in hand.evidence:
        ev.points = None
    n = 100
    image = np.full((n, 2, 21, 3), np.nan, np.float32)
    # Revised for issue 14 (box of one hand, points of the other): points now come from the
    # detector's tracks, not from the slot numbered like the track, so the landmarks need
    # their depth (tracking measures palms in 3-D).
    image[49, 0] = 0.0
    image[49, 0, :, :2] = np.arange(42).reshape(21, 2)  # track 0 at frame 49 (the "before")
    image[51, 1] = 0.0
    image[51, 1, :, :2] = np.arange(42).reshape(21, 2) + 500.0  # another hand, far away
    hands = HandArrays(image=image, world=image.copy(), handedness=image[..., 0, 0],
                       score=image[..., 0, 0])  # fmt: skip
    signals = ClipSignals(info=probe(index_clip), t_s=np.arange(n) / FPS, frame_size=(640, 360),
                          hands=hands)  # fmt: skip
    assert add_hand_landmarks(report, signals) == 1
    before, first = hand.evidence
    assert before.points == np.arange(42).reshape(21, 2).tolist()
    assert first.points is None  # track 0 has no hand at frame 51


def test_json_is_written_last_and_survives_a_pdf_failure(index_clip, tmp_path, monkeypatch):
    """The JSON marks a complete pack (batch resume trusts it), yet a broken PDF loses nothing."""
    import ava_detect.report.pdf as pdf_module

    paths = output_paths(index_clip, tmp_path)
    report = sample_report(index_clip)
    written = write_pack(Analysis(report=report, signals=None, times=StageTimes()), index_clip,
                         paths)  # fmt: skip
    assert written[-1] == paths.json
    assert paths.json.stat().st_mtime_ns >= max(p.stat().st_mtime_ns for p in written)

    def broken(*_a, **_k):
        raise RuntimeError("layout bug")

    paths.json.unlink()
    monkeypatch.setattr(pdf_module, "write_pdf", broken)
    with pytest.raises(RuntimeError, match="layout bug"):
        write_pack(Analysis(report=sample_report(index_clip), signals=None, times=StageTimes()),
                   index_clip, paths)  # fmt: skip
    assert contract_errors(json.loads(paths.json.read_text())) == []


def test_a_long_ticket_with_many_findings_flows_over_pages(tmp_path):
    """A long clip can yield many findings: the ticket box must split across pages."""
    import dataclasses

    from pack_samples import sample_report

    from ava_detect.report.pdf import write_pdf

    clip = make_index_clip(tmp_path / "many.mp4", seconds=4.0, size=(160, 96))
    report = sample_report(clip)
    drift = report.checks["lipsync"].findings[0]
    many = [
        dataclasses.replace(drift, first_s=drift.first_s + i * 0.01, evidence=[])
        for i in range(120)
    ]
    report.checks["lipsync"].findings = many
    pdf = write_pdf(report, tmp_path / "many.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert text.count("Ticket text") >= 1
    assert "2.430 s" in text  # the last of the 120 findings (1.240 s + 1.19 s) is in the ticket
