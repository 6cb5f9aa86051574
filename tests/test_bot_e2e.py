"""The real bot end to end: FakeDiscord on loopback, sources on loopback, nothing mocked.

Each test starts the bot ``python -m bot`` runs, pointed at the fake server by its config, and
plays members: posts, edits, deletions, slash commands, modals, context menus, button clicks.
After every test, no mention the bot sent may have pinged anyone.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import signal
from collections.abc import AsyncIterator

import pytest
from bot_support import (
    DOCTORED_QUOTE,
    GOOD_QUOTE,
    OTHER_QUOTE,
    World,
    assert_nobody_pinged,
    button_labels,
    eventually,
    field_named,
    post_text,
    running_bot,
    start_bot_process,
    wait_for_action,
    wait_for_verdict,
    write_config_file,
)

import cogs
from bot.fakediscord.state import JSON
from cogs.client import EXTENSIONS, VerbatimBot


@pytest.fixture
async def bot(world: World) -> AsyncIterator[VerbatimBot]:
    async with running_bot(world) as b:
        yield b


async def post_and_wait(world: World, quote: str, author: int | None = None) -> tuple[int, JSON]:
    posted = world.fake.post_message(
        world.quotes, author or world.alice, post_text(quote, world.sources.url())
    )
    post_id = int(posted["id"])
    return post_id, await wait_for_verdict(world.fake, post_id)


async def ephemeral_answer(world: World, interaction: JSON) -> str:
    """The text of the bot's private answer (the first response, or the follow-up after a defer)."""
    rec = await world.fake.wait_for_response(interaction)
    assert rec.response is not None
    if rec.response.type == 4:
        assert rec.response.ephemeral
        return str(rec.response.data.get("content", ""))
    message = await interaction_message(world, rec.id, ephemeral=True)
    return str(message.get("content", ""))


async def interaction_message(world: World, interaction_id: int, *, ephemeral: bool) -> JSON:
    """The message answering an interaction, once filled in (not the "thinking…" one): the
    deferred response or a follow-up, private (``ephemeral``) or not."""
    action = await wait_for_action(
        world.fake,
        lambda a: (
            a.interaction_id == interaction_id
            and a.kind in ("message_create", "message_edit")
            and a.message is not None
            and not a.message.get("flags", 0) & 128
            and bool(a.message.get("flags", 0) & 64) == ephemeral
        ),
        since=0,
    )
    assert action.message is not None
    return action.message


# -- posts in the quote channel ---------------------------------------------------------------


async def test_good_post_gets_a_thread_and_an_ai_verified_embed(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    posted = fake.post_message(
        world.quotes, world.alice, post_text(GOOD_QUOTE, world.sources.url())
    )
    post_id = int(posted["id"])
    hourglass = await wait_for_action(fake, lambda a: a.kind == "reaction_add")
    assert hourglass.params["emoji"] == "⏳"
    verdict = await wait_for_verdict(fake, post_id)
    [thread] = fake.threads(world.quotes)
    assert int(thread["id"]) == post_id  # the thread hangs on the post
    assert thread["name"].startswith("#1 Priya Raman: Community gardens")
    [embed] = verdict["embeds"]
    assert embed["title"] == "✅ AI Verified" and embed["color"] == 0x2ECC71
    checks = field_named(embed, "Checks")
    assert "**Text:** ✅" in checks and "**Author:** ✅" in checks and "**Year:** ✅" in checks
    source = field_named(embed, "Source")
    assert "Community Gardens Are Good for Cities" in source and "read directly" in source
    assert GOOD_QUOTE in embed["description"]
    assert button_labels(verdict) == {
        "verbatim:vote:1:accurate": "Accurate (0)",
        "verbatim:vote:1:inaccurate": "Inaccurate (0)",
    }
    await wait_for_action(fake, lambda a: a.kind == "reaction_add" and a.params["emoji"] == "✅")
    assert fake.reactions(post_id) == [("✅", fake.bot_user_id)]  # ⏳ gave way to the verdict
    sub = bot.store.get_submission(1)
    assert sub is not None and sub.status == "verified" and sub.thread_id == post_id
    kinds = [r.kind for r in bot.store.replies_for(1)]
    assert kinds == ["verdict"]


async def test_doctored_post_gets_the_discrepancies(world: World, bot: VerbatimBot) -> None:
    _, verdict = await post_and_wait(world, DOCTORED_QUOTE)
    [embed] = verdict["embeds"]
    assert embed["title"] == "❌ Discrepancies found" and embed["color"] == 0xE74C3C
    assert "**Text:** ❌" in field_named(embed, "Checks")
    wording = field_named(embed, "Altered wording")
    assert "foundation" in wording and "bedrock" in wording
    assert "**Quote:**" in wording and "**Source:**" in wording
    sub = bot.store.get_submission(1)
    assert sub is not None and sub.status == "disputed"


async def test_unreadable_post_gets_the_format_help_and_is_logged(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    posted = fake.post_message(world.quotes, world.alice, "I think someone said gardens matter")
    reply = await fake.wait_for_message(world.quotes)
    assert reply["message_reference"]["message_id"] == posted["id"]
    assert "I could not check this post yet" in reply["content"]
    assert "Source: https://link-to-the-source" in reply["content"]  # the expected format
    [unparsed] = bot.store.unparsed_posts(world.quotes)
    assert unparsed.reason == "unreadable" and unparsed.message_id == int(posted["id"])
    assert any("author is missing" in p for p in unparsed.problems)
    assert fake.threads(world.quotes) == [] and bot.store.count("checks") == 0


async def test_messages_in_the_thread_are_logged(world: World, bot: VerbatimBot) -> None:
    post_id, _ = await post_and_wait(world, GOOD_QUOTE)
    said = world.fake.post_message(post_id, world.bob, "I read the article, it says exactly that")
    await eventually(lambda: any(r.kind == "member_message" for r in bot.store.replies_for(1)))
    [member] = [r for r in bot.store.replies_for(1) if r.kind == "member_message"]
    assert member.message_id == int(said["id"]) and member.author_id == world.bob


async def test_an_edit_rechecks_the_post(world: World, bot: VerbatimBot) -> None:
    fake = world.fake
    post_id, first = await post_and_wait(world, DOCTORED_QUOTE)
    assert first["embeds"][0]["title"] == "❌ Discrepancies found"
    fake.edit_message(post_id, post_text(GOOD_QUOTE, world.sources.url()))
    note = await fake.wait_for_message(post_id, lambda m: "edited" in m["content"])
    assert "checking it again" in note["content"]
    second = await wait_for_verdict(fake, post_id)
    assert second["embeds"][0]["title"] == "✅ AI Verified"
    sub = bot.store.get_submission(1)
    assert sub is not None and sub.revision == 2 and sub.status == "verified"
    assert sub.quote == GOOD_QUOTE
    assert [c.verdict for c in bot.store.checks_for(1)] == ["disputed", "verified"]
    history = await bot.service.history(1)
    assert [e.kind for e in history].count("edited") == 1


async def test_deleting_the_post_withdraws_the_submission(world: World, bot: VerbatimBot) -> None:
    fake = world.fake
    post_id, _ = await post_and_wait(world, GOOD_QUOTE)
    fake.delete_message(post_id)
    note = await fake.wait_for_message(post_id, lambda m: "withdrawn" in m["content"])
    assert "record and history are kept" in note["content"]
    sub = bot.store.get_submission(1)
    assert sub is not None and sub.status == "withdrawn" and sub.quote == GOOD_QUOTE


async def test_cooldown_and_duplicates_are_answered(world: World) -> None:
    config = world.config(cooldown_seconds=600.0)
    async with running_bot(world, config) as bot:
        fake = world.fake
        post_id, _ = await post_and_wait(world, GOOD_QUOTE)
        fake.post_message(world.quotes, world.alice, post_text(OTHER_QUOTE, world.sources.url()))
        wait = await fake.wait_for_message(world.quotes)
        assert "try again in" in wait["content"]
        fake.post_message(world.quotes, world.bob, post_text(GOOD_QUOTE, world.sources.url()))
        dup = await fake.wait_for_message(world.quotes)
        assert "already submitted as #1" in dup["content"] and f"<#{post_id}>" in dup["content"]
        # Moderators are not held by the cooldown.
        fake.post_message(world.quotes, world.dan, post_text(OTHER_QUOTE, world.sources.url()))
        await wait_for_verdict(fake, int(fake.messages(world.quotes)[-1]["id"]))
        assert [u.reason for u in bot.store.unparsed_posts()] == ["cooldown", "duplicate"]


# -- slash commands and the context menu ------------------------------------------------------


async def test_slash_submit_through_the_modal(world: World, bot: VerbatimBot) -> None:
    fake = world.fake
    opened = fake.invoke_slash(world.guild, world.quotes, world.bob, "quote", subcommand="submit")
    rec = await fake.wait_for_response(opened)
    assert rec.modal is not None and rec.modal["title"] == "Submit a quote"
    submitted = fake.submit_modal(
        opened,
        "verbatim:quote:submit",
        {
            "quote": GOOD_QUOTE,
            "author": "Priya Raman, columnist (2024)",
            "source": world.sources.url(),
            "claim": "Cities should keep community gardens\nVote: for",
        },
    )
    answer = await ephemeral_answer(world, submitted)
    assert answer.startswith("Submitted as #1.")
    [card] = [m for m in fake.messages(world.quotes) if m["author"]["id"] == str(fake.bot_user_id)]
    assert f"<@{world.bob}>" in card["content"] and GOOD_QUOTE in card["content"]
    assert f"<#{card['id']}>" in answer  # the thread hangs on the card
    verdict = await wait_for_verdict(fake, int(card["id"]))
    [embed] = verdict["embeds"]
    assert embed["title"] == "✅ AI Verified"
    assert "**Stance:** ❔ not checked: no model configured" in field_named(embed, "Checks")
    sub = bot.store.get_submission(1)
    assert sub is not None and sub.author_id == world.bob and sub.message_id == int(card["id"])
    assert (sub.statement, sub.stance, sub.year) == (
        "Cities should keep community gardens",
        "for",
        2024,
    )


async def test_slash_submit_with_a_bad_link_explains_privately(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    opened = fake.invoke_slash(world.guild, world.quotes, world.bob, "quote", subcommand="submit")
    await fake.wait_for_response(opened)
    submitted = fake.submit_modal(
        opened,
        "verbatim:quote:submit",
        {"quote": GOOD_QUOTE, "author": "Priya Raman", "source": "ftp://example.org/x"},
    )
    answer = await ephemeral_answer(world, submitted)
    assert "I could not check this post yet" in answer and "source" in answer
    assert fake.messages(world.quotes) == [] and bot.store.get_submission(1) is None


def modal_values(world: World, quote: str) -> dict[str, str]:
    return {"quote": quote, "author": "Priya Raman", "source": world.sources.url()}


async def test_slash_submit_refuses_privately_before_posting_anything(world: World) -> None:
    """Cooldown and duplicates are answered before the bot posts a card in the channel."""
    async with running_bot(world, world.config(cooldown_seconds=600.0)) as bot:
        fake = world.fake
        answers = []
        for member, quote in (
            (world.bob, GOOD_QUOTE),
            (world.bob, OTHER_QUOTE),
            (world.alice, GOOD_QUOTE),
        ):
            opened = fake.invoke_slash(
                world.guild, world.quotes, member, "quote", subcommand="submit"
            )
            await fake.wait_for_response(opened)
            submitted = fake.submit_modal(
                opened, "verbatim:quote:submit", modal_values(world, quote)
            )
            answers.append(await ephemeral_answer(world, submitted))
        assert answers[0].startswith("Submitted as #1.")
        assert "try again in" in answers[1]
        assert "already submitted as #1" in answers[2]
        cards = [
            m for m in fake.messages(world.quotes) if m["author"]["id"] == str(fake.bot_user_id)
        ]
        assert len(cards) == 1
        assert [u.reason for u in bot.store.unparsed_posts()] == ["cooldown", "duplicate"]


async def test_quote_check_answers_privately_and_saves_nothing(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    inter = fake.invoke_slash(
        world.guild,
        world.general,
        world.alice,
        "quote",
        {"quote": DOCTORED_QUOTE, "source": world.sources.url(), "author": "Priya Raman"},
        subcommand="check",
    )
    rec = await fake.wait_for_response(inter)
    assert rec.response is not None and rec.response.type == 5 and rec.response.ephemeral
    message = await interaction_message(world, rec.id, ephemeral=True)
    [embed] = message["embeds"]
    assert embed["title"] == "❌ Discrepancies found"
    assert "nothing was saved" in embed["footer"]["text"]
    assert bot.store.get_submission(1) is None and bot.store.count("checks") == 0
    assert fake.messages(world.general) == []


async def test_quote_check_with_bad_input_gets_a_short_private_answer(
    world: World, bot: VerbatimBot
) -> None:
    inter = world.fake.invoke_slash(
        world.guild,
        world.general,
        world.alice,
        "quote",
        {"quote": GOOD_QUOTE, "source": "ftp://example.org/quote"},
        subcommand="check",
    )
    answer = await ephemeral_answer(world, inter)
    assert answer.startswith("The url must start with http:// or https://")


async def test_context_menu_submits_a_post_from_another_channel(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    target = fake.post_message(world.general, world.bob, post_text(GOOD_QUOTE, world.sources.url()))
    inter = fake.invoke_message_command("Submit as quote", int(target["id"]), world.alice)
    answer = await ephemeral_answer(world, inter)
    assert answer == f"Submitted as #1. The check runs in <#{target['id']}>."
    verdict = await wait_for_verdict(fake, int(target["id"]))
    assert verdict["embeds"][0]["title"] == "✅ AI Verified"
    sub = bot.store.get_submission(1)
    assert sub is not None and sub.channel_id == world.general and sub.author_id == world.alice
    again = fake.invoke_message_command("Submit as quote", int(target["id"]), world.carol)
    assert "already submitted as #1" in await ephemeral_answer(world, again)


# -- votes ------------------------------------------------------------------------------------


async def test_voting_changing_a_vote_and_the_self_vote_refused(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    _, verdict = await post_and_wait(world, GOOD_QUOTE, author=world.alice)
    message_id = int(verdict["id"])

    click = fake.click_button(message_id, "verbatim:vote:1:accurate", world.bob)
    edit = await wait_for_action(fake, lambda a: a.kind == "message_edit")
    assert edit.callback_type == 7 and edit.message is not None
    assert button_labels(edit.message)["verbatim:vote:1:accurate"] == "Accurate (1)"
    assert await ephemeral_answer(world, click) == "You voted **Accurate**."

    click = fake.click_button(message_id, "verbatim:vote:1:inaccurate", world.bob)
    edit = await wait_for_action(fake, lambda a: a.kind == "message_edit")
    assert edit.message is not None
    assert button_labels(edit.message) == {
        "verbatim:vote:1:accurate": "Accurate (0)",
        "verbatim:vote:1:inaccurate": "Inaccurate (1)",
    }
    assert "changed your vote to **Inaccurate** (was Accurate)" in await ephemeral_answer(
        world, click
    )

    own = fake.click_button(message_id, "verbatim:vote:1:accurate", world.alice)
    assert await ephemeral_answer(world, own) == "You cannot vote on your own submission."
    assert button_labels(fake.message(message_id))["verbatim:vote:1:inaccurate"] == "Inaccurate (1)"

    events = bot.store.vote_events(1)
    assert [(e.member_id, e.choice, e.previous_choice) for e in events] == [
        (world.bob, "accurate", None),
        (world.bob, "inaccurate", "accurate"),
    ]
    assert await bot.service.tally_from_events(1) == bot.store.tally(1)


async def test_vote_buttons_work_after_a_restart(world: World) -> None:
    async with running_bot(world):
        _, verdict = await post_and_wait(world, GOOD_QUOTE)
    async with running_bot(world) as bot:
        click = world.fake.click_button(int(verdict["id"]), "verbatim:vote:1:accurate", world.carol)
        assert await ephemeral_answer(world, click) == "You voted **Accurate**."
        assert bot.store.tally(1).accurate == 1


# -- moderators -------------------------------------------------------------------------------


def open_mod_commands_to_everyone(world: World) -> None:
    """What a server admin can do in Server Settings > Integrations: drop /mod's default
    permissions, so members see it and only the bot's own check stands in their way."""
    for scope in world.fake.core.commands.values():
        for command in scope.values():
            if command["name"] == "mod":
                command["default_member_permissions"] = None


async def test_members_are_denied_mod_and_moderators_allowed(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    [mod] = [c for c in fake.commands(world.guild) if c["name"] == "mod"]
    assert int(mod["default_member_permissions"]) == 1 << 13  # hidden: Manage Messages
    with pytest.raises(PermissionError):
        fake.invoke_slash(world.guild, world.quotes, world.alice, "mod", subcommand="stats")
    staff = fake.invoke_slash(world.guild, world.quotes, world.dan, "mod", subcommand="stats")
    rec = await fake.wait_for_response(staff)
    assert rec.response is not None and rec.response.ephemeral
    assert rec.response.data["embeds"][0]["title"] == "Verbatim statistics"

    open_mod_commands_to_everyone(world)
    member = fake.invoke_slash(world.guild, world.quotes, world.alice, "mod", subcommand="stats")
    assert await ephemeral_answer(world, member) == "Only moderators can use this command."
    role = fake.invoke_slash(world.guild, world.quotes, world.carol, "mod", subcommand="stats")
    rec = await fake.wait_for_response(role)
    assert rec.response is not None and rec.response.data["embeds"][0]["title"] == (
        "Verbatim statistics"
    )


async def test_override_is_shown_on_the_thread_and_logged(world: World, bot: VerbatimBot) -> None:
    fake = world.fake
    post_id, _ = await post_and_wait(world, GOOD_QUOTE)
    inter = fake.invoke_slash(
        world.guild,
        world.quotes,
        world.dan,
        "mod",
        {"verdict": "disputed", "reason": "The speech was later retracted", "submission": 1},
        subcommand="override",
    )
    answer = await ephemeral_answer(world, inter)
    assert "is now **disputed**" in answer
    shown = await fake.wait_for_message(post_id, lambda m: bool(m["embeds"]))
    [embed] = shown["embeds"]
    assert embed["title"] == "❌ Moderator verdict: Disputed"
    assert "The speech was later retracted" in embed["description"]
    assert f"<@{world.dan}>" in embed["description"]
    logged = await fake.wait_for_message(world.modlog)
    assert "**override** · submission #1" in logged["content"] and "retracted" in logged["content"]
    sub = bot.store.get_submission(1)
    assert (
        sub is not None and sub.human_verdict == "disputed" and sub.effective_verdict == "disputed"
    )
    [action] = bot.store.mod_actions_for(1)
    assert (action.action, action.moderator_id, action.bot_verdict) == (
        "override",
        world.dan,
        "verified",
    )
    await eventually(lambda: any(r.kind == "mod_log" for r in bot.store.replies_for(1)))
    kinds = {r.kind for r in bot.store.replies_for(1)}
    assert {"verdict", "moderator_verdict", "mod_log"} <= kinds


async def test_mod_commands_in_the_thread_history_reverify_and_export(
    world: World, bot: VerbatimBot
) -> None:
    fake = world.fake
    post_id, verdict = await post_and_wait(world, GOOD_QUOTE)
    fake.click_button(int(verdict["id"]), "verbatim:vote:1:accurate", world.bob)
    await wait_for_action(fake, lambda a: a.kind == "message_edit")

    reject = fake.invoke_slash(
        world.guild, post_id, world.dan, "mod", {"reason": "Misattributed"}, subcommand="reject"
    )
    assert "is now **disputed**" in await ephemeral_answer(world, reject)

    again = fake.invoke_slash(world.guild, post_id, world.dan, "mod", subcommand="reverify")
    assert "queued for a new check" in await ephemeral_answer(world, again)
    second = await wait_for_verdict(fake, post_id)
    [embed] = second["embeds"]
    assert embed["title"] == "✅ AI Verified"  # the bot's own verdict, shown as such
    assert "Disputed (wins over the bot's)" in field_named(embed, "Moderator verdict")
    # The mark on the post stays the moderator's.
    await wait_for_action(fake, lambda a: a.kind == "reaction_add" and a.params["emoji"] == "❌")
    assert fake.reactions(post_id) == [("❌", fake.bot_user_id)]

    history = fake.invoke_slash(world.guild, post_id, world.dan, "mod", subcommand="history")
    rec = await fake.wait_for_response(history)
    assert rec.response is not None
    lines = rec.response.data["embeds"][0]["description"]
    for words in ("submitted #1", "check done: verified", "vote accurate", "reject", "reverify"):
        assert words in lines

    export = fake.invoke_slash(
        world.guild, world.quotes, world.dan, "mod", {"format": "csv"}, subcommand="export"
    )
    rec = await fake.wait_for_response(export)
    message = await interaction_message(world, rec.id, ephemeral=True)
    [attachment] = message["attachments"]
    data = fake.attachment_bytes(int(attachment["id"])).decode()
    assert data.startswith("id,") and GOOD_QUOTE in data and "disputed" in data

    outside = fake.invoke_slash(world.guild, world.general, world.dan, "mod", subcommand="history")
    assert "Give the submission number" in await ephemeral_answer(world, outside)
    missing = fake.invoke_slash(
        world.guild, world.general, world.dan, "mod", {"submission": 99}, subcommand="history"
    )
    assert await ephemeral_answer(world, missing) == "There is no submission #99."


# -- restarts, mentions, extensions -----------------------------------------------------------


async def test_bot_process_killed_while_checking_finishes_the_job_after_a_restart(
    world: World,
) -> None:
    """``python -m bot`` (token from the environment, config file pointing at the fake) is
    SIGKILLed mid-check; the next start finds the check and finishes it."""
    fake, sources = world.fake, world.sources
    process = await start_bot_process(world, write_config_file(world))
    try:
        posted = fake.post_message(
            world.quotes, world.alice, post_text(GOOD_QUOTE, sources.url("/slow"))
        )
        await asyncio.wait_for(sources.slow_requested.wait(), 10)
        await wait_for_action(fake, lambda a: a.kind == "thread_create")
    finally:
        process.kill()
        await process.wait()
    assert process.returncode == -signal.SIGKILL
    sources.release()
    mark = fake.mark()
    async with running_bot(world) as bot:
        verdict = await wait_for_verdict(fake, int(posted["id"]), since=mark)
        assert verdict["embeds"][0]["title"] == "✅ AI Verified"
        assert [c.outcome for c in bot.store.checks_for(1)] == ["interrupted", "done"]
        sub = bot.store.get_submission(1)
        assert sub is not None and sub.status == "verified" and sub.thread_id == int(posted["id"])


async def test_bot_stopped_while_checking_finishes_the_job_after_a_restart(world: World) -> None:
    fake, sources = world.fake, world.sources
    async with running_bot(world) as first:
        posted = fake.post_message(
            world.quotes, world.alice, post_text(GOOD_QUOTE, sources.url("/slow"))
        )
        await asyncio.wait_for(sources.slow_requested.wait(), 10)
        sub = first.store.get_submission(1)
        assert sub is not None and sub.status == "checking"
    # The bot went away mid-check: the check is still marked running, no verdict was posted.
    assert not any(m["embeds"] for m in fake.messages(int(posted["id"])))
    sources.release()
    mark = fake.mark()
    async with running_bot(world) as second:
        verdict = await wait_for_verdict(fake, int(posted["id"]), since=mark)
        assert verdict["embeds"][0]["title"] == "✅ AI Verified"
        outcomes = [c.outcome for c in second.store.checks_for(1)]
        assert outcomes == ["interrupted", "done"]
        done = second.store.get_submission(1)
        assert done is not None and done.status == "verified"


async def test_no_mention_in_member_text_ever_fires(world: World, bot: VerbatimBot) -> None:
    fake = world.fake
    sneaky = f"@everyone <@{world.bob}> <@&{world.mod_role}> **look** [link](https://x.test)"
    text = post_text(f"{sneaky} {GOOD_QUOTE}", world.sources.url(), author=f"<@{world.bob}> (2024)")
    posted = fake.post_message(world.quotes, world.alice, text)
    verdict = await wait_for_verdict(fake, int(posted["id"]))
    description = verdict["embeds"][0]["description"]
    assert "@\u200beveryone" in description and f"\\<@{world.bob}\\>" in description
    assert "\\*\\*look\\*\\*" in description and "\\[link\\]" in description
    [thread] = fake.threads(world.quotes)
    fake.post_message(world.quotes, world.alice, f"hello @everyone <@{world.bob}>")
    help_reply = await fake.wait_for_message(world.quotes)
    assert help_reply["mentions"] == [] and not help_reply["mention_everyone"]
    assert thread["name"].startswith("#1 ")
    assert_nobody_pinged(fake)
    assert fake.sent_messages and all(
        a.fired is not None and not a.fired.any() for a in fake.sent_messages
    )


async def test_every_extension_loads(world: World, bot: VerbatimBot) -> None:
    assert set(bot.extensions) == set(EXTENSIONS)
    with_setup = {
        f"cogs.{m.name}"
        for m in pkgutil.iter_modules(cogs.__path__)
        if hasattr(importlib.import_module(f"cogs.{m.name}"), "setup")
    }
    assert with_setup == set(EXTENSIONS)  # no extension is forgotten in the list
    for name in EXTENSIONS:  # and each reloads cleanly
        await bot.reload_extension(name)
    assert set(bot.extensions) == set(EXTENSIONS)
    names = {c["name"] for c in world.fake.commands(world.guild)}
    assert {"quote", "mod", "Submit as quote"} <= names
    assert {"Errors", "Quotes", "Votes", "Moderation"} <= set(bot.cogs)
