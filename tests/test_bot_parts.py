"""The bot's parts where a server is overkill: error routing, the moderator guard, start-up.

Discord objects are ``spec_set`` mocks, so a test cannot touch an attribute discord.py lacks.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, create_autospec

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot import cli
from bot.config import Config, DiscordConfig
from bot.models import InputError
from bot.submissions import NotFound, Refused
from cogs import demo
from cogs.checks import NOT_MODERATOR, NotModerator, moderator_check, moderator_only
from cogs.client import VerbatimBot, bot_intents
from cogs.errors import GENERIC_ERROR, Errors, describe_error, report_error
from cogs.moderation import Moderation


def interaction(*, answered: bool) -> Any:
    inter = MagicMock(spec_set=discord.Interaction)
    inter.response = create_autospec(discord.InteractionResponse, instance=True, spec_set=True)
    inter.response.is_done.return_value = answered
    inter.followup = create_autospec(discord.Webhook, instance=True, spec_set=True)
    inter.command = None
    return inter


# -- the error handler ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (Refused("You cannot vote on your own submission."), "You cannot vote on your own"),
        (NotFound("There is no submission #9."), "There is no submission #9."),
        (InputError("url", "must start with http:// or https://"), "The url must start with"),
        (NotModerator(), NOT_MODERATOR),
        (app_commands.NoPrivateMessage("x"), "only in a server"),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 60), 12.3), "try again in 12 s"),
        (app_commands.MissingPermissions(["manage_messages"]), "You need Manage Messages"),
        (app_commands.BotMissingPermissions(["embed_links"]), "I need Embed Links"),
        (commands.BadArgument("That is not a number."), "That is not a number."),
    ],
)
def test_expected_errors_get_their_own_short_message(error: Exception, message: str) -> None:
    reply = describe_error(error)
    assert reply.expected and reply.message is not None and message in reply.message


def test_wrapped_errors_are_unwrapped() -> None:
    @app_commands.command(name="reject", description="x")
    async def reject(interaction: discord.Interaction[Any]) -> None:
        return None

    wrapped = app_commands.CommandInvokeError(reject, Refused("Please give a reason."))
    assert describe_error(wrapped).message == "Please give a reason."


def test_unexpected_errors_get_the_generic_message_and_hide_the_details() -> None:
    reply = describe_error(RuntimeError("database is locked at /srv/secret.db"))
    assert reply == type(reply)(GENERIC_ERROR, False)
    assert describe_error(commands.CommandNotFound()).message is None  # ignored quietly


async def test_first_answer_is_a_private_response() -> None:
    inter = interaction(answered=False)
    await report_error(inter, Refused("No."))
    inter.response.send_message.assert_awaited_once_with("No.", ephemeral=True)
    inter.followup.send.assert_not_awaited()


async def test_an_answered_interaction_gets_a_private_follow_up() -> None:
    inter = interaction(answered=True)
    await report_error(inter, Refused("No."))
    inter.followup.send.assert_awaited_once_with("No.", ephemeral=True)
    inter.response.send_message.assert_not_awaited()


async def test_an_unexpected_error_is_logged_with_its_traceback_not_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inter = interaction(answered=False)
    try:
        raise KeyError("secret internal detail")
    except KeyError as exc:
        error = exc
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        await report_error(inter, error)
    inter.response.send_message.assert_awaited_once_with(GENERIC_ERROR, ephemeral=True)
    [record] = caplog.records
    assert record.exc_info is not None and record.exc_info[1] is error
    assert "secret" not in GENERIC_ERROR


async def test_an_expired_interaction_does_not_raise_from_the_handler() -> None:
    inter = interaction(answered=False)
    response = MagicMock(status=404, reason="Not Found")
    inter.response.send_message.side_effect = discord.NotFound(response, "Unknown interaction")
    await report_error(inter, Refused("No."))  # logged, not raised


async def test_prefix_command_errors_go_through_the_same_sorting() -> None:
    bot = MagicMock(spec_set=commands.Bot)
    cog = Errors(bot)
    ctx = create_autospec(commands.Context, instance=True, spec_set=True)
    await cog.on_command_error(ctx, commands.CommandInvokeError(Refused("Not here.")))
    ctx.send.assert_awaited_once_with("Not here.", ephemeral=True)
    ctx.send.reset_mock()
    await cog.on_command_error(ctx, commands.CommandNotFound())
    ctx.send.assert_not_awaited()


async def test_the_cog_installs_and_restores_the_tree_handler() -> None:
    bot = MagicMock(spec_set=commands.Bot)
    previous = bot.tree.on_error
    cog = Errors(bot)
    await cog.cog_load()
    assert bot.tree.on_error is report_error
    await cog.cog_unload()
    assert bot.tree.on_error is previous


# -- the moderator guard ----------------------------------------------------------------------


def member(*, manage_messages: bool = False, roles: tuple[int, ...] = ()) -> Any:
    m = MagicMock(spec_set=discord.Member)
    m.guild_permissions = discord.Permissions(manage_messages=manage_messages)
    m.roles = [MagicMock(spec_set=discord.Role, id=r) for r in roles]
    return m


def test_moderators_are_manage_messages_or_the_configured_role() -> None:
    bot = VerbatimBot(Config(discord=DiscordConfig(moderator_role=42)))
    assert bot.is_moderator(member(manage_messages=True))
    assert bot.is_moderator(member(roles=(7, 42)))
    assert not bot.is_moderator(member(roles=(7,)))
    assert not bot.is_moderator(MagicMock(spec_set=discord.User))  # not in a server
    channel_perms = discord.Permissions(manage_messages=True)
    assert bot.is_moderator(member(), channel_perms)  # granted in this channel
    nobody = VerbatimBot(Config())  # moderator_role 0: Manage Messages only
    assert not nobody.is_moderator(member(roles=(0,)))


async def test_moderator_check_raises_for_members() -> None:
    inter = interaction(answered=False)
    inter.client = MagicMock(spec_set=VerbatimBot)
    inter.client.is_moderator.return_value = False
    with pytest.raises(NotModerator):
        await moderator_check(inter)
    inter.client.is_moderator.return_value = True
    assert await moderator_check(inter)


def test_moderator_only_hides_and_guards_every_mod_command() -> None:
    group = Moderation.__cog_app_commands__
    assert {c.name for c in group} == {
        "approve",
        "reject",
        "override",
        "reverify",
        "history",
        "stats",
        "export",
        "supply-source",
        "recheck-all",
    }
    for command in group:
        assert isinstance(command, app_commands.Command)
        assert moderator_check in command.checks
    assert Moderation.__discord_app_commands_default_permissions__ == discord.Permissions(
        manage_messages=True
    )
    assert Moderation.__discord_app_commands_guild_only__

    @moderator_only()
    @app_commands.command(name="purge", description="x")
    async def purge(interaction: discord.Interaction[Any]) -> None:
        return None

    assert purge.default_permissions == discord.Permissions(manage_messages=True)
    assert moderator_check in purge.checks


# -- starting up ------------------------------------------------------------------------------


def test_the_bot_asks_for_the_intents_it_needs_and_never_pings() -> None:
    intents = bot_intents()
    assert intents.message_content and intents.members and intents.guilds
    assert intents.guild_messages and not intents.presences
    bot = VerbatimBot(Config())
    assert bot.allowed_mentions is not None
    assert bot.allowed_mentions.to_dict() == {"parse": []}  # no users, roles or everyone
    assert bot.allowed_mentions.replied_user is False


@pytest.mark.parametrize("argv", [[], ["run"]])
def test_without_a_token_the_bot_exits_at_once_saying_how_to_get_one(
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no config.toml here: the defaults
    assert cli.main(argv) == 78
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "discord.com/developers/applications" in err
    assert "MESSAGE CONTENT" in err and "python -m bot demo" in err


def test_run_starts_the_bot_when_there_is_a_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started: list[Config] = []
    monkeypatch.setenv("VERBATIM_TEST_TOKEN", "t0ken")
    config_file = tmp_path / "config.toml"
    config_file.write_text('[discord]\ntoken_env = "VERBATIM_TEST_TOKEN"\n')
    monkeypatch.setattr("cogs.client.run_bot", lambda config: started.append(config) or 0)
    assert cli.main(["run", "--config", str(config_file)]) == 0
    assert started[0].discord.token_env == "VERBATIM_TEST_TOKEN"


async def test_the_demo_plays_the_whole_conversation() -> None:
    out = io.StringIO()
    assert await demo.run_demo(out) == 0
    text = out.getvalue()
    for expected in (
        "alice posts in #quotes:",
        "Verbatim reacts ⏳ to the post",
        "Verbatim opens a thread on the post",
        "┃ ✅ AI Verified",
        "┃ ❌ Discrepancies found",
        "Quote: “…coins. That is exactly what a library…”",
        "bob clicks [Accurate]",
        "[👍 Accurate (1)]  [👎 Inaccurate (0)]",
        "You cannot vote on your own submission.",
    ):
        assert expected in text, expected
    assert text.index("AI Verified") < text.index("Discrepancies found")


def test_cli_demo_runs_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    ran = AsyncMock(return_value=0)
    monkeypatch.setattr(demo, "run_demo", ran)
    assert cli.main(["demo"]) == 0
    ran.assert_awaited_once()
