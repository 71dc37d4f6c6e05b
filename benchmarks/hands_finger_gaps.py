"""Fused fingers from the picture (issue 15 item 3): are the gaps between neighbouring fingers
visible, and does their disappearance mark the generated failures?

For every frame where a tracked hand's landmarks say the four fingers are extended and a
neighbouring pair (index-middle, middle-ring, ring-pinky) is spread (the pair's middle points at
least 0.22 palm widths apart), the grey level is sampled across the pair on the segment between
the two fingers' PIP-DIP midpoints; the gap's depth is the largest difference between the
segment's middle and the median of its two ends (the fingers), over the hand's grey contrast.
Prints per clip the share of spread pairs without a visible gap (< 0.3), then fused-finger
events: runs of frames where every judged pair of a hand shows no gap, after frames of the same
hand with gaps, against the failure windows of ``hands_sets``.

    AVA_TEST_MEDIA=../shared/media python benchmarks/hands_finger_gaps.py [--cache DIR]
"""

import argparse
import functools
import os
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from hands_sets import clip_sets  # noqa: E402

from ava_detect.media import iter_frames  # noqa: E402

M = Path(os.environ.get("AVA_TEST_MEDIA", "../shared/media"))

PAIRS = ((1, 2), (2, 3), (3, 4))  # finger index: 1 index .. 4 pinky
CHAINS = {1: (5, 6, 7, 8), 2: (9, 10, 11, 12), 3: (13, 14, 15, 16), 4: (17, 18, 19, 20)}


@functools.cache
def _analyzer():
    from ava_detect.pipeline import Analyzer
    from ava_detect.settings import Settings

    return Analyzer(Settings(checks=("hands",)))


def landmarks(rel, cache):
    """The hand check's landmarks (N, K, 21, 3) px and frame times (N,) s, cached per clip."""
    p = cache / (rel.replace("/", "__") + ".npz")
    if p.exists():
        d = np.load(p)
        return d["img"], d["t"]
    s = _analyzer().analyze(M / rel).signals
    img = s.hands.image if s.hands is not None else np.zeros((len(s.t_s), 0, 21, 3), np.float32)
    np.savez(p, img=img, t=s.t_s)
    return img, s.t_s


def extended(h):
    """(4,) bool per finger (index..pinky) of landmarks ``h`` (21, 3): the fingertip lies well
    beyond the knuckle from the wrist and at least 1.76 proximal-bone lengths from the knuckle
    (a straight finger reaches about 2.2)."""
    w = h[0, :2]
    out = []
    for f in (1, 2, 3, 4):
        mcp, pip, dip, tip = (h[i, :2] for i in CHAINS[f])
        out.append(
            np.linalg.norm(tip - w) > 1.5 * np.linalg.norm(mcp - w)
            and np.linalg.norm(tip - mcp) > 1.76 * np.linalg.norm(pip - mcp)
        )
    return np.array(out)


def gap(grey, h, a, b, palm):
    """(largest grey difference between the pair's gap and its fingers, spread in palm widths)
    for fingers ``a`` and ``b``; NaN depth where the landmarks hold the pair together."""
    pa = (h[CHAINS[a][1], :2] + h[CHAINS[a][2], :2]) / 2
    pb = (h[CHAINS[b][1], :2] + h[CHAINS[b][2], :2]) / 2
    d = np.linalg.norm(pb - pa)
    if d < 0.22 * palm:  # landmarks say the pair is held together: nothing to see
        return np.nan, d / palm
    s = np.linspace(0, 1, 25)
    xy = pa[None] + s[:, None] * (pb - pa)[None]
    v = cv2.remap(
        grey, xy[:, 0].astype(np.float32)[None], xy[:, 1].astype(np.float32)[None], cv2.INTER_LINEAR
    )[0]
    ends = np.r_[v[:4], v[-4:]]
    mid = v[9:16]
    return float(np.max(np.abs(mid - np.median(ends)))), d / palm


def clip_rows(rel, cache):
    """Rows (frame, hand slot, first finger of the pair, depth over contrast, spread, palm px)
    for every spread pair of extended fingers on a hand with a palm of 40 px or more."""
    img, t = landmarks(rel, cache)
    if img.shape[1] == 0:
        return []
    rows = []
    for fr in iter_frames(M / rel):
        n = fr.index
        if n >= len(img):
            break
        grey = cv2.cvtColor(fr.rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
        for k in range(img.shape[1]):
            h = img[n, k]
            if np.isnan(h).any():
                continue
            palm = np.linalg.norm(h[5, :2] - h[17, :2])
            if palm < 40:
                continue
            ext = extended(h)
            x0, y0 = np.maximum(h[:, :2].min(0).astype(int), 0)
            x1, y1 = h[:, :2].max(0).astype(int)
            crop = grey[y0 : y1 + 1, x0 : x1 + 1]
            if crop.size < 100:
                continue
            con = float(np.std(crop)) + 1e-3
            for a, b in PAIRS:
                if not (ext[a - 1] and ext[b - 1]):
                    continue
                g, sp = gap(grey, h, a, b, palm)
                rows.append((n, k, a, g / con if np.isfinite(g) else np.nan, sp, palm))
    return rows


def events(rows, rel, cache, low=0.3, high=0.6, run=2, before_n=1):
    """Fused-finger events (slot, start s, end s): >= ``run`` consecutive frames where every
    judged pair (2 or more) reads below ``low``, after >= ``before_n`` frames of the same hand
    in the second before with 2 pairs at ``high`` or more."""
    r = rows.get(rel, [])
    if not r:
        return []
    t = np.load(cache / (rel.replace("/", "__") + ".npz"))["t"]
    by = {}
    for n, k, _pair, g, _spread, _palm in r:
        if np.isfinite(g):
            by.setdefault((k, n), []).append(g)
    out = []
    for k in sorted({k for k, _ in by}):
        frames = sorted(n for kk, n in by if kk == k)
        state = {}
        for n in frames:
            g = np.array(by[(k, n)])
            if len(g) >= 2 and np.all(g < low):
                state[n] = "fused"
            elif len(g) >= 2 and np.sum(g >= high) >= 2:
                state[n] = "gaps"
        # runs of consecutive-frame fused
        fused = sorted(n for n, s in state.items() if s == "fused")
        i = 0
        while i < len(fused):
            j = i
            while j + 1 < len(fused) and fused[j + 1] == fused[j] + 1:
                j += 1
            if j - i + 1 >= run:
                start = fused[i]
                before = [
                    n for n, s in state.items() if s == "gaps" and t[start] - 1.0 <= t[n] < t[start]
                ]
                if len(before) >= before_n:
                    out.append((k, round(float(t[start]), 2), round(float(t[fused[j]]), 2)))
            i = j + 1
    return out


def inwin(ev, windows):
    return any(a - 0.3 <= s <= b + 0.3 or (s <= a and e >= a) for _, s, e in ev for a, b in windows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "finger_gaps")
    args = ap.parse_args()
    cache = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    failures, plausible, real = clip_sets(M)
    rows = {}
    print("| clip | spread pairs | gap/contrast p5 | p50 | share < 0.3 |\n|---|---|---|---|---|")
    for rel in list(failures) + plausible + real:
        rows[rel] = clip_rows(rel, cache)
        r = np.array([x for x in rows[rel] if np.isfinite(x[3])]).reshape(-1, 6)
        if len(r):
            print(
                f"| {rel} | {len(r)} | {np.percentile(r[:, 3], 5):.2f} | "
                f"{np.median(r[:, 3]):.2f} | {np.mean(r[:, 3] < 0.3):.2f} |",
                flush=True,
            )
    for run, before_n in ((2, 0), (1, 1), (2, 3), (3, 3)):
        print(
            f"\nEvents: >= {run} frames with every judged pair < 0.3, after >= {before_n} "
            "frames of the same hand with 2 pairs >= 0.6 in the second before"
        )
        caught = [
            rel
            for rel, w in failures.items()
            if inwin(events(rows, rel, cache, run=run, before_n=before_n), w)
        ]
        print(f"  failure clips caught in their window: {len(caught)}/{len(failures)} {caught}")
        for name, rels in (("plausible generated", plausible), ("real", real)):
            bad = {r: events(rows, r, cache, run=run, before_n=before_n) for r in rels}
            bad = {r: e for r, e in bad.items() if e}
            print(
                f"  {name} clips with an event: {len(bad)} "
                + "; ".join(f"{r} at {[e[1] for e in ev]}" for r, ev in bad.items())
            )


if __name__ == "__main__":
    main()
