"""Who may use what: the moderator guard shared by the extensions (not an extension itself)."""

from __future__ import annotations

from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

T = TypeVar("T")

NOT_MODERATOR = "Only moderators can use this command."


class NotModerator(app_commands.CheckFailure):
    """A member without the moderator role or Manage Messages ran a moderator command."""

    def __init__(self) -> None:
        super().__init__(NOT_MODERATOR)


async def moderator_check(interaction: discord.Interaction[Any]) -> bool:
    """The real check behind ``default_permissions``, which server admins may loosen."""
    is_moderator = getattr(interaction.client, "is_moderator", None)
    if is_moderator is not None and is_moderator(interaction.user, interaction.permissions):
        return True
    raise NotModerator()


def _guard(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> None:
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            _guard(child)
    elif moderator_check not in command.checks:
        command.add_check(moderator_check)


def moderator_only() -> Any:
    """Hide from members AND enforce: ``default_permissions`` (Manage Messages) so Discord hides
    the command, plus a real check (moderator role from config, or Manage Messages), because
    default permissions are only a default an admin can change. Applies to a command or to a
    whole ``GroupCog`` (every command in it is guarded)."""

    def decorator(obj: T) -> T:
        app_commands.default_permissions(manage_messages=True)(obj)
        app_commands.guild_only()(obj)
        if isinstance(obj, type) and issubclass(obj, commands.Cog):
            for command in obj.__cog_app_commands__:
                _guard(command)
        elif isinstance(obj, app_commands.Command | app_commands.Group):
            _guard(obj)
        else:
            app_commands.check(moderator_check)(obj)
        return obj

    return decorator
