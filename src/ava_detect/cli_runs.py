"""What the command does once its arguments are read: one clip, one folder, the schema.

:mod:`ava_detect.cli` parses the arguments and turns errors into exit codes; these functions
run the analysis, write the files, record the history and print the summary.
"""

from __future__ import annotations

from pathlib import Path

import click

from .errors import ConfigError, ExitCode, InputError
from .settings import Settings


def recorder_for(history_path: Path | None, warn):
    """The failure history's recorder (a problem with it only ever prints a warning)."""
    from .history.location import default_history_path
    from .history.recorder import HistoryRecorder

    try:
        path = history_path or default_history_path()
    except Exception as exc:  # noqa: BLE001 - no data folder: analyse anyway
        warn(f"no folder for the failure history ({exc}); use --history FILE.")
        return None
    return HistoryRecorder(path, warn=warn)


def read_transcript(text: str | None, path: Path | None) -> dict:
    """``--transcript`` / ``--transcript-file`` -> the user fields ``transcript`` and
    ``transcript_source`` (empty when neither is given)."""
    if text is not None and path is not None:
        raise ConfigError("give the words once: --transcript TEXT or --transcript-file FILE, "
                          "not both.")
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"--transcript-file {path}: no such file. Give the path of a "
                              "text file holding the clip's words, or pass them with "
                              "--transcript TEXT.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--transcript-file {path}: cannot be read as UTF-8 text "
                              f"({exc}); save it as plain UTF-8 text.") from None
        return {"transcript": " ".join(text.split()), "transcript_source": "--transcript-file"}
    if text is not None:
        return {"transcript": " ".join(text.split()), "transcript_source": "--transcript"}
    return {}


def print_schema() -> None:
    import json

    from .report.schema import report_schema

    click.echo(json.dumps(report_schema(), indent=2))


def run_clip(
    path: Path,
    out_dir: Path,
    settings: Settings,
    user: dict,
    json_to: str | None,
    quiet: bool,
    recorder=None,
) -> ExitCode:
    from .console.clip_summary import print_clip_summary
    from .console.progress import frame_progress
    from .output.clip_job import run_clip_job
    from .report.json import report_to_json

    if not path.exists():
        raise InputError(f"{path}: no such file or folder. Check the path and try again.")
    with frame_progress(path.name, enabled=not quiet) as progress:
        job = run_clip_job(path, out_dir, settings, user=user, progress=progress)
    report, paths = job.analysis.report, job.paths
    if recorder is not None:
        import json

        recorder.record(
            json.loads(report_to_json(report)),
            report_path=paths.json,
            pack_path=paths.pdf if paths.pdf.exists() else None,
            source="clip",
        )
    if json_to == "-":
        click.echo(report_to_json(report), nl=False)
    elif json_to:
        from .report.json import write_text_atomic

        write_text_atomic(json_to, report_to_json(report))
    if not quiet:
        print_clip_summary(report, paths, to_stderr=json_to == "-")
    return ExitCode.FAILURE_FOUND if report.verdict == "fail" else ExitCode.OK


def run_folder(
    path: Path,
    out_dir: Path,
    settings: Settings,
    user: dict,
    quiet: bool,
    options: dict,
    recorder=None,
) -> ExitCode:
    try:
        from .batch import run_batch
    except ImportError as exc:
        raise ConfigError(
            f"{path} is a folder, and folder analysis is not part of this version; "
            "give one clip at a time."
        ) from exc
    junit_to = options.pop("junit_to")

    def record(data: dict, job) -> None:  # in this (the parent) process, one clip at a time
        pdf = job.paths.pdf
        recorder.record(
            data, report_path=job.paths.json, pack_path=pdf if pdf.exists() else None,
            source="folder",
        )

    on_report = record if recorder is not None else None
    result = run_batch(
        path, out_dir, settings, user=user, quiet=quiet, on_report=on_report, **options
    )
    if junit_to is not None:
        from .batch.junit import write_junit

        write_junit(junit_to, result.rows, out_dir, options["fail_on"])
    return result.exit_code
