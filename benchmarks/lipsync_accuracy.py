"""Lip-sync accuracy on real talking heads with added audio offsets.

Every nominally in-sync real clip with speech in the media folder (``speech/*.mp4`` except the
AI-generated ``aigen_*`` clips and the clip with a known 1 s offset, plus the ``faces/vox2_*``
interviews) is analysed once; its decoded audio is then moved by each offset of the grid and the
pure detector run again. The error of a case is (measured lag - the same clip's unshifted lag) -
offset, so a clip's own natural offset cancels. Prints per-offset and overall figures, the
per-clip unshifted lags, and what the AI-generated clips and the 1 s clip read.

    python benchmarks/lipsync_accuracy.py [--media ../shared/media] [--standard ebu_r37]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

import numpy as np

from ava_detect.detectors import detector_for
from ava_detect.pipeline import Analyzer
from ava_detect.settings import Settings

OFFSETS_MS = (-400, -200, -100, -40, 0, 40, 100, 200, 400)


def shift_audio(audio: np.ndarray, sr: int, shift_ms: float) -> np.ndarray:
    """Audio moved ``shift_ms`` earlier (positive: the mouth trails by that much more)."""
    n = int(round(shift_ms / 1000 * sr))
    if n > 0:
        return np.concatenate([audio[n:], np.zeros(n, audio.dtype)])
    if n < 0:
        return np.concatenate([np.zeros(-n, audio.dtype), audio[:n]])
    return audio


def real_clips(media: Path) -> list[Path]:
    speech = [p for p in sorted((media / "speech").glob("*.mp4"))
              if not p.name.startswith("aigen_") and "audio_leads" not in p.name]
    return speech + sorted((media / "faces").glob("vox2_*.mp4"))


def other_clips(media: Path) -> list[Path]:
    return sorted((media / "speech").glob("aigen_*.mp4")) + sorted(
        (media / "speech").glob("*audio_leads*.mp4"))


def summarise(errors: np.ndarray) -> str:
    if errors.size == 0:
        return f"{'-':>7} {'-':>7} {'-':>7}"
    e = np.abs(errors)
    return f"{np.median(e):7.1f} {np.percentile(e, 90):7.1f} {np.mean(e <= 40):7.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--media", type=Path,
                        default=Path(os.environ.get("AVA_TEST_MEDIA", "../shared/media")))
    parser.add_argument("--standard", default="itu_bt1359_acceptability")
    args = parser.parse_args()
    settings = Settings(checks=("lipsync",)).with_overrides(
        {"lipsync": {"tolerance_standard": args.standard}})
    detector = detector_for("lipsync")
    analyzer = Analyzer(settings)

    rows, cases = [], []  # cases: (clip, offset, error_ms or nan, conclusive, duration)
    face_s = clip_s = detect_s = 0.0
    n_detect = 0
    for path in real_clips(args.media):
        analysis = analyzer.analyze(path)
        sig = analysis.signals
        face_s += analysis.times.faces_s
        clip_s += sig.info.duration_s
        base = analysis.report.checks["lipsync"]
        if base.details["lag_ms"] is None:
            rows.append((path.name, sig.info.duration_s, None, None, base.status, 0.0))
            continue
        n_ok = 0
        for off in OFFSETS_MS:
            start = time.perf_counter()
            res = detector.detect(dataclasses.replace(
                sig, audio=shift_audio(sig.audio, sig.audio_sr, off)), settings)
            detect_s += time.perf_counter() - start
            n_detect += 1
            ok = bool(base.details["conclusive"] and res.details["conclusive"])
            n_ok += ok
            err = (res.details["lag_ms"] - base.details["lag_ms"] - off
                   if res.details["lag_ms"] is not None else np.nan)
            cases.append((path.name, off, err, ok, sig.info.duration_s))
        rows.append((path.name, sig.info.duration_s, base.details["lag_ms"],
                     base.details.get("psr"), base.status, n_ok / len(OFFSETS_MS)))

    print(f"lip-sync accuracy: {len(rows)} real clips x {len(OFFSETS_MS)} offsets, "
          f"tolerance {args.standard}\n")
    print("error = |(lag - same clip's unshifted lag) - offset| in ms; offset 0 is left out of "
          "the error columns (it is 0 by construction)")
    print(f"{'offset ms':>10} {'cases':>6} {'concl.':>7} | {'all: med':>8} {'p90':>7} "
          f"{'<=40':>7} | {'concl: med':>10} {'p90':>7} {'<=40':>7}")
    for off in OFFSETS_MS:
        sel = [c for c in cases if c[1] == off]
        err = np.array([c[2] for c in sel], dtype=float)
        ok = np.array([c[3] for c in sel], dtype=bool)
        errs = summarise(err[np.isfinite(err)]) if off else f"{'-':>7} {'-':>7} {'-':>7}"
        errc = summarise(err[ok & np.isfinite(err)]) if off else f"{'-':>7} {'-':>7} {'-':>7}"
        print(f"{off:>+10d} {len(sel):>6} {ok.mean():>7.0%} | {errs:>24} | {errc:>26}")
    shifted = [c for c in cases if c[1] != 0]
    err = np.array([c[2] for c in shifted], dtype=float)
    ok = np.array([c[3] for c in shifted], dtype=bool)
    long = np.array([c[4] >= 5.0 for c in cases])
    ok_all = np.array([c[3] for c in cases], dtype=bool)
    print(f"{'all':>10} {len(shifted):>6} {ok.mean():>7.0%} | "
          f"{summarise(err[np.isfinite(err)]):>24} | {summarise(err[ok & np.isfinite(err)]):>26}")
    print(f"\nconclusive on clips >= 5 s: {ok_all[long].mean():.0%} of {long.sum()} cases; "
          f"on clips < 5 s: {ok_all[~long].mean() if (~long).any() else float('nan'):.0%} "
          f"of {(~long).sum()} cases")

    print(f"\n{'clip (unshifted)':48s} {'dur s':>6} {'lag ms':>8} {'psr':>6} {'status':>13} "
          f"{'concl.':>7}")
    for name, dur, lag, psr, status, share in rows:
        lag_t = f"{lag:+8.1f}" if lag is not None else f"{'-':>8}"
        psr_t = f"{psr:6.2f}" if psr is not None else f"{'-':>6}"
        print(f"{name[:48]:48s} {dur:6.2f} {lag_t} {psr_t} {status:>13} {share:>7.0%}")

    print(f"\n{'other clips (as they are)':48s} {'dur s':>6} {'lag ms':>8} {'psr':>6} "
          f"{'status':>13}  findings")
    for path in other_clips(args.media):
        analysis = analyzer.analyze(path)
        check = analysis.report.checks["lipsync"]
        d = check.details
        lag_t = f"{d['lag_ms']:+8.1f}" if d["lag_ms"] is not None else f"{'-':>8}"
        psr_t = f"{d['psr']:6.2f}" if d.get("psr") is not None else f"{'-':>6}"
        kinds = ",".join(sorted({f.kind for f in check.findings})) or "-"
        print(f"{path.name[:48]:48s} {analysis.signals.info.duration_s:6.2f} {lag_t} {psr_t} "
              f"{check.status:>13}  {kinds}")
    analyzer.close()
    print(f"\ncost: face mesh {face_s / clip_s:.3f} s per clip-second; "
          f"lip-sync detect {detect_s / max(n_detect, 1) * 1000:.0f} ms per run")


if __name__ == "__main__":
    main()
