"""Queries for statements and for the verified quotes the positions, the export and the site show.

A quote counts as verified when its effective verdict is "verified" and it is not withdrawn:
a moderator's verdict "verified", or, with no moderator verdict, the bot's latest finished check
said "verified" *for the submission's current revision* (an edited quote waiting for its new check
is not shown with the old check's badge). Withdrawn quotes and quotes whose source no longer
carries them (status ``source_changed``, set by the re-check) are never shown.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from bot.storage.log import Statement, iso

_STATEMENT_COLUMNS = "id, guild_id, text, created_by, created_at"

# The latest decisive check of each submission (the one the bot's verdict comes from) and the
# latest moderator action that gave a verdict (the one the human verdict comes from).
_VERIFIED_SELECT = """
SELECT s.id, s.guild_id, s.channel_id, s.message_id, s.thread_id, s.author_id,
       s.quote, s.person, s.person_role, s.url, s.year, s.statement_id, st.text AS statement,
       s.stance, s.status, s.human_verdict, s.revision, s.created_at, s.updated_at,
       c.id AS check_id, c.revision AS check_revision, c.verdict AS bot_verdict,
       c.started_at AS check_started_at, c.finished_at AS check_finished_at,
       c.outcome AS check_outcome, c.engine_version, c.input_json, c.result_json,
       m.action AS mod_action, m.reason AS mod_reason, m.created_at AS mod_at
  FROM submissions s
  LEFT JOIN statements st ON st.id = s.statement_id
  LEFT JOIN checks c ON c.id = (
        SELECT c2.id FROM checks c2
         WHERE c2.submission_id = s.id AND c2.outcome IN ('done', 'failed')
         ORDER BY c2.id DESC LIMIT 1)
  LEFT JOIN mod_actions m ON m.id = (
        SELECT m2.id FROM mod_actions m2
         WHERE m2.submission_id = s.id AND m2.verdict IS NOT NULL
         ORDER BY m2.id DESC LIMIT 1)
 WHERE s.status NOT IN ('withdrawn', 'source_changed')
   AND (s.human_verdict = 'verified'
        OR (s.human_verdict IS NULL AND c.verdict = 'verified' AND c.revision = s.revision))
"""


class StatementStore:
    """Typed access to the statements table and the verified-quote query."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._conn: sqlite3.Connection = db.conn

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self._conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def insert(
        self, guild_id: int | None, text: str, text_key: str, created_by: int | None, at: float
    ) -> tuple[Statement, bool]:
        """Insert a statement unless one with this key exists; (the statement, whether it is new)."""
        with self._conn:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO statements (guild_id, text, text_key, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (guild_id, text, text_key, created_by, iso(at)),
            )
        created = cur.rowcount == 1
        rows = self._rows(
            f"SELECT {_STATEMENT_COLUMNS} FROM statements"
            " WHERE guild_id IS ? AND text_key = ? ORDER BY id LIMIT 1",
            (guild_id, text_key),
        )
        return Statement(**rows[0]), created

    def get(self, statement_id: int) -> Statement | None:
        rows = self._rows(
            f"SELECT {_STATEMENT_COLUMNS} FROM statements WHERE id = ?", (statement_id,)
        )
        return Statement(**rows[0]) if rows else None

    def in_guild(self, guild_id: int | None) -> list[Statement]:
        """The statements of one guild (``None``: those made outside any guild), oldest first."""
        rows = self._rows(
            f"SELECT {_STATEMENT_COLUMNS} FROM statements WHERE guild_id IS ? ORDER BY id",
            (guild_id,),
        )
        return [Statement(**r) for r in rows]

    def all(self) -> list[Statement]:
        rows = self._rows(f"SELECT {_STATEMENT_COLUMNS} FROM statements ORDER BY id")
        return [Statement(**r) for r in rows]

    def verified_rows(
        self,
        *,
        guild_id: int | None = None,
        statement_id: int | None = None,
        statement_ids: Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Verified, live submissions with their deciding check and moderator action, by id.

        ``guild_id`` None means every guild; ``statement_ids`` limits to those statements.
        """
        sql = _VERIFIED_SELECT
        params: list[Any] = []
        if guild_id is not None:
            sql += " AND s.guild_id = ?"
            params.append(guild_id)
        if statement_id is not None:
            sql += " AND s.statement_id = ?"
            params.append(statement_id)
        if statement_ids is not None:
            wanted = list(statement_ids)
            sql += f" AND s.statement_id IN ({', '.join('?' for _ in wanted)})"
            params.extend(wanted)
        return self._rows(sql + " ORDER BY s.id", params)
