"""Accuracy of the identity-drift check on real media: false alarms, catch rate, onset error.

Runs the full pipeline (face mesh + sparse/dense dlib embeddings + detector) once per clip:

- negatives: every real same-person clip in ``faces/`` and ``speech/`` (not the AI-generated
  ``aigen_*`` ones, which are listed separately for information, nor the scene-cut clip, which
  is checked for "new shot" events instead of findings);
- positives built in a temporary folder: ``ghost_src_dance`` spliced with each
  ``aigen_ghost_swap_*`` clip (and back) at several frames, and cross-fades between them over
  0.5 s, 1 s and 2 s;
- the generated clip with visible identity drift (stability score only: no ground truth).

Usage::

    AVA_TEST_MEDIA=../shared/media PYTHONPATH=src python benchmarks/identity_accuracy.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from identity_media import (  # noqa: E402
    GHOST_SOURCE,
    GHOST_SWAPS,
    crossfade,
    ghost_swap,
    read_frames,
    splice,
    write_clip,
)

from ava_detect.pipeline import Analyzer  # noqa: E402
from ava_detect.settings import Settings  # noqa: E402

SCENE_CUTS = "faces/facerec_hamilton_clip_scene_cuts.mp4"
DRIFT_CLIP = "generated/mimicmotion_cmp_musev_4_identity_drift.mp4"
SPLICE_FRAMES = (12, 20, 33, 46, 56)
FADE_FRAMES = (12, 25, 50)  # 0.5 s, 1 s, 2 s at 25 fps
FADE_START = 12


def negatives(media: Path) -> tuple[list[str], list[str]]:
    """(real same-person clips, AI-generated single-identity clips), relative paths."""
    real, generated = [], []
    for folder in ("faces", "speech"):
        for path in sorted((media / folder).iterdir()):
            if path.suffix not in (".mp4", ".webm") or f"{folder}/{path.name}" == SCENE_CUTS:
                continue
            (generated if path.name.startswith("aigen_") else real).append(f"{folder}/{path.name}")
    return real, generated


def build_positives(media: Path, folder: Path, quick: bool) -> list[dict]:
    """Spliced and cross-faded clips with their ground-truth onset frame."""
    src, fps = read_frames(media / GHOST_SOURCE)
    cases = []
    swaps = GHOST_SWAPS[:1] if quick else GHOST_SWAPS
    for name in swaps:
        other, _ = read_frames(media / ghost_swap(name))
        for at in SPLICE_FRAMES[1:4] if quick else SPLICE_FRAMES:
            for label, a, b in ((f"src->{name}", src, other), (f"{name}->src", other, src)):
                path = write_clip(folder / f"splice_{label.replace('->', '_to_')}_{at}.mp4",
                                  splice(a, b, at), fps)
                cases.append({"kind": "splice", "name": f"{label} @{at}", "path": path,
                              "onset": at, "fps": fps})
        for length in FADE_FRAMES[1:2] if quick else FADE_FRAMES:
            path = write_clip(folder / f"fade_{name}_{length}.mp4",
                              crossfade(src, other, FADE_START, length), fps)
            cases.append({"kind": "morph", "name": f"src->{name} fade {length / fps:.1f} s",
                          "path": path, "onset": FADE_START, "fps": fps})
    return cases


def run(analyzer: Analyzer, path: Path) -> dict:
    start = time.perf_counter()
    analysis = analyzer.analyze(path)
    check = analysis.report.checks["identity"]
    tracks = check.details.get("tracks", [])
    return {
        "status": check.status,
        "findings": check.findings,
        "stability": check.details.get("stability_score"),
        "matched": check.details.get("matched_pose_distance"),
        "step": max((t.get("largest_frame_step") or 0.0 for t in tracks), default=float("nan")),
        "max_distance": max((t["max_distance"] or 0.0 for t in tracks), default=float("nan")),
        "embedded": check.details.get("embedded_fraction", 0.0),
        "shots": len(check.details.get("shot_starts_s", [])),
        "frames": analysis.signals.n_frames,
        "t_s": analysis.signals.t_s,
        "seconds": time.perf_counter() - start,
        "reason": check.reason,
    }


def _fmt(v: float | None, spec: str = ".2f") -> str:
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer built cases")
    args = parser.parse_args()
    media = Path(os.environ.get("AVA_TEST_MEDIA", Path(__file__).parents[2] / "shared/media"))
    analyzer = Analyzer(Settings(checks=("identity",)))
    real, generated = negatives(media)

    print("## Negatives: one person throughout (findings are false alarms)\n")
    print("| clip | frames | embedded | status | findings | max dist | matched-pose dist "
          "| largest step | stability | s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    false_alarms = frames = embedded = 0
    for group in (real, generated, [SCENE_CUTS, DRIFT_CLIP]):
        for rel in group:
            r = run(analyzer, media / rel)
            kinds = ", ".join(f"{f.kind}@{f.first_s:.2f}" for f in r["findings"]) or "-"
            if rel in real:
                false_alarms += bool(r["findings"])
                frames += r["frames"]
                embedded += r["embedded"] * r["frames"]
            extra = f" ({r['shots']} new shots)" if r["shots"] else ""
            status = r["status"] + (f": {r['reason']}" if r["reason"] else "")
            print(f"| {rel}{extra} | {r['frames']} | {r['embedded']:.0%} | {status} | {kinds} "
                  f"| {_fmt(r['max_distance'])} | {_fmt(r['matched'])} | {_fmt(r['step'])} "
                  f"| {_fmt(r['stability'])} "
                  f"| {r['seconds']:.1f} |")
    print(f"\nReal same-person clips: {len(real)}, with a finding: {false_alarms}; "
          f"embedded {embedded / max(frames, 1):.0%} of {frames} frames.\n")

    print("## Positives built from ghost_src_dance and the GHOST swaps\n")
    print("| case | caught | kind | onset frame | truth | error (frames) | s |")
    print("|---|---|---|---|---|---|---|")
    summary: dict[str, list] = {"splice": [], "morph": []}
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as tmp:
        for case in build_positives(media, Path(tmp), args.quick):
            r = run(analyzer, case["path"])
            first = r["findings"][0] if r["findings"] else None
            onset = int(np.argmin(np.abs(r["t_s"] - first.first_s))) if first else None
            err = None if onset is None else onset - case["onset"]
            summary[case["kind"]].append(err)
            print(f"| {case['name']} | {'yes' if first else 'NO'} | "
                  f"{first.kind if first else '-'} | {_fmt(onset, 'd')} | {case['onset']} | "
                  f"{_fmt(err, '+d')} | {r['seconds']:.1f} |")
    print()
    for kind, errs in summary.items():
        got = [e for e in errs if e is not None]
        if not errs:
            continue
        abs_err = np.abs(got) if got else np.array([np.nan])
        print(f"{kind}: caught {len(got)}/{len(errs)}; onset error frames: median "
              f"{np.median(abs_err):.1f}, max {np.max(abs_err):.0f}")


if __name__ == "__main__":
    main()
