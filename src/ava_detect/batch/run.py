"""Batch QA of a render folder: ``ava-detect renders/``.

Every clip under the folder is analysed in parallel worker processes (see
:mod:`~ava_detect.batch.pool`); each gets its JSON report (and evidence pack) under ``--out`` in
a mirror of the folder tree, and the batch writes ``summary.csv``, ``summary.json`` and
``summary.pdf`` beside them. A clip that crashes, hangs or cannot be decoded becomes an error row;
the others carry on. A re-run reuses every report made from the same bytes (SHA-256) with the
same settings (digest) unless ``force``. Reports are written atomically, so an interrupted run
leaves only complete files, and the next run finishes the rest.

Exit code (:class:`~ava_detect.errors.ExitCode`): 0 clean, 1 at least one failure at or above
``fail_on`` severity, 2 at least one clip could not be analysed (2 wins).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..catalog import SEVERITIES
from ..console.batch_display import BatchDisplay, print_final
from ..errors import ConfigError, InputError, OutputError
from ..media import sha256_of
from ..output.paths import ensure_output_folder
from ..settings import Settings
from .plan import Job, find_clips, plan_jobs, read_report, reusable_report
from .pool import WorkerPool
from .summary import (
    BatchResult,
    error_row,
    exit_code,
    row_from_report,
    summary_dict,
    write_summary,
)


def run_batch(
    folder: str | os.PathLike,
    out_dir: str | os.PathLike,
    settings: Settings,
    *,
    user: dict | None = None,
    quiet: bool = False,
    workers: int | None = None,
    timeout_per_clip: float = 600.0,
    force: bool = False,
    fail_on: str = "minor",
    ray_address: str | None = None,
    on_report: Callable[[dict, Job], None] | None = None,
) -> BatchResult:
    """Analyse every clip under ``folder`` and write the reports and summary into ``out_dir``.

    Parameters
    ----------
    folder
        The render folder, scanned recursively.
    out_dir
        Where reports go (mirroring ``folder``'s tree) plus ``summary.csv/json/pdf``.
    settings, user
        As for one clip; ``user`` (generation id, platform, prompt) is recorded in every report.
    quiet
        No progress display and no final table.
    workers
        Worker processes; default the number of CPU cores.
    timeout_per_clip
        Wall seconds one clip may take before its worker is killed and the clip is an error.
    force
        Analyse every clip again even when a matching report exists.
    fail_on
        The least severity (critical, major, minor) that makes the exit code 1.
    ray_address
        Run the clips on Ray instead of local worker processes: ``"local"``, ``"auto"`` or
        ``"HOST:PORT"`` (see :mod:`ava_detect.batch.ray_pool`); ``workers`` then caps the
        actors (default: one per CPU of the cluster).
    on_report
        Called in this (the parent) process with the parsed report and its job for every clip
        analysed by this run (not for reused reports or error rows): the CLI records each in
        the failure history, so the workers never write to it.

    Returns
    -------
    BatchResult
        The summary rows, the verdict counts, the exit code (0, 1 or 2) and the summary files.

    Raises
    ------
    InputError, OutputError, ConfigError
        The folder cannot be read or holds no video, ``out_dir`` cannot be written, or an
        option is invalid. KeyboardInterrupt is re-raised after the summary of the clips
        finished so far is written.
    """
    folder, out_dir = Path(folder), Path(out_dir)
    requested_workers = workers
    workers = _check_options(fail_on, timeout_per_clip, workers)
    if ray_address:
        from .ray_pool import import_ray

        import_ray(ray_address)  # a missing extra is one line before any work
    _check_folder(folder)
    _prepare_out(out_dir)

    found = find_clips(folder, exclude=out_dir)
    not_videos = [p.relative_to(folder).as_posix() for p in found.not_videos]
    if not found.clips:
        raise InputError(
            f"{folder}: no video files found ({len(not_videos)} other file(s) looked at). "
            "Give the folder that holds the clips."
        )
    jobs = plan_jobs(found.clips, folder, out_dir)
    digest = settings.digest()
    rows, todo = _reuse(jobs, digest, out_dir, force=force)

    def summary(complete: bool) -> dict:
        ordered = [rows[i] for i in sorted(rows)]
        return summary_dict(
            ordered,
            folder=folder,
            out_dir=out_dir,
            settings_digest=digest,
            fail_on=fail_on,
            not_videos=not_videos,
            complete=complete,
        )

    if ray_address:
        from .ray_pool import RayPool

        pool = RayPool(ray_address, settings, user=user, workers=requested_workers,
                       timeout_s=timeout_per_clip, folder=folder, out_dir=out_dir)
    else:
        pool = WorkerPool(workers, settings, user=user, timeout_s=timeout_per_clip)
    try:
        with BatchDisplay(len(jobs), already_done=len(rows), quiet=quiet) as display:
            _analyse(pool, todo, rows, out_dir, display, on_report)
    except KeyboardInterrupt:
        # Finished reports are complete files; record them and drop the older summary PDF.
        write_summary(out_dir, summary(complete=False), pdf=False)
        (out_dir / "summary.pdf").unlink(missing_ok=True)
        raise
    final = summary(complete=True)
    written = write_summary(out_dir, final)
    if not quiet:
        print_final(final["clips"], fail_on=fail_on, not_videos=not_videos, written=written)
    return BatchResult(
        rows=final["clips"],
        counts=final["counts"],
        exit_code=exit_code(final["clips"], fail_on),
        written=written,
    )


def _check_options(fail_on: str, timeout_per_clip: float, workers: int | None) -> int:
    """Reject unusable options; the number of workers to start."""
    if fail_on not in SEVERITIES:
        raise ConfigError(f"--fail-on {fail_on!r}: choose one of {', '.join(SEVERITIES)}.")
    if timeout_per_clip <= 0:
        raise ConfigError("--timeout-per-clip must be more than 0 seconds.")
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise ConfigError("--workers must be at least 1.")
    return workers


def _reuse(
    jobs: list[Job], digest: str, out_dir: Path, *, force: bool
) -> tuple[dict[int, dict], list[Job]]:
    """Rows of the clips whose earlier report can be reused, and the jobs left to analyse."""
    rows: dict[int, dict] = {}
    todo: list[Job] = []
    for job in jobs:
        data = None if force else reusable_report(job, digest)
        if data is not None:
            rows[job.index] = row_from_report(data, job, out_dir, resumed=True)
        else:
            todo.append(job)
    return rows, todo


def _analyse(
    pool,
    todo: list[Job],
    rows: dict[int, dict],
    out_dir: Path,
    display: BatchDisplay,
    on_report: Callable[[dict, Job], None] | None = None,
) -> None:
    """Run ``todo`` in the pool, turning each finished clip into its summary row."""
    if not todo:
        return
    with pool:
        for event in pool.run(todo):
            job = event.job
            if event.kind == "start":
                display.start(job.rel)
            elif event.kind == "progress":
                display.frames(job.rel, *event.frames)
            else:
                data = None if event.error else read_report(job.paths.json)
                if data is not None:
                    rows[job.index] = row_from_report(data, job, out_dir, resumed=False)
                    if on_report is not None:
                        on_report(data, job)
                else:
                    message = event.error or "the report was not written"
                    rows[job.index] = error_row(job, message, _sha256_or_none(job.clip))
                display.finish(rows[job.index])


def _sha256_or_none(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise InputError(f"{folder}: no such folder. Check the path and try again.")
    if not folder.is_dir():
        raise InputError(f"{folder}: is not a folder.")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise InputError(f"{folder}: cannot be read (permission denied).")


def _prepare_out(out_dir: Path) -> None:
    ensure_output_folder(out_dir)
    for name in ("summary.json", "summary.csv", "summary.pdf"):
        path = out_dir / name
        if path.exists() and not _is_our_summary(path):
            raise OutputError(
                f"{path} exists and was not written by ava-detect; it was left untouched. "
                "Choose another --out."
            )


def _is_our_summary(path: Path) -> bool:
    """True when an existing summary file was written by an earlier batch run."""
    if path.suffix == ".json":
        data = read_report(path)
        return data is not None and data.get("kind") == "batch-summary"
    sibling = read_report(path.with_suffix(".json"))
    return sibling is not None and sibling.get("kind") == "batch-summary"
