"""Message payloads and mention resolution.

A message's `mentions`, `mention_roles` and `mention_everyone` say who would actually be pinged,
computed from the content, the author's permissions and `allowed_mentions` by Discord's rules, so
a test can assert that a bot reply pinged nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .permissions import MENTION_EVERYONE
from .state import JSON, User, World

_USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")
_EVERYONE = re.compile(r"@(everyone|here)\b")

DEFAULT = 0
REPLY = 19
CHAT_INPUT_COMMAND = 20
CONTEXT_MENU_COMMAND = 23
THREAD_CREATED = 18


@dataclass
class FiredMentions:
    """Who a message pings: explicit users, roles, @everyone/@here, and the replied-to author."""

    users: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    everyone: bool = False
    replied_user: int | None = None

    def any(self) -> bool:
        return bool(self.users or self.roles or self.everyone or self.replied_user)


def resolve_mentions(
    world: World,
    *,
    guild_id: int,
    channel_id: int,
    author_id: int,
    content: str,
    allowed: JSON | None,
    replied_author: int | None,
) -> FiredMentions:
    """Discord's rules: without allowed_mentions everything parses (and a reply pings its author);
    with it, only the listed kinds/ids fire and the reply pings only if `replied_user` is true."""
    guild = world.guilds.get(guild_id)
    perms = world.permissions_in(channel_id, author_id) if guild else 0
    if allowed is None:
        parse = {"users", "roles", "everyone"}
        user_ids: set[int] = set()
        role_ids: set[int] = set()
        reply_pings = True
    else:
        parse = set(allowed.get("parse") or [])
        user_ids = {int(u) for u in allowed.get("users") or []}
        role_ids = {int(r) for r in allowed.get("roles") or []}
        reply_pings = bool(allowed.get("replied_user", False))
    fired = FiredMentions()
    for m in _USER_MENTION.finditer(content):
        uid = int(m.group(1))
        if uid in world.users and ("users" in parse or uid in user_ids) and uid not in fired.users:
            fired.users.append(uid)
    if guild is not None:
        for m in _ROLE_MENTION.finditer(content):
            rid = int(m.group(1))
            role = guild.roles.get(rid)
            if role is None or rid in fired.roles:
                continue
            if not ("roles" in parse or rid in role_ids):
                continue
            if role.mentionable or perms & MENTION_EVERYONE:
                fired.roles.append(rid)
        if "everyone" in parse and _EVERYONE.search(content) and perms & MENTION_EVERYONE:
            fired.everyone = True
    if replied_author is not None and reply_pings:
        fired.replied_user = replied_author
        if replied_author not in fired.users:
            fired.users.append(replied_author)
    return fired


def mention_payloads(world: World, guild_id: int | None, fired: FiredMentions) -> list[JSON]:
    out = []
    guild = world.guilds.get(guild_id) if guild_id else None
    for uid in fired.users:
        user = world.users[uid]
        entry = user.payload()
        if guild is not None and uid in guild.members:
            entry["member"] = guild.members[uid].payload(with_user=False)
        out.append(entry)
    return out


def build_message(
    world: World,
    *,
    message_id: int,
    channel_id: int,
    author: User,
    body: JSON,
    attachments: list[JSON],
    fired: FiredMentions,
    timestamp: str,
    msg_type: int = DEFAULT,
    webhook_id: int | None = None,
    application_id: int | None = None,
    interaction_metadata: JSON | None = None,
) -> JSON:
    """A full message object as Discord returns it from REST and sends it in MESSAGE_CREATE."""
    channel = world.channel(channel_id)
    guild_id = channel.guild_id
    content = body.get("content") or ""
    flags = int(body.get("flags") or 0)
    msg: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "guild_id": str(guild_id),
        "author": author.payload(),
        "content": content,
        "timestamp": timestamp,
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": fired.everyone,
        "mentions": mention_payloads(world, guild_id, fired),
        "mention_roles": [str(r) for r in fired.roles],
        "attachments": attachments,
        "embeds": list(body.get("embeds") or []),
        "components": list(body.get("components") or []),
        "pinned": False,
        "type": msg_type,
        "flags": flags,
    }
    if body.get("nonce") is not None:
        msg["nonce"] = body["nonce"]
    if webhook_id is not None:
        msg["webhook_id"] = str(webhook_id)
    if application_id is not None:
        msg["application_id"] = str(application_id)
    if interaction_metadata is not None:
        msg["interaction_metadata"] = interaction_metadata
    if channel.is_thread:
        msg["position"] = channel.message_count
    ref = body.get("message_reference")
    if isinstance(ref, dict) and ref.get("message_id"):
        ref_id = int(ref["message_id"])
        ref_msg = world.messages.get(ref_id)
        msg["message_reference"] = {
            "type": 0,
            "message_id": str(ref_id),
            "channel_id": str(ref.get("channel_id") or channel_id),
            "guild_id": str(ref.get("guild_id") or guild_id),
        }
        msg["referenced_message"] = _without_reference(ref_msg) if ref_msg else None
        if msg_type == DEFAULT:
            msg["type"] = REPLY
    return msg


def _without_reference(msg: JSON) -> JSON:
    """Discord nests only one level of `referenced_message`."""
    out = dict(msg)
    out.pop("referenced_message", None)
    return out


def member_view(world: World, msg: JSON) -> JSON:
    """The message as a gateway event: with the author's partial `member`, like MESSAGE_CREATE."""
    out = dict(msg)
    guild = world.guilds.get(int(msg["guild_id"])) if msg.get("guild_id") else None
    if guild is not None and not msg.get("webhook_id"):
        member = guild.members.get(int(msg["author"]["id"]))
        if member is not None:
            out["member"] = member.payload(with_user=False)
    return out


def strip_content(msg: JSON) -> JSON:
    """What a bot without the MESSAGE_CONTENT intent sees of someone else's message."""
    out = dict(msg)
    out.update({"content": "", "embeds": [], "attachments": [], "components": [], "poll": None})
    out.pop("poll", None)
    return out


def attachment_payload(
    *, att_id: int, filename: str, data: bytes, content_type: str, url: str
) -> JSON:
    return {
        "id": str(att_id),
        "filename": filename,
        "size": len(data),
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
    }


def is_mentioned(msg: JSON, user_id: int) -> bool:
    return any(int(u["id"]) == user_id for u in msg.get("mentions", []))


def as_dict(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}
