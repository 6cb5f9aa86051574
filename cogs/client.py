"""The Verbatim bot: one ``commands.Bot`` owning the database, the verifier and the check workers.

Features live in extensions (``EXTENSIONS``); this module only wires them to the Discord-free
logic in ``bot/`` and takes care of starting and stopping cleanly.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from bot.config import Config, DiscordConfig
from bot.models import QuoteInput, VerificationResult
from bot.startup import EX_CONFIG, token_problem
from bot.storage import open_database
from bot.storage.log import Store, Submission
from bot.submissions import SubmissionService

if TYPE_CHECKING:
    from bot.fetch import FetchedPage
    from bot.verify import Verifier

log = logging.getLogger(__name__)

EXTENSIONS = (
    "cogs.errors",
    "cogs.quotes",
    "cogs.votes",
    "cogs.moderation",
    "cogs.statements",
    "cogs.rechecks",
)

# Called as ``verify(inp)``, or ``verify(inp, supplied=page)`` for a quote with supplied source text.
Verify = Callable[..., Awaitable[VerificationResult]]
ResultListener = Callable[[Submission, VerificationResult], Awaitable[None]]

_API_SUFFIX = re.compile(r"/api/v\d+/?$")


def apply_endpoints(cfg: DiscordConfig) -> None:
    """Send discord.py to ``api_base``/``gateway_url`` when set (testing only; class-wide)."""
    if cfg.api_base:
        base = cfg.api_base.rstrip("/")
        discord.http.Route.BASE = base if _API_SUFFIX.search(base) else f"{base}/api/v10"
    if cfg.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(cfg.gateway_url)


@contextlib.contextmanager
def endpoints(cfg: DiscordConfig) -> Iterator[None]:
    """:func:`apply_endpoints`, restoring Discord's own addresses afterwards (tests, the demo)."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    apply_endpoints(cfg)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def bot_intents() -> discord.Intents:
    """Guilds and their messages, message content (to read posts) and members (moderator roles)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True
    intents.message_content = True
    intents.members = True
    return intents


class VerbatimBot(commands.Bot):
    """The bot. ``verify`` replaces the real :class:`bot.verify.Verifier` (tests only)."""

    def __init__(self, config: Config, *, verify: Verify | None = None, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=config.discord.guild_ready_timeout,
            help_command=None,
            **options,
        )
        self.config = config
        self._verify_override = verify
        self._verifier: Any = None  # bot.verify.Verifier, imported when the bot starts
        self._store: Store | None = None
        self._service: SubmissionService | None = None
        self.result_listeners: list[ResultListener] = []
        self._closed_resources = False

    # -- what the cogs use ---------------------------------------------------------------------

    @property
    def service(self) -> SubmissionService:
        if self._service is None:
            raise RuntimeError("the bot has not been set up yet")
        return self._service

    @property
    def store(self) -> Store:
        return self.service.store

    @property
    def verifier(self) -> Verifier | None:
        """The real verifier, None when a test replaces it (re-checks need its fetcher)."""
        verifier: Verifier | None = self._verifier
        return verifier

    async def verify(
        self, inp: QuoteInput, *, supplied: FetchedPage | None = None
    ) -> VerificationResult:
        """A check outside the queue (``/quote check``): nothing is saved.

        ``supplied``: the source's text given with the command, judged instead of the link,
        exactly as a supplied source of a submission is."""
        if self._verify_override is not None:
            if supplied is None:
                return await self._verify_override(inp)
            return await self._verify_override(inp, supplied=supplied)
        if self._verifier is None:
            raise RuntimeError("the bot has not been set up yet")
        result: VerificationResult = await self._verifier.verify(inp, supplied=supplied)
        return result

    def is_moderator(
        self, member: discord.abc.User, permissions: discord.Permissions | None = None
    ) -> bool:
        """Manage Messages (in the channel when ``permissions`` is given) or the configured role."""
        if not isinstance(member, discord.Member):
            return False
        perms = permissions if permissions is not None else member.guild_permissions
        if perms.manage_messages or perms.administrator:
            return True
        role = self.config.discord.moderator_role
        return bool(role) and any(r.id == role for r in member.roles)

    @property
    def quote_channels(self) -> frozenset[int]:
        return frozenset(self.config.discord.quote_channels)

    # -- lifecycle -----------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self._store = Store(open_database(Path(self.config.database.path)))
        verify = self._verify_override
        if verify is None:
            from bot.verify import Verifier

            self._verifier = Verifier(self.config)
            verify = self._verifier.verify
        self._service = SubmissionService(
            self._store,
            verify,
            workers=self.config.discord.workers,
            cooldown_seconds=self.config.discord.cooldown_seconds,
            on_result=self._deliver_result,
        )
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()
        # Workers start last, so a result found at once has an extension to deliver it.
        waiting = await self._service.start()
        if waiting:
            log.info("restart: %d submissions back in the check queue", waiting)

    async def sync_commands(self) -> None:
        """Register the slash commands: in the configured guilds at once, else globally."""
        guilds = self.config.discord.command_guilds
        if not guilds:
            await self.tree.sync()
            return
        for guild_id in guilds:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def _deliver_result(self, sub: Submission, result: VerificationResult) -> None:
        if not self.result_listeners:
            log.warning("no extension takes check results; submission %s not announced", sub.id)
        for listener in list(self.result_listeners):
            await listener(sub, result)

    async def on_ready(self) -> None:
        log.info("ready as %s in %d servers", self.user, len(self.guilds))

    async def close(self) -> None:
        """Stop the workers first (an interrupted check is redone on the next start), then
        disconnect, then close the verifier and the database."""
        if self._service is not None:
            await self._service.stop()
        await super().close()
        if self._closed_resources:
            return
        self._closed_resources = True
        if self._verifier is not None:
            await self._verifier.close()
        if self._store is not None:
            self._store.db.conn.close()


def run_bot(config: Config) -> int:
    """Run until interrupted; returns the process exit code."""
    problem = token_problem(config)
    token = config.secret(config.discord.token_env)
    if problem or not token:
        print(problem, file=sys.stderr)
        return EX_CONFIG
    apply_endpoints(config.discord)
    bot = VerbatimBot(config)
    try:
        bot.run(token, log_level=logging.INFO, root_logger=True)
    except discord.LoginFailure:
        print(
            f"Discord refused the token in {config.discord.token_env}. Copy a fresh one from "
            "the Bot page of your application at https://discord.com/developers/applications.",
            file=sys.stderr,
        )
        return EX_CONFIG
    except discord.PrivilegedIntentsRequired:
        print(
            "Discord refused the connection: turn on the MESSAGE CONTENT and SERVER MEMBERS "
            "intents on the Bot page of your application "
            "(https://discord.com/developers/applications), then run again.",
            file=sys.stderr,
        )
        return EX_CONFIG
    return 0
