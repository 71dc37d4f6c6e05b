"""The failure history: one SQLite database, the project's only ``sqlite3`` user.

Every analysed clip becomes one row of ``runs`` (what was analysed, when, with which tool and
settings, the user's platform, generation ID and prompt, the verdict, the first failure, the lip
lag, where the report and pack are), one row per check in ``checks`` (status, reason, first
failure time, the finding kinds) and one row per finding in ``findings``.

Concurrency: the database is in WAL mode (readers never block the writer), every connection
waits up to :data:`BUSY_TIMEOUT_S` for a lock, and each clip is written in one ``BEGIN
IMMEDIATE`` transaction, so several ava-detect processes writing at once queue instead of
failing or losing rows. A folder run writes from its parent process only.

The schema is versioned with SQLite's ``user_version``; :data:`MIGRATIONS` lists the steps from
an empty file, each applied in its own transaction. A database made by a newer ava-detect (a
version above the last step known here) is read but never written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# How long a connection waits for another process's write lock before it gives up. A clip's row
# is written in milliseconds; 30 s covers a slow disk with many concurrent ava-detect processes.
BUSY_TIMEOUT_S = 30.0


class HistoryError(Exception):
    """The history database cannot be opened, read or written; ``str()`` is one sentence."""


# Schema steps: MIGRATIONS[i] takes the database from user_version i to i + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,      -- UTC, when this row was written
        analysed_at TEXT,               -- UTC, the report's created_at
        source TEXT NOT NULL,           -- 'clip' (one clip) or 'folder' (a folder run)
        clip_path TEXT NOT NULL,
        clip_sha256 TEXT,
        tool_version TEXT,
        settings_digest TEXT,
        platform TEXT,
        generation_id TEXT,
        prompt TEXT,
        duration_s REAL,
        verdict TEXT,                   -- pass, fail, inconclusive
        first_failure_s REAL,
        lag_ms REAL,
        report_path TEXT,
        pack_path TEXT,
        evidence_image TEXT             -- the first evidence frame of the earliest finding
    );
    CREATE TABLE checks (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        mode TEXT NOT NULL,
        status TEXT,
        reason TEXT,
        first_s REAL,
        kinds TEXT,                     -- the finding kinds, comma-separated, sorted
        PRIMARY KEY (run_id, mode)
    );
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        mode TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT,
        first_s REAL,
        end_s REAL
    );
    CREATE INDEX runs_when ON runs(analysed_at);
    CREATE INDEX checks_mode ON checks(mode, status);
    CREATE INDEX findings_run ON findings(run_id);
    """,
)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def connect(path: str | os.PathLike, *, write: bool = True) -> sqlite3.Connection:
    """Open (and, with ``write``, create and migrate) the history database at ``path``.

    Raises
    ------
    HistoryError
        The file is not an SQLite database (damaged), its folder cannot be made, or it cannot
        be opened; the message names the file and what to do.
    """
    path = Path(path)
    try:
        if write:
            new = not path.exists()
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        elif not path.exists():
            raise HistoryError(f"{path}: no history yet (nothing has been analysed with it).")
        uri = path.resolve().as_uri() + ("" if write else "?mode=ro")
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except OSError as exc:
        reason = exc.strerror or exc
        raise HistoryError(f"{path}: the history cannot be opened ({reason}).") from exc
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: the history cannot be opened ({exc}).") from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if write:
            if new:
                with contextlib.suppress(OSError):
                    path.chmod(0o600)  # prompts are private
            _wal(conn)
            migrate(conn)
        else:
            _check_readable(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise damaged(path, exc) from exc
    except HistoryError:
        conn.close()
        raise
    return conn


def damaged(path: Path, exc: Exception) -> HistoryError:
    return HistoryError(
        f"{path}: the history database is damaged or not a database ({exc}); move it aside "
        f"(mv '{path}' '{path}.bad') and the next analysis starts a new one."
    )


def _wal(conn: sqlite3.Connection) -> None:
    """WAL lets readers and one writer work at once; a filesystem without shared memory
    (some network drives) keeps SQLite's default rollback journal, which still serialises."""
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


def _check_readable(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        raise HistoryError("the file holds no ava-detect history (schema version 0).")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[str] = MIGRATIONS) -> int:
    """Apply the steps the database lacks, each in one transaction; the resulting version.

    Two processes migrating at once are serialised by ``BEGIN IMMEDIATE``: the second sees the
    version the first wrote and applies nothing. A version above ``len(migrations)`` (a newer
    ava-detect) raises :class:`HistoryError` rather than writing rows it may not understand.
    """
    while True:
        version = schema_version(conn)
        if version > len(migrations):
            raise HistoryError(
                f"the history was written by a newer ava-detect (schema {version}, this one "
                f"knows {len(migrations)}); update ava-detect or use --history with another file."
            )
        if version == len(migrations):
            return version
        with transaction(conn):
            if schema_version(conn) != version:
                continue  # another process migrated meanwhile
            for statement in _statements(migrations[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")


def _statements(script: str) -> list[str]:
    lines = [line.split("--")[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` (takes the write lock now, waiting up to the busy timeout) ... COMMIT."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


RUN_COLUMNS: tuple[str, ...] = (
    "recorded_at", "analysed_at", "source", "clip_path", "clip_sha256", "tool_version",
    "settings_digest", "platform", "generation_id", "prompt", "duration_s", "verdict",
    "first_failure_s", "lag_ms", "report_path", "pack_path", "evidence_image",
)  # fmt: skip


def insert_run(
    conn: sqlite3.Connection, run: dict[str, Any], checks: list[dict], findings: list[dict]
) -> int:
    """Write one analysed clip (see :func:`ava_detect.history.rows.rows_from_report`) in one
    transaction; its ``runs.id``."""
    values = {**dict.fromkeys(RUN_COLUMNS), "recorded_at": _now(), **run}
    with transaction(conn):
        cur = conn.execute(
            f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(RUN_COLUMNS))})",
            [values[c] for c in RUN_COLUMNS],
        )
        run_id = int(cur.lastrowid)
        conn.executemany(
            "INSERT INTO checks (run_id, mode, status, reason, first_s, kinds) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, c["mode"], c["status"], c["reason"], c["first_s"], c["kinds"])
             for c in checks],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO findings (run_id, mode, kind, severity, first_s, end_s) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, f["mode"], f["kind"], f["severity"], f["first_s"], f["end_s"])
             for f in findings],
        )  # fmt: skip
    return run_id
