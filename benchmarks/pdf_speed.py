"""How long writing the evidence pack takes beyond the analysis, for a 10-second clip.

Writes a 10 s, 25 fps H.264 clip (one keyframe every 250 frames, x264's default, so every
evidence frame needs a long decode from the keyframe) at 720p and 1080p, builds a report with
three findings and six evidence frames placed late in the clip (the slowest seeks), and times
``output.clip_job.write_pack``: evidence frames, the evidence clips (one mp4 per finding), JSON,
PDF and ticket. Goal for everything but the clips: under 2 s. The clips are also counted (output
frames encoded, MB written) and, with ``--analysis CLIP``, set beside the analysis time of a real
clip measured in the same run (the machine's load changes both alike).

    PYTHONPATH=src python benchmarks/pdf_speed.py [--analysis CLIP]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pack_samples import make_index_clip, sample_report  # noqa: E402

from ava_detect.output.clip_job import write_pack  # noqa: E402
from ava_detect.output.paths import output_paths, prepare_output  # noqa: E402
from ava_detect.pipeline import Analysis, StageTimes  # noqa: E402

USER = {"generation_id": "gen_bench", "platform": "bench", "prompt": "a benchmark clip"}


def main(repeats: int = 3, analysis_clip: str | None = None) -> None:
    print("| clip | evidence frames | evidence s | clips s | clip frames | clip MB | json s "
          "| pdf+ticket s | total s (median) |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="ava-pdf-bench-") as tmp:
        tmp = Path(tmp)
        for size in ((1280, 720), (1920, 1080)):
            clip = make_index_clip(tmp / f"bench_{size[1]}p.mp4", seconds=10.0, size=size, gop=250)
            totals, parts = [], []
            for i in range(repeats):
                report = sample_report(clip, user=USER, shift=150)  # events at 7.2-9.0 s
                paths = output_paths(clip, tmp / f"out{i}_{size[1]}")
                prepare_output(paths)
                times = StageTimes()
                start = time.perf_counter()
                write_pack(Analysis(report=report, signals=None, times=times), clip, paths)
                totals.append(time.perf_counter() - start)
                parts.append(times.extra)
            n_ev = sum(len(f.evidence) for f in report.findings)
            videos = [f.evidence_video for f in report.findings if f.evidence_video]
            frames = sum(round(v["duration_s"] * v["fps"]) for v in videos)
            mb = sum(v["bytes"] for v in videos) / 1e6
            med = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
            print(
                f"| 10 s {size[0]}x{size[1]} | {n_ev} | {med['evidence_s']:.2f} | "
                f"{med['video_s']:.2f} | {frames} | {mb:.2f} | "
                f"{med['json_s']:.3f} | {med['pdf_s']:.2f} | {statistics.median(totals):.2f} |"
            )
    if analysis_clip:
        _beside_analysis(analysis_clip)


def _beside_analysis(clip: str) -> None:
    """Analysis time of ``clip`` and its evidence clips' time, measured one after the other.

    Wall time and the process's CPU time (all threads) are both printed: on a shared machine
    the CPU ratio moves less with the load than the wall ratio.
    """
    from ava_detect.output.video import write_evidence_videos
    from ava_detect.pipeline import Analyzer
    from ava_detect.settings import EvidenceVideoSettings

    with tempfile.TemporaryDirectory(prefix="ava-pdf-bench-") as tmp:
        analyzer = Analyzer()
        try:
            start, cpu = time.perf_counter(), time.process_time()
            analysis = analyzer.analyze(clip)
            analysis_s, analysis_cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            analyzer.close()
        paths = output_paths(clip, tmp)
        prepare_output(paths)
        start, cpu = time.perf_counter(), time.process_time()
        run = write_evidence_videos(analysis.report, clip, paths, analysis.signals,
                                    EvidenceVideoSettings())
        video_s, video_cpu = time.perf_counter() - start, time.process_time() - cpu
        n = len(run.written) // 2
        mb = sum(p.stat().st_size for p in run.written if p.suffix == ".mp4") / 1e6
        print(f"\n{Path(clip).name}: analysis {analysis_s:.1f} s wall, {analysis_cpu:.1f} s CPU; "
              f"{n} evidence clips ({mb:.2f} MB) {video_s:.1f} s wall, {video_cpu:.1f} s CPU: "
              f"{video_s / analysis_s:.0%} of the analysis's wall time, "
              f"{video_cpu / analysis_cpu:.0%} of its CPU "
              f"({video_cpu / analysis_cpu / max(n, 1):.0%} a finding); "
              f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--analysis":
        for name in sys.argv[2:]:
            _beside_analysis(name)
    else:
        main()
