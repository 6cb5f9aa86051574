"""The bot's record of submissions, checks, votes, replies and moderation: every query in one place.

Writes are short transactions on the shared connection; callers pass the time (``at``, epoch
seconds) so one injected clock drives both the service's rules and what is stored.
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import sqlite_utils

Status = Literal[
    "queued", "checking", "verified", "disputed", "unverifiable", "withdrawn", "source_changed"
]
VerdictName = Literal["verified", "disputed", "unverifiable"]
VoteChoice = Literal["accurate", "inaccurate"]
ModAction = Literal["approve", "reject", "override", "reverify"]
CheckOutcome = Literal["running", "done", "failed", "interrupted", "superseded"]
UnparsedReason = Literal["unreadable", "cooldown", "duplicate"]

STATUSES: tuple[Status, ...] = (
    "queued",
    "checking",
    "verified",
    "disputed",
    "unverifiable",
    "withdrawn",
    "source_changed",  # was verified; a re-check found the source no longer carries the quote
)
VERDICTS: tuple[VerdictName, ...] = ("verified", "disputed", "unverifiable")
VOTE_CHOICES: tuple[VoteChoice, ...] = ("accurate", "inaccurate")


def iso(at: float) -> str:
    """Epoch seconds as fixed-width ISO-8601 UTC text, so text order is time order."""
    return _dt.datetime.fromtimestamp(at, _dt.UTC).isoformat(timespec="microseconds")


def epoch(text: str) -> float:
    return _dt.datetime.fromisoformat(text).timestamp()


@dataclass(frozen=True)
class NewSubmission:
    guild_id: int
    channel_id: int
    message_id: int
    author_id: int
    quote: str
    url: str
    url_key: str
    person: str | None = None
    person_role: str | None = None
    year: int | None = None
    statement_id: int | None = None
    stance: str | None = None
    raw_text: str = ""
    thread_id: int | None = None


@dataclass(frozen=True)
class Submission:
    id: int
    guild_id: int
    channel_id: int
    message_id: int
    thread_id: int | None
    author_id: int
    quote: str
    person: str | None
    person_role: str | None
    url: str
    url_key: str
    year: int | None
    statement_id: int | None
    statement: str | None
    stance: str | None
    status: Status
    bot_verdict: VerdictName | None
    human_verdict: VerdictName | None
    revision: int
    created_at: str
    updated_at: str
    raw_text: str

    @property
    def effective_verdict(self) -> VerdictName | None:
        """A moderator's verdict always wins over the bot's."""
        return self.human_verdict or self.bot_verdict


@dataclass(frozen=True)
class Statement:
    id: int
    guild_id: int | None
    text: str
    created_by: int | None
    created_at: str


@dataclass(frozen=True)
class CheckRecord:
    id: int
    submission_id: int
    revision: int
    started_at: str
    finished_at: str | None
    outcome: CheckOutcome
    verdict: VerdictName | None
    input: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    engine_version: str


@dataclass(frozen=True)
class VoteEvent:
    id: int
    submission_id: int
    member_id: int
    choice: VoteChoice | None  # None: the member took the vote back
    previous_choice: VoteChoice | None
    created_at: str


@dataclass(frozen=True)
class Tally:
    accurate: int = 0
    inaccurate: int = 0

    @property
    def total(self) -> int:
        return self.accurate + self.inaccurate


@dataclass(frozen=True)
class ModActionRecord:
    id: int
    submission_id: int
    moderator_id: int
    action: ModAction
    reason: str | None
    verdict: VerdictName | None
    bot_verdict: VerdictName | None
    created_at: str


@dataclass(frozen=True)
class SubmissionEvent:
    id: int
    submission_id: int
    kind: Literal["edited", "withdrawn"]
    actor_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: str


@dataclass(frozen=True)
class Reply:
    id: int
    submission_id: int | None
    channel_id: int
    message_id: int
    author_id: int | None
    from_bot: bool
    kind: str
    content: str
    embed: dict[str, Any] | None
    created_at: str


@dataclass(frozen=True)
class UnparsedPost:
    id: int
    guild_id: int | None
    channel_id: int
    message_id: int
    author_id: int
    reason: UnparsedReason
    duplicate_of: int | None
    raw_text: str
    problems: list[str]
    created_at: str


# Editable submission columns (an edit changes these and bumps the revision).
EDITABLE_FIELDS = (
    "quote",
    "person",
    "person_role",
    "url",
    "url_key",
    "year",
    "statement_id",
    "stance",
)

_SUBMISSION_SELECT = """
SELECT s.*, st.text AS statement,
       (SELECT c.verdict FROM checks c
         WHERE c.submission_id = s.id AND c.outcome IN ('done', 'failed')
         ORDER BY c.id DESC LIMIT 1) AS bot_verdict
  FROM submissions s LEFT JOIN statements st ON st.id = s.statement_id
"""


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Store:
    """Typed access to the submission log tables (created by migration m002)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._conn: sqlite3.Connection = db.conn

    # -- plumbing ------------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self._conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _row(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _insert(self, table: str, values: dict[str, Any]) -> int:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self._conn.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values())
        )
        return int(cur.lastrowid or 0)

    # -- statements ----------------------------------------------------------------------------

    def statement_for(
        self, guild_id: int | None, text: str, created_by: int | None, at: float
    ) -> Statement:
        """The statement with this text (case and spacing ignored), created on first use."""
        key = " ".join(text.casefold().split())
        with self._conn:
            self._conn.execute(
                "INSERT OR IGNORE INTO statements (guild_id, text, text_key, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (guild_id, " ".join(text.split()), key, created_by, iso(at)),
            )
        row = self._row(
            "SELECT id, guild_id, text, created_by, created_at FROM statements"
            " WHERE guild_id IS ? AND text_key = ? ORDER BY id LIMIT 1",
            (guild_id, key),
        )
        assert row is not None
        return Statement(**row)

    def get_statement(self, statement_id: int) -> Statement | None:
        row = self._row(
            "SELECT id, guild_id, text, created_by, created_at FROM statements WHERE id = ?",
            (statement_id,),
        )
        return Statement(**row) if row else None

    # -- submissions ---------------------------------------------------------------------------

    @staticmethod
    def _submission(row: dict[str, Any]) -> Submission:
        return Submission(**row)

    def add_submission(self, new: NewSubmission, at: float) -> Submission:
        values = {k: getattr(new, k) for k in NewSubmission.__dataclass_fields__}
        values.update(status="queued", created_at=iso(at), updated_at=iso(at))
        with self._conn:
            submission_id = self._insert("submissions", values)
        sub = self.get_submission(submission_id)
        assert sub is not None
        return sub

    def get_submission(self, submission_id: int) -> Submission | None:
        row = self._row(_SUBMISSION_SELECT + " WHERE s.id = ?", (submission_id,))
        return self._submission(row) if row else None

    def submission_by_message(self, channel_id: int, message_id: int) -> Submission | None:
        row = self._row(
            _SUBMISSION_SELECT + " WHERE s.channel_id = ? AND s.message_id = ?",
            (channel_id, message_id),
        )
        return self._submission(row) if row else None

    def submission_by_thread(self, thread_id: int) -> Submission | None:
        row = self._row(
            _SUBMISSION_SELECT + " WHERE s.thread_id = ? ORDER BY s.id LIMIT 1", (thread_id,)
        )
        return self._submission(row) if row else None

    def submissions_with_status(self, statuses: Iterable[Status]) -> list[Submission]:
        wanted = list(statuses)
        marks = ", ".join("?" for _ in wanted)
        rows = self._rows(
            _SUBMISSION_SELECT + f" WHERE s.status IN ({marks}) ORDER BY s.id", wanted
        )
        return [self._submission(r) for r in rows]

    def live_submissions_for_url(self, guild_id: int, url_key: str) -> list[Submission]:
        """Earlier submissions of the same source in the guild (withdrawn ones excluded)."""
        rows = self._rows(
            _SUBMISSION_SELECT
            + " WHERE s.guild_id = ? AND s.url_key = ? AND s.status != 'withdrawn'"
            " ORDER BY s.id",
            (guild_id, url_key),
        )
        return [self._submission(r) for r in rows]

    def last_submission_time(self, guild_id: int, author_id: int) -> float | None:
        row = self._row(
            "SELECT MAX(created_at) AS last FROM submissions WHERE guild_id = ? AND author_id = ?",
            (guild_id, author_id),
        )
        return epoch(row["last"]) if row and row["last"] else None

    def set_status(self, submission_id: int, status: Status, at: float) -> None:
        with self._conn:
            self._conn.execute(
                "UPDATE submissions SET status = ?, updated_at = ? WHERE id = ?",
                (status, iso(at), submission_id),
            )

    def set_thread(self, submission_id: int, thread_id: int | None, at: float) -> None:
        with self._conn:
            self._conn.execute(
                "UPDATE submissions SET thread_id = ?, updated_at = ? WHERE id = ?",
                (thread_id, iso(at), submission_id),
            )

    def requeue(self, submission_id: int, at: float) -> Submission:
        """Ask for a new check: a new revision, so a check still running for the old one is void."""
        with self._conn:
            self._conn.execute(
                "UPDATE submissions SET status = 'queued', revision = revision + 1, updated_at = ?"
                " WHERE id = ?",
                (iso(at), submission_id),
            )
        sub = self.get_submission(submission_id)
        assert sub is not None
        return sub

    def edit_submission(
        self,
        submission_id: int,
        changes: dict[str, Any],
        *,
        recheck: bool,
        raw_text: str | None,
        actor_id: int | None,
        at: float,
    ) -> Submission:
        """Apply ``changes`` (EDITABLE_FIELDS), log before/after; ``recheck`` queues a new revision."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        before_row = self._row("SELECT * FROM submissions WHERE id = ?", (submission_id,))
        if before_row is None:
            raise KeyError(submission_id)
        before = {k: before_row[k] for k in changes}
        after = dict(changes)
        if raw_text is not None and raw_text != before_row["raw_text"]:
            before["raw_text"], after["raw_text"] = before_row["raw_text"], raw_text
        sets = [f"{k} = ?" for k in changes]
        params: list[Any] = list(changes.values())
        if raw_text is not None:
            sets.append("raw_text = ?")
            params.append(raw_text)
        if recheck:
            # A moderator ruled on the old words, not on these: the ruling does not carry over.
            sets.append("status = 'queued', revision = revision + 1, human_verdict = NULL")
            if before_row["human_verdict"] is not None:
                before["human_verdict"], after["human_verdict"] = before_row["human_verdict"], None
        sets.append("updated_at = ?")
        params.extend([iso(at), submission_id])
        with self._conn:
            self._conn.execute(f"UPDATE submissions SET {', '.join(sets)} WHERE id = ?", params)
            self._insert(
                "submission_events",
                {
                    "submission_id": submission_id,
                    "kind": "edited",
                    "actor_id": actor_id,
                    "before_json": _dumps(before),
                    "after_json": _dumps(after),
                    "created_at": iso(at),
                },
            )
        sub = self.get_submission(submission_id)
        assert sub is not None
        return sub

    def withdraw(self, submission_id: int, actor_id: int | None, at: float) -> Submission:
        with self._conn:
            row = self._row("SELECT status FROM submissions WHERE id = ?", (submission_id,))
            if row is None:
                raise KeyError(submission_id)
            self._conn.execute(
                "UPDATE submissions SET status = 'withdrawn', updated_at = ? WHERE id = ?",
                (iso(at), submission_id),
            )
            self._insert(
                "submission_events",
                {
                    "submission_id": submission_id,
                    "kind": "withdrawn",
                    "actor_id": actor_id,
                    "before_json": _dumps({"status": row["status"]}),
                    "after_json": _dumps({"status": "withdrawn"}),
                    "created_at": iso(at),
                },
            )
        sub = self.get_submission(submission_id)
        assert sub is not None
        return sub

    def submission_events(self, submission_id: int) -> list[SubmissionEvent]:
        rows = self._rows(
            "SELECT * FROM submission_events WHERE submission_id = ? ORDER BY id", (submission_id,)
        )
        return [
            SubmissionEvent(
                id=r["id"],
                submission_id=r["submission_id"],
                kind=r["kind"],
                actor_id=r["actor_id"],
                before=_loads(r["before_json"]),
                after=_loads(r["after_json"]),
                created_at=r["created_at"],
            )
            for r in rows
        ]

    # -- checks --------------------------------------------------------------------------------

    def start_check(
        self,
        submission_id: int,
        revision: int,
        input_json: dict[str, Any],
        engine_version: str,
        at: float,
    ) -> int:
        """Record a check as running and the submission as being checked, in one commit."""
        with self._conn:
            self._conn.execute(
                "UPDATE submissions SET status = 'checking', updated_at = ? WHERE id = ?",
                (iso(at), submission_id),
            )
            return self._insert(
                "checks",
                {
                    "submission_id": submission_id,
                    "revision": revision,
                    "started_at": iso(at),
                    "outcome": "running",
                    "input_json": _dumps(input_json),
                    "engine_version": engine_version,
                },
            )

    def finish_check(
        self,
        check_id: int,
        *,
        outcome: CheckOutcome,
        verdict: VerdictName | None,
        result_json: dict[str, Any] | None,
        error: str | None,
        at: float,
        set_status: Status | None = None,
    ) -> None:
        """Store a check's result and, when it is the current one, the submission's new status."""
        with self._conn:
            self._conn.execute(
                "UPDATE checks SET finished_at = ?, outcome = ?, verdict = ?, result_json = ?,"
                " error = ? WHERE id = ?",
                (
                    iso(at),
                    outcome,
                    verdict,
                    None if result_json is None else _dumps(result_json),
                    error,
                    check_id,
                ),
            )
            if set_status is not None:
                self._conn.execute(
                    "UPDATE submissions SET status = ?, updated_at = ?"
                    " WHERE id = (SELECT submission_id FROM checks WHERE id = ?)",
                    (set_status, iso(at), check_id),
                )

    def interrupt_running_checks(self, at: float) -> int:
        """Close checks a stopped process left running; their submissions go back to the queue."""
        with self._conn:
            cur = self._conn.execute(
                "UPDATE checks SET outcome = 'interrupted', finished_at = ?,"
                " error = 'interrupted: the bot stopped during the check' WHERE outcome = 'running'",
                (iso(at),),
            )
            self._conn.execute(
                "UPDATE submissions SET status = 'queued', updated_at = ? WHERE status = 'checking'",
                (iso(at),),
            )
        return cur.rowcount

    def checks_for(self, submission_id: int) -> list[CheckRecord]:
        rows = self._rows(
            "SELECT * FROM checks WHERE submission_id = ? ORDER BY id", (submission_id,)
        )
        return [
            CheckRecord(
                id=r["id"],
                submission_id=r["submission_id"],
                revision=r["revision"],
                started_at=r["started_at"],
                finished_at=r["finished_at"],
                outcome=r["outcome"],
                verdict=r["verdict"],
                input=_loads(r["input_json"]),
                result=_loads(r["result_json"]),
                error=r["error"],
                engine_version=r["engine_version"],
            )
            for r in rows
        ]

    # -- votes ---------------------------------------------------------------------------------

    def set_vote(
        self, submission_id: int, member_id: int, choice: VoteChoice | None, at: float
    ) -> VoteChoice | None:
        """Set (or with None, remove) a member's vote; log the change. Returns the previous vote."""
        with self._conn:
            row = self._row(
                "SELECT choice FROM votes WHERE submission_id = ? AND member_id = ?",
                (submission_id, member_id),
            )
            previous = cast(VoteChoice | None, row["choice"] if row else None)
            if previous == choice:
                return previous
            if choice is None:
                self._conn.execute(
                    "DELETE FROM votes WHERE submission_id = ? AND member_id = ?",
                    (submission_id, member_id),
                )
            else:
                self._conn.execute(
                    "INSERT INTO votes (submission_id, member_id, choice, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (submission_id, member_id)"
                    " DO UPDATE SET choice = excluded.choice, updated_at = excluded.updated_at",
                    (submission_id, member_id, choice, iso(at), iso(at)),
                )
            self._insert(
                "vote_events",
                {
                    "submission_id": submission_id,
                    "member_id": member_id,
                    "choice": choice,
                    "previous_choice": previous,
                    "created_at": iso(at),
                },
            )
        return previous

    def tally(self, submission_id: int) -> Tally:
        counts = {
            r["choice"]: r["n"]
            for r in self._rows(
                "SELECT choice, COUNT(*) AS n FROM votes WHERE submission_id = ? GROUP BY choice",
                (submission_id,),
            )
        }
        return Tally(accurate=counts.get("accurate", 0), inaccurate=counts.get("inaccurate", 0))

    def vote_events(self, submission_id: int) -> list[VoteEvent]:
        rows = self._rows(
            "SELECT * FROM vote_events WHERE submission_id = ? ORDER BY id", (submission_id,)
        )
        return [VoteEvent(**r) for r in rows]

    def current_votes(self, submission_id: int) -> dict[int, VoteChoice]:
        rows = self._rows(
            "SELECT member_id, choice FROM votes WHERE submission_id = ?", (submission_id,)
        )
        return {r["member_id"]: r["choice"] for r in rows}

    # -- replies -------------------------------------------------------------------------------

    def add_reply(
        self,
        *,
        submission_id: int | None,
        channel_id: int,
        message_id: int,
        kind: str,
        content: str,
        embed: dict[str, Any] | None,
        author_id: int | None,
        from_bot: bool,
        at: float,
    ) -> int:
        with self._conn:
            return self._insert(
                "replies",
                {
                    "submission_id": submission_id,
                    "channel_id": channel_id,
                    "message_id": message_id,
                    "author_id": author_id,
                    "from_bot": int(from_bot),
                    "kind": kind,
                    "content": content,
                    "embed_json": None if embed is None else _dumps(embed),
                    "created_at": iso(at),
                },
            )

    def replies_for(self, submission_id: int) -> list[Reply]:
        rows = self._rows(
            "SELECT * FROM replies WHERE submission_id = ? ORDER BY id", (submission_id,)
        )
        return [
            Reply(
                id=r["id"],
                submission_id=r["submission_id"],
                channel_id=r["channel_id"],
                message_id=r["message_id"],
                author_id=r["author_id"],
                from_bot=bool(r["from_bot"]),
                kind=r["kind"],
                content=r["content"],
                embed=_loads(r["embed_json"]),
                created_at=r["created_at"],
            )
            for r in rows
        ]

    # -- moderation ----------------------------------------------------------------------------

    def add_mod_action(
        self,
        *,
        submission_id: int,
        moderator_id: int,
        action: ModAction,
        reason: str | None,
        verdict: VerdictName | None,
        bot_verdict: VerdictName | None,
        at: float,
    ) -> int:
        """Log a moderator's action; a verdict given becomes the submission's human verdict."""
        with self._conn:
            action_id = self._insert(
                "mod_actions",
                {
                    "submission_id": submission_id,
                    "moderator_id": moderator_id,
                    "action": action,
                    "reason": reason,
                    "verdict": verdict,
                    "bot_verdict": bot_verdict,
                    "created_at": iso(at),
                },
            )
            if verdict is not None:
                self._conn.execute(
                    "UPDATE submissions SET human_verdict = ?, updated_at = ? WHERE id = ?",
                    (verdict, iso(at), submission_id),
                )
        return action_id

    def mod_actions_for(self, submission_id: int) -> list[ModActionRecord]:
        rows = self._rows(
            "SELECT * FROM mod_actions WHERE submission_id = ? ORDER BY id", (submission_id,)
        )
        return [ModActionRecord(**r) for r in rows]

    # -- posts that did not become submissions -------------------------------------------------

    def add_unparsed(
        self,
        *,
        guild_id: int | None,
        channel_id: int,
        message_id: int,
        author_id: int,
        raw_text: str,
        problems: list[str],
        reason: UnparsedReason,
        duplicate_of: int | None,
        at: float,
    ) -> int:
        with self._conn:
            return self._insert(
                "unparsed_posts",
                {
                    "guild_id": guild_id,
                    "channel_id": channel_id,
                    "message_id": message_id,
                    "author_id": author_id,
                    "reason": reason,
                    "duplicate_of": duplicate_of,
                    "raw_text": raw_text,
                    "problems_json": _dumps(problems),
                    "created_at": iso(at),
                },
            )

    def unparsed_posts(self, channel_id: int | None = None) -> list[UnparsedPost]:
        if channel_id is None:
            rows = self._rows("SELECT * FROM unparsed_posts ORDER BY id")
        else:
            rows = self._rows(
                "SELECT * FROM unparsed_posts WHERE channel_id = ? ORDER BY id", (channel_id,)
            )
        return [
            UnparsedPost(
                id=r["id"],
                guild_id=r["guild_id"],
                channel_id=r["channel_id"],
                message_id=r["message_id"],
                author_id=r["author_id"],
                reason=r["reason"],
                duplicate_of=r["duplicate_of"],
                raw_text=r["raw_text"],
                problems=_loads(r["problems_json"]),
                created_at=r["created_at"],
            )
            for r in rows
        ]

    # -- reports -------------------------------------------------------------------------------

    def status_counts(self, guild_id: int | None = None) -> dict[Status, int]:
        rows = self._rows(
            "SELECT status, COUNT(*) AS n FROM submissions WHERE ? IS NULL OR guild_id = ?"
            " GROUP BY status",
            (guild_id, guild_id),
        )
        found = {r["status"]: r["n"] for r in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    def count(
        self, table: Literal["checks", "unparsed_posts", "vote_events", "mod_actions"]
    ) -> int:
        row = self._row(f"SELECT COUNT(*) AS n FROM {table}")
        return int(row["n"]) if row else 0

    def latest_decisions(self, guild_id: int | None = None) -> list[tuple[str | None, str]]:
        """(bot verdict when decided, moderator's verdict) for each submission's latest decision."""
        rows = self._rows(
            """SELECT m.bot_verdict, m.verdict FROM mod_actions m
                 JOIN submissions s ON s.id = m.submission_id
                WHERE m.verdict IS NOT NULL AND (? IS NULL OR s.guild_id = ?)
                  AND m.id = (SELECT MAX(m2.id) FROM mod_actions m2
                               WHERE m2.submission_id = m.submission_id AND m2.verdict IS NOT NULL)
                ORDER BY m.id""",
            (guild_id, guild_id),
        )
        return [(r["bot_verdict"], r["verdict"]) for r in rows]

    def overview_rows(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """One row per submission from the submission_overview view, with its latest result."""
        rows = self._rows(
            """SELECT o.*,
                      (SELECT c.result_json FROM checks c
                        WHERE c.submission_id = o.id AND c.outcome IN ('done', 'failed')
                        ORDER BY c.id DESC LIMIT 1) AS result_json
                 FROM submission_overview o
                WHERE ? IS NULL OR o.guild_id = ? ORDER BY o.id""",
            (guild_id, guild_id),
        )
        for row in rows:
            row["result"] = _loads(row.pop("result_json"))
        return rows
