"""Model calls counted per UTC day, so the daily budget holds across restarts."""

from __future__ import annotations

import sqlite_utils


class LlmBudgetStore:
    """One row per UTC day (``YYYY-MM-DD``) with the number of model requests sent that day."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def used(self, day: str) -> int:
        row = self._db.execute("SELECT calls FROM llm_calls WHERE day = ?", [day]).fetchone()
        return int(row[0]) if row else 0

    def try_spend(self, day: str, limit: int) -> bool:
        """Count one call on ``day`` unless ``limit`` (0 = none) is reached; one atomic statement."""
        with self._db.conn:
            cursor = self._db.execute(
                "INSERT INTO llm_calls (day, calls) VALUES (?, 1) "
                "ON CONFLICT (day) DO UPDATE SET calls = calls + 1 WHERE ? = 0 OR calls < ?",
                [day, limit, limit],
            )
        return int(cursor.rowcount) == 1
