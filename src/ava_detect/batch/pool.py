"""Worker processes for batch runs: one Analyzer per worker, one clip at a time, with a deadline.

Each worker is a separate process started with the ``spawn`` method (no state forked from the
parent, safe with MediaPipe's threads). It builds one :class:`~ava_detect.pipeline.Analyzer`, so
the models load once and are reused for every clip it is given. Parent and worker talk over a
private pipe each, so killing one worker (a clip that hangs past its time limit) cannot damage
the channel of another; the killed worker is replaced and the batch carries on.

Workers ignore Ctrl-C (the parent decides what stops), finish cleanly on SIGTERM, and stop by
themselves when the parent process disappears.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ..errors import AvaError, ConfigError, ExitCode
from ..settings import Settings
from .plan import Job

_PROGRESS_EVERY_S = 0.25  # how often a worker reports frame progress
_GRACE_S = 3.0  # how long a worker gets to stop after SIGTERM before it is killed


@dataclass
class Event:
    """Something that happened to a clip: ``kind`` is start, progress or finish.

    For ``finish``, ``error`` is None when the report was written, else a one-line message.
    """

    kind: str
    job: Job
    frames: tuple[int, int] = (0, 0)
    error: str | None = None


@dataclass
class _Slot:
    proc: mp.process.BaseProcess
    conn: Connection
    ready: bool = False
    job: Job | None = None
    started: float = 0.0


class WorkerPool:
    """Runs clip jobs in ``n`` worker processes; use as a context manager.

    Parameters
    ----------
    n
        Number of worker processes (at most one per pending clip is started).
    settings, user
        Passed to every analysis.
    timeout_s
        Wall seconds one clip may take in a worker before the worker is killed.
    """

    def __init__(
        self,
        n: int,
        settings: Settings,
        *,
        user: dict | None = None,
        timeout_s: float = 600.0,
    ):
        self.n = max(1, int(n))
        self.settings = settings
        self.user = user or {}
        self.timeout_s = float(timeout_s)
        self._ctx = mp.get_context("spawn")
        self._slots: list[_Slot] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_worker_main,
            args=(child, self.settings, self.user, os.getpid()),
            name="ava-detect-worker",
            daemon=True,
        )
        proc.start()
        child.close()  # only the worker holds its end: its death shows as EOF here
        return _Slot(proc=proc, conn=parent)

    def run(self, jobs: Sequence[Job]) -> Iterator[Event]:
        """Analyse ``jobs``; yield an Event for each start, progress step and finish."""
        pending = deque(jobs)
        self._slots = [self._spawn() for _ in range(min(self.n, len(pending)))]
        while pending or any(s.job is not None for s in self._slots):
            for slot in self._slots:
                if slot.ready and slot.job is None and pending:
                    slot.job, slot.started = pending.popleft(), time.monotonic()
                    job = slot.job
                    slot.conn.send(("clip", str(job.clip), str(job.paths.folder), job.paths.stem))
                    yield Event("start", job)
            waitables = [s.conn for s in self._slots] + [s.proc.sentinel for s in self._slots]
            wait(waitables, timeout=0.2)
            for i, slot in enumerate(self._slots):
                yield from self._read(slot)
                ended = None
                if not slot.proc.is_alive():
                    yield from self._read(slot)  # a message sent just before it ended
                    ended = _death_message(slot.proc.exitcode)
                    if not slot.ready and slot.job is None:
                        raise AvaError(
                            f"a batch worker process could not start ({ended}). "
                            "Re-run with --debug, or with --workers 1."
                        )
                elif slot.job is not None and time.monotonic() - slot.started > self.timeout_s:
                    ended = (
                        f"the analysis took longer than --timeout-per-clip {self.timeout_s:g} s "
                        "and was stopped"
                    )
                    slot.proc.kill()
                if ended is None:
                    continue
                if slot.job is not None:
                    yield Event("finish", slot.job, error=ended)
                    slot.job = None
                _stop(slot, kill=True)
                self._slots[i] = self._spawn() if pending else None
            self._slots = [s for s in self._slots if s is not None]

    def _read(self, slot: _Slot) -> Iterator[Event]:
        while True:
            try:
                if not slot.conn.poll():
                    return
                message = slot.conn.recv()
            except (EOFError, OSError):
                return
            kind = message[0]
            if kind == "ready":
                slot.ready = True
            elif kind == "fatal":
                raise ConfigError(message[1])
            elif slot.job is None:
                continue
            elif kind == "progress":
                yield Event("progress", slot.job, frames=(message[1], message[2]))
            elif kind == "finish":
                job, slot.job = slot.job, None
                yield Event("finish", job, error=message[1])

    def close(self) -> None:
        """Stop every worker: ask politely, then kill what is still running."""
        for slot in self._slots:
            with contextlib.suppress(OSError, ValueError):
                slot.conn.send(("stop",))
            if slot.job is not None and slot.proc.is_alive():
                slot.proc.terminate()
        deadline = time.monotonic() + _GRACE_S
        for slot in self._slots:
            slot.proc.join(max(0.0, deadline - time.monotonic()))
            _stop(slot, kill=True)
        self._slots = []


def _stop(slot: _Slot, *, kill: bool) -> None:
    if slot.proc.is_alive() and kill:
        slot.proc.kill()
    slot.proc.join(5)
    slot.conn.close()


def _death_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the analysis crashed (worker process ended by {name})"
    return f"the analysis crashed (worker process exited with code {exitcode})"


# ---- inside the worker process -------------------------------------------------------------


def _worker_main(
    conn: Connection, settings: Settings, user: dict, parent_pid: int
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(ExitCode.TERMINATED))
    try:
        from ..output.clip_job import run_clip_job
        from ..output.paths import OutputPaths
        from ..pipeline import Analyzer, load_plugins

        load_plugins(settings)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("fatal", f"a batch worker could not start: {type(exc).__name__}: {exc}"))
        return
    analyzer = Analyzer(settings)
    conn.send(("ready",))
    try:
        while True:
            if not _wait_for_task(conn, parent_pid):
                return
            message = conn.recv()
            if message[0] != "clip":
                return
            _, clip, folder, stem = message
            progress = _progress_sender(conn, parent_pid)
            try:
                run_clip_job(
                    clip,
                    folder,
                    settings,
                    user=user,
                    analyzer=analyzer,
                    progress=progress,
                    paths=OutputPaths(folder=Path(folder), stem=stem),
                )
                error = None
            except AvaError as exc:
                error = str(exc)
            except Exception as exc:  # noqa: BLE001 - one clip's bug must not stop the batch
                where = traceback.extract_tb(exc.__traceback__)[-1]
                error = (
                    f"internal error: {type(exc).__name__}: {exc} "
                    f"(at {Path(where.filename).name}:{where.lineno})"
                )
            conn.send(("finish", error))
    except (EOFError, OSError, BrokenPipeError):
        return
    finally:
        analyzer.close()


def _wait_for_task(conn: Connection, parent_pid: int) -> bool:
    """Block until a message arrives; False when the parent has gone away."""
    while not conn.poll(1.0):
        if os.getppid() != parent_pid:
            return False
    return True


def _progress_sender(conn: Connection, parent_pid: int):
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < _PROGRESS_EVERY_S:
            return
        last[0] = now
        if os.getppid() != parent_pid:
            raise SystemExit(ExitCode.OK)  # orphaned: nobody will read the result
        conn.send(("progress", done, total))

    return progress
