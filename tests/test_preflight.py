"""Pre-flight prompt scoring: the seeds' example prompts, rewrites, languages, platforms, speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ava_detect.cli import main
from ava_detect.preflight.learn import MIN_CLIPS, own_record
from ava_detect.preflight.score import score_prompt

ROOT = Path(__file__).resolve().parents[1]

# The seeds' example prompts and the risk their failure reference implies (hands, identity,
# lipsync). Without --duration the length rules count "no length given" (platforms default to
# 5 s or more), which is why a portrait that speaks is yellow on both identity and lip sync.
SEEDS = [
    ("Hands typing on a vintage typewriter, close-up", ("red", "green", "green")),
    ("Magician performing card trick, hands in foreground", ("red", "green", "green")),
    ("Close-up of a woman smiling, slowly turning her head left to right, cinematic",
     ("green", "red", "green")),
    ("Portrait of an elderly man speaking to camera, warm lighting", ("green", "yellow", "yellow")),
    ("Person saying 'absolutely fantastic' enthusiastically to camera",
     ("green", "green", "yellow")),
    ("Narrator delivering a 5-second monologue about coffee", ("green", "green", "red")),
]  # fmt: skip


@pytest.mark.parametrize(("prompt", "risks"), SEEDS)
def test_seed_prompts_get_the_risk_their_reference_implies(prompt, risks):
    modes = score_prompt(prompt)["modes"]
    assert (modes["hands"]["risk"], modes["identity"]["risk"], modes["lipsync"]["risk"]) == risks
    for mode in modes.values():
        if mode["risk"] == "green":
            assert mode["rewrite"] is None and mode["reasons"] == []
        else:
            assert mode["reasons"], "every colour has its reasons"
            # The rewrite, scored again, is lower (a rewrite exists for every seed).
            assert mode["rewrite"] and mode["rewrite_score"] < mode["score"]


def test_seed_reasons_and_rewrites_say_what_they_found():
    hands = score_prompt("Hands typing on a vintage typewriter, close-up")["modes"]["hands"]
    assert set(hands["features"]) == {"hands_subject", "hands_manipulation", "hands_closeup"}
    assert any("typing" in r for r in hands["reasons"])
    assert "close-up" not in hands["rewrite"].lower() and "4-second" in hands["rewrite"]
    identity = score_prompt(SEEDS[2][0])["modes"]["identity"]
    assert any("left to right" in r for r in identity["reasons"])
    assert identity["rewrite_risk"] == "green" and "45 degrees" in identity["rewrite"]
    lips = score_prompt(SEEDS[5][0])["modes"]["lipsync"]
    assert any("5 s, over 3 s" in r for r in lips["reasons"])
    assert "3-second" in lips["rewrite"] and "monologue" not in lips["rewrite"]


def test_a_benign_landscape_is_green_everywhere():
    result = score_prompt("A serene mountain lake at sunrise, mist drifting over the water, "
                          "slow aerial drone shot", duration_s=8)  # fmt: skip
    assert {m: v["risk"] for m, v in result["modes"].items()} == dict.fromkeys(
        ("hands", "identity", "lipsync"), "green"
    )
    assert result["notes"] == []


def test_duration_rules_read_the_duration():
    speaking = "A woman speaking to camera in a kitchen"
    assert score_prompt(speaking, duration_s=2.5)["modes"]["lipsync"]["score"] == 1
    long = score_prompt(speaking, duration_s=6)["modes"]["lipsync"]
    assert long["risk"] == "red" and any("6 s, over 3 s" in r for r in long["reasons"])
    # a known platform's default length stands in for a missing --duration
    veo = score_prompt(speaking, platform="Google Veo")
    assert veo["duration_s"] == 8.0 and veo["duration_source"] == "platform default"


def test_quoted_lines_long_or_without_plosives():
    soft = score_prompt("A woman whispering 'oh, I love you, Anna' softly", duration_s=2)
    assert "vowel_heavy" in soft["modes"]["lipsync"]["features"]
    hard = score_prompt("A woman saying 'put the big bag down' firmly", duration_s=2)
    assert "vowel_heavy" not in hard["modes"]["lipsync"]["features"]
    long = score_prompt('A man says "Today we are going to talk about the history of coffee '
                        'and why the beans taste so different" in a kitchen', duration_s=3)
    assert long["modes"]["lipsync"]["risk"] == "red"


def test_other_languages_and_unknown_platforms_get_an_honest_answer():
    result = score_prompt("Manos tecleando en una máquina de escribir, primer plano",
                          platform="DreamGen X")  # fmt: skip
    notes = " ".join(result["notes"])
    assert "no platform-specific data for 'DreamGen X'" in notes
    assert "does not look like English" in notes and "not 'safe'" in notes
    known = score_prompt("A chef chopping onions", platform="Sora", duration_s=3)
    assert any("no platform-specific data for Sora" in n for n in known["notes"])
    assert known["modes"]["hands"]["risk"] == "yellow"


def _run(prompt: str, status: str, platform: str = "Sora") -> dict:
    return {"prompt": prompt, "platform": platform, "checks": {"hands": {"status": status}}}


def test_own_record_counts_clips_that_share_the_features():
    modes = score_prompt("Close-up of hands shuffling cards")["modes"]
    runs = ([_run("close-up of her hands knitting", "fail")] * 7
            + [_run("hands typing on a laptop", "pass")] * 5
            + [_run("a quiet beach", "fail")] * 4  # no shared feature
            + [_run("hands typing", "fail", platform="Runway")] * 3  # other platform
            + [_run("hands typing", "skipped")] * 2)  # not measured  # fmt: skip
    record = own_record(modes, runs, "sora")["hands"]
    assert (record["clips"], record["failed"], record["enough"]) == (12, 7, True)
    assert record["sentence"].startswith("your 12 sora clips with ")
    assert "failed the hands check 7 times" in record["sentence"]
    few = own_record(modes, runs[:MIN_CLIPS - 1], "Sora")["hands"]
    assert few["enough"] is False and "too few to mean anything" in few["sentence"]


def test_preflight_command_json_shape(tmp_path):
    result = CliRunner().invoke(main, ["preflight", SEEDS[0][0], "--json", "-", "--history",
                                       str(tmp_path / "none.sqlite")])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["modes"]) == {"hands", "identity", "lipsync"}
    for mode in data["modes"].values():
        assert {"risk", "reasons", "rewrite"} <= set(mode)
    assert data["modes"]["hands"]["risk"] == "red"


def test_preflight_loads_no_model_and_no_numpy():
    code = (
        "import sys, io, contextlib\n"
        "from ava_detect.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['preflight', 'Hands typing, close-up', '--no-history'])\n"
        "print(sorted(m for m in ('numpy', 'cv2', 'av', 'mediapipe', 'dlib', 'reportlab')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "src")}, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
