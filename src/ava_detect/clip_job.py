"""Analyse one clip and write all of its report files: shared by the CLI and batch runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .outputs import OutputPaths, output_paths, prepare_output, write_json
from .pipeline import Analysis, Analyzer, ProgressFn
from .settings import Settings


@dataclass
class ClipJobResult:
    analysis: Analysis
    paths: OutputPaths


def run_clip_job(
    clip: str | Path,
    out_dir: str | Path,
    settings: Settings,
    *,
    user: dict | None = None,
    analyzer: Analyzer | None = None,
    progress: ProgressFn | None = None,
    paths: OutputPaths | None = None,
) -> ClipJobResult:
    """Analyse ``clip`` and write its JSON report (and evidence pack) into ``out_dir``.

    ``analyzer`` lets a batch worker reuse loaded models; ``paths`` lets it choose file names
    (for example to mirror a folder tree). The output folder is checked before the analysis
    starts, so a bad ``--out`` fails fast and no user file is ever overwritten.
    """
    paths = paths or output_paths(clip, out_dir)
    prepare_output(paths)
    own = analyzer is None
    analyzer = analyzer or Analyzer(settings)
    try:
        analysis = analyzer.analyze(clip, user=user, progress=progress)
    finally:
        if own:
            analyzer.close()
    write_json(analysis.report, paths)
    return ClipJobResult(analysis=analysis, paths=paths)
