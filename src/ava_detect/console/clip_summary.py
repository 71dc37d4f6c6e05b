"""The short human summary printed after a clip is analysed."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

from ..catalog import FAILURE_MODES, headline_text
from ..output.paths import OutputPaths
from ..report import Report
from ..report.timefmt import both

_STYLE = {"pass": "green", "fail": "bold red", "inconclusive": "yellow", "skipped": "dim"}


def clip_facts(clip: dict) -> str:
    audio = "audio" if clip.get("has_audio") else "no audio"
    return (
        f"{clip['duration_s']:.2f} s, {clip['fps']:.2f} fps, {clip['width']}x{clip['height']}, "
        f"{clip.get('codec', '?')}, {audio}"
    )


def print_clip_summary(report: Report, paths: OutputPaths, *, to_stderr: bool = False) -> None:
    console = Console(file=sys.stderr if to_stderr else sys.stdout, highlight=False, soft_wrap=True)
    verdict = report.verdict
    console.print(
        f"[bold]{escape(report.clip['file_name'])}[/bold]  [{_STYLE[verdict]}]{verdict.upper()}[/]"
        f"  ({clip_facts(report.clip)})"
    )
    for name, check in report.checks.items():
        line = f"  {name:<9} [{_STYLE[check.status]}]{check.status}[/]"
        if check.status == "fail":
            first = min(f.first_s for f in check.findings)
            kinds = sorted({f.kind for f in check.findings})
            line += (
                f"  {FAILURE_MODES[name].technical_term} — first at {both(first)}"
                f"  {escape('[' + ', '.join(kinds) + ']')}"
            )
        elif check.reason:
            line += f"  ({escape(check.reason)})"
        headline = headline_text(name, check.details)
        if headline:
            line += f"  {headline}"
        console.print(line)
    for finding in report.findings:
        console.print(f"    - {both(finding.first_s)}: {escape(finding.description)}")
    written = [paths.json] + [p for p in (paths.pdf, paths.ticket) if p.exists()]
    console.print("  report: " + escape(", ".join(str(p) for p in written)))
