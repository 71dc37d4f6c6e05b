"""The JSON report: serialisation, atomic writing, and a check of the published contract."""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..catalog import CHECK_NAMES, FAILURE_MODES, SEVERITIES
from .model import STATUSES, Report

FLOAT_DECIMALS = 6
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def plain(value: Any) -> Any:
    """Turn numpy scalars/arrays, tuples and non-finite floats into JSON-ready values.

    Floats are rounded to 6 decimals so repeated runs give byte-identical files; NaN and
    infinities become ``null``.
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return round(value, FLOAT_DECIMALS) if math.isfinite(value) else None
    return value


def report_to_json(report: Report) -> str:
    """The report as indented JSON text (UTF-8 safe, newline at the end)."""
    return json.dumps(plain(report.to_dict()), indent=2, ensure_ascii=False) + "\n"


def write_text_atomic(path: str | os.PathLike, text: str | bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``.

    A reader never sees a half-written file, and an interrupted write leaves the old file (or
    nothing) in place.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; reports are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def schema_errors(data: dict) -> list[str]:
    """Where ``data`` breaks the published JSON Schema (:mod:`.schema`), when the
    ``jsonschema`` package is installed (the test extra has it); else no check, an empty list."""
    try:
        import jsonschema
    except ImportError:
        return []
    from .schema import report_schema

    validator = jsonschema.Draft202012Validator(report_schema())
    return [f"schema: {'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:200]}"
            for e in validator.iter_errors(data)]


def contract_errors(data: dict) -> list[str]:
    """Where ``data`` breaks the schema_version 1 contract; an empty list means it conforms."""
    errors: list[str] = []

    def need(obj: Any, key: str, where: str, types: tuple) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            errors.append(f"{where}.{key} missing")
            return None
        if not isinstance(obj[key], types):
            errors.append(f"{where}.{key} has type {type(obj[key]).__name__}")
        return obj[key]

    num = (int, float)
    if data.get("schema_version") != 1:
        errors.append("schema_version is not 1")
    tool = need(data, "tool", "", (dict,))
    if isinstance(tool, dict) and tool.get("name") != "ava-detect":
        errors.append("tool.name is not ava-detect")
    need(tool, "version", "tool", (str,))
    clip = need(data, "clip", "", (dict,))
    need(clip, "path", "clip", (str,))
    need(clip, "sha256", "clip", (str,))
    for key in ("duration_s", "fps"):
        need(clip, key, "clip", num)
    for key in ("width", "height"):
        need(clip, key, "clip", (int,))
    need(clip, "has_audio", "clip", (bool,))
    if data.get("verdict") not in ("pass", "fail", "inconclusive"):
        errors.append(f"verdict {data.get('verdict')!r} not allowed")
    checks = need(data, "checks", "", (dict,)) or {}
    for name in CHECK_NAMES:
        check = need(checks, name, "checks", (dict,))
        if isinstance(check, dict):
            if check.get("status") not in STATUSES:
                errors.append(f"checks.{name}.status {check.get('status')!r} not allowed")
            need(check, "reason", f"checks.{name}", (str, type(None)))
    lipsync = checks.get("lipsync") if isinstance(checks, dict) else None
    for key in ("lag_ms", "confidence"):
        need(lipsync, key, "checks.lipsync", (int, float, type(None)))
    errors += schema_errors(data)
    for i, finding in enumerate(need(data, "findings", "", (list,)) or []):
        where = f"findings[{i}]"
        mode = need(finding, "mode", where, (str,))
        if mode not in FAILURE_MODES:
            errors.append(f"{where}.mode {mode!r} not allowed")
        elif finding.get("technical_term") != FAILURE_MODES[mode].technical_term:
            errors.append(f"{where}.technical_term is not the verbatim term")
        need(finding, "kind", where, (str,))
        for key in ("first_s", "start_s", "end_s", "confidence"):
            need(finding, key, where, num)
        if finding.get("severity") not in SEVERITIES:
            errors.append(f"{where}.severity not allowed")
        need(finding, "measured", where, (dict,))
        need(finding, "threshold", where, (dict,))
        for j, ev in enumerate(need(finding, "evidence", where, (list,)) or []):
            need(ev, "t_s", f"{where}.evidence[{j}]", num)
            need(ev, "image", f"{where}.evidence[{j}]", (str, type(None)))
    return errors
