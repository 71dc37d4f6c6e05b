"""Hand check on real media (AVA_TEST_MEDIA): no alarm on real hands, edits caught at the frame.

Each real clip is analysed once per session; edited copies are built in a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hand_edits import build

from ava_detect.pipeline import Analysis
from ava_detect.signals.hands import track_hands

# every test here analyses a whole real clip (200-300 frames through the hand lane) or a
# 50-frame edit of one: over 20 s each on the shared machine
pytestmark = [pytest.mark.media, pytest.mark.slow]

REAL = {
    "landmarker": "hands/mpsamples_hand_landmarker_test_video.mp4",
    "thumbsup": "hands/mpsamples_gesture_recognizer_thumbsup_video.mp4",
    "flower": "hands/liveportrait_s20_hands_with_flower.mp4",
    "signing": "hands/slp_pose_test_video_signing.mp4",
}
MELT = "generated/mimicmotion_sample_hb_0_halfbody_gestures.mp4"


@pytest.fixture(scope="session")
def analyse(hands_analysis):
    return hands_analysis


def _frame(analysis: Analysis, t_s: float) -> int:
    return int(np.argmin(np.abs(analysis.signals.t_s - t_s)))


@pytest.mark.parametrize("name", list(REAL))
def test_no_hand_finding_on_real_hand_videos(media_dir: Path, analyse, name: str):
    result = analyse(str(media_dir / REAL[name]))
    check = result.report.checks["hands"]
    assert check.findings == [], [f.description for f in check.findings]
    assert check.status == "pass"
    assert check.details["judged_frame_pairs"] >= 5  # the check really judged the hands


def test_melting_generated_hands_are_found(media_dir: Path, analyse):
    result = analyse(str(media_dir / MELT))
    check = result.report.checks["hands"]
    assert check.status == "fail"
    frames = sorted(_frame(result, f.first_s) for f in check.findings)
    # the hands melt around frames 13-17 and 53-57; findings start in or just after them
    assert any(53 <= n <= 60 for n in frames), frames
    for f in check.findings:
        assert f.evidence[0].label == "before" and f.evidence[0].t_s < f.first_s
        assert f.evidence[1].box is not None


# --- test-time edits of real hand videos -----------------------------------------------------

EDIT_CASES = {
    # edit: (clip, frame the edit starts, window kept, finding kinds that count as caught)
    "mirror": ("landmarker", 120, (95, 145), {"palm_flip", "handedness_flip", "shape_jump"}),
    "smear": ("thumbsup", 120, (95, 145), {"presence_collapse", "hand_vanished", "shape_jump"}),
    "erase_hand": ("flower", 150, (125, 175), {"presence_collapse", "hand_vanished"}),
}


@pytest.mark.parametrize("edit", list(EDIT_CASES))
def test_edited_real_hand_is_caught_at_the_first_edited_frame(
    media_dir: Path, analyse, tmp_path: Path, edit: str
):
    name, start, window, kinds = EDIT_CASES[edit]
    src = media_dir / REAL[name]
    original = analyse(str(src))
    tracks = track_hands(original.signals.hands)
    main = int(np.argmax(tracks.present.sum(axis=0)))
    edited = build(src, tmp_path / f"{edit}.mp4", edit, tracks.points[:, main], start=start,
                   window=window)
    result = analyse(str(edited.path))
    check = result.report.checks["hands"]
    assert check.status == "fail", check.reason
    caught = [f for f in check.findings if f.kind in kinds]
    assert caught, [(f.kind, f.first_s) for f in check.findings]
    first = min(caught, key=lambda f: f.first_s)
    assert _frame(result, first.first_s) == edited.start, (first.kind, first.first_s)
    assert first.evidence[0].t_s == pytest.approx(result.signals.t_s[edited.start - 1])
    # nothing fires before the edit
    assert all(_frame(result, f.first_s) >= edited.start for f in check.findings)


def test_presence_rerun_reproduces_mediapipe_on_a_real_hand(media_dir: Path, analyse):
    from ava_detect.landmarks import HandLandmarkRerun
    from ava_detect.media import read_frame_at

    result = analyse(str(media_dir / REAL["landmarker"]))
    hands = result.signals.hands
    model = HandLandmarkRerun()
    errors, scores = [], []
    for n in (60, 120, 180):
        frame = read_frame_at(result.signals.info.path, float(result.signals.t_s[n]))
        out = model.run(frame.rgb, hands.image[n - 1, 0])  # the tracker's crop for frame n
        errors.append(np.linalg.norm(out.points[:, :2] - hands.image[n, 0, :, :2], axis=1).mean())
        scores.append(out.presence)
    assert max(errors) < 5.0  # pixels, on a 640 x 360 clip
    assert min(scores) > 0.95
    assert result.signals.measured["hand_presence.score"].shape == hands.score.shape
    assert np.nanmedian(result.signals.measured["hand_presence.score"][:, 0]) > 0.95
