"""Running the real Verbatim bot against FakeDiscord, with its sources served on loopback.

The bot is the one ``python -m bot`` runs (``cogs.client.VerbatimBot``), pointed at the fake by
its own config (``[discord] api_base`` / ``gateway_url``), checking quotes with the real
Verifier against a local aiohttp server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from fakediscord_support import wait_until_cached
from fetch_support import LocalServer
from sample_texts import ARTICLE_AUTHOR, article_html

from bot.config import Config, DatabaseConfig, DiscordConfig, FetchConfig
from bot.fakediscord import FakeDiscord
from bot.fakediscord.core import BotAction
from bot.fakediscord.state import JSON
from cogs.client import VerbatimBot, endpoints

MANAGE_MESSAGES = 1 << 13
TIMEOUT = 10.0

GOOD_QUOTE = "Community gardens are the bedrock for local resilience in cities."
DOCTORED_QUOTE = "Community gardens are the foundation for local resilience in cities."
OTHER_QUOTE = "Gardens play a vital role in helping to build health and trust in a neighbourhood."


def post_text(quote: str, url: str, author: str = f"{ARTICLE_AUTHOR}, columnist (2024)") -> str:
    return f"“{quote}”\n— {author}\nSource: {url}"


class Sources:
    """The sample article at /article, and /slow, which answers only once ``release()`` is called."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.slow_requested = asyncio.Event()
        app = web.Application()
        app.router.add_get("/article", self._article)
        app.router.add_get("/slow", self._slow)
        self.server = LocalServer(app)

    async def _article(self, request: web.Request) -> web.Response:
        return web.Response(text=article_html(), content_type="text/html")

    async def _slow(self, request: web.Request) -> web.Response:
        self.slow_requested.set()
        await self.gate.wait()
        return web.Response(text=article_html(), content_type="text/html")

    def release(self) -> None:
        self.gate.set()

    def url(self, path: str = "/article") -> str:
        return self.server.url(path)


@dataclass
class World:
    """A guild with a quote channel, a moderator log, another channel, and people in roles."""

    fake: FakeDiscord
    sources: Sources
    tmp_path: Path
    guild: int = 0
    quotes: int = 0
    modlog: int = 0
    general: int = 0
    mod_role: int = 0  # the configured moderator role (without Manage Messages)
    staff_role: int = 0  # a role with Manage Messages
    alice: int = 0
    bob: int = 0
    carol: int = 0  # has the moderator role
    dan: int = 0  # has Manage Messages
    extra: dict[str, Any] = field(default_factory=dict)

    def populate(self) -> None:
        fake = self.fake
        self.guild = fake.add_guild("Quote Club")
        self.quotes = fake.add_channel(self.guild, "quotes")
        self.modlog = fake.add_channel(self.guild, "mod-log")
        self.general = fake.add_channel(self.guild, "general")
        self.mod_role = fake.add_role(self.guild, "Quote moderators")
        self.staff_role = fake.add_role(self.guild, "Staff", permissions=MANAGE_MESSAGES)
        self.alice = fake.add_member(self.guild, "alice")
        self.bob = fake.add_member(self.guild, "bob")
        self.carol = fake.add_member(self.guild, "carol", roles=[self.mod_role])
        self.dan = fake.add_member(self.guild, "dan", roles=[self.staff_role])

    def config(self, **discord: Any) -> Config:
        settings: dict[str, Any] = {
            "api_base": self.fake.api_base,
            "gateway_url": self.fake.gateway_url,
            "quote_channels": [self.quotes],
            "mod_log_channel": self.modlog,
            "moderator_role": self.mod_role,
            "workers": 2,
            "cooldown_seconds": 0.0,
            "command_guilds": [self.guild],
            "guild_ready_timeout": 0.05,
        }
        settings.update(discord)
        return Config(
            fetch=FetchConfig(
                connect_timeout=2.0,
                total_timeout=10.0,
                read_timeout=10.0,
                retries=0,
                backoff=0.01,
                allow_private_networks=True,
                cache_ttl=0.0,
            ),
            database=DatabaseConfig(path=str(self.tmp_path / "verbatim.db")),
            discord=DiscordConfig(**settings),
        )


@contextlib.asynccontextmanager
async def make_world(tmp_path: Path) -> AsyncIterator[World]:
    fake = FakeDiscord()
    await fake.start()
    sources = Sources()
    await sources.server.start()
    world = World(fake=fake, sources=sources, tmp_path=tmp_path)
    world.populate()
    try:
        yield world
    finally:
        sources.release()
        await sources.server.close()
        await fake.stop()


@contextlib.asynccontextmanager
async def running_bot(world: World, config: Config | None = None) -> AsyncIterator[VerbatimBot]:
    """Start the real bot as ``python -m bot`` would (login, setup_hook, gateway), close it after."""
    config = config or world.config()
    bot = VerbatimBot(config)
    with endpoints(config.discord):
        task = asyncio.create_task(bot.start(world.fake.token))
        try:
            ready = asyncio.create_task(wait_until_cached(bot, world.fake, TIMEOUT))
            done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                ready.cancel()
                task.result()
                raise RuntimeError("the bot stopped before it was ready")
            ready.result()
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, TIMEOUT)


REPO = Path(__file__).resolve().parent.parent


def write_config_file(world: World) -> Path:
    """The world's config as a config.toml, for the bot started as ``python -m bot run``."""
    cfg = world.config()
    d = cfg.discord
    text = f"""
[fetch]
allow_private_networks = true
retries = 0
cache_ttl = 0.0

[database]
path = "{cfg.database.path}"

[discord]
api_base = "{d.api_base}"
gateway_url = "{d.gateway_url}"
quote_channels = {list(d.quote_channels)}
mod_log_channel = {d.mod_log_channel}
moderator_role = {d.moderator_role}
command_guilds = {list(d.command_guilds)}
cooldown_seconds = 0.0
guild_ready_timeout = 0.05
"""
    path = world.tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def start_bot_process(world: World, config: Path) -> asyncio.subprocess.Process:
    """``python -m bot run`` in a child process, token from the environment; returns once the
    bot says it is ready (its log goes to stderr)."""
    env = {**os.environ, "DISCORD_TOKEN": world.fake.token}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=REPO,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(30):
            while True:
                line = (await proc.stderr.readline()).decode(errors="replace")
                if not line:
                    raise AssertionError("the bot process ended early:\n" + "".join(seen))
                seen.append(line)
                if "ready as" in line:
                    return proc
    except BaseException:
        proc.kill()
        await proc.wait()
        raise


def is_verdict(message: JSON) -> bool:
    return any(
        str(e.get("title", "")).endswith(("AI Verified", "found", "verify"))
        for e in message.get("embeds", [])
    )


async def wait_for_verdict(fake: FakeDiscord, thread_id: int, since: int | None = None) -> JSON:
    """The next verdict embed the bot posts in the thread."""

    def match(action: BotAction) -> bool:
        msg = action.message
        return (
            action.ok
            and action.kind == "message_create"
            and msg is not None
            and int(msg["channel_id"]) == thread_id
            and is_verdict(msg)
        )

    action = await fake.wait_for(match, TIMEOUT, since=since)
    assert action.message is not None
    return action.message


async def wait_for_action(
    fake: FakeDiscord, predicate: Callable[[BotAction], bool], since: int | None = None
) -> BotAction:
    return await fake.wait_for(lambda a: a.ok and predicate(a), TIMEOUT, since=since)


async def eventually(condition: Callable[[], bool], rounds: int = 500) -> None:
    """Until ``condition`` holds: the bot writes its own records just after Discord answers."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never became true")


def field_named(embed: JSON, name: str) -> str:
    for f in embed.get("fields", []):
        if name in f["name"]:
            return str(f["value"])
    raise AssertionError(f"no field {name!r} in {[f['name'] for f in embed.get('fields', [])]}")


def button_labels(message: JSON) -> dict[str, str]:
    return {
        c["custom_id"]: c["label"]
        for row in message.get("components", [])
        for c in row.get("components", [])
    }


def _sent_content(action: BotAction) -> str:
    body = action.json if isinstance(action.json, dict) else {}
    if action.kind == "interaction_callback" or ("type" in body and "data" in body):
        body = body.get("data") or {}
    return str(body.get("content") or "")


def assert_nobody_pinged(fake: FakeDiscord) -> None:
    """Whatever the bot sent, created or edited, no mention fired, and every text it sent said
    allowed_mentions: none (member text is echoed, so it must never be able to ping)."""
    for action in fake.actions:
        if action.fired is not None:
            assert not action.fired.any(), f"{action.method} {action.route} pinged {action.fired}"
        if action.ok and _sent_content(action):
            allowed = action.allowed_mentions
            assert allowed is not None and allowed.get("parse") == [], (
                f"{action.method} {action.route} sent allowed_mentions={allowed}"
            )
