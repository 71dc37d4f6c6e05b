"""Learning from the user's own history: how often clips whose prompts share this prompt's risk
features failed that check.

Pure: it takes the history's runs (dicts with ``platform``, ``prompt`` and ``checks``, as
:func:`ava_detect.history.query.list_runs` returns them) and re-reads each stored prompt with the
same rules, so a rule added later also applies to old runs.
"""

from __future__ import annotations

from typing import Any

from ..catalog import FAILURE_MODES
from .rules import RULES
from .score import platform_key, word_hits

# Below this many measured clips a failure count says nothing: with 5 clips and 2 failures, the
# 95 % Wilson interval of the rate is 12 %-77 %. The answer then gives the counts and says so.
MIN_CLIPS = 5
DECIDED = ("pass", "fail")  # inconclusive and skipped checks say nothing about failure
_LABELS = {r.id: r.label for r in RULES}


def _check_words(mode: str) -> str:
    fm = FAILURE_MODES.get(mode)
    return f"the {fm.plain_name.lower()} check" if fm and fm.plain_name else f"the {mode} check"


def own_record(
    modes: dict[str, dict[str, Any]], runs: list[dict], platform: str | None
) -> dict[str, dict[str, Any]]:
    """Per mode with risk features: the user's clips sharing one of them, and their failures.

    Parameters
    ----------
    modes
        :func:`~ava_detect.preflight.score.score_prompt`'s ``modes`` (their ``features``).
    runs
        The history's runs with a prompt.
    platform
        Only runs from this platform count (case and spelling as :func:`platform_key`
        matches them, else exact text); None counts every platform.

    Returns
    -------
    dict
        mode -> ``clips`` (measured clips sharing a feature), ``failed``, ``features``,
        ``platform``, ``enough`` (at least :data:`MIN_CLIPS`) and ``sentence``.
    """
    key = platform_key(platform) or (platform or "").strip().lower()
    mine = [
        r for r in runs
        if r.get("prompt") and (not platform or
                                (platform_key(r.get("platform")) or
                                 (r.get("platform") or "").strip().lower()) == key)
    ]  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for mode, result in modes.items():
        features = set(result.get("features") or [])
        if not features:
            continue
        clips = failed = 0
        for run in mine:
            status = (run.get("checks", {}).get(mode) or {}).get("status")
            if status not in DECIDED:
                continue
            if features & {h.rule_id for h in word_hits(run["prompt"], mode)}:
                clips += 1
                failed += status == "fail"
        labels = sorted({_LABELS.get(f, f) for f in features})
        where = f"{platform} " if platform else ""
        what = " or ".join(labels)
        if clips == 0:
            sentence = f"none of your {where}clips in the history has {what}: no record yet."
        else:
            sentence = (f"your {clips} {where}clip{'s' if clips != 1 else ''} with {what} "
                        f"failed {_check_words(mode)} {failed} time{'s' if failed != 1 else ''}")
            if clips < MIN_CLIPS:
                sentence += f" (too few to mean anything: under {MIN_CLIPS} clips)"
            sentence += "."
        out[mode] = {"clips": clips, "failed": failed, "features": sorted(features),
                     "platform": platform, "enough": clips >= MIN_CLIPS, "sentence": sentence}
    return out
