"""Reading the history back: runs newest first, with filters, each with its checks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from .store import RUN_COLUMNS


@dataclass(frozen=True)
class Filters:
    """What ``ava-detect history`` (and the dashboard) may narrow the runs to.

    ``platform`` matches case-insensitively; ``mode`` keeps runs where that check was measured
    (not skipped), and with ``verdict`` the verdict is that check's status (``fail``: the hand
    check failed); without ``mode``, ``verdict`` is the clip's verdict. ``since`` and ``until``
    are ISO dates or times (UTC; a date alone covers that whole day); ``text`` is found in the
    prompt, case-insensitively. ``limit`` None means all.
    """

    platform: str | None = None
    mode: str | None = None
    verdict: str | None = None
    since: str | None = None
    until: str | None = None
    text: str | None = None
    limit: int | None = None


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if filters.platform:
        clauses.append("lower(r.platform) = lower(?)")
        args.append(filters.platform)
    if filters.mode:
        status = "c.status = ?" if filters.verdict else "c.status NOT IN ('skipped')"
        clauses.append(
            f"EXISTS (SELECT 1 FROM checks c WHERE c.run_id = r.id AND c.mode = ? AND {status})"
        )
        args.append(filters.mode)
        if filters.verdict:
            args.append(filters.verdict)
    elif filters.verdict:
        clauses.append("r.verdict = ?")
        args.append(filters.verdict)
    if filters.since:
        clauses.append("r.analysed_at >= ?")
        args.append(filters.since)
    if filters.until:
        until = filters.until + ("T99" if "T" not in filters.until else "")  # whole last day
        clauses.append("r.analysed_at <= ?")
        args.append(until)
    if filters.text:
        clauses.append("instr(lower(coalesce(r.prompt, '')), lower(?)) > 0")
        args.append(filters.text)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def list_runs(conn: sqlite3.Connection, filters: Filters | None = None) -> list[dict[str, Any]]:
    """Runs matching ``filters``, newest first (by analysis time, then by insertion).

    Each is a dict of the ``runs`` columns plus ``id`` and ``checks``: {mode: {status, reason,
    first_s, kinds (list)}}.
    """
    filters = filters or Filters()
    where, args = _where(filters)
    limit = f" LIMIT {int(filters.limit)}" if filters.limit else ""
    rows = conn.execute(
        f"SELECT r.id, {', '.join('r.' + c for c in RUN_COLUMNS)} FROM runs r{where} "
        f"ORDER BY r.analysed_at DESC, r.id DESC{limit}",
        args,
    ).fetchall()
    runs = [dict(zip(("id", *RUN_COLUMNS), row, strict=True)) for row in rows]
    by_id = {run["id"]: run for run in runs}
    for run in runs:
        run["checks"] = {}
    for chunk in _chunks(list(by_id), 500):
        marks = ", ".join("?" * len(chunk))
        for run_id, mode, status, reason, first_s, kinds in conn.execute(
            "SELECT run_id, mode, status, reason, first_s, kinds FROM checks "
            f"WHERE run_id IN ({marks}) ORDER BY run_id, mode",
            chunk,
        ):
            by_id[run_id]["checks"][mode] = {
                "status": status,
                "reason": reason,
                "first_s": first_s,
                "kinds": kinds.split(",") if kinds else [],
            }
    return runs


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def kind_counts(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(mode, kind, number of findings) over the whole history, most frequent first."""
    return [
        (mode, kind, int(n))
        for mode, kind, n in conn.execute(
            "SELECT mode, kind, count(*) AS n FROM findings GROUP BY mode, kind "
            "ORDER BY n DESC, mode, kind"
        )
    ]


def count_runs(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
