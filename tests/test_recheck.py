"""Re-checks of verified quotes: unchanged, changed, changed away, dead with and without an
archived copy, and the command line; plus the m005 migration on a database with data."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from aiohttp import web
from fetch_support import LocalServer
from sources_support import FakeArchive, sources_config

from bot.archive import wayback_timestamp
from bot.config import Config, RecheckConfig
from bot.models import QuoteInput, VerificationResult
from bot.pasted import source_from_text
from bot.recheck import Rechecker, RecheckResult, describe_change
from bot.storage import database, migrations, open_database
from bot.storage.log import NewSubmission, Store, Submission
from bot.storage.recheck import RecheckStore
from bot.verify import Verifier
from tests.sample_texts import ARTICLE_BLOCKS, article_html

ROOT = Path(__file__).resolve().parent.parent
QUOTE = "Community gardens are the bedrock for local resilience in cities."
DAY = 86_400.0
NOW = time.time()
LONG_AGO = NOW - 40 * DAY


class Publisher:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str]] = {}

        async def handler(request: web.Request) -> web.Response:
            status, body = self.pages.get(request.path, (404, "not here"))
            return web.Response(status=status, text=body, content_type="text/html")

        app = web.Application()
        app.router.add_get("/{tail:.*}", handler)
        self.server = LocalServer(app)


@pytest.fixture
async def publisher() -> AsyncIterator[Publisher]:
    p = Publisher()
    await p.server.start()
    yield p
    await p.server.close()


class World:
    """A submission log, a verifier and a rechecker whose on_change calls are recorded."""

    def __init__(self, config: Config, verifier: Verifier) -> None:
        self.db = open_database(config.database.path)
        self.store = Store(self.db)
        self.verifier = verifier
        self.changes: list[tuple[Submission, dict[str, Any], VerificationResult]] = []
        self.rechecker = Rechecker(
            self.store, verifier, config.recheck, on_change=self.on_change, clock=lambda: NOW
        )
        self._messages = 0

    async def on_change(
        self, sub: Submission, old: dict[str, Any], new: VerificationResult
    ) -> None:
        self.changes.append((sub, old, new))

    async def verified(self, url: str, *, supplied: bool = False) -> Submission:
        """A submission checked (and verified) 40 days ago, as the service would store it."""
        self._messages += 1
        sub = self.store.add_submission(
            NewSubmission(
                guild_id=1,
                channel_id=2,
                message_id=self._messages,
                author_id=3,
                quote=QUOTE,
                url=url,
                url_key=url,
                person="Priya Raman",
                year=2024,
            ),
            LONG_AGO,
        )
        inp = QuoteInput.parse(quote=QUOTE, url=url, author="Priya Raman", year=2024)
        check_id = self.store.start_check(sub.id, sub.revision, {"quote": QUOTE}, "t", LONG_AGO)
        page = source_from_text("\n\n".join(ARTICLE_BLOCKS), url=url) if supplied else None
        result = await self.verifier.verify(inp, supplied=page)
        assert result.checks.text == "pass"
        self.store.finish_check(
            check_id,
            outcome="done",
            verdict="verified",
            result_json=result.to_json(),
            error=None,
            at=LONG_AGO,
            set_status="verified",
        )
        done = self.store.get_submission(sub.id)
        assert done is not None and done.status == "verified"
        return done

    def close(self) -> None:
        self.db.conn.close()


@pytest.fixture
async def world(tmp_path: Path, archive: FakeArchive) -> AsyncIterator[tuple[World, FakeArchive]]:
    config = sources_config(tmp_path, archive=archive.config())
    async with Verifier(config) as verifier:
        w = World(config, verifier)
        yield w, archive
        w.close()


async def test_unchanged_source_is_only_noted(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, _ = world
    publisher.pages["/a"] = (200, article_html())
    sub = await w.verified(publisher.server.url("/a"))
    summary = await w.rechecker.run()
    assert summary.total == 1 and summary.counts == {"unchanged": 1}
    assert len(w.store.checks_for(sub.id)) == 1  # no new check
    [row] = RecheckStore(w.db).rechecks_for(sub.id)
    assert row.outcome == "unchanged" and row.old_sha256 == row.new_sha256
    assert w.rechecker.due() == []  # looked at now: not due again for max_age_days
    assert w.changes == []


async def test_changed_source_that_still_carries_the_quote(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, _ = world
    publisher.pages["/a"] = (200, article_html())
    sub = await w.verified(publisher.server.url("/a"))
    publisher.pages["/a"] = (200, article_html(blocks=[*ARTICLE_BLOCKS, "Update: corrected."]))
    summary = await w.rechecker.run()
    assert summary.counts == {"rechecked": 1}
    checks = w.store.checks_for(sub.id)
    assert [c.verdict for c in checks] == ["verified", "verified"]
    assert checks[-1].input["recheck"] is True
    assert w.store.get_submission(sub.id).status == "verified"  # type: ignore[union-attr]
    assert w.changes == []


async def test_source_changed_away_from_the_quote(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, _ = world
    publisher.pages["/a"] = (200, article_html())
    sub = await w.verified(publisher.server.url("/a"))
    edited = [b.replace("the bedrock for", "one part of") for b in ARTICLE_BLOCKS]
    publisher.pages["/a"] = (200, article_html(blocks=edited))
    progress: list[tuple[int, int, RecheckResult]] = []
    summary = await w.rechecker.run(progress=lambda *a: progress.append(a))
    assert summary.counts == {"source_changed": 1} and summary.notified == [sub.id]
    now = w.store.get_submission(sub.id)
    assert now is not None and now.status == "source_changed"
    assert [c.verdict for c in w.store.checks_for(sub.id)] == ["verified", "disputed"]
    [(changed, old, new)] = w.changes
    assert changed.status == "source_changed" and old["verdict"] == "verified"
    assert new.verdict == "disputed" and new.checks.text == "fail"
    assert "no longer verified" in describe_change(changed, old, new)
    assert progress[0][:2] == (1, 1) and progress[0][2].outcome == "source_changed"
    assert w.store.status_counts()["source_changed"] == 1
    assert w.rechecker.due() == []  # no longer verified: not re-checked again


async def test_dead_source_is_rechecked_against_the_archive_near_the_last_check(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, archive = world
    url = publisher.server.url("/a")
    publisher.pages["/a"] = (200, article_html())
    sub = await w.verified(url)
    del publisher.pages["/a"]  # now 404
    archive.add(url, wayback_timestamp(LONG_AGO - DAY), article_html())
    archive.add(url, wayback_timestamp(NOW), "<p>a later capture of an error page</p>")
    summary = await w.rechecker.run()
    assert summary.counts == {"archived": 1}
    assert archive.asked[-1]["timestamp"] == wayback_timestamp(LONG_AGO)
    checks = w.store.checks_for(sub.id)
    assert checks[-1].verdict == "verified"
    assert checks[-1].result is not None and checks[-1].result["source"]["via"] == "archive"
    [(_, _, new)] = w.changes  # the thread hears that the link died
    assert new.source.via == "archive" and "archived copy" in describe_change(sub, {}, new)


async def test_dead_source_without_archive_is_reported_once(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, _ = world
    publisher.pages["/a"] = (200, article_html())
    sub = await w.verified(publisher.server.url("/a"))
    del publisher.pages["/a"]
    first = await w.rechecker.run()
    second = await w.rechecker.run(everything=True)
    assert first.counts == {"gone": 1} and second.counts == {"gone": 1}
    assert len(w.changes) == 1 and w.changes[0][2].kinds() == ["source_gone"]
    assert len(w.store.checks_for(sub.id)) == 1  # nothing was re-checked: no new check
    assert w.store.get_submission(sub.id).status == "verified"  # type: ignore[union-attr]


async def test_blocked_source_without_archive_waits_for_next_time(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, _ = world
    publisher.pages["/a"] = (200, article_html())
    await w.verified(publisher.server.url("/a"))
    publisher.pages["/a"] = (403, "no bots")
    summary = await w.rechecker.run()
    assert summary.counts == {"unreachable": 1}
    assert w.changes == []


async def test_supplied_text_is_not_refetched(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, _ = world
    await w.verified(publisher.server.url("/paywalled"), supplied=True)
    summary = await w.rechecker.run()
    assert summary.counts == {"skipped": 1}
    assert publisher.server.total_hits == 0


async def test_what_is_due(world: tuple[World, FakeArchive], publisher: Publisher) -> None:
    w, _ = world
    publisher.pages["/a"] = (200, article_html())
    sub = await w.verified(publisher.server.url("/a"))
    assert w.rechecker.due() == [sub.id]  # 40 days > 30
    assert w.rechecker.due(older_than_days=60) == []
    assert w.rechecker.due(everything=True) == [sub.id]
    w.store.requeue(sub.id, NOW)  # sent for checking again: not verified for now
    assert w.rechecker.due(everything=True) == []


async def test_a_recheck_of_a_submission_edited_meanwhile_is_dropped(
    world: tuple[World, FakeArchive], publisher: Publisher
) -> None:
    w, _ = world
    publisher.pages["/a"] = (200, article_html())
    sub = await w.verified(publisher.server.url("/a"))
    w.store.requeue(sub.id, NOW)
    stored = RecheckStore(w.db).record(
        sub, outcome="unchanged", at=NOW, old_sha256=None, new_sha256=None
    )
    assert stored is False and RecheckStore(w.db).rechecks_for(sub.id) == []


async def test_scheduled_runs(tmp_path: Path) -> None:
    config = sources_config(tmp_path)
    async with Verifier(config) as verifier:
        db = open_database(config.database.path)
        off = Rechecker(Store(db), verifier, RecheckConfig(enabled=False))
        await asyncio.wait_for(off.run_forever(), 5)  # returns at once when disabled
        on = Rechecker(Store(db), verifier, RecheckConfig(interval_hours=6))
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 2:
                raise asyncio.CancelledError

        on._sleep = sleep
        with pytest.raises(asyncio.CancelledError):
            await on.run_forever()
        assert waits == [6 * 3600, 6 * 3600]
        db.conn.close()


async def test_cli_recheck(tmp_path: Path, publisher: Publisher) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        "[fetch]\nallow_private_networks = true\nretries = 0\n"
        f'[database]\npath = "{tmp_path / "v.db"}"\n'
        "[archive]\nenabled = false\n"  # the subprocess has no loopback guard: keep it local
    )
    publisher.pages["/a"] = (200, article_html())
    config = sources_config(tmp_path, database={"path": str(tmp_path / "v.db")})
    async with Verifier(config) as verifier:
        w = World(config, verifier)
        await w.verified(publisher.server.url("/a"))
        w.close()

    async def run(*args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "recheck", "--config", str(cfg), *args),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()

    code, out, err = await run("--older-than", "60")
    assert (code, out.strip()) == (0, "recheck: 0 looked at")
    code, out, err = await run("--all")
    assert code == 0
    assert "[1/1] #1 unchanged" in err
    assert out.strip() == "recheck: 1 looked at: 1 unchanged"
    code, _, err = await run("--all", "--older-than", "3")
    assert code == 64 and "not both" in err
    code, _, err = await run("--older-than", "-1")
    assert code == 64 and "--older-than" in err


def test_m005_upgrades_a_database_with_data(monkeypatch: pytest.MonkeyPatch) -> None:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    db.execute("PRAGMA foreign_keys = ON")
    monkeypatch.setattr(database, "MIGRATIONS", migrations.MIGRATIONS[:3])
    database.migrate(db)
    db.execute(
        "INSERT INTO submissions (guild_id, channel_id, message_id, author_id, quote, url,"
        " url_key, status, created_at, updated_at) VALUES (1, 2, 3, 4, 'q', 'u', 'k',"
        " 'verified', 't', 't')"
    )
    db.execute(
        "INSERT INTO checks (submission_id, revision, started_at, outcome, input_json,"
        " engine_version) VALUES (1, 1, 't', 'done', '{}', 'x')"
    )
    db.conn.commit()
    monkeypatch.setattr(database, "MIGRATIONS", migrations.MIGRATIONS)
    assert database.migrate(db) == len(migrations.MIGRATIONS)
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # back on after the rebuild
    db.execute("UPDATE submissions SET status = 'source_changed'")
    assert db.execute("SELECT status, checks_run FROM submission_overview").fetchall() == [
        ("source_changed", 1)
    ]
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE submissions SET status = 'nonsense'")
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys still enforced
        db.execute(
            "INSERT INTO checks (submission_id, revision, started_at, outcome, input_json,"
            " engine_version) VALUES (99, 1, 't', 'done', '{}', 'x')"
        )
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"submissions_by_status", "submissions_by_message"} <= indexes
