"""The Facial Identity Drift check's thresholds (see docs/identity.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IdentitySettings:
    """Thresholds of the Facial Identity Drift check (distances are dlib descriptor distances)."""

    # Which frames get an identity embedding (about 90 ms a face): every embed_stride-th frame,
    # every frame while a reference is being built, and densely around a suspicious jump.
    embed_stride: int = 12
    jump_trigger: float = 0.55  # distance between successive embeddings that triggers dense
    drift_trigger: float = 0.45  # crossing this distance to the running reference: dense
    dense_frames: int = 6  # frames embedded densely after a trigger
    # Reference: median embedding of the first clean frames of each face track and shot.
    reference_frames: int = 10  # clean frames that make the reference
    reference_max_yaw_deg: float = 30.0  # a clean frame is at most this far from frontal
    gate_max_yaw_deg: float = 40.0  # frames turned further are not compared (profile views)
    min_eye_distance_px: float = 28.0  # smaller faces are not measurable (full-frame px)
    smooth_ms: float = 360.0  # trailing window over which embeddings are averaged
    # Alarm: smoothed distance to the reference above abs_on, or above the track's own
    # baseline + rel_on, whichever is lower; it ends below that minus off_margin.
    abs_on: float = 0.55  # real footage of one person peaked at 0.49 after gating/smoothing
    rel_on: float = 0.42  # different people can be as close as 0.50 in absolute terms
    off_margin: float = 0.08  # hysteresis between the on and off thresholds
    min_duration_ms: float = 200.0  # an alarm shorter than this is not a finding
    # The onset is the first frame after the last one whose distance is still within this
    # fraction of the way from the baseline to the on threshold.
    near_fraction: float = 0.3
    # Walking back down a rise stops where the distance climbs more than this above the lowest
    # value met (the foot of the rise, e.g. when a head turn holds it above the baseline).
    walk_back_tolerance: float = 0.06
    # One frame-to-frame embedding step this large inside the rise makes it a switch (abrupt):
    # hard switches measured >= 0.66, real footage <= 0.46 between neighbouring frames.
    switch_step: float = 0.55
    track_jump_eye_distances: float = 1.5  # a track whose face moves further than this many
    # eye distances in one frame has jumped to another face: it restarts, never a switch
    track_gap_s: float = 1.0  # a face gone longer than this starts a new track (new reference)
    # An edit: the colour histogram changes by at least shot_cut between two frames AND the
    # coarse picture layout correlates at most shot_cut_similarity (measured: cuts 0.17-0.37
    # and 0.01-0.26; otherwise up to 0.22 and never below 0.63).
    shot_cut: float = 0.12
    shot_cut_similarity: float = 0.5
    # A gradual change is a cross-dissolve between shots (an edit) when, from
    # dissolve_margin_s before its rise to dissolve_margin_s after, at least dissolve_share of
    # the picture changes and the frames in between are blends of the two ends (residual at
    # most dissolve_residual). Measured: dissolves 1.0 and 0.05-0.22; a new face on a moving
    # dancer 0.3-0.55 and 0.55-1.3; a head turn 0.61 and 0.34.
    dissolve_margin_s: float = 0.5
    dissolve_share: float = 0.8
    dissolve_residual: float = 0.3
    skin_shift: float = 8.0  # cheek a*/b* change worth reporting (real clips stay within ~6)
    iris_shift: float = 12.0  # iris a*/b* change worth reporting (frontal, eyes open only)
    iris_min_radius_px: float = 5.0  # iris colour is measured only above this radius
    # How a track begins and how it ends: the median embedding of its first and of its last
    # end_frames clean frames (the analyser embeds the last ones when the track ends).
    end_frames: int = 10
    # Every change must also show at matched pose and mouth opening (|yaw|, |pitch| within
    # matched_pose_deg, mouth within matched_mouth): the median distance between the frames
    # after the change and the same track's frames before it at such poses must reach
    # matched_on (dlib's own same-person limit), or the face's own matched spread before the
    # change plus matched_margin where that is lower. Measured at the alarm: the same person
    # turning into poses its reference never had (stableavatar case52) 0.47 against its own
    # spread 0.34 (+0.13; the interview vox2_517600055 +0.11); spliced switches 0.79-0.81
    # against 0.24; the TPS smear in MagicDance figure 2 0.28-0.34 (dlib sees one person).
    matched_on: float = 0.6
    matched_margin: float = 0.25
    matched_pose_deg: float = 10.0  # wide enough for 10+ pairs on real clips of a few seconds
    matched_mouth: float = 0.15  # per eye distance: speech open/closed kept apart
    matched_min_pairs: int = 10  # fewer pairs: only an abrupt switch (a one-frame step) stands
    # "Begins as one person, ends as another": the medians of a track's first and last
    # end_frames clean frames differ by at least ends_on (and agree at matched pose where they
    # share poses). Measured: two GHOST identities 0.78-0.79 apart (medians of ten frames); one
    # person 0.08-0.45 over the cached real and generated negatives, 0.59 for stableavatar
    # case52, whose reference looks down and whose end looks up (no matched pairs).
    ends_on: float = 0.65
    # A face that returns (a new track in the same shot after the earlier one ended) as someone
    # else: its first stretch is at least reentry_on from the last stretch of the face that
    # left, and from every other face seen in the shot. Same figures as ends_on.
    reentry_on: float = 0.65
    # A face that keeps changing: the median, over a track, of each frame's median distance to
    # the same face 0.2-2 s earlier at matched pose (matched_pose_deg, matched_mouth, at least
    # 3 such frames) reaches unstable_on, over at least unstable_min_points frames. Measured
    # (frames embedded every 1-4): one person 0.17-0.36 (the highest: the exaggerated
    # expressions of liveportrait_d6; case52 0.22-0.23, the hand over the eye in
    # mimicmotion_cmp_musev_4 0.30); the Disco panel of MagicDance figure 1 0.51-0.53.
    unstable_on: float = 0.45
    unstable_min_points: int = 8
    # Face breakup (a measurement, not a finding; docs/identity.md "Face breakup"): each frame's
    # face-box sharpness over the median of the same face's frames in the breakup_window_s
    # before it (at least breakup_min_frames of them), the level held for
    # breakup_sustain_frames frames. Measured: the Hallo dissolve holds 0.82 for 3 frames at
    # 8.44 s (in its window), real footage of one person down to 0.64 (vox2_741400104, a fast
    # head turn with motion blur; liveportrait_d12 0.77): no threshold separates them.
    # About 0.6-2.5 ms a face and frame (face boxes of 100-400 px, 2 shared cores), 1.03
    # measures per frame over the real clips; false skips it (details say "not measured").
    breakup_measure: bool = True
    breakup_window_s: float = 2.0  # long enough for 10+ frames at 15 fps, short enough to
    # follow a face that slowly changes size or focus
    breakup_min_frames: int = 10
    breakup_sustain_frames: int = 3  # 0.12 s at 25 fps: the shortest labelled failure window
