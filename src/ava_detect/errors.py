"""Exit codes, and errors that reach the user as one clear line saying what is wrong and what to do.

:class:`ExitCode` is the one place the command's exit codes are defined. Every error raised on
purpose inside ava-detect is an :class:`AvaError`; the CLI prints its message (no traceback
unless ``--debug``) and exits with its ``exit_code`` (:attr:`ExitCode.CANNOT_ANALYSE`).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What the ``ava-detect`` process (and a batch run) exits with."""

    OK = 0  # no failure found (checks that could not run say so in the report)
    FAILURE_FOUND = 1  # at least one failure (in a folder: at or above --fail-on)
    CANNOT_ANALYSE = 2  # the input could not be analysed, or the command was used wrongly
    INTERRUPTED = 130  # stopped with Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # a batch worker process stopped by SIGTERM (128 + SIGTERM)


class AvaError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing sentence."""

    exit_code = ExitCode.CANNOT_ANALYSE


class InputError(AvaError):
    """The clip or folder given cannot be read or is not a video."""


class ModelError(AvaError):
    """A bundled model (MediaPipe, dlib) could not be loaded or run."""


class OutputError(AvaError):
    """A report cannot be written where the user asked."""


class ConfigError(AvaError):
    """The settings file or an option value is invalid."""
