"""``ava-detect history`` and ``ava-detect dashboard``: reading the failure history."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime
from pathlib import Path

import click

from ..catalog import CHECK_NAMES
from ..errors import ExitCode
from .location import default_history_path
from .query import Filters, kind_counts, list_runs
from .store import HistoryError, connect

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
_HISTORY_OPTION = click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="The history file [default: history.sqlite in your user data folder].",
)

CSV_COLUMNS = (
    "id", "analysed_at", "source", "platform", "generation_id", "prompt", "clip_path",
    "clip_sha256", "duration_s", "verdict", "first_failure_s", "lag_ms",
    *(f"{m}_{field}" for m in CHECK_NAMES for field in ("status", "first_s", "kinds")),
    "tool_version", "settings_digest", "report_path", "pack_path", "evidence_image",
)  # fmt: skip


def _fail(message: str) -> None:
    click.echo(f"ava-detect: error: {message}", err=True)
    sys.exit(int(ExitCode.CANNOT_ANALYSE))


def _open(history_path: Path | None):
    """A read-only connection, or None when there is no history yet."""
    path = history_path or default_history_path()
    if not path.exists():
        return path, None
    try:
        return path, connect(path, write=False)
    except HistoryError as exc:
        _fail(str(exc))


def _date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        _fail(f"{name} {value!r}: give a date as YYYY-MM-DD (or YYYY-MM-DDTHH:MM).")
    return value


def _flat(run: dict) -> dict:
    row = {c: run.get(c) for c in CSV_COLUMNS}
    for mode in CHECK_NAMES:
        check = run["checks"].get(mode) or {}
        row[f"{mode}_status"] = check.get("status")
        row[f"{mode}_first_s"] = check.get("first_s")
        row[f"{mode}_kinds"] = ",".join(check.get("kinds") or []) or None
    return row


def _cell(run: dict, mode: str) -> str:
    check = run["checks"].get(mode)
    if not check:
        return "-"
    status = {"skipped": "skip", "inconclusive": "inconcl."}.get(check["status"], check["status"])
    return f"{status} {check['first_s']:.2f}s" if check.get("first_s") is not None else status


def _table(runs: list[dict]) -> str:
    head = ("analysed (UTC)", "platform", "verdict", *CHECK_NAMES, "clip", "prompt")
    lines = []
    for run in runs:
        prompt = (run.get("prompt") or "").replace("\n", " ")
        lines.append((
            (run.get("analysed_at") or "")[:16].replace("T", " "),
            (run.get("platform") or "-")[:12],
            run.get("verdict") or "-",
            *(_cell(run, m) for m in CHECK_NAMES),
            Path(run.get("clip_path") or "?").name[:28],
            prompt if len(prompt) <= 48 else prompt[:47] + "…",
        ))  # fmt: skip
    widths = [max(len(h), *(len(r[i]) for r in lines)) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in lines]
    return "\n".join(out)


def _write(target: str, text: str) -> None:
    if target == "-":
        click.echo(text, nl=False)
        return
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{target}: cannot be written ({exc.strerror or exc}).")


@click.command(context_settings=_CONTEXT)
@_HISTORY_OPTION
@click.option("--platform", default=None, help="Only clips from this platform (any case).")
@click.option("--mode", type=click.Choice(CHECK_NAMES), default=None,
              help="Only clips where this check was measured (with --verdict: its status).")
@click.option("--verdict", type=click.Choice(["pass", "fail", "inconclusive", "skipped"]),
              default=None, help="Only clips with this verdict (of --mode's check if given).")
@click.option("--since", default=None, metavar="DATE", help="Analysed on or after DATE (UTC).")
@click.option("--until", default=None, metavar="DATE", help="Analysed on or before DATE (UTC).")
@click.option("--prompt", "text", default=None, metavar="TEXT",
              help="Only clips whose prompt contains TEXT (any case).")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="At most N runs (the newest).")
@click.option("--json", "json_to", default=None, metavar="FILE|-",
              help="Write the runs as JSON to FILE, or to standard output with '-'.")
@click.option("--csv", "csv_to", default=None, metavar="FILE|-",
              help="Write the runs as CSV (one row per clip) to FILE, or '-'.")
def history_command(history_path, platform, mode, verdict, since, until, text, limit, json_to,
                    csv_to) -> None:  # fmt: skip
    """List the analyses in the failure history, newest first.

    \b
    Examples:
      ava-detect history
      ava-detect history --platform Sora --mode hands --verdict fail
      ava-detect history --since 2026-12-01 --prompt "close-up" --csv runs.csv
      ava-detect history --json -
    """
    filters = Filters(platform=platform, mode=mode, verdict=verdict, since=_date(since, "--since"),
                      until=_date(until, "--until"), text=text, limit=limit)  # fmt: skip
    path, conn = _open(history_path)
    runs: list[dict] = []
    if conn is not None:
        try:
            runs = list_runs(conn, filters)
        except Exception as exc:  # noqa: BLE001 - sqlite3's errors, as one line
            _fail(f"{path}: the history cannot be read ({exc}); move it aside to start anew.")
        finally:
            conn.close()
    if json_to:
        _write(json_to, json.dumps({"history": str(path), "runs": runs}, indent=2,
                                   ensure_ascii=False) + "\n")  # fmt: skip
    if csv_to:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_flat(r) for r in runs)
        _write(csv_to, buffer.getvalue())
    if json_to == "-" or csv_to == "-":
        return
    if conn is None:
        click.echo(f"No analyses recorded yet ({path} does not exist).")
    elif not runs:
        click.echo(f"No analyses match in {path}.")
    else:
        click.echo(_table(runs))
        click.echo(f"\n{len(runs)} run(s) from {path}", err=True)


@click.command(context_settings=_CONTEXT)
@_HISTORY_OPTION
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              metavar="FILE.html", help="Where to write the dashboard page.")
@click.option("--recent", type=click.IntRange(min=1), default=30, show_default=True,
              help="How many recent failures the table lists.")
def dashboard_command(history_path, out, recent) -> None:
    """Write the failure history as one self-contained HTML page.

    \b
    Failure rates per platform and per check over time, the most frequent
    finding kinds, when first failures appear, and the recent failures with
    their evidence frame and links to their packs. The page loads nothing
    from a network. Example:
      ava-detect dashboard --out dashboard.html
    """
    from .dashboard import render_dashboard

    path, conn = _open(history_path)
    runs: list = []
    kinds: list = []
    if conn is not None:
        try:
            runs, kinds = list_runs(conn), kind_counts(conn)
        except Exception as exc:  # noqa: BLE001 - sqlite3's errors, as one line
            _fail(f"{path}: the history cannot be read ({exc}); move it aside to start anew.")
        finally:
            conn.close()
    html = render_dashboard(runs, kinds, history_path=str(path), recent=recent)
    _write(str(out), html)
    click.echo(f"{out}: {len(runs)} analysed clip(s) from {path}", err=True)
