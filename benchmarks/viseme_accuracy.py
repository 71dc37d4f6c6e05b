"""The viseme check (lips closing on p, b, m) on real talking heads and built negatives.

For every clip in ``WORDS`` (real speech whose words were established: see the table) the
words are aligned and the check run: bilabials checked, closed, and any viseme_mismatch (each
one false: the footage is real). ``--recognised`` adds every other talking clip of speech/ with
the words pocketsphinx's own recogniser hears (not verified, often wrong: a stress test of the
false-finding rate, not a measurement with known words).

Built negatives: for every measured bilabial, the face landmarks of the frames in its window
(moved by the measured lag) are replaced by those of as many of the clip's most open frames (at
least 0.5 s away), which is what the face mesh sees when those frames are replaced by
open-mouth frames of the same clip
(tests/test_visemes_media.py does it on pixels for one case). A negative is detected when a
viseme_mismatch names that word, phone and time.

    python benchmarks/viseme_accuracy.py [--media ../shared/media] [--cache DIR] [--recognised]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from lipsync_cache import load_signals  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from viseme_build import open_donors  # noqa: E402

from ava_detect.detectors import detector_for  # noqa: E402
from ava_detect.settings import Settings  # noqa: E402
from ava_detect.signals.clip import FaceArrays  # noqa: E402
from ava_detect.signals.mouth import lip_features  # noqa: E402
from ava_detect.speech import known_words  # noqa: E402
from ava_detect.speech.aligner import align_known_words, recognise  # noqa: E402

# Words established from pocketsphinx's recognition, corrected by context where plainly wrong
# (nobody listened). The Katie Hill clip's first words are unsure; its bilabials all lie in
# the phrase "for my second week of new member orientation", which is clear.
WORDS = {
    "speech/hyperlips_real_video2_obama_interview": (
        "as i reflect on last year and look ahead to the next one i am filled with gratitude "
        "for the support you've given to the obama foundation"),
    "speech/retalking_face1_man_suit": (
        "my biggest weakness is asking for help when needed i'd like to do better and i"),
    "speech/ghost_obama_short_speech": "but i also see now the wisdom of the founders that",
    "speech/hdtf_katiehill_speech_8s": (
        "national that's right and friendly and easy for my second week of new member "
        "orientation additionally where things are how to use the titles"),
    # AI-generated dub (HyperLips) meant to be in sync with this audio.
    "speech/aigen_hyperlips_video2_dubbed": (
        "happy new year everyone wishing you all a happy and prosperous new year with your "
        "family and all the best"),
}


def run(signals, text: str, settings: Settings):
    signals = dataclasses.replace(signals)
    start = time.perf_counter()
    signals.speech = align_known_words(signals.audio, signals.audio_sr,
                                       known_words({"transcript": text}))
    took = time.perf_counter() - start
    return detector_for("lipsync").detect(signals, settings), signals, took


def open_over(signals, slot: int, start_s: float, end_s: float):
    """``signals`` with the face of frames in [start_s, end_s] replaced by as many of the clip's
    most open frames at least 0.5 s away (None when the span holds no frame)."""
    t = signals.t_s
    pts = signals.faces.points.copy()
    gap = lip_features(pts[:, slot])[:, 0]
    target = np.flatnonzero((t >= start_s) & (t <= end_s))
    if not target.size:
        return None
    pts[target] = pts[open_donors(t, gap, target, start_s, end_s)]
    return dataclasses.replace(signals, faces=FaceArrays(points=pts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--media", type=Path,
                        default=Path(os.environ.get("AVA_TEST_MEDIA", "../shared/media")))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lipsync/cache"))
    parser.add_argument("--recognised", action="store_true")
    args = parser.parse_args()
    settings = Settings(checks=("lipsync",))
    cfg = settings.lipsync
    clips = dict(WORDS)
    if args.recognised:
        for path in sorted((args.media / "speech").glob("*.mp4")):
            key = f"speech/{path.stem}"
            if key not in clips:
                sig = load_signals(path, args.cache)
                clips[key] = recognise(sig.audio, sig.audio_sr) if sig.audio is not None else ""
    totals = {"checked": 0, "closed": 0, "false": 0, "neg": 0, "hit": 0, "neg_near": 0,
              "neg_other": 0, "evidence_in_built": 0, "neg_fracs": []}
    for key, text in clips.items():
        sig = load_signals(args.media / f"{key}.mp4", args.cache)
        result, aligned, took = run(sig, text, settings)
        v = result.details["visemes"]
        false = [f for f in result.findings if f.kind == "viseme_mismatch"]
        tag = "words" if key in WORDS else "recognised"
        if not v["ran"]:
            print(f"{key} [{tag}]: not run: {v['reason']} (align {took:.2f} s)")
            continue
        fracs = [r["open_fraction"] for r in v["bilabials"] if r["closed"] is not None]
        print(f"{key} [{tag}]: {v['bilabials_closed']}/{v['bilabials_checked']} bilabials "
              f"closed, worst open fraction {max(fracs, default=float('nan')):.2f}, "
              f"{len(false)} false finding(s); fit {v['alignment']}; align {took:.2f} s for "
              f"{v['alignment']['audio_s']:.1f} s")
        for f in false:
            print("   FALSE:", f.description)
        totals["checked"] += v["bilabials_checked"]
        totals["closed"] += v["bilabials_closed"]
        totals["false"] += len(false)
        slot, lag_s = result.details["face_slot"], v["lag_applied_ms"] / 1000
        for row in v["bilabials"]:
            if row["closed"] is None:
                continue
            a = row["start_s"] + lag_s - cfg.viseme_lead_s - 0.04
            b = row["end_s"] + lag_s + cfg.viseme_trail_s + 0.04
            built = open_over(aligned, slot, a, b)
            if built is None:
                continue
            res = detector_for("lipsync").detect(built, settings)
            found = [f for f in res.findings if f.kind == "viseme_mismatch"]
            hit = [f for f in found if f.measured["word_index"] == row["word_index"]
                   and f.measured["phone"] == row["phone"]
                   and abs(f.measured["phone_start_s"] - row["start_s"]) < 0.05]
            totals["neg"] += 1
            totals["hit"] += bool(hit)
            for f in found:
                if f in hit:
                    continue
                # A neighbouring bilabial whose own window lies in the replaced frames is
                # rightly found too; anything else is a false finding.
                near = (f.measured["phone_start_s"] + lag_s - cfg.viseme_lead_s <= b
                        and f.measured["phone_end_s"] + lag_s + cfg.viseme_trail_s >= a)
                totals["neg_near" if near else "neg_other"] += 1
                print(f"   {'neighbour' if near else 'OTHER'} finding in the negative at "
                      f"{row['word']!r}: {f.description}")
            if hit:
                k = int(np.argmin(np.abs(built.t_s - hit[0].evidence[0].t_s)))
                inside = bool(a <= built.t_s[k] <= b)
                totals["evidence_in_built"] += inside
                if not inside:
                    print(f"   evidence of {row['word']!r} at {built.t_s[k]:.2f} s, outside the "
                          f"replaced {a:.2f}-{b:.2f} s (lag applied "
                          f"{hit[0].measured['lag_applied_ms']:g} ms)")
                totals["neg_fracs"].append(hit[0].measured["open_fraction"])
            if not hit:
                print(f"   missed negative: {row['phone']} in {row['word']!r} at "
                      f"{row['start_s']:.2f} s ({res.details['visemes'].get('reason')})")
    print(f"\nreal: {totals['closed']}/{totals['checked']} bilabials closed, "
          f"{totals['false']} false viseme_mismatch")
    print(f"built negatives: {totals['hit']}/{totals['neg']} detected; also found: "
          f"{totals['neg_near']} neighbouring bilabials inside the replaced frames, "
          f"{totals['neg_other']} others; evidence frame among the replaced frames in "
          f"{totals['evidence_in_built']}/{totals['hit']}; open fraction "
          f"{min(totals['neg_fracs'], default=np.nan):.2f}-"
          f"{max(totals['neg_fracs'], default=np.nan):.2f}")
    mismatching_words(args, settings)


def mismatching_words(args, settings: Settings) -> None:
    """Every WORDS clip's audio with each other clip's words, and with the first half of its own
    words: how many are reported as audio that does not match the words."""
    from ava_detect.detectors.lipsync.visemes import viseme_check

    cfg = settings.lipsync
    audio = {k: load_signals(args.media / f"{k}.mp4", args.cache) for k in WORDS}
    cases = [(a, WORDS[t], "other clip's words") for a in WORDS for t in WORDS if a != t]
    cases += [(a, " ".join(WORDS[a].split()[: len(WORDS[a].split()) // 2]), "first half")
              for a in WORDS]
    counts: dict[str, list[int]] = {}
    for key, text, what in cases:
        sig = dataclasses.replace(audio[key], faces=None)
        sig.speech = align_known_words(sig.audio, sig.audio_sr, known_words({"transcript": text}))
        _, info = viseme_check(sig, None, 0.0, cfg)
        bad = bool(info["reason"]) and "does not match" in info["reason"]
        counts.setdefault(what, [0, 0])
        counts[what][0] += bad
        counts[what][1] += 1
        print(f"   {what:20s} on {key}: {'reported' if bad else 'ACCEPTED'} "
              f"{info.get('alignment')}")
    for what, (bad, n) in counts.items():
        print(f"words not said ({what}): {bad}/{n} reported as audio that does not match")


if __name__ == "__main__":
    main()
