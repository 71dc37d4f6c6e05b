"""What a batch run will do: which files are clips, where each report goes, what can be reused.

Clips are found by content (:func:`~ava_detect.media.is_video_file`), not by extension alone, in
a stable order (path components compared in turn). Reports mirror the folder tree under
``--out``: ``renders/a/shot.mp4`` -> ``OUT/a/shot.json``, so two ``shot.mp4`` in different
sub-folders never collide. Two clips of one folder that share a stem (``shot.mp4``, ``shot.mov``)
get the extension in their report name (``shot_mp4.json``, ``shot_mov.json``).
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..media import is_video_file, sha256_of
from ..output.paths import OutputPaths

# Files with these extensions are treated as clips even when they cannot be opened, so a damaged
# render is reported as an error instead of silently skipped as "not a video".
VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".mpg", ".mpeg", ".ts", ".mts", ".m2ts",
     ".wmv", ".flv", ".3gp", ".ogv", ".mxf", ".gif"}
)  # fmt: skip

# Report names the batch itself uses at the top of --out.
RESERVED_STEMS = frozenset({"summary"})


@dataclass(frozen=True)
class Job:
    """One clip of the batch: its place in the stable order and where its report goes."""

    index: int
    clip: Path
    rel: str  # path relative to the batch folder, with forward slashes
    paths: OutputPaths


@dataclass
class Found:
    """The result of scanning a folder."""

    clips: list[Path] = field(default_factory=list)
    not_videos: list[Path] = field(default_factory=list)


def _sort_key(path: Path, root: Path) -> tuple[str, ...]:
    return path.relative_to(root).parts


def find_clips(folder: Path, *, exclude: Path | None = None) -> Found:
    """Scan ``folder`` recursively for clips.

    Hidden files and folders (name starting with ``.``, such as macOS ``._shot.mp4`` resource
    forks) and anything that is not a regular file are ignored; ``exclude`` (the output folder,
    when it lies inside ``folder``) is not scanned. A file is a clip when PyAV opens it as a video,
    or when it has a video extension (then its failure to decode is reported as that clip's error).

    Returns
    -------
    Found
        ``clips`` and ``not_videos`` in a stable order.
    """
    excluded = exclude.resolve() if exclude is not None else None
    found = Found()
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and (excluded is None or (here / d).resolve() != excluded)
        )
        files.extend(here / name for name in filenames if not name.startswith("."))
    for path in sorted(files, key=lambda p: _sort_key(p, folder)):
        try:
            regular = stat.S_ISREG(path.stat().st_mode)
        except OSError:
            regular = False
        if not regular:
            continue
        if path.suffix.lower() in VIDEO_EXTENSIONS or is_video_file(path):
            found.clips.append(path)
        else:
            found.not_videos.append(path)
    return found


def plan_jobs(clips: list[Path], folder: Path, out_dir: Path) -> list[Job]:
    """Give every clip its mirrored report location, resolving same-stem names in one folder."""
    rels = [clip.relative_to(folder) for clip in clips]
    stems = Counter((rel.parent, rel.stem.lower()) for rel in rels)
    jobs = []
    for index, (clip, rel) in enumerate(zip(clips, rels, strict=True)):
        stem = rel.stem
        clash = stems[(rel.parent, stem.lower())] > 1
        reserved = rel.parent == Path(".") and stem.lower() in RESERVED_STEMS
        if clash or reserved or not stem:
            stem = f"{stem}_{rel.suffix.lstrip('.').lower() or 'clip'}"
        paths = OutputPaths(folder=out_dir / rel.parent, stem=stem)
        jobs.append(Job(index=index, clip=clip, rel=rel.as_posix(), paths=paths))
    return jobs


def read_report(path: Path) -> dict | None:
    """The ava-detect report at ``path`` as a dict, or None if missing, partial or foreign."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool", {}).get("name") != "ava-detect":
        return None
    return data


def reusable_report(job: Job, digest: str, *, version: str = __version__) -> dict | None:
    """The clip's existing report when it was made from the same bytes with the same settings
    by the same version of ava-detect (an upgrade may change what the checks find).

    Compares the report's ``tool.version`` with ``version`` (this ava-detect's), its
    ``settings.digest`` with ``digest`` and its ``clip.sha256`` with the clip's SHA-256 (computed
    only when the rest matches).
    """
    data = read_report(job.paths.json)
    if data is None:
        return None
    clip = data.get("clip") or {}
    if (data.get("tool") or {}).get("version") != version:
        return None
    if (data.get("settings") or {}).get("digest") != digest or not clip.get("sha256"):
        return None
    try:
        same = sha256_of(job.clip) == clip["sha256"]
    except OSError:
        return None
    return data if same else None
