"""Accuracy of the identity-drift check on real media: false alarms, catch rate, onset error.

Runs the full pipeline (face mesh + sparse/dense dlib embeddings + detector) once per clip:

- negatives: every real same-person clip in ``faces/`` and ``speech/`` (not the AI-generated
  ``aigen_*`` ones, which are listed separately for information, nor the scene-cut clip, which
  is checked for "new shot" events instead of findings);
- positives built in a temporary folder: ``ghost_src_dance`` spliced with each
  ``aigen_ghost_swap_*`` clip (and back) at several frames, and cross-fades between them over
  0.5 s, 1 s and 2 s;
- real generator output (``generated2/`` per ``generated2-labels.json``, the MagicDance
  panels cropped to their own clips, ``generated/``): each identity FAILURE counts as caught
  when a finding starts inside a labelled window widened by 0.3 s; each clip whose face stays
  the same counts a false finding if it has any.

Work is counted, not timed: face embeddings per frame (all faces) and colour measures per frame.

Face breakup is a measurement (``details["face_breakup"]``), not a finding: for each clip the
lowest face-box structure held for 3 frames relative to the face's own previous 2 s, where it
is, and the mesh dropouts inside a track. The summary lines give the level below which the
failures lie and the lowest level on real footage (any threshold between would be clean).

Usage::

    AVA_TEST_MEDIA=../shared/media PYTHONPATH=src python benchmarks/identity_accuracy.py \
        [--quick] [--part real|generated|built]
"""

from __future__ import annotations

import argparse
import json
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
SPLICE_FRAMES = (12, 20, 33, 46, 56)
WINDOW_SLACK_S = 0.3  # generated2-labels.json: a finding counts when within 0.3 s of a window
# MagicDance figures: five panels side by side, 528 px each (GT, pose, TPS, Disco, MagicDance).
MAGICDANCE_PANEL_W = 528
MAGICDANCE = {
    "generated2/magicdance_fig1_gt_pose_tps_disco_ours_identity_drift.mp4":
        {"disco": (3, "failure"), "magicdance": (4, "negative")},
    "generated2/magicdance_fig2_gt_pose_tps_disco_ours_face_smear.mp4":
        {"tps": (2, "failure"), "magicdance": (4, "negative")},
}
# Clips of generated/ with a face; the musev clip has no labelled window (visible drift by
# frame 150, so any finding counts), the rest keep one face.
GENERATED_FACES = {
    "generated/mimicmotion_cmp_musev_4_identity_drift.mp4": ("failure", [[0.0, 1e9]]),
    "generated/animatediff_model_04_02_bearded_man_portrait.mp4": ("negative", []),
    "generated/animatediff_motionlora_02_01_woman_zoom.mp4": ("negative", []),
    "generated/sadtalker_camera_RD_Radio31_talking_audio.mp4": ("negative", []),
    "generated/sadtalker_still_full_e_talking_audio.mp4": ("negative", []),
    "generated/mimicmotion_sample_hb_0_halfbody_gestures.mp4": ("negative", []),
    "generated/mimicmotion_sample_hb_1_halfbody_gestures.mp4": ("negative", []),
    "generated/mimicmotion_cmp_moore_3_mouth_artifact.mp4": ("negative", []),
}
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


def generated_cases(media: Path, folder: Path) -> list[dict]:
    """Generated clips labelled for identity: (clip, label, windows), panels cropped."""
    labels = json.loads((media / "generated2-labels.json").read_text())["clips"]
    cases = []
    for name, modes in sorted(labels.items()):
        rel = f"generated2/{name}"
        if "identity" not in modes or rel in MAGICDANCE or not name.endswith(".mp4"):
            continue
        ident = modes["identity"]
        cases.append({"name": rel, "path": media / rel, "label": ident["label"],
                      "windows": ident.get("windows", [])})
    for rel, panels in MAGICDANCE.items():
        windows = labels[Path(rel).name]["identity"].get("windows", [])
        frames, fps = read_frames(media / rel)
        for panel, (index, label) in panels.items():
            x = index * MAGICDANCE_PANEL_W
            path = write_clip(folder / f"{Path(rel).stem}_{panel}.mp4",
                              [f[:, x : x + MAGICDANCE_PANEL_W] for f in frames], fps)
            cases.append({"name": f"{rel} [{panel} panel]", "path": path, "label": label,
                          "windows": windows if label == "failure" else []})
    for rel, (label, windows) in GENERATED_FACES.items():
        cases.append({"name": rel, "path": media / rel, "label": label, "windows": windows})
    return cases


def in_window(t_s: float, windows: list[list[float]]) -> bool:
    return any(a - WINDOW_SLACK_S <= t_s <= b + WINDOW_SLACK_S for a, b in windows)


def run(analyzer: Analyzer, path: Path) -> dict:
    start = time.perf_counter()
    analysis = analyzer.analyze(path)
    check = analysis.report.checks["identity"]
    tracks = check.details.get("tracks", [])
    sig = analysis.signals
    emb = sig.measured.get("face.embedding")
    n = max(sig.n_frames, 1)
    faces = int(sig.faces.present.sum()) if sig.faces is not None else 0
    colour = sum(int(np.isfinite(sig.measured[k][..., 0]).sum())
                 for k in ("face.skin_ab", "face.iris_ab") if k in sig.measured)
    breakup = check.details.get("face_breakup", {}).get("faces", [])
    lows = [f for f in breakup if f["lowest_relative_structure"] is not None]
    low = min(lows, key=lambda f: f["lowest_relative_structure"]) if lows else None
    sharp = sig.measured.get("face.sharpness")
    return {
        "breakup": low["lowest_relative_structure"] if low else None,
        "breakup_t": low["t_s"] if low else None,
        "breakup_ring": low["ring_relative_structure"] if low else None,
        "dropouts": sum(f["mesh_dropouts"] for f in breakup),
        "longest_dropout": max((f["longest_mesh_dropout_s"] for f in breakup), default=0.0),
        "structure_per_frame": (int(np.isfinite(sharp).sum()) / n) if sharp is not None else 0.0,
        "emb_per_frame": (int(np.isfinite(emb[..., 0]).sum()) / n) if emb is not None else 0.0,
        "colour_per_frame": colour / n, "faces_per_frame": faces / n,
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


def _breakup(r: dict) -> str:
    if r["breakup"] is None:
        return "-"
    return f"{r['breakup']:.2f} @ {r['breakup_t']:.2f} ({_fmt(r['breakup_ring'])})"


def _breakup_summary(lows: dict[str, list]) -> None:
    """Face breakup as a would-be finding: where the failures' lowest structure lies against
    the lowest level of the clips whose face stays the same."""
    for label, rows in lows.items():
        if not rows:
            continue
        low = min(rows)
        print(f"Face breakup, {label} clips: lowest structure {low[0]:.2f} ({low[1]}), "
              f"highest {max(rows)[0]:.2f}; lowest in a labelled window: "
              f"{sum(p == 'yes' for _, _, p in rows)}/{len(rows)}.")
    print()


def _fmt(v: float | None, spec: str = ".2f") -> str:
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer built cases")
    parser.add_argument("--part", choices=("real", "generated", "built"), action="append",
                        help="run only these parts (repeatable); all by default")
    args = parser.parse_args()
    parts = set(args.part or ("real", "generated", "built"))
    media = Path(os.environ.get("AVA_TEST_MEDIA", Path(__file__).parents[2] / "shared/media"))
    analyzer = Analyzer(Settings(checks=("identity",)))
    if "real" in parts:
        run_real(analyzer, media)
    if "generated" in parts:
        run_generated(analyzer, media)
    if "built" in parts:
        run_built(analyzer, media, args.quick)


def run_generated(analyzer: Analyzer, media: Path) -> None:
    print("## Real generator output (generated2/, MagicDance panels, generated/)\n")
    print("| clip | label | window (s) | status | findings | caught | stability | largest step "
          "| embeddings/frame | breakup: lowest structure @ s (ring) | in window | mesh dropouts |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    caught = failures = false = negs = 0
    lows: dict[str, list] = {"failure": [], "negative": []}
    with tempfile.TemporaryDirectory(prefix="identity-gen-") as tmp:
        for case in generated_cases(media, Path(tmp)):
            r = run(analyzer, case["path"])
            kinds = ", ".join(f"{f.kind}@{f.first_s:.2f}" for f in r["findings"]) or "-"
            if case["label"] == "failure":
                failures += 1
                hit = any(in_window(f.first_s, case["windows"]) for f in r["findings"])
                caught += hit
                verdict = "yes" if hit else "NO"
            else:
                negs += 1
                false += bool(r["findings"])
                verdict = "FALSE" if r["findings"] else "clean"
            windows = ", ".join(f"{a:g}-{b:g}" if b < 1e8 else "any" for a, b in case["windows"])
            status = r["status"] + (f": {r['reason']}" if r["reason"] else "")
            placed = (("yes" if in_window(r["breakup_t"], case["windows"]) else "no")
                      if case["label"] == "failure" and r["breakup_t"] is not None else "-")
            if r["breakup"] is not None:
                lows[case["label"]].append((r["breakup"], case["name"], placed))
            print(f"| {case['name']} | {case['label']} | {windows or '-'} | {status} | {kinds} "
                  f"| {verdict} | {_fmt(r['stability'])} | {_fmt(r['step'])} "
                  f"| {r['emb_per_frame']:.2f} | {_breakup(r)} | {placed} "
                  f"| {r['dropouts']} ({r['longest_dropout']:.2f} s) |")
    print(f"\nGenerated face changes caught in their window: {caught}/{failures}; generated "
          f"clips whose face stays the same with a finding: {false}/{negs}.\n")
    _breakup_summary(lows)


def run_real(analyzer: Analyzer, media: Path) -> None:
    real, generated = negatives(media)

    print("## Negatives: one person throughout (findings are false alarms)\n")
    print("| clip | frames | embedded | status | findings | max dist | matched-pose dist "
          "| largest step | stability | breakup: lowest structure @ s (ring) | mesh dropouts "
          "| s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    false_alarms = frames = embedded = embeddings = colour = structure = 0
    lows: dict[str, list] = {"negative": []}
    for group in (real, generated, [SCENE_CUTS]):
        for rel in group:
            r = run(analyzer, media / rel)
            kinds = ", ".join(f"{f.kind}@{f.first_s:.2f}" for f in r["findings"]) or "-"
            if rel in real:
                false_alarms += bool(r["findings"])
                frames += r["frames"]
                embedded += r["embedded"] * r["frames"]
                embeddings += r["emb_per_frame"] * r["frames"]
                colour += r["colour_per_frame"] * r["frames"]
                structure += r["structure_per_frame"] * r["frames"]
                if r["breakup"] is not None:
                    lows["negative"].append((r["breakup"], rel, "-"))
            extra = f" ({r['shots']} new shots)" if r["shots"] else ""
            status = r["status"] + (f": {r['reason']}" if r["reason"] else "")
            print(f"| {rel}{extra} | {r['frames']} | {r['embedded']:.0%} | {status} | {kinds} "
                  f"| {_fmt(r['max_distance'])} | {_fmt(r['matched'])} | {_fmt(r['step'])} "
                  f"| {_fmt(r['stability'])} | {_breakup(r)} "
                  f"| {r['dropouts']} ({r['longest_dropout']:.2f} s) | {r['seconds']:.1f} |")
    print(f"\nReal same-person clips: {len(real)}, with a finding: {false_alarms}; "
          f"embedded {embedded / max(frames, 1):.0%} of {frames} frames; "
          f"{embeddings / max(frames, 1):.3f} embeddings, {colour / max(frames, 1):.2f} "
          f"colour measures and {structure / max(frames, 1):.2f} face-structure measures per "
          "frame.\n")
    _breakup_summary(lows)


def run_built(analyzer: Analyzer, media: Path, quick: bool) -> None:
    print("## Positives built from ghost_src_dance and the GHOST swaps\n")
    print("| case | caught | kind | onset frame | truth | error (frames) | s |")
    print("|---|---|---|---|---|---|---|")
    summary: dict[str, list] = {"splice": [], "morph": []}
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as tmp:
        for case in build_positives(media, Path(tmp), quick):
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
