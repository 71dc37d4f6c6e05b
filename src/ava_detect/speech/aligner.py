"""Forced alignment of known words to a clip's audio with pocketsphinx (its only user).

pocketsphinx 5.1.1's wheel ships the US English acoustic model and the CMU dictionary, so the
alignment runs offline right after ``pip install``. Two passes, as pocketsphinx documents: a
word alignment (``set_align_text``), then a phone alignment of that result
(``set_alignment``), each on the whole clip at 16 kHz; 10 ms frames.

What comes back is plain data (:class:`~ava_detect.types.SpeechAlignment`): phones with their
times and acoustic scores. Whether the fit is good enough to judge the lips by is decided by the
lip-sync check from ``measured`` (``detectors.lipsync.visemes``); here a ``reason`` is set only
when no alignment exists: words the dictionary lacks, tokens that are not English words, no
audio, or an aligner that finds no path through the words (audio that does not say them).
"""

from __future__ import annotations

import re
import threading
import time

import numpy as np

from ..types import AlignedPhone, SpeechAlignment
from .words import KnownWords

SAMPLE_RATE = 16000  # the en-us acoustic model's rate
FRAME_S = 0.01  # pocketsphinx's frame step
_VARIANT = re.compile(r"\(\d+\)$")  # "and(2)": the dictionary's second pronunciation
_LOCK = threading.Lock()
_DECODER = None


def _decoder():
    """One decoder per process (loading the dictionary takes about a second); not thread-safe,
    so every use holds ``_LOCK``."""
    global _DECODER
    if _DECODER is None:
        from pocketsphinx import Decoder

        # Without the flat-lexicon and best-path passes (both meant for recognition): with them
        # the phone alignment failed ("Failed to stop utterance processing") on 5 of 16 clips
        # with the recogniser's words and on the Obama interview with its corrected words;
        # without them on none.
        _DECODER = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", fwdflat=False,
                           bestpath=False)
    return _DECODER


def dictionary_lacks(words: tuple[str, ...]) -> list[str]:
    """The words (in order, once each) the aligner's pronouncing dictionary does not hold."""
    with _LOCK:
        dec = _decoder()
        return [w for w in dict.fromkeys(words) if dec.lookup_word(w) is None]


def _pcm16(audio: np.ndarray, sr: int) -> bytes:
    """Mono float audio at ``sr`` Hz -> 16 kHz signed 16-bit little-endian PCM."""
    x = np.asarray(audio, dtype=np.float64)
    if sr != SAMPLE_RATE and x.size:
        n = int(round(x.size * SAMPLE_RATE / sr))
        x = np.interp(np.arange(n) * (sr / SAMPLE_RATE), np.arange(x.size), x)
    return (np.clip(x, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def align_known_words(audio: np.ndarray | None, sr: int, known: KnownWords) -> SpeechAlignment:
    """Align ``known.words`` to ``audio`` (mono float32 at ``sr`` Hz, sample i at i / sr s).

    Returns a :class:`SpeechAlignment` whose ``phones`` hold every phone of every word (silences
    left out), or whose ``reason`` says why there is no alignment. ``measured`` holds
    ``score_per_frame`` (the mean acoustic log score of the words' frames) and
    ``short_phone_share`` (the share of phones squeezed to the aligner's 30 ms minimum, which is
    what a text forced onto audio that does not say it looks like).
    """
    base = SpeechAlignment(text=known.text, source=known.source, words=known.words)
    if known.odd:
        shown = ", ".join(repr(t) for t in known.odd[:5])
        return _with(base, f"the words hold {shown}, which the US English aligner cannot read "
                     "(write numbers as words; other languages cannot be aligned)")
    if not known.words:
        return _with(base, "the transcript holds no words")
    if audio is None or len(audio) == 0:
        return _with(base, "the clip has no audio to align the words to")
    missing = dictionary_lacks(known.words)
    if missing:
        shown = ", ".join(repr(w) for w in missing[:5])
        return _with(base, f"the aligner's US English dictionary lacks {shown}: the words "
                     "cannot be placed in the audio (spell them as common English words)")
    pcm = _pcm16(audio, sr)
    start = time.perf_counter()
    with _LOCK:
        dec = _decoder()
        try:
            dec.set_align_text(" ".join(known.words))
            for second_pass in (False, True):
                if second_pass:
                    dec.set_alignment()
                dec.start_utt()
                dec.process_raw(pcm, full_utt=True)
                dec.end_utt()
            alignment = dec.get_alignment()
            entries = [(w.name, [(p.name, p.start, p.duration, p.score) for p in w])
                       for w in (alignment or [])]
        except RuntimeError:
            entries = []
        finally:
            dec.activate_search()
    took = time.perf_counter() - start
    phones = _phones(entries, known.words)
    if not phones:
        return _with(base, "the audio does not match the words: the aligner found no way to "
                     "place them in the audio (it does not say them, or says much more)",
                     align_s=took)
    frames = np.array([round((p.end_s - p.start_s) / FRAME_S) for p in phones])
    scores = np.array([p.score for p in phones])
    measured = {"score_per_frame": round(float((scores * frames).sum() / frames.sum()), 2),
                "short_phone_share": round(float((frames <= 3).mean()), 4),
                "phones": len(phones), "audio_s": round(len(audio) / sr, 3)}
    return SpeechAlignment(text=known.text, source=known.source, words=known.words,
                           phones=tuple(phones), measured=measured, align_s=round(took, 3))


def _phones(entries: list, words: tuple[str, ...]) -> list[AlignedPhone]:
    """Aligner entries -> phones of the transcript's words (``word_index`` counts them)."""
    out: list[AlignedPhone] = []
    index = -1
    for name, phones in entries:
        word = _VARIANT.sub("", name)
        if word.startswith("<") or word == "sil" or not phones:
            continue
        index += 1
        if index >= len(words):
            break
        for phone, start, duration, score in phones:
            if phone == "SIL":
                continue
            out.append(AlignedPhone(word=words[index], word_index=index, phone=phone,
                                    start_s=round(start * FRAME_S, 3),
                                    end_s=round((start + duration) * FRAME_S, 3),
                                    score=float(score) / max(int(duration), 1)))
    return out


def _with(base: SpeechAlignment, reason: str, align_s: float = 0.0) -> SpeechAlignment:
    return SpeechAlignment(text=base.text, source=base.source, words=base.words, reason=reason,
                           align_s=round(align_s, 3))


def recognise(audio: np.ndarray, sr: int) -> str:
    """pocketsphinx's own best guess at the words of ``audio`` (its US English language
    model; slow, about 2x real time here). For finding candidate words to check by alignment
    (``benchmarks/viseme_accuracy.py``), never for the check itself: its guesses are often
    wrong."""
    from pocketsphinx import Decoder

    dec = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
    dec.start_utt()
    dec.process_raw(_pcm16(audio, sr), full_utt=True)
    dec.end_utt()
    hyp = dec.hyp()
    return hyp.hypstr if hyp is not None else ""
