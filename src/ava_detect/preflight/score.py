"""Score a prompt before generating: per failure mode a risk, its reasons and a rewrite.

Pure Python (``re`` only): no model, no numpy, no file. :func:`score_prompt` is what
``ava-detect preflight`` prints; its ``modes`` section has the shape the issue fixes:
``{"hands": {"risk", "reasons": [...], "rewrite"}, "identity": {...}, "lipsync": {...}}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .rules import (
    CLOSEUP_MAX_S,
    DIALOGUE_MAX_S,
    ENGLISH_HINTS,
    HAND_WORDS,
    HANDS_MAX_S,
    LONG_LINE_WORDS,
    MODE_FIXES,
    PERSON,
    PERSON_LONG_S,
    PLATFORM_DEFAULT_S,
    PLATFORM_NAMES,
    PLOSIVE_SHARE_MAX,
    RED_AT,
    RULES,
    VOWEL_SHARE_MIN,
    YELLOW_AT,
    Rule,
)

MODES = ("hands", "identity", "lipsync")
_DURATION = re.compile(
    r"\b(\d+(?:\.\d+)?)[- ]?(?:s|sec|secs|second|seconds)\b(?:[- ]long)?", re.IGNORECASE
)
_PLATFORM_ANY = re.compile(r"[^a-z0-9]+")
_QUOTED = re.compile(  # text in quotes, the quotes opening after a space and closing before one
    r"(?:^|[\s:(])[\"'\u201c\u2018]([^\"\u201d\u2019]{2,}?)[\"'\u201d\u2019]"
    r"(?=$|[\s,.;:!?)])"
)


@dataclass(frozen=True)
class Hit:
    """One feature found: the rule (None for a length rule), its weight and reason."""

    rule_id: str
    weight: int
    reason: str
    rule: Rule | None = None


def risk_of(score: int) -> str:
    return "red" if score >= RED_AT else "yellow" if score >= YELLOW_AT else "green"


def platform_key(platform: str | None) -> str | None:
    """The known platform a user's name stands for ("Google Veo" -> "veo"), else None."""
    if not platform:
        return None
    text = platform.strip().lower()
    return PLATFORM_NAMES.get(text) or PLATFORM_NAMES.get(_PLATFORM_ANY.sub("", text))


def duration_in(prompt: str) -> float | None:
    """A clip length written in the prompt ("a 5-second monologue", "8 s"), in seconds."""
    match = _DURATION.search(prompt)
    return float(match.group(1)) if match else None


def word_hits(prompt: str, mode: str) -> list[Hit]:
    """The word rules of ``mode`` the prompt matches (one per feature label)."""
    hits: list[Hit] = []
    labels: set[str] = set()
    for rule in RULES:
        if rule.mode != mode or rule.label in labels:
            continue
        match = rule.regex.search(prompt)
        if rule.unless and re.search(rule.unless, prompt, re.I):
            continue
        if match and (rule.requires is None or re.search(rule.requires, prompt, re.I)):
            labels.add(rule.label)
            hits.append(Hit(rule.id, rule.weight, rule.reason.format(match=match.group(0).strip()),
                            rule))  # fmt: skip
    return hits


def quoted_lines(prompt: str) -> list[str]:
    """The lines the prompt puts in quotes (what someone is asked to say)."""
    return [m.group(1).strip() for m in _QUOTED.finditer(prompt)]


def _line_hits(prompt: str, words: list[Hit]) -> list[Hit]:
    """Lip-sync risks of the quoted lines themselves: long, or vowel-heavy without plosives."""
    if not any(h.rule_id == "dialogue" for h in words):
        return []
    hits = []
    for line in quoted_lines(prompt):
        n_words = len(line.split())
        letters = [c for c in line.lower() if c.isalpha() and c.isascii()]
        if n_words > LONG_LINE_WORDS and not any(h.rule_id == "long_speech" for h in words):
            hits.append(Hit("long_line", 2, f"a long line to say ({n_words} words)"))
        if n_words >= 2 and len(letters) >= 8:
            plosive = sum(c in "pbtdkg" for c in letters) / len(letters)
            vowel = sum(c in "aeiouy" for c in letters) / len(letters)
            if plosive <= PLOSIVE_SHARE_MAX and vowel >= VOWEL_SHARE_MIN:
                hits.append(Hit("vowel_heavy", 1, f"the line \"{line}\" is vowel-heavy with "
                                f"{plosive:.0%} plosives (p, b, t, d, k, g): little for the lips "
                                "to close on"))  # fmt: skip
    return hits


def _length_hits(mode: str, words: list[Hit], prompt: str, length: float | None,
                 assumed: str) -> list[Hit]:  # fmt: skip
    ids = {h.rule_id for h in words}
    hands_seen = bool(re.search(HAND_WORDS, prompt, re.I)) or bool(ids & {"hands_manipulation"})
    limit, what = {
        "hands": (HANDS_MAX_S, "hands in view" if hands_seen else None),
        "identity": (CLOSEUP_MAX_S, "a face close-up" if "face_closeup" in ids else None),
        "lipsync": (DIALOGUE_MAX_S, "dialogue" if "dialogue" in ids else None),
    }[mode]
    if what is None:
        if mode == "identity" and length and length > PERSON_LONG_S and re.search(PERSON, prompt,
                                                                                   re.I):
            return [Hit("long_clip", 1, f"a long clip ({length:g} s) with a person in it")]
        return []
    if length is None:
        return [Hit("length_unknown", 1, f"{what}, and no clip length given: most platforms "
                    f"make 5 s or more by default, over the {limit:g} s this needs "
                    "(give --duration)")]  # fmt: skip
    if length > limit:
        return [Hit("too_long", 1 if mode != "lipsync" else 2,
                    f"{what} for {length:g} s{assumed}, over {limit:g} s")]
    return []


PLOSIVE_LINE = "[your line, in words with p, b or t in them]"


def _shorter_line(line: str) -> str:
    """The line's first clause, or its first LONG_LINE_WORDS words."""
    first = re.split(r"(?<=[.!?;,])\s", line)[0]
    words = first.split()[: LONG_LINE_WORDS * 2 // 3]
    return " ".join(words).rstrip(",;")


def _limit_for(mode: str) -> float:
    return {"hands": HANDS_MAX_S, "identity": CLOSEUP_MAX_S - 1, "lipsync": DIALOGUE_MAX_S}[mode]


def _rewrite(prompt: str, mode: str, hits: list[Hit]) -> str:
    """The prompt with the risky words of ``mode`` replaced and its fixes appended."""
    text = prompt.strip().rstrip(".")
    clauses: list[str] = []
    for hit in hits:
        rule = hit.rule
        if hit.rule_id in ("long_line", "vowel_heavy"):
            for line in quoted_lines(text):
                text = text.replace(line, _shorter_line(line) if hit.rule_id == "long_line"
                                    else PLOSIVE_LINE)  # fmt: skip
            fix = ("the line kept to one short sentence" if hit.rule_id == "long_line"
                   else "a line with strong consonants (p, b, t) instead")
            if fix not in clauses:
                clauses.append(fix)
            continue
        if rule is None:
            continue
        if rule.replace is not None:
            text = rule.regex.sub(rule.replace, text)
        if rule.add and rule.add not in clauses:
            clauses.append(rule.add)
    limit = _limit_for(mode)
    if _DURATION.search(text):
        text = _DURATION.sub(f"{limit:g}-second", text)
    else:
        clauses.append(f"{limit:g}-second clip")
    clauses.append(MODE_FIXES[mode])
    text = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", text)).strip(" ,")
    text = text[:1].upper() + text[1:]
    return ", ".join([text, *clauses])


def score_mode(prompt: str, mode: str, length: float | None, assumed: str = "") -> dict[str, Any]:
    """One mode's risk: ``risk``, ``score``, ``reasons``, ``features`` (rule ids) and, when
    not green, ``rewrite`` (lower-scoring prompt) with ``rewrite_risk`` and ``rewrite_score``."""
    words = word_hits(prompt, mode)
    lines = _line_hits(prompt, words) if mode == "lipsync" else []
    hits = words + lines + _length_hits(mode, words, prompt, length, assumed)
    score = sum(h.weight for h in hits)
    out: dict[str, Any] = {
        "risk": risk_of(score),
        "score": score,
        "reasons": [h.reason for h in hits],
        "features": [h.rule_id for h in words + lines],
        "rewrite": None,
    }
    if score >= YELLOW_AT:
        rewrite = _rewrite(prompt, mode, hits)
        again = score_mode_plain(rewrite, mode, _limit_for(mode))
        if again < score:
            out.update(rewrite=rewrite, rewrite_risk=risk_of(again), rewrite_score=again)
        else:  # what is left is the subject itself (someone speaks): say so, offer no rewrite
            out["rewrite_note"] = (
                "no rewrite of the words lowers this: the risk is the subject itself; "
                f"keep to the fix ({MODE_FIXES[mode]}, {_limit_for(mode):g} s or shorter)."
            )
    return out


def score_mode_plain(prompt: str, mode: str, length: float | None) -> int:
    words = word_hits(prompt, mode)
    lines = _line_hits(prompt, words) if mode == "lipsync" else []
    return sum(h.weight for h in words + lines + _length_hits(mode, words, prompt, length, ""))


def looks_english(prompt: str) -> bool:
    words = re.findall(r"[^\W\d_]+", prompt.lower())
    if len(words) < 4:
        return all(w.isascii() for w in words)
    return any(w in ENGLISH_HINTS for w in words)


def score_prompt(
    prompt: str, *, platform: str | None = None, duration_s: float | None = None
) -> dict[str, Any]:
    """The pre-flight result for ``prompt``.

    Parameters
    ----------
    prompt
        The generation prompt (read as English).
    platform
        Where it will be generated; a platform with a known default clip length supplies the
        length when ``duration_s`` is not given. Unknown platforms are fine (a note says so).
    duration_s
        The planned clip length in seconds; else a length written in the prompt, else the
        platform's default, else unknown (length rules then ask for it).

    Returns
    -------
    dict
        ``prompt``, ``platform``, ``duration_s`` with ``duration_source``, ``notes`` and
        ``modes`` (see :func:`score_mode`).
    """
    notes: list[str] = []
    key = platform_key(platform)
    length, source, assumed = duration_s, "given", ""
    if length is None and (length := duration_in(prompt)) is not None:
        source = "prompt"
    if length is None and key in PLATFORM_DEFAULT_S:
        length, source = PLATFORM_DEFAULT_S[key], "platform default"
        assumed = f" (no length given: {platform}'s default)"
    if length is None:
        source = None
    if platform and key is None:
        notes.append(f"no platform-specific data for {platform!r}: the general rules apply.")
    elif platform and key not in PLATFORM_DEFAULT_S:
        notes.append(f"no platform-specific data for {platform} (default clip length unknown): "
                     "the general rules apply.")  # fmt: skip
    if not looks_english(prompt):
        notes.append("the prompt does not look like English: these rules read English words "
                     "only, so a feature written in other words is not seen and green means "
                     "'nothing recognised', not 'safe'.")  # fmt: skip
    return {
        "prompt": prompt,
        "platform": platform,
        "duration_s": length,
        "duration_source": source,
        "notes": notes,
        "modes": {mode: score_mode(prompt, mode, length, assumed) for mode in MODES},
    }
