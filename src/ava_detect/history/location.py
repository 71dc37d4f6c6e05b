"""Where the history lives by default: the user's data folder, by the platform's convention
(``~/.local/share/ava-detect`` on Linux, ``~/Library/Application Support/ava-detect`` on macOS,
``%LOCALAPPDATA%\\ava-detect`` on Windows), found with ``platformdirs``."""

from __future__ import annotations

from pathlib import Path

FILE_NAME = "history.sqlite"


def default_history_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("ava-detect", appauthor=False) / FILE_NAME
