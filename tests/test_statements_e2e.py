"""/statement add | list | show through the real bot on FakeDiscord (loopback, nothing mocked)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bot_support import World, assert_nobody_pinged, make_world, running_bot

from bot.fakediscord.state import JSON
from bot.statements import Statements
from bot.storage import open_database
from tests.statements_support import BROOKS_QUOTE, STATEMENT, make_seeder, seed_debate


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with make_world(tmp_path) as w:
        seeder = make_seeder(str(tmp_path / "verbatim.db"))
        seeder.guild_id = w.guild
        w.extra["ids"] = seed_debate(seeder)
        w.extra["markdown"] = seeder.quote(
            "**Bold** claims and @everyone pings and a [fake](https://evil.example) link here.",
            "Mallory_the_*Tester*",
            statement_id=w.extra["ids"]["statement"],
            stance="for",
            role=None,
        )
        # Nothing may wait in the check queue: the bot would fetch its (public) source.
        seeder.store.withdraw(w.extra["ids"]["unchecked"], None, seeder.tick())
        seeder.db.conn.close()
        yield w
        assert w.fake.unimplemented_calls == []
        assert_nobody_pinged(w.fake)


async def _answer(world: World, interaction: JSON) -> tuple[bool, JSON]:
    """(ephemeral, the response's data) of the bot's first answer."""
    rec = await world.fake.wait_for_response(interaction)
    assert rec.response is not None and rec.response.type == 4
    return rec.response.ephemeral, rec.response.data


async def test_statement_commands(world: World) -> None:
    fake = world.fake
    ids = world.extra["ids"]
    statement_id = ids["statement"]
    async with running_bot(world) as bot:
        [command] = [c for c in fake.commands(world.guild) if c["name"] == "statement"]
        assert {o["name"] for o in command["options"]} == {"add", "list", "show"}

        # Autocomplete while typing, by words or by number.
        typing = fake.autocomplete(
            world.guild, world.general, world.alice, "statement",
            {"statement": "open sour"}, "statement", subcommand="show",
        )  # fmt: skip
        rec = await fake.wait_for_response(typing)
        assert rec.choices == [{"name": f"#{statement_id} {STATEMENT}", "value": str(statement_id)}]
        typing = fake.autocomplete(
            world.guild, world.general, world.alice, "statement", {}, "statement",
            subcommand="show",
        )  # fmt: skip
        rec = await fake.wait_for_response(typing)
        assert rec.choices is not None and len(rec.choices) == 2

        # /statement show: counts and quotes, public, markdown and mentions made inert.
        shown = fake.invoke_slash(
            world.guild, world.general, world.alice, "statement",
            {"statement": str(statement_id)}, subcommand="show",
        )  # fmt: skip
        ephemeral, data = await _answer(world, shown)
        assert not ephemeral
        assert data["allowed_mentions"]["parse"] == []
        [embed] = data["embeds"]
        assert STATEMENT in embed["description"]
        assert "3 for · 2 against · 1 abstaining" in embed["description"]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert set(fields) == {"For (3)", "Against (2)", "Abstaining (1)"}
        assert BROOKS_QUOTE in fields["Against (2)"]
        assert "**Ben Brooks**" in fields["Against (2)"] and "AI Verified" in fields["Against (2)"]
        assert "moderator verified" in fields["Against (2)"]
        assert "[source](https://spectrum.ieee.org/open-source-ai-good)" in fields["Against (2)"]
        assert f"https://discord.com/channels/{world.guild}/" in fields["Against (2)"]
        mallory = fields["For (3)"]
        assert "\\*\\*Bold\\*\\*" in mallory and "@\u200beveryone" in mallory
        assert "\\[fake](" in mallory and "Mallory\\_the\\_\\*Tester\\*" in mallory
        assert "must be stopped" not in str(embed)  # the disputed quote is not a position

        # Typed by hand instead of picked: the closest statement.
        by_hand = fake.invoke_slash(
            world.guild, world.general, world.bob, "statement",
            {"statement": "open source AI is more dangerous than closed source AI"},
            subcommand="show",
        )  # fmt: skip
        _, data = await _answer(world, by_hand)
        assert data["embeds"][0]["title"] == f"Statement #{statement_id}"
        unknown = fake.invoke_slash(
            world.guild, world.general, world.bob, "statement",
            {"statement": "zzz qqq xxx"}, subcommand="show",
        )  # fmt: skip
        ephemeral, data = await _answer(world, unknown)
        assert ephemeral and "No statement matches" in data["content"]

        # /statement add: members are refused; the moderator role and Manage Messages may.
        refused = fake.invoke_slash(
            world.guild, world.general, world.alice, "statement",
            {"text": "Compute thresholds are a good way to regulate AI"}, subcommand="add",
        )  # fmt: skip
        ephemeral, data = await _answer(world, refused)
        assert ephemeral and "Only moderators" in data["content"]
        added = fake.invoke_slash(
            world.guild, world.general, world.carol, "statement",
            {"text": "Compute thresholds are a good way to regulate @everyone"}, subcommand="add",
        )  # fmt: skip
        ephemeral, data = await _answer(world, added)
        assert not ephemeral and "added" in data["content"]
        assert "@\u200beveryone" in data["content"]
        duplicate = fake.invoke_slash(
            world.guild, world.general, world.dan, "statement",
            {"text": "open-source AI is more dangerous than closed-source AI!"}, subcommand="add",
        )  # fmt: skip
        ephemeral, data = await _answer(world, duplicate)
        assert ephemeral and f"already exists as `#{statement_id}`" in data["content"]
        short = fake.invoke_slash(
            world.guild, world.general, world.dan, "statement", {"text": "AI"}, subcommand="add"
        )
        ephemeral, data = await _answer(world, short)
        assert ephemeral and "at least 8 characters" in data["content"]

        # /statement list: every statement of this server, newest first, with its tally.
        listed = fake.invoke_slash(
            world.guild, world.general, world.bob, "statement", {}, subcommand="list"
        )
        ephemeral, data = await _answer(world, listed)
        assert ephemeral
        lines = data["content"].splitlines()
        assert lines[1].startswith("`#") and "Compute thresholds" in lines[1]
        assert f"`#{statement_id}` Open-source AI" in data["content"]
        assert "for/against/abstain 3/2/1" in data["content"]
        assert bot.is_ready()

    db = open_database(world.tmp_path / "verbatim.db")
    texts = [s.text for s in Statements(db, world.guild).list()]
    assert texts[-1] == "Compute thresholds are a good way to regulate @everyone"
    assert len(texts) == 3
