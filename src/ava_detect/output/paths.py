"""Where one clip's report files go, and writing them without harming anything already there.

For a clip ``renders/shot_01.mp4`` and output folder ``OUT`` the files are ``OUT/shot_01.json``
(the report), and, once written by the evidence pack, ``OUT/shot_01.pdf``,
``OUT/shot_01_ticket.txt`` and ``OUT/shot_01_frames/``. An existing file at one of those names is
only replaced when it is an earlier ava-detect report; anything else is left alone and the run
stops with an :class:`~ava_detect.errors.OutputError`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from ..report import Report
from ..report.json import report_to_json, write_text_atomic


@dataclass(frozen=True)
class OutputPaths:
    """The files of one clip's report, all in ``folder``."""

    folder: Path
    stem: str

    @property
    def json(self) -> Path:
        return self.folder / f"{self.stem}.json"

    @property
    def pdf(self) -> Path:
        return self.folder / f"{self.stem}.pdf"

    @property
    def ticket(self) -> Path:
        return self.folder / f"{self.stem}_ticket.txt"

    @property
    def frames(self) -> Path:
        return self.folder / f"{self.stem}_frames"


def output_paths(clip: str | os.PathLike, out_dir: str | os.PathLike) -> OutputPaths:
    return OutputPaths(folder=Path(out_dir), stem=Path(clip).stem)


def is_ava_report(path: Path) -> bool:
    """True when ``path`` is a JSON file written by ava-detect (safe to replace)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool", {}).get("name") == "ava-detect"


def is_ava_pdf(path: Path) -> bool:
    """True when ``path`` is an evidence pack ava-detect wrote (its Creator names ava-detect)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return data.startswith(b"%PDF") and b"/Creator (ava-detect" in data


def is_ava_ticket(path: Path) -> bool:
    """True when ``path`` is a ticket text ava-detect wrote (its last line says so)."""
    try:
        lines = path.read_text(encoding="utf-8").strip().splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(lines) and lines[-1].startswith("Checked with ava-detect ")


def ensure_output_folder(folder: Path) -> None:
    """Create ``folder`` (with parents) and check it can be written.

    Raises
    ------
    OutputError
        When it is a file, cannot be created, or is not writable.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"--out {folder}: exists and is not a folder. Choose another --out.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"--out {folder}: cannot create the folder ({exc.strerror}). Choose another --out."
        ) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"--out {folder}: the folder is not writable. Choose another --out.")


def prepare_output(paths: OutputPaths) -> None:
    """Create the folder and refuse to overwrite a file ava-detect did not write.

    Raises
    ------
    OutputError
        When the folder cannot be created or written, or one of the report's files exists and
        was not written by ava-detect.
    """
    ensure_output_folder(paths.folder)
    for path, ours in (
        (paths.json, is_ava_report),
        (paths.pdf, is_ava_pdf),
        (paths.ticket, is_ava_ticket),
    ):
        if path.exists() and not ours(path):
            raise OutputError(
                f"{path} exists and is not an ava-detect report; it was left untouched. "
                "Choose another --out."
            )
    if paths.frames.exists() and not paths.frames.is_dir():
        raise OutputError(
            f"{paths.frames} exists and is not a folder; it was left untouched. "
            "Choose another --out."
        )


def write_json(report: Report, paths: OutputPaths) -> Path:
    """Write the JSON report atomically (after :func:`prepare_output`)."""
    try:
        write_text_atomic(paths.json, report_to_json(report))
    except OSError as exc:
        raise OutputError(f"{paths.json}: cannot be written ({exc.strerror}).") from exc
    return paths.json
