"""Analysis speed and memory per clip and stage, against the goals of issue 18.

Makes 10 s clips at 720p30 and 1080p30 with a real talking face and a real pair of moving hands
(``speed_clips.py``), adds real clips from ``AVA_TEST_MEDIA`` when it is set, and for each clip
runs, each in its own child process (so each has its own peak memory):

- a decode-only pass (every frame decoded and converted to RGB at the analysis size, as the
  pipeline does), and
- the full job of the CLI: all three checks, evidence frames, PDF, ticket and JSON, and
- the machine's floor (``model_costs.py``): each model and frame analyser run alone, one after
  another, on the clip's first 300 frames: CPU ms per frame of each, and their sum spread over
  the cores as the lowest wall time these models and schedules allow on this machine.

It prints per clip and stage the wall seconds (median over repeats), the real-time factor
(clip seconds / analysis seconds), the ratio of analysis time to decode-only time of the same
run, CPU seconds, and peak RSS, with the goals beside them; ``--json FILE`` also writes all runs.
Model loading (once per process; a batch worker pays it once) is timed apart as ``load``.
CPU seconds and peak RSS include the child process that computes face descriptors
(:class:`ava_detect.embedding.DescriptorProcess`): peak RSS is the parent's peak plus the
child's.

    PYTHONPATH=src python benchmarks/speed.py [--repeats 3] [--long] [--json out.json]
                                              [--set tracking.hand_model_complexity=0]

``--long`` also makes a 5-minute 720p clip (the 10 s one repeated) to check that memory stays
flat and time grows linearly with length. The machine may be shared: the load average before
each run is recorded; compare only figures measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model_costs import descriptor_process_cpu_s  # noqa: E402 - after the path is set

GOALS = {
    "720p30 10 s, all checks": "real-time factor >= 3, analysis <= 6 x decode-only",
    "real clips, whole process": "real-time factor >= 3",
    "1080p30 10 s": "real-time factor >= 2.5",
    "5 min 720p30": "peak RSS < 1.5 GB; seconds per clip second within 10 % of the 10 s clip",
}
# Stage rows of the table: (label, key in a run's "stages").
STAGES = (
    ("decode", "decode"),
    ("hand landmarks", "hands"),
    ("face landmarks", "faces"),
    ("hand pixel work (presence, fingers)", "hand_pixels"),
    ("identity embedding + face colour", "identity"),
    ("audio", "audio"),
    ("detectors", "detect"),
    ("evidence frames", "evidence"),
    ("PDF + ticket + JSON", "pdf"),
)


# --------------------------------------------------------------------------- child processes


def _child_decode(clip: str) -> dict:
    from ava_detect.media import iter_frames, probe
    from ava_detect.settings import Settings

    info = probe(clip)
    wall, cpu = time.perf_counter(), time.process_time()
    n = sum(
        1
        for _ in iter_frames(clip, max_side=Settings().analysis_max_side, rotation=info.rotation)
    )
    return {
        "frames": n,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child_analyze(clip: str, out_dir: str, *assignments: str) -> dict:
    from ava_detect.output.clip_job import write_pack
    from ava_detect.output.paths import output_paths, prepare_output
    from ava_detect.pipeline import Analyzer
    from ava_detect.settings import Settings, parse_assignment

    settings = Settings()
    for text in assignments:
        settings = settings.with_overrides(parse_assignment(text))
    start = time.perf_counter()
    analyzer = Analyzer(settings)
    models = analyzer.models
    models.hand_tracker(), models.face_tracker(), models.hand_rerun()  # noqa: B018
    embedder = models.embedder()
    embedder.embed([np.zeros((150, 150, 3), np.uint8)])  # the descriptor process is ready
    load_s = time.perf_counter() - start
    paths = output_paths(clip, out_dir)
    prepare_output(paths)
    wall, cpu = time.perf_counter(), time.process_time()
    helper_cpu = descriptor_process_cpu_s(embedder)
    analysis = analyzer.analyze(clip)
    analysis_wall, analysis_cpu = time.perf_counter() - wall, time.process_time() - cpu
    helper_cpu = descriptor_process_cpu_s(embedder) - helper_cpu
    wall, cpu = time.perf_counter(), time.process_time()
    pack_error = None
    try:
        write_pack(analysis, clip, paths)
    except Exception as exc:  # noqa: BLE001 - a pack bug is reported, the timing still counts
        pack_error = f"{type(exc).__name__}: {str(exc)[:300]}"
    pack_wall, pack_cpu = time.perf_counter() - wall, time.process_time() - cpu
    helper_rss = _helper_peak_rss_mb(embedder)
    t, measured = analysis.times, analysis.signals.measured
    extra = t.extra
    hand_px = sum(extra.get(f"analyzer.{n}_s", 0.0) for n in ("hand_presence", "finger_count"))
    if "analyzer.face_s" not in extra:  # older pipeline: only the analysers' sum is timed
        hand_px = sum(
            float(measured[f"{n}.ms"].sum()) / 1000
            for n in ("hand_presence", "finger_count")
            if f"{n}.ms" in measured
        )
    identity = extra.get("analyzer.face_s", t.analyzers_s - hand_px)
    report = analysis.report
    return {
        "duration_s": report.clip["duration_s"],
        "frames": analysis.signals.n_frames,
        "size": f"{report.clip['width']}x{report.clip['height']}",
        "load_s": load_s,
        "analysis_wall_s": analysis_wall,
        "analysis_cpu_s": analysis_cpu + helper_cpu,
        "descriptor_process_cpu_s": helper_cpu,
        "pack_wall_s": pack_wall,
        "pack_cpu_s": pack_cpu,
        "stages": {
            "decode": t.decode_s,
            "hands": t.hands_s,
            "faces": t.faces_s,
            "hand_pixels": hand_px,
            "identity": identity,
            "audio": t.audio_s,
            "detect": t.detect_s,
            "evidence": extra.get("evidence_s", float("nan")),
            "pdf": extra.get("pdf_s", 0.0) + extra.get("json_s", 0.0),
        },
        "extra": {k: v for k, v in extra.items() if k not in ("evidence_s", "pdf_s", "json_s")},
        "checks": {m: c.status for m, c in report.checks.items()},
        "pack_error": pack_error,
        "findings": len(report.findings),
        "peak_rss_mb": _peak_rss_mb() + helper_rss,
        "descriptor_process_rss_mb": helper_rss,
    }


def _helper_peak_rss_mb(embedder) -> float:
    """Peak RSS of the face-descriptor child process so far (Linux /proc VmHWM), or 0."""
    child = getattr(embedder, "_child", None)
    if child is None:
        return 0.0
    try:
        for line in Path(f"/proc/{child._proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _run_child(*args: str) -> dict:
    """Run this script as a child with ``args``; returns the JSON it prints last."""
    env = dict(os.environ)
    import ava_detect

    src = str(Path(ava_detect.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    load = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["load_avg_1m"] = load
    return out


# --------------------------------------------------------------------------- the parent


def measure(clip: Path, label: str, repeats: int, tmp: Path, assignments: list[str],
            costs: bool = True, real: bool = False) -> dict:
    """Decode-only and full runs of one clip (``real``: a real clip, timed as a user runs it)."""
    runs = []
    for r in range(repeats):
        decode = _run_child("decode", str(clip))
        full = _run_child("analyze", str(clip), str(tmp / f"out_{clip.stem}_{r}"), *assignments)
        full["decode_only"] = decode
        runs.append(full)
        if full["pack_error"]:
            print(f"  {label}: the evidence pack failed: {full['pack_error']}", flush=True)
        print(
            f"  {label} run {r + 1}/{repeats}: analysis {full['analysis_wall_s']:.1f} s wall "
            f"({full['analysis_cpu_s']:.1f} s CPU), decode-only {decode['wall_s']:.2f} s, "
            f"load avg {full['load_avg_1m']:.1f}",
            flush=True,
        )
    result = {"clip": str(clip), "label": label, "real": real, "runs": runs,
              "median": _medians(runs)}
    if costs:
        result["costs"] = _run_child("costs", str(clip), *assignments)
        print(f"  {label}: components alone {result['costs']['sum_ms_per_frame']:.1f} ms CPU "
              f"a frame, load avg {result['costs']['load_avg_1m']:.1f}", flush=True)
    return result


def _medians(runs: list[dict]) -> dict:
    def med(fn):
        return statistics.median(fn(r) for r in runs)

    dur = runs[0]["duration_s"]
    m = {
        "duration_s": dur,
        "frames": runs[0]["frames"],
        "size": runs[0]["size"],
        "checks": runs[0]["checks"],
        "load_s": med(lambda r: r["load_s"]),
        "analysis_wall_s": med(lambda r: r["analysis_wall_s"]),
        "analysis_cpu_s": med(lambda r: r["analysis_cpu_s"]),
        "pack_wall_s": med(lambda r: r["pack_wall_s"]),
        "decode_only_wall_s": med(lambda r: r["decode_only"]["wall_s"]),
        "decode_only_cpu_s": med(lambda r: r["decode_only"]["cpu_s"]),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "load_avg_1m": med(lambda r: r["load_avg_1m"]),
        "stages": {k: med(lambda r, k=k: r["stages"][k]) for _, k in STAGES},
    }
    m["rtf_analysis"] = dur / m["analysis_wall_s"]
    m["rtf_with_pack"] = dur / (m["analysis_wall_s"] + m["pack_wall_s"])
    m["ratio_to_decode"] = m["analysis_wall_s"] / m["decode_only_wall_s"]
    m["ratio_to_decode_per_run"] = med(
        lambda r: r["analysis_wall_s"] / r["decode_only"]["wall_s"]
    )
    m["s_per_clip_s"] = m["analysis_wall_s"] / dur
    return m


def print_table(results: list[dict]) -> None:
    cols = [r["label"] for r in results]
    print("\n| stage (median wall s) | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, key in STAGES:
        vals = [r["median"]["stages"][key] for r in results]
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in vals) + " |")
    rows = (
        ("clip length s", lambda m: f"{m['duration_s']:.1f} ({m['size']})"),
        ("decode-only s (same run)", lambda m: f"{m['decode_only_wall_s']:.2f}"),
        ("**analysis wall s**", lambda m: f"**{m['analysis_wall_s']:.2f}**"),
        ("analysis CPU s", lambda m: f"{m['analysis_cpu_s']:.2f}"),
        ("evidence pack wall s", lambda m: f"{m['pack_wall_s']:.2f}"),
        ("**real-time factor** (analysis)", lambda m: f"**{m['rtf_analysis']:.2f}**"),
        ("real-time factor incl. pack", lambda m: f"{m['rtf_with_pack']:.2f}"),
        ("**analysis / decode-only**", lambda m: f"**{m['ratio_to_decode']:.1f}**"),
        ("wall s per clip second", lambda m: f"{m['s_per_clip_s']:.3f}"),
        ("peak RSS MB", lambda m: f"{m['peak_rss_mb']:.0f}"),
        ("model load s (once per process)", lambda m: f"{m['load_s']:.2f}"),
        ("load average at start", lambda m: f"{m['load_avg_1m']:.1f}"),
    )
    for name, fn in rows:
        print(f"| {name} | " + " | ".join(fn(r["median"]) for r in results) + " |")
    print("\nStage times are busy time in their own lane; with lanes in parallel they overlap,")
    print("so the analysis wall time is measured around the whole analysis, not summed.")
    print("\nGoals (issue 18):")
    for what, goal in GOALS.items():
        print(f"- {what}: {goal}")
    by = {r["label"]: r["median"] for r in results}
    if "720p30 10 s" in by:
        m = by["720p30 10 s"]
        ok = m["rtf_analysis"] >= 3 and m["ratio_to_decode"] <= 6
        print(
            f"  720p30: RTF {m['rtf_analysis']:.2f}, ratio {m['ratio_to_decode']:.1f} -> "
            f"{'met' if ok else 'NOT met'}"
        )
    if "1080p30 10 s" in by:
        m = by["1080p30 10 s"]
        verdict = "met" if m["rtf_analysis"] >= 2.5 else "NOT met"
        print(f"  1080p30: RTF {m['rtf_analysis']:.2f} -> {verdict}")
    for r in results:
        if not r["real"]:
            continue  # the made clips; real clips are timed as a user runs them
        label, m = r["label"], r["median"]
        whole = m["duration_s"] / (m["load_s"] + m["analysis_wall_s"] + m["pack_wall_s"])
        verdict = "met" if whole >= 3 else "NOT met"
        print(f"  {label}: whole process (models loaded, analysis, pack) RTF {whole:.2f} "
              f"-> {verdict}")
    if "5 min 720p30" in by and "720p30 10 s" in by:
        m, short = by["5 min 720p30"], by["720p30 10 s"]
        lin = m["s_per_clip_s"] / short["s_per_clip_s"] - 1
        ok = m["peak_rss_mb"] < 1536 and abs(lin) <= 0.10
        print(
            f"  5 min: peak RSS {m['peak_rss_mb']:.0f} MB, time per clip second "
            f"{lin:+.0%} vs 10 s -> {'met' if ok else 'NOT met'}"
        )


def print_costs(results: list[dict]) -> None:
    """Each component's CPU per frame run alone, and the floor it sets beside the full run."""
    from model_costs import COMPONENTS

    results = [r for r in results if "costs" in r]
    if not results:
        return
    cores = os.cpu_count() or 1
    cols = [r["label"] for r in results]
    print(f"\n| CPU ms a frame, each component alone (first {results[0]['costs']['frames']} "
          "frames) | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name in COMPONENTS:
        vals = [r["costs"]["ms_per_frame"].get(name) for r in results]
        print(f"| {name} | " + " | ".join("-" if v is None else f"{v:.1f}" for v in vals) + " |")
    runs = sorted({k for r in results for k in r["costs"]["runs_per_frame"]})
    for name in runs:
        vals = [r["costs"]["runs_per_frame"].get(name) for r in results]
        print(f"| {name} runs a frame | "
              + " | ".join("-" if v is None else f"{v:.2f}" for v in vals) + " |")

    def floor_s(r):
        return r["costs"]["sum_ms_per_frame"] * r["median"]["frames"] / 1000 / cores

    rows = (
        ("**sum: CPU ms a frame**", lambda r: f"**{r['costs']['sum_ms_per_frame']:.1f}**"),
        ("full run: analysis CPU ms a frame",
         lambda r: f"{1000 * r['median']['analysis_cpu_s'] / r['median']['frames']:.1f}"),
        (f"floor wall s (sum / {cores} cores)", lambda r: f"{floor_s(r):.2f}"),
        ("**floor / decode-only**",
         lambda r: f"**{floor_s(r) / r['median']['decode_only_wall_s']:.1f}**"),
        ("floor real-time factor", lambda r: f"{r['median']['duration_s'] / floor_s(r):.2f}"),
        ("full run / floor (wall)", lambda r: f"{r['median']['analysis_wall_s'] / floor_s(r):.2f}"),
        ("load average at start", lambda r: f"{r['costs']['load_avg_1m']:.1f}"),
    )
    for name, fn in rows:
        print(f"| {name} | " + " | ".join(fn(r) for r in results) + " |")
    print("\nThe floor assumes every core busy all the time with nothing but these components;")
    print("a goal the floor misses cannot be met on this machine without cheaper models or")
    print("fewer model runs.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--long", action="store_true", help="also a 5-minute 720p30 clip (1 run)")
    ap.add_argument("--no-generated", action="store_true")
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--only-1080", action="store_true")
    ap.add_argument("--json", type=Path, help="write every run to this file")
    ap.add_argument("--no-costs", action="store_true",
                    help="skip the per-component CPU (the machine's floor)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting for the analysis, as the CLI's --set "
                    "(e.g. tracking.hand_model_complexity=0)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "costs":
            from model_costs import model_costs

            result = model_costs(*rest)
        else:
            result = _child_decode(*rest) if kind == "decode" else _child_analyze(*rest)
        print(json.dumps(result))
        return

    from speed_clips import make_clip, real_clips, repeat_clip

    results = []
    with tempfile.TemporaryDirectory(prefix="ava-speed-") as tmp:
        tmp = Path(tmp)
        clips: list[tuple[Path, str, int, bool]] = []
        if not args.no_generated:
            sizes = [(1920, 1080)] if args.only_1080 else [(1280, 720), (1920, 1080)]
            for w, h in sizes:
                path = tmp / f"gen_{h}p30.mp4"
                print(f"making {path.name}: {make_clip(path, width=w, height=h)}", flush=True)
                clips.append((path, f"{h}p30 10 s", args.repeats, False))
            if args.long and not args.only_1080:
                long = tmp / "gen_720p30_5min.mp4"
                repeat_clip(tmp / "gen_720p30.mp4", long, 30)
                clips.append((long, "5 min 720p30", 1, False))
        if not args.no_real:
            clips += [(p, p.stem[:28], args.repeats, True) for p in real_clips()]
        for path, label, reps, real in clips:
            print(f"measuring {label} ({path.name})", flush=True)
            results.append(measure(path, label, reps, tmp, args.set,
                                   costs=not args.no_costs, real=real))
    if args.set:
        print("\nsettings: " + ", ".join(args.set))
    print_table(results)
    print_costs(results)
    if args.json:
        args.json.write_text(json.dumps({"goals": GOALS, "clips": results}, indent=1))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
