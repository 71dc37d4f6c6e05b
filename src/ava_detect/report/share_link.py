"""``--generation-id`` given as a share link or URL: the ID taken from it, and which part.

Platforms put the generation's ID in the link's path or its query; the failure references say
the Generation ID is found "in the URL or share link". Without a platform-specific link format
known, the rule is general and stated: a query parameter whose name says it is an ID
(``id``, ``generation_id``, ``task_id``, ...) wins; otherwise the last path segment that looks
like an identifier (a UUID, or a token of 6+ letters, digits, - or _ with a digit), skipping
words like ``share`` or ``video``; a file extension (``.mp4``) is dropped. A value that is not a
link is returned as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

ID_PARAMS = ("generation_id", "generationid", "gen_id", "genid", "task_id", "taskid",
             "video_id", "videoid", "share_id", "shareid", "job_id", "jobid", "uuid", "id")
PATH_WORDS = {"share", "shared", "s", "g", "p", "v", "t", "video", "videos", "generation",
              "generations", "gen", "task", "tasks", "creation", "creations", "result", "view",
              "watch", "post", "posts", "assets", "asset", "explore", "app", "en", "library",
              "projects", "project", "play", "embed", "detail", "details", "item", "items"}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{6,}$")
_EXT = re.compile(r"\.(mp4|mov|webm|m4v|mkv|gif|html?)$", re.I)


@dataclass(frozen=True)
class GenerationRef:
    """What ``--generation-id`` said: the ID, the link it came from, and the part taken."""

    generation_id: str
    url: str | None = None  # the link as given, when it was one
    taken_from: str | None = None  # e.g. "query parameter 'id'" or "last path segment"

    def to_user(self) -> dict:
        """The report's ``user`` fields: ``generation_id`` and, for a link, where it came from."""
        out = {"generation_id": self.generation_id}
        if self.url:
            out["generation_url"] = self.url
            out["generation_id_from"] = self.taken_from
        return out


def parse_generation_ref(value: str | None) -> GenerationRef | None:
    """The generation ID in ``value`` (an ID, or a share link / URL holding one).

    Returns None for None or an empty value. A link in which no ID-like part is found keeps
    the whole link as the ID (``taken_from`` says so) rather than guessing.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _looks_like_link(text):
        return GenerationRef(text)
    parts = urlsplit(text if "://" in text else "https://" + text)
    fragment_query = parts.fragment.split("?", 1)[-1]  # "#/result?taskId=..." (app routes)
    for source, query in (("query", parts.query), ("fragment", fragment_query)):
        params = {k.lower(): v for k, v in parse_qsl(query, keep_blank_values=False)}
        for name in ID_PARAMS:
            if params.get(name, "").strip():
                return GenerationRef(params[name].strip(), text,
                                     f"{source} parameter '{name}'")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    for i in range(len(segments) - 1, -1, -1):
        seg = _EXT.sub("", segments[i])
        if _is_id(seg):
            where = "last path segment" if i == len(segments) - 1 else f"path segment {i + 1}"
            return GenerationRef(seg, text, f"{where} ('/{segments[i]}')")
    return GenerationRef(text, text, "no ID-like part found: the whole link is used")


def _looks_like_link(text: str) -> bool:
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        return True
    # "www.site.com/..." or "site.com/..." without a scheme
    return bool(re.match(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+/", text, re.I))


def _is_id(segment: str) -> bool:
    if not segment or segment.lower() in PATH_WORDS:
        return False
    if _UUID.match(segment):
        return True
    return bool(_TOKEN.match(segment)) and any(c.isdigit() for c in segment)
