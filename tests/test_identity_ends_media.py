"""Identity changes a forward reference cannot see, on real media (AVA_TEST_MEDIA).

Built from ``faces/ghost_src_dance.mp4`` and a GHOST face swap of the same 66 frames: a switch
at frame 3 (inside the frames a reference is built from), and a face that is hidden for a few
frames (or more than a second) and comes back as someone else. Negatives: two people on
screen at once, and a generated clip whose face turns fast (stableavatar case 52, which the
forward reference alone reported as drift).
"""

from __future__ import annotations

import numpy as np
import pytest
from identity_media import (
    GHOST_SOURCE,
    ghost_swap,
    hide_region,
    read_frames,
    splice,
    write_clip,
)

from ava_detect.pipeline import Analyzer
from ava_detect.settings import Settings

pytestmark = pytest.mark.media

# Where the dancer's face moves in ghost_src_dance (464 x 560 px): x 140-312, y 112-269.
GHOST_FACE_BOX = (110, 85, 345, 300)


@pytest.fixture(scope="module")
def analyzer():
    a = Analyzer(Settings(checks=("identity",)))
    yield a
    a.close()


@pytest.fixture(scope="module")
def frames(media_dir):
    src, fps = read_frames(media_dir / GHOST_SOURCE)
    other, _ = read_frames(media_dir / ghost_swap("elon"))
    return src, other, fps


def _check(analyzer, path):
    analysis = analyzer.analyze(path)
    return analysis.report.checks["identity"], analysis.signals


def _frame(t_s: np.ndarray, s: float) -> int:
    return int(np.argmin(np.abs(t_s - s)))


def test_switch_at_frame_3_is_found_at_frame_3(analyzer, frames, tmp_path):
    src, other, fps = frames
    check, sig = _check(analyzer, write_clip(tmp_path / "early.mp4", splice(src, other, 3), fps))
    assert check.status == "fail"
    (finding,) = check.findings
    assert finding.kind == "identity_switch"
    assert _frame(sig.t_s, finding.first_s) == 3
    assert finding.measured["distance_after"] >= 0.6


@pytest.mark.parametrize(("hidden", "kind_path"), [(6, "same track"), (30, "new track")])
def test_face_hidden_then_back_as_someone_else(analyzer, frames, tmp_path, hidden, kind_path):
    """Hidden for 6 frames (0.24 s, the track goes on) or 30 (1.2 s, a new track)."""
    src, other, fps = frames
    at = 20
    built = hide_region(splice(src, other, at + hidden), at, at + hidden, GHOST_FACE_BOX)
    check, sig = _check(analyzer, write_clip(tmp_path / f"hidden_{hidden}.mp4", built, fps))
    present = sig.faces.present[:, 0]
    assert not present[at + 2 : at + hidden - 1].any()  # the face really is gone
    assert check.status == "fail", kind_path
    (finding,) = check.findings
    assert finding.kind == "identity_changed_on_reentry"
    back = int(np.flatnonzero(present[at + hidden - 1 :])[0]) + at + hidden - 1
    assert back <= _frame(sig.t_s, finding.first_s) <= back + 3
    labels = " ".join(e.label for e in finding.evidence)
    assert "before" in labels and "first failure" in labels


def test_same_face_hidden_and_back_is_clean(analyzer, frames, tmp_path):
    src, _, fps = frames
    built = hide_region(src, 20, 50, GHOST_FACE_BOX)
    check, _ = _check(analyzer, write_clip(tmp_path / "hidden_same.mp4", built, fps))
    assert check.findings == [], [f.description for f in check.findings]


@pytest.mark.slow
def test_fast_head_turns_in_generated_clip_are_clean(analyzer, media_dir):
    """Stableavatar case 52: one person, lively head turns; the forward reference alone
    reported drift at 8.6 s (the face is far from its downward-looking reference only at
    poses the reference never had)."""
    clip = media_dir / "generated2/stableavatar_case52_apple_in_hand_head_turns_audio.mp4"
    check, _ = _check(analyzer, clip)
    assert check.status == "pass", [f.description for f in check.findings]
    (track,) = [tr for tr in check.details["tracks"] if tr["measured"]]
    assert track.get("unconfirmed_alarms")  # the alarm was seen, and not confirmed
