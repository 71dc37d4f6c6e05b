"""What quick screening (``max_analysis_fps``) changes: the same known cases analysed on every
frame and at a frame-rate limit, side by side.

Cases with ground truth, all from files the project ships or ``AVA_TEST_MEDIA``:

- the three sample clips (lip sync +200 ms, identity switch at 3.000 s, clean);
- the CNN clip with audio 1000 ms early;
- real talking heads re-muxed with the audio moved -200 / +200 ms (lag error against the
  clip's own unshifted lag, as ``lipsync_accuracy.py`` measures it);
- the MimicMotion half-body clip whose hands melt (first finding at frame 22, 0.733 s);
- the real hand videos (every finding there is a false alarm).

It prints, per case and setting, the verdict, first-failure time and the measured value, and
the analysis wall time. Usage::

    AVA_TEST_MEDIA=../shared/media PYTHONPATH=src python benchmarks/screening.py [--fps 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_lipsync_media import remux_with_shift  # noqa: E402

from ava_detect.pipeline import Analyzer  # noqa: E402
from ava_detect.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TALKING = ("speech/hdtf_aoc_speech_8s.mp4", "speech/liveportrait_d20_man_speaking.mp4",
           "speech/retalking_face1_man_suit.mp4", "speech/vox2_00098_man_beard_red_set.mp4",
           "speech/hyperlips_real_video3_woman_tv_interview.mp4")
HANDS = ("hands/mpsamples_hand_landmarker_test_video.mp4",
         "hands/mpsamples_gesture_recognizer_thumbsup_video.mp4",
         "hands/liveportrait_s20_hands_with_flower.mp4")


def cases(media: Path | None, tmp: Path) -> list[tuple[str, Path, str]]:
    """(name, clip, what to read) for every case that can be built here."""
    out = [("sample audio early 200 ms", ROOT / "sample_clips/talking_audio_early_200ms.mp4",
            "lag"),
           ("sample identity switch 3.000 s", ROOT / "sample_clips/identity_switch_3s.mp4",
            "first"),
           ("sample clean", ROOT / "sample_clips/talking_clean.mp4", "verdict")]
    if media is None:
        return out
    out.append(("CNN audio early 1000 ms",
                media / "speech/news_cnn_anchor_audio_leads_1000ms.mp4", "lag"))
    for rel in TALKING:
        src = media / rel
        out.append((f"{src.stem[:24]} as is", src, "lag"))
        for ms in (-200, 200):  # audio moved earlier by ms: the lag grows by ms
            dst = tmp / f"{src.stem}_{ms}.mp4"
            remux_with_shift(src, dst, ms)
            out.append((f"{src.stem[:24]} audio {ms:+d} ms earlier", dst, "lag"))
    out.append(("hb_0 melting hands (0.733 s)",
                media / "generated/mimicmotion_sample_hb_0_halfbody_gestures.mp4", "first"))
    out += [(f"{Path(rel).stem[:24]} (real hands)", media / rel, "verdict") for rel in HANDS]
    return out


def reading(report, what: str) -> str:
    lag = (report.checks["lipsync"].details or {}).get("lag_ms")
    first = report.first_failure_s()
    if what == "lag":
        return "no lag" if lag is None else f"lag {lag:+.0f} ms"
    if what == "first":
        kinds = sorted({f.kind for f in report.findings})
        return "no finding" if first is None else f"first {first:.3f} s {','.join(kinds)}"
    return f"{len(report.findings)} findings"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fps", type=float, default=10.0, help="the limit to compare (default 10)")
    args = ap.parse_args()
    media = Path(os.environ["AVA_TEST_MEDIA"]) if os.environ.get("AVA_TEST_MEDIA") else None
    full = Analyzer(Settings())
    fast = Analyzer(Settings(max_analysis_fps=args.fps))
    print(f"| case | every frame | s | max_analysis_fps={args.fps:g} | s |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="ava-screen-") as tmp:
        for name, clip, what in cases(media, Path(tmp)):
            row = [name]
            for analyzer in (full, fast):
                start = time.perf_counter()
                report = analyzer.analyze(clip).report
                row += [f"{report.verdict}: {reading(report, what)}",
                        f"{time.perf_counter() - start:.1f}"]
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
