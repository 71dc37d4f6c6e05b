"""Fuzz campaign: run the CLI on many damaged copies of real clips and count how each ended.

    PYTHONPATH=src python benchmarks/fuzz_campaign.py --count 200 --seed 7 [--media DIR]

Sources are the committed sample clips plus, with ``--media`` (or AVA_TEST_MEDIA), two short real
clips from the shared media folder, each cut to ``--max-s`` seconds first. Variants are truncated
at a random byte, overwritten with random bytes in the middle, zeroed at the header or zeroed in a
middle block (see tests/fuzzkit.py). Every run must end with exit 0/1 (report written) or exit 2
with a one-line error; anything else is listed as a problem with the replay command.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzkit import SAMPLES, judge, make_variants, outcome_label, run_cli, shorten  # noqa: E402


def real_sources(media: Path | None) -> list[Path]:
    """Two small real clips from the media folder (the smallest mp4 in faces/ and speech/)."""
    if media is None or not media.is_dir():
        return []
    picks = []
    for sub in ("faces", "speech"):
        clips = sorted((media / sub).glob("*.mp4"), key=lambda p: p.stat().st_size)
        if clips:
            picks.append(clips[0])
    return picks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-s", type=float, default=2.0, help="cut sources to this length")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--checks", default="hands,identity,lipsync")
    parser.add_argument("--media", type=Path, default=os.environ.get("AVA_TEST_MEDIA"))
    parser.add_argument(
        "--model-probe",
        action="store_true",
        help="run MediaPipe and audio decoding on every variant even where no detector exists",
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep variants in this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ava-fuzz-") as tmp:
        work = args.keep or Path(tmp)
        src_dir = work / "sources"
        src_dir.mkdir(parents=True, exist_ok=True)
        sources = [
            shorten(p, src_dir / f"{p.stem}.mp4", args.max_s)
            for p in [*SAMPLES, *real_sources(Path(args.media) if args.media else None)]
        ]
        probe = " (model probe)" if args.model_probe else ""
        names = ", ".join(p.name for p in sources)
        print(f"seed {args.seed}{probe}, {args.count} variants of: {names}")
        variants = make_variants(sources, work / "variants", args.count, args.seed)

        def one(v):
            out = work / "out" / v.path.stem
            run = run_cli(
                v.path,
                out,
                "--checks",
                args.checks,
                timeout=args.timeout,
                model_probe=args.model_probe,
            )
            return v, run, judge(run, v.path, out)

        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(one, variants))

        by_outcome = Counter(outcome_label(run, v.path) for v, run, _ in results)
        by_kind = Counter(
            (v.kind, outcome_label(run, v.path).split(":")[0]) for v, run, _ in results
        )
        problems = [(v, run, why) for v, run, why in results if why]
        slowest = max(run.seconds for _, run, _ in results)
        print("\n| ending | variants |\n|---|---|")
        for label, n in by_outcome.most_common():
            print(f"| {label} | {n} |")
        print("\n| damage | exit 0 | exit 1 | exit 2 | other |\n|---|---|---|---|---|")
        for kind in sorted({v.kind for v, _, _ in results}):
            row = [by_kind[(kind, e)] for e in ("exit 0", "exit 1", "exit 2")]
            other = sum(n for (k, e), n in by_kind.items() if k == kind) - sum(row)
            print(f"| {kind} | {' | '.join(map(str, row))} | {other} |")
        print(f"\nslowest run {slowest:.1f} s; problems: {len(problems)}")
        for v, _run, why in problems:
            print(f"- {v.path.name} ({v.source}, {v.detail}): {why}")
            print(f"  replay: --seed {args.seed} --count {args.count} --keep DIR; {v.path.name}")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
