"""Analyse one clip and write all of its report files: shared by the CLI and batch runs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError
from ..pipeline import Analysis, Analyzer, ProgressFn
from ..settings import EvidenceVideoSettings, Settings
from .paths import OutputPaths, is_ava_ticket, output_paths, prepare_output, write_json


@dataclass
class ClipJobResult:
    analysis: Analysis
    paths: OutputPaths
    written: list[Path] = field(default_factory=list)  # every file this job wrote


def run_clip_job(
    clip: str | Path,
    out_dir: str | Path,
    settings: Settings,
    *,
    user: dict | None = None,
    analyzer: Analyzer | None = None,
    progress: ProgressFn | None = None,
    paths: OutputPaths | None = None,
    evidence_pack: bool = True,
) -> ClipJobResult:
    """Analyse ``clip`` and write its JSON report and evidence pack into ``out_dir``.

    ``analyzer`` lets a batch worker reuse loaded models; ``paths`` lets it choose file names
    (for example to mirror a folder tree). The output folder is checked before the analysis
    starts, so a bad ``--out`` fails fast and no user file is ever overwritten.

    With ``evidence_pack`` (the default) the evidence frames are decoded and written first, so
    the JSON records their paths; then an evidence clip per finding (unless
    ``settings.evidence_video.enabled`` is false, ``--no-evidence-video``), the PDF, the ticket
    text (when something failed) and the JSON last. Without it only the JSON is written.
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
    if not evidence_pack:
        return ClipJobResult(
            analysis=analysis, paths=paths, written=[write_json(analysis.report, paths)]
        )
    written = write_pack(analysis, clip, paths, video=settings.evidence_video)
    return ClipJobResult(analysis=analysis, paths=paths, written=written)


def write_pack(analysis: Analysis, clip: str | Path, paths: OutputPaths, *,
               video: EvidenceVideoSettings | None = None) -> list[Path]:
    """Evidence frames and clips, the PDF and the ticket, then the JSON (with their paths) last.

    The JSON is the last file written so that its presence means the whole pack is complete:
    a batch run interrupted mid-pack re-analyses that clip rather than resuming it without its
    PDF. If the PDF cannot be made, the JSON is still written and the error re-raised.
    ``video`` configures the evidence clips (default: on, as ``EvidenceVideoSettings()``).
    Stage times go to ``analysis.times.extra`` (``evidence_s``, ``video_s``, ``pdf_s``,
    ``json_s``).
    """
    from ..report.pdf import write_pdf
    from ..report.ticket import write_ticket
    from .evidence import add_hand_landmarks, write_evidence
    from .video import write_evidence_videos

    report, extra = analysis.report, analysis.times.extra
    start = time.perf_counter()
    add_hand_landmarks(report, analysis.signals)
    evidence = write_evidence(report, clip, paths)
    extra["evidence_s"] = time.perf_counter() - start
    written = list(evidence.written)
    start = time.perf_counter()
    videos = write_evidence_videos(report, clip, paths, analysis.signals,
                                   video or EvidenceVideoSettings())
    written += videos.written
    extra["video_s"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        written.append(write_pdf(report, paths.pdf))
        if report.findings:
            written.append(write_ticket(report, paths.ticket, pdf_name=paths.pdf.name))
        elif paths.ticket.exists() and is_ava_ticket(paths.ticket):
            paths.ticket.unlink()  # an earlier run's ticket no longer applies
    except OSError as exc:
        write_json(report, paths)
        raise OutputError(f"{paths.folder}: the evidence pack cannot be written ({exc}).") from exc
    except Exception:
        write_json(report, paths)  # the analysis is not lost to a bug in the pack
        raise
    extra["pdf_s"] = time.perf_counter() - start
    if paths.frames.is_dir() and not any(paths.frames.iterdir()):
        paths.frames.rmdir()
    start = time.perf_counter()
    written.append(write_json(report, paths))
    extra["json_s"] = time.perf_counter() - start
    return written
