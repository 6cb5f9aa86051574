"""/statement add | list | show: the claims quotes take positions on, and who stands where.

The logic lives in bot/statements.py; this cog turns it into replies. Member text is escaped
(markdown and mentions) and every reply is sent with AllowedMentions.none().
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote as url_quote

import discord
import sqlite_utils
from discord import app_commands
from discord.ext import commands

from bot.postparse import STATEMENT_MAX_CHARS
from bot.statements import (
    SEARCH_LIMIT,
    STANCES,
    DuplicateStatement,
    Positions,
    StatementError,
    Statements,
)
from bot.storage.log import Statement
from cogs.checks import moderator_check

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
LIST_PAGE = 15
CHOICE_NAME_MAX = 100  # Discord's limit on an autocomplete choice's name
FIELD_MAX = 1024  # Discord's limit on an embed field's value
QUOTE_CHARS = 160
SIDE_TITLE = {"for": "For", "against": "Against", "abstain": "Abstaining"}
COLOUR = {"verified": 0x17663A}


def safe(text: str | None, limit: int | None = None) -> str:
    """Member text for a reply: one line, shortened, markdown and mentions made inert."""
    text = " ".join((text or "").split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = discord.utils.escape_markdown(text)
    # escape_markdown also escapes "[", so "[bank](https://evil)" cannot become a masked link.
    text = discord.utils.escape_mentions(text)
    return text


def safe_url(url: str) -> str:
    """A URL that cannot close a markdown link early or hide another one."""
    return url_quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def choice_name(statement: Statement) -> str:
    name = f"#{statement.id} " + " ".join(statement.text.split())
    return name if len(name) <= CHOICE_NAME_MAX else name[: CHOICE_NAME_MAX - 1] + "…"


def side_lines(positions: Positions, stance: str, limit: int = FIELD_MAX) -> str:
    """One line per quote of a side, cut to fit a field (with a count of what did not fit)."""
    lines: list[str] = []
    people = positions.sides.get(stance, ())
    for position in people:
        for q in position.quotes:
            badge = "moderator verified" if q.decided_by == "moderator" else "AI Verified"
            year = f" ({q.year})" if q.year else ""
            lines.append(
                f"**{safe(position.person, 80)}**: “{safe(q.quote, QUOTE_CHARS)}”"
                f" [source]({safe_url(q.url)}){year} · [post]({q.jump_url}) · {badge}"
            )
    if not lines:
        return "No verified quote yet."
    out: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        more = f"… and {len(lines) - n} more"
        if used + len(line) + 1 > limit - len(more) - 1:
            out.append(more)
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def positions_embed(positions: Positions) -> discord.Embed:
    counts = positions.counts
    summary = " · ".join(f"{counts[s]} {SIDE_TITLE[s].lower()}" for s in STANCES)
    embed = discord.Embed(
        title=f"Statement #{positions.statement.id}",
        description=f"{safe(positions.statement.text, 1000)}\n\n**{summary}**"
        " (people with a verified quote)",
        colour=COLOUR["verified"],
    )
    for stance in STANCES:
        embed.add_field(
            name=f"{SIDE_TITLE[stance]} ({counts[stance]})",
            value=side_lines(positions, stance),
            inline=False,
        )
    return embed


def list_text(
    statements: list[Statement], counts: dict[int, dict[str, int]], page: int
) -> tuple[str, int]:
    """A page of the statement list (newest first) and the number of pages."""
    ordered = sorted(statements, key=lambda s: -s.id)
    pages = max(1, -(-len(ordered) // LIST_PAGE))
    page = min(max(1, page), pages)
    chunk = ordered[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    if not chunk:
        return "No statements yet. A moderator can add one with `/statement add`.", pages
    lines = [f"**Statements** (page {page} of {pages}):"]
    for s in chunk:
        c = counts.get(s.id, {})
        tally = "/".join(str(c.get(k, 0)) for k in STANCES)
        lines.append(f"`#{s.id}` {safe(s.text, 150)} — for/against/abstain {tally}")
    lines.append("Use `/statement show` to see who stands where.")
    return "\n".join(lines), pages


@app_commands.guild_only()
class StatementCog(
    commands.GroupCog, group_name="statement", group_description="Statements and positions"
):
    """The /statement commands over the bot's database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        super().__init__()

    def book(self, interaction: discord.Interaction[Any]) -> Statements:
        return Statements(self.db, interaction.guild_id)

    async def _reply(
        self,
        interaction: discord.Interaction[Any],
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        ephemeral: bool = False,
    ) -> None:
        kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
        if content is not None:
            kwargs["content"] = content
        if embed is not None:
            kwargs["embed"] = embed
        await interaction.response.send_message(**kwargs)

    @app_commands.command(name="add", description="Add a statement quotes can take a side on")
    @app_commands.check(moderator_check)  # moderators only; cogs.errors explains a refusal
    @app_commands.describe(text="The claim, e.g. 'Open-source AI is more dangerous than closed'")
    async def add(
        self,
        interaction: discord.Interaction[Any],
        text: app_commands.Range[str, 1, STATEMENT_MAX_CHARS],
    ) -> None:
        try:
            statement = self.book(interaction).add(text, interaction.user.id)
        except DuplicateStatement as dup:
            await self._reply(
                interaction,
                f"That statement already exists as `#{dup.existing.id}`: "
                f"{safe(dup.existing.text, 500)}",
                ephemeral=True,
            )
            return
        except StatementError as exc:
            await self._reply(interaction, safe(str(exc), 600), ephemeral=True)
            return
        await self._reply(
            interaction, f"Statement `#{statement.id}` added: {safe(statement.text, 600)}"
        )

    @app_commands.command(name="list", description="The statements and how many are on each side")
    @app_commands.describe(page="Page number (15 statements a page, newest first)")
    async def list_statements(
        self, interaction: discord.Interaction[Any], page: app_commands.Range[int, 1, 1000] = 1
    ) -> None:
        book = self.book(interaction)
        text, _pages = list_text(book.list(), book.counts(), page)
        await self._reply(interaction, text, ephemeral=True)

    @app_commands.command(name="show", description="Who is for, against and abstaining")
    @app_commands.describe(statement="Start typing the statement, or its #number")
    async def show(self, interaction: discord.Interaction[Any], statement: str) -> None:
        book = self.book(interaction)
        found = resolve(book, statement)
        if found is None:
            await self._reply(
                interaction,
                f"No statement matches “{safe(statement, 100)}”. "
                "Pick one from the list as you type, or see `/statement list`.",
                ephemeral=True,
            )
            return
        await self._reply(interaction, embed=positions_embed(book.positions(found.id)))

    @show.autocomplete("statement")
    async def show_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=choice_name(s), value=str(s.id))
            for s in self.book(interaction).search(current, limit=SEARCH_LIMIT)
        ]


def resolve(book: Statements, value: str) -> Statement | None:
    """A statement from what autocomplete sent (its id) or what was typed by hand."""
    text = (value or "").strip().lstrip("#")
    if text.isdigit():
        by_id = book.get(int(text))
        if by_id is not None:
            return by_id
    return book.match(value) or next(iter(book.search(value, limit=1)), None)


async def setup(bot: commands.Bot) -> None:
    """Load on a bot that has its submission log as ``bot.store`` (cogs/client.py's VerbatimBot)."""
    store = getattr(bot, "store", None)
    if store is None:
        raise RuntimeError("cogs.statements needs a bot with its database open (bot.store)")
    await bot.add_cog(StatementCog(store.db))
