"""The submission log schema and its queries (bot/storage/log.py, migration m002)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from submissions_support import START, URL

from bot.storage import open_database
from bot.storage.database import schema_version
from bot.storage.log import NewSubmission, Store, Tally, epoch, iso
from bot.storage.migrations import MIGRATIONS

TABLES = {
    "statements",
    "submissions",
    "submission_events",
    "checks",
    "votes",
    "vote_events",
    "replies",
    "mod_actions",
    "unparsed_posts",
}


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_database(tmp_path / "v.db")


@pytest.fixture
def store(db: sqlite_utils.Database) -> Store:
    return Store(db)


def new(message_id: int = 1, author_id: int = 100, **kw: object) -> NewSubmission:
    values: dict[str, object] = {
        "guild_id": 1,
        "channel_id": 10,
        "message_id": message_id,
        "author_id": author_id,
        "quote": "Open models are the bedrock for grassroots innovation in AI.",
        "url": URL,
        "url_key": URL,
        "person": "Ben Brooks",
    }
    values.update(kw)
    return NewSubmission(**values)  # type: ignore[arg-type]


def test_migration_creates_the_log_tables_and_view(db: sqlite_utils.Database) -> None:
    assert set(db.table_names()) >= TABLES
    assert "submission_overview" in db.view_names()
    assert schema_version(db) == len(MIGRATIONS)


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    first = open_database(tmp_path / "v.db")
    Store(first).add_submission(new(), START)
    first.conn.close()
    again = open_database(tmp_path / "v.db")
    assert schema_version(again) == len(MIGRATIONS)
    assert Store(again).get_submission(1) is not None


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.start_check(999, 1, {}, "test", START)
    with pytest.raises(sqlite3.IntegrityError):
        store.set_vote(999, 5, "accurate", START)


def test_status_and_choices_are_constrained(store: Store, db: sqlite_utils.Database) -> None:
    sub = store.add_submission(new(), START)
    with pytest.raises(sqlite3.IntegrityError):
        store.set_status(sub.id, "maybe", START)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.set_vote(sub.id, 5, "sure", START)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.add_mod_action(
            submission_id=sub.id,
            moderator_id=1,
            action="ban",  # type: ignore[arg-type]
            reason=None,
            verdict=None,
            bot_verdict=None,
            at=START,
        )


def test_one_submission_per_message(store: Store) -> None:
    store.add_submission(new(message_id=5), START)
    with pytest.raises(sqlite3.IntegrityError):
        store.add_submission(new(message_id=5), START)


def test_submission_round_trip(store: Store) -> None:
    statement = store.statement_for(1, "Open-source AI is  dangerous", 100, START)
    sub = store.add_submission(
        new(
            person_role="Policy", year=2024, statement_id=statement.id, stance="for", raw_text="raw"
        ),
        START,
    )
    got = store.get_submission(sub.id)
    assert got == sub
    assert got.status == "queued"
    assert got.statement == "Open-source AI is dangerous"
    assert (got.person, got.person_role, got.year, got.stance) == (
        "Ben Brooks",
        "Policy",
        2024,
        "for",
    )
    assert got.created_at == iso(START)
    assert got.bot_verdict is None and got.effective_verdict is None
    assert store.submission_by_message(10, 1) == sub
    assert store.submission_by_message(10, 2) is None


def test_statements_are_shared_ignoring_case_and_spacing(store: Store) -> None:
    a = store.statement_for(1, "Open models are good", 100, START)
    b = store.statement_for(1, "open  MODELS are good", 200, START + 5)
    c = store.statement_for(2, "Open models are good", 200, START)
    assert a.id == b.id != c.id
    assert b.created_by == 100  # the first author keeps the credit
    assert store.get_statement(a.id) == a


def test_check_lifecycle_sets_status_and_bot_verdict(store: Store) -> None:
    sub = store.add_submission(new(), START)
    check_id = store.start_check(sub.id, sub.revision, {"quote": sub.quote}, "0.1.0", START + 1)
    assert store.get_submission(sub.id).status == "checking"
    store.finish_check(
        check_id,
        outcome="done",
        verdict="disputed",
        result_json={"verdict": "disputed"},
        error=None,
        at=START + 2,
        set_status="disputed",
    )
    got = store.get_submission(sub.id)
    assert (got.status, got.bot_verdict) == ("disputed", "disputed")
    (check,) = store.checks_for(sub.id)
    assert check.input == {"quote": sub.quote}
    assert check.result == {"verdict": "disputed"}
    assert (check.started_at, check.finished_at) == (iso(START + 1), iso(START + 2))
    assert check.engine_version == "0.1.0"


def test_interrupting_running_checks_requeues(store: Store) -> None:
    sub = store.add_submission(new(), START)
    store.start_check(sub.id, 1, {}, "v", START)
    assert store.interrupt_running_checks(START + 9) == 1
    (check,) = store.checks_for(sub.id)
    assert check.outcome == "interrupted" and check.finished_at == iso(START + 9)
    assert store.get_submission(sub.id).status == "queued"
    assert store.interrupt_running_checks(START + 10) == 0


def test_edit_keeps_before_and_after(store: Store) -> None:
    sub = store.add_submission(new(raw_text="old text"), START)
    edited = store.edit_submission(
        sub.id, {"year": 2020}, recheck=True, raw_text="new text", actor_id=100, at=START + 3
    )
    assert (edited.year, edited.revision, edited.status, edited.raw_text) == (
        2020,
        2,
        "queued",
        "new text",
    )
    (event,) = store.submission_events(sub.id)
    assert event.kind == "edited"
    assert event.before == {"year": None, "raw_text": "old text"}
    assert event.after == {"year": 2020, "raw_text": "new text"}
    with pytest.raises(ValueError, match="not editable"):
        store.edit_submission(
            sub.id, {"status": "verified"}, recheck=False, raw_text=None, actor_id=None, at=START
        )


def test_votes_keep_one_per_member_and_log_every_change(store: Store) -> None:
    sub = store.add_submission(new(), START)
    assert store.set_vote(sub.id, 1, "accurate", START) is None
    assert store.set_vote(sub.id, 2, "accurate", START) is None
    assert store.set_vote(sub.id, 1, "inaccurate", START + 1) == "accurate"
    assert store.set_vote(sub.id, 1, "inaccurate", START + 2) == "inaccurate"  # no change
    assert store.set_vote(sub.id, 2, None, START + 3) == "accurate"
    assert store.tally(sub.id) == Tally(accurate=0, inaccurate=1)
    assert store.current_votes(sub.id) == {1: "inaccurate"}
    events = [(e.member_id, e.choice, e.previous_choice) for e in store.vote_events(sub.id)]
    assert events == [
        (1, "accurate", None),
        (2, "accurate", None),
        (1, "inaccurate", "accurate"),
        (2, None, "accurate"),
    ]


def test_replies_keep_bot_and_member_messages(store: Store) -> None:
    sub = store.add_submission(new(), START)
    store.add_reply(
        submission_id=sub.id,
        channel_id=10,
        message_id=50,
        kind="result",
        content="",
        embed={"title": "Verified"},
        author_id=None,
        from_bot=True,
        at=START,
    )
    store.add_reply(
        submission_id=sub.id,
        channel_id=77,
        message_id=51,
        kind="member_message",
        content="nice",
        embed=None,
        author_id=200,
        from_bot=False,
        at=START + 1,
    )
    bot, member = store.replies_for(sub.id)
    assert bot.from_bot and bot.embed == {"title": "Verified"} and bot.author_id is None
    assert not member.from_bot and member.content == "nice" and member.author_id == 200


def test_mod_verdict_becomes_human_verdict(store: Store) -> None:
    sub = store.add_submission(new(), START)
    store.add_mod_action(
        submission_id=sub.id,
        moderator_id=9,
        action="override",
        reason="checked by hand",
        verdict="verified",
        bot_verdict="disputed",
        at=START,
    )
    got = store.get_submission(sub.id)
    assert got.human_verdict == "verified" and got.effective_verdict == "verified"
    (action,) = store.mod_actions_for(sub.id)
    assert (action.action, action.reason, action.bot_verdict) == (
        "override",
        "checked by hand",
        "disputed",
    )
    assert store.latest_decisions() == [("disputed", "verified")]


def test_unparsed_posts_keep_raw_text_and_problems(store: Store) -> None:
    store.add_unparsed(
        guild_id=1,
        channel_id=10,
        message_id=3,
        author_id=100,
        raw_text="what is this ```",
        problems=["quote is missing"],
        reason="unreadable",
        duplicate_of=None,
        at=START,
    )
    (post,) = store.unparsed_posts()
    assert (post.raw_text, post.problems, post.reason) == (
        "what is this ```",
        ["quote is missing"],
        "unreadable",
    )
    assert store.unparsed_posts(channel_id=11) == []


def test_status_counts_include_zeroes(store: Store) -> None:
    store.add_submission(new(1), START)
    sub = store.add_submission(new(2), START)
    store.withdraw(sub.id, None, START)
    counts = store.status_counts()
    assert counts["queued"] == 1 and counts["withdrawn"] == 1 and counts["verified"] == 0
    assert store.status_counts(guild_id=99)["queued"] == 0


def test_last_submission_time(store: Store) -> None:
    assert store.last_submission_time(1, 100) is None
    store.add_submission(new(1), START)
    store.add_submission(new(2), START + 12.5)
    assert store.last_submission_time(1, 100) == pytest.approx(START + 12.5)
    assert store.last_submission_time(1, 101) is None


def test_iso_times_sort_as_time_and_round_trip() -> None:
    times = [START, START + 0.000001, START + 1, START + 86_400 * 400]
    texts = [iso(t) for t in times]
    assert texts == sorted(texts)
    assert len({len(t) for t in texts}) == 1
    assert [epoch(t) for t in texts] == pytest.approx(times)


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("SELECT * FROM submissions WHERE channel_id = ? AND message_id = ?", (1, 2)),
        ("SELECT * FROM submissions WHERE guild_id = ? AND url_key = ?", (1, "x")),
        ("SELECT MAX(created_at) FROM submissions WHERE guild_id = ? AND author_id = ?", (1, 2)),
        ("SELECT * FROM submissions WHERE status IN ('queued', 'checking')", ()),
        ("SELECT * FROM submissions WHERE thread_id = ?", (1,)),
        ("SELECT * FROM checks WHERE submission_id = ? ORDER BY id", (1,)),
        ("SELECT * FROM vote_events WHERE submission_id = ? ORDER BY id", (1,)),
        ("SELECT * FROM mod_actions WHERE submission_id = ? ORDER BY id", (1,)),
        ("SELECT * FROM replies WHERE submission_id = ? ORDER BY id", (1,)),
        ("SELECT * FROM checks WHERE outcome = 'running'", ()),
    ],
)
def test_hot_queries_use_an_index(
    db: sqlite_utils.Database, query: str, params: tuple[object, ...]
) -> None:
    plan = " ".join(
        str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + query, params).fetchall()
    )
    assert "USING" in plan and "INDEX" in plan, plan


def test_overview_view_shows_effective_verdict_and_votes(
    store: Store, db: sqlite_utils.Database
) -> None:
    sub = store.add_submission(new(), START)
    check_id = store.start_check(sub.id, 1, {}, "v", START)
    store.finish_check(
        check_id,
        outcome="done",
        verdict="disputed",
        result_json={"discrepancies": []},
        error=None,
        at=START,
        set_status="disputed",
    )
    store.set_vote(sub.id, 5, "accurate", START)
    (row,) = store.overview_rows()
    assert (row["bot_verdict"], row["human_verdict"], row["effective_verdict"]) == (
        "disputed",
        None,
        "disputed",
    )
    assert (row["votes_accurate"], row["votes_inaccurate"], row["checks_run"]) == (1, 0, 1)
    assert row["result"] == {"discrepancies": []}
    store.add_mod_action(
        submission_id=sub.id,
        moderator_id=9,
        action="approve",
        reason=None,
        verdict="verified",
        bot_verdict="disputed",
        at=START,
    )
    (row,) = db.execute_returning_dicts("SELECT * FROM submission_overview")
    assert row["effective_verdict"] == "verified"
