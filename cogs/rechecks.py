"""Re-checks on Discord: the scheduled run, ``/mod recheck-all`` with progress, and the news.

The work is :class:`bot.recheck.Rechecker`'s. This extension starts its scheduled loop once the
bot is ready (when ``[recheck] enabled``), stops it when unloaded or closed, runs it on demand
for moderators, and posts what a re-check found in the submission's thread and the moderator
log, updating the verdict shown when the source changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ext import commands

from bot.models import VerificationResult
from bot.recheck import Progress, Rechecker, RecheckResult, RecheckSummary, describe_change
from bot.render import REACTIONS, QuoteFacts, fit_content, safe, verdict_embed
from bot.storage.log import Submission
from bot.submissions import Refused

if TYPE_CHECKING:
    from cogs.client import VerbatimBot

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 2.0  # at most one progress edit this often (Discord rate-limits edits)
SOURCE_CHANGED_NOTE = "the source changed after the quote was verified"


class OneRunAtATime(Rechecker):
    """A Rechecker whose runs never overlap: the schedule's and a moderator's share a lock."""

    def __init__(self, *args: Any, lock: asyncio.Lock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = lock

    async def run(
        self,
        *,
        older_than_days: float | None = None,
        everything: bool = False,
        progress: Progress | None = None,
    ) -> RecheckSummary:
        async with self.lock:
            return await super().run(
                older_than_days=older_than_days, everything=everything, progress=progress
            )


class ProgressMessage:
    """Edits a deferred response as a run goes: one edit at a time, at most every few seconds."""

    def __init__(
        self,
        interaction: discord.Interaction[Any],
        total: int,
        every: float = PROGRESS_SECONDS,
    ) -> None:
        self.interaction = interaction
        self.total = total
        self.every = every
        self.done = 0
        self.counts: Counter[str] = Counter()
        self._changed = asyncio.Event()
        self._finished = asyncio.Event()
        self._task = asyncio.create_task(self._edits(), name="verbatim-recheck-progress")

    def update(self, done: int, total: int, outcome: RecheckResult) -> None:
        """The Rechecker's progress callback (synchronous: it only notes and wakes the editor)."""
        self.done, self.total = done, total
        self.counts[outcome.outcome] += 1
        self._changed.set()

    def text(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        return (
            f"Re-checking the sources of verified quotes: {self.done} of {self.total} done"
            + (f" ({counts})" if counts else "")
            + "…"
        )

    async def _edits(self) -> None:
        while True:
            await self._changed.wait()
            if self._finished.is_set():
                return
            self._changed.clear()
            await self.say(self.text())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._finished.wait(), self.every)

    async def say(self, text: str) -> None:
        try:
            await self.interaction.edit_original_response(content=fit_content(text))
        except discord.HTTPException as exc:  # the token lasts 15 minutes; the mod log has it all
            log.info("could not show re-check progress: %s", exc)

    async def finish(self, text: str) -> None:
        self._finished.set()
        self._changed.set()
        await self._task
        await self.say(text)

    def cancel(self) -> None:
        self._task.cancel()


def summary_text(summary: RecheckSummary) -> str:
    text = f"Done: {summary.line()}."
    if summary.notified:
        numbers = ", ".join(f"#{n}" for n in sorted(summary.notified))
        text += f" What changed was posted in the threads of {numbers} and in the moderator log."
    return text


class Rechecks(commands.Cog):
    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot
        self.lock = asyncio.Lock()
        self.rechecker: Rechecker | None = None
        self._loop: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        verifier = self.bot.verifier
        if verifier is None:
            log.info("re-checks are off: this bot runs without the real verifier")
            return
        self.rechecker = OneRunAtATime(
            self.bot.store,
            verifier,
            self.bot.config.recheck,
            on_change=self.on_change,
            clock=self.bot.service.clock,
            lock=self.lock,
        )
        if self.bot.is_ready():  # reloaded while connected: on_ready will not come again
            self.start_schedule()

    async def cog_unload(self) -> None:
        await self.stop_schedule()

    # -- the schedule --------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self.start_schedule()

    @property
    def scheduled(self) -> bool:
        return self._loop is not None and not self._loop.done()

    def start_schedule(self) -> None:
        """Start the scheduled runs (once, however often the bot reconnects), when enabled."""
        if self.rechecker is None or not self.bot.config.recheck.enabled or self.scheduled:
            return
        self._loop = asyncio.create_task(self.rechecker.run_forever(), name="verbatim-recheck")

    async def stop_schedule(self) -> None:
        task, self._loop = self._loop, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    # -- /mod recheck-all ----------------------------------------------------------------------

    async def run_all(self, interaction: discord.Interaction[Any]) -> None:
        """Re-check every verified quote now, showing progress in the moderator's reply."""
        if self.rechecker is None:
            raise Refused("Re-checks need the bot's verifier, and this bot runs without it.")
        if self.lock.locked():
            raise Refused("A re-check run is already under way; try again when it has finished.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        total = len(self.rechecker.due(everything=True))
        progress = ProgressMessage(interaction, total)
        quotes = "quote" if total == 1 else "quotes"
        await progress.say(f"Re-checking the sources of {total} verified {quotes}…")
        started = time.monotonic()
        try:
            summary = await self.rechecker.run(everything=True, progress=progress.update)
        except BaseException:
            progress.cancel()
            raise
        await progress.finish(summary_text(summary))
        log.info("recheck-all: %s in %.1f s", summary.line(), time.monotonic() - started)
        await self._mod_log(
            f"**recheck-all** · by <@{interaction.user.id}> · {summary.line()}", None
        )

    # -- what a re-check found -----------------------------------------------------------------

    async def on_change(
        self, sub: Submission, old: dict[str, Any], new: VerificationResult
    ) -> None:
        """The Rechecker's hook: tell the thread and the moderator log; show the new verdict."""
        await self.bot.wait_until_ready()
        text = safe(describe_change(sub, old, new), 1800, one_line=False)
        if sub.thread_id:
            await self._post(sub.thread_id, sub.id, "recheck", content=f"🔁 {text}")
        if new.verdict != "unverifiable":  # stored as a new check: the verdict shown follows it
            await self._show_verdict(sub, new)
        await self._mod_log(f"**recheck** · submission #{sub.id} · {sub.status}\n{text}", sub.id)

    async def _show_verdict(self, sub: Submission, new: VerificationResult) -> None:
        current = await self.bot.service.get(sub.id)
        spec = verdict_embed(new, QuoteFacts.from_submission(current))
        if current.status == "source_changed":
            spec.footer = f"{spec.footer} · {SOURCE_CHANGED_NOTE}"
        embed = spec.to_dict()
        shown = [r for r in self.bot.store.replies_for(sub.id) if r.kind == "verdict"]
        if shown:
            last = shown[-1]
            channel = self.bot.get_partial_messageable(last.channel_id)
            try:
                await channel.get_partial_message(last.message_id).edit(
                    embed=discord.Embed.from_dict(embed)
                )
            except discord.HTTPException as exc:
                log.info("could not update the verdict of #%s: %s", sub.id, exc)
            else:
                await self.bot.service.record_reply(
                    channel_id=last.channel_id,
                    message_id=last.message_id,
                    kind="verdict_updated",
                    embed=embed,
                    submission_id=sub.id,
                )
        await self._mark_post(current, current.human_verdict or new.verdict)

    async def _mark_post(self, sub: Submission, verdict: str) -> None:
        """The reaction on the post follows the verdict that counts."""
        me = self.bot.user
        if me is None:
            return
        post = self.bot.get_partial_messageable(sub.channel_id).get_partial_message(sub.message_id)
        try:
            for name, emoji in REACTIONS.items():
                if name != verdict:
                    await post.remove_reaction(emoji, me)
            await post.add_reaction(REACTIONS[verdict])
        except discord.HTTPException as exc:
            log.info("could not mark post %s: %s", sub.message_id, exc)

    async def _post(
        self, channel_id: int, submission_id: int | None, kind: str, *, content: str
    ) -> None:
        """Post and record the message; a thread or channel that is gone is not fatal."""
        channel = self.bot.get_partial_messageable(channel_id)
        try:
            message = await channel.send(fit_content(content))
        except discord.HTTPException as exc:
            log.warning("could not post a re-check message in %s: %s", channel_id, exc)
            return
        await self.bot.service.record_reply(
            channel_id=channel_id,
            message_id=message.id,
            kind=kind,
            content=message.content,
            submission_id=submission_id,
        )

    async def _mod_log(self, line: str, submission_id: int | None) -> None:
        channel_id = self.bot.config.discord.mod_log_channel
        if channel_id:
            await self._post(channel_id, submission_id, "mod_log", content=line)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Rechecks(cast("VerbatimBot", bot)))
