"""Fixtures shared by several test files: FakeDiscord worlds, local publishers, a fake archive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bot_support import World, assert_nobody_pinged, make_world
from fetch_support import LocalServer
from sources_support import FakeArchive
from supplied_support import Pages


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """FakeDiscord, a guild and a database; afterwards, nothing unserved was called, nobody pinged."""
    async with make_world(tmp_path) as w:
        yield w
        assert w.fake.unimplemented_calls == []
        assert_nobody_pinged(w.fake)


@pytest.fixture
async def pages() -> AsyncIterator[Pages]:
    """A local server playing the sources' publishers."""
    p = Pages()
    await p.server.start()
    yield p
    await p.server.close()


@pytest.fixture
async def archive() -> AsyncIterator[FakeArchive]:
    """A fake Web Archive (availability API and raw snapshots) on loopback."""
    fake = FakeArchive()
    server = await LocalServer(fake.app()).start()
    fake.base = f"http://127.0.0.1:{server.port}"
    yield fake
    await server.close()
