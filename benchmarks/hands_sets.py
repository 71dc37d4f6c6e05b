"""The hand check on real generator output and on every real clip: the issue-15 tables.

Used by ``hands_accuracy.py --sets``. Failure clips come with the windows (clip seconds) where
their broken hands are visible (``generated2-labels.json``, and the frame numbers of
``SOURCES-hands.md`` for ``generated/``); a finding catches a clip when its span (first_s to
end_s) meets a window widened by ``WIDEN_S``. Negatives: every real clip (hands/, faces/,
speech/), the generated clips whose hands look fine, and the ``generated2/`` clips whose labels
say nothing of hands; any hand finding there is false.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np

WIDEN_S = 0.3
VIDEO = (".mp4", ".webm", ".gif", ".mov")
# generated/ clips with hands that break (SOURCES-hands.md, frame numbers at 30 / 8 fps)
GENERATED_FAILURES = {
    "generated/mimicmotion_sample_hb_0_halfbody_gestures.mp4":
        [(13 / 30, 17 / 30), (25 / 30, 25 / 30), (53 / 30, 57 / 30), (60 / 30, 72 / 30)],
    "generated/mimicmotion_sample_hb_1_halfbody_gestures.mp4":
        [(30 / 30, 30 / 30), (50 / 30, 50 / 30), (56 / 30, 56 / 30)],
    "generated/cogvideox_3_spray_painting_hand.mp4": [(0.0, 6.125)],  # a blob throughout
}


def clip_sets(media: Path) -> tuple[dict[str, list], list[str], list[str]]:
    """(failure clip -> windows, plausible generated clips, real clips), paths relative to
    ``media``."""
    labels = json.loads((media / "generated2-labels.json").read_text())["clips"]
    failures: dict[str, list] = dict(GENERATED_FAILURES)
    plausible = []
    for name, entry in labels.items():
        hands = entry.get("hands", {})
        if hands.get("label") == "failure":
            failures[f"generated2/{name}"] = [tuple(w) for w in hands["windows"]]
        elif hands.get("label") == "negative":
            plausible.append(f"generated2/{name}")
    real = [f"{sub}/{p.name}" for sub in ("hands", "faces", "speech")
            for p in sorted((media / sub).iterdir()) if p.suffix.lower() in VIDEO]
    return failures, sorted(plausible), real


def unlabelled_generated(media: Path) -> list[str]:
    """The ``generated2/`` clips whose labels say nothing of hands (talking heads, singers, a
    cosplayer in mittens): no hand failure was seen there, so any hand finding is false too."""
    labels = json.loads((media / "generated2-labels.json").read_text())["clips"]
    return sorted(f"generated2/{p.name}" for p in (media / "generated2").iterdir()
                  if p.suffix.lower() in VIDEO and "hands" not in labels.get(p.name, {}))


def run_clips(analyzer, media: Path, rels: list[str], cache: Path | None) -> dict[str, dict]:
    """Each clip's hand check as {status, reason, findings[(kind, first_s, start_s, end_s)],
    t_s, frames}; read from / written to ``cache`` (one pickle per clip) when given."""
    out = {}
    for rel in rels:
        path = cache / (rel.replace("/", "__") + ".hands.pkl") if cache else None
        if path is not None and path.exists():
            out[rel] = pickle.loads(path.read_bytes())
            continue
        a = analyzer.analyze(media / rel)
        check = a.report.checks["hands"]
        rec = {"status": check.status, "reason": check.reason, "t_s": a.signals.t_s,
               "findings": [(f.kind, f.first_s, f.start_s, f.end_s) for f in check.findings],
               "pose_runs": int(np.nansum(a.signals.measured.get("hand_pose.ran", [0]))),
               "flows": int(np.nansum(a.signals.measured.get("hand_change.flows", [0])))}
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(rec))
        out[rel] = rec
    return out


def caught(rec: dict, windows: list, kind: str | None = None) -> bool:
    """A finding (of ``kind``, or any) whose span (first_s to end_s) meets a widened window:
    the labels mark example frames of failures that often last longer (a hand that stays
    melted is reported from where it starts)."""
    return any((kind is None or k == kind) and any(
        first <= b + WIDEN_S and max(end, first) >= a - WIDEN_S for a, b in windows)
        for k, first, _s, end in rec["findings"])


def frames_in_findings(rec: dict) -> int:
    t = rec["t_s"]
    covered = np.zeros(len(t), bool)
    for _k, _f, start, end in rec["findings"]:
        covered |= (t >= start - 1e-6) & (t < end - 1e-6)
    return int(covered.sum())


def print_tables(results: dict[str, dict], failures: dict[str, list],
                 negatives: list[tuple[str, list[str]]], kinds: tuple[str, ...]) -> None:
    """The recall table per kind and the false-finding table (one row per named set of
    negatives)."""
    print("\n## Generated hand failures caught inside their window (+-0.3 s)\n")
    print("| clip | status | " + " | ".join(kinds) + " | any |")
    print("|---" * (3 + len(kinds)) + "|")
    for rel, windows in failures.items():
        rec = results[rel]
        cells = ["x" if caught(rec, windows, k) else "" for k in kinds]
        print(f"| {Path(rel).name} | {rec['status']} | " + " | ".join(cells)
              + f" | {'yes' if caught(rec, windows) else 'no'} |")
    n = len(failures)
    per_kind = [sum(caught(results[r], w, k) for r, w in failures.items()) for k in kinds]
    total = sum(caught(results[r], w) for r, w in failures.items())
    print("| **caught** | | " + " | ".join(f"{c}/{n}" for c in per_kind)
          + f" | **{total}/{n}** |")
    print("\n## Hand findings on negatives (clips with a finding / frames inside findings)\n")
    print("| set | clips | with hands | clips with a finding | frames in findings | "
          "statuses |")
    print("|---|---|---|---|---|---|")
    for name, rels in negatives:
        recs = [results[r] for r in rels]
        with_hands = sum(r["reason"] != "no hand was found in any frame" for r in recs)
        bad = [r for r in rels if results[r]["findings"]]
        statuses: dict[str, int] = {}
        for r in recs:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        print(f"| {name} | {len(rels)} | {with_hands} | {len(bad)} | "
              f"{sum(frames_in_findings(results[r]) for r in rels)} | "
              + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + " |")
        for r in bad:
            print(f"  - {r}: " + ", ".join(f"{k}@{f:.2f}s" for k, f, _s, _e in
                                             results[r]["findings"]))
    frames = sum(len(results[r]["t_s"]) for r in results)
    pose = sum(results[r].get("pose_runs", 0) for r in results)
    flows = sum(results[r].get("flows", 0) for r in results)
    print(f"\nCost counts over {len(results)} clips, {frames} frames: pose runs {pose} "
          f"({pose / max(frames, 1):.2f} a frame), flow fields {flows} "
          f"({flows / max(frames, 1):.2f} a frame)")
