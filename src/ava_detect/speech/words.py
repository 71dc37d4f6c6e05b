"""The words a clip should say: from a transcript, or from speech quoted in the prompt (pure).

A prompt such as ``Person saying 'absolutely fantastic' enthusiastically`` holds its dialogue in
quotes; a transcript gives it outright. Words are normalised to the aligner's dictionary form:
lower case, letters and inner apostrophes only (``don't`` stays one word), hyphens split
(``well-known`` -> ``well known``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Opening quote not preceded by a letter, closing quote not followed by one, so the apostrophes
# of "Person's" or "don't" are never taken for quotes. Straight and typographic quotes.
_QUOTED = (
    re.compile(r'"([^"]+)"'),
    re.compile(r"\u201c([^\u201d]+)\u201d"),  # “ ”
    re.compile(r"\u2018(.+?)\u2019(?!\w)"),  # ‘ ’ (’ is also a typographic apostrophe)
    re.compile(r"(?<!\w)'(.+?)'(?!\w)"),
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


@dataclass(frozen=True)
class KnownWords:
    """Words a clip should say.

    text: the dialogue as given; source: "--transcript", "--transcript-file" or "--prompt";
    words: :func:`normalise` (text); odd: tokens that are not words the aligner can read
    (digits, other scripts), in order.
    """

    text: str
    source: str
    words: tuple[str, ...]
    odd: tuple[str, ...] = ()


def quoted_speech(prompt: str | None) -> str | None:
    """The quoted dialogue of a prompt, the quotes joined in order; None when nothing is quoted.

    >>> quoted_speech("Person saying 'absolutely fantastic' enthusiastically")
    'absolutely fantastic'
    """
    if not prompt:
        return None
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _QUOTED:
        for m in pattern.finditer(prompt):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # inside a quote found already ('...' within "...")
            taken.append((m.start(), m.end()))
            hits.append((m.start(), m.group(1).strip()))
    parts = [text for _, text in sorted(hits) if text]
    return " ".join(parts) if parts else None


def normalise(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split ``text`` into dictionary-form words, and the tokens that are not such words.

    Returns ``(words, odd)``: ``words`` lower case, punctuation dropped, typographic apostrophes
    made straight, hyphens and slashes splitting words; ``odd`` every whitespace token holding
    a digit or a letter outside a-z (numbers must be written as words, other languages cannot
    be aligned), as written.
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    words: list[str] = []
    odd: list[str] = []
    for token in text.split():
        if any(ch.isdigit() for ch in token) or any(
            ch.isalpha() and not ("a" <= ch.lower() <= "z") for ch in token
        ):
            odd.append(token)
            continue
        words.extend(_WORD.findall(token.lower().replace("-", " ").replace("/", " ")))
    return tuple(words), tuple(odd)


def known_words(user: dict | None) -> KnownWords | None:
    """The words of ``user["transcript"]`` (source ``user["transcript_source"]``), else of the
    speech quoted in ``user["prompt"]``; None when neither gives any."""
    user = user or {}
    text, source = user.get("transcript"), user.get("transcript_source") or "--transcript"
    if not text or not text.strip():
        text, source = quoted_speech(user.get("prompt")), "--prompt"
    if not text:
        return None
    words, odd = normalise(text)
    return KnownWords(text=text.strip(), source=source, words=words, odd=odd)
