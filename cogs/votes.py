"""Accurate / Inaccurate buttons under each verdict: one vote per member, changeable, tally shown.

The buttons are dynamic items: their custom id carries the submission id
(``verbatim:vote:<id>:accurate``), so they keep working after a restart without any state.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ext import commands

from bot.storage.log import Tally, VoteChoice
from bot.submissions import NotFound
from cogs.errors import report_error

if TYPE_CHECKING:
    from cogs.client import VerbatimBot

CUSTOM_ID = "verbatim:vote:{submission_id}:{choice}"
_LABELS: dict[str, tuple[str, discord.ButtonStyle, str]] = {
    "accurate": ("Accurate", discord.ButtonStyle.success, "👍"),
    "inaccurate": ("Inaccurate", discord.ButtonStyle.danger, "👎"),
}


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"verbatim:vote:(?P<id>[0-9]{1,19}):(?P<choice>accurate|inaccurate)",
):
    def __init__(self, submission_id: int, choice: VoteChoice, count: int | None = None) -> None:
        label, style, emoji = _LABELS[choice]
        super().__init__(
            discord.ui.Button(
                label=label if count is None else f"{label} ({count})",
                style=style,
                emoji=emoji,
                custom_id=CUSTOM_ID.format(submission_id=submission_id, choice=choice),
            )
        )
        self.submission_id = submission_id
        self.choice: VoteChoice = choice

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> VoteButton:
        return cls(int(match["id"]), cast(VoteChoice, match["choice"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await record_vote(interaction, self.submission_id, self.choice)
        except Exception as error:  # buttons are not commands: route to the one handler
            await report_error(interaction, error)


def vote_view(submission_id: int, tally: Tally) -> discord.ui.View:
    """The two buttons, their labels showing the current tally."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(submission_id, "accurate", tally.accurate))
    view.add_item(VoteButton(submission_id, "inaccurate", tally.inaccurate))
    return view


async def record_vote(
    interaction: discord.Interaction[Any], submission_id: int, clicked: VoteChoice
) -> None:
    """Clicking a choice votes for it; clicking your current choice again takes the vote back."""
    bot = cast("VerbatimBot", interaction.client)
    sub = await bot.service.get(submission_id)
    if sub.guild_id != interaction.guild_id:
        raise NotFound(f"There is no submission #{submission_id} in this server.")
    current = bot.store.current_votes(submission_id).get(interaction.user.id)
    choice: VoteChoice | None = None if current == clicked else clicked
    outcome = await bot.service.vote(submission_id, interaction.user.id, choice)
    await interaction.response.edit_message(view=vote_view(submission_id, outcome.tally))
    label = {"accurate": "Accurate", "inaccurate": "Inaccurate"}
    if outcome.choice is None:
        text = "You took back your vote."
    elif outcome.previous is None:
        text = f"You voted **{label[outcome.choice]}**."
    else:
        text = (
            f"You changed your vote to **{label[outcome.choice]}** (was {label[outcome.previous]})."
        )
    await interaction.followup.send(text, ephemeral=True)


class Votes(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(VoteButton)
    await bot.add_cog(Votes(bot))


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(VoteButton)
