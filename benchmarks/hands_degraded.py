"""Hand findings on real hands made to look like generator output: any finding here is false.

Generators deliver 384-768 px pictures, often upscaled from less and compressed hard. This
re-encodes every real clip in ``hands/``, ``faces/`` and ``speech/`` and the generated clips
whose hands look fine (``hands_sets``) at a longest side of 512 px (CRF 34) and 384 px (CRF 38),
in a temporary folder, and prints each clip's hand status and findings at each size.

    AVA_TEST_MEDIA=../shared/media python benchmarks/hands_degraded.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from hand_edits import reencode  # noqa: E402
from hands_sets import clip_sets  # noqa: E402

from ava_detect.pipeline import Analyzer  # noqa: E402
from ava_detect.settings import Settings  # noqa: E402

VARIANTS = ((512, 34), (384, 38))  # (longest side px, x264 CRF)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="write the re-encoded clips here and keep them")
    args = ap.parse_args()
    media = Path(os.environ.get("AVA_TEST_MEDIA", "../shared/media"))
    _failures, plausible, real = clip_sets(media)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="hands_degraded_"))
    folder.mkdir(parents=True, exist_ok=True)
    analyzer = Analyzer(Settings(checks=("hands",)))
    print("| clip | original | " + " | ".join(f"{s} px, CRF {c}" for s, c in VARIANTS) + " |")
    print("|---" * (2 + len(VARIANTS)) + "|")
    false = {v: [] for v in VARIANTS}
    for rel in real + plausible:
        if not rel.lower().endswith((".mp4", ".webm", ".mov")):
            continue
        cells = [analyzer.analyze(media / rel).report.checks["hands"]]
        for side, crf in VARIANTS:
            dst = folder / f"{Path(rel).stem}_{side}_crf{crf}.mp4"
            if not dst.exists():
                reencode(media / rel, dst, side, crf)
            cells.append(analyzer.analyze(dst).report.checks["hands"])
            if cells[-1].findings:
                false[(side, crf)].append(rel)
        text = [c.status + "".join(f" {f.kind}@{f.first_s:.2f}s" for f in c.findings)
                for c in cells]
        print(f"| {rel} | " + " | ".join(text) + " |", flush=True)
    for (side, crf), rels in false.items():
        print(f"\n{side} px, CRF {crf}: {len(rels)} clips with a hand finding: {rels}")
    analyzer.close()


if __name__ == "__main__":
    main()
