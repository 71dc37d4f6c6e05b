"""A progress bar on stderr while frames are analysed (only on a terminal)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def stderr_console() -> Console:
    # stderr=True, not file=sys.stderr: rich then looks sys.stderr up at each write, and the
    # MediaPipe import replaces sys.stderr (it points descriptor 2 at /dev/null to silence
    # native logs and keeps the terminal on a duplicate) after this console is made.
    return Console(stderr=True)


@contextlib.contextmanager
def frame_progress(
    label: str, *, enabled: bool = True
) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a ``progress(done, total)`` callback, or None when there is nothing to draw on."""
    console = stderr_console()
    if not enabled or not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("frames"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, done))

        yield update
