"""Speakers taking turns (issue 17 item 2): what the turn assignment changes on real media.

Every clip with sound in the media folder (speech/, faces/, generated/, generated2/) is checked
twice, with ``lipsync.speaker_turns`` on and off; clips whose result differs, or where two or
more speakers are found, are listed with both outcomes. Signals come from
``benchmarks/lipsync_cache.py`` (``--cache`` keeps them between runs).

    python benchmarks/lipsync_speakers.py [--media ../shared/media] [--cache DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lipsync_cache import load_signals  # noqa: E402

from ava_detect.detectors import detector_for  # noqa: E402
from ava_detect.settings import LipSyncSettings, Settings  # noqa: E402

FOLDERS = ("speech", "faces", "generated", "generated2")
SUFFIXES = (".mp4", ".webm", ".mov", ".mkv")


def outcome(result) -> str:
    kinds = ",".join(sorted(f.kind for f in result.findings)) or "-"
    lag = result.details.get("lag_ms")
    return f"{result.status} lag={lag} findings={kinds}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=Path("../shared/media"))
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    on = Settings(checks=("lipsync",))
    off = dataclasses.replace(on, lipsync=LipSyncSettings(speaker_turns=False))
    det = detector_for("lipsync")
    n = changed = turns = 0
    for folder in FOLDERS:
        for path in sorted((args.media / folder).glob("*")):
            if path.suffix.lower() not in SUFFIXES:
                continue
            sig = load_signals(path, args.cache)
            if sig.audio is None:
                continue
            n += 1
            a, b = det.detect(sig, off), det.detect(sig, on)
            speakers = b.details.get("speakers")
            if speakers:
                turns += 1
            if outcome(a) != outcome(b) or speakers:
                changed += outcome(a) != outcome(b)
                print(f"{folder}/{path.name}\n  before: {outcome(a)}\n  after:  {outcome(b)}")
                for s in speakers or []:
                    print(f"    face {s['face']}: {s['spoken_s']} s, lag {s['lag_ms']} ms, "
                          f"conclusive {s['conclusive']}, turns {s['segments']}")
    print(f"{n} clips with sound; {turns} with speakers taking turns; {changed} outcomes changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
