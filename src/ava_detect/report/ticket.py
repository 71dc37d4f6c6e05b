"""The support-ticket text: everything a platform's support form needs, ready to paste.

The same text is printed in the PDF's ticket block and written to ``CLIP_STEM_ticket.txt``. It is
only made for clips with at least one failure; a clean clip gets the PDF's pass certificate.

The ticket follows what support teams ask for (the failure references): the technical term, the
Generation ID (and, when it was given as a share link, the link and which part of it is the ID),
the prompt, the first-failure timestamps and what is attached, with the evidence clip described
as what that failure's support asks for. For a known ``--platform`` (``catalog.PLATFORMS``) the
ticket is addressed to that platform's support, names the channel where a source names one, and
adds that platform's notes; any other platform gets the generic ticket.
"""

from __future__ import annotations

from pathlib import Path

from ..catalog import EVIDENCE_CLIP_SHOWS, FAILURE_MODES, kind_wording, platform_for
from .facts import speaker_lines
from .model import Finding, Report
from .timefmt import both, clock

NOT_GIVEN = "(not given)"


def clip_line(clip: dict) -> str:
    audio = "with audio" if clip.get("has_audio") else "no audio"
    return (
        f"{clip.get('file_name', Path(str(clip.get('path', ''))).name)}, "
        f"{clip.get('duration_s', float('nan')):.2f} s, {clip.get('fps', float('nan')):.2f} fps, "
        f"{clip.get('width')}x{clip.get('height')}, {clip.get('codec', '?')}, {audio}"
    )


def failed_terms(report: Report) -> list[str]:
    """Technical terms of the failed checks, worst severity first."""
    terms: list[str] = []
    for finding in report.findings:
        if finding.technical_term not in terms:
            terms.append(finding.technical_term)
    return terms


def finding_sentence(finding: Finding) -> str:
    """``Facial Identity Drift (switch to a different person) from 1.240 s (0:01.240) ...``."""
    span = ""
    if finding.end_s > finding.first_s:
        span = f" until {both(finding.end_s)}"
    description = finding.description.rstrip(".")
    return (
        f"{finding.technical_term} ({kind_wording(finding.kind)}), first visible at "
        f"{both(finding.first_s)}{span}: {description}. Severity {finding.severity}, "
        f"confidence {finding.confidence:.2f}."
    )


def attached_frames(report: Report) -> list[str]:
    """One line per evidence frame: ``file (zoomed: crop): finding N, label, frame at t``."""
    lines = []
    for n, finding in enumerate(report.findings, start=1):
        for ev in finding.evidence:
            if not ev.image:
                continue
            t = ev.frame_t_s if ev.frame_t_s is not None else ev.t_s
            label = ev.label or "frame"
            zoom = f" (zoomed: {Path(ev.crop).name})" if ev.crop else ""
            lines.append(f"{ev.image}{zoom}: finding {n}, {label}, frame at {both(t)}")
    return lines


def attached_clips(report: Report) -> list[str]:
    """One line per evidence clip: file, what it shows (as support asks for it), times, sound."""
    lines = []
    for n, finding in enumerate(report.findings, start=1):
        video = finding.evidence_video
        if not video:
            continue
        what = EVIDENCE_CLIP_SHOWS.get(finding.mode, "a video of the failure")
        speeds = " then ".join("normal speed" if p["speed"] == 1 else f"{p['speed']:g}x speed"
                               for p in video.get("passes", []))
        sound = "with the clip's own sound" if video.get("has_audio") else "no sound"
        lines.append(
            f"{video['file']}: finding {n}, {what}; clip time {clock(video['source_start_s'])}"
            f"-{clock(video['source_end_s'])}, {speeds}, time and term burnt in, {sound}"
        )
    return lines


def _generation_line(user: dict) -> str:
    gen = user.get("generation_id") or NOT_GIVEN
    if user.get("generation_url") and user.get("generation_url") != gen:
        return (f"Generation ID: {gen} (from the share link {user['generation_url']}, "
                f"{user.get('generation_id_from') or 'as given'})")
    return f"Generation ID: {gen}"


def ticket_text(report: Report, *, pdf_name: str | None = None) -> str:
    """The ticket as plain text, one paragraph per line.

    Lines are not wrapped: a support form re-flows pasted text, and hard breaks inside a
    sentence would show up there.
    """
    user = report.user or {}
    first = report.first_failure_s()
    terms = failed_terms(report)
    subject = ", ".join(terms) if terms else "Generation failure"
    if user.get("generation_id"):
        subject += f" in generation {user['generation_id']}"
    if first is not None:
        subject += f"; first failure at {both(first)}"
    lines = [f"Subject: {subject}", ""]
    platform = platform_for(user.get("platform"))
    if platform is not None:
        lines.append(f"To: {platform.name} support")
        if platform.channel:
            lines.append(f"Send via: {platform.channel}")
        lines.append("")
    lines += [
        _generation_line(user),
        f"Platform: {user.get('platform') or NOT_GIVEN}",
        f"Prompt: {_quoted(user.get('prompt'))}",
        f"Clip: {clip_line(report.clip)}",
        f"SHA-256: {report.clip.get('sha256', '?')}",
        f"Technical term{'s' if len(terms) > 1 else ''}: {'; '.join(terms) or 'none'}",
        f"First failure: {both(first) if first is not None else 'none'}",
        "",
        "What is wrong:",
    ]
    for mode in dict.fromkeys(f.mode for f in report.findings):
        lines.append(f"- {FAILURE_MODES[mode].ticket_sentence}")
    if platform is not None:
        lines += [f"- {note}" for note in platform.notes]
    lines += ["", "Findings:"]
    for n, finding in enumerate(report.findings, start=1):
        lines.append(f"{n}. {finding_sentence(finding)}")
    speakers = speaker_lines(report)
    if speakers:
        lines += ["", "Who speaks when (lip sync):"]
        lines += [f"- {line}" for line in speakers]
    clips = attached_clips(report)
    if clips:
        lines += ["", "Attached evidence clips:"]
        lines += [f"- {line}" for line in clips]
    frames = attached_frames(report)
    if frames:
        lines += ["", "Attached frames:"]
        lines += [f"- {line}" for line in frames]
    lines += [""]
    closing = (
        "Please review this generation. The timestamps are the clip's presentation times; "
        "the frames were decoded from the clip at those times."
    )
    if pdf_name:
        closing += f" The evidence pack {pdf_name} has the measurements and the method."
    lines.append(closing)
    lines.append(f"Checked with ava-detect {report.tool_version} on {report.created_at}.")
    return "\n".join(lines) + "\n"


def _quoted(prompt: str | None) -> str:
    if not prompt:
        return NOT_GIVEN
    return '"' + " ".join(str(prompt).split()) + '"'


def write_ticket(report: Report, path: str | Path, *, pdf_name: str | None = None) -> Path:
    """Write the ticket text atomically to ``path`` (UTF-8) and return the path."""
    from .json import write_text_atomic

    write_text_atomic(path, ticket_text(report, pdf_name=pdf_name))
    return Path(path)
