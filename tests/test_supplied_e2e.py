"""Supplied source text in the real bot on FakeDiscord: a file attached to a quote post, the
"Source text" box of /quote submit, /mod supply-source, hostile files, and a restart."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from bot_support import (
    GOOD_QUOTE,
    OTHER_QUOTE,
    World,
    eventually,
    post_text,
    running_bot,
    wait_for_action,
    wait_for_verdict,
)
from sample_texts import ARTICLE_BLOCKS
from sources_support import make_pdf
from supplied_support import (
    SUPPLIED_TEXT,
    Pages,
    assert_supplied_file_kept,
    bot_config,
    source_field,
)

from bot.fakediscord.state import JSON

THIRD_QUOTE = "We are asking to be left alone on land nobody else wants."


async def ephemeral_text(world: World, interaction: JSON) -> str:
    """The private answer: the first response, or what a deferred one was filled in with."""
    rec = await world.fake.wait_for_response(interaction)
    assert rec.response is not None and rec.response.ephemeral
    if rec.response.type == 4:
        return str(rec.response.data.get("content", ""))
    action = await wait_for_action(
        world.fake,
        lambda a: (
            a.interaction_id == rec.id
            and a.kind in ("message_create", "message_edit")
            and isinstance(a.json, dict)
            and bool(a.json.get("content"))
        ),
        since=0,
    )
    return str(action.json["content"])


def downloads(world: World) -> int:
    return sum(1 for a in world.fake.actions if a.kind == "attachment_download")


# -- a file attached to a quote post ----------------------------------------------------------


async def test_a_post_with_a_text_file_is_checked_against_it_not_the_paywalled_link(
    world: World, pages: Pages
) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world)) as bot:
        posted = fake.post_message(
            world.quotes,
            world.alice,
            post_text(GOOD_QUOTE, pages.url("/paywalled")),
            attachments=[("printed-edition.txt", SUPPLIED_TEXT.encode())],
        )
        verdict = await wait_for_verdict(fake, int(posted["id"]))
        [embed] = verdict["embeds"]
        assert embed["title"] == "✅ AI Verified"
        source = source_field(verdict)
        assert "**Verified against supplied text**" in source
        assert "printed-edition.txt" in source
        assert pages.server.hits["/paywalled"] == 0  # nothing was fetched
        assert_supplied_file_kept(bot, 1, world.alice)
        [check] = bot.store.checks_for(1)
        assert check.input["supplied"]["filename"] == "printed-edition.txt"


async def test_a_pdf_attached_to_a_post_is_read_with_its_pages(world: World, pages: Pages) -> None:
    fake = world.fake
    pdf = make_pdf([["The Civic Ledger, print edition"], ARTICLE_BLOCKS[3].split(". ")])
    async with running_bot(world, bot_config(world)):
        posted = fake.post_message(
            world.quotes,
            world.alice,
            post_text(GOOD_QUOTE, pages.url("/paywalled")),
            attachments=[("print.pdf", pdf)],
        )
        verdict = await wait_for_verdict(fake, int(posted["id"]))
        assert verdict["embeds"][0]["title"] == "✅ AI Verified"
        assert "**Verified against supplied text**" in source_field(verdict)


async def test_hostile_files_get_a_clear_note_and_the_link_is_checked(
    world: World, pages: Pages
) -> None:
    """A wrong type, a file over the size limit and an image named .txt: each is refused with
    what is accepted, and the quote is checked against its link as if nothing was attached."""
    fake = world.fake
    async with running_bot(world, bot_config(world, max_bytes=2048)) as bot:
        cases = [
            (GOOD_QUOTE, ("essay.docx", b"PK\x03\x04 an office document"), ".docx files"),
            (OTHER_QUOTE, ("long.txt", b"words " * 1000), "is 6,000 bytes; supply"),
            (THIRD_QUOTE, ("notes.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "an image"),
        ]
        for number, (quote, attachment, words) in enumerate(cases, 1):
            before = downloads(world)
            posted = fake.post_message(
                world.quotes, world.alice, post_text(quote, pages.url()), attachments=[attachment]
            )
            post_id = int(posted["id"])
            note = await fake.wait_for_message(post_id, lambda m: m["content"].startswith("📎"))
            text = note["content"]
            assert "could not use the attached file" in text and words in text
            assert number != 2 or "of at most 2,048 bytes" in text
            assert ".txt, .html, .htm or .pdf file" in text
            verdict = await wait_for_verdict(fake, post_id)
            assert verdict["embeds"][0]["title"] == "✅ AI Verified"
            assert "read directly from the page" in source_field(verdict)
            assert bot.service.supplied.for_submission(number) == []
            await eventually(
                lambda n=number: any(r.kind == "supplied_refused" for r in bot.store.replies_for(n))
            )
            # The wrong type and the oversized file are refused before any download.
            assert downloads(world) == before + (1 if number == 3 else 0)


# -- the form ---------------------------------------------------------------------------------


async def test_the_form_takes_the_source_text(world: World, pages: Pages) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world)) as bot:
        opened = fake.invoke_slash(
            world.guild, world.quotes, world.bob, "quote", subcommand="submit"
        )
        rec = await fake.wait_for_response(opened)
        assert rec.modal is not None
        labels = [c["components"][0]["label"] for c in rec.modal["components"]]
        assert len(labels) == 5 and labels[-1] == "Source text (optional)"
        submitted = fake.submit_modal(
            opened,
            "verbatim:quote:submit",
            {
                "quote": GOOD_QUOTE,
                "author": "Priya Raman, columnist (2024)",
                "source": pages.url("/paywalled"),
                "source_text": ARTICLE_BLOCKS[3],
            },
        )
        answer = await ephemeral_text(world, submitted)
        assert answer.startswith("Submitted as #1.")
        [card] = [
            m for m in fake.messages(world.quotes) if m["author"]["id"] == str(fake.bot_user_id)
        ]
        assert "supplied with the form" in card["content"]
        verdict = await wait_for_verdict(fake, int(card["id"]))
        assert verdict["embeds"][0]["title"] == "✅ AI Verified"
        assert "**Verified against supplied text**" in source_field(verdict)
        sub = bot.store.get_submission(1)
        assert sub is not None and sub.year == 2024 and sub.person == "Priya Raman"
        [record] = bot.service.supplied.for_submission(1)
        assert record.origin == "modal" and record.text == ARTICLE_BLOCKS[3]

        # Text with no words in it is refused before anything is posted.
        opened = fake.invoke_slash(
            world.guild, world.quotes, world.bob, "quote", subcommand="submit"
        )
        await fake.wait_for_response(opened)
        values = {
            "quote": OTHER_QUOTE,
            "author": "Priya Raman",
            "source": pages.url("/paywalled"),
            "source_text": "… — !!! ???",
        }
        refused = fake.submit_modal(opened, "verbatim:quote:submit", values)
        answer = await ephemeral_text(world, refused)
        assert answer.startswith("The source text cannot be used") and ".pdf" in answer
        assert bot.store.get_submission(2) is None
        assert len([m for m in fake.messages(world.quotes) if m["author"]["bot"]]) == 1


# -- moderators supply a source -----------------------------------------------------------------


async def test_a_moderator_supplies_a_source_file_for_an_existing_submission(
    world: World, pages: Pages
) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world)) as bot:
        posted = fake.post_message(
            world.quotes, world.alice, post_text(GOOD_QUOTE, pages.url("/paywalled"))
        )
        post_id = int(posted["id"])
        first = await wait_for_verdict(fake, post_id)
        assert first["embeds"][0]["title"] == "❔ Could not verify"

        # Members cannot; a bad file gets a clear answer and changes nothing.
        with pytest.raises(PermissionError):
            fake.invoke_slash(
                world.guild,
                post_id,
                world.alice,
                "mod",
                {"file": ("mine.txt", SUPPLIED_TEXT.encode())},
                subcommand="supply-source",
            )
        bad = fake.invoke_slash(
            world.guild,
            post_id,
            world.dan,
            "mod",
            {"file": ("scan.pdf", make_pdf([[], []]))},
            subcommand="supply-source",
        )
        answer = await ephemeral_text(world, bad)
        assert "without a text layer" in answer and ".txt" in answer
        assert bot.service.supplied.for_submission(1) == []

        pdf = make_pdf([["The Civic Ledger, print edition"], [ARTICLE_BLOCKS[3]]])
        good = fake.invoke_slash(
            world.guild,
            world.quotes,
            world.dan,
            "mod",
            {"submission": 1, "file": ("print.pdf", pdf), "reason": "paywalled"},
            subcommand="supply-source",
        )
        assert await ephemeral_text(world, good) == "Submission #1 is queued for a new check."
        second = await wait_for_verdict(fake, post_id)
        assert second["embeds"][0]["title"] == "✅ AI Verified"
        assert "**Verified against supplied text**" in source_field(second)
        asked = await wait_for_action(
            fake,
            lambda a: (
                a.kind == "message_create"
                and a.channel_id == post_id
                and "source supplied: print.pdf; paywalled" in str(a.json)
            ),
            since=0,
        )
        assert asked.message is not None
        assert asked.message["embeds"][0]["title"] == "⏳ A moderator asked for a new check"
        logged = await fake.wait_for_message(
            world.modlog, lambda m: "supply-source" in m["content"]
        )
        assert "print.pdf" in logged["content"]
        [record] = bot.service.supplied.for_submission(1)
        assert (record.origin, record.supplied_by, record.revision) == ("moderator", world.dan, 2)
        assert bot.service.supplied.data(record.id) == pdf
        [action] = bot.store.mod_actions_for(1)
        assert (
            action.action == "reverify" and action.reason == "source supplied: print.pdf; paywalled"
        )
        await wait_for_action(
            fake, lambda a: a.kind == "reaction_add" and a.params["emoji"] == "✅"
        )
        await eventually(lambda: fake.reactions(post_id) == [("✅", fake.bot_user_id)])


# -- a restart ----------------------------------------------------------------------------------


async def test_a_restart_checks_a_queued_post_against_its_stored_file(
    world: World, pages: Pages
) -> None:
    fake = world.fake
    config = bot_config(world)
    held = asyncio.Event()
    async with running_bot(world, config) as first:

        async def stuck(inp: Any, **kwargs: Any) -> Any:
            held.set()
            await asyncio.Event().wait()  # the bot goes away before this check ends

        first.service.verify = stuck
        posted = fake.post_message(
            world.quotes,
            world.alice,
            post_text(GOOD_QUOTE, pages.url("/paywalled")),
            attachments=[("printed-edition.txt", SUPPLIED_TEXT.encode())],
        )
        await asyncio.wait_for(held.wait(), 10)
    served = downloads(world)
    mark = fake.mark()
    async with running_bot(world, config) as second:
        verdict = await wait_for_verdict(fake, int(posted["id"]), since=mark)
        assert verdict["embeds"][0]["title"] == "✅ AI Verified"
        assert "**Verified against supplied text**" in source_field(verdict)
        assert [c.outcome for c in second.store.checks_for(1)] == ["interrupted", "done"]
    assert downloads(world) == served  # checked against the stored text, not downloaded again
    assert pages.server.hits["/paywalled"] == 0
