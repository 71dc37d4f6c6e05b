"""Identity drift on real media (AVA_TEST_MEDIA): built switches and morphs, real negatives.

Every clip is analysed once per session with only the identity check. The full set of real
clips is covered by ``benchmarks/identity_accuracy.py``; here a representative set keeps the
run short: a turn from profile, exaggerated expressions, glasses, tinted glasses, a child, two
faces side by side, small low-resolution crops.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from identity_media import GHOST_SOURCE, crossfade, ghost_swap, read_frames, splice, write_clip

from ava_detect.pipeline import Analyzer
from ava_detect.settings import Settings

pytestmark = pytest.mark.media

SAME_PERSON = [
    "faces/vox2_00002_woman_profile_to_frontal_turn.mp4",  # -50 deg -> frontal
    "faces/liveportrait_d6_woman_exaggerated_12s.mp4",  # extreme expressions
    "faces/liveportrait_d9_man_glasses_12s.mp4",  # glasses, puffed cheeks
    "faces/liveportrait_d11_child.mp4",  # a child
    "faces/ghost_2person_splitscreen.mp4",  # two faces
    "speech/vox2_741400163_man_tinted_glasses_12s.mp4",  # tinted glasses, 224 px
    "speech/hdtf_aoc_speech_8s.mp4",  # talking head
]


@pytest.fixture(scope="session")
def identity_analyzer():
    analyzer = Analyzer(Settings(checks=("identity",)))
    yield analyzer
    analyzer.close()


@pytest.fixture(scope="session")
def ghost_frames(media_dir):
    """Frames of the source clip and of each face swap (the same 66 frames, other faces)."""
    frames = {"src": read_frames(media_dir / GHOST_SOURCE)}
    for name in ("elon", "khabenskii", "mark"):
        frames[name] = read_frames(media_dir / ghost_swap(name))
    return frames


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("identity")


def _identity(analyzer: Analyzer, path: Path):
    analysis = analyzer.analyze(path)
    return analysis.report.checks["identity"], analysis.signals.t_s


def _frame_of(t_s: np.ndarray, time_s: float) -> int:
    return int(np.argmin(np.abs(t_s - time_s)))


@pytest.mark.parametrize(("first", "second", "at"), [
    ("src", "elon", 20), ("src", "khabenskii", 33), ("mark", "src", 47), ("src", "mark", 56),
])
def test_spliced_switch_caught_at_its_frame(identity_analyzer, ghost_frames, built_dir,
                                            first, second, at):
    (a, fps), (b, _) = ghost_frames[first], ghost_frames[second]
    path = write_clip(built_dir / f"splice_{first}_{second}_{at}.mp4", splice(a, b, at), fps)
    check, t_s = _identity(identity_analyzer, path)
    assert check.status == "fail"
    (finding,) = check.findings
    assert finding.kind == "identity_switch"
    assert abs(_frame_of(t_s, finding.first_s) - at) <= 1
    assert finding.measured["distance_after"] > 0.6
    labels = [e.label for e in finding.evidence]
    assert labels[0] == "reference" and "first failure" in labels
    assert finding.evidence[0].t_s < t_s[at] and all(e.box for e in finding.evidence)


def test_one_second_morph_caught_within_half_a_second(identity_analyzer, ghost_frames,
                                                     built_dir):
    (a, fps), (b, _) = ghost_frames["src"], ghost_frames["khabenskii"]
    start = 15
    path = write_clip(built_dir / "fade_1s.mp4", crossfade(a, b, start, int(round(fps))), fps)
    check, t_s = _identity(identity_analyzer, path)
    assert check.status == "fail"
    (finding,) = check.findings
    assert finding.kind == "identity_drift"
    assert 0.0 <= finding.first_s - t_s[start] <= 0.5


def test_cross_dissolve_between_two_people_is_a_new_shot(identity_analyzer, media_dir,
                                                        built_dir):
    """Two different men, each in his own shot, dissolved over 1 s: an edit, not drift."""
    a, fps = read_frames(media_dir / "speech/vox2_00086_man_red_bg.mp4")
    b, _ = read_frames(media_dir / "speech/vox2_00473_older_man_white_bg.mp4")
    path = write_clip(built_dir / "dissolve.mp4", crossfade(a[:110], b[:110], 40, 25), fps)
    check, t_s = _identity(identity_analyzer, path)
    assert check.findings == [], [f.description for f in check.findings]
    (event,) = check.details["events"]
    assert "cross-dissolve" in event["description"]
    assert t_s[40] < event["t_s"] <= t_s[66]
    assert [tr["starts_because"] for tr in check.details["tracks"]] == ["clip start",
                                                                        "new shot"]


def test_source_clip_alone_is_stable(identity_analyzer, media_dir):
    check, _ = _identity(identity_analyzer, media_dir / GHOST_SOURCE)
    assert check.status == "pass"
    assert check.details["stability_score"] > 0.8
    curve = check.details["signals"]["identity_distance_face1"]
    assert np.nanmax(np.asarray(curve["values"], float)) < 0.4


@pytest.mark.parametrize("rel", SAME_PERSON)
def test_same_person_has_no_identity_finding(identity_analyzer, media_dir, rel):
    check, _ = _identity(identity_analyzer, media_dir / rel)
    assert check.status == "pass", (check.reason, [f.description for f in check.findings])
    assert any(tr["measured"] for tr in check.details["tracks"])


def test_scene_cuts_are_new_shots_not_drift(identity_analyzer, media_dir):
    hamilton = media_dir / "faces/facerec_hamilton_clip_scene_cuts.mp4"
    check, _ = _identity(identity_analyzer, hamilton)
    assert check.findings == []
    assert len(check.details["shot_starts_s"]) >= 2
    assert all("new shot" in e["description"] for e in check.details["events"])
    assert "new shot" in {tr["starts_because"] for tr in check.details["tracks"]}
