"""Fuzz: damaged copies of real clips never crash, hang or print a traceback.

The seed is fixed and printed; ``benchmarks/fuzz_campaign.py --seed S --count N`` runs a larger
campaign with the same generator (and ``--keep DIR`` keeps the files to replay one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzzkit import SAMPLES, judge, make_variants, outcome_label, run_cli, shorten

from ava_detect import media
from ava_detect.errors import InputError

SEED = 20261122
CLI_VARIANTS = 20
MEDIA_VARIANTS = 60


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[Path]:
    """The sample clips, plus one real clip when AVA_TEST_MEDIA is set, cut to 1.5 s."""
    folder = tmp_path_factory.mktemp("fuzz-sources")
    clips = list(SAMPLES)
    real = os.environ.get("AVA_TEST_MEDIA")
    if real and (Path(real) / "faces" / "liveportrait_d0_man_greenscreen.mp4").is_file():
        clips.append(Path(real) / "faces" / "liveportrait_d0_man_greenscreen.mp4")
    return [shorten(c, folder / f"{c.stem}.mp4", 1.5) for c in clips]


def test_damaged_clips_end_with_exit_0_1_or_one_line_error(sources, tmp_path):
    print(f"fuzz seed {SEED}, {CLI_VARIANTS} variants")
    variants = make_variants(sources, tmp_path / "variants", CLI_VARIANTS, SEED)
    problems, endings = [], []
    for v in variants:
        out = tmp_path / "out" / v.path.stem
        run = run_cli(v.path, out, "--checks", "hands,identity,lipsync", timeout=120)
        endings.append(outcome_label(run, v.path))
        why = judge(run, v.path, out)
        if why:
            problems.append(f"{v.path.name} ({v.source}, {v.detail}): {why}")
    print("\n".join(endings))
    assert not problems, f"seed {SEED}:\n" + "\n".join(problems)
    # The damage is real: some variants must be refused, and exit 2 must explain itself.
    assert any(e.startswith("exit 2") for e in endings)


def test_media_layer_raises_only_input_errors_on_damaged_clips(sources, tmp_path):
    """probe, iter_frames, read_audio and read_frame_at in-process: InputError or a result."""
    variants = make_variants(sources, tmp_path / "v", MEDIA_VARIANTS, SEED + 1)
    opened = 0
    for v in variants:
        try:
            info = media.probe(v.path)
            stats = media.DecodeStats()
            frames = list(media.iter_frames(v.path, max_side=128, stats=stats))
            if info.has_audio:
                media.read_audio(v.path)
            if frames:
                media.read_frame_at(v.path, frames[len(frames) // 2].t_s, max_side=128)
        except InputError as exc:
            assert "\n" not in str(exc)
            continue
        opened += 1
        times = [f.t_s for f in frames]
        assert times == sorted(set(times)), f"{v.path.name}: timestamps not increasing"
        assert len({f.rgb.shape for f in frames}) <= 1, f"{v.path.name}: frame sizes differ"
    assert 0 < opened < len(variants)
