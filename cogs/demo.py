"""``python -m bot demo``: the real bot, a local stand-in for Discord, and a local news page.

Nothing leaves the machine: FakeDiscord (bot/fakediscord) plays Discord on 127.0.0.1, an aiohttp
server serves the demo article (bot/demo_content.py), and members post and click as scripted
while every step the bot takes is printed as it happens. Not an extension.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from aiohttp import web

from bot import demo_content
from bot.config import Config, DatabaseConfig, DiscordConfig, FetchConfig
from bot.fakediscord import BotAction, FakeDiscord
from bot.render import embed_text
from cogs.client import VerbatimBot, endpoints

STEP_TIMEOUT = 30.0
EPHEMERAL = 1 << 6
LOADING = 1 << 7


class Narrator:
    """Prints the bot's actions, in order, as FakeDiscord records them."""

    def __init__(self, fake: FakeDiscord, out: TextIO, names: dict[int, str]) -> None:
        self.fake = fake
        self.out = out
        self.names = names  # channel and member ids -> how to call them
        self.cursor = 0

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def member(self, who: int, where: int, text: str) -> None:
        self.say(f"\n{self.names[who]} posts in {self.names[where]}:")
        self.say(textwrap.indent(text, "    "))

    async def until(self, done: Callable[[BotAction], bool]) -> BotAction:
        """Narrate the bot's actions up to and including the first for which ``done`` holds."""
        while True:
            action = await self.fake.wait_for(lambda a: True, STEP_TIMEOUT, since=self.cursor)
            self.cursor = action.index + 1
            self.describe(action)
            if action.ok and done(action):
                return action

    def describe(self, action: BotAction) -> None:
        bot = "Verbatim"
        if not action.ok:
            self.say(f"  ({bot}'s request {action.method} {action.route} failed: {action.status})")
        elif action.kind == "reaction_add":
            self.say(f"  {bot} reacts {action.params.get('emoji')} to the post")
        elif action.kind == "reaction_remove":
            self.say(f"  {bot} removes its {action.params.get('emoji')} reaction")
        elif action.kind == "thread_create" and isinstance(action.response, dict):
            name = str(action.response.get("name", ""))
            self.names[int(action.response["id"])] = f"the thread “{name}”"
            self.say(f"  {bot} opens a thread on the post: “{name}”")
        elif action.kind in ("message_create", "message_edit") and action.message is not None:
            self._message(action)

    def _message(self, action: BotAction) -> None:
        message: dict[str, Any] = action.message or {}
        flags = int(message.get("flags", 0))
        if flags & LOADING:
            return
        where = self.names.get(int(message["channel_id"]), "a channel")
        if flags & EPHEMERAL:
            rec = self.fake.core.interactions.get(action.interaction_id or 0)
            who = self.names.get(rec.user_id, "the member") if rec else "the member"
            head = f"  Verbatim answers privately (only {who} sees it):"
        elif action.kind == "message_edit":
            head = f"  Verbatim updates the tally under its verdict in {where}:"
        else:
            head = f"  Verbatim posts in {where}:"
        self.say(head)
        if action.kind == "message_edit":
            self.say("    " + "  ".join(_buttons(message)))
            return
        if message.get("content"):
            self.say(textwrap.indent(str(message["content"]).replace("**", ""), "    "))
        for embed in message.get("embeds", []):
            self.say(textwrap.indent(embed_text(embed), "    "))
        buttons = _buttons(message)
        if buttons:
            self.say("    " + "  ".join(buttons))


def _buttons(message: dict[str, Any]) -> list[str]:
    return [
        f"[{(c.get('emoji') or {}).get('name', '')} {c.get('label', '')}]".replace("[ ", "[")
        for row in message.get("components", [])
        for c in row.get("components", [])
        if c.get("type") == 2
    ]


def _demo_config(fake: FakeDiscord, db: Path, guild: int, quotes: int, modlog: int) -> Config:
    return Config(
        # The article is served on 127.0.0.1; only this demo's own config lets the fetcher in.
        fetch=FetchConfig(allow_private_networks=True, retries=0),
        database=DatabaseConfig(path=str(db)),
        discord=DiscordConfig(
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
            quote_channels=[quotes],
            mod_log_channel=modlog,
            command_guilds=[guild],
            cooldown_seconds=0.0,
            guild_ready_timeout=0.05,
            workers=2,
        ),
    )


async def _serve_article() -> tuple[web.AppRunner, str]:
    app = web.Application()

    async def article(request: web.Request) -> web.Response:
        return web.Response(text=demo_content.article_html(), content_type="text/html")

    app.router.add_get(demo_content.PATH, article)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}{demo_content.PATH}"


async def run_demo(out: TextIO | None = None) -> int:
    """Run the scripted conversation; 0 when every step happened, 1 if one did not."""
    out = out or sys.stdout
    logging.getLogger("discord").setLevel(logging.ERROR)  # no voice-support warnings
    fake = FakeDiscord(bot_name="Verbatim")
    await fake.start()
    runner, url = await _serve_article()
    guild = fake.add_guild("Verbatim demo")
    quotes = fake.add_channel(guild, "quotes")
    modlog = fake.add_channel(guild, "mod-log")
    alice = fake.add_member(guild, "alice")
    bob = fake.add_member(guild, "bob")
    names = {quotes: "#quotes", modlog: "#mod-log", alice: "alice", bob: "bob"}
    narrator = Narrator(fake, out, names)
    say = narrator.say
    try:
        with tempfile.TemporaryDirectory(prefix="verbatim-demo-") as tmp:
            config = _demo_config(fake, Path(tmp) / "demo.db", guild, quotes, modlog)
            with endpoints(config.discord):
                bot = VerbatimBot(config)
                task = asyncio.create_task(bot.start(fake.token))
                try:
                    await _script(bot, task, narrator, url, quotes, alice, bob)
                except (TimeoutError, RuntimeError) as exc:
                    say(f"\nThe demo stopped early: {exc}")
                    return 1
                finally:
                    await bot.close()
                    await asyncio.gather(task, return_exceptions=True)
    finally:
        await runner.cleanup()
        await fake.stop()
    say("\nThat was the real bot. To run it on your server: set DISCORD_TOKEN and the quote")
    say("channel ids in config.toml, then `python -m bot` (see README, “Running the bot”).")
    return 0


async def _script(
    bot: VerbatimBot,
    task: asyncio.Task[None],
    narrator: Narrator,
    url: str,
    quotes: int,
    alice: int,
    bob: int,
) -> None:
    fake, say = narrator.fake, narrator.say
    ready = asyncio.ensure_future(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=STEP_TIMEOUT, return_when="FIRST_COMPLETED")
    if task in done or not done:
        ready.cancel()
        raise RuntimeError("the bot did not connect to the local Discord stand-in")
    narrator.cursor = len(fake.actions)  # start-up requests (login, commands) are not the story
    say("Verbatim demo: the real bot, a local stand-in for Discord, and a local news article")
    say(f"(the article: {url})")

    def verdict_in(thread: int) -> Callable[[BotAction], bool]:
        return lambda a: (
            a.kind == "reaction_add"
            and a.params.get("emoji") in ("✅", "❌", "❔")
            and a.message is not None
            and int(a.message["id"]) == thread
        )

    say("\n— 1. A member posts a quote exactly as the article has it —")
    text = demo_content.post(demo_content.VERIFIED_QUOTE, url)
    narrator.member(alice, quotes, text)
    first = int(fake.post_message(quotes, alice, text)["id"])
    await narrator.until(verdict_in(first))

    say("\n— 2. Another member agrees, with the Accurate button —")
    verdict = _last_verdict(fake, first)
    say("\nbob clicks [Accurate] under the verdict")
    fake.click_button(verdict, "verbatim:vote:1:accurate", bob)
    await narrator.until(lambda a: a.kind == "message_create" and _ephemeral(a))

    say("\n— 3. Another line of hers, with one word changed —")
    text = demo_content.post(demo_content.DOCTORED_QUOTE, url)
    narrator.member(alice, quotes, text)
    second = int(fake.post_message(quotes, alice, text)["id"])
    await narrator.until(verdict_in(second))

    say("\n— 4. The submitter tries to vote on their own quote —")
    say("\nalice clicks [Accurate] under her own quote's verdict")
    fake.click_button(_last_verdict(fake, second), "verbatim:vote:2:accurate", alice)
    await narrator.until(lambda a: _ephemeral(a))


def _ephemeral(action: BotAction) -> bool:
    message = action.message or {}
    if action.kind == "interaction_callback" and isinstance(action.json, dict):
        return bool((action.json.get("data") or {}).get("flags", 0) & EPHEMERAL)
    return bool(int(message.get("flags", 0)) & EPHEMERAL) and not message.get("flags", 0) & LOADING


def _last_verdict(fake: FakeDiscord, thread: int) -> int:
    for message in reversed(fake.messages(thread)):
        if message.get("components"):
            return int(message["id"])
    raise RuntimeError("no verdict with buttons was posted")
