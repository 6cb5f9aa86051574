"""Helpers for the fetcher tests: a local aiohttp server that counts hits, a static resolver, and
a fast test config."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections import Counter
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.config import FetchConfig

FAST = FetchConfig(
    connect_timeout=0.5,
    total_timeout=3.0,
    read_timeout=0.5,
    max_bytes=64_000,
    max_redirects=5,
    retries=2,
    backoff=0.01,
    max_retry_after=2.0,
    allow_private_networks=True,
    user_agent="VerbatimTest/1.0",
    cache_ttl=60.0,
    per_host_limit=4,
)


def fast_config(**changes: Any) -> FetchConfig:
    return dataclasses.replace(FAST, **changes)


class LocalServer:
    """An aiohttp app on 127.0.0.1 (or another loopback address) that counts hits per path."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self.hits: Counter[str] = Counter()
        self.port = 0
        self._runner: web.AppRunner | None = None

        @web.middleware
        async def count(request: web.Request, handler: Any) -> web.StreamResponse:
            self.hits[request.path] += 1
            response: web.StreamResponse = await handler(request)
            return response

        app.middlewares.append(count)

    async def start(self) -> LocalServer:
        self._runner = web.AppRunner(self.app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class StaticResolver(AbstractResolver):
    """Maps test host names to fixed addresses (comma-separated for several), as a DNS server
    would; other names do not exist, and "EAI_AGAIN" stands for a DNS outage."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        address = self.table.get(host)
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if address == "EAI_AGAIN":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [
            ResolveResult(
                hostname=host,
                host=one,
                port=port,
                family=socket.AF_INET6 if ":" in one else socket.AF_INET,
                proto=socket.IPPROTO_TCP,
                flags=socket.AI_NUMERICHOST,
            )
            for one in address.split(",")
        ]

    async def close(self) -> None:
        return None


class SleepRecorder:
    """Stands in for asyncio.sleep in the fetcher: records each wait, waits almost nothing."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.waits.append(delay)
        await asyncio.sleep(0)


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
