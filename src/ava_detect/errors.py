"""Errors that reach the user as one clear line saying what is wrong and what to do.

Every error raised on purpose inside ava-detect is an :class:`AvaError`; the CLI prints its
message (no traceback unless ``--debug``) and exits with code 2.
"""

from __future__ import annotations


class AvaError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing sentence."""

    exit_code = 2


class InputError(AvaError):
    """The clip or folder given cannot be read or is not a video."""


class ModelError(AvaError):
    """A bundled model (MediaPipe, dlib) could not be loaded or run."""


class OutputError(AvaError):
    """A report cannot be written where the user asked."""


class ConfigError(AvaError):
    """The settings file or an option value is invalid."""
