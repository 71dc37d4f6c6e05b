"""Hand check accuracy: event recall on built edits, false-alarm frames on real hand clips.

Usage::

    AVA_TEST_MEDIA=../shared/media python benchmarks/hands_accuracy.py [--quick]
    AVA_TEST_MEDIA=../shared/media python benchmarks/hands_accuracy.py --sets [--cache DIR]

``--sets`` runs the check on real generator output instead (issue 15): per finding kind, the
generated hand-failure clips caught inside their visible window, and the clips and frames with
a hand finding among every real clip and the generated clips whose hands look fine
(``hands_sets.py``). ``--cache`` keeps each clip's result, so a second run only prints.

For every real hand video it prints the frames covered by each finding kind (all should be
0), then builds edited copies (mirror = palm/back flip, smear = collapse, erase_finger = four
fingers, pose_pop = instant re-pose) at several steady moments of each clip's hands and prints,
per edit, the share of events each finding kind caught at the first edited frame (+-1) and
any kind caught at all. Finger-count figures and the cost per frame follow.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hand_edits import EDITS, build  # noqa: E402

from ava_detect import Settings  # noqa: E402
from ava_detect.detectors.hands.detector import KINDS, track_values  # noqa: E402
from ava_detect.detectors.hands.rules import gate  # noqa: E402
from ava_detect.pipeline import Analyzer  # noqa: E402
from ava_detect.settings import parse_assignment  # noqa: E402
from ava_detect.signals.hands import hand_signals, track_hands  # noqa: E402

REAL = [
    "hands/mpsamples_hand_landmarker_test_video.mp4",
    "hands/mpsamples_gesture_recognizer_thumbsup_video.mp4",
    "hands/liveportrait_s20_hands_with_flower.mp4",
    "hands/slp_pose_test_video_signing.mp4",
]
EDIT_LEN = 4
HALF_WINDOW = 20  # frames kept either side of an edit


def covered_frames(check, t_s: np.ndarray) -> dict[str, int]:
    out = dict.fromkeys(KINDS, 0)
    for f in check.findings:
        out[f.kind] += int(np.sum((t_s >= f.start_s - 1e-6) & (t_s < f.end_s - 1e-6)))
    return out


def steady_moments(analysis, settings, per_track: int) -> list[tuple[int, int]]:
    """(track, frame) pairs where the hand was judged in the 6 frames before and after."""
    sig = analysis.signals
    tracks = track_hands(sig.hands)
    hs = hand_signals(tracks, sig.frame_size)
    pres = track_values(tracks, sig.measured.get("hand_presence.score"))
    ok = gate(hs, pres, settings.hands)
    out = []
    for t in range(tracks.n_tracks):
        good = [n for n in range(HALF_WINDOW, len(ok) - HALF_WINDOW)
                if ok[n - 6: n + 7 + EDIT_LEN, t].all()]
        picked: list[int] = []
        for n in good:
            if all(abs(n - m) >= 2 * HALF_WINDOW for m in picked):
                picked.append(n)
        step = max(1, len(picked) // per_track)
        out += [(t, n) for n in picked[::step][:per_track]]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one moment per hand track")
    ap.add_argument("--moments", type=int, default=3, help="edited moments per hand track")
    ap.add_argument("--sets", action="store_true",
                    help="generated failures and every real clip (issue 15 tables) only")
    ap.add_argument("--cache", type=Path, default=None, help="folder for --sets results")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting, as the CLI's --set (e.g. tracking.hand_model_complexity=0)")
    args = ap.parse_args()
    media = Path(os.environ.get("AVA_TEST_MEDIA", "../shared/media"))
    settings = Settings(checks=("hands",))
    for text in args.set:
        settings = settings.with_overrides(parse_assignment(text))
    analyzer = Analyzer(settings)
    if args.sets:
        from hands_sets import clip_sets, print_tables, run_clips, unlabelled_generated

        failures, plausible, real = clip_sets(media)
        others = unlabelled_generated(media)
        results = run_clips(analyzer, media, list(failures) + plausible + real + others,
                            args.cache)
        print_tables(results, failures, [("real (hands/, faces/, speech/)", real),
                                         ("plausible generated hands", plausible),
                                         ("generated, hands not labelled", others)], KINDS)
        analyzer.close()
        return
    # the same edits judged without the presence re-run: what hand_vanished catches alone
    no_presence = Analyzer(settings.with_overrides({"hands": {"presence_rerun": False}}))

    print("## False-alarm frames on real hand clips (frames inside a finding)\n")
    print("| clip | frames | judged pairs | " + " | ".join(KINDS) + " | finger count mode "
          "(confidence) |")
    print("|---" * (4 + len(KINDS)) + "|")
    originals = {}
    cost = {"hands_ms": [], "presence_ms": [], "fingers_ms": []}
    finger_rows = []
    for rel in REAL:
        path = media / rel
        a = analyzer.analyze(path)
        originals[rel] = a
        check = a.report.checks["hands"]
        n = a.signals.n_frames
        cost["hands_ms"].append(a.times.hands_s / n * 1000)
        cost["presence_ms"].append(float(np.nanmean(a.signals.measured["hand_presence.ms"])))
        cost["fingers_ms"].append(float(np.nanmean(a.signals.measured["finger_count.ms"])))
        fa = covered_frames(check, a.signals.t_s)
        tr = check.details.get("tracks", [])
        fc = ", ".join(f"{x['finger_count_mode']} ({x['finger_count_confidence']})"
                       for x in tr if x.get("finger_count_mode") is not None)
        finger_rows.append((Path(rel).stem, tr))
        print(f"| {Path(rel).stem} | {n} | {check.details.get('judged_frame_pairs')} | "
              + " | ".join(str(fa[k]) for k in KINDS) + f" | {fc} |")

    print("\n## Event recall on built edits (caught at the first edited frame +-1)\n")
    per_track = 1 if args.quick else args.moments
    results: dict[str, list[dict]] = {e: [] for e in EDITS}
    fingers_drop: list[tuple[float, float]] = []
    finger_events: list[bool] = []
    with tempfile.TemporaryDirectory() as tmp:
        for rel, a in originals.items():
            tracks = track_hands(a.signals.hands)
            for t, n in steady_moments(a, settings, per_track):
                window = (n - HALF_WINDOW, n + HALF_WINDOW)
                for edit in EDITS:
                    dst = Path(tmp) / f"{Path(rel).stem}_{t}_{n}_{edit}.mp4"
                    ed = build(media / rel, dst, edit, tracks.points[:, t], start=n,
                               length=EDIT_LEN, window=window)
                    res = analyzer.analyze(dst)
                    check = res.report.checks["hands"]
                    frames, row = _score(res, ed.start)
                    results[edit].append(row)
                    if edit in ("smear", "erase_hand"):
                        key = f"{edit} (presence re-run off)"
                        results.setdefault(key, []).append(
                            _score(no_presence.analyze(dst), ed.start)[1])
                    if edit == "erase_finger":
                        where = np.nanmean(tracks.points[n - 5: n, t, :, :2], axis=(0, 1))
                        fingers_drop.append(_finger_change(res, ed.start, where))
                        changes = [x for tr_d in check.details.get("tracks", [])
                                   for x in tr_d.get("finger_count_steady_changes_s", [])]
                        t0 = res.signals.t_s[ed.start]
                        finger_events.append(any(
                            abs(x - t0) <= 1.5 / ed.fps for x in changes))
                    print(f"  {Path(rel).stem} track {t} frame {n} {edit}: "
                          + (", ".join(f"{k}@{v}" for k, v in frames.items() if v) or "nothing")
                          + f" (edit at {ed.start})", file=sys.stderr)

    print("| edit | events | " + " | ".join(KINDS) + " | any kind | fired before the edit |")
    print("|---" * (4 + len(KINDS)) + "|")
    for edit, rows in results.items():
        m = len(rows)
        if not m:
            continue
        cells = [f"{sum(r['hit'][k] for r in rows) / m:.0%}" for k in KINDS]
        print(f"| {edit} | {m} | " + " | ".join(cells)
              + f" | {sum(r['any'] for r in rows) / m:.0%} | {sum(r['early'] for r in rows)} |")

    print("\n## Finger count (silhouette protrusions; a measurement, not an alarm)\n")
    print("| clip | track | steady frames' mode | agreement with mode | frames not 5 | changes "
          "| changes after 6 steady frames (would-be alarms) |")
    print("|---|---|---|---|---|---|---|")
    for stem, tracks_d in finger_rows:
        for x in tracks_d:
            if x["finger_count_mode"] is None:
                continue
            print(f"| {stem} | {x['track']} | {x['finger_count_mode']} | "
                  f"{x['finger_count_confidence']} | {x['finger_count_frames_not_5']} | "
                  f"{x['finger_count_changes']} | {len(x['finger_count_steady_changes_s'])} |")
    if finger_events:
        print(f"\nerase_finger: a steady count change at the edit (+-1 frame) in "
              f"{np.mean(finger_events):.0%} of {len(finger_events)} events")
    if fingers_drop:
        arr = np.array(fingers_drop, dtype=float)
        ok = ~np.isnan(arr).any(axis=1)
        drop = arr[ok, 0] - arr[ok, 1]
        print(f"\nerase_finger: median count before {np.median(arr[ok, 0]):.1f}, during "
              f"{np.median(arr[ok, 1]):.1f}; count fell by >= 1 in {np.mean(drop >= 1):.0%} "
              f"of {ok.sum()} events")

    print("\n## Cost per frame (this machine, shared cores)\n")
    for k, v in cost.items():
        print(f"- {k}: {np.mean(v):.1f} ms (per clip: {', '.join(f'{x:.0f}' for x in v)})")
    analyzer.close()
    no_presence.close()


def _score(res, start: int) -> tuple[dict, dict]:
    """First frames of each finding kind, and whether each kind caught the edit at ``start``
    (+-1 frame) or anything fired before it."""
    frames: dict[str, list[int]] = {k: [] for k in KINDS}
    for f in res.report.checks["hands"].findings:
        frames[f.kind].append(int(np.argmin(np.abs(res.signals.t_s - f.first_s))))
    early = any(m < start - 1 for v in frames.values() for m in v)
    hit = {k: any(abs(m - start) <= 1 for m in v) for k, v in frames.items()}
    return frames, {"hit": hit, "any": any(hit.values()), "early": early}


def _finger_change(res, start: int, where: np.ndarray) -> tuple[float, float]:
    """Median finger count of the edited hand (the track nearest ``where``, (2,) px) in the 5
    frames before the edit vs the edited frames."""
    sig = res.signals
    tracks = track_hands(sig.hands)
    if tracks.n_tracks == 0:
        return (np.nan, np.nan)
    count = track_values(tracks, sig.measured.get("finger_count.count"), carry_lost=False)
    centres = np.nanmean(tracks.points[max(0, start - 5): start, :, :, :2], axis=(0, 2))
    t = int(np.nanargmin(np.linalg.norm(centres - where, axis=1)))
    b, d = count[max(0, start - 5): start, t], count[start: start + EDIT_LEN, t]
    return (float(np.nanmedian(b)) if np.isfinite(b).any() else np.nan,
            float(np.nanmedian(d)) if np.isfinite(d).any() else np.nan)


if __name__ == "__main__":
    main()
