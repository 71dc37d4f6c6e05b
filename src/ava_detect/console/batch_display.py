"""What a batch run shows while it works, and the table it prints at the end.

On a terminal: a live display on stderr with clips done/total, failures and errors so far, the
clips in progress (with their frame counts), elapsed and remaining time. Not on a terminal (CI
logs): one plain line per finished clip. ``--quiet``: nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..batch.summary import attention_order, needs_attention
from ..catalog import CHECK_NAMES

_STATUS_COLUMNS = tuple(f"{name}_status" for name in CHECK_NAMES)
_MAX_LISTED = 10  # non-video files named in the closing lines
_STYLE = {"pass": "green", "fail": "bold red", "inconclusive": "yellow", "error": "bold magenta"}


class BatchDisplay:
    """Live progress of a batch; a context manager fed by :meth:`start`/`frames`/`finish`."""

    def __init__(self, total: int, *, already_done: int = 0, quiet: bool = False):
        self.console = Console(stderr=True, highlight=False)  # see progress.stderr_console
        self.total = total
        self.done = already_done
        self.failures = self.errors = 0
        self.live = not quiet and self.console.is_terminal
        self.plain = not quiet and not self.live
        self._progress: Progress | None = None
        self._main: TaskID | None = None
        self._clips: dict[str, TaskID] = {}
        self._t0 = time.monotonic()

    def __enter__(self) -> BatchDisplay:
        if self.live:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[note]}"),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._main = self._progress.add_task(
                "[bold]clips", total=self.total, completed=self.done, note=self._note()
            )
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _note(self) -> str:
        return f"[red]{self.failures} failed[/] [magenta]{self.errors} errors[/]"

    def start(self, rel: str) -> None:
        if self._progress is not None:
            self._clips[rel] = self._progress.add_task(f"  {rel}", total=None, note="frames")

    def frames(self, rel: str, done: int, total: int) -> None:
        if self._progress is not None and rel in self._clips:
            self._progress.update(self._clips[rel], completed=done, total=max(done, total))

    def finish(self, row: dict) -> None:
        self.done += 1
        self.failures += row["verdict"] == "fail"
        self.errors += row["verdict"] == "error"
        if self._progress is not None:
            task = self._clips.pop(row["path"], None)
            if task is not None:
                self._progress.remove_task(task)
            self._progress.update(self._main, completed=self.done, note=self._note())
        elif self.plain:
            text = f"[{self.done}/{self.total}] {row['path']}: {row['verdict'].upper()}"
            if row.get("error"):
                text += f" ({row['error']})"
            self.console.print(text, markup=False, soft_wrap=True)


def print_final(
    rows: list[dict], *, fail_on: str, not_videos: list[str], written: list[Path]
) -> None:
    """The closing summary on stdout: counts, failed and errored clips, where the files are."""
    console = Console(file=sys.stdout, highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 120)  # logs: room for error messages
    n = {v: sum(r["verdict"] == v for r in rows) for v in ("pass", "fail", "inconclusive", "error")}
    resumed = sum(bool(r.get("resumed")) for r in rows)
    console.print(
        f"[bold]{len(rows)} clips[/]: {n['pass']} pass, [red]{n['fail']} fail[/], "
        f"{n['inconclusive']} inconclusive, [magenta]{n['error']} error[/]"
        + (f"  ({resumed} reused from an earlier run)" if resumed else "")
    )
    bad = [r for r in attention_order(rows) if r["verdict"] in ("fail", "error")]
    if bad:
        table = Table(title="Clips to re-render or check", title_justify="left")
        table.add_column("clip", overflow="fold")
        for name in ("verdict", "severity", "first failure"):
            table.add_column(name, no_wrap=True)
        table.add_column("failed checks / error", overflow="fold", ratio=3)
        table.add_column("report", overflow="fold")
        for row in bad:
            gate = "" if needs_attention(row, fail_on) else " (below --fail-on)"
            first = row.get("first_failure_s")
            failed = [c.removesuffix("_status") for c in _STATUS_COLUMNS if row.get(c) == "fail"]
            table.add_row(
                row["path"],
                f"[{_STYLE[row['verdict']]}]{row['verdict']}[/]{gate}",
                row.get("worst_severity") or "",
                f"{first:.3f} s" if first is not None else "",
                row.get("error") or ", ".join(failed),
                row.get("pdf") or row.get("report") or "",
            )
        console.print(table)
    if not_videos:
        listed = ", ".join(not_videos[:_MAX_LISTED])
        more = len(not_videos) - _MAX_LISTED
        listed += f" and {more} more (listed in summary.json)" if more > 0 else ""
        console.print(f"{len(not_videos)} file(s) skipped, not video: {listed}", markup=False)
    console.print("summary: " + ", ".join(str(p) for p in written))
