"""A Discord-compatible test server, so the real discord.py bot runs unmodified on loopback.

`FakeDiscord` serves the REST API under `{base}/api/v10` and the gateway at `{base}/gateway`
(aiohttp, 127.0.0.1, port 0 by default). Tests set up guilds, channels, roles and members, play
members (messages, edits, deletes, reactions, threads, slash/context-menu commands, autocomplete,
button/select clicks, modal submits), then observe what the bot did through the action log and
`wait_for`. Point discord.py at it with `tests/fakediscord_support.point_discord_py_at`.

Implemented:
- Login: GET users/@me (401 for a token not configured), oauth2/applications/@me, gateway(/bot).
- Gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE per guild, heartbeat ACK, RESUME -> replay +
  RESUMED, INVALID_SESSION for an unknown session, RECONNECT on request, REQUEST_GUILD_MEMBERS,
  zlib-stream compression when asked (discord.py's default), close codes 4001-4005 and 4014.
  Intents: events are filtered by GUILDS / GUILD_MEMBERS / GUILD_MESSAGES / reactions / typing;
  without MESSAGE_CONTENT the bot sees other users' messages with empty content unless mentioned.
- REST: messages (JSON or multipart payload_json + files[n], stored and downloadable), get/list/
  edit/delete, typing, reactions (add/remove own, remove others', clear, list users), threads
  (from a message — same id as the message — or standalone, join/leave, edit/archive), guild,
  channel, member, role and thread lookups, application commands (global and guild; bulk
  overwrite keeps ids), interaction callbacks (types 4-9, `with_response`), follow-ups and
  @original GET/PATCH/DELETE on the interaction webhook.
- Realism: the bot's channel permissions (roles + overwrites) gate every write with Discord's
  403 codes; Discord's limits (2000-char content, embed limits, 6000 total, components, allowed
  mentions, command names/options) give 400 Invalid Form Body; an empty message gives 50006; a
  second interaction callback gives 40060; who a message actually pings is computed from
  content, permissions and allowed_mentions and recorded with every message the bot sends.

Not implemented: DMs, voice, webhooks other than interaction webhooks, pins, bulk delete,
emojis/stickers (custom emoji in reactions are accepted by name:id without a guild emoji list),
rate limiting (no 429s, no X-RateLimit headers), audit logs, sharding beyond echoing `shard`,
ETF encoding, zstd compression, presences, scheduled events, forum channels, polls, user-installed
apps, server-side heartbeat timeouts, and the 3-second interaction deadline unless
`interaction_deadline` is set. A route the bot calls that is not served answers 404 and is logged
as kind "unimplemented" (`FakeDiscord.unimplemented_calls`).

Usage (see tests/test_fakediscord.py):

    fake = FakeDiscord()
    await fake.start()
    gid = fake.add_guild("Quote Club"); cid = fake.add_channel(gid, "quotes")
    alice = fake.add_member(gid, "alice")
    point_discord_py_at(fake.base_url, fake.gateway_url)   # tests/fakediscord_support.py
    ... start the bot with fake.token; await its on_ready ...
    fake.post_message(cid, alice, "a quote")
    reply = await fake.wait_for_message(cid)
    assert not fake.sent_messages[-1].fired.any()           # nobody was pinged

discord.py waits `guild_ready_timeout` (2 s by default) after the last GUILD_CREATE before READY,
and 5 s before a re-IDENTIFY (`before_identify_hook`); tests keep both short on the client.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from aiohttp import web

from . import driving, errors, routes_channels, routes_interactions, routes_meta
from .core import BotAction, Core, InteractionRecord, InteractionResponse
from .gateway import PRIVILEGED_INTENTS, Session
from .messages import attachment_payload, build_message, mention_payloads, resolve_mentions
from .permissions import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Overwrite,
)
from .rest import Router
from .routes_channels import (
    announce_thread,
    delete_and_dispatch,
    dispatch_reaction,
    open_thread,
    parse_emoji,
)
from .state import (
    JSON,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT_CHANNEL,
    Channel,
    Guild,
    Member,
    Role,
    User,
)

DEFAULT_TOKEN = "fake-bot-token"


class FakeDiscord:
    """The server plus the test-driving API. Setup and member actions are synchronous; they queue
    gateway events immediately (or buffer them for a resume while the bot is disconnected)."""

    def __init__(
        self,
        *,
        token: str | Iterable[str] = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Verbatim",
        heartbeat_interval_ms: int = 41250,
        privileged_intents: int = PRIVILEGED_INTENTS,
    ) -> None:
        tokens = {token} if isinstance(token, str) else set(token)
        self.token = next(iter(sorted(tokens)))
        self._host = host
        self._port = port
        self.core = Core(
            tokens=tokens,
            bot_name=bot_name,
            heartbeat_interval_ms=heartbeat_interval_ms,
            allowed_privileged=privileged_intents,
        )
        self._runner: web.AppRunner | None = None
        self._base = ""
        self._identified = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.core.gateway.on_identified = self._on_identified
        self.core.gateway.on_connection_count = self._on_connection_count

    # lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        router = Router(self.core, app)
        routes_meta.register(router)
        routes_channels.register(router)
        routes_interactions.register(router)
        app.router.add_get("/gateway", self.core.gateway.handle)
        router.add_fallback()
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = int(self._runner.addresses[0][1])
        self._base = f"http://{self._host}:{port}"
        self.core.base_url = self._base
        self.core.gateway_url = f"ws://{self._host}:{port}/gateway"

    async def stop(self) -> None:
        await self.core.gateway.kill_connections(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return self._base

    @property
    def api_base(self) -> str:
        return f"{self._base}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.core.gateway_url

    @property
    def bot_user_id(self) -> int:
        return self.core.bot.id

    @property
    def application_id(self) -> int:
        return self.core.application_id

    @property
    def interaction_deadline(self) -> float | None:
        """Seconds within which an interaction must be answered (None: no deadline)."""
        return self.core.interaction_deadline

    @interaction_deadline.setter
    def interaction_deadline(self, seconds: float | None) -> None:
        self.core.interaction_deadline = seconds

    # setup -------------------------------------------------------------------------------------
    def add_guild(
        self,
        name: str,
        *,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
    ) -> int:
        """A guild with an owner, an @everyone role, the bot as member with a managed role."""
        core = self.core
        gid = core.new_id()
        owner = self._new_user(f"{name}-owner")
        guild = Guild(id=gid, name=name, owner_id=owner.id)
        guild.roles[gid] = Role(
            id=gid, guild_id=gid, name="@everyone", permissions=everyone_permissions
        )
        bot_role = Role(
            id=core.new_id(),
            guild_id=gid,
            name=core.bot.username,
            permissions=bot_permissions,
            position=1,
            managed=True,
            bot_id=core.bot.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(user=owner, guild_id=gid)
        guild.members[core.bot.id] = Member(user=core.bot, guild_id=gid, roles=[bot_role.id])
        core.world.guilds[gid] = guild
        core.gateway.dispatch(
            "GUILD_CREATE",
            {},
            transform=lambda s, _: guild.create_payload(include_members=core.visible_members(s)),
        )
        return gid

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        type: int = TEXT_CHANNEL,
        parent_id: int | None = None,
        topic: str | None = None,
    ) -> int:
        guild = self.core.world.guild(guild_id)
        cid = self.core.new_id()
        position = sum(1 for c in guild.channels.values() if not c.is_thread)
        guild.channels[cid] = Channel(
            id=cid,
            guild_id=guild_id,
            name=name,
            type=type,
            parent_id=parent_id,
            topic=topic,
            position=position,
        )
        self.core.world.channel_guild[cid] = guild_id
        self.core.dispatch("CHANNEL_CREATE", guild.channels[cid].payload())
        return cid

    def add_role(
        self, guild_id: int, name: str, permissions: int = 0, *, mentionable: bool = False
    ) -> int:
        guild = self.core.world.guild(guild_id)
        rid = self.core.new_id()
        role = Role(
            id=rid,
            guild_id=guild_id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            mentionable=mentionable,
        )
        guild.roles[rid] = role
        self.core.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild_id), "role": role.payload()})
        return rid

    def add_member(
        self,
        guild_id: int,
        name: str,
        roles: Sequence[int] = (),
        *,
        nick: str | None = None,
        user_id: int | None = None,
        bot: bool = False,
    ) -> int:
        """A new user joined to the guild (or an existing `user_id` joining another guild)."""
        guild = self.core.world.guild(guild_id)
        for rid in roles:
            if rid not in guild.roles:
                raise ValueError(f"role {rid} is not in guild {guild_id}")
        user = (
            self.core.world.user(user_id) if user_id is not None else self._new_user(name, bot=bot)
        )
        member = Member(user=user, guild_id=guild_id, roles=list(roles), nick=nick)
        guild.members[user.id] = member
        self.core.dispatch("GUILD_MEMBER_ADD", {"guild_id": str(guild_id), **member.payload()})
        return user.id

    def set_permission_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """A channel overwrite for a role (or @everyone: the guild id) or a member."""
        channel = self.core.world.channel(channel_id)
        guild = self.core.world.guilds[channel.guild_id]
        kind = 0 if target_id in guild.roles else 1
        channel.overwrites = [o for o in channel.overwrites if o.id != target_id]
        channel.overwrites.append(Overwrite(id=target_id, type=kind, allow=allow, deny=deny))
        self.core.dispatch("CHANNEL_UPDATE", channel.payload())

    def _new_user(self, name: str, *, bot: bool = False) -> User:
        user = User(id=self.core.new_id(), username=name, bot=bot)
        self.core.world.users[user.id] = user
        return user

    # member actions ----------------------------------------------------------------------------
    def _begin(self) -> None:
        self.core.mark = len(self.core.actions)

    def post_message(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        attachments: Sequence[tuple[str, bytes] | tuple[str, bytes, str]] | None = None,
        *,
        reply_to: int | None = None,
        embeds: list[JSON] | None = None,
    ) -> JSON:
        """A member posts; the bot gets MESSAGE_CREATE. Attachments are (filename, bytes[, type])."""
        self._begin()
        world = self.core.world
        channel = world.channel(channel_id)
        author = world.user(author_id)
        self._require_member_can_send(channel, author_id)
        if len(content) > 4000:  # a member's client allows 2000, or 4000 with Nitro
            raise ValueError("a member's message is at most 4000 characters")
        mid = self.core.new_id()
        atts = []
        for item in attachments or []:
            filename, data = item[0], item[1]
            ctype = (
                item[2]
                if len(item) == 3
                else (mimetypes.guess_type(filename)[0] or "application/octet-stream")
            )
            att_id = self.core.new_id()
            world.attachments[att_id] = (filename, str(ctype), data)
            atts.append(
                attachment_payload(
                    att_id=att_id,
                    filename=filename,
                    data=data,
                    content_type=str(ctype),
                    url=self.core.attachment_url(channel_id, att_id, filename),
                )
            )
        body: JSON = {"content": content, "embeds": embeds or []}
        replied = None
        if reply_to is not None:
            target = world.message(channel_id, reply_to)
            body["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel_id)}
            replied = int(target["author"]["id"])
        fired = resolve_mentions(
            world,
            guild_id=channel.guild_id,
            channel_id=channel_id,
            author_id=author_id,
            content=content,
            allowed=None,
            replied_author=replied,
        )
        msg = build_message(
            world,
            message_id=mid,
            channel_id=channel_id,
            author=author,
            body=body,
            attachments=atts,
            fired=fired,
            timestamp=world.created_at(mid),
        )
        world.store_message(msg)
        self.core.dispatch_message("MESSAGE_CREATE", msg)
        return dict(msg)

    def edit_message(
        self, message_id: int, content: str, *, embeds: list[JSON] | None = None
    ) -> JSON:
        """The author edits their message; the bot gets MESSAGE_UPDATE with the full message."""
        self._begin()
        world = self.core.world
        msg = world.message_by_id(message_id)
        author = int(msg["author"]["id"])
        fired = resolve_mentions(
            world,
            guild_id=int(msg["guild_id"]),
            channel_id=int(msg["channel_id"]),
            author_id=author,
            content=content,
            allowed=None,
            replied_author=None,
        )
        msg["content"] = content
        if embeds is not None:
            msg["embeds"] = embeds
        msg["mentions"] = mention_payloads(world, int(msg["guild_id"]), fired)
        msg["mention_roles"] = [str(r) for r in fired.roles]
        msg["mention_everyone"] = fired.everyone
        msg["edited_timestamp"] = world.created_at(self.core.new_id())
        self.core.dispatch_message("MESSAGE_UPDATE", msg)
        return dict(msg)

    def delete_message(self, message_id: int) -> JSON:
        """The message disappears (author or moderator); the bot gets MESSAGE_DELETE."""
        self._begin()
        msg = self.core.world.message_by_id(message_id)
        delete_and_dispatch(self.core, msg)
        return dict(msg)

    def add_reaction(self, message_id: int, user_id: int, emoji: str) -> JSON:
        self._begin()
        msg = self.core.world.message_by_id(message_id)
        key = _emoji_key(emoji)
        entries = self.core.world.reactions.setdefault(message_id, [])
        if (key, user_id) not in entries:
            entries.append((key, user_id))
        return dispatch_reaction(self.core, "MESSAGE_REACTION_ADD", msg, key, user_id)

    def remove_reaction(self, message_id: int, user_id: int, emoji: str) -> JSON:
        self._begin()
        msg = self.core.world.message_by_id(message_id)
        key = _emoji_key(emoji)
        entries = self.core.world.reactions.get(message_id, [])
        if (key, user_id) in entries:
            entries.remove((key, user_id))
        return dispatch_reaction(self.core, "MESSAGE_REACTION_REMOVE", msg, key, user_id)

    def create_thread(
        self,
        channel_id: int,
        name: str,
        owner_id: int,
        *,
        message_id: int | None = None,
        private: bool = False,
    ) -> JSON:
        """A member opens a thread (from a message, or standalone); the bot gets THREAD_CREATE."""
        self._begin()
        world = self.core.world
        parent = world.channel(channel_id)
        world.member(parent.guild_id, owner_id)
        if message_id is not None:
            msg = world.message(channel_id, message_id)
            if "thread" in msg:
                raise ValueError(f"message {message_id} already has a thread")
            thread = open_thread(self.core, parent, name, owner_id, PUBLIC_THREAD, message_id, {})
            msg["thread"] = thread.payload()
        else:
            ttype = PRIVATE_THREAD if private else PUBLIC_THREAD
            thread = open_thread(self.core, parent, name, owner_id, ttype, self.core.new_id(), {})
            if not private:
                announce_thread(self.core, parent, thread, owner_id)
        return thread.payload()

    def invoke_slash(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | None = None,
        subcommand: str | Sequence[str] | None = None,
    ) -> JSON:
        """A member runs `/name [group] [sub] option:value...`; returns the INTERACTION_CREATE payload.

        Option values: str/int/float/bool as typed, user/channel/role ids for those types,
        (filename, bytes[, content_type]) for attachments. `subcommand` is "sub" or "group sub".
        """
        self._begin()
        cmd = driving.find_command(self.core, guild_id, name, 1)
        driving.check_default_permissions(self.core, cmd, guild_id, user_id)
        chain, defs = driving.select_subcommand(cmd, subcommand)
        builder = driving.OptionBuilder(self.core, guild_id, channel_id)
        leaf = builder.build(defs, options or {})
        data: JSON = {
            "id": cmd["id"],
            "name": name,
            "type": 1,
            "options": driving.nest(chain, leaf),
        }
        if builder.resolved:
            data["resolved"] = builder.resolved
        return self._command_interaction(cmd, data, 2, guild_id, channel_id, user_id)

    def autocomplete(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        subcommand: str | Sequence[str] | None = None,
    ) -> JSON:
        """A member is typing into option `focused`; the bot should answer with choices (type 8)."""
        self._begin()
        cmd = driving.find_command(self.core, guild_id, name, 1)
        chain, defs = driving.select_subcommand(cmd, subcommand)
        if focused not in {d["name"] for d in defs}:
            raise ValueError(f"command {name!r} has no option {focused!r}")
        builder = driving.OptionBuilder(self.core, guild_id, channel_id)
        leaf = builder.build(defs, {**options, focused: options.get(focused, "")}, focused=focused)
        data: JSON = {
            "id": cmd["id"],
            "name": name,
            "type": 1,
            "options": driving.nest(chain, leaf),
        }
        return self._command_interaction(cmd, data, 4, guild_id, channel_id, user_id)

    def _command_interaction(
        self, cmd: JSON, data: JSON, itype: int, guild_id: int, channel_id: int, user_id: int
    ) -> JSON:
        """Send an interaction for a registered command (its guild, if any, in the data)."""
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        rec = driving.new_interaction(
            self.core,
            itype=itype,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            data=data,
            needs_command_permission=True,
        )
        return rec.payload

    def invoke_message_command(self, name: str, target_message_id: int, user_id: int) -> JSON:
        """A member uses the message context menu (Apps > name) on a message."""
        self._begin()
        world = self.core.world
        target = world.message_by_id(target_message_id)
        guild_id, channel_id = int(target["guild_id"]), int(target["channel_id"])
        cmd = driving.find_command(self.core, guild_id, name, 3)
        driving.check_default_permissions(self.core, cmd, guild_id, user_id)
        data: JSON = {
            "id": cmd["id"],
            "name": name,
            "type": 3,
            "target_id": str(target_message_id),
            "resolved": {"messages": {str(target_message_id): dict(target)}},
        }
        return self._command_interaction(cmd, data, 2, guild_id, channel_id, user_id)

    def invoke_user_command(
        self, guild_id: int, channel_id: int, user_id: int, name: str, target_user_id: int
    ) -> JSON:
        """A member uses the user context menu on another member."""
        self._begin()
        cmd = driving.find_command(self.core, guild_id, name, 2)
        driving.check_default_permissions(self.core, cmd, guild_id, user_id)
        builder = driving.OptionBuilder(self.core, guild_id, channel_id)
        builder.value({"type": driving.USER, "name": "target"}, target_user_id)
        data: JSON = {
            "id": cmd["id"],
            "name": name,
            "type": 2,
            "target_id": str(target_user_id),
            "resolved": builder.resolved,
        }
        return self._command_interaction(cmd, data, 2, guild_id, channel_id, user_id)

    def click_button(self, message_id: int, custom_id: str, user_id: int) -> JSON:
        """A member clicks a button on a message (MESSAGE_COMPONENT, component_type 2)."""
        self._begin()
        msg = self.core.find_message(message_id)
        comp = driving.find_component(msg, custom_id)
        if comp.get("type") != 2:
            raise ValueError(f"component {custom_id!r} is not a button")
        return self._component_interaction(
            msg, {"custom_id": custom_id, "component_type": 2}, user_id
        )

    def select(self, message_id: int, custom_id: str, values: Sequence[str], user_id: int) -> JSON:
        """A member picks values in a select menu on a message."""
        self._begin()
        msg = self.core.find_message(message_id)
        comp = driving.find_component(msg, custom_id)
        if comp.get("type") not in (3, 5, 6, 7, 8):
            raise ValueError(f"component {custom_id!r} is not a select menu")
        driving.check_select_values(comp, list(values))
        data = {"custom_id": custom_id, "component_type": comp["type"], "values": list(values)}
        return self._component_interaction(msg, data, user_id)

    def _component_interaction(self, msg: JSON, data: JSON, user_id: int) -> JSON:
        rec = driving.new_interaction(
            self.core,
            itype=3,
            guild_id=int(msg["guild_id"]),
            channel_id=int(msg["channel_id"]),
            user_id=user_id,
            data=data,
            source_message=dict(msg),
        )
        return rec.payload

    def submit_modal(
        self,
        opened_by: JSON | int,
        custom_id: str,
        values: Mapping[str, str | Sequence[str]],
        user_id: int | None = None,
    ) -> JSON:
        """Submit the modal the bot opened in answer to `opened_by` (its payload or id)."""
        self._begin()
        rec = self.interaction(opened_by)
        modal = rec.modal
        if modal is None:
            raise ValueError(f"the bot did not answer interaction {rec.id} with a modal")
        if modal.get("custom_id") != custom_id:
            raise ValueError(f"the open modal is {modal.get('custom_id')!r}, not {custom_id!r}")
        data = {"custom_id": custom_id, "components": driving.modal_submission(modal, values)}
        source = self.core.find_message(rec.source_message_id) if rec.source_message_id else None
        sub = driving.new_interaction(
            self.core,
            itype=5,
            guild_id=rec.guild_id,
            channel_id=rec.channel_id,
            user_id=rec.user_id if user_id is None else user_id,
            data=data,
            source_message=dict(source) if source else None,
        )
        return sub.payload

    # observation -------------------------------------------------------------------------------
    @property
    def actions(self) -> list[BotAction]:
        """Every REST request the bot made, in order (including rejected ones)."""
        return list(self.core.actions)

    @property
    def failed_actions(self) -> list[BotAction]:
        return [a for a in self.core.actions if not a.ok]

    @property
    def unimplemented_calls(self) -> list[BotAction]:
        """Requests to routes this server does not serve (answered 404)."""
        return [a for a in self.core.actions if a.kind == "unimplemented"]

    @property
    def sent_messages(self) -> list[BotAction]:
        """Actions that created a message as the bot (channel posts, interaction replies, follow-ups)."""
        return [a for a in self.core.actions if a.ok and a.kind == "message_create"]

    @property
    def gateway_log(self) -> list[tuple[int, Any]]:
        """(opcode, data) of every frame the bot sent on the gateway."""
        return list(self.core.gateway_log)

    @property
    def connected(self) -> bool:
        return bool(self.core.gateway.connected_sessions)

    @property
    def sessions(self) -> list[Session]:
        return list(self.core.gateway.sessions.values())

    def messages(self, channel_id: int) -> list[JSON]:
        """The channel's messages, oldest first (ephemeral ones are not in a channel)."""
        world = self.core.world
        return [dict(world.messages[i]) for i in world.channel_messages.get(channel_id, [])]

    def message(self, message_id: int) -> JSON:
        return dict(self.core.find_message(message_id))

    def threads(self, parent_id: int | None = None) -> list[JSON]:
        return [
            c.payload()
            for g in self.core.world.guilds.values()
            for c in g.channels.values()
            if c.is_thread and (parent_id is None or c.parent_id == parent_id)
        ]

    def reactions(self, message_id: int) -> list[tuple[str, int]]:
        """(emoji, user id) pairs in the order added; custom emoji as name:id."""
        return list(self.core.world.reactions.get(message_id, []))

    def attachment_bytes(self, attachment_id: int) -> bytes:
        return self.core.world.attachments[attachment_id][2]

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """Commands the bot registered globally (None) or for a guild."""
        return list(self.core.commands.get(guild_id, {}).values())

    def interaction(self, ref: JSON | int) -> InteractionRecord:
        iid = int(ref["id"]) if isinstance(ref, dict) else int(ref)
        try:
            return self.core.interactions[iid]
        except KeyError:
            raise LookupError(f"unknown interaction {iid}") from None

    def mark(self) -> int:
        """Start a new window for wait_for (member actions do this implicitly)."""
        self.core.mark = len(self.core.actions)
        return self.core.mark

    async def wait_for(
        self,
        predicate: Callable[[BotAction], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        since: int | None = None,
    ) -> BotAction:
        """The first bot action matching `predicate` since the last member action/mark (or `since`),
        waiting for it if needed; TimeoutError lists what the bot did instead."""
        return await self.core.wait_for(predicate, timeout, since)

    async def wait_for_message(
        self,
        channel_id: int | None = None,
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JSON:
        """A message the bot created (or filled in after a defer) in `channel_id`, as stored."""

        def match(a: BotAction) -> bool:
            if not a.ok or a.message is None or a.kind not in ("message_create", "message_edit"):
                return False
            if a.message.get("flags", 0) & 128:  # still "thinking"
                return False
            if channel_id is not None and int(a.message["channel_id"]) != channel_id:
                return False
            return predicate is None or predicate(a.message)

        action = await self.wait_for(match, timeout)
        assert action.message is not None
        return action.message

    async def wait_for_response(
        self,
        interaction: JSON | int,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> InteractionRecord:
        """Wait until the bot acknowledged the interaction; returns its record (response, edits)."""
        rec = self.interaction(interaction)
        if rec.response is None:
            await self.wait_for(
                lambda a: a.ok and a.interaction_id == rec.id and a.callback_type is not None,
                timeout,
                since=0,
            )
        return rec

    async def wait_until_connected(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until a session has identified or resumed."""
        await asyncio.wait_for(self._identified.wait(), timeout)

    async def wait_until_disconnected(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until no gateway socket is open (the server has seen the client's close)."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    def _on_identified(self, session: Session) -> None:
        self._identified.set()

    def _on_connection_count(self, count: int) -> None:
        if count:
            self._idle.clear()
        else:
            self._idle.set()

    # failure injection -------------------------------------------------------------------------
    async def kill_connections(
        self, code: int = 4000, *, abrupt: bool = False, invalidate_sessions: bool = False
    ) -> None:
        """Drop every gateway socket. discord.py then resumes (code 4000, sessions kept); with
        `invalidate_sessions` its RESUME gets INVALID_SESSION and it identifies afresh; `abrupt`
        resets the TCP connection without a close frame, like a crash or network loss."""
        self._identified.clear()
        await self.core.gateway.kill_connections(
            code, abrupt=abrupt, invalidate=invalidate_sessions
        )

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session."""
        self._identified.clear()
        self.core.gateway.request_reconnect()

    # helpers -----------------------------------------------------------------------------------
    def _require_member_can_send(self, channel: Channel, user_id: int) -> None:
        world = self.core.world
        if user_id not in world.guilds[channel.guild_id].members:
            raise ValueError(f"user {user_id} is not a member of guild {channel.guild_id}")
        perms = world.permissions_in(channel.id, user_id)
        need = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
        if not perms & VIEW_CHANNEL or not perms & need:
            raise PermissionError(f"user {user_id} cannot send messages in channel {channel.id}")


def _emoji_key(emoji: str) -> str:
    try:
        return parse_emoji(emoji.strip("<>"))
    except errors.ApiError:
        raise ValueError(f"not an emoji: {emoji!r}") from None


__all__ = ["DEFAULT_TOKEN", "BotAction", "FakeDiscord", "InteractionRecord", "InteractionResponse"]
