"""Re-checks in the real bot on FakeDiscord: /mod recheck-all with progress, the scheduled run,
and what a changed source does to the thread, the moderator log, the verdict and the post."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bot_support import (
    GOOD_QUOTE,
    TIMEOUT,
    World,
    eventually,
    post_text,
    running_bot,
    wait_for_action,
    wait_for_verdict,
)
from supplied_support import Pages, bot_config

from bot.fakediscord.core import BotAction
from bot.fakediscord.state import JSON
from bot.storage.recheck import RecheckStore
from cogs.client import VerbatimBot


def rechecks(bot: VerbatimBot) -> Any:
    """The loaded Rechecks cog (by name: reloading the extension makes a new class)."""
    cog = bot.get_cog("Rechecks")
    assert cog is not None and type(cog).__name__ == "Rechecks"
    return cog


async def post_verified(world: World, pages: Pages) -> tuple[int, JSON]:
    posted = world.fake.post_message(world.quotes, world.alice, post_text(GOOD_QUOTE, pages.url()))
    verdict = await wait_for_verdict(world.fake, int(posted["id"]))
    assert verdict["embeds"][0]["title"] == "✅ AI Verified"
    await wait_for_action(
        world.fake, lambda a: a.kind == "reaction_add" and a.params["emoji"] == "✅"
    )
    return int(posted["id"]), verdict


def answer_edit(interaction_id: int, starts: str) -> Callable[[BotAction], bool]:
    """An edit of the deferred answer whose text (as sent then, not as stored now) starts so."""

    def match(a: BotAction) -> bool:
        sent = a.json if isinstance(a.json, dict) else {}
        return (
            a.ok
            and a.interaction_id == interaction_id
            and a.kind in ("message_create", "message_edit")
            and str(sent.get("content", "")).startswith(starts)
        )

    return match


async def assert_source_changed_was_told(
    world: World, bot: VerbatimBot, post_id: int, verdict: JSON
) -> None:
    """The thread and the moderator log got the message; the verdict and the mark followed."""
    fake = world.fake
    note = await fake.wait_for_message(post_id, lambda m: m["content"].startswith("🔁"))
    assert "The source of #1 (Community Gardens Are Good for Cities) has changed" in note["content"]
    assert "no longer verified" in note["content"]
    logged = await fake.wait_for_message(world.modlog, lambda m: "**recheck**" in m["content"])
    assert "submission #1 · source_changed" in logged["content"]
    await eventually(lambda: fake.reactions(post_id) == [("❌", fake.bot_user_id)])
    [embed] = fake.message(int(verdict["id"]))["embeds"]
    assert embed["title"] == "❌ Discrepancies found"
    assert "the source changed after the quote was verified" in embed["footer"]["text"]
    sub = bot.store.get_submission(1)
    assert sub is not None and sub.status == "source_changed"
    assert [c.verdict for c in bot.store.checks_for(1)] == ["verified", "disputed"]
    [recheck] = RecheckStore(bot.store.db).rechecks_for(1)
    assert recheck.outcome == "source_changed" and recheck.old_sha256 != recheck.new_sha256
    await eventually(
        lambda: (
            {"recheck", "mod_log", "verdict_updated"} <= {r.kind for r in bot.store.replies_for(1)}
        )
    )


async def test_recheck_all_finds_a_changed_source_and_tells_the_thread_and_the_mod_log(
    world: World, pages: Pages
) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world)) as bot:
        post_id, verdict = await post_verified(world, pages)
        pages.change()
        inter = fake.invoke_slash(
            world.guild, world.quotes, world.dan, "mod", subcommand="recheck-all"
        )
        rec = await fake.wait_for_response(inter)
        assert rec.response is not None and rec.response.type == 5 and rec.response.ephemeral
        done = await fake.wait_for(answer_edit(rec.id, "Done:"), TIMEOUT)
        assert done.json["content"] == (
            "Done: recheck: 1 looked at: 1 source_changed. What changed was posted in the "
            "threads of #1 and in the moderator log."
        )
        started = await fake.wait_for(
            answer_edit(rec.id, "Re-checking the sources of 1 verified quote…"), TIMEOUT, since=0
        )
        assert started.index < done.index
        await assert_source_changed_was_told(world, bot, post_id, verdict)
        summary = await fake.wait_for_message(world.modlog, lambda m: "recheck-all" in m["content"])
        assert f"by <@{world.dan}>" in summary["content"]
        assert "recheck: 1 looked at: 1 source_changed" in summary["content"]

        # Nothing left to re-check: a verified quote is gone from the list, and it says so.
        again = fake.invoke_slash(
            world.guild, world.quotes, world.dan, "mod", subcommand="recheck-all"
        )
        rec = await fake.wait_for_response(again)
        await fake.wait_for(answer_edit(rec.id, "Done: recheck: 0 looked at."), TIMEOUT)


async def test_an_unchanged_source_is_only_noted(world: World, pages: Pages) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world)) as bot:
        post_id, _ = await post_verified(world, pages)
        inter = fake.invoke_slash(
            world.guild, world.quotes, world.dan, "mod", subcommand="recheck-all"
        )
        rec = await fake.wait_for_response(inter)
        done = await fake.wait_for(answer_edit(rec.id, "Done:"), TIMEOUT)
        assert done.json["content"] == "Done: recheck: 1 looked at: 1 unchanged."
        assert not any(m["content"].startswith("🔁") for m in fake.messages(post_id))
        sub = bot.store.get_submission(1)
        assert sub is not None and sub.status == "verified"


async def test_members_are_denied_recheck_all(world: World, pages: Pages) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world)) as bot:
        await post_verified(world, pages)
        with pytest.raises(PermissionError):  # hidden from members by default permissions
            fake.invoke_slash(
                world.guild, world.quotes, world.alice, "mod", subcommand="recheck-all"
            )
        for scope in fake.core.commands.values():  # an admin opens /mod to everyone
            for command in scope.values():
                if command["name"] == "mod":
                    command["default_member_permissions"] = None
        member = fake.invoke_slash(
            world.guild, world.quotes, world.alice, "mod", subcommand="recheck-all"
        )
        rec = await fake.wait_for_response(member)
        assert rec.response is not None and rec.response.ephemeral
        assert rec.response.data["content"] == "Only moderators can use this command."
        assert RecheckStore(bot.store.db).rechecks_for(1) == []


async def test_the_scheduled_run_starts_when_the_bot_is_ready_and_stops_with_it(
    world: World, pages: Pages
) -> None:
    async with running_bot(world, bot_config(world)) as first:
        post_id, verdict = await post_verified(world, pages)
        assert not rechecks(first).scheduled  # [recheck] enabled = false
    pages.change()
    config = bot_config(world, recheck=True, max_age_days=0.0)
    async with running_bot(world, config) as bot:
        assert rechecks(bot).scheduled
        loop = rechecks(bot)._loop
        # The first scheduled run starts at once and finds the quote's source changed.
        await assert_source_changed_was_told(world, bot, post_id, verdict)
        await bot.reload_extension("cogs.rechecks")  # unloading stops the loop, loading restarts
        assert loop is not None and loop.done()
        assert rechecks(bot).scheduled
        loop = rechecks(bot)._loop
    assert loop is not None and loop.cancelled()  # closing the bot stopped it cleanly
