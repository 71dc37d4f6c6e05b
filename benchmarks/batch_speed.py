"""Batch speed: the same 8 real clips with --workers 1, --workers 2 and on Ray (--ray).

Runs the real command (``python -m ava_detect.cli FOLDER --workers N --force -q``) in a
subprocess, so process start-up, model loading in each worker and the summary are all counted.
The folder holds symbolic links to 8 clips of the shared test media (talking heads, hands,
generated clips); nothing is copied. When this version has no detector for a check, the workers
load ``batch_load.py`` so the MediaPipe models a real check needs still run on every frame.

Usage::

    AVA_TEST_MEDIA=/work/shared/media PYTHONPATH=src python benchmarks/batch_speed.py [--repeat 2]

Prints the wall and CPU time of each run (CPU / wall shows how many cores the run really got:
on a machine shared with other jobs it is well below the worker count), the per-clip mean and
the speed-up ratio (1 worker / 2). With Ray installed it also runs the folder on Ray with 2
actors (``--ray local``: a private Ray started by the run, so Ray's start-up is counted; or
``--ray-address HOST:PORT`` for a running cluster) and prints Ray's overhead per clip against
the local pool with 2 workers of the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLIPS = (
    "speech/vox2_00086_man_red_bg.mp4",
    "speech/vox2_00373_woman_interview.mp4",
    "speech/vox2_00473_older_man_white_bg.mp4",
    "speech/vox2_620900105_man_interview.mp4",
    "hands/mpsamples_hand_landmarker_test_video.mp4",
    "hands/slp_pose_test_video_signing.mp4",
    "generated/mimicmotion_sample_hb_0_halfbody_gestures.mp4",
    "generated/sadtalker_camera_RD_Radio31_talking_audio.mp4",
)
ROOT = Path(__file__).resolve().parents[1]


def _folder(media: Path, where: Path) -> Path:
    folder = where / "clips"
    folder.mkdir()
    for rel in CLIPS:
        src = media / rel
        if not src.exists():
            sys.exit(f"missing {src}; set AVA_TEST_MEDIA to the shared media folder")
        (folder / src.name).symlink_to(src)
    return folder


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(folder: Path, out: Path, workers: int, checks: str | None,
         ray: str | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and its workers) of one batch run."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "benchmarks")])
    command = [sys.executable, "-m", "ava_detect.cli", str(folder), "--out", str(out)]
    command += ["--workers", str(workers), "--force", "-q", "--set", "plugins=batch_load"]
    if ray:
        command += ["--ray", ray]
    if checks:
        command += ["--checks", checks]
    cpu0, start = _children_cpu_s(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _children_cpu_s() - cpu0
    if done.returncode not in (0, 1):
        sys.exit(f"--workers {workers} ended with exit code {done.returncode}:\n{done.stderr}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker count (best kept)")
    parser.add_argument("--checks", default=None, help="checks to run (default: all)")
    parser.add_argument("--ray-address", default="local",
                        help="Ray cluster for the Ray run (default: local; 'none' skips it)")
    args = parser.parse_args()
    media = Path(os.environ.get("AVA_TEST_MEDIA", ROOT.parent / "shared" / "media"))
    with tempfile.TemporaryDirectory(prefix="ava-batch-speed-") as tmp:
        folder = _folder(media, Path(tmp))
        walls: dict[int, float] = {}
        for workers in (1, 2):
            runs = [
                _run(folder, Path(tmp) / f"out{workers}_{i}", workers, args.checks)
                for i in range(args.repeat)
            ]
            wall, cpu = min(runs)
            walls[workers] = wall
            print(
                f"--workers {workers}: {wall:6.1f} s wall, {cpu:6.1f} s CPU "
                f"({cpu / wall:.2f} cores busy on average; {wall / len(CLIPS):.2f} s per clip; "
                "wall of each run: " + ", ".join(f"{r[0]:.1f}" for r in runs) + ")"
            )
        if args.ray_address != "none" and _has_ray():
            runs = [_run(folder, Path(tmp) / f"ray_{i}", 2, args.checks, args.ray_address)
                    for i in range(args.repeat)]
            wall, cpu = min(runs)
            print(f"--ray {args.ray_address} (2 actors): {wall:6.1f} s wall, {cpu:6.1f} s CPU; "
                  f"Ray's overhead {(wall - walls[2]) / len(CLIPS):+.2f} s per clip against "
                  "--workers 2")
    print(f"speed-up 1 worker / 2 workers: {walls[1] / walls[2]:.2f}x on {os.cpu_count()} cores")


def _has_ray() -> bool:
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        print("Ray is not installed: pip install 'ava-detect[ray]' to time the Ray path")
        return False
    return True


if __name__ == "__main__":
    main()
