"""The fake Discord server, proven with a real discord.py `commands.Bot` running against it."""

from __future__ import annotations

import asyncio
import io
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from fakediscord_support import discord_py_pointed_at, running_client

from bot.fakediscord import FakeDiscord
from bot.fakediscord.permissions import SEND_MESSAGES, VIEW_CHANNEL

TIMEOUT = 10.0


@dataclass
class Setup:
    guild_id: int
    channel_id: int
    other_channel_id: int
    alice: int
    mod: int
    mod_role: int


@dataclass
class Seen:
    """What the test bot's event handlers observed, as queues the tests await."""

    messages: asyncio.Queue[discord.Message] = field(default_factory=asyncio.Queue)
    edits: asyncio.Queue[tuple[discord.Message, discord.Message]] = field(
        default_factory=asyncio.Queue
    )
    raw_edits: asyncio.Queue[discord.RawMessageUpdateEvent] = field(default_factory=asyncio.Queue)
    deletes: asyncio.Queue[discord.RawMessageDeleteEvent] = field(default_factory=asyncio.Queue)
    reactions: asyncio.Queue[discord.RawReactionActionEvent] = field(default_factory=asyncio.Queue)
    modal_values: asyncio.Queue[dict[str, str]] = field(default_factory=asyncio.Queue)
    threads: asyncio.Queue[discord.Thread] = field(default_factory=asyncio.Queue)
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    errors: asyncio.Queue[BaseException] = field(default_factory=asyncio.Queue)


async def next_item(queue: asyncio.Queue[Any]) -> Any:
    return await asyncio.wait_for(queue.get(), TIMEOUT)


class ConfirmView(discord.ui.View):
    """A persistent view: survives restarts because its custom_id is fixed and timeout is None."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(
        label="Confirm", style=discord.ButtonStyle.success, custom_id="verbatim:confirm"
    )
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.edit_message(
            content=f"confirmed by {interaction.user.id}", view=None
        )

    @discord.ui.select(
        custom_id="verbatim:verdict",
        options=[
            discord.SelectOption(label="Accurate", value="accurate"),
            discord.SelectOption(label="Misquote", value="misquote"),
        ],
    )
    async def verdict(
        self, interaction: discord.Interaction, select: discord.ui.Select[Any]
    ) -> None:
        await interaction.response.defer()  # type 6: acknowledge, edit the message later
        await interaction.edit_original_response(content=f"verdict: {select.values[0]}")


class ReportModal(discord.ui.Modal, title="Report a quote"):
    source: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Source URL", custom_id="source")
    note: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Note", custom_id="note", style=discord.TextStyle.paragraph, required=False
    )

    def __init__(self, seen: Seen) -> None:
        super().__init__(custom_id="verbatim:report")
        self.seen = seen
        self.year: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="year", required=False, max_length=4
        )
        self.add_item(discord.ui.Label(text="Year", component=self.year))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.seen.modal_values.put_nowait(
            {"source": self.source.value, "note": self.note.value, "year": self.year.value}
        )
        await interaction.response.send_message(
            f"report received: {self.source.value}", ephemeral=True
        )


def make_bot(setup: Setup, seen: Seen, *, message_content: bool = True) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = message_content
    intents.members = True
    bot = commands.Bot(
        command_prefix="!",
        intents=intents,
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    guild = discord.Object(id=setup.guild_id)

    @app_commands.command(name="check", description="Check a quote")
    @app_commands.describe(quote="The quote", year="Year of the source")
    async def check(
        interaction: discord.Interaction, quote: str, year: int, private: bool = False
    ) -> None:
        await interaction.response.send_message(f"checked {quote!r} ({year})", ephemeral=private)

    @app_commands.command(name="report", description="Report a quote")
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ReportModal(seen))

    @app_commands.command(name="source", description="Look up a source")
    async def source(interaction: discord.Interaction, title: str) -> None:
        await interaction.response.send_message(f"source {title}")

    @source.autocomplete("title")
    async def source_titles(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        titles = ["Hamlet", "Henry V", "Macbeth"]
        return [
            app_commands.Choice(name=t, value=t)
            for t in titles
            if t.lower().startswith(current.lower())
        ]

    settings = app_commands.Group(name="verbatim", description="Verbatim settings")
    show = app_commands.Group(name="settings", description="Settings", parent=settings)

    @show.command(name="show", description="Show a setting")
    async def show_setting(interaction: discord.Interaction, key: str) -> None:
        await interaction.response.send_message(f"setting {key} = default", ephemeral=True)

    @app_commands.command(name="credit", description="Credit a member")
    async def credit(
        interaction: discord.Interaction,
        member: discord.Member,
        channel: discord.TextChannel,
        role: discord.Role,
    ) -> None:
        await interaction.response.send_message(
            f"{member.display_name} in #{channel.name} as {role.name}"
        )

    @app_commands.command(name="lifecycle", description="Reply, look, follow up, delete")
    async def lifecycle(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        original = await interaction.original_response()
        await interaction.followup.send(f"secret about {original.id}", ephemeral=True)
        await interaction.delete_original_response()

    @app_commands.context_menu(name="Check quote")
    async def check_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"checking: {message.content}")

    for cmd in (check, report, source, settings, credit, lifecycle, check_message):
        bot.tree.add_command(cmd, guild=guild)

    async def setup_hook() -> None:
        bot.add_view(ConfirmView())
        await bot.tree.sync(guild=guild)

    async def before_identify_hook(shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py waits 5 s before a re-IDENTIFY; nothing to pace here

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    bot.before_identify_hook = before_identify_hook  # type: ignore[method-assign]

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        seen.messages.put_nowait(message)
        if message.content.startswith("!thread"):
            thread = await message.create_thread(name="Quote check")
            await thread.send("Working on it in this thread.")
        elif message.content.startswith("!newthread"):
            assert isinstance(message.channel, discord.TextChannel)
            thread = await message.channel.create_thread(
                name="Discussion", type=discord.ChannelType.public_thread
            )
            await thread.join()
            await thread.send("a thread of its own")
        elif message.content.startswith("!react"):
            await message.add_reaction("\N{WHITE HEAVY CHECK MARK}")
        elif message.content.startswith("!panel"):
            await message.channel.send("Please confirm", view=ConfirmView())
        elif message.content.startswith("!ping-them"):
            # Names alice in the text: allowed_mentions=none() must keep it from pinging.
            await message.channel.send(f"hey <@{setup.alice}> and <@&{setup.mod_role}> @everyone")
        elif message.content.startswith("!attach"):
            data = await message.attachments[0].read()
            await message.channel.send(
                f"read {len(data)} bytes",
                file=discord.File(io.BytesIO(data[::-1]), filename="reversed.txt"),
            )
        elif message.content.startswith("!say"):
            try:
                await message.channel.send(message.content.removeprefix("!say ") * 2001)
            except discord.HTTPException as exc:
                seen.errors.put_nowait(exc)
        elif message.content.startswith("!quote"):
            await message.reply(f"echo: {message.content}")

    @bot.event
    async def on_message_edit(before: discord.Message, after: discord.Message) -> None:
        seen.edits.put_nowait((before, after))

    @bot.event
    async def on_raw_message_edit(payload: discord.RawMessageUpdateEvent) -> None:
        seen.raw_edits.put_nowait(payload)

    @bot.event
    async def on_raw_message_delete(payload: discord.RawMessageDeleteEvent) -> None:
        seen.deletes.put_nowait(payload)

    @bot.event
    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        seen.reactions.put_nowait(payload)

    @bot.event
    async def on_thread_create(thread: discord.Thread) -> None:
        seen.threads.put_nowait(thread)

    @bot.event
    async def on_resumed() -> None:
        seen.resumed.set()

    return bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    # Every route the real discord.py client used in a test is one this server implements.
    assert server.unimplemented_calls == []


@pytest.fixture
def setup(fake: FakeDiscord) -> Setup:
    gid = fake.add_guild("Quote Club")
    cid = fake.add_channel(gid, "quotes")
    other = fake.add_channel(gid, "off-topic")
    mod_role = fake.add_role(gid, "Moderator", permissions=1 << 13)  # MANAGE_MESSAGES
    alice = fake.add_member(gid, "alice")
    mod = fake.add_member(gid, "mod", roles=[mod_role])
    return Setup(gid, cid, other, alice, mod, mod_role)


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
async def bot(fake: FakeDiscord, setup: Setup, seen: Seen) -> AsyncIterator[commands.Bot]:
    client = make_bot(setup, seen)
    async with running_client(client, fake):
        yield client


# login and cache ------------------------------------------------------------------------------


async def test_login_ready_and_guild_cache(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    assert bot.user is not None and bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(setup.guild_id)
    assert guild is not None and guild.name == "Quote Club"
    assert {c.name for c in guild.text_channels} == {"quotes", "off-topic"}
    alice = guild.get_member(setup.alice)
    mod = guild.get_member(setup.mod)
    assert alice is not None and alice.name == "alice"
    assert mod is not None and [r.name for r in mod.roles] == ["@everyone", "Moderator"]
    assert mod.guild_permissions.manage_messages and not alice.guild_permissions.manage_messages
    assert guild.me.guild_permissions.send_messages
    channel = guild.get_channel(setup.channel_id)
    assert isinstance(channel, discord.TextChannel)
    assert channel.permissions_for(guild.me).create_public_threads
    # Identify carried the intents we asked for, and the commands were synced to the guild.
    identify = next(d for op, d in fake.gateway_log if op == 2)
    assert identify["intents"] == bot.intents.value
    assert {c["name"] for c in fake.commands(setup.guild_id)} == {
        "check",
        "report",
        "source",
        "verbatim",
        "credit",
        "lifecycle",
        "Check quote",
    }
    # fetch_* go over REST and parse too
    fetched = await guild.fetch_member(setup.alice)
    assert fetched.id == setup.alice
    fetched_channel = await bot.fetch_channel(setup.channel_id)
    assert fetched_channel.id == setup.channel_id


async def test_bad_token_is_rejected_like_discord(
    fake: FakeDiscord, setup: Setup, seen: Seen
) -> None:
    client = make_bot(setup, seen)
    with discord_py_pointed_at(fake), pytest.raises(discord.LoginFailure):
        try:
            await client.login("not-the-token")
        finally:
            await client.close()
    assert fake.actions[-1].status == 401


async def test_privileged_intents_must_be_enabled(seen: Seen) -> None:
    """An app without privileged intents enabled is refused at IDENTIFY (close 4014)."""
    strict = FakeDiscord(privileged_intents=0)
    await strict.start()
    try:
        gid = strict.add_guild("Strict")
        cid = strict.add_channel(gid, "general")
        client = make_bot(Setup(gid, cid, cid, 0, 0, 0), seen)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with running_client(client, strict):
                pass
    finally:
        await strict.stop()


async def test_gateway_speaks_zlib_stream(fake: FakeDiscord, setup: Setup) -> None:
    """discord.py asks for zlib-stream; a raw client gets HELLO then READY compressed that way."""
    inflate = zlib.decompressobj()
    url = fake.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = await ws.receive_bytes(timeout=TIMEOUT)
        assert hello.endswith(b"\x00\x00\xff\xff")
        assert b'"op":10' in inflate.decompress(hello)
        await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}}})
        ready = inflate.decompress(await ws.receive_bytes(timeout=TIMEOUT))
        assert b'"t":"READY"' in ready
        guild_create = inflate.decompress(await ws.receive_bytes(timeout=TIMEOUT))
        assert b'"t":"GUILD_CREATE"' in guild_create and b"Quote Club" in guild_create


# messages -------------------------------------------------------------------------------------


async def test_member_message_reaches_bot_and_reply_is_recorded(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    posted = fake.post_message(setup.channel_id, setup.alice, "!quote To be or not to be")
    received = await next_item(seen.messages)
    assert received.id == int(posted["id"])
    assert received.content == "!quote To be or not to be"
    assert isinstance(received.author, discord.Member) and received.author.id == setup.alice
    reply = await fake.wait_for_message(setup.channel_id)
    assert reply["content"] == "echo: !quote To be or not to be"
    assert reply["message_reference"]["message_id"] == posted["id"]
    action = fake.sent_messages[-1]
    assert action.allowed_mentions is not None and action.allowed_mentions["parse"] == []
    assert action.fired is not None and not action.fired.any()
    assert [m["id"] for m in fake.messages(setup.channel_id)] == [posted["id"], reply["id"]]


async def test_allowed_mentions_none_keeps_named_users_from_being_pinged(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    fake.post_message(setup.channel_id, setup.mod, "!ping-them")
    sent = await fake.wait_for(lambda a: a.kind == "message_create")
    assert f"<@{setup.alice}>" in sent.message["content"]  # type: ignore[index]
    assert sent.fired is not None and not sent.fired.any()
    assert sent.message["mentions"] == [] and sent.message["mention_roles"] == []  # type: ignore[index]


async def test_mentions_fire_when_the_bot_allows_them(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    """The recorder is not blind: without restrictions, a user mention is a ping."""
    channel = bot.get_channel(setup.channel_id)
    assert isinstance(channel, discord.TextChannel)
    fake.mark()
    await channel.send(f"hi <@{setup.alice}>", allowed_mentions=discord.AllowedMentions(users=True))
    action = await fake.wait_for(lambda a: a.kind == "message_create")
    assert action.fired is not None and action.fired.users == [setup.alice]


async def test_bot_creates_thread_on_message_and_posts_in_it(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    posted = fake.post_message(setup.channel_id, setup.alice, "!thread please")
    in_thread = await fake.wait_for_message(predicate=lambda m: m["content"].startswith("Working"))
    [thread] = fake.threads(parent_id=setup.channel_id)
    assert thread["id"] == posted["id"]  # a thread started from a message shares its id
    assert thread["type"] == 11 and thread["name"] == "Quote check"
    assert in_thread["channel_id"] == thread["id"]
    assert fake.message(int(posted["id"]))["thread"]["id"] == thread["id"]
    cached = bot.get_channel(int(thread["id"]))
    assert isinstance(cached, discord.Thread) and cached.parent_id == setup.channel_id


async def test_message_edit_and_delete_reach_the_bot(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    posted = fake.post_message(setup.channel_id, setup.alice, "a misquote")
    await next_item(seen.messages)
    fake.edit_message(int(posted["id"]), "the right quote")
    before, after = await next_item(seen.edits)
    assert (before.content, after.content) == ("a misquote", "the right quote")
    assert after.edited_at is not None
    fake.delete_message(int(posted["id"]))
    deleted = await next_item(seen.deletes)
    assert deleted.message_id == int(posted["id"])
    assert (
        deleted.cached_message is not None and deleted.cached_message.content == "the right quote"
    )
    assert fake.messages(setup.channel_id) == []


async def test_bot_reaction_is_recorded(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    posted = fake.post_message(setup.channel_id, setup.alice, "!react")
    action = await fake.wait_for(lambda a: a.kind == "reaction_add")
    assert action.ok and action.route.endswith("/reactions/{emoji}/@me")
    assert fake.reactions(int(posted["id"])) == [("\N{WHITE HEAVY CHECK MARK}", fake.bot_user_id)]
    raw = await next_item(seen.reactions)  # Discord echoes the bot's own reaction on the gateway
    assert raw.user_id == fake.bot_user_id and str(raw.emoji) == "\N{WHITE HEAVY CHECK MARK}"
    fake.add_reaction(int(posted["id"]), setup.alice, "\N{THUMBS UP SIGN}")
    member_reaction = await next_item(seen.reactions)
    assert member_reaction.user_id == setup.alice and member_reaction.member is not None


async def test_attachments_round_trip(fake: FakeDiscord, setup: Setup, bot: commands.Bot) -> None:
    fake.post_message(setup.channel_id, setup.alice, "!attach", attachments=[("quote.txt", b"abc")])
    reply = await fake.wait_for_message(setup.channel_id)
    assert reply["content"] == "read 3 bytes"
    [att] = reply["attachments"]
    assert att["filename"] == "reversed.txt" and fake.attachment_bytes(int(att["id"])) == b"cba"
    assert any(a.kind == "attachment_download" and a.ok for a in fake.actions)


async def test_limits_and_permissions_fail_like_discord(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    fake.post_message(setup.channel_id, setup.alice, "!say x")
    failed = await fake.wait_for(lambda a: a.route == "/channels/{channel_id}/messages")
    assert failed.status == 400 and failed.response["code"] == 50035
    assert "content" in failed.response["errors"]
    error = await next_item(seen.errors)
    assert isinstance(error, discord.HTTPException) and error.code == 50035

    fake.set_permission_overwrite(setup.other_channel_id, fake.bot_user_id, deny=SEND_MESSAGES)
    channel = bot.get_channel(setup.other_channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("should not be allowed")
    assert forbidden.value.code == 50013
    with pytest.raises(discord.HTTPException) as empty:
        await bot.http.send_message(
            setup.channel_id, params=discord.http.MultipartParameters({}, None, None)
        )
    assert empty.value.code == 50006


async def test_bot_gets_no_events_from_channels_it_cannot_see(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    fake.set_permission_overwrite(setup.other_channel_id, fake.bot_user_id, deny=VIEW_CHANNEL)
    fake.post_message(setup.other_channel_id, setup.alice, "hidden from the bot")
    fake.post_message(setup.channel_id, setup.alice, "visible")
    assert (await next_item(seen.messages)).content == "visible"
    assert seen.messages.empty()


async def test_without_message_content_intent_content_is_empty(
    fake: FakeDiscord, setup: Setup, seen: Seen
) -> None:
    client = make_bot(setup, seen, message_content=False)
    async with running_client(client, fake):
        fake.post_message(setup.channel_id, setup.alice, "secret words")
        message = await next_item(seen.messages)
        assert message.content == ""
        fake.post_message(setup.channel_id, setup.alice, f"<@{fake.bot_user_id}> hello")
        mentioned = await next_item(seen.messages)
        assert mentioned.content.endswith("hello")


# interactions ---------------------------------------------------------------------------------


async def test_slash_command_with_options_public_and_ephemeral(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    public = fake.invoke_slash(
        setup.guild_id, setup.channel_id, setup.alice, "check", {"quote": "Et tu", "year": 1599}
    )
    rec = await fake.wait_for_response(public)
    assert rec.response is not None and rec.response.type == 4 and not rec.response.ephemeral
    message = fake.message(rec.original_message_id or 0)
    assert message["content"] == "checked 'Et tu' (1599)"
    assert message["interaction_metadata"]["user"]["id"] == str(setup.alice)
    assert message in fake.messages(setup.channel_id)

    private = fake.invoke_slash(
        setup.guild_id,
        setup.channel_id,
        setup.alice,
        "check",
        {"quote": "Et tu", "year": 44, "private": True},
    )
    rec = await fake.wait_for_response(private)
    assert rec.response is not None and rec.response.ephemeral
    assert rec.response.data["flags"] & 64
    assert all(m["id"] != str(rec.original_message_id) for m in fake.messages(setup.channel_id))


async def test_slash_subcommand_group(fake: FakeDiscord, setup: Setup, bot: commands.Bot) -> None:
    inter = fake.invoke_slash(
        setup.guild_id,
        setup.channel_id,
        setup.mod,
        "verbatim",
        {"key": "threshold"},
        subcommand="settings show",
    )
    rec = await fake.wait_for_response(inter)
    assert rec.response is not None
    assert rec.response.data["content"] == "setting threshold = default" and rec.response.ephemeral


async def test_driving_rejects_input_a_discord_client_would_not_send(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    with pytest.raises(ValueError, match="required"):
        fake.invoke_slash(setup.guild_id, setup.channel_id, setup.alice, "check", {"quote": "x"})
    with pytest.raises(ValueError, match="integer"):
        fake.invoke_slash(
            setup.guild_id, setup.channel_id, setup.alice, "check", {"quote": "x", "year": "1599"}
        )
    with pytest.raises(ValueError, match="subcommand"):
        fake.invoke_slash(setup.guild_id, setup.channel_id, setup.alice, "verbatim", {"key": "k"})
    with pytest.raises(LookupError):
        fake.invoke_slash(setup.guild_id, setup.channel_id, setup.alice, "nope")


async def test_slash_command_opens_modal_and_submit_reaches_on_submit(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    opened = fake.invoke_slash(setup.guild_id, setup.channel_id, setup.alice, "report")
    rec = await fake.wait_for_response(opened)
    assert rec.modal is not None and rec.modal["custom_id"] == "verbatim:report"
    assert rec.modal["title"] == "Report a quote"
    with pytest.raises(ValueError, match="required"):
        fake.submit_modal(opened, "verbatim:report", {"note": "no source"})
    submitted = fake.submit_modal(opened, "verbatim:report", {"source": "https://example.org/q"})
    assert await next_item(seen.modal_values) == {
        "source": "https://example.org/q",
        "note": "",
        "year": "",
    }
    answer = await fake.wait_for_response(submitted)
    assert answer.response is not None and answer.response.ephemeral
    assert answer.response.data["content"] == "report received: https://example.org/q"


async def test_persistent_button_click_edits_message(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    fake.post_message(setup.channel_id, setup.alice, "!panel")
    panel = await fake.wait_for_message(
        setup.channel_id, lambda m: m["content"] == "Please confirm"
    )
    assert panel["components"][0]["components"][0]["custom_id"] == "verbatim:confirm"
    click = fake.click_button(int(panel["id"]), "verbatim:confirm", setup.mod)
    edit = await fake.wait_for(lambda a: a.kind == "message_edit")
    assert edit.callback_type == 7 and edit.interaction_id == int(click["id"])
    stored = fake.message(int(panel["id"]))
    assert stored["content"] == f"confirmed by {setup.mod}" and stored["components"] == []
    with pytest.raises(ValueError, match="no component"):
        fake.click_button(int(panel["id"]), "verbatim:confirm", setup.mod)


async def test_message_context_menu_defers_then_follows_up(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    target = fake.post_message(setup.channel_id, setup.alice, "All the world's a stage")
    inter = fake.invoke_message_command("Check quote", int(target["id"]), setup.mod)
    reply = await fake.wait_for_message(
        setup.channel_id, lambda m: m["content"].startswith("checking")
    )
    assert reply["content"] == "checking: All the world's a stage"
    rec = fake.interaction(inter)
    assert rec.response is not None and rec.response.type == 5
    assert reply["id"] == str(
        rec.original_message_id
    )  # the follow-up filled in the "thinking" message
    assert not reply["flags"] & 128


async def test_autocomplete_choices(fake: FakeDiscord, setup: Setup, bot: commands.Bot) -> None:
    typing = fake.autocomplete(
        setup.guild_id, setup.channel_id, setup.alice, "source", {"title": "h"}, "title"
    )
    rec = await fake.wait_for_response(typing)
    assert rec.choices == [
        {"name": "Hamlet", "value": "Hamlet"},
        {"name": "Henry V", "value": "Henry V"},
    ]


async def test_second_callback_is_rejected(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    inter = fake.invoke_slash(
        setup.guild_id, setup.channel_id, setup.alice, "check", {"quote": "q", "year": 1}
    )
    rec = await fake.wait_for_response(inter)
    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_base}/interactions/{rec.id}/{rec.token}/callback"
        async with session.post(url, json={"type": 4, "data": {"content": "again"}}) as resp:
            assert resp.status == 400
            assert (await resp.json())["code"] == 40060


# connection lifecycle -------------------------------------------------------------------------


async def test_resume_after_dropped_connection_replays_missed_events(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    identifies = sum(1 for op, _ in fake.gateway_log if op == 2)
    await fake.kill_connections()
    posted = fake.post_message(setup.channel_id, setup.alice, "sent while the bot was away")
    received = await next_item(seen.messages)
    assert received.id == int(posted["id"])
    await asyncio.wait_for(seen.resumed.wait(), TIMEOUT)
    assert any(op == 6 for op, _ in fake.gateway_log)
    assert sum(1 for op, _ in fake.gateway_log if op == 2) == identifies


async def test_invalidated_session_identifies_again(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    await fake.kill_connections(abrupt=True, invalidate_sessions=True)
    await fake.wait_until_connected(TIMEOUT)
    assert sum(1 for op, _ in fake.gateway_log if op == 2) == 2
    fake.post_message(setup.channel_id, setup.alice, "after re-identify")
    assert (await next_item(seen.messages)).content == "after re-identify"


async def test_clean_shutdown(fake: FakeDiscord, setup: Setup, seen: Seen) -> None:
    client = make_bot(setup, seen)
    async with running_client(client, fake):
        assert fake.connected
    assert client.is_closed()
    await fake.wait_until_disconnected(TIMEOUT)
    assert not fake.connected
    assert all(s.conn is None for s in fake.sessions)
    assert fake.failed_actions == []


async def test_modal_label_component_and_limits(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    opened = fake.invoke_slash(setup.guild_id, setup.channel_id, setup.alice, "report")
    rec = await fake.wait_for_response(opened)
    assert rec.modal is not None
    assert [c["type"] for c in rec.modal["components"]] == [1, 1, 18]  # two rows and a label
    with pytest.raises(ValueError, match="characters"):
        fake.submit_modal(opened, "verbatim:report", {"source": "s", "year": "15999"})
    fake.submit_modal(opened, "verbatim:report", {"source": "s", "year": "1599"})
    assert (await next_item(seen.modal_values))["year"] == "1599"


async def test_select_defer_update_then_edit_original(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    fake.post_message(setup.channel_id, setup.alice, "!panel")
    panel = await fake.wait_for_message(
        setup.channel_id, lambda m: m["content"] == "Please confirm"
    )
    with pytest.raises(ValueError, match="no option"):
        fake.select(int(panel["id"]), "verbatim:verdict", ["maybe"], setup.mod)
    pick = fake.select(int(panel["id"]), "verbatim:verdict", ["misquote"], setup.mod)
    edit = await fake.wait_for(lambda a: a.kind == "message_edit")
    assert edit.route == "/webhooks/{application_id}/{token}/messages/{message_id}"
    assert edit.params["message_id"] == "@original" and edit.interaction_id == int(pick["id"])
    rec = fake.interaction(pick)
    assert rec.response is not None and rec.response.type == 6
    assert fake.message(int(panel["id"]))["content"] == "verdict: misquote"


async def test_resolved_member_channel_and_role_options(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    inter = fake.invoke_slash(
        setup.guild_id,
        setup.channel_id,
        setup.alice,
        "credit",
        {"member": setup.mod, "channel": setup.other_channel_id, "role": setup.mod_role},
    )
    rec = await fake.wait_for_response(inter)
    assert rec.response is not None
    assert rec.response.data["content"] == "mod in #off-topic as Moderator"


async def test_original_response_followup_and_delete(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    inter = fake.invoke_slash(setup.guild_id, setup.channel_id, setup.alice, "lifecycle")
    deleted = await fake.wait_for(lambda a: a.kind == "message_delete")
    rec = fake.interaction(inter)
    assert deleted.message is not None and deleted.message["id"] == str(rec.original_message_id)
    [followup_id] = rec.followup_ids
    followup = fake.message(followup_id)
    assert followup["flags"] & 64
    assert followup["content"] == f"secret about {rec.original_message_id}"
    assert fake.messages(setup.channel_id) == []  # original deleted; the follow-up is ephemeral
    methods = [a.method for a in fake.actions if a.interaction_id == rec.id]
    assert methods == ["POST", "GET", "POST", "DELETE"]


async def test_standalone_thread_join_and_member_thread(
    fake: FakeDiscord, setup: Setup, seen: Seen, bot: commands.Bot
) -> None:
    fake.post_message(setup.channel_id, setup.alice, "!newthread")
    posted = await fake.wait_for_message(predicate=lambda m: m["content"] == "a thread of its own")
    [thread] = fake.threads(setup.channel_id)
    assert posted["channel_id"] == thread["id"] and thread["type"] == 11
    assert any(a.kind == "thread_join" and a.ok for a in fake.actions)
    system = [m for m in fake.messages(setup.channel_id) if m["type"] == 18]
    assert [m["content"] for m in system] == ["Discussion"]
    assert (await next_item(seen.threads)).id == int(thread["id"])
    member_thread = fake.create_thread(setup.channel_id, "Alice's thread", setup.alice)
    created = await next_item(seen.threads)
    assert created.id == int(member_thread["id"]) and created.owner_id == setup.alice


async def test_persistent_view_survives_a_restart(
    fake: FakeDiscord, setup: Setup, seen: Seen
) -> None:
    first = make_bot(setup, seen)
    async with running_client(first, fake):
        fake.post_message(setup.channel_id, setup.alice, "!panel")
        panel = await fake.wait_for_message(setup.channel_id)
    ids_before = {c["name"]: c["id"] for c in fake.commands(setup.guild_id)}
    second = make_bot(setup, seen)
    async with running_client(second, fake):
        assert {c["name"]: c["id"] for c in fake.commands(setup.guild_id)} == ids_before
        fake.click_button(int(panel["id"]), "verbatim:confirm", setup.alice)
        edited = await fake.wait_for(lambda a: a.kind == "message_edit")
        assert edited.message is not None
        assert edited.message["content"] == f"confirmed by {setup.alice}"


async def test_entities_added_while_connected_reach_the_cache(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    joined: asyncio.Future[discord.Member] = asyncio.get_running_loop().create_future()

    async def on_member_join(member: discord.Member) -> None:
        joined.set_result(member)

    bot.add_listener(on_member_join)
    bob = fake.add_member(setup.guild_id, "bob")
    member = await asyncio.wait_for(joined, TIMEOUT)
    assert member.id == bob and bot.get_guild(setup.guild_id).get_member(bob) is not None  # type: ignore[union-attr]


async def test_interaction_deadline_expires_late_answers(
    fake: FakeDiscord, setup: Setup, bot: commands.Bot
) -> None:
    fake.interaction_deadline = 0.0
    fake.invoke_slash(
        setup.guild_id, setup.channel_id, setup.alice, "check", {"quote": "q", "year": 1}
    )
    late = await fake.wait_for(lambda a: a.kind == "interaction_callback")
    assert late.status == 404 and late.response["code"] == 10062


@pytest.mark.parametrize(
    ("body", "error_path"),
    [
        ({"embeds": [{"title": "t" * 257}]}, ["embeds", "0", "title"]),
        (
            {"embeds": [{"fields": [{"name": "n", "value": ""}]}]},
            ["embeds", "0", "fields", "0", "value"],
        ),
        ({"embeds": [{"description": "d", "url": "javascript:alert(1)"}]}, ["embeds", "0", "url"]),
        (
            {"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
            ["allowed_mentions", "users"],
        ),
        (
            {
                "content": "x",
                "components": [{"type": 2, "style": 1, "custom_id": "a", "label": "A"}],
            },
            ["components", "0", "type"],
        ),
    ],
)
async def test_discord_limits_reject_bad_bodies(
    fake: FakeDiscord, setup: Setup, body: dict[str, Any], error_path: list[str]
) -> None:
    url = f"{fake.api_base}/channels/{setup.channel_id}/messages"
    headers = {"Authorization": f"Bot {fake.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as resp,
    ):
        assert resp.status == 400
        payload = await resp.json()
    assert payload["code"] == 50035
    node = payload["errors"]
    for key in error_path:
        node = node[key]
    assert node["_errors"]
    assert fake.messages(setup.channel_id) == []
