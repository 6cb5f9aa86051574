"""The fake server's world: users, guilds, roles, members, channels, threads, messages, reactions.

Entities are small dataclasses that render themselves in Discord's JSON shapes (ids as strings),
because discord.py parses exactly those shapes. Messages are kept as the JSON dicts Discord would
return, since bots send arbitrary embeds and components that are simply stored and echoed back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import errors
from .permissions import (
    ALL_PERMISSIONS,
    VIEW_CHANNEL,
    Overwrite,
    base_permissions,
    channel_permissions,
)
from .snowflake import SnowflakeGenerator, iso_now, snowflake_time

JSON = dict[str, Any]

TEXT_CHANNEL = 0
CATEGORY = 4
ANNOUNCEMENT_THREAD = 10
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = frozenset({ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> JSON:
        out: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            out["bot"] = True
        return out


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        out: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            out["tags"] = {"bot_id": str(self.bot_id)}
        return out


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> JSON:
        out: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            out["user"] = self.user.payload()
        if permissions is not None:
            out["permissions"] = str(permissions)
        return out


@dataclass
class Channel:
    """A guild text channel, category, or thread (threads have a parent and thread metadata)."""

    id: int
    guild_id: int
    name: str
    type: int = TEXT_CHANNEL
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    last_message_id: int | None = None
    # thread-only
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    message_count: int = 0
    member_ids: set[int] = field(default_factory=set)
    created_at: str = field(default_factory=iso_now)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def payload(self) -> JSON:
        last = str(self.last_message_id) if self.last_message_id else None
        if self.is_thread:
            return {
                "id": str(self.id),
                "type": self.type,
                "guild_id": str(self.guild_id),
                "parent_id": str(self.parent_id),
                "owner_id": str(self.owner_id),
                "name": self.name,
                "last_message_id": last,
                "rate_limit_per_user": 0,
                "message_count": self.message_count,
                "member_count": len(self.member_ids),
                "total_message_sent": self.message_count,
                "flags": 0,
                "applied_tags": [],
                "thread_metadata": {
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.created_at,
                    "locked": self.locked,
                    "invitable": self.type == PRIVATE_THREAD,
                    "create_timestamp": self.created_at,
                },
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [ow.payload() for ow in self.overwrites],
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": self.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": last,
            "flags": 0,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)

    def payload(self) -> JSON:
        """The guild object as GET /guilds/{id} returns it (no members or channels)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in sorted(self.roles.values(), key=lambda r: r.position)],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def create_payload(self, *, include_members: set[int] | None = None) -> JSON:
        """GUILD_CREATE's extended guild; `include_members` limits the member list (intents)."""
        out = self.payload()
        members = [
            m.payload()
            for uid, m in self.members.items()
            if include_members is None or uid in include_members
        ]
        out.update(
            {
                "joined_at": self.joined_at,
                "large": False,
                "unavailable": False,
                "lazy": True,
                "member_count": len(self.members),
                "members": members,
                "channels": [c.payload() for c in self.channels.values() if not c.is_thread],
                "threads": [
                    c.payload() for c in self.channels.values() if c.is_thread and not c.archived
                ],
                "presences": [],
                "voice_states": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        )
        return out


class World:
    """Every entity, with the lookups and permission checks the REST handlers share."""

    def __init__(self, ids: SnowflakeGenerator) -> None:
        self.ids = ids
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channel_guild: dict[int, int] = {}
        self.messages: dict[int, JSON] = {}
        self.channel_messages: dict[int, list[int]] = {}
        # message id -> list of (emoji key, user id), in the order reactions were added
        self.reactions: dict[int, list[tuple[str, int]]] = {}
        self.attachments: dict[int, tuple[str, str, bytes]] = {}

    # lookups -------------------------------------------------------------------------------
    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise errors.not_found(errors.UNKNOWN_USER, "User") from None

    def guild(self, guild_id: int) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise errors.not_found(errors.UNKNOWN_GUILD, "Guild") from None

    def channel(self, channel_id: int) -> Channel:
        gid = self.channel_guild.get(channel_id)
        if gid is None:
            raise errors.not_found(errors.UNKNOWN_CHANNEL, "Channel")
        return self.guilds[gid].channels[channel_id]

    def member(self, guild_id: int, user_id: int) -> Member:
        try:
            return self.guild(guild_id).members[user_id]
        except KeyError:
            raise errors.not_found(errors.UNKNOWN_MEMBER, "Member") from None

    def message(self, channel_id: int, message_id: int) -> JSON:
        msg = self.messages.get(message_id)
        if msg is None or int(msg["channel_id"]) != channel_id:
            raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
        return msg

    def message_by_id(self, message_id: int) -> JSON:
        msg = self.messages.get(message_id)
        if msg is None:
            raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
        return msg

    # permissions -----------------------------------------------------------------------------
    def guild_permissions(self, guild_id: int, user_id: int) -> int:
        guild = self.guild(guild_id)
        member = guild.members.get(user_id)
        if member is None:
            return 0
        return base_permissions(
            guild_id=guild.id,
            owner_id=guild.owner_id,
            user_id=user_id,
            role_ids=member.roles,
            role_perms={r.id: r.permissions for r in guild.roles.values()},
        )

    def permissions_in(self, channel_id: int, user_id: int) -> int:
        channel = self.channel(channel_id)
        base = self.guild_permissions(channel.guild_id, user_id)
        if base == ALL_PERMISSIONS:
            return base
        source = channel
        if channel.is_thread and channel.parent_id is not None:
            source = self.channel(channel.parent_id)
        member = self.guilds[channel.guild_id].members.get(user_id)
        return channel_permissions(
            base,
            guild_id=channel.guild_id,
            user_id=user_id,
            role_ids=member.roles if member else [],
            overwrites=source.overwrites,
            in_thread=channel.is_thread,
        )

    def require(self, channel_id: int, user_id: int, *bits: int) -> None:
        """Raise Discord's 403s: no VIEW_CHANNEL is Missing Access, any other missing bit Missing Permissions."""
        perms = self.permissions_in(channel_id, user_id)
        if not perms & VIEW_CHANNEL:
            raise errors.forbidden_missing_access()
        for bit in bits:
            if not perms & bit:
                raise errors.forbidden_missing_permissions()

    # messages --------------------------------------------------------------------------------
    def store_message(self, msg: JSON) -> None:
        mid = int(msg["id"])
        cid = int(msg["channel_id"])
        self.messages[mid] = msg
        self.channel_messages.setdefault(cid, []).append(mid)
        channel = self.channel(cid)
        channel.last_message_id = mid
        if channel.is_thread:
            channel.message_count += 1

    def remove_message(self, message_id: int) -> JSON:
        msg = self.messages.pop(message_id)
        ids = self.channel_messages.get(int(msg["channel_id"]), [])
        if message_id in ids:
            ids.remove(message_id)
        self.reactions.pop(message_id, None)
        return msg

    def reaction_payloads(self, message_id: int, viewer_id: int) -> list[JSON]:
        """The `reactions` array of a message as seen by `viewer_id` (who decides `me`)."""
        grouped: dict[str, list[int]] = {}
        for key, uid in self.reactions.get(message_id, []):
            grouped.setdefault(key, []).append(uid)
        return [
            {
                "emoji": emoji_payload(key),
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": viewer_id in users,
                "me_burst": False,
                "burst_colors": [],
            }
            for key, users in grouped.items()
        ]

    def created_at(self, snowflake: int) -> str:
        return snowflake_time(snowflake).isoformat()


def emoji_payload(key: str) -> JSON:
    """`name:id` is a custom emoji, anything else a unicode one."""
    name, sep, eid = key.partition(":")
    if sep and eid.isdigit():
        return {"id": eid, "name": name}
    return {"id": None, "name": key}
