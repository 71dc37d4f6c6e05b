"""Identity drift on hand-built arrays with known answers (no video, no models)."""

from __future__ import annotations

import numpy as np
import pytest

from ava_detect.detectors.identity.detector import IdentityDriftDetector
from ava_detect.media import ClipInfo
from ava_detect.settings import Settings
from ava_detect.signals import ClipSignals, FaceArrays
from ava_detect.signals.face import eye_distance, head_pose, histogram_change, is_shot_cut
from ava_detect.signals.identity import (
    find_alarms,
    matched_pose_distance,
    smoothed_distance,
    split_tracks,
)

FPS = 25.0
N = 100
RNG_SEED = 7


def _template() -> np.ndarray:
    """A 478-point 3-D face centred at 0, eye distance 1 (key points placed, rest scattered)."""
    rng = np.random.default_rng(0)
    pts = np.column_stack([rng.uniform(-0.8, 0.8, 478), rng.uniform(-1.0, 1.2, 478),
                           rng.uniform(-0.2, 0.3, 478)])
    key = {33: (-0.7, 0, 0.1), 133: (-0.3, 0, 0.05), 362: (0.3, 0, 0.05), 263: (0.7, 0, 0.1),
           10: (0, -1.0, 0.1), 152: (0, 1.3, 0.1), 2: (0, 0.55, -0.3)}
    for i, p in key.items():
        pts[i] = p
    return pts


TEMPLATE = _template()


def face_points(cx: float, cy: float, eyes_px: float, yaw_deg: float = 0.0) -> np.ndarray:
    """(478, 3) landmarks of a face at (cx, cy) with the given eye distance and yaw."""
    a = np.radians(yaw_deg)
    rot = np.array([[np.cos(a), 0, -np.sin(a)], [0, 1, 0], [np.sin(a), 0, np.cos(a)]])
    pts = TEMPLATE @ rot.T * eyes_px
    return (pts + [cx, cy, 0]).astype(np.float32)


def person(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(0, 1, 128)
    return v / np.linalg.norm(v)


A, B = person(1), person(2)  # about 1.4 apart, like two different people (> 0.6)


def noisy(mean: np.ndarray, n: int, rng: np.random.Generator, sd: float = 0.15) -> np.ndarray:
    """n embeddings about ``sd`` from ``mean`` (same person, frame-to-frame noise)."""
    return mean + rng.normal(0, sd / np.sqrt(128), (n, 128))


def clip(emb: np.ndarray, *, points: np.ndarray | None = None,
         cut_at: int | None = None) -> ClipSignals:
    """ClipSignals of N frames at 25 fps: embeddings (N, K, 128); one frontal face per slot."""
    n, k = emb.shape[:2]
    info = ClipInfo(path="synthetic.mp4", sha256="0" * 64, size_bytes=1, container="mp4",
                    codec="h264", duration_s=n / FPS, fps=FPS, variable_frame_rate=False,
                    frame_count=n, width=640, height=480, rotation=0, start_s=0.0,
                    has_audio=False, audio_codec=None, audio_sample_rate=None,
                    audio_channels=None)
    if points is None:
        points = np.stack([np.stack([face_points(160 + 320 * j, 240, 60) for j in range(k)])] * n)
    sig = ClipSignals(info=info, t_s=np.arange(n) / FPS, frame_size=(640, 480))
    sig.faces = FaceArrays(points=points)
    hist, similar = np.full(n, 0.02, np.float32), np.full(n, 0.95, np.float32)
    if cut_at is not None:  # the whole picture changes colours and layout
        hist[cut_at], similar[cut_at] = 0.3, 0.1
    sig.measured = {"face.embedding": emb.astype(np.float32), "face.hist_change": hist,
                    "face.similarity": similar}
    return sig


def run(sig: ClipSignals, **identity):
    settings = Settings(checks=("identity",)).with_overrides({"identity": identity})
    return IdentityDriftDetector().detect(sig, settings)


# --- pose, size and tracks ------------------------------------------------------------------


@pytest.mark.parametrize("yaw", [-45.0, -20.0, 0.0, 15.0, 40.0])
def test_head_pose_recovers_yaw(yaw):
    got, pitch = head_pose(face_points(300, 200, 60, yaw))
    assert got == pytest.approx(yaw, abs=0.5)
    assert abs(pitch) < 1.0


def test_eye_distance_ignores_head_turn():
    assert eye_distance(face_points(0, 0, 60, 0)) == pytest.approx(60 * 0.995, rel=0.02)
    assert eye_distance(face_points(0, 0, 60, 50)) == pytest.approx(
        eye_distance(face_points(0, 0, 60, 0)), rel=1e-6)


def test_histogram_change_is_share_of_picture():
    a = np.zeros(512)
    a[0] = 1.0
    b = np.zeros(512)
    b[0], b[7] = 0.7, 0.3
    assert histogram_change(a, b) == pytest.approx(0.3)


def test_shot_cut_needs_new_colours_and_new_layout():
    change = np.array([np.nan, 0.02, 0.37, 0.22, 0.05, 0.17])
    similar = np.array([np.nan, 0.99, 0.01, 0.99, 0.30, 0.14])
    # a cut; a lighting jump (same layout); fast motion (same colours); a cut
    assert is_shot_cut(change, similar, min_change=0.12, max_similarity=0.5).tolist() == [
        False, False, True, False, False, True]


def test_tracks_split_at_cut_gap_and_jump():
    t = np.arange(N) / FPS
    present = np.ones(N, bool)
    present[60:90] = False  # gone 1.2 s
    centres = np.tile([100.0, 100.0], (N, 1))
    centres[30:] = [400.0, 100.0]  # jumps 300 px (5 eye distances) at frame 30
    spans = split_tracks(0, present, centres, np.full(N, 60.0), t, np.array([95]),
                         jump_eye_distances=1.5, gap_s=1.0)
    assert [(s.start, s.end, s.why) for s in spans] == [
        (0, 29, "clip start"), (30, 59, "another face"), (90, 94, "face reappeared"),
        (95, 99, "new shot")]


# --- the alarm rule on distance curves --------------------------------------------------------


def test_alarm_onset_is_the_switch_frame():
    t = np.arange(N) / FPS
    rng = np.random.default_rng(RNG_SEED)
    emb = np.vstack([noisy(A, 47, rng), noisy(B, N - 47, rng)])
    raw = np.linalg.norm(emb - A, axis=1)
    smooth = smoothed_distance(emb, A, np.ones(N, bool), t, 0.36)
    (alarm,) = find_alarms(raw, smooth, emb, t, on=0.55, off=0.47, near=0.35,
                           min_duration_s=0.2, switch_step=0.55, tolerance=0.06,
                           lookback_s=0.6)
    assert alarm.onset == 47 and alarm.abrupt
    assert alarm.last_near == 46
    assert alarm.rise_s == pytest.approx(1 / FPS)
    assert alarm.step > 1.0
    assert alarm.segment.start > 47  # the smoothed curve crosses later; the onset walks back


def test_short_excursion_is_not_an_alarm():
    t = np.arange(N) / FPS
    raw = np.full(N, 0.2)
    raw[50:54] = 0.9  # 160 ms, below the 200 ms minimum
    emb = np.zeros((N, 128))
    assert find_alarms(raw, raw, emb, t, on=0.55, off=0.47, near=0.35,
                       min_duration_s=0.2, switch_step=0.55, tolerance=0.06,
                       lookback_s=0.6) == []


def test_matched_pose_distance_grows_only_when_identity_drifts():
    rng = np.random.default_rng(RNG_SEED)
    t = np.arange(N) / FPS
    yaw = np.tile([0.0, 20.0], N // 2)  # the head alternates between two poses
    pitch, mouth, usable = np.zeros(N), np.zeros(N), np.ones(N, bool)
    side = A + 0.3 * (B - A) / np.linalg.norm(B - A)  # the turned view reads 0.3 away
    same = np.where(yaw[:, None] > 10, side, A) + rng.normal(0, 0.05 / np.sqrt(128), (N, 128))
    w = np.linspace(0, 0.4, N)[:, None]  # slowly becomes someone else
    drift = (1 - w) * same + w * B
    steady = matched_pose_distance(same, usable, t, yaw, pitch, mouth)
    drifting = matched_pose_distance(drift, usable, t, yaw, pitch, mouth)
    assert steady < 0.1  # the 0.3 from the head turn is never compared
    assert drifting > 0.3


# --- the detector on hand-built clips ----------------------------------------------------------


def test_abrupt_switch_found_at_its_frame():
    rng = np.random.default_rng(RNG_SEED)
    emb = np.vstack([noisy(A, 40, rng), noisy(B, N - 40, rng)])[:, None, :]
    result = run(clip(emb))
    assert result.status == "fail"
    (f,) = result.findings
    assert f.kind == "identity_switch"
    assert f.first_s == pytest.approx(40 / FPS)
    assert f.measured["distance_after"] > 0.9
    assert [e.label for e in f.evidence] == ["reference", "before", "first failure"]
    assert f.evidence[0].t_s < 0.4  # the reference comes from the first clean frames
    assert f.evidence[2].box is not None
    assert result.details["stability_score"] == 0.0
    curve = result.details["signals"]["identity_distance_face1"]
    assert len(curve["t_s"]) == len(curve["values"]) == N


def test_gradual_drift_found_near_its_start():
    rng = np.random.default_rng(RNG_SEED)
    w = np.clip((np.arange(N) - 30) / 25, 0, 1)[:, None]  # A -> B over 1 s from frame 30
    emb = ((1 - w) * A + w * B + rng.normal(0, 0.15 / np.sqrt(128), (N, 128)))[:, None, :]
    result = run(clip(emb))
    (f,) = result.findings
    assert f.kind == "identity_drift"
    assert 30 / FPS <= f.first_s <= 30 / FPS + 0.5
    assert [e.label for e in f.evidence][-1] == "most different"


def test_cross_dissolve_between_shots_is_a_new_shot_not_drift():
    """The same face change as above, but the whole picture changes with it: an edit."""
    rng = np.random.default_rng(RNG_SEED)
    w = np.clip((np.arange(N) - 30) / 25, 0, 1)[:, None]
    emb = ((1 - w) * A + w * B + rng.normal(0, 0.15 / np.sqrt(128), (N, 128)))[:, None, :]
    sig = clip(emb)
    shot1, shot2 = (rng.integers(0, 256, (16, 16, 3)) for _ in range(2))  # unrelated pictures
    w4 = w[:, :, None, None]
    sig.measured["face.thumb"] = np.rint((1 - w4) * shot1 + w4 * shot2).astype(np.uint8)
    result = run(sig)
    assert result.status == "pass"
    (event,) = result.details["events"]
    assert "cross-dissolve" in event["description"]
    assert event["t_s"] == pytest.approx(55 / FPS)  # where the blend is complete
    assert result.details["shot_starts_s"] == [event["t_s"]]
    assert [tr["starts_because"] for tr in result.details["tracks"]] == ["clip start",
                                                                         "new shot"]


def test_face_fade_on_a_still_picture_is_drift_not_a_dissolve():
    """Only the face region blends into another face: the rest of the picture stays."""
    rng = np.random.default_rng(RNG_SEED)
    w = np.clip((np.arange(N) - 30) / 25, 0, 1)[:, None]
    emb = ((1 - w) * A + w * B + rng.normal(0, 0.15 / np.sqrt(128), (N, 128)))[:, None, :]
    sig = clip(emb)
    scene = rng.integers(0, 256, (16, 16, 3))
    face1, face2 = (rng.integers(0, 256, (3, 3, 3)) for _ in range(2))
    thumbs = np.repeat(scene[None], N, axis=0).astype(np.float64)
    w4 = w[:, :, None, None]
    thumbs[:, 6:9, 6:9] = (1 - w4) * face1 + w4 * face2
    sig.measured["face.thumb"] = np.rint(thumbs).astype(np.uint8)
    (finding,) = run(sig).findings
    assert finding.kind == "identity_drift"


def test_same_person_passes_with_high_stability():
    rng = np.random.default_rng(RNG_SEED)
    result = run(clip(noisy(A, N, rng)[:, None, :]))
    assert result.status == "pass"
    assert result.details["stability_score"] > 0.9


def test_one_frame_flicker_is_no_finding_but_lowers_stability():
    rng = np.random.default_rng(RNG_SEED)
    emb = noisy(A, N, rng)
    emb[60] = noisy(B, 1, rng)[0]  # one frame shows someone else
    result = run(clip(emb[:, None, :]))
    assert result.status == "pass"
    (track,) = result.details["tracks"]
    assert track["largest_frame_step"] > 1.0
    assert result.details["stability_score"] == 0.0


def test_relative_rule_catches_close_people():
    """Two people only 0.50 apart stay under the absolute 0.55 but 0.42 above the baseline."""
    rng = np.random.default_rng(RNG_SEED)
    close = A + 0.50 * (B - A) / np.linalg.norm(B - A)
    emb = np.vstack([noisy(A, 50, rng, 0.05), noisy(close, N - 50, rng, 0.05)])[:, None, :]
    result = run(clip(emb))
    assert [f.first_s for f in result.findings] == [pytest.approx(50 / FPS)]
    assert result.findings[0].threshold["on"] < 0.55


def test_profile_frames_are_not_compared():
    rng = np.random.default_rng(RNG_SEED)
    emb = noisy(A, N, rng)
    emb[40:70] = noisy(B, 30, rng)  # a profile view reads as someone else
    pts = np.stack([face_points(320, 240, 60, 0.0)] * N)
    pts[40:70] = face_points(320, 240, 60, 60.0)
    result = run(clip(emb[:, None, :], points=pts[:, None]))
    assert result.status == "pass"


def test_shot_cut_restarts_reference_and_reports_new_shot():
    rng = np.random.default_rng(RNG_SEED)
    emb = np.vstack([noisy(A, 50, rng), noisy(B, N - 50, rng)])[:, None, :]
    result = run(clip(emb, cut_at=50))
    assert result.status == "pass"
    assert result.details["shot_starts_s"] == [pytest.approx(50 / FPS)]
    assert "new shot" in result.details["events"][0]["description"]
    assert [tr["starts_because"] for tr in result.details["tracks"]] == ["clip start",
                                                                         "new shot"]


def test_two_faces_each_keep_their_own_reference():
    rng = np.random.default_rng(RNG_SEED)
    emb = np.stack([noisy(A, N, rng), noisy(B, N, rng)], axis=1)
    result = run(clip(emb))
    assert result.status == "pass"
    assert len(result.details["tracks"]) == 2


def test_switch_in_second_face_names_that_face():
    rng = np.random.default_rng(RNG_SEED)
    second = np.vstack([noisy(B, 60, rng), noisy(A, N - 60, rng)])
    emb = np.stack([noisy(A, N, rng), second], axis=1)
    (f,) = run(clip(emb)).findings
    assert f.track == 1 and f.first_s == pytest.approx(60 / FPS)
    assert f.description.startswith("face 2 becomes a different person at 2.40 s")


def test_no_face_is_skipped():
    emb = np.full((N, 1, 128), np.nan)
    pts = np.full((N, 1, 478, 3), np.nan, np.float32)
    result = run(clip(emb, points=pts))
    assert result.status == "skipped" and "no face" in result.reason


def test_small_face_is_inconclusive_with_its_size():
    emb = np.full((N, 1, 128), np.nan)  # the analyser embeds no face this small
    pts = np.stack([face_points(320, 240, 18.0)] * N)[:, None]
    result = run(clip(emb, points=pts))
    assert result.status == "inconclusive"
    assert "18 px between the eyes" in result.reason and "28 px" in result.reason


def test_matched_pose_distance_memory_stays_flat_on_a_long_clip():
    """A 5-minute clip at 30 fps, every frame embedded and in the same pose: all pairs match.

    Without bounds this compared 40 million pairs (gigabytes); now at most 1200 frames are
    paired and distances are taken in chunks.
    """
    import tracemalloc

    n = 9000
    rng = np.random.default_rng(3)
    emb = rng.normal(0, 0.02, (n, 128)) + 0.1
    t = np.arange(n) / 30.0
    flat = np.zeros(n)
    tracemalloc.start()
    value = matched_pose_distance(emb, np.ones(n, bool), t, flat, flat, flat)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    assert peak_mb < 150
    expected = np.sqrt(2 * 128) * 0.02  # distance between two independent noise vectors
    assert value == pytest.approx(expected, rel=0.05)
