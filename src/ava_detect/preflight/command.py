"""``ava-detect preflight PROMPT``: score a prompt before paying for a generation.

Loads no model and decodes nothing: the rules (:mod:`.rules`), plus the user's own failure
history when there is one (read-only; a damaged or missing history only adds a note).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import ExitCode
from .learn import own_record
from .score import score_prompt

_COLOUR = {"green": "green", "yellow": "yellow", "red": "red"}


def _history_runs(history_path: Path | None) -> tuple[list[dict], str | None, str | None]:
    """(runs with a prompt, the history file, a note when it could not be read)."""
    from ..history.location import default_history_path
    from ..history.query import list_runs
    from ..history.store import HistoryError, connect

    try:
        path = history_path or default_history_path()
    except Exception as exc:  # noqa: BLE001 - no data folder: answer without the history
        return [], None, f"no history folder ({exc})."
    if not path.exists():
        return [], str(path), None
    try:
        conn = connect(path, write=False)
    except HistoryError as exc:
        return [], str(path), f"your history was not read: {exc}"
    try:
        runs = [r for r in list_runs(conn) if r.get("prompt")]
    except Exception as exc:  # noqa: BLE001 - sqlite3's errors: the rules still answer
        return [], str(path), f"your history was not read: {path}: {exc}."
    finally:
        conn.close()
    return runs, str(path), None


def preflight(
    prompt: str,
    *,
    platform: str | None = None,
    duration_s: float | None = None,
    history_path: Path | None = None,
    use_history: bool = True,
) -> dict:
    """:func:`~ava_detect.preflight.score.score_prompt` plus, per mode with risk features,
    ``history`` (the user's own record for prompts sharing them)."""
    result = score_prompt(prompt, platform=platform, duration_s=duration_s)
    if not use_history:
        result["history"] = {"path": None, "runs_with_prompt": 0}
        return result
    runs, path, note = _history_runs(history_path)
    if note:
        result["notes"].append(note)
    result["history"] = {"path": path, "runs_with_prompt": len(runs)}
    for mode, record in own_record(result["modes"], runs, platform).items():
        result["modes"][mode]["history"] = record
    return result


def _print(result: dict) -> None:
    length = result["duration_s"]
    facts = [f"platform {result['platform']}" if result["platform"] else "no platform given",
             f"{length:g} s ({result['duration_source']})" if length else "length not given"]
    click.echo(f"Pre-flight: {result['prompt']!r} ({', '.join(facts)})")
    for mode, m in result["modes"].items():
        risk = click.style(m["risk"].upper(), fg=_COLOUR[m["risk"]], bold=True)
        click.echo(f"\n{mode:<9} {risk}")
        if not m["reasons"]:
            click.echo("  - no risk feature found")
        for reason in m["reasons"]:
            click.echo(f"  - {reason}")
        if m.get("rewrite"):
            click.echo(f"  rewrite ({m['rewrite_risk']}): {m['rewrite']}")
        if m.get("history"):
            click.echo(f"  your history: {m['history']['sentence']}")
    for note in result["notes"]:
        click.echo(f"\nnote: {note}")


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("prompt")
@click.option("--platform", default=None, help="Where you will generate (Sora, Runway, Veo...).")
@click.option("--duration", "duration_s", type=click.FloatRange(min=0, min_open=True),
              default=None, metavar="SECONDS", help="The clip length you will ask for.")
@click.option("--json", "json_to", default=None, metavar="FILE|-",
              help="Write the result as JSON to FILE, or to standard output with '-'.")
@click.option("--history", "history_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE", help="The failure history to learn from "
              "[default: history.sqlite in your user data folder].")
@click.option("--no-history", is_flag=True, help="Use the rules only, not your history.")
def preflight_command(prompt, platform, duration_s, json_to, history_path, no_history) -> None:
    """Score PROMPT before generating: per check a risk (green, yellow, red),
    the prompt features behind it, and a rewrite that lowers it.

    \b
    Nothing is loaded but the rules (and your own history, read on this
    machine); nothing leaves it. Examples:
      ava-detect preflight "Hands typing on a vintage typewriter, close-up"
      ava-detect preflight "Narrator delivering a monologue" --platform Veo --json -
    """
    result = preflight(prompt, platform=platform, duration_s=duration_s,
                       history_path=history_path, use_history=not no_history)  # fmt: skip
    if json_to:
        text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
        if json_to == "-":
            click.echo(text, nl=False)
            return
        try:
            Path(json_to).write_text(text, encoding="utf-8")
        except OSError as exc:
            click.echo(f"ava-detect: error: {json_to}: cannot be written ({exc}).", err=True)
            sys.exit(int(ExitCode.CANNOT_ANALYSE))
    _print(result)
