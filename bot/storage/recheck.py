"""Queries for re-checks: which verified quotes are due, and recording what a re-check found.

Tables from m002 (submissions, checks) and m005 (rechecks, the 'source_changed' status).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

import sqlite_utils

from bot.storage.log import Status, Submission, VerdictName, iso

RecheckOutcome = Literal[
    "unchanged",  # the source's bytes are as they were: nothing to judge again
    "rechecked",  # the source changed and still carries the quote
    "source_changed",  # the source changed and no longer carries the quote as verified
    "archived",  # the source died or blocks us; its archived copy was checked instead
    "gone",  # the source died and no archived copy could be had
    "unreachable",  # the source could not be read this time (blocked, down); try again later
    "skipped",  # nothing to re-fetch (text supplied by hand, no stored result)
    "failed",  # the re-check itself raised
]


@dataclass(frozen=True)
class LastCheck:
    id: int
    finished_at: str
    input: dict[str, Any]
    result: dict[str, Any]


@dataclass(frozen=True)
class RecheckRecord:
    id: int
    submission_id: int
    checked_at: str
    outcome: RecheckOutcome
    old_sha256: str | None
    new_sha256: str | None
    check_id: int | None
    message: str


class RecheckStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._conn: sqlite3.Connection = db.conn

    def due(self, *, before: float | None, limit: int | None = None) -> list[int]:
        """Ids of verified submissions last looked at (checked or re-checked) before ``before``
        (epoch seconds; None: all of them), the longest-unseen first."""
        cutoff = "9999" if before is None else iso(before)
        rows = self._conn.execute(
            """SELECT id FROM (
                   SELECT s.id,
                          MAX(COALESCE((SELECT MAX(c.finished_at) FROM checks c
                                         WHERE c.submission_id = s.id
                                           AND c.outcome IN ('done', 'failed')), ''),
                              COALESCE((SELECT MAX(r.checked_at) FROM rechecks r
                                         WHERE r.submission_id = s.id), '')) AS seen
                     FROM submissions s WHERE s.status = 'verified')
                WHERE seen < ? ORDER BY seen, id LIMIT ?""",
            (cutoff, -1 if limit is None else limit),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def last_done_check(self, submission_id: int) -> LastCheck | None:
        row = self._conn.execute(
            """SELECT id, finished_at, input_json, result_json FROM checks
                WHERE submission_id = ? AND outcome = 'done' AND result_json IS NOT NULL
                ORDER BY id DESC LIMIT 1""",
            (submission_id,),
        ).fetchone()
        if row is None:
            return None
        return LastCheck(int(row[0]), str(row[1]), json.loads(row[2]), json.loads(row[3]))

    def record(
        self,
        submission: Submission,
        *,
        outcome: RecheckOutcome,
        at: float,
        old_sha256: str | None,
        new_sha256: str | None,
        message: str = "",
        check: tuple[VerdictName, dict[str, Any], dict[str, Any], str] | None = None,
        new_status: Status | None = None,
    ) -> bool:
        """Log a re-check; with ``check`` (verdict, input, result, engine version) also store it as
        a new check and set ``new_status``, all in one commit.

        Returns False (and stores nothing) when the submission changed meanwhile: edited, sent
        for checking again or withdrawn; the re-check no longer applies.
        """
        with self._conn:
            current = self._conn.execute(
                "SELECT status, revision FROM submissions WHERE id = ?", (submission.id,)
            ).fetchone()
            if current is None or tuple(current) != (submission.status, submission.revision):
                return False
            check_id = None
            if check is not None:
                verdict, input_json, result_json, engine = check
                cur = self._conn.execute(
                    """INSERT INTO checks (submission_id, revision, started_at, finished_at,
                              outcome, verdict, input_json, result_json, engine_version)
                       VALUES (?, ?, ?, ?, 'done', ?, ?, ?, ?)""",
                    (
                        submission.id,
                        submission.revision,
                        iso(at),
                        iso(at),
                        verdict,
                        json.dumps(input_json, ensure_ascii=False, sort_keys=True),
                        json.dumps(result_json, ensure_ascii=False, sort_keys=True),
                        engine,
                    ),
                )
                check_id = cur.lastrowid
            if new_status is not None and new_status != submission.status:
                self._conn.execute(
                    "UPDATE submissions SET status = ?, updated_at = ? WHERE id = ?",
                    (new_status, iso(at), submission.id),
                )
            self._conn.execute(
                """INSERT INTO rechecks (submission_id, checked_at, outcome, old_sha256,
                          new_sha256, check_id, message) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (submission.id, iso(at), outcome, old_sha256, new_sha256, check_id, message),
            )
        return True

    def rechecks_for(self, submission_id: int) -> list[RecheckRecord]:
        rows = self._conn.execute(
            """SELECT id, submission_id, checked_at, outcome, old_sha256, new_sha256, check_id,
                      message FROM rechecks WHERE submission_id = ? ORDER BY id""",
            (submission_id,),
        ).fetchall()
        return [RecheckRecord(*row) for row in rows]
