"""Helpers for running a real discord.py client against `bot.fakediscord.FakeDiscord`."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator

import discord
import discord.gateway
import discord.http
import yarl

from bot.fakediscord import FakeDiscord

_API_SUFFIX = re.compile(r"/api/v\d+/?$")


def point_discord_py_at(base_url: str, gateway_url: str) -> None:
    """Make discord.py send REST calls to `{base_url}/api/v10` and connect to `gateway_url`.

    These are class attributes, so this affects every client in the process; see
    `discord_py_pointed_at` for a form that restores Discord's URLs afterwards.
    """
    base = base_url.rstrip("/")
    discord.http.Route.BASE = base if _API_SUFFIX.search(base) else f"{base}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


@contextlib.contextmanager
def discord_py_pointed_at(fake: FakeDiscord) -> Iterator[None]:
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    point_discord_py_at(fake.base_url, fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def wait_until_cached(
    client: discord.Client, fake: FakeDiscord, within: float = 10.0
) -> None:
    """Until `client` is READY and has every guild of `fake` in its cache."""
    async with asyncio.timeout(within):
        await client.wait_until_ready()
        for guild_id in fake.core.world.guilds:
            if client.get_guild(guild_id) is None:
                await client.wait_for("guild_available", check=lambda g, gid=guild_id: g.id == gid)


@contextlib.asynccontextmanager
async def running_client(
    client: discord.Client, fake: FakeDiscord, *, token: str | None = None, within: float = 10.0
) -> AsyncIterator[discord.Client]:
    """Start `client` against `fake` (login, setup_hook, gateway) and close it on exit, whatever
    happens; a client that crashed is re-raised instead of hanging the test."""
    with discord_py_pointed_at(fake):
        task = asyncio.create_task(client.start(token or fake.token))
        try:
            ready = asyncio.create_task(wait_until_cached(client, fake, within))
            done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                ready.cancel()
                task.result()  # raises what stopped the client
                raise RuntimeError("the client stopped before it was ready")
            ready.result()
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, within)
