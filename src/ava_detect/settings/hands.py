"""The Hand-Anatomy Topology check's thresholds (see docs/hands.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HandSettings:
    """Thresholds of the Hand-Anatomy Topology check."""

    # Keep the landmark model's hand-presence score (the tracker's own; the model re-run on the
    # landmark crop of a hand just found by the palm detector and on a lost hand's last crop for
    # 3 frames); off: presence_collapse is not checked.
    presence_rerun: bool = True
    # Count fingers on a skin-colour silhouette (about 5-10 ms a hand and frame); a measurement.
    finger_count: bool = True
    # --- the gate: a frame pair is judged only when the hand is steady and clearly seen ---
    gate_max_speed: float = 0.25  # palm-centre motion, palm widths per frame
    gate_min_palm_px: float = 40.0  # palm width (index to pinky knuckle); smaller: angles are noise
    gate_min_other_dist: float = 2.0  # palm widths to the nearest other hand (touching hands swap)
    gate_min_other_dist_after: float = 1.5  # ... in the judged frame (a flip moves the palm)
    gate_min_presence: float = 0.9  # landmark model's presence score in the frame before
    gate_min_presence_after: float = 0.5  # ... and in the judged frame (a breaking hand drops)
    # --- palm_flip: the palm/back sign flips without passing edge-on ---
    edge_on: float = 0.13  # |facing| at or below this is edge-on; real sign changes pass here
    flip_min_frames: int = 2  # the flipped side must hold this many frames (or until lost)
    # --- handedness_flip: the raw label leaves the track's majority label ---
    label_min_score: float = 0.8  # the off-majority label's confidence
    label_min_frames: int = 2  # consecutive off-majority frames
    # --- shape_jump: articulation changes more than real motion explains ---
    shape_jump: float = 0.4  # RMS landmark move in the palm frame, palm sizes per frame
    shape_jump_per_speed: float = 1.2  # and more than this times the hand's speed
    # A shape jump alone (no flip, label change or presence drop in the same event) is a
    # finding only when this is on: alone it fired on real and plausible generated hands whose
    # picture really changed (an apple turned in the hand, pixel change 0.20; hands near the
    # face) and caught no generated failure that another kind did not catch too.
    shape_jump_alone: bool = False
    # --- presence_collapse: the landmark model stops seeing a steady hand (maybe dropped) ---
    # collapse when presence on the tracker's crop falls to this ... The generated collapses
    # fall to 0.01-0.06 at once (hb_0, EchoMimic e36a3be and 9eb5bd0); real hands re-encoded
    # at 512 px read 0.47-0.52 there (a soft hand in motion, half seen; 0.6 made them findings:
    # benchmarks/hands_degraded.py)
    presence_on: float = 0.2
    presence_off: float = 0.8  # ... and it lasts until presence is back above this
    # a hand read at presence between presence_on and this is half seen: neither a collapse
    # nor a vanished hand (hand_vanished needs presence unmeasured or above it)
    presence_half_seen: float = 0.6
    # --- hand_vanished: a steady, clearly seen hand is gone (presence unmeasured or high) ---
    vanish_min_frames: int = 2  # frames the hand stays away
    # before either: this far from the frame edge, palm widths (else it may simply be leaving
    # the picture) ...
    vanish_edge_margin: float = 0.25
    # ... plus this many frames of its approach to the edge (the drop of its edge distance a
    # frame; a hand moving away from the edge needs only the margin: EchoMimic e36a3be's smear
    # starts 0.8 palm widths from the edge while moving inward)
    vanish_edge_frames: float = 3.0
    # Hand speed (palm widths a frame) allowed in the clear view before a presence collapse /
    # vanish, and for "came back where it was". Measured on cached runs (docs/hands.md): 0.41 or
    # less misses e36a3be's smear (0.40 a frame at 12 fps), 0.55 or more fires on the fruit
    # market negative (a raised hand blurring at 3.07 s); real clips stay clean up to 0.7.
    # The window is narrow and rests on one failure clip.
    vanish_max_speed: float = 0.45
    # --- the picture must confirm every landmark event: motion-compensated change of the
    # hand's region from the frame before into the first broken frame (analysers/hand_change) ---
    pixel_change_min: float = 0.13  # see docs/hands.md (false <= 0.11, true >= 0.15 measured)
    # --- hand_melt: the pose model follows the arm, the hand model finds no hand at its end ---
    pose_arms: bool = True  # run the pose model (analysers/hand_pose.py); off: no hand_melt
    # pose run on every n-th frame while a hand was found within melt_seen_before_s (none in
    # talking heads without hands), and on every frame while an arm end lacks a hand. 2 gives
    # the same findings as 1 on every clip of the hands benchmark (6/9 failures, 0 on 55
    # negatives) with 37 % fewer pose runs (0.24 instead of 0.38 a frame); the pose model costs
    # about as much CPU as the two hands' landmark runs together (benchmarks/speed.py)
    pose_every: int = 2
    melt_min_visibility: float = 0.8  # pose wrist visibility (the study used 0.8)
    # hand region side (2.5 x pose wrist->index), full-res px. Was 60: a plausible hand holding
    # an apple in a 384 px render (stableavatar_case52 re-encoded, region 62-64 px) lost by the
    # hand model for 24 frames became a melt; the melted beach hands measure 157-231 px, and
    # the landmark rules judge palms of >= 40 px (regions of about 150 px) only
    melt_min_size_px: float = 100.0
    melt_max_speed: float = 0.5  # wrist motion, region sides per frame (faster: motion blur)
    melt_min_apart: float = 1.0  # the two arm ends' distance, region sides (clasped hands: 0.85
    # on the clasped hands of echomimicv2 e14c85b, a negative)
    melt_min_s: float = 0.8  # shortest run that is a finding (hands the hand model misses on
    # plausible generated footage: runs up to 0.6 s; melted beach hands: 0.9-1.9 s)
    melt_seen_before_s: float = 1.0  # the hand model found that hand this shortly before
    melt_max_gap: int = 1  # frames of a run where the hand model did find a hand, or no pose
    # --- segments: events on one track closer than this (any kinds) are one finding ---
    merge_gap_s: float = 0.5
    # --- joint anatomy limits (supporting measurements, never alarms: generated hands stay
    # inside the real range too); the worst value on the real clips x ~1.1-1.2 ---
    sideways_bend_deg: float = 60.0  # sideways bend at a middle/end knuckle (real max 50)
    thumb_back_deg: float = 140.0  # |thumb direction| in the palm plane (real max 130)
    # --- verdict when nothing could be judged ---
    # Hands seen with a palm >= gate_min_palm_px for less than this (seconds of frames) are
    # barely part of the clip: skipped, not inconclusive (a stray hand in a talking head).
    subject_min_s: float = 0.5  # provisional; see docs/hands.md
    min_gated_frames: int = 5  # fewer judged frames over the clip: inconclusive
