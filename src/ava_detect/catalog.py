"""The failure modes ava-detect checks, and every sentence the reports say about them.

The technical terms are used verbatim in reports and tickets, because they are the words platform
support teams recognise. The wording of the PDF and the ticket (plain names, finding kinds, the
ticket sentence, how each check measures and its limits) lives here, in one place, so a change to
a detector's method is one edit here.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("critical", "major", "minor")


@dataclass(frozen=True)
class FailureMode:
    """One failure mode: its names, default severity, and the words reports use for it.

    ``ticket_sentence`` is what a support form is told; ``method`` (paragraphs) and ``limits``
    go in the PDF's method appendix; ``plain_name`` labels the check for people.
    """

    key: str
    technical_term: str
    severity: str
    symptoms: tuple[str, ...]
    plain_name: str = ""
    ticket_sentence: str = ""
    method: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()
    #: What one finding is about, for "hand #2 in the clip" ("hand", "face", "mouth").
    subject: str = "subject"
    #: A check measurement shown beside its status in summaries: (field of the check's JSON
    #: section, format with one ``{}``), e.g. ``("lag_ms", "lag {:+.0f} ms")``.
    headline: tuple[str, str] | None = None
    #: Settings of the mode whose value needs a sentence in the pack (see :func:`explain_setting`).
    explained_settings: tuple[str, ...] = ()


FAILURE_MODES: dict[str, FailureMode] = {
    "hands": FailureMode(
        key="hands",
        technical_term="Hand-Anatomy Topology Failure",
        severity="critical",
        symptoms=(
            "finger count changes between frames (six fingers, four fingers)",
            "fingers fused into a single mass",
            "thumb merging into a finger or pointing backwards",
            "knuckles bending sideways",
            "hand flipping between palm and back without a plausible rotation",
            "hand geometry collapsing during fast motion",
        ),
        plain_name="Hands",
        subject="hand",
        ticket_sentence=(
            "A hand in the clip breaks anatomically: its fingers, palm or shape change between "
            "frames in a way a real hand cannot."
        ),
        method=(
            "Every hand is located and followed through the clip with MediaPipe's 21-point hand "
            "landmark model. That model always draws five fingers and smooths over a broken hand, "
            "so a single frame is not judged on its own. The check looks instead for sudden "
            "changes of a tracked hand between consecutive frames that real hand motion does not "
            "explain: the palm/back side flipping without passing edge-on, the left/right label "
            "flipping on the same hand, the hand's shape (landmarks scaled by palm size) jumping "
            "further than its own motion explains, the model's confidence that a hand is present "
            "collapsing, and a steadily tracked hand vanishing mid-motion. Each such change must "
            "also be visible in the picture: the hand's region, compared between the two frames "
            "after compensating its motion, must really have changed. Where the hand model "
            "gives up, MediaPipe's pose model follows the arm: a clearly seen, slowly moving arm "
            "whose end the hand model does not find as a hand for half a second is a melted hand.",
            "A change only counts while the hand can be judged: it moves less than about a "
            "quarter of a palm width per frame, stays well apart from other hands, and its palm "
            "is at least about 40 px wide. A finding needs the change to hold with hysteresis "
            "(an on and an off threshold) rather than on one noisy frame. Finger counts read from "
            "the image and joint angles are reported as supporting measurements.",
        ),
        limits=(
            "Gloves, edge-on hands, strong motion blur and hands under about 40 px are not "
            "measurable; a melted hand the landmark model never found (not even shortly "
            "before) is not caught, nor are clasped hands or stylised characters.",
            "A finding shows a change no real hand makes; the evidence frames show what it looks "
            "like. Broken hands that stay broken without changing may not be caught.",
        ),
    ),
    "identity": FailureMode(
        key="identity",
        technical_term="Facial Identity Drift",
        severity="critical",
        symptoms=(
            "the face becomes a different person mid-clip",
            "eye colour shifts",
            "skin tone changes without prompt direction",
            "nose or jawline geometry morphs",
        ),
        plain_name="Face identity",
        subject="face",
        ticket_sentence=(
            "The person's face changes into a different person partway through the clip, "
            "which the prompt did not ask for."
        ),
        method=(
            "Every face is followed through the clip with MediaPipe's face mesh. On frames where "
            "the face is turned no more than about 40 degrees, a 128-number face identity "
            "embedding (dlib's face recognition network, 99.38 % on the LFW benchmark) is "
            "computed from a face image aligned on the mesh landmarks. A reference identity is "
            "taken from clean, frontal frames at the start of the clip (or of each shot).",
            "The distance from the reference is followed over time, averaged over a few hundred "
            "milliseconds. On real footage of one person, including head turns and strong "
            "expressions, it stays below about 0.5; two different people usually read 0.6 to "
            "0.8 (0.6 is dlib's own same-person limit). A finding is raised when the distance "
            "crosses the absolute threshold, or rises far above the clip's own baseline, for a "
            "minimum duration, and only if the face is still that far from its earlier self "
            "when both are seen at the same head pose and mouth opening (a head turn moves a "
            "real face away and back); the first failure is the last frame still near the "
            "baseline plus one. A switch inside the first frames, a track that begins as one "
            "person and ends as another, and a face that comes back after leaving the frame "
            "as someone else are compared by stretches of frames. Editorial cuts (the whole "
            "picture changes) restart the reference and are reported as new shots, not drift. "
            "Skin colour and eye colour changes are reported "
            "as supporting measurements where they can be measured.",
        ),
        limits=(
            "Faces under about 25-30 px between the eyes, extreme close-ups and profile views are "
            "not measurable. A face that changes style (a cartoon turning photoreal), dissolves "
            "or smears while keeping its features is not seen by the identity embedding.",
            "A slow, subtle drift can stay under the threshold; the per-clip review score "
            "(identity steadiness, 1 steady, 0 unsteady) ranks clips for a human look and is "
            "not a finding. Two different people who look alike can read close together.",
        ),
    ),
    "lipsync": FailureMode(
        key="lipsync",
        technical_term="Audio-Visual Lip Sync & Phoneme Alignment Failure",
        severity="major",
        symptoms=(
            "mouth motion trails or leads the audio (typically 100-400 ms)",
            "mouth opens during silence",
            "mouth stays closed during speech",
            "sync drifts across the clip",
            "lips never close on p, b or m (wrong mouth shape for the words)",
        ),
        plain_name="Lip sync",
        subject="face",
        headline=("lag_ms", "lag {:+.0f} ms"),
        explained_settings=("tolerance_standard",),
        ticket_sentence="The mouth movement is not aligned with the voice in the audio track.",
        method=(
            "Lip movement (lip gaps, mouth width, inner-lip area and jaw opening, scaled by face "
            "size) is measured on every frame from the face mesh; the audio is described by its "
            "loudness in speech frequency bands every 10 ms. Both are compared at every candidate "
            "offset over plus and minus 2 seconds, one video frame per step; the offset where "
            "they agree best, refined between frames, is the measured lag. A positive lag means "
            "the mouth trails the voice (audio early); a negative lag means the mouth leads.",
            "The confidence is how far the best agreement stands above all other offsets "
            "(peak-to-sidelobe ratio); when it is low, or there is too little speech, the result "
            "is inconclusive rather than a guess. The lag is also measured in short windows "
            "along the clip to find drift, and voice activity is compared with mouth activity "
            "to find the mouth moving during silence or staying still during speech. A lag is "
            "reported as a failure only when it is outside the tolerance by more than its own "
            "uncertainty.",
            "When the words are known (a transcript, or speech quoted in the prompt), they are "
            "aligned to the audio phone by phone, offline, and the lips must close (inner-lip "
            "gap near the clip's own closed mouth) around every p, b and m.",
            "With two or more faces taking turns, each stretch of speech is given to the face "
            "whose mouth moves with it; the lag is measured on whoever is speaking at each "
            "moment, and once more for each speaker on their own lines, so a listener's still "
            "mouth is not a failure.",
        ),
        limits=(
            "Needs a visible, roughly frontal face and at least about 1.5 s of speech; clips "
            "under about 3 s are usually inconclusive.",
            "Real footage recorded in sync still measures between about -110 and +85 ms, so "
            "absolute sync is promised to about 100 ms. Voice-over and off-screen speakers are "
            "not lip-sync errors.",
            "The mouth-shape check needs the words as spoken, in US English; words the "
            "dictionary lacks, other languages or audio that does not say the words are "
            "reported as the reason it did not run.",
        ),
    ),
}

CHECK_NAMES: tuple[str, ...] = tuple(FAILURE_MODES)

# Plain words for each finding kind a detector may report (unknown kinds fall back to the key).
KIND_WORDING: dict[str, str] = {
    "palm_flip": "palm/back flip",
    "handedness_flip": "left/right hand flip",
    "shape_jump": "hand shape jump",
    "presence_collapse": "hand dissolves",
    "hand_vanished": "hand vanishes mid-motion",
    "hand_melt": "hand melts into a finger-less shape",
    "identity_switch": "switch to a different person",
    "identity_drift": "gradual change to a different person",
    "identity_changed_in_track": "begins as one person, ends as another",
    "identity_changed_on_reentry": "comes back as a different person",
    "identity_unstable": "keeps changing into different-looking people",
    "av_offset": "audio/video offset",
    "sync_drift": "sync drift",
    "mouth_open_in_silence": "mouth moves during silence",
    "mouth_still_in_speech": "mouth still during speech",
    "av_length_mismatch": "audio and video of different lengths",
    "viseme_mismatch": "lips do not close on p, b or m",
}

# Plain names for measured quantities whose key says too little (others: "lag_ms" -> "lag (ms)").
QUANTITY_WORDING: dict[str, str] = {
    "psr": "peak-to-sidelobe ratio (confidence)",
    "confidence": "confidence (0-1)",
    "stability_score": "review score, identity steadiness (1 steady, 0 unsteady; not a finding)",
}

# What each check status means, as the PDF and the ticket explain it.
STATUS_MEANING: dict[str, str] = {
    "pass": "measured, and no failure was found",
    "fail": "measured, and at least one failure was found",
    "skipped": (
        "does not apply to this clip (for example no face, no hands or no audio track); "
        "nothing was claimed either way"
    ),
    "inconclusive": (
        "applies to this clip but could not be measured reliably (for example too little "
        "speech, faces too small, too short); this is neither a pass nor a failure"
    ),
}

# Lip-sync tolerance standards (settings ``lipsync.tolerance_standard``), as (name, lead, lag):
# how far the audio may lead (mouth trails, positive lag_ms) or lag behind the picture.
TOLERANCE_STANDARDS: dict[str, tuple[str, float, float]] = {
    "itu_bt1359_acceptability": ("ITU-R BT.1359-1, threshold of acceptability", 90.0, 185.0),
    "itu_bt1359_detectability": ("ITU-R BT.1359-1, threshold of detectability", 45.0, 125.0),
    "ebu_r37": ("EBU R37", 40.0, 60.0),
    "atsc_is191": ("ATSC IS-191", 15.0, 45.0),
}


def kind_wording(kind: str) -> str:
    """Plain words for a finding kind: ``"palm_flip"`` -> ``"palm/back flip"``."""
    return KIND_WORDING.get(kind, kind.replace("_", " "))


def tolerance_text(standard: str) -> str:
    """One sentence on a lip-sync tolerance standard, in the report's sign convention."""
    if standard not in TOLERANCE_STANDARDS:
        return f"Tolerance standard: {standard}."
    name, lead, lag = TOLERANCE_STANDARDS[standard]
    return (
        f"Tolerance: {name}: the audio may lead the picture by at most {lead:.0f} ms "
        f"(lag up to +{lead:.0f} ms) and trail it by at most {lag:.0f} ms "
        f"(lag down to -{lag:.0f} ms)."
    )


def severity_rank(severity: str) -> int:
    """0 for critical, 1 major, 2 minor: lower is worse."""
    return SEVERITIES.index(severity)


def headline_text(mode: str, details: dict) -> str | None:
    """The measurement a summary shows beside a check's status (e.g. ``lag +218 ms``), or None."""
    spec = FAILURE_MODES[mode].headline if mode in FAILURE_MODES else None
    if spec is None:
        return None
    value = details.get(spec[0])
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return spec[1].format(value)


def explain_setting(mode: str, name: str, value) -> str | None:
    """A sentence saying what a setting's value means, for settings that need one, else None."""
    if mode not in FAILURE_MODES or name not in FAILURE_MODES[mode].explained_settings:
        return None
    if name == "tolerance_standard":
        return tolerance_text(str(value))
    return None


# ---------------------------------------------------------------------------------------------
# PLATFORMS: how each generation platform's support is addressed in the ticket (--platform).
#
# What every support team is told (the failure references, aivideoauditor.com/failures/*): the
# technical term, the Generation ID ("in the URL or share link"), the prompt, the first-failure
# timestamps and what is attached. Per platform only what a source says is added; where nothing
# was found the entry says so and the ticket is the generic one. No channel is ever guessed.


@dataclass(frozen=True)
class Platform:
    """A generation platform as the ticket addresses it.

    ``names``: lower-case spellings ``--platform`` accepts (the key first). ``channel``: where to
    send the ticket, only when a source names it, else None. ``notes``: sentences the ticket adds
    for this platform (each from a source named in the comment beside the entry).
    """

    key: str
    name: str
    names: tuple[str, ...]
    channel: str | None = None
    notes: tuple[str, ...] = ()


PLATFORMS: dict[str, Platform] = {
    # OpenAI's Sora: the failure reference (sora-audio-sync-drift) says tickets citing temporal
    # misalignment are honoured with timestamp evidence; no support channel found: none named.
    "sora": Platform("sora", "Sora (OpenAI)", ("sora", "openai sora", "sora 2", "sora2")),
    # Runway's help centre ("Can I have credits refunded?"): credits are only returned
    # automatically when a generation ends in a generation error; a completed generation's
    # credits are not. Its "Send feedback" button is for moderation errors only. The failure
    # reference (runway-audio-sync-drift) asks to cite the drift magnitude and timestamp.
    "runway": Platform(
        "runway", "Runway", ("runway", "runwayml", "runway ml", "runway gen-3", "runway gen-4"),
        notes=("This generation completed without a generation error, so its credits were not "
               "returned automatically; the failures below are in the finished output.",),
    ),
    # Google Veo (Flow, Gemini, Vertex AI): no platform-specific guidance known.
    "veo": Platform("veo", "Veo (Google)", ("veo", "google veo", "veo 2", "veo 3", "veo 3.1",
                                            "flow", "google flow")),
    # Kling: no platform-specific guidance known for these failure modes.
    "kling": Platform("kling", "Kling", ("kling", "kling ai", "klingai")),
    # Pika: the failure reference (pika-motion-failure) names the refund pathway: "their
    # Discord support flow and in-app submission", and says technical-failure-coded requests
    # route faster; the identity reference asks for paired screenshots at start and end.
    "pika": Platform("pika", "Pika", ("pika", "pika labs", "pikalabs", "pika art"),
                     channel="Pika's Discord support flow or the in-app submission"),
    # Luma Dream Machine: no platform-specific guidance known.
    "luma": Platform("luma", "Luma Dream Machine", ("luma", "luma ai", "luma dream machine",
                                                    "dream machine", "lumalabs")),
    # Hailuo (MiniMax): the failure reference (hailuo-face-distortion) asks for the Generation
    # ID with paired screenshots; no channel found.
    "hailuo": Platform("hailuo", "Hailuo (MiniMax)", ("hailuo", "hailuo ai", "minimax",
                                                      "minimax hailuo")),
}

# What each mode's evidence clip shows, as the ticket lists it. The failure references ask for
# "a screen recording showing the audio waveform alongside the mouth motion" (lip sync), "a
# timestamped screenshot of the impossible geometry" (hands; the clip has the time burnt into
# every frame, the attached frames are the screenshots) and paired screenshots (identity).
EVIDENCE_CLIP_SHOWS: dict[str, str] = {
    "lipsync": "a screen recording showing the audio waveform alongside the mouth motion, "
               "with the measured lag",
    "hands": "the hand before and while it breaks, boxed and zoomed",
    "identity": "the reference face beside the current face as it changes",
}


def platform_for(name: str | None) -> Platform | None:
    """The known platform ``name`` refers to (case and spacing ignored), else None (generic).

    ``"other"``, an empty name and any platform not in :data:`PLATFORMS` give None: the
    ticket is then the generic one, never an error.
    """
    if not name:
        return None
    key = " ".join(str(name).lower().replace("_", " ").split())
    for platform in PLATFORMS.values():
        if key in platform.names or key.replace("-", " ") in platform.names:
            return platform
    return None
