"""The JSON Schema (draft 2020-12) of the report, built from the catalog so it never goes stale.

Outside tools read the report; this is its published contract (``ava-detect schema`` prints
it). Fields are only ever added: objects allow properties beyond those listed, and a new
check or finding kind is a new key, never a renamed one.
"""

from __future__ import annotations

from typing import Any

from ..catalog import CHECK_NAMES, FAILURE_MODES, SEVERITIES
from .model import REQUIRED_DETAILS, SCHEMA_VERSION, STATUSES

SCHEMA_ID = "https://ava-detect.invalid/schema/report-v1.json"

_NUMBER = {"type": "number"}
_SECONDS = {"type": "number", "description": "seconds on the clip's timeline"}
_NULLABLE_NUMBER = {"type": ["number", "null"]}


def _check(name: str) -> dict[str, Any]:
    check: dict[str, Any] = {
        "type": "object",
        "required": ["status", "reason"],
        "properties": {
            "status": {"enum": list(STATUSES)},
            "reason": {"type": ["string", "null"],
                       "description": "why, for every status but pass and fail"},
        },
        "additionalProperties": True,
        "description": f"{FAILURE_MODES[name].plain_name or name}: status, reason and the "
                       "check's own measurements",
    }
    for key in REQUIRED_DETAILS.get(name, ()):  # promised even when not measured (null)
        check["required"].append(key)
        check["properties"][key] = _NULLABLE_NUMBER
    return check


def _finding() -> dict[str, Any]:
    terms = [{"properties": {"mode": {"const": key},
                             "technical_term": {"const": mode.technical_term}}}
             for key, mode in FAILURE_MODES.items()]
    return {
        "type": "object",
        "required": ["mode", "technical_term", "kind", "first_s", "start_s", "end_s",
                     "severity", "confidence", "description", "measured", "threshold",
                     "evidence"],
        "properties": {
            "mode": {"enum": list(FAILURE_MODES)},
            "technical_term": {"type": "string"},
            "kind": {"type": "string"},
            "first_s": _SECONDS,
            "start_s": _SECONDS,
            "end_s": _SECONDS,
            "severity": {"enum": list(SEVERITIES)},
            "confidence": _NUMBER,
            "description": {"type": "string"},
            "track": {"type": ["integer", "null"]},
            "measured": {"type": "object"},
            "threshold": {"type": "object"},
            "evidence": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["t_s", "image"],
                    "properties": {"t_s": _SECONDS, "image": {"type": ["string", "null"]}},
                },
            },
            "evidence_video": {
                "type": ["object", "null"],
                "description": "the finding's evidence clip (mp4), or null when none was made",
                "required": ["file", "source_start_s", "source_end_s", "passes", "has_audio"],
                "properties": {
                    "file": {"type": "string"},
                    "strip": {"type": ["string", "null"]},
                    "source_start_s": _SECONDS,
                    "source_end_s": _SECONDS,
                    "duration_s": _NUMBER,
                    "passes": {"type": "array"},
                    "has_audio": {"type": "boolean"},
                },
            },
        },
        "oneOf": terms,
    }


def report_schema() -> dict[str, Any]:
    """The report's JSON Schema as a dict (dump it with ``json.dumps``)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "ava-detect report",
        "description": "One analysed clip: verdict, per-check status, findings with times and "
                       "measured values. Times are seconds (*_s), durations milliseconds (*_ms).",
        "type": "object",
        "required": ["schema_version", "tool", "created_at", "clip", "user", "verdict",
                     "first_failure_s", "checks", "findings", "analysis", "settings"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "tool": {
                "type": "object",
                "required": ["name", "version"],
                "properties": {"name": {"const": "ava-detect"}, "version": {"type": "string"}},
            },
            "created_at": {"type": "string", "description": "UTC, ISO 8601"},
            "clip": {
                "type": "object",
                "required": ["path", "sha256", "duration_s", "fps", "width", "height",
                             "has_audio"],
                "properties": {
                    "path": {"type": "string"},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "duration_s": _NUMBER,
                    "fps": _NUMBER,
                    "width": {"type": "integer"},
                    "height": {"type": "integer"},
                    "has_audio": {"type": "boolean"},
                },
            },
            "user": {"type": "object"},
            "verdict": {"enum": ["pass", "fail", "inconclusive"]},
            "first_failure_s": _NULLABLE_NUMBER,
            "checks": {
                "type": "object",
                "required": list(CHECK_NAMES),
                "properties": {name: _check(name) for name in CHECK_NAMES},
            },
            "findings": {"type": "array", "items": _finding()},
            "analysis": {"type": "object"},
            "settings": {"type": "object",
                         "properties": {"digest": {"type": "string"}}},
        },
    }
