"""Numbered schema migrations. Append only: a released migration is never edited."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def m001_page_cache(db: sqlite_utils.Database) -> None:
    """Fetched pages, so a source linked by many posts is read once per TTL."""
    db["pages"].create(  # type: ignore[union-attr]
        {
            "url": str,
            "final_url": str,
            "status": int,
            "content_type": str,
            "charset": str,
            "fetched_at": float,
            "sha256": str,
            "text": str,
        },
        pk="url",
    )
    db["pages"].create_index(["fetched_at"])  # type: ignore[union-attr]


_VERDICTS = "('verified', 'disputed', 'unverifiable')"
_VOTE_CHOICES = "('accurate', 'inaccurate')"


def m002_submission_log(db: sqlite_utils.Database) -> None:
    """The bot's record: submissions, every check, vote, reply and moderator action, nothing lost.

    Times are ISO-8601 UTC text (sortable, readable in datasette). Queries live in storage/log.py.
    """
    statements = [
        """CREATE TABLE statements (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER,
            text TEXT NOT NULL,
            text_key TEXT NOT NULL,
            created_by INTEGER,
            created_at TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX statements_by_text ON statements(guild_id, text_key)",
        f"""CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            thread_id INTEGER,
            author_id INTEGER NOT NULL,
            quote TEXT NOT NULL,
            person TEXT,
            person_role TEXT,
            url TEXT NOT NULL,
            url_key TEXT NOT NULL,
            year INTEGER,
            statement_id INTEGER REFERENCES statements(id),
            stance TEXT CHECK (stance IN ('for', 'against', 'abstain')),
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN
                ('queued', 'checking', 'verified', 'disputed', 'unverifiable', 'withdrawn')),
            human_verdict TEXT CHECK (human_verdict IN {_VERDICTS}),
            revision INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            raw_text TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE UNIQUE INDEX submissions_by_message ON submissions(channel_id, message_id)",
        "CREATE INDEX submissions_by_status ON submissions(status)",
        "CREATE INDEX submissions_by_url ON submissions(guild_id, url_key)",
        "CREATE INDEX submissions_by_member ON submissions(guild_id, author_id, created_at)",
        "CREATE INDEX submissions_by_thread ON submissions(thread_id)",
        "CREATE INDEX submissions_by_statement ON submissions(statement_id)",
        """CREATE TABLE submission_events (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            kind TEXT NOT NULL CHECK (kind IN ('edited', 'withdrawn')),
            actor_id INTEGER,
            before_json TEXT,
            after_json TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX submission_events_by_submission ON submission_events(submission_id, id)",
        f"""CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            revision INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT NOT NULL DEFAULT 'running' CHECK (outcome IN
                ('running', 'done', 'failed', 'interrupted', 'superseded')),
            verdict TEXT CHECK (verdict IN {_VERDICTS}),
            input_json TEXT NOT NULL,
            result_json TEXT,
            error TEXT,
            engine_version TEXT NOT NULL
        )""",
        "CREATE INDEX checks_by_submission ON checks(submission_id, id)",
        "CREATE INDEX checks_running ON checks(outcome) WHERE outcome = 'running'",
        f"""CREATE TABLE votes (
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            member_id INTEGER NOT NULL,
            choice TEXT NOT NULL CHECK (choice IN {_VOTE_CHOICES}),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, member_id)
        )""",
        f"""CREATE TABLE vote_events (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            member_id INTEGER NOT NULL,
            choice TEXT CHECK (choice IN {_VOTE_CHOICES}),
            previous_choice TEXT CHECK (previous_choice IN {_VOTE_CHOICES}),
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX vote_events_by_submission ON vote_events(submission_id, id)",
        """CREATE TABLE replies (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER REFERENCES submissions(id),
            channel_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            author_id INTEGER,
            from_bot INTEGER NOT NULL CHECK (from_bot IN (0, 1)),
            kind TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            embed_json TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX replies_by_submission ON replies(submission_id, id)",
        "CREATE INDEX replies_by_message ON replies(channel_id, message_id)",
        f"""CREATE TABLE mod_actions (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            moderator_id INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('approve', 'reject', 'override', 'reverify')),
            reason TEXT,
            verdict TEXT CHECK (verdict IN {_VERDICTS}),
            bot_verdict TEXT CHECK (bot_verdict IN {_VERDICTS}),
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX mod_actions_by_submission ON mod_actions(submission_id, id)",
        """CREATE TABLE unparsed_posts (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER,
            channel_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            author_id INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT 'unreadable'
                CHECK (reason IN ('unreadable', 'cooldown', 'duplicate')),
            duplicate_of INTEGER REFERENCES submissions(id),
            raw_text TEXT NOT NULL,
            problems_json TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX unparsed_posts_by_message ON unparsed_posts(channel_id, message_id)",
        "CREATE INDEX unparsed_posts_by_time ON unparsed_posts(created_at)",
        # One readable row per submission for datasette and exports.
        """CREATE VIEW submission_overview AS
        SELECT s.id, s.guild_id, s.channel_id, s.message_id, s.thread_id, s.author_id,
               s.quote, s.person, s.person_role, s.url, s.year,
               st.text AS statement, s.stance, s.status,
               (SELECT c.verdict FROM checks c
                 WHERE c.submission_id = s.id AND c.outcome IN ('done', 'failed')
                 ORDER BY c.id DESC LIMIT 1) AS bot_verdict,
               s.human_verdict,
               COALESCE(s.human_verdict, (SELECT c.verdict FROM checks c
                 WHERE c.submission_id = s.id AND c.outcome IN ('done', 'failed')
                 ORDER BY c.id DESC LIMIT 1)) AS effective_verdict,
               (SELECT COUNT(*) FROM votes v
                 WHERE v.submission_id = s.id AND v.choice = 'accurate') AS votes_accurate,
               (SELECT COUNT(*) FROM votes v
                 WHERE v.submission_id = s.id AND v.choice = 'inaccurate') AS votes_inaccurate,
               (SELECT COUNT(*) FROM checks c WHERE c.submission_id = s.id) AS checks_run,
               s.created_at, s.updated_at
          FROM submissions s LEFT JOIN statements st ON st.id = s.statement_id""",
    ]
    for sql in statements:
        db.execute(sql)


def m003_llm_budget(db: sqlite_utils.Database) -> None:
    """Model requests per UTC day, so the stance check's daily budget survives restarts."""
    db.execute("CREATE TABLE llm_calls (day TEXT PRIMARY KEY, calls INTEGER NOT NULL DEFAULT 0)")


def m004_page_doc_meta(db: sqlite_utils.Database) -> None:
    """Metadata a document carries in itself (a PDF's title and author), kept with cached pages."""
    db.execute("ALTER TABLE pages ADD COLUMN meta_json TEXT")


_RECHECK_OUTCOMES = (
    "('unchanged', 'rechecked', 'source_changed', 'archived', 'gone', 'unreachable', 'skipped',"
    " 'failed')"
)


def m005_rechecks(db: sqlite_utils.Database) -> None:
    """The 'source_changed' status (a verified quote its source no longer carries) and the log of
    re-checks, one row per look at a verified quote's source.

    SQLite cannot change a CHECK constraint in place, so ``submissions`` is rebuilt by SQLite's
    documented procedure: foreign keys off (``migrate`` turns them back on after the commit), one
    transaction, the same schema text with the one status added, indexes and views recreated,
    then ``foreign_key_check`` before the commit.
    """
    conn = db.conn
    if conn.in_transaction:
        raise RuntimeError("m005 must start outside a transaction (foreign keys cannot be paused)")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    (table_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'submissions'"
    ).fetchone()
    statuses = "'unverifiable', 'withdrawn')"
    if table_sql.count(statuses) != 1 or not table_sql.startswith("CREATE TABLE submissions ("):
        raise RuntimeError("m005: the submissions table is not the one m002 created")
    new_sql = table_sql.replace(statuses, "'unverifiable', 'withdrawn', 'source_changed')").replace(
        "CREATE TABLE submissions (", "CREATE TABLE submissions_new (", 1
    )
    dependants = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
        " (type IN ('index', 'trigger') AND tbl_name = 'submissions') OR type = 'view')"
    ).fetchall()
    for kind, name, _ in dependants:
        if kind == "view":
            conn.execute(f'DROP VIEW "{name}"')
    conn.execute(new_sql)
    conn.execute("INSERT INTO submissions_new SELECT * FROM submissions")
    conn.execute("DROP TABLE submissions")
    conn.execute("ALTER TABLE submissions_new RENAME TO submissions")
    for _, _, sql in sorted(dependants, key=lambda d: d[0] == "view"):
        conn.execute(sql)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"m005: foreign key problems after the rebuild: {problems[:5]}")
    conn.execute(
        f"""CREATE TABLE rechecks (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            checked_at TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN {_RECHECK_OUTCOMES}),
            old_sha256 TEXT,
            new_sha256 TEXT,
            check_id INTEGER REFERENCES checks(id),
            message TEXT NOT NULL DEFAULT ''
        )"""
    )
    conn.execute("CREATE INDEX rechecks_by_submission ON rechecks(submission_id, id)")


def m006_supplied_sources(db: sqlite_utils.Database) -> None:
    """Source files and text supplied with a submission (an attachment, the form, a moderator):
    the file as given and the text read from it, so a restart checks against the same text.
    Queries live in storage/supplied.py."""
    db.execute(
        """CREATE TABLE supplied_sources (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            revision INTEGER NOT NULL,
            url_key TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('attachment', 'modal', 'moderator')),
            supplied_by INTEGER,
            filename TEXT NOT NULL,
            content_type TEXT NOT NULL,
            charset TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            data BLOB NOT NULL,
            text TEXT NOT NULL,
            meta_json TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "CREATE INDEX supplied_sources_by_submission"
        " ON supplied_sources(submission_id, revision, id)"
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    m001_page_cache,
    m002_submission_log,
    m003_llm_budget,
    m004_page_doc_meta,
    m005_rechecks,
    m006_supplied_sources,
]
