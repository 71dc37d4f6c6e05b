"""Wrong viseme: lips that never close on p, b, m (``viseme_mismatch``; issue 17 item 3).

Runs when the clip's words are known (``ClipSignals.speech``, aligned by ``speech.aligner``):

1. no words: the check did not run, and ``details["visemes"]["reason"]`` says how to give them;
   an alignment with a reason (dictionary lacks a word, not English, no path) likewise.
2. the alignment must fit the audio (``viseme_min_score_per_frame``,
   ``viseme_max_short_phone_share``, ``viseme_max_speech_outside_words``), else: not run, with
   the figures.
3. the speaker's inner-lip gap is put on the clip's own closed-open scale
   (``signals.visemes.mouth_scale``); each bilabial phone's window (moved by the measured A/V
   lag when it is conclusive) is searched for its most closed frame.
4. a bilabial whose most closed frame is still open past ``viseme_max_open_fraction`` of the
   scale and ``viseme_min_open_gap`` above the closed gap is a ``viseme_mismatch``; its evidence
   frame is that most closed frame (the mouth visibly open at the bilabial).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report import Evidence, Finding
from ...signals.mouth import lip_features, mouth_box
from ...signals.visemes import BILABIALS, closure_at, mouth_scale, speech_outside_words

if TYPE_CHECKING:
    from ...settings import LipSyncSettings
    from ...signals import ClipSignals
    from ...types import SpeechAlignment

MODE = "lipsync"
HOW = ("give the words with --transcript TEXT or --transcript-file FILE, or quote the speech "
       "in --prompt (e.g. \"saying 'absolutely fantastic'\")")


def viseme_check(signals: ClipSignals, slot: int | None, lag_s: float,
                 cfg: LipSyncSettings, speakers: list[dict] | None = None
                 ) -> tuple[list[Finding], dict]:
    """Findings and the ``details["visemes"]`` section (always a dict with ``ran`` and
    ``reason``) for the speaker in face slot ``slot``; ``lag_s`` > 0 moves the mouth later.

    ``speakers`` (a dialogue: ``details["speakers"]``, each with ``face`` and its turns'
    ``segments`` in seconds) reads each bilabial on the face speaking at its time instead.
    """
    speech = signals.speech
    if speech is None:
        return [], {"ran": False, "reason": f"the words are not known: {HOW}"}
    # (No wall time here: the same clip and settings give a byte-identical report.)
    info = {"ran": False, "reason": speech.reason, "source": speech.source,
            "words": list(speech.words), "alignment": dict(speech.measured or {})}
    if speech.reason:
        return [], info
    reason = _fit_problem(signals, speech, cfg, info["alignment"])
    if reason is None and (slot is None or signals.faces is None):
        reason = "no face to read the lips of"
    if reason:
        info["reason"] = reason
        return [], info
    mouths: dict[int, tuple] = {}

    def mouth(k: int):
        if k not in mouths:
            gap = lip_features(signals.faces.points[:, k])[:, 0]
            scale = mouth_scale(gap, closed_percentile=cfg.viseme_closed_percentile,
                                open_percentile=cfg.viseme_open_percentile)
            ok = scale is not None and scale.span >= cfg.viseme_min_mouth_span
            mouths[k] = (gap, scale if ok else None)
        return mouths[k]

    if mouth(slot)[1] is None:
        info["reason"] = ("the mouth hardly opens in this clip (open and closed inner-lip gaps "
                          f"under {cfg.viseme_min_mouth_span:g} eye distances apart)")
        return [], info
    t_mouth = signals.t_s - lag_s  # the mouth at t shows the sound at t - lag
    rows, findings = [], []
    for phone in speech.phones:
        if phone.phone not in BILABIALS:
            continue
        face = _speaker_at(speakers, (phone.start_s + phone.end_s) / 2, slot)
        gap, scale = mouth(face)
        row = {"word": phone.word, "word_index": phone.word_index, "phone": phone.phone,
               "start_s": phone.start_s, "end_s": phone.end_s, "face_slot": face,
               "closest_frame_s": None, "inner_gap": None, "open_fraction": None,
               "closed": None}
        rows.append(row)
        if scale is None:
            continue
        c = closure_at(t_mouth, gap, scale, phone.start_s, phone.end_s,
                       lead_s=cfg.viseme_lead_s, trail_s=cfg.viseme_trail_s)
        if c.frame < 0:
            continue
        row.update(closest_frame_s=round(float(signals.t_s[c.frame]), 3),
                   inner_gap=round(c.gap, 4), open_fraction=round(c.open_fraction, 3),
                   closed=not (c.open_fraction > cfg.viseme_max_open_fraction
                               and c.gap - scale.closed > cfg.viseme_min_open_gap))
        if not row["closed"]:
            findings.append(_finding(signals, face, phone, c, scale, lag_s, cfg))
    measured = [r for r in rows if r["closed"] is not None]
    scale = mouth(slot)[1]
    info.update(ran=True, reason=None, bilabials=rows, bilabials_checked=len(measured),
                bilabials_closed=sum(1 for r in measured if r["closed"]),
                mouth_closed_gap=round(scale.closed, 4), mouth_open_gap=round(scale.open, 4),
                lag_applied_ms=round(lag_s * 1000, 1))
    if not rows:
        info["note"] = "the words hold no p, b or m"
    return findings, info


def _speaker_at(speakers: list[dict] | None, t_s: float, default: int) -> int:
    """The face whose turn holds ``t_s`` (the nearest turn's face between turns)."""
    best, best_d = default, float("inf")
    for sp in speakers or []:
        for a, b in sp.get("segments", []):
            d = max(a - t_s, t_s - b, 0.0)
            if d < best_d:
                best, best_d = int(sp["face"]), d
    return best


def _fit_problem(signals: ClipSignals, speech: SpeechAlignment, cfg: LipSyncSettings,
                 fit: dict) -> str | None:
    """Why the aligned words cannot be trusted to match the audio, or None."""
    spans: dict[int, list[float]] = {}
    for p in speech.phones:
        span = spans.setdefault(p.word_index, [p.start_s, p.end_s])
        span[1] = p.end_s
    outside = None
    if signals.audio is not None:
        outside = speech_outside_words(signals.audio, signals.audio_sr,
                                       [tuple(s) for s in spans.values()])
    fit["speech_outside_words"] = None if outside is None else round(outside, 3)
    problems = []
    if fit["score_per_frame"] < cfg.viseme_min_score_per_frame:
        problems.append(f"the aligner's acoustic score is {fit['score_per_frame']:.1f} per "
                        f"frame (needs {cfg.viseme_min_score_per_frame:g})")
    if fit["short_phone_share"] > cfg.viseme_max_short_phone_share:
        problems.append(f"{fit['short_phone_share']:.1%} of the phones are squeezed to the "
                        f"aligner's 30 ms minimum (at most {cfg.viseme_max_short_phone_share:.0%})")
    if outside is not None and outside > cfg.viseme_max_speech_outside_words:
        problems.append(f"{outside:.0%} of the loud audio lies outside the aligned words (at "
                        f"most {cfg.viseme_max_speech_outside_words:.0%})")
    if not problems:
        return None
    return "the audio does not match the words: " + "; ".join(problems)


def _finding(signals: ClipSignals, slot: int, phone, c, scale, lag_s: float,
             cfg: LipSyncSettings) -> Finding:
    t = float(signals.t_s[c.frame])
    letter = {"P": "p", "B": "b", "M": "m"}[phone.phone]
    box = mouth_box(signals.faces.points[c.frame, slot])
    excess = c.open_fraction - cfg.viseme_max_open_fraction
    return Finding(
        mode=MODE, kind="viseme_mismatch", first_s=round(phone.start_s + lag_s, 3),
        start_s=round(phone.start_s + lag_s, 3), end_s=round(phone.end_s + lag_s, 3),
        confidence=float(np.clip(0.5 + excess, 0.5, 0.95)),
        description=(f"The lips never close for the '{letter}' ({phone.phone}) in "
                     f"\"{phone.word}\" at {phone.start_s + lag_s:.2f} s"
                     + (f" (heard at {phone.start_s:.2f} s; the mouth "
                        f"{'trails' if lag_s > 0 else 'leads'} the sound by "
                        f"{abs(lag_s) * 1000:.0f} ms, as measured)" if lag_s else "")
                     + f": at their most closed ({t:.2f} s) the mouth is "
                     f"{c.open_fraction:.0%} open on this clip's own closed-to-open scale."),
        measured={"word": phone.word, "word_index": phone.word_index, "phone": phone.phone,
                  "phone_start_s": phone.start_s, "phone_end_s": phone.end_s,
                  "frame_s": round(t, 3), "inner_gap": round(c.gap, 4),
                  "open_fraction": round(c.open_fraction, 3),
                  "mouth_closed_gap": round(scale.closed, 4),
                  "mouth_open_gap": round(scale.open, 4), "lag_applied_ms": round(lag_s * 1000, 1),
                  "face_slot": slot},
        threshold={"max_open_fraction": cfg.viseme_max_open_fraction,
                   "min_open_gap": cfg.viseme_min_open_gap,
                   "window_s": [-cfg.viseme_lead_s, cfg.viseme_trail_s]},
        evidence=[Evidence(t_s=t, label=f"'{letter}' in \"{phone.word}\": mouth open",
                           box=box)],
        track=slot,
    )
