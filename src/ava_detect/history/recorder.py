"""Recording analyses into the history without ever stopping one.

:class:`HistoryRecorder` opens the database on the first clip, writes one row per analysed
clip, and turns every problem (a damaged file, a read-only folder, a disk full, a newer
schema) into one warning line; after the first problem it stops trying for the rest of the
run, so a folder of 500 clips prints one warning, not 500.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .rows import rows_from_report
from .store import HistoryError, connect, damaged, insert_run


class HistoryRecorder:
    """Writes analysed clips into the history at ``path``.

    Parameters
    ----------
    path
        The SQLite file (created with its folder when missing).
    warn
        Called with one line when the history cannot be written; the analysis goes on.
    """

    def __init__(self, path: str | os.PathLike, warn: Callable[[str], None]):
        self.path = Path(path)
        self.warn = warn
        self.recorded = 0
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def record(
        self,
        data: dict[str, Any],
        *,
        report_path: str | Path | None,
        pack_path: str | Path | None,
        source: str,
    ) -> int | None:
        """Write one report; its ``runs.id``, or None when the history could not be written."""
        if self._broken:
            return None
        try:
            run, checks, findings = rows_from_report(
                data, report_path=report_path, pack_path=pack_path, source=source
            )
            if self._conn is None:
                self._conn = connect(self.path)
            run_id = insert_run(self._conn, run, checks, findings)
        except HistoryError as exc:
            return self._give_up(str(exc))
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text or "readonly" in text or "full" in text:
                return self._give_up(f"{self.path}: the history cannot be written ({text}).")
            return self._give_up(str(damaged(self.path, exc)))
        except OSError as exc:
            return self._give_up(f"{self.path}: the history cannot be written ({exc}).")
        self.recorded += 1
        return run_id

    def _give_up(self, message: str) -> None:
        self._broken = True
        self.close()
        self.warn(f"{message} The reports are written; this run is not in the history.")
        return None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
