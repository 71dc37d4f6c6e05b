"""Lip-sync accuracy on real talking heads with added audio offsets, whole and cut short.

Every nominally in-sync real clip with speech in the media folder (``speech/*.mp4`` except the
AI-generated ``aigen_*`` clips and the clip with a known 1 s offset, plus the ``faces/vox2_*``
interviews) is analysed once (``--cache`` keeps the landmarks and audio, so reruns only run the
pure detector). Its audio is then moved by each offset of the grid and the detector run again,
on the whole clip and on every non-overlapping 3 s and 4 s window cut from it (video and audio
cut at the same times, the audio shifted before the cut so the window keeps real sound at its
edges). The error of a case is (measured lag - the whole clip's unshifted lag) - offset, so a
clip's own natural offset cancels; clips whose whole unshifted lag is inconclusive count for
the conclusive share only. Prints per-offset and per-length figures, the per-clip unshifted
lags, and what the AI-generated clips and the 1 s clip read.

    python benchmarks/lipsync_accuracy.py [--media ../shared/media] [--cache DIR]
        [--standard ebu_r37] [--set lipsync.NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from lipsync_cache import load_signals  # noqa: E402

from ava_detect.detectors import detector_for  # noqa: E402
from ava_detect.settings import Settings  # noqa: E402

OFFSETS_MS = (-400, -200, -100, -40, 0, 40, 100, 200, 400)
WINDOWS_S = (3.0, 4.0)


def shift_audio(audio: np.ndarray, sr: int, shift_ms: float) -> np.ndarray:
    """Audio moved ``shift_ms`` earlier (positive: the mouth trails by that much more)."""
    n = int(round(shift_ms / 1000 * sr))
    if n > 0:
        return np.concatenate([audio[n:], np.zeros(n, audio.dtype)])
    if n < 0:
        return np.concatenate([np.zeros(-n, audio.dtype), audio[:n]])
    return audio


def cut(sig, start_s: float, length_s: float):
    """The signals of ``[start_s, start_s + length_s)``, times re-based to 0 (pure numpy)."""
    keep = (sig.t_s >= start_s - 1e-6) & (sig.t_s < start_s + length_s - 1e-6)
    a0 = int(round(start_s * sig.audio_sr))
    a1 = int(round((start_s + length_s) * sig.audio_sr))
    info = dataclasses.replace(sig.info, duration_s=length_s, frame_count=int(keep.sum()))
    faces = dataclasses.replace(sig.faces, points=sig.faces.points[keep])
    return dataclasses.replace(sig, info=info, t_s=sig.t_s[keep] - start_s, faces=faces,
                               audio=sig.audio[a0:a1])


def windows_of(duration_s: float, length_s: float) -> list[float]:
    """Starts of the non-overlapping windows of ``length_s`` that fit in the clip."""
    return [i * length_s for i in range(int(duration_s // length_s))]


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


def _detect(detector, sig, settings):
    d = detector.detect(sig, settings).details
    return d["lag_ms"], bool(d["conclusive"]), d


def run_cases(paths, settings, cache):
    """Cases as (clip, length label, offset, error_ms or nan, conclusive, duration)."""
    detector = detector_for("lipsync")
    rows, cases = [], []
    for path in paths:
        sig = load_signals(path, cache)
        if sig.audio is None:
            continue
        base_lag, base_ok, base = _detect(detector, sig, settings)
        ref = base_lag if base_ok else np.nan
        n_ok = 0
        dur = float(sig.info.duration_s)
        for off in OFFSETS_MS:
            shifted = dataclasses.replace(sig, audio=shift_audio(sig.audio, sig.audio_sr, off))
            pieces = [("whole", shifted)]
            pieces += [(f"{w:g} s", cut(shifted, s, w)) for w in WINDOWS_S
                       for s in windows_of(dur, w)]
            for label, piece in pieces:
                lag, ok, _ = _detect(detector, piece, settings)
                err = lag - ref - off if lag is not None else np.nan
                cases.append((path.name, label, off, err, ok, piece.info.duration_s))
                n_ok += ok and label == "whole"
        rows.append((path.name, dur, base_lag, base.get("psr"), base_ok, n_ok / len(OFFSETS_MS)))
    return rows, cases


def print_table(cases, label):
    sel_all = [c for c in cases if c[1] == label]
    print(f"\n[{label}] error = |(lag - whole clip's unshifted lag) - offset| ms")
    print(f"{'offset ms':>10} {'cases':>6} {'concl.':>7} | {'all: med':>8} {'p90':>7} "
          f"{'<=40':>7} | {'concl: med':>10} {'p90':>7} {'<=40':>7}")
    for off in (*OFFSETS_MS, None):
        sel = [c for c in sel_all if (c[2] == off if off is not None else c[2] != 0)]
        err = np.array([c[3] for c in sel], dtype=float)
        ok = np.array([c[4] for c in sel], dtype=bool)
        fin = np.isfinite(err)
        errs = summarise(err[fin]) if off != 0 else f"{'-':>7} {'-':>7} {'-':>7}"
        errc = summarise(err[ok & fin]) if off != 0 else f"{'-':>7} {'-':>7} {'-':>7}"
        name = f"{off:+d}" if off is not None else "all"
        print(f"{name:>10} {len(sel):>6} {ok.mean():>7.0%} | {errs:>24} | {errc:>26}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--media", type=Path,
                        default=Path(os.environ.get("AVA_TEST_MEDIA", "../shared/media")))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lipsync/cache"))
    parser.add_argument("--standard", default="itu_bt1359_acceptability")
    parser.add_argument("--set", action="append", default=[], metavar="lipsync.NAME=VALUE")
    args = parser.parse_args()
    overrides = {"tolerance_standard": args.standard}
    for item in args.set:
        name, value = item.split("=", 1)
        overrides[name.removeprefix("lipsync.")] = type(
            getattr(Settings().lipsync, name.removeprefix("lipsync.")))(value)
    settings = Settings(checks=("lipsync",)).with_overrides({"lipsync": overrides})

    rows, cases = run_cases(real_clips(args.media), settings, args.cache)
    print(f"lip-sync accuracy: {len(rows)} real clips x {len(OFFSETS_MS)} offsets, "
          f"tolerance {args.standard}; offset 0 is left out of the error columns")
    for label in ("whole", *(f"{w:g} s" for w in WINDOWS_S)):
        print_table(cases, label)
    print("\nside by side (shifted cases): length, cases, conclusive, conclusive within 40 ms")
    for label in ("whole", *(f"{w:g} s" for w in WINDOWS_S)):
        sel = [c for c in cases if c[1] == label and c[2] != 0]
        ok = np.array([c[4] for c in sel], bool)
        err = np.array([c[3] for c in sel], float)
        good = ok & np.isfinite(err)
        within = np.mean(np.abs(err[good]) <= 40) if good.any() else float("nan")
        print(f"  {label:>6} {len(sel):>5} {ok.mean():>6.0%} {within:>6.0%}")
    whole = [c for c in cases if c[1] == "whole"]
    long = np.array([c[5] >= 5.0 for c in whole])
    ok_all = np.array([c[4] for c in whole], dtype=bool)
    print(f"\nwhole clips >= 5 s: conclusive {ok_all[long].mean():.0%} of {long.sum()} cases; "
          f"< 5 s: {ok_all[~long].mean() if (~long).any() else float('nan'):.0%} "
          f"of {(~long).sum()} cases")

    print(f"\n{'clip (unshifted, whole)':48s} {'dur s':>6} {'lag ms':>8} {'psr':>6} "
          f"{'concl.':>7} {'shifts':>7}")
    for name, dur, lag, psr, ok, share in rows:
        lag_t = f"{lag:+8.1f}" if lag is not None else f"{'-':>8}"
        psr_t = f"{psr:6.2f}" if psr is not None else f"{'-':>6}"
        print(f"{name[:48]:48s} {dur:6.2f} {lag_t} {psr_t} {ok!s:>7} {share:>7.0%}")

    detector = detector_for("lipsync")
    print(f"\n{'other clips (as they are)':48s} {'dur s':>6} {'lag ms':>8} {'psr':>6} "
          f"{'status':>13}  findings")
    for path in other_clips(args.media):
        sig = load_signals(path, args.cache)
        check = detector.detect(sig, settings)
        d = check.details
        lag_t = f"{d['lag_ms']:+8.1f}" if d["lag_ms"] is not None else f"{'-':>8}"
        psr_t = f"{d['psr']:6.2f}" if d.get("psr") is not None else f"{'-':>6}"
        kinds = ",".join(sorted({f.kind for f in check.findings})) or "-"
        print(f"{path.name[:48]:48s} {sig.info.duration_s:6.2f} {lag_t} {psr_t} "
              f"{check.status:>13}  {kinds}")


if __name__ == "__main__":
    main()
