"""One error handler for every command: members get a short answer, the log gets the traceback.

Expected errors (a refused request, bad input, a missing permission) are explained in a short
ephemeral message; anything else gets a generic apology while the traceback goes to the log and
never to Discord.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import InputError
from bot.submissions import ServiceError

log = logging.getLogger(__name__)

GENERIC_ERROR = (
    "Something went wrong on my side and I could not finish that. "
    "The details are in the bot's log for its operators."
)


@dataclass(frozen=True)
class ErrorReply:
    """What to tell the member (None: nothing) and whether the error was one we expect."""

    message: str | None
    expected: bool


def _unwrap(error: BaseException) -> BaseException:
    while True:
        if isinstance(
            error,
            app_commands.CommandInvokeError
            | commands.CommandInvokeError
            | commands.HybridCommandError,
        ):
            error = error.original
        else:
            return error


def _names(perms: list[str]) -> str:
    return ", ".join(p.replace("_", " ").replace("guild", "server").title() for p in perms)


def describe_error(error: BaseException) -> ErrorReply:
    """Sort an error raised by a command, a button or a modal into the reply it deserves."""
    error = _unwrap(error)
    if isinstance(error, ServiceError):
        return ErrorReply(str(error), True)
    if isinstance(error, InputError):
        return ErrorReply(f"The {error.field} {error.message}.", True)
    if isinstance(error, app_commands.NoPrivateMessage | commands.NoPrivateMessage):
        return ErrorReply("This command works only in a server.", True)
    if isinstance(error, app_commands.CommandOnCooldown | commands.CommandOnCooldown):
        return ErrorReply(f"Slow down: try again in {error.retry_after:.0f} s.", True)
    if isinstance(error, app_commands.MissingPermissions | commands.MissingPermissions):
        return ErrorReply(f"You need {_names(error.missing_permissions)} for this.", True)
    if isinstance(error, app_commands.BotMissingPermissions | commands.BotMissingPermissions):
        return ErrorReply(f"I need {_names(error.missing_permissions)} here to do that.", True)
    if isinstance(error, app_commands.TransformerError):
        return ErrorReply(f"I could not read {str(error.value)[:100]!r} as the value asked.", True)
    if isinstance(error, app_commands.CheckFailure | commands.CheckFailure):
        text = str(error) if str(error) else "You cannot use this command here."
        return ErrorReply(text, True)
    if isinstance(error, commands.CommandNotFound):
        return ErrorReply(None, True)
    if isinstance(error, commands.UserInputError):
        return ErrorReply(str(error)[:1000], True)
    if isinstance(error, discord.Forbidden):
        return ErrorReply("I am missing a Discord permission in this channel to do that.", True)
    return ErrorReply(GENERIC_ERROR, False)


async def send_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Answer privately: the first response if none was given yet, else a follow-up."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the member about an error (interaction gone)", exc_info=True)


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """The handler for app commands, and for buttons and modals that route their errors here."""
    reply = describe_error(error)
    where = interaction.command.qualified_name if interaction.command else "an interaction"
    if not reply.expected:
        log.error("unexpected error in %s", where, exc_info=error)
    elif isinstance(_unwrap(error), discord.Forbidden):
        log.warning("missing permission in %s: %s", where, _unwrap(error))
    if reply.message is not None:
        await send_ephemeral(interaction, reply.message)


class Errors(commands.Cog):
    """Installs the handler on the command tree and for prefix commands."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous: Any = None

    async def cog_load(self) -> None:
        self._previous = self.bot.tree.on_error
        self.bot.tree.on_error = report_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[Any], error: BaseException) -> None:
        reply = describe_error(error)
        if not reply.expected:
            log.error("unexpected error in %s", ctx.command, exc_info=error)
        if reply.message is not None:
            try:
                await ctx.send(reply.message, ephemeral=True)
            except discord.HTTPException:
                log.warning("could not send an error reply", exc_info=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Errors(bot))
