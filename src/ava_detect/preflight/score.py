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
    MODE_FIXES,
    PERSON,
    PERSON_LONG_S,
    PLATFORM_DEFAULT_S,
    PLATFORM_NAMES,
    RED_AT,
    RULES,
    YELLOW_AT,
    Rule,
)

MODES = ("hands", "identity", "lipsync")
_DURATION = re.compile(
    r"\b(\d+(?:\.\d+)?)[- ]?(?:s|sec|secs|second|seconds)\b(?:[- ]long)?", re.IGNORECASE
)
_PLATFORM_ANY = re.compile(r"[^a-z0-9]+")


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
        if match and (rule.requires is None or re.search(rule.requires, prompt, re.I)):
            labels.add(rule.label)
            hits.append(Hit(rule.id, rule.weight, rule.reason.format(match=match.group(0).strip()),
                            rule))  # fmt: skip
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


def _limit_for(mode: str) -> float:
    return {"hands": HANDS_MAX_S, "identity": CLOSEUP_MAX_S - 1, "lipsync": DIALOGUE_MAX_S}[mode]


def _rewrite(prompt: str, mode: str, hits: list[Hit]) -> str:
    """The prompt with the risky words of ``mode`` replaced and its fixes appended."""
    text = prompt.strip().rstrip(".")
    clauses: list[str] = []
    for hit in hits:
        rule = hit.rule
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
    hits = words + _length_hits(mode, words, prompt, length, assumed)
    score = sum(h.weight for h in hits)
    out: dict[str, Any] = {
        "risk": risk_of(score),
        "score": score,
        "reasons": [h.reason for h in hits],
        "features": [h.rule_id for h in words],
        "rewrite": None,
    }
    if score >= YELLOW_AT:
        rewrite = _rewrite(prompt, mode, hits)
        again = score_mode_plain(rewrite, mode, _limit_for(mode))
        out.update(rewrite=rewrite, rewrite_risk=risk_of(again), rewrite_score=again)
    return out


def score_mode_plain(prompt: str, mode: str, length: float | None) -> int:
    words = word_hits(prompt, mode)
    return sum(h.weight for h in words + _length_hits(mode, words, prompt, length, ""))


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
