"""What pre-flight knows: prompt features that raise each failure mode's risk, and their fixes.

Each :class:`Rule` reads the prompt (lower-cased English) with a regular expression. Its
``weight`` adds to the mode's score (:data:`YELLOW_AT`, :data:`RED_AT`); ``reason`` says in
words what was found; ``replace`` (when given) is what a rewrite puts in place of the matched
words, and ``add`` a clause the rewrite appends. The comment above each rule names its source:

- "ref:hands", "ref:identity", "ref:lipsync": the failure references the product is built on
  (issue 19 quotes them): for each mode, the prompt features that raise the risk and the fix.
- "docs/<mode>.md": what this project measured about the mode (cited where it agrees).

Length rules (a clip over 4 s with hands, dialogue over 3 s, a close-up over 4 s) are in
:mod:`.score`, because they read ``--duration`` rather than the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A mode's risk: green below YELLOW_AT, yellow below RED_AT, red from RED_AT. One weak feature
# (weight 1) or one strong one (weight 2) is yellow; a strong feature with any other is red.
YELLOW_AT = 1
RED_AT = 3


@dataclass(frozen=True)
class Rule:
    id: str
    mode: str
    weight: int
    label: str  # short name of the feature, for "your 12 Sora clips with <label>"
    reason: str  # what was found, in words; "{match}" is replaced by the prompt's words
    pattern: str
    requires: str | None = None  # another expression the prompt must also contain
    unless: str | None = None  # the rule does not apply when the prompt contains this
    replace: str | None = None  # a rewrite puts this in place of the matched words
    add: str | None = None  # a rewrite appends this clause
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern, re.IGNORECASE))


HAND_WORDS = r"\b(hands?|fingers?|fists?|palms?|thumbs?|knuckles?|gestur\w*)\b"
CLOSE = r"\b(extreme )?(close[- ]?ups?|closeups?|macro|tight shot)\b"
PERSON = (
    r"\b(face|woman|man|person|girl|boy|child|lady|gentleman|actor|actress|character|he|she|"
    r"narrator|presenter|anchor|portrait|people|someone|singer|speaker|model)\b"
)
SPEECH = (
    r"\b(speak\w*|talk\w*|say\w*|said|dialog\w*|conversation|interview\w*|narrat\w*|"
    r"monolog\w*|speech|lectur\w*|whisper\w*|shout\w*|yell\w*|recit\w*|presenting|"
    r"presenter|news anchor|sings?|singing|lip[- ]?sync"
    r"\w*|voice ?over|reads? aloud|announc\w*|explain\w*|deliver\w* (a |the )?(line|speech|"
    r"monolog\w*))\b"
)

RULES: tuple[Rule, ...] = (
    # ref:hands: "hands as the subject": the prompt starts with them...
    Rule("hands_subject", "hands", 2, "hands as the subject",
         "hands are the subject of the shot (\"{match}\")",
         r"^\s*((a|an|the|two|a pair of|close[- ]?up of|closeup of)\s+)*([\w']+\s+)?hands?\b",
         replace="A person", add="hands small in the frame and not the focus"),
    # ...or puts them in the foreground or in focus.
    Rule("hands_foreground", "hands", 2, "hands as the subject",
         "hands are the subject of the shot (\"{match}\")",
         r"\bhands? (in|at) (the )?foreground\b|\bfocus(ed)? on (the |his |her |their )?hands?"
         r"\b|\bclose[- ]?up of (the |his |her |their |a |two )?([\w']+ )?hands?\b",
         replace="seen in a medium-wide shot", add="hands small in the frame and not the focus"),
    # ref:hands: "manipulation (cooking, crafts, instruments, sign language, typing, card
    # tricks)". Fingers that grip, press and overlap are where topology breaks.
    Rule("hands_manipulation", "hands", 2, "hands handling things",
         "hands manipulate something (\"{match}\"): fingers grip, press and overlap",
         r"\b(cook\w*|chop\w*|slic\w*|dic(e|ing)|knead\w*|knit\w*|sew\w*|craft\w*|pottery|"
         r"origami|whittl\w*|sculpt\w*|carv\w*|playing (the )?(piano|guitar|violin|cello|drums?|"
         r"instrument\w*|cards?)|pianist|guitarist|violinist|drummer|sign language|signing|"
         r"typ(e|es|ing) on|typing|typewriter|keyboard|card tricks?|shuffl\w*|magic tricks?|"
         r"juggl\w*|counting on (his |her |their )?fingers|tying|braid\w*|threading)\b"),
    # ref:hands: "close-ups" of hands.
    Rule("hands_closeup", "hands", 1, "close-up hands",
         "a close-up with hands in view (\"{match}\")", CLOSE, requires=HAND_WORDS,
         replace="wide shot"),
    # ref:hands: "rapid hand motion"; docs/hands.md: generated hands melt during fast motion.
    Rule("hands_fast", "hands", 1, "fast hand motion", "rapid hand motion (\"{match}\")",
         r"\b(rapid\w*|fast|quick\w*|frantic\w*|wildly|vigorous\w*) (\w+ )?(hand|gestur|wav|"
         r"clap|mov|motion|typing|shuffl|finger)\w*|\b(clapping|waving|drumming|juggling)\b",
         add="slow, deliberate hand movements"),
    # ref:identity: "close-ups of a character".
    Rule("face_closeup", "identity", 1, "face close-ups",
         "a close-up of a character's face (\"{match}\")",
         CLOSE + r"|\b(portrait|headshot|head shot|head and shoulders)\b", requires=PERSON,
         unless=r"close[- ]?ups? of ([\w']+ ){0,3}(hands?|fingers?)\b", replace="medium shot"),
    # ref:identity: "head turns past 45 degrees, profile rotations"; docs/identity.md: frames
    # turned past 40 degrees cannot be compared, so drift there goes unseen until the turn back.
    Rule("head_turn", "identity", 2, "head turns",
         "the head turns far or to profile (\"{match}\"): past about 45 degrees the face is "
         "redrawn from little of it",
         r"\b((slowly |quickly |fast )?(turn\w*|rotat\w*|swivel\w*) (his |her |their |the )?head"
         r"( (from )?(left to right|right to left|to the (left|right)|around|sideways|away))?|"
         r"head turns?|from left to right|from right to left|left to right|right to left|"
         r"profile( view| shot)?|side view|turns? around|looks? over (his |her |their )?"
         r"shoulder|spins? around)\b",
         replace="with only a slight turn of the head (under 45 degrees)"),
    # ref:identity: "rotating or orbiting camera around a face".
    Rule("orbit_camera", "identity", 2, "orbiting camera",
         "the camera rotates around the person (\"{match}\")",
         r"\b(orbit\w*|360[- ]degree|360|arc shot|turntable|camera (rotates|rotating|circles|"
         r"circling|pans|moves|spins) around|circl\w* around|rotating camera)\b",
         replace="static camera"),
    # ref:identity: "ageing".
    Rule("ageing", "identity", 2, "ageing faces", "the face is asked to age or morph (\"{match}\")",
         r"\b(ages|ageing|aging|grows? (old|older|up)|over the years|young to old|younger to "
         r"older|time[- ]lapse of (a |his |her )?(face|life)|morph\w*|transforms? into)\b",
         replace="at one age", add="one age throughout"),
    # ref:identity: "many people": faces borrow features from each other.
    Rule("many_people", "identity", 1, "several people",
         "several people share the frame (\"{match}\")",
         r"\b(crowd|group of|many people|several people|family|team|couple|friends|audience|"
         r"(two|three|four|five) (people|women|men|friends|kids|children|dancers))\b",
         add="one person in frame"),
    # ref:lipsync: "dialogue or narration".
    Rule("dialogue", "lipsync", 1, "dialogue", "someone speaks or sings on camera (\"{match}\")",
         SPEECH),
    # ref:lipsync: "long sentences"; a monologue, speech or lecture is long sentences.
    Rule("long_speech", "lipsync", 2, "long speech",
         "long speech (\"{match}\"): long sentences drift out of sync",
         r"\b(monolog\w*|speech|lectur\w*|long sentences?|paragraph|story|at length|"
         r"rambl\w*)\b", requires=SPEECH, replace="short sentence",
         add="simple sentences with strong consonants (p, b, t)"),
)

# How the length rules speak (see score.py). ref:hands "keep clips <= 4 s", ref:identity
# "clips under 4 s for close-ups", ref:lipsync "dialogue clips <= 3 s".
HANDS_MAX_S = 4.0
CLOSEUP_MAX_S = 4.0
DIALOGUE_MAX_S = 3.0
# ref:identity "long clips": a clip with a person longer than this carries identity risk even
# without a close-up (two and a half times the close-up limit; a judgement, not a measurement).
PERSON_LONG_S = 10.0

# Default clip lengths, where a platform has one and the user gave no --duration: the lengths
# offered by the platforms' own generation settings (Runway Gen-4 and Kling: 5 or 10 s, 5 s
# preselected; Veo 3: 8 s). Platforms not listed get "no platform-specific data".
PLATFORM_DEFAULT_S = {"runway": 5.0, "kling": 5.0, "veo": 8.0}
# Platform names as users write them -> the key above (or a known name without length data).
PLATFORM_NAMES = {
    "runway": "runway", "runwayml": "runway", "gen-3": "runway", "gen-4": "runway",
    "kling": "kling", "klingai": "kling", "veo": "veo", "veo2": "veo", "veo3": "veo",
    "google veo": "veo", "sora": "sora", "openai sora": "sora", "sora2": "sora",
    "pika": "pika", "luma": "luma", "dream machine": "luma", "hailuo": "hailuo",
    "minimax": "hailuo",
}  # fmt: skip

# Mode fixes appended to every rewrite of that mode (ref:* "Fix:" lines).
MODE_FIXES = {
    "hands": "hands framed further from the camera",
    "identity": "use a reference image of the character if the platform offers it",
    "lipsync": "re-time the audio in post if it is slightly off",
}

# English words common in prompts: a prompt with none of these among four or more words is
# probably in another language, which the expressions above do not read.
ENGLISH_HINTS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "with", "and", "to", "from", "by", "for", "is",
    "are", "his", "her", "their", "its", "into", "over", "under", "while", "shot", "close", "up",
    "camera", "person", "woman", "man",
})  # fmt: skip

# Quoted lines (what the person is asked to say). ref:lipsync "long sentences": a line of more
# than LONG_LINE_WORDS words is a long sentence (about 4 s of speech at 3 words a second, over
# the 3 s dialogue limit). ref:lipsync "vowel-heavy lines without plosives": a line whose
# letters are at most PLOSIVE_SHARE_MAX plosives (p, b, t, d, k, g) and at least
# VOWEL_SHARE_MIN vowels; in ordinary English text about 16 % of letters are plosives (letter
# frequencies: t 9.1, d 4.3, p 1.9, g 2.0, b 1.5, k 0.8 %), so 6 % is well under a third of it.
LONG_LINE_WORDS = 12
PLOSIVE_SHARE_MAX = 0.06
VOWEL_SHARE_MIN = 0.40
