"""State shared by the REST handlers, the gateway and the test-driving API: the world, the bot's
identity, registered commands, interactions, and the log of everything the bot did."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .gateway import GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT, Gateway, Session
from .messages import FiredMentions, is_mentioned, member_view, strip_content
from .permissions import VIEW_CHANNEL
from .snowflake import SnowflakeGenerator
from .state import JSON, User, World

EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass
class BotAction:
    """One request the bot made, with what it changed.

    `kind` names the effect ("message_create", "message_edit", "message_delete", "reaction_add",
    "reaction_remove", "thread_create", "thread_join", "interaction_callback", "followup",
    "commands_sync", "typing", "fetch", "attachment_download", "other"); `message` is the
    message created or edited, `fired` who it pinged.
    """

    method: str
    route: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    kind: str = "other"
    status: int = 0
    response: Any = None
    channel_id: int | None = None
    message: JSON | None = None
    allowed_mentions: JSON | None = None
    fired: FiredMentions | None = None
    ephemeral: bool = False
    interaction_id: int | None = None
    callback_type: int | None = None
    index: int = -1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class InteractionResponse:
    """The bot's initial callback to an interaction (types 4-9)."""

    type: int
    data: JSON
    ephemeral: bool


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    payload: JSON
    guild_id: int
    channel_id: int
    user_id: int
    source_message_id: int | None = None
    response: InteractionResponse | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    edits: list[JSON] = field(default_factory=list)
    created: float = field(default_factory=time.monotonic)

    @property
    def modal(self) -> JSON | None:
        if self.response is not None and self.response.type == 9:
            return self.response.data
        return None

    @property
    def choices(self) -> list[JSON] | None:
        if self.response is not None and self.response.type == 8:
            return list(self.response.data.get("choices") or [])
        return None


class Core:
    def __init__(
        self,
        *,
        tokens: set[str],
        bot_name: str,
        heartbeat_interval_ms: int,
        allowed_privileged: int,
    ) -> None:
        self.ids = SnowflakeGenerator()
        self.world = World(self.ids)
        self.tokens = tokens
        self.base_url = ""
        self.gateway_url = ""
        owner = User(id=self.ids.next(), username="app-owner")
        self.owner = owner
        self.world.users[owner.id] = owner
        self.bot = User(id=self.ids.next(), username=bot_name, bot=True)
        self.world.users[self.bot.id] = self.bot
        self.application_id = self.bot.id
        self.gateway = Gateway(
            self, heartbeat_interval_ms=heartbeat_interval_ms, allowed_privileged=allowed_privileged
        )
        # (guild id or None for global) -> {command id -> command}
        self.commands: dict[int | None, dict[int, JSON]] = {None: {}}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.ephemeral: dict[int, JSON] = {}
        self.actions: list[BotAction] = []
        self.gateway_log: list[tuple[int, Any]] = []
        self.mark = 0
        self.interaction_deadline: float | None = None
        self._waiters: list[tuple[Callable[[BotAction], bool], asyncio.Future[BotAction]]] = []

    # recording -------------------------------------------------------------------------------
    def record(self, action: BotAction) -> None:
        action.index = len(self.actions)
        self.actions.append(action)
        for waiter in list(self._waiters):
            predicate, fut = waiter
            if fut.done():
                continue
            try:
                matched = predicate(action)
            except Exception as exc:  # surface predicate bugs in the waiting test
                fut.set_exception(exc)
                continue
            if matched:
                fut.set_result(action)

    async def wait_for(
        self,
        predicate: Callable[[BotAction], bool],
        seconds: float,
        since: int | None,
    ) -> BotAction:
        start = self.mark if since is None else since
        for action in self.actions[start:]:
            if predicate(action):
                return action
        fut: asyncio.Future[BotAction] = asyncio.get_running_loop().create_future()
        waiter = (predicate, fut)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(fut, seconds)
        except TimeoutError:
            seen = ", ".join(f"{a.method} {a.route} -> {a.status}" for a in self.actions[start:])
            raise TimeoutError(
                f"no bot action matched within {seconds}s; actions since #{start}: [{seen}]"
            ) from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def record_gateway(self, op: int, data: Any) -> None:
        self.gateway_log.append((op, data))

    # ids and tokens --------------------------------------------------------------------------
    def new_id(self) -> int:
        return self.ids.next()

    def new_interaction_token(self) -> str:
        return "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)

    def attachment_url(self, channel_id: int, att_id: int, filename: str) -> str:
        return f"{self.base_url}/attachments/{channel_id}/{att_id}/{filename}"

    # gateway helpers -------------------------------------------------------------------------
    def bot_can_see(self, channel_id: int) -> bool:
        """Discord sends channel-scoped events only for channels the bot can view."""
        try:
            return bool(self.world.permissions_in(channel_id, self.bot.id) & VIEW_CHANNEL)
        except errors.ApiError:
            return False

    def _message_for(self, session: Session, msg: JSON) -> JSON | None:
        if not self.bot_can_see(int(msg["channel_id"])):
            return None
        out = member_view(self.world, msg)
        author = int(msg["author"]["id"])
        if (
            not session.has(MESSAGE_CONTENT)
            and author != self.bot.id
            and not is_mentioned(msg, self.bot.id)
        ):
            out = strip_content(out)
        return out

    def dispatch_message(self, event: str, msg: JSON) -> None:
        """MESSAGE_CREATE/UPDATE, with content hidden from sessions lacking MESSAGE_CONTENT."""
        if msg.get("flags", 0) & EPHEMERAL:
            return
        self.gateway.dispatch(event, msg, transform=self._message_for)

    def dispatch_in_channel(self, event: str, data: JSON, channel_id: int) -> None:
        """A channel-scoped event (deletes, reactions), withheld if the bot cannot see the channel."""
        if self.bot_can_see(channel_id):
            self.gateway.dispatch(event, data)

    def dispatch(self, event: str, data: JSON) -> None:
        self.gateway.dispatch(event, data)

    def visible_members(self, session: Session) -> set[int] | None:
        """Without GUILD_MEMBERS a bot sees only itself in GUILD_CREATE, as on Discord."""
        if session.has(GUILD_MEMBERS):
            return None
        return {self.bot.id}

    # GatewayHost -----------------------------------------------------------------------------
    def check_token(self, token: str) -> bool:
        return token.removeprefix("Bot ") in self.tokens

    def application_flags(self) -> int:
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        allowed = self.gateway.allowed_privileged
        if allowed & GUILD_PRESENCES:
            flags |= 1 << 13
        if allowed & GUILD_MEMBERS:
            flags |= 1 << 15
        if allowed & MESSAGE_CONTENT:
            flags |= 1 << 19
        return flags

    def bot_user_payload(self) -> JSON:
        out = self.bot.payload()
        out.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        return out

    def ready_payload(self, session: Session) -> JSON:
        out: JSON = {
            "v": 10,
            "user": self.bot_user_payload(),
            "guilds": [{"id": str(gid), "unavailable": True} for gid in self.world.guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
        }
        shard = session.identify.get("shard")
        if shard is not None:
            out["shard"] = shard
        return out

    def guild_create_payloads(self, session: Session) -> list[JSON]:
        visible = self.visible_members(session)
        return [g.create_payload(include_members=visible) for g in self.world.guilds.values()]

    def member_chunks(self, session: Session, request: JSON) -> list[JSON]:
        guild = self.world.guilds.get(int(request.get("guild_id") or 0))
        if guild is None:
            return []
        wanted = {int(u) for u in request.get("user_ids") or []}
        query = str(request.get("query") or "").lower()
        limit = int(request.get("limit") or 0)
        members = []
        for uid, member in guild.members.items():
            if wanted and uid not in wanted:
                continue
            if not wanted and not session.has(GUILD_MEMBERS) and uid != self.bot.id:
                continue
            if query and not member.user.username.lower().startswith(query):
                continue
            members.append(member.payload())
        if limit:
            members = members[:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in wanted if u not in guild.members],
        }
        if request.get("nonce"):
            chunk["nonce"] = request["nonce"]
        return [chunk]

    # lookups used by REST and the driving API -------------------------------------------------
    def find_message(self, message_id: int) -> JSON:
        msg = self.world.messages.get(message_id) or self.ephemeral.get(message_id)
        if msg is None:
            raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
        return msg

    def command(self, guild_id: int | None, name: str, ctype: int) -> JSON | None:
        """A registered command by name; guild commands win over global ones, like the client."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, {}).values():
                if cmd["name"] == name and cmd.get("type", 1) == ctype:
                    return cmd
        return None

    def all_command_names(self) -> list[str]:
        return sorted({c["name"] for scope in self.commands.values() for c in scope.values()})
