"""Shared pieces for the re-check and supplied-source tests of the real bot on FakeDiscord:
a source whose text a test can change, a paywalled source, and the bot's config for them."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from bot_support import World
from fetch_support import LocalServer
from sample_texts import ARTICLE_BLOCKS, ARTICLE_TEXT, article_html
from sources_support import replace_config

from bot.config import Config
from bot.fakediscord.state import JSON
from cogs.client import VerbatimBot

CHANGED_SENTENCE = "Community gardens are a luxury that few cities can afford."
SUPPLIED_TEXT = "Notes from the printed edition.\n\n" + ARTICLE_TEXT


class Pages:
    """/page serves the sample article as it stands now (``change()`` rewrites a sentence);
    /paywalled always answers 403, as a paywall does to a bot."""

    def __init__(self) -> None:
        self.blocks = list(ARTICLE_BLOCKS)
        app = web.Application()
        app.router.add_get("/page", self._page)
        app.router.add_get("/paywalled", self._paywalled)
        self.server = LocalServer(app)

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(text=article_html(blocks=self.blocks), content_type="text/html")

    async def _paywalled(self, request: web.Request) -> web.Response:
        return web.Response(status=403, text="Subscribe to read this article.")

    def change(self) -> None:
        """The publisher rewrites the sentence the tests quote."""
        self.blocks = [
            b.replace("Community gardens are the bedrock for local resilience in cities.", "")
            + (f" {CHANGED_SENTENCE}" if "bedrock" in b else "")
            for b in self.blocks
        ]

    def url(self, path: str = "/page") -> str:
        return self.server.url(path)


def bot_config(world: World, *, recheck: bool = False, **changes: Any) -> Config:
    """The world's config with the web archive off (tests stay on loopback) and scheduled
    re-checks on or off; ``changes`` go to the [recheck] or [pasted] sections by name."""
    config = replace_config(world.config(), "archive", enabled=False)
    recheck_changes = {k: v for k, v in changes.items() if k != "max_bytes"}
    config = replace_config(config, "recheck", enabled=recheck, **recheck_changes)
    if "max_bytes" in changes:
        config = replace_config(config, "pasted", max_bytes=changes["max_bytes"])
    return config


def source_field(verdict: JSON) -> str:
    [embed] = verdict["embeds"]
    for f in embed.get("fields", []):
        if f["name"] == "Source":
            return str(f["value"])
    raise AssertionError("the verdict has no Source field")


def assert_supplied_file_kept(bot: VerbatimBot, submission_id: int, supplier: int) -> None:
    """The attached printed-edition.txt is stored for the submission and was checked against."""
    [record] = bot.service.supplied.for_submission(submission_id)
    assert (record.origin, record.supplied_by, record.filename) == (
        "attachment",
        supplier,
        "printed-edition.txt",
    )
    assert bot.service.supplied.data(record.id) == SUPPLIED_TEXT.encode()
    [check] = bot.store.checks_for(submission_id)
    assert check.result is not None and check.result["source"]["via"] == "pasted"
