"""The ``ava-detect`` command: arguments -> Settings -> analysis -> files -> summary -> exit."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .catalog import CHECK_NAMES
from .cli_runs import print_schema, read_transcript, recorder_for, run_clip, run_folder
from .errors import AvaError, ConfigError, ExitCode
from .report.share_link import parse_generation_ref
from .settings import Settings, parse_assignment

HELP = f"""Check an AI-generated clip (or a folder of clips) for generation failures.

\b
Checks (each names its failure with the term support teams recognise):
  hands     Hand-Anatomy Topology Failure: fingers appearing or vanishing,
            fused fingers, impossible palm/back flips, hands collapsing.
  identity  Facial Identity Drift: the face turns into a different person.
  lipsync   Audio-Visual Lip Sync & Phoneme Alignment Failure: the mouth
            trails or leads the voice, moves in silence, or drifts.

For each clip it writes CLIP.json (and the PDF evidence pack) into --out,
prints a short summary, and exits with:

\b
  0  no failure found (checks that could not run say so in the report)
  1  at least one failure found (in a folder: at or above --fail-on)
  2  the input could not be analysed, or the command was used wrongly
     (in a folder: at least one clip could not be analysed; 2 wins over 1)

\b
Folders: every video under the folder (found by content, recursively) is
analysed in parallel worker processes. Reports mirror the folder tree under
--out, next to summary.csv, summary.json and summary.pdf. A re-run reuses
reports made from the same file with the same settings (unless --force), so
an interrupted run can simply be started again.

\b
Examples:
  ava-detect render.mp4
  ava-detect render.mp4 --checks lipsync --json -
  ava-detect render.mp4 --generation-id gen_8812 --platform Runway \\
             --prompt "a chef chopping onions"
  ava-detect render.mp4 --set lipsync.tolerance_standard=ebu_r37
  ava-detect render.mp4 --transcript "absolutely fantastic"
             (lips must close on every p, b, m; also --transcript-file
             FILE, or quote the speech in --prompt "saying 'hi Bob'")
  ava-detect renders/ --out qa/ --workers 2 --fail-on critical
  ava-detect renders/ --junit qa/junit.xml     (test results for CI systems)
  ava-detect renders/ --ray head-node:6379     (on a Ray cluster; docs/batch.md)
  ava-detect schema                            (the report's JSON Schema)

\b
Every analysis is recorded in a local failure history (SQLite, in your data
folder; --history FILE for another, --no-history to skip). Nothing leaves
the machine. Three more commands use it (each has --help):
  ava-detect history [--platform P] [--mode M] [--verdict V] [--json -]
  ava-detect dashboard --out dashboard.html
  ava-detect preflight "hands typing on a typewriter, close-up" --platform Sora

Version {__version__}.
"""


def _split_checks(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    checks = tuple(c.strip().lower() for c in value.split(",") if c.strip())
    unknown = [c for c in checks if c not in CHECK_NAMES]
    if unknown or not checks:
        named = f"unknown check {', '.join(map(repr, unknown))}" if unknown else "no check named"
        raise ConfigError(
            f"--checks {value}: {named}; choose one or more of {', '.join(CHECK_NAMES)}, "
            "separated by commas (e.g. --checks hands,lipsync)."
        )
    return checks


def build_settings(
    config: str | None, checks: str | None, assignments: tuple[str, ...]
) -> Settings:
    """Defaults, then the TOML file, then ``--checks`` and ``--set`` values."""
    settings = Settings.from_toml(config) if config else Settings()
    for text in assignments:
        settings = settings.with_overrides(parse_assignment(text))
    chosen = _split_checks(checks)
    if chosen:
        settings = settings.with_overrides({"checks": list(chosen)})
    return settings


# Subcommands, dispatched on the first argument when no file or folder of that name exists
# (as `ava-detect schema`): name -> (module, click command).
SUBCOMMANDS = {
    "history": ("ava_detect.history.commands", "history_command"),
    "dashboard": ("ava_detect.history.commands", "dashboard_command"),
    "preflight": ("ava_detect.preflight.command", "preflight_command"),
}


class _MainCommand(click.Command):
    """The analysis command, which hands ``history``, ``dashboard`` and ``preflight`` to their
    own commands (``ava-detect CLIP`` and ``ava-detect FOLDER`` are unchanged)."""

    def main(self, args=None, prog_name=None, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        if argv and argv[0] in SUBCOMMANDS and not Path(argv[0]).exists():
            import importlib

            module, name = SUBCOMMANDS[argv[0]]
            command = getattr(importlib.import_module(module), name)
            prog = f"{prog_name or 'ava-detect'} {argv[0]}"
            return command.main(argv[1:], prog_name=prog, **extra)
        return super().main(argv, prog_name, **extra)


@click.command(
    cls=_MainCommand,
    help=HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("ava-reports"),
    show_default=True,
    help="Folder for the reports (created if missing).",
)
@click.option(
    "--json",
    "json_to",
    metavar="FILE|-",
    default=None,
    help="Also write the JSON report to FILE, or to standard output with '-'.",
)
@click.option(
    "--checks",
    metavar="LIST",
    default=None,
    help=f"Comma-separated checks to run [default: {','.join(CHECK_NAMES)}].",
)
@click.option(
    "--generation-id",
    default=None,
    help="The platform's ID of this render, or its share link / URL (the ID is taken from it).",
)
@click.option(
    "--platform",
    default=None,
    help="Where the clip was generated: Sora, Runway, Veo, Kling, Pika, Luma, Hailuo or other "
    "(shapes the ticket; any other name gets the generic ticket).",
)
@click.option(
    "--prompt",
    default=None,
    help="The prompt the clip was generated from. Speech quoted in it (\"saying 'absolutely "
    "fantastic'\") is taken as the clip's words for the lip-sync viseme check.",
)
@click.option(
    "--transcript",
    metavar="TEXT",
    default=None,
    help="The words the clip says (English). Lip sync then checks that the lips close on every "
    "p, b and m (viseme_mismatch); overrides speech quoted in --prompt.",
)
@click.option(
    "--transcript-file",
    "transcript_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    default=None,
    help="Read the words the clip says from a UTF-8 text file (as --transcript).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML file with settings (thresholds); see the README for the names.",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override one setting (repeatable), e.g. --set lipsync.tolerance_standard=ebu_r37.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Folders: worker processes analysing clips in parallel [default: number of CPU cores].",
)
@click.option(
    "--timeout-per-clip",
    "timeout_per_clip",
    type=click.FloatRange(min=0, min_open=True),
    default=600.0,
    show_default=True,
    metavar="SECONDS",
    help="Folders: a clip still running after this long is stopped and reported as an error.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Folders: analyse every clip again, even those with an up-to-date report.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "major", "minor"], case_sensitive=False),
    default="minor",
    show_default=True,
    help="Folders: the least severity of failure that makes the exit code 1 (a CI gate).",
)
@click.option(
    "--ray",
    "ray_address",
    metavar="ADDRESS",
    help="Folders: run the clips on a Ray cluster (HOST:PORT, 'auto' for RAY_ADDRESS, or "
    "'local'); needs pip install 'ava-detect[ray]' and storage every node sees.",
)
@click.option(
    "--junit",
    "junit_to",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Folders: also write the results as JUnit XML (one test case per clip) for CI.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Record the analysis in this failure history (SQLite) [default: history.sqlite in "
    "your user data folder].",
)
@click.option("--no-history", is_flag=True, help="Do not record the analysis in the history.")
@click.option(
    "--no-evidence-video",
    "no_video",
    is_flag=True,
    help="Do not make the evidence clips (one short mp4 per finding); "
    "same as --set evidence_video.enabled=false.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--debug", is_flag=True, help="Show the full traceback when something goes wrong.")
@click.version_option(__version__, "--version", prog_name="ava-detect")
def main(
    path: Path,
    out_dir: Path,
    json_to: str | None,
    checks: str | None,
    generation_id: str | None,
    platform: str | None,
    prompt: str | None,
    transcript: str | None,
    transcript_file: Path | None,
    config: str | None,
    assignments: tuple[str, ...],
    workers: int | None,
    timeout_per_clip: float,
    force: bool,
    fail_on: str,
    junit_to: Path | None,
    ray_address: str | None,
    history_path: Path | None,
    no_history: bool,
    no_video: bool,
    quiet: bool,
    debug: bool,
) -> None:
    batch_options = {
        "workers": workers,
        "timeout_per_clip": timeout_per_clip,
        "force": force,
        "fail_on": fail_on.lower(),
        "junit_to": junit_to,
        "ray_address": ray_address,
    }
    user = {"generation_id": generation_id, "platform": platform, "prompt": prompt}
    try:
        user.update(read_transcript(transcript, transcript_file))
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(int(exc.exit_code))
    ref = parse_generation_ref(generation_id)
    if ref is not None:
        user.update(ref.to_user())  # a share link: the ID, the link and which part was taken
    if str(path) == "schema" and not path.exists():  # `ava-detect schema`
        print_schema()
        sys.exit(int(ExitCode.OK))
    from .landmarks import silence_native_logs

    silence_native_logs()  # before any progress display is made (it binds to the terminal)
    recorder = None
    try:
        settings = build_settings(config, checks, assignments)
        if no_video:
            settings = settings.with_overrides({"evidence_video": {"enabled": False}})
        recorder = None if no_history else recorder_for(history_path, _warn)
        if path.is_dir():
            if "transcript" in user:
                raise ConfigError("--transcript and --transcript-file apply to one clip (the "
                                  "clips of a folder say different words); run each clip "
                                  "with its own words.")
            code = run_folder(path, out_dir, settings, user, quiet, batch_options, recorder)
        else:
            if junit_to is not None or ray_address:
                option = "--junit" if junit_to is not None else "--ray"
                raise ConfigError(f"{option} applies to folder runs; give a folder of clips.")
            code = run_clip(path, out_dir, settings, user, json_to, quiet, recorder)
    except AvaError as exc:
        if debug:
            traceback.print_exc()
        _error(str(exc))
        code = exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted; reports already written are complete.")
        code = ExitCode.INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the user gets one line, --debug the rest
        if debug:
            traceback.print_exc()
        _error(f"internal error: {type(exc).__name__}: {exc}. Re-run with --debug and report it.")
        code = ExitCode.CANNOT_ANALYSE
    finally:
        if recorder is not None:
            recorder.close()
    sys.exit(int(code))


def _error(message: str) -> None:
    click.echo(f"ava-detect: error: {message}", err=True)


def _warn(message: str) -> None:
    click.echo(f"ava-detect: warning: {message}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
