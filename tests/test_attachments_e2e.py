"""A source's text given as a file through the context menu ("Submit as quote") and with
``/quote check``, in the real bot on FakeDiscord; the sources are served on loopback."""

from __future__ import annotations

import pytest
from bot_support import (
    GOOD_QUOTE,
    World,
    eventually,
    post_text,
    running_bot,
    wait_for_action,
    wait_for_verdict,
)
from sources_support import make_pdf
from supplied_support import (
    SUPPLIED_TEXT,
    Pages,
    assert_supplied_file_kept,
    bot_config,
    source_field,
)

from bot.fakediscord.state import JSON
from cogs.client import VerbatimBot

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
EXE = b"MZ\x90\x00\x03\x00\x00\x00 a program"
ACCEPTED = ".txt, .html, .htm or .pdf file"


async def private_answer(world: World, interaction: JSON) -> JSON:
    """The bot's answer to a deferred interaction, checked to be private."""
    rec = await world.fake.wait_for_response(interaction)
    assert rec.response is not None and rec.response.type == 5 and rec.response.ephemeral
    action = await wait_for_action(
        world.fake,
        lambda a: (
            a.interaction_id == rec.id
            and a.kind in ("message_create", "message_edit")
            and a.message is not None
            and not a.message.get("flags", 0) & 128  # no longer "thinking"
        ),
        since=0,
    )
    assert action.message is not None and action.message.get("flags", 0) & 64  # private
    return action.message


def downloads(world: World) -> int:
    return sum(1 for a in world.fake.actions if a.kind == "attachment_download")


def stored(bot: VerbatimBot, table: str) -> int:
    return int(bot.store.db[table].count)


def bot_posts(world: World, channel_id: int) -> list[JSON]:
    return [m for m in world.fake.messages(channel_id) if m["author"]["bot"]]


# -- the context menu -------------------------------------------------------------------------


async def test_the_menu_checks_a_post_against_the_first_file_that_reads(
    world: World, pages: Pages
) -> None:
    """Bob posts a quote with an image and the printed text attached, outside the quote
    channels; Alice submits it through the menu. The page at the link no longer has the
    quote, so only the file can verify it."""
    fake = world.fake
    pages.change()
    async with running_bot(world, bot_config(world)) as bot:
        target = fake.post_message(
            world.general,
            world.bob,
            post_text(GOOD_QUOTE, pages.url()),
            attachments=[("photo.png", PNG), ("printed-edition.txt", SUPPLIED_TEXT.encode())],
        )
        target_id = int(target["id"])
        menu = fake.invoke_message_command("Submit as quote", target_id, world.alice)
        answer = await private_answer(world, menu)
        assert answer["content"] == f"Submitted as #1. The check runs in <#{target_id}>."

        verdict = await wait_for_verdict(fake, target_id)
        assert verdict["embeds"][0]["title"] == "✅ AI Verified"
        source = source_field(verdict)
        assert "**Verified against supplied text**" in source
        assert "printed-edition.txt" in source
        assert pages.server.hits["/page"] == 0  # nothing was fetched
        assert downloads(world) == 1  # the image was refused by its name, unread

        assert_supplied_file_kept(bot, 1, world.alice)
        assert not any(m["content"].startswith("📎") for m in fake.messages(target_id))
        assert all(r.kind != "supplied_refused" for r in bot.store.replies_for(1))


async def test_the_menu_checks_the_link_when_no_file_reads_and_says_why(
    world: World, pages: Pages
) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world, max_bytes=2048)) as bot:
        target = fake.post_message(
            world.general,
            world.bob,
            post_text(GOOD_QUOTE, pages.url()),
            attachments=[("setup_*now*.exe", EXE), ("long.txt", b"words " * 1000)],
        )
        target_id = int(target["id"])
        menu = fake.invoke_message_command("Submit as quote", target_id, world.alice)
        answer = str((await private_answer(world, menu))["content"])
        first, *rest = answer.split("\n")
        assert first == f"Submitted as #1. The check runs in <#{target_id}>."
        told = "\n".join(rest)
        assert told.startswith("📎 I could not use the attached file as the source")
        # The member's file name is escaped, and each refusal says what is accepted.
        assert r"- setup\_\*now\*.exe: .exe files cannot be read" in told
        assert "- long.txt is 6,000 bytes; supply" in told and "of at most 2,048 bytes" in told
        assert told.count(ACCEPTED) == 2

        note = await fake.wait_for_message(target_id, lambda m: m["content"].startswith("📎"))
        assert note["content"] == told
        verdict = await wait_for_verdict(fake, target_id)
        assert verdict["embeds"][0]["title"] == "✅ AI Verified"
        assert "read directly from the page" in source_field(verdict)
        assert pages.server.hits["/page"] >= 1
        assert downloads(world) == 0  # both refused by name and size before any download
        assert bot.service.supplied.for_submission(1) == []
        await eventually(
            lambda: any(r.kind == "supplied_refused" for r in bot.store.replies_for(1))
        )


# -- /quote check ------------------------------------------------------------------------------


def check_options(url: str, **more: object) -> dict[str, object]:
    return {"quote": GOOD_QUOTE, "source": url, "author": "Priya Raman", **more}


async def test_quote_check_judges_a_source_file_instead_of_the_link_and_saves_nothing(
    world: World, pages: Pages
) -> None:
    fake = world.fake
    pages.change()
    async with running_bot(world, bot_config(world)) as bot:
        [command] = [c for c in fake.commands(world.guild) if c["name"] == "quote"]
        [check_cmd] = [o for o in command["options"] if o["name"] == "check"]
        [option] = [o for o in check_cmd["options"] if o["name"] == "source_file"]
        assert option["type"] == 11 and not option.get("required", False)
        assert option["description"].startswith("The source's text as a .txt, .html or .pdf")

        # Without the file, the changed page does not hold the quote.
        plain = fake.invoke_slash(
            world.guild, world.general, world.alice, "quote", check_options(pages.url()), "check"
        )
        [embed] = (await private_answer(world, plain))["embeds"]
        assert embed["title"] != "✅ AI Verified"
        fetched = pages.server.hits["/page"]
        assert fetched == 1

        with_file = fake.invoke_slash(
            world.guild,
            world.general,
            world.alice,
            "quote",
            check_options(pages.url(), source_file=("print.txt", SUPPLIED_TEXT.encode())),
            "check",
        )
        answer = await private_answer(world, with_file)
        [embed] = answer["embeds"]
        assert embed["title"] == "✅ AI Verified"
        source = source_field(answer)
        assert "**Verified against supplied text**" in source and "print.txt" in source
        assert "nothing was saved" in embed["footer"]["text"]
        assert pages.server.hits["/page"] == fetched  # the link was not fetched again
        assert downloads(world) == 1

        assert stored(bot, "submissions") == 0
        assert stored(bot, "supplied_sources") == 0
        assert bot.store.count("checks") == 0
        assert bot_posts(world, world.general) == [] and bot_posts(world, world.quotes) == []


@pytest.mark.parametrize(
    ("attachment", "words", "downloaded"),
    [
        (("tool.exe", EXE), "tool.exe: .exe files cannot be read", 0),
        (("long.txt", b"words " * 1000), "long.txt is 6,000 bytes", 0),
        (("notes.txt", PNG), "an image", 1),
        (("scan.pdf", make_pdf([[], []])), "without a text layer", 1),
    ],
)
async def test_quote_check_refuses_a_file_it_cannot_use_clearly(
    world: World, pages: Pages, attachment: tuple[str, bytes], words: str, downloaded: int
) -> None:
    fake = world.fake
    async with running_bot(world, bot_config(world, max_bytes=2048)) as bot:
        inter = fake.invoke_slash(
            world.guild,
            world.general,
            world.alice,
            "quote",
            check_options(pages.url(), source_file=attachment),
            "check",
        )
        answer = await private_answer(world, inter)
        text = str(answer["content"])
        assert text.startswith("The source file cannot be used: ")
        assert words in text and ".txt" in text
        assert "leave out `source_file`" in text
        assert not answer.get("embeds")  # no verdict
        assert pages.server.hits["/page"] == 0  # nor a check of the link instead
        assert downloads(world) == downloaded
        assert stored(bot, "submissions") == 0 and bot.store.count("checks") == 0
