"""Quote posts in, verdicts out: quote channels, /quote submit and check, "Submit as quote".

Every path ends in :class:`bot.submissions.SubmissionService`; this extension only reads Discord
events, answers the member, opens the thread and posts the verdict the service hands back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import QuoteInput, VerificationResult
from bot.postparse import parse_post
from bot.render import (
    PENDING_REACTION,
    REACTIONS,
    QuoteFacts,
    card_text,
    fit_content,
    safe,
    thread_name,
    verdict_embed,
)
from bot.storage.log import Submission
from bot.submissions import PostRef, Refused, SubmissionService, SubmitOutcome
from bot.supplied import SuppliedFile, SuppliedSourceError, accepted, text_supplied
from cogs.errors import report_error
from cogs.supplied import first_readable, read_attachment
from cogs.votes import vote_view

if TYPE_CHECKING:
    from cogs.client import VerbatimBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week without messages
THREAD_ALREADY_EXISTS = 160004
UNKNOWN_MESSAGE = 10008
_LABEL_WORDS = ("statement", "claim", "motion", "vote", "stance", "position")


def unused_files_note(problems: list[str]) -> str:
    """Why no attached file was the source (file names and all escaped: they are the member's)."""
    return (
        "📎 I could not use the attached file as the source, so I am checking the "
        "quote against its link.\n" + "\n".join(f"- {safe(p, 400)}" for p in problems[:3])
    )


class SubmitModal(discord.ui.Modal, title="Submit a quote"):
    """The fields of a quote post, and the source's text for sources the bot cannot read.

    Discord allows five boxes in a form, so the year goes with the name, as in a post.
    """

    quote: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        custom_id="quote",
        label="Quote",
        style=discord.TextStyle.paragraph,
        placeholder="The quoted words, exactly as said or written",
        min_length=12,
        max_length=4000,
    )
    author: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        custom_id="author",
        label="Said by (and the year)",
        placeholder="Name, role or organisation (year), e.g. Ben Brooks, Stability AI (2024)",
        max_length=300,
    )
    source: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        custom_id="source", label="Source link", placeholder="https://…", max_length=2048
    )
    claim: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        custom_id="claim",
        label="Statement and vote (optional)",
        style=discord.TextStyle.paragraph,
        placeholder="Statement: Open-source AI is more dangerous than closed-source AI\nVote: against",
        required=False,
        max_length=700,
    )
    source_text: discord.ui.TextInput[SubmitModal] = discord.ui.TextInput(
        custom_id="source_text",
        label="Source text (optional)",
        style=discord.TextStyle.paragraph,
        placeholder="For a paywalled page, a book or a transcript: paste the passage quoted",
        required=False,
        max_length=4000,
    )

    def __init__(self, cog: Quotes) -> None:
        super().__init__(custom_id="verbatim:quote:submit", timeout=900)
        self.cog = cog

    def post_text(self) -> str:
        """The boxes as a labelled post, read by the same parser as channel posts."""
        lines = [f"Quote: {self.quote.value.strip()}", f"Author: {self.author.value.strip()}"]
        lines.append(f"Source: {self.source.value.strip()}")
        claim = self.claim.value.strip()
        if claim:
            first = claim.split(":", 1)[0].strip().lower()
            lines.append(claim if first in _LABEL_WORDS else f"Statement: {claim}")
        return "\n".join(lines)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.cog.submit_from_modal(
            interaction, self.post_text(), source_text=self.source_text.value
        )

    async def on_error(  # type: ignore[override]  # Modal's own signature, narrower than View's
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)


class Quotes(commands.Cog):
    quote = app_commands.Group(
        name="quote", description="Submit a quote for checking, or check one", guild_only=True
    )

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Submit as quote", callback=self.submit_message)
        self.menu.guild_only = True
        self._thread_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)
        self.bot.result_listeners.append(self.post_verdict)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        if self.post_verdict in self.bot.result_listeners:
            self.bot.result_listeners.remove(self.post_verdict)

    @property
    def service(self) -> SubmissionService:
        return self.bot.service

    # -- posts in quote channels ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or message.webhook_id is not None:
            return
        if isinstance(message.channel, discord.Thread):
            await self.service.record_thread_message(
                thread_id=message.channel.id,
                message_id=message.id,
                author_id=message.author.id,
                content=message.content,
            )
            return
        if message.channel.id not in self.bot.quote_channels:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        post = PostRef(message.guild.id, message.channel.id, message.id, message.author.id)
        moderator = self.bot.is_moderator(message.author)
        if message.attachments:
            await self._submit_with_files(message, post, moderator)
            return
        outcome = await self.service.submit(post, message.content, is_moderator=moderator)
        await self._answer_post(message, outcome)

    async def _submit_with_files(
        self, message: discord.Message, post: PostRef, moderator: bool
    ) -> None:
        """A post with attachments: the first that reads as the source's text is checked
        against; when none does, the link is checked and the thread says why."""
        outcome, problems = await self._submit_reading_files(
            post, message.content, list(message.attachments), moderator
        )
        await self._answer_post(message, outcome)
        await self._note_unused_files(message, outcome, problems)

    async def _submit_reading_files(
        self,
        post: PostRef,
        text: str,
        attachments: list[discord.Attachment],
        moderator: bool,
    ) -> tuple[SubmitOutcome, list[str]]:
        """Submit a post whose attachments may hold the source's text (channel posts and the
        context menu alike).

        Returns the outcome and, when files were attached but none could be used, why each
        was refused (the quote is then checked against its link)."""
        if not attachments:
            return await self.service.submit(post, text, is_moderator=moderator), []
        existing = self.bot.store.submission_by_message(post.channel_id, post.message_id)
        if existing is not None:
            return SubmitOutcome("already", "", submission=existing), []
        parsed = parse_post(text)
        if not parsed.ok:
            return await self.service.submit(post, text, is_moderator=moderator), []
        # Refuse (cooldown, duplicate) before downloading anything.
        refusal = self.service.refusal(post, parsed, text, is_moderator=moderator)
        if refusal is not None:
            return refusal, []
        supplied, problems = await first_readable(
            attachments, max_bytes=self.bot.config.pasted.max_bytes, url=parsed.url or ""
        )
        # The download let others in: the same post may have been submitted meanwhile.
        existing = self.bot.store.submission_by_message(post.channel_id, post.message_id)
        if existing is not None:
            return SubmitOutcome("already", "", submission=existing), []
        outcome = self.service.submit_parsed(
            post, parsed, text, is_moderator=moderator, supplied=supplied
        )
        return outcome, problems if supplied is None else []

    async def _note_unused_files(
        self,
        message: discord.Message,
        outcome: SubmitOutcome,
        problems: list[str],
    ) -> None:
        """Say in the thread (or a reply, without one) why no attached file was used."""
        sub = outcome.submission
        if not problems or not outcome.accepted or sub is None:
            return
        note = unused_files_note(problems)
        current = await self.service.get(sub.id)
        if current.thread_id:
            await self._send(current.thread_id, sub.id, "supplied_refused", content=note)
        else:
            reply = await message.reply(fit_content(note), mention_author=False)
            await self.service.record_reply(
                channel_id=reply.channel.id,
                message_id=reply.id,
                kind="supplied_refused",
                content=reply.content,
                submission_id=sub.id,
            )

    async def _answer_post(
        self, message: discord.Message | discord.PartialMessage, outcome: SubmitOutcome
    ) -> None:
        """React, open the thread, or explain in a reply why the post was not taken."""
        if outcome.kind in ("queued", "edited") and outcome.submission is not None:
            await self._react(message, PENDING_REACTION)
            thread_id = await self.ensure_thread(outcome.submission, message)
            if outcome.kind == "edited" and thread_id is not None:
                await self._send(
                    thread_id,
                    outcome.submission.id,
                    "reverify_note",
                    content="✏️ The post was edited, so I am checking it again.",
                )
        elif outcome.message:
            sub = outcome.submission
            if outcome.kind == "unparsed" and sub is not None and sub.thread_id:
                # An edit broke a post that has a thread: explain there, where the talk is.
                await self._send(sub.thread_id, sub.id, "format_help", content=outcome.message)
                return
            reply = await message.reply(fit_content(outcome.message), mention_author=False)
            await self.service.record_reply(
                channel_id=reply.channel.id,
                message_id=reply.id,
                kind=outcome.kind if outcome.kind != "unparsed" else "format_help",
                content=reply.content,
                submission_id=sub.id if sub is not None and outcome.kind != "duplicate" else None,
            )

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        data = payload.data
        author = data.get("author")
        if "content" not in data or not author or author.get("bot") or payload.guild_id is None:
            return
        ours = payload.channel_id in self.bot.quote_channels
        if (
            not ours
            and self.bot.store.submission_by_message(payload.channel_id, payload.message_id) is None
        ):
            return
        author_id = int(author["id"])
        guild = self.bot.get_guild(payload.guild_id)
        member = guild.get_member(author_id) if guild is not None else None
        moderator = member is not None and self.bot.is_moderator(member)
        post = PostRef(payload.guild_id, payload.channel_id, payload.message_id, author_id)
        outcome = await self.service.post_edited(post, str(data["content"]), is_moderator=moderator)
        if outcome.kind in ("unchanged", "already"):
            return
        await self._answer_post(payload.message, outcome)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self._withdraw(payload.channel_id, payload.message_id)

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        for message_id in payload.message_ids:
            await self._withdraw(payload.channel_id, message_id)

    async def _withdraw(self, channel_id: int, message_id: int) -> None:
        sub = self.bot.store.submission_by_message(channel_id, message_id)
        if sub is None or sub.status == "withdrawn":
            return
        sub = await self.service.post_deleted(channel_id, message_id)
        if sub is not None and sub.thread_id:
            await self._send(
                sub.thread_id,
                sub.id,
                "withdrawn_note",
                content=f"🗑️ The post was deleted, so submission #{sub.id} is withdrawn. "
                "Its record and history are kept.",
            )

    # -- threads, verdicts, reactions ----------------------------------------------------------

    async def ensure_thread(
        self, sub: Submission, message: discord.Message | discord.PartialMessage | None = None
    ) -> int | None:
        """The submission's thread, opened on its post the first time (once, however many ask)."""
        async with self._thread_locks[sub.id]:
            current = await self.service.get(sub.id)
            if current.thread_id:
                return int(current.thread_id)
            if message is None:
                channel = self.bot.get_channel(current.channel_id)
                if not isinstance(channel, discord.TextChannel):
                    log.warning("submission %s: channel %s not found", sub.id, sub.channel_id)
                    return None
                message = channel.get_partial_message(current.message_id)
            try:
                thread = await message.create_thread(
                    name=thread_name(QuoteFacts.from_submission(current)),
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
                thread_id = thread.id
            except discord.HTTPException as exc:
                if exc.code == THREAD_ALREADY_EXISTS:
                    thread_id = current.message_id  # a thread on a message shares its id
                elif exc.code == UNKNOWN_MESSAGE:
                    return None
                else:
                    raise
            await self.service.set_thread(sub.id, thread_id)
            return thread_id

    async def post_verdict(self, sub: Submission, result: VerificationResult) -> None:
        """The service's result hook: the verdict embed and vote buttons in the thread."""
        await self.bot.wait_until_ready()
        thread_id = await self.ensure_thread(sub)
        if thread_id is None:
            log.warning("submission %s has no thread; its verdict is only in the database", sub.id)
        else:
            current = await self.service.get(sub.id)
            spec = verdict_embed(result, QuoteFacts.from_submission(current))
            await self._send(
                thread_id,
                sub.id,
                "verdict",
                embed=spec.to_dict(),
                view=vote_view(sub.id, self.bot.store.tally(sub.id)),
            )
        message = self._post_message(sub)
        if message is not None:
            # The mark on the post follows the verdict that counts: a moderator's wins.
            counts = sub.human_verdict or result.verdict
            await self._unreact(message, PENDING_REACTION)
            if sub.revision > 1 or sub.human_verdict:
                for verdict, emoji in REACTIONS.items():
                    if verdict != counts:
                        await self._unreact(message, emoji)
            await self._react(message, REACTIONS[counts])

    def _post_message(self, sub: Submission) -> discord.PartialMessage | None:
        channel = self.bot.get_channel(sub.channel_id)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            return channel.get_partial_message(sub.message_id)
        return None

    async def _send(
        self,
        channel_id: int,
        submission_id: int | None,
        kind: str,
        *,
        content: str | None = None,
        embed: dict[str, Any] | None = None,
        view: discord.ui.View | None = None,
    ) -> discord.Message:
        """Post in a channel or thread (cached or not) and log the message in the database."""
        channel = self.bot.get_partial_messageable(channel_id)
        kwargs: dict[str, Any] = {}
        if content:
            kwargs["content"] = fit_content(content)
        if embed is not None:
            kwargs["embed"] = discord.Embed.from_dict(embed)
        if view is not None:
            kwargs["view"] = view
        message = await channel.send(**kwargs)
        await self.service.record_reply(
            channel_id=channel_id,
            message_id=message.id,
            kind=kind,
            content=kwargs.get("content", ""),
            embed=embed,
            submission_id=submission_id,
        )
        return message

    async def _react(self, message: discord.Message | discord.PartialMessage, emoji: str) -> None:
        try:
            await message.add_reaction(emoji)
        except discord.HTTPException as exc:  # a deleted post, or no permission: not fatal
            log.info("could not react to %s: %s", message.id, exc)

    async def _unreact(self, message: discord.PartialMessage, emoji: str) -> None:
        me = self.bot.user
        if me is None:
            return
        try:
            await message.remove_reaction(emoji, me)
        except discord.HTTPException as exc:
            log.info("could not remove a reaction from %s: %s", message.id, exc)

    # -- slash commands and the context menu ---------------------------------------------------

    @quote.command(name="submit", description="Submit a quote: a form with the post's fields")
    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(SubmitModal(self))

    async def submit_from_modal(
        self, interaction: discord.Interaction[Any], text: str, *, source_text: str = ""
    ) -> None:
        """Refuse privately, or post a card in the quote channel, open its thread and queue.

        ``source_text``: the source's words pasted into the form, checked against instead of
        the link.
        """
        if interaction.guild_id is None or interaction.channel_id is None:
            raise Refused("Quotes can be submitted only in a server.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = interaction.user
        moderator = self.bot.is_moderator(member, interaction.permissions)
        # Until the card exists, the interaction stands in for the post in the record.
        probe = PostRef(interaction.guild_id, interaction.channel_id, interaction.id, member.id)
        parsed = parse_post(text)
        if not parsed.ok:
            outcome = await self.service.submit(probe, text, is_moderator=moderator)
            await interaction.followup.send(fit_content(outcome.message), ephemeral=True)
            return
        refusal = self.service.refusal(probe, parsed, text, is_moderator=moderator)
        if refusal is not None:
            await interaction.followup.send(fit_content(refusal.message), ephemeral=True)
            return
        supplied: SuppliedFile | None = None
        if source_text.strip():
            max_bytes = self.bot.config.pasted.max_bytes
            try:
                supplied = text_supplied(source_text, max_bytes=max_bytes, url=parsed.url or "")
            except SuppliedSourceError as err:
                raise Refused(
                    f"The source text cannot be used: {err}. Paste the passage quoted, or "
                    f"post the quote in a quote channel with {accepted(max_bytes)} attached."
                ) from None
        channel = self._card_channel(interaction)
        facts = QuoteFacts(
            quote=parsed.quote or "",
            url=parsed.url or "",
            person=parsed.author,
            role=parsed.author_role,
            year=parsed.year,
            statement=parsed.statement,
            stance=parsed.stance,
        )
        content = card_text(facts, member.id)
        if supplied is not None:
            content = fit_content(f"{content}\n📎 The source's text was supplied with the form.")
        card = await channel.send(content)
        post = PostRef(interaction.guild_id, channel.id, card.id, member.id)
        outcome = self.service.submit_parsed(
            post, parsed, text, is_moderator=moderator, supplied=supplied, supplied_origin="modal"
        )
        if not outcome.accepted or outcome.submission is None:
            await card.delete()
            await interaction.followup.send(fit_content(outcome.message), ephemeral=True)
            return
        sub = outcome.submission
        await self.service.record_reply(
            channel_id=channel.id,
            message_id=card.id,
            kind="submission_card",
            content=card.content,
            submission_id=sub.id,
        )
        await self._react(card, PENDING_REACTION)
        thread_id = await self.ensure_thread(sub, card)
        where = f" The check runs in <#{thread_id}>." if thread_id else ""
        await interaction.followup.send(f"Submitted as #{sub.id}.{where}", ephemeral=True)

    def _card_channel(self, interaction: discord.Interaction[Any]) -> discord.TextChannel:
        """The channel the command was used in if it takes quotes, else the first quote channel."""
        here = interaction.channel
        quote_channels = self.bot.config.discord.quote_channels
        if isinstance(here, discord.TextChannel) and (
            here.id in quote_channels or not quote_channels
        ):
            return here
        for channel_id in quote_channels:
            channel = self.bot.get_channel(channel_id)
            if (
                isinstance(channel, discord.TextChannel)
                and channel.guild.id == interaction.guild_id
            ):
                return channel
        if isinstance(here, discord.TextChannel):
            return here
        raise Refused("Use /quote submit in a text channel of this server (not in a thread).")

    @quote.command(
        name="check", description="Check a quote against its source (private, not saved)"
    )
    @app_commands.describe(
        quote="The quoted words, exactly as said or written",
        source="The source's web address (http or https)",
        author="Who said or wrote it",
        year="The year it was said or published",
        source_file="The source's text as a .txt, .html or .pdf file, checked instead of "
        "fetching the link",
    )
    async def check(
        self,
        interaction: discord.Interaction[Any],
        quote: str,
        source: str,
        author: str | None = None,
        year: app_commands.Range[int, 1000, 2999] | None = None,
        source_file: discord.Attachment | None = None,
    ) -> None:
        inp = QuoteInput.parse(quote=quote, url=source, author=author, year=year)
        await interaction.response.defer(ephemeral=True, thinking=True)
        page = None
        if source_file is not None:
            max_bytes = self.bot.config.pasted.max_bytes
            try:
                supplied = await read_attachment(source_file, max_bytes=max_bytes, url=inp.url)
            except SuppliedSourceError as err:
                raise Refused(
                    f"The source file cannot be used: {safe(str(err), 900)}. To check the "
                    "quote against its link instead, leave out `source_file`."
                ) from None
            page = supplied.page
        result = await self.bot.verify(inp, supplied=page)
        spec = verdict_embed(result, QuoteFacts.from_input(inp), saved=False)
        await interaction.followup.send(
            embed=discord.Embed.from_dict(spec.to_dict()), ephemeral=True
        )

    async def submit_message(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        """Context menu: submit someone's post (anywhere) as a quote, on the invoker's behalf."""
        if interaction.guild_id is None:
            raise Refused("Quotes can be submitted only in a server.")
        if isinstance(interaction.channel, discord.Thread):
            raise Refused("Use “Submit as quote” on a post in a text channel, not in a thread.")
        if self.bot.user is not None and message.author.id == self.bot.user.id:
            raise Refused("That is one of my own messages.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        moderator = self.bot.is_moderator(interaction.user, interaction.permissions)
        post = PostRef(interaction.guild_id, message.channel.id, message.id, interaction.user.id)
        # A file attached to the post is the source's text, as for a post in a quote channel.
        outcome, problems = await self._submit_reading_files(
            post, message.content, list(message.attachments), moderator
        )
        sub = outcome.submission
        if outcome.kind == "queued" and sub is not None:
            await self._react(message, PENDING_REACTION)
            thread_id = await self.ensure_thread(sub, message)
            await self._note_unused_files(message, outcome, problems)
            where = f" The check runs in <#{thread_id}>." if thread_id else ""
            text = f"Submitted as #{sub.id}.{where}"
            if problems:
                text += "\n" + unused_files_note(problems)
        elif outcome.kind == "already" and sub is not None:
            where = f" — see <#{sub.thread_id}>" if sub.thread_id else ""
            text = f"This post was already submitted as #{sub.id}{where}."
        else:
            text = outcome.message
        await interaction.followup.send(fit_content(text), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Quotes(cast("VerbatimBot", bot)))
