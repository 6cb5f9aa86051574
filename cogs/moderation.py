"""/mod: moderators approve, reject, override and re-check submissions, and read the record.

Hidden from members by ``default_permissions`` and enforced by a real check (see
:func:`cogs.checks.moderator_only`). Every action is stored by the service, announced in the
submission's thread and written to the moderator-log channel.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any, Literal, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import (
    REACTIONS,
    fit_lines,
    history_lines,
    mod_log_line,
    moderator_embed,
    stats_embed,
)
from bot.storage.log import Submission, VerdictName
from bot.submissions import NotFound, Refused
from bot.supplied import SuppliedSourceError
from cogs.checks import moderator_only
from cogs.supplied import read_attachment

if TYPE_CHECKING:
    from cogs.client import VerbatimBot

log = logging.getLogger(__name__)

EXPORT_MAX_BYTES = 8 * 1024 * 1024  # under Discord's smallest attachment limit (10 MiB)
SUBMISSION_HELP = "Submission number (from the verdict's footer); optional inside its thread"


@moderator_only()
class Moderation(
    commands.GroupCog, group_name="mod", group_description="Moderator tools for quote submissions"
):
    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot
        super().__init__()

    # -- helpers -------------------------------------------------------------------------------

    async def _target(
        self, interaction: discord.Interaction[Any], number: int | None
    ) -> Submission:
        """The submission named, or the one whose thread the command is used in."""
        if number is None:
            channel = interaction.channel
            sub = (
                self.bot.store.submission_by_thread(channel.id)
                if isinstance(channel, discord.Thread)
                else None
            )
            if sub is None:
                raise Refused(
                    "Give the submission number (it is in the verdict's footer), "
                    "or use this command in the submission's thread."
                )
        else:
            sub = await self.bot.service.get(number)
        if sub.guild_id != interaction.guild_id:
            raise NotFound(f"There is no submission #{sub.id} in this server.")
        return sub

    async def _announce(
        self,
        interaction: discord.Interaction[Any],
        sub: Submission,
        action: str,
        verdict: VerdictName | None,
        reason: str | None,
    ) -> None:
        """Tell the moderator, the thread and the moderator log."""
        moderator = interaction.user.id
        if verdict is not None:
            done = f"Submission #{sub.id} is now **{verdict}** (moderator verdict, {action})."
        else:
            done = f"Submission #{sub.id} is queued for a new check."
        if interaction.response.is_done():  # deferred while a file was read
            await interaction.followup.send(done, ephemeral=True)
        else:
            await interaction.response.send_message(done, ephemeral=True)
        if sub.thread_id:
            spec = moderator_embed(
                submission_id=sub.id,
                action=action,
                verdict=verdict,
                reason=reason,
                moderator_id=moderator,
                bot_verdict=sub.bot_verdict,
            )
            await self._post(sub.thread_id, sub.id, "moderator_verdict", embed=spec.to_dict())
        if verdict is not None:
            await self._mark_post(sub, verdict)
        detail = f"verdict: {verdict}" if verdict else "re-check queued"
        await self._mod_log(
            mod_log_line(
                action=action,
                submission_id=sub.id,
                moderator_id=moderator,
                detail=detail,
                reason=reason,
            ),
            sub.id,
        )

    async def _mark_post(self, sub: Submission, verdict: VerdictName) -> None:
        """The reaction on the post follows the verdict that counts: the moderator's."""
        channel = self.bot.get_channel(sub.channel_id)
        if not isinstance(channel, discord.TextChannel) or self.bot.user is None:
            return
        message = channel.get_partial_message(sub.message_id)
        try:
            for name, emoji in REACTIONS.items():
                if name != verdict:
                    await message.remove_reaction(emoji, self.bot.user)
            await message.add_reaction(REACTIONS[verdict])
        except discord.HTTPException as exc:
            log.info("could not mark post %s: %s", sub.message_id, exc)

    async def _post(
        self,
        channel_id: int,
        submission_id: int | None,
        kind: str,
        *,
        content: str | None = None,
        embed: dict[str, Any] | None = None,
    ) -> None:
        channel = self.bot.get_partial_messageable(channel_id)
        kwargs: dict[str, Any] = {"content": content}
        if embed is not None:
            kwargs["embed"] = discord.Embed.from_dict(embed)
        message = await channel.send(**kwargs)
        await self.bot.service.record_reply(
            channel_id=channel_id,
            message_id=message.id,
            kind=kind,
            content=content or "",
            embed=embed,
            submission_id=submission_id,
        )

    async def _mod_log(self, line: str, submission_id: int | None) -> None:
        channel_id = self.bot.config.discord.mod_log_channel
        if not channel_id:
            return
        try:
            await self._post(channel_id, submission_id, "mod_log", content=line)
        except discord.HTTPException:
            log.warning(
                "could not write to the moderator log channel %s", channel_id, exc_info=True
            )

    # -- decisions -----------------------------------------------------------------------------

    @app_commands.command(name="approve", description="Confirm the quote is accurate")
    @app_commands.describe(submission=SUBMISSION_HELP, reason="Why (optional)")
    async def approve(
        self,
        interaction: discord.Interaction[Any],
        submission: int | None = None,
        reason: str | None = None,
    ) -> None:
        sub = await self._target(interaction, submission)
        updated = await self.bot.service.approve(sub.id, interaction.user.id, reason)
        await self._announce(interaction, updated, "approve", "verified", reason)

    @app_commands.command(name="reject", description="Rule the quote inaccurate")
    @app_commands.describe(reason="Why the quote is inaccurate", submission=SUBMISSION_HELP)
    async def reject(
        self, interaction: discord.Interaction[Any], reason: str, submission: int | None = None
    ) -> None:
        sub = await self._target(interaction, submission)
        updated = await self.bot.service.reject(sub.id, interaction.user.id, reason)
        await self._announce(interaction, updated, "reject", "disputed", reason)

    @app_commands.command(name="override", description="Set the verdict; it wins over the bot's")
    @app_commands.describe(
        verdict="The verdict that counts from now on", reason="Why", submission=SUBMISSION_HELP
    )
    async def override(
        self,
        interaction: discord.Interaction[Any],
        verdict: Literal["verified", "disputed", "unverifiable"],
        reason: str,
        submission: int | None = None,
    ) -> None:
        sub = await self._target(interaction, submission)
        updated = await self.bot.service.override(sub.id, interaction.user.id, verdict, reason)
        await self._announce(interaction, updated, "override", verdict, reason)

    @app_commands.command(name="reverify", description="Check the quote against its source again")
    @app_commands.describe(submission=SUBMISSION_HELP, reason="Why (optional)")
    async def reverify(
        self,
        interaction: discord.Interaction[Any],
        submission: int | None = None,
        reason: str | None = None,
    ) -> None:
        sub = await self._target(interaction, submission)
        updated = await self.bot.service.reverify(sub.id, interaction.user.id, reason)
        await self._announce(interaction, updated, "reverify", None, reason)

    @app_commands.command(
        name="supply-source", description="Check a quote against a file of its source's text"
    )
    @app_commands.describe(
        file="The source's text: a .txt, .html or .pdf file",
        submission=SUBMISSION_HELP,
        reason="Why (optional)",
    )
    async def supply_source(
        self,
        interaction: discord.Interaction[Any],
        file: discord.Attachment,
        submission: int | None = None,
        reason: str | None = None,
    ) -> None:
        sub = await self._target(interaction, submission)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            supplied = await read_attachment(
                file, max_bytes=self.bot.config.pasted.max_bytes, url=sub.url
            )
        except SuppliedSourceError as err:
            raise Refused(f"{err}.") from None
        updated = await self.bot.service.supply_source(
            sub.id, interaction.user.id, supplied, reason
        )
        note = f"source supplied: {supplied.filename}" + (f"; {reason}" if reason else "")
        await self._announce(interaction, updated, "supply-source", None, note)

    @app_commands.command(
        name="recheck-all", description="Re-check the sources of all verified quotes now"
    )
    async def recheck_all(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.rechecks import Rechecks  # here: the class of the extension loaded now

        cog = self.bot.get_cog("Rechecks")
        if not isinstance(cog, Rechecks):
            raise Refused("Re-checks are not running on this bot (the rechecks extension).")
        await cog.run_all(interaction)

    # -- reading the record --------------------------------------------------------------------

    @app_commands.command(name="history", description="Every check, vote and decision of a quote")
    @app_commands.describe(submission=SUBMISSION_HELP)
    async def history(
        self, interaction: discord.Interaction[Any], submission: int | None = None
    ) -> None:
        sub = await self._target(interaction, submission)
        events = await self.bot.service.history(sub.id)
        embed = discord.Embed(
            title=f"History of submission #{sub.id}",
            description=fit_lines(history_lines(events), 4000),
            colour=discord.Colour.blurple(),
        )
        embed.set_footer(text=f"status: {sub.status} · {len(events)} events")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="stats", description="Submissions by status; bot and moderators")
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        numbers = await self.bot.service.stats(interaction.guild_id)
        embed = discord.Embed.from_dict(stats_embed(numbers).to_dict())
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="export", description="Every submission as a JSONL or CSV file")
    @app_commands.describe(format="jsonl (one JSON object per line) or csv")
    async def export(
        self, interaction: discord.Interaction[Any], format: Literal["jsonl", "csv"] = "jsonl"
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.bot.service.export(format, interaction.guild_id)
        if len(data) > EXPORT_MAX_BYTES:
            raise Refused(
                f"The export is {len(data) / 1e6:.1f} MB, too large to attach; "
                "run `python -m bot export` on the bot's machine instead."
            )
        file = discord.File(io.BytesIO(data), filename=f"verbatim-submissions.{format}")
        await interaction.followup.send(
            f"{format.upper()} export, {len(data):,} bytes.", file=file, ephemeral=True
        )
        await self._mod_log(
            f"**export** ({format}, {len(data):,} bytes) · by <@{interaction.user.id}>", None
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Moderation(cast("VerbatimBot", bot)))
