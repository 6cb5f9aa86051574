"""Fixtures shared by the end-to-end tests of the bot (FakeDiscord, the bot, local sources)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bot_support import World, assert_nobody_pinged, make_world
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
