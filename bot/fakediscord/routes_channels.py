"""Channel routes: fetch, messages (create/get/list/edit/delete), typing, reactions, threads.

Every write checks the bot's computed channel permissions and fails with Discord's 403s
(50001 Missing Access without VIEW_CHANNEL, 50013 Missing Permissions otherwise).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from aiohttp import web

from . import errors
from .core import BotAction, Core
from .errors import ApiError, FormErrors
from .messages import THREAD_CREATED
from .permissions import (
    ADD_REACTIONS,
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    MANAGE_CHANNELS,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
)
from .rest import NO_CONTENT, Ctx, Router
from .sending import create_bot_message, edit_bot_message
from .state import CATEGORY, JSON, PRIVATE_THREAD, PUBLIC_THREAD, Channel, emoji_payload

CANNOT_SEND_IN_NON_TEXT = 50008
WRONG_CHANNEL_TYPE = 50024
THREAD_LOCKED = 160005


def register(router: Router) -> None:
    core = router.core
    world = core.world

    def text_channel(ctx: Ctx) -> Channel:
        channel = world.channel(ctx.id("channel_id"))
        ctx.action.channel_id = channel.id
        world.require(channel.id, core.bot.id)
        return channel

    async def get_channel(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return text_channel(ctx).payload()

    async def edit_channel(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        body = ctx.json_body()
        if channel.is_thread:
            own = channel.owner_id == core.bot.id and set(body) <= {
                "archived",
                "auto_archive_duration",
                "name",
            }
            if not own:
                world.require(channel.id, core.bot.id, MANAGE_THREADS)
            for key in ("archived", "locked"):
                if key in body:
                    setattr(channel, key, bool(body[key]))
            if "auto_archive_duration" in body:
                channel.auto_archive_duration = int(body["auto_archive_duration"])
        else:
            world.require(channel.id, core.bot.id, MANAGE_CHANNELS)
            if "topic" in body:
                channel.topic = body["topic"]
        if "name" in body:
            name = str(body["name"] or "")
            if not 1 <= len(name) <= 100:
                raise _form_error(
                    ("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
            channel.name = name
        payload = channel.payload()
        core.dispatch("THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE", payload)
        ctx.action.kind = "channel_edit"
        return payload

    # messages ---------------------------------------------------------------------------------
    async def post_message(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        if channel.type == CATEGORY:
            raise ApiError(
                400, CANNOT_SEND_IN_NON_TEXT, "Cannot send messages in a non-text channel"
            )
        need = [SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES]
        body = ctx.json_body()
        if ctx.files:
            need.append(ATTACH_FILES)
        if body.get("message_reference"):
            need.append(READ_MESSAGE_HISTORY)
        world.require(channel.id, core.bot.id, *need)
        if channel.is_thread and channel.locked:
            raise ApiError(403, THREAD_LOCKED, "Thread is locked")
        if channel.is_thread and channel.archived:
            channel.archived = False
            core.dispatch("THREAD_UPDATE", channel.payload())
        return create_bot_message(
            core, ctx.action, channel_id=channel.id, body=body, files=ctx.files
        )

    async def get_message(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        world.require(channel.id, core.bot.id, READ_MESSAGE_HISTORY)
        ctx.action.kind = "fetch"
        return _with_reactions(core, world.message(channel.id, ctx.id("message_id")))

    async def list_messages(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        ctx.action.kind = "fetch"
        if not world.permissions_in(channel.id, core.bot.id) & READ_MESSAGE_HISTORY:
            return []
        limit = ctx.query_int("limit", 50) or 50
        if not 1 <= limit <= 100:
            raise _form_error(("limit",), "NUMBER_TYPE_MAX", "int value should be <= 100 and >= 1.")
        ids = sorted(world.channel_messages.get(channel.id, []))
        before, after, around = (ctx.query_int(k) for k in ("before", "after", "around"))
        if around is not None:
            older = [i for i in ids if i < around][-(limit // 2) :] if limit > 1 else []
            newer = [i for i in ids if i >= around][: limit - len(older)]
            picked = older + newer
        elif after is not None:
            picked = [i for i in ids if i > after][:limit]
        else:
            cut = [i for i in ids if before is None or i < before]
            picked = cut[-limit:]
        return [_with_reactions(core, world.messages[i]) for i in sorted(picked, reverse=True)]

    async def edit_message(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        msg = world.message(channel.id, ctx.id("message_id"))
        body = ctx.json_body()
        if int(msg["author"]["id"]) != core.bot.id:
            # Others' messages: only the SUPPRESS_EMBEDS flag may change, with MANAGE_MESSAGES.
            if set(body) - {"flags"}:
                raise ApiError(
                    403,
                    errors.CANNOT_EDIT_OTHERS_MESSAGE,
                    "Cannot edit a message authored by another user",
                )
            world.require(channel.id, core.bot.id, MANAGE_MESSAGES)
        return edit_bot_message(core, ctx.action, msg, body, ctx.files)

    async def delete_message(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        msg = world.message(channel.id, ctx.id("message_id"))
        if int(msg["author"]["id"]) != core.bot.id:
            world.require(channel.id, core.bot.id, MANAGE_MESSAGES)
        delete_and_dispatch(core, msg)
        ctx.action.kind = "message_delete"
        ctx.action.message = msg
        return NO_CONTENT

    async def typing(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        world.require(
            channel.id,
            core.bot.id,
            SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES,
        )
        ctx.action.kind = "typing"
        return NO_CONTENT

    # reactions --------------------------------------------------------------------------------
    def reaction_target(ctx: Ctx) -> tuple[Channel, JSON, str]:
        channel = text_channel(ctx)
        msg = world.message(channel.id, ctx.id("message_id"))
        return channel, msg, parse_emoji(ctx.text("emoji"))

    async def add_reaction(ctx: Ctx) -> Any:
        channel, msg, key = reaction_target(ctx)
        entries = world.reactions.setdefault(int(msg["id"]), [])
        if any(k == key for k, _ in entries):
            world.require(channel.id, core.bot.id, READ_MESSAGE_HISTORY)
        else:
            world.require(channel.id, core.bot.id, READ_MESSAGE_HISTORY, ADD_REACTIONS)
        if (key, core.bot.id) not in entries:
            entries.append((key, core.bot.id))
            dispatch_reaction(core, "MESSAGE_REACTION_ADD", msg, key, core.bot.id)
        ctx.action.kind = "reaction_add"
        ctx.action.message = msg
        return NO_CONTENT

    async def remove_reaction(ctx: Ctx) -> Any:
        channel, msg, key = reaction_target(ctx)
        target = core.bot.id
        if "user_id" in ctx.request.match_info:
            target = ctx.id("user_id")
            if target != core.bot.id:
                world.require(channel.id, core.bot.id, MANAGE_MESSAGES)
        entries = world.reactions.get(int(msg["id"]), [])
        if (key, target) in entries:
            entries.remove((key, target))
            dispatch_reaction(core, "MESSAGE_REACTION_REMOVE", msg, key, target)
        ctx.action.kind = "reaction_remove"
        ctx.action.message = msg
        return NO_CONTENT

    async def clear_reactions(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        msg = world.message(channel.id, ctx.id("message_id"))
        world.require(channel.id, core.bot.id, MANAGE_MESSAGES)
        base = {
            "channel_id": msg["channel_id"],
            "message_id": msg["id"],
            "guild_id": msg["guild_id"],
        }
        mid = int(msg["id"])
        if "emoji" in ctx.request.match_info:
            key = parse_emoji(ctx.text("emoji"))
            world.reactions[mid] = [e for e in world.reactions.get(mid, []) if e[0] != key]
            core.dispatch_in_channel(
                "MESSAGE_REACTION_REMOVE_EMOJI", {**base, "emoji": emoji_payload(key)}, channel.id
            )
        else:
            world.reactions[mid] = []
            core.dispatch_in_channel("MESSAGE_REACTION_REMOVE_ALL", base, channel.id)
        ctx.action.kind = "reaction_remove"
        return NO_CONTENT

    async def reaction_users(ctx: Ctx) -> Any:
        _, msg, key = reaction_target(ctx)
        ctx.action.kind = "fetch"
        limit = ctx.query_int("limit", 25) or 25
        users = [
            world.users[u].payload() for k, u in world.reactions.get(int(msg["id"]), []) if k == key
        ]
        return users[:limit]

    # threads ----------------------------------------------------------------------------------
    def check_thread_name(body: JSON) -> str:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            raise _form_error(
                ("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        return name

    async def thread_from_message(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        if channel.is_thread or channel.type == CATEGORY:
            raise ApiError(400, WRONG_CHANNEL_TYPE, "Cannot execute action on this channel type")
        msg = world.message(channel.id, ctx.id("message_id"))
        world.require(channel.id, core.bot.id, CREATE_PUBLIC_THREADS, READ_MESSAGE_HISTORY)
        if "thread" in msg:
            raise ApiError(
                400,
                errors.THREAD_ALREADY_CREATED,
                "A thread has already been created for this message",
            )
        body = ctx.json_body()
        thread = open_thread(
            core, channel, check_thread_name(body), core.bot.id, PUBLIC_THREAD, int(msg["id"]), body
        )
        msg["thread"] = thread.payload()
        ctx.action.kind = "thread_create"
        return thread.payload()

    async def thread_without_message(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        if channel.is_thread or channel.type == CATEGORY:
            raise ApiError(400, WRONG_CHANNEL_TYPE, "Cannot execute action on this channel type")
        body = ctx.json_body()
        ttype = int(body.get("type") or PRIVATE_THREAD)
        if ttype not in (PUBLIC_THREAD, PRIVATE_THREAD):
            raise _form_error(("type",), "BASE_TYPE_CHOICES", "Value must be one of {11, 12}.")
        world.require(
            channel.id,
            core.bot.id,
            CREATE_PUBLIC_THREADS if ttype == PUBLIC_THREAD else CREATE_PRIVATE_THREADS,
        )
        thread = open_thread(
            core, channel, check_thread_name(body), core.bot.id, ttype, core.new_id(), body
        )
        if ttype == PUBLIC_THREAD:
            announce_thread(core, channel, thread, core.bot.id)
        ctx.action.kind = "thread_create"
        return thread.payload()

    async def join_thread(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        if not channel.is_thread:
            raise ApiError(400, WRONG_CHANNEL_TYPE, "Cannot execute action on this channel type")
        if "user_id" in ctx.request.match_info:
            uid = ctx.id("user_id")
            world.member(channel.guild_id, uid)
            world.require(channel.id, core.bot.id, SEND_MESSAGES_IN_THREADS)
        else:
            uid = core.bot.id
        channel.member_ids.add(uid)
        ctx.action.kind = "thread_join"
        return NO_CONTENT

    async def leave_thread(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        uid = ctx.id("user_id") if "user_id" in ctx.request.match_info else core.bot.id
        if uid != core.bot.id:
            world.require(channel.id, core.bot.id, MANAGE_THREADS)
        channel.member_ids.discard(uid)
        ctx.action.kind = "thread_leave"
        return NO_CONTENT

    async def thread_members(ctx: Ctx) -> Any:
        channel = text_channel(ctx)
        ctx.action.kind = "fetch"
        return [
            {
                "id": str(channel.id),
                "user_id": str(uid),
                "join_timestamp": channel.created_at,
                "flags": 0,
            }
            for uid in sorted(channel.member_ids)
        ]

    add = router.add
    c = "/channels/{channel_id}"
    m = c + "/messages/{message_id}"
    add("GET", c, get_channel)
    add("PATCH", c, edit_channel)
    add("POST", c + "/messages", post_message)
    add("GET", c + "/messages", list_messages)
    add("POST", c + "/typing", typing)
    add("GET", m, get_message)
    add("PATCH", m, edit_message)
    add("DELETE", m, delete_message)
    add("PUT", m + "/reactions/{emoji}/@me", add_reaction)
    add("DELETE", m + "/reactions/{emoji}/@me", remove_reaction)
    add("DELETE", m + "/reactions/{emoji}/{user_id}", remove_reaction)
    add("GET", m + "/reactions/{emoji}", reaction_users)
    add("DELETE", m + "/reactions/{emoji}", clear_reactions)
    add("DELETE", m + "/reactions", clear_reactions)
    add("POST", m + "/threads", thread_from_message)
    add("POST", c + "/threads", thread_without_message)
    add("PUT", c + "/thread-members/@me", join_thread)
    add("DELETE", c + "/thread-members/@me", leave_thread)
    add("PUT", c + "/thread-members/{user_id}", join_thread)
    add("DELETE", c + "/thread-members/{user_id}", leave_thread)
    add("GET", c + "/thread-members", thread_members)

    async def download(request: web.Request) -> web.StreamResponse:
        """Attachment URLs point here, so a bot can download what members (or it) uploaded."""
        action = BotAction(
            method="GET",
            route="/attachments/{channel_id}/{attachment_id}/{filename}",
            path=request.path,
            params=dict(request.match_info),
            query=dict(request.query),
            json=None,
            kind="attachment_download",
        )
        raw_id = request.match_info["attachment_id"]
        stored = world.attachments.get(int(raw_id)) if raw_id.isdigit() else None
        if stored is None or stored[0] != request.match_info["filename"]:
            action.status = 404
            core.record(action)
            return web.Response(status=404, text="Not Found")
        action.status = 200
        core.record(action)
        return web.Response(body=stored[2], headers={"Content-Type": stored[1]})

    router.app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", download)


def _form_error(path: tuple[str | int, ...], code: str, message: str) -> ApiError:
    errs = FormErrors()
    errs.add(path, code, message)
    return ApiError(400, errors.INVALID_FORM_BODY, "Invalid Form Body", errs.tree)


def parse_emoji(raw: str) -> str:
    """`name:id` (custom) or a unicode emoji; plain text is Discord's 400 Unknown Emoji."""
    name, sep, eid = raw.rpartition(":")
    if sep:
        name = name.removeprefix("a:")
        if eid.isdigit() and name and all(ch.isalnum() or ch == "_" for ch in name):
            return f"{name}:{eid}"
        raise ApiError(400, errors.UNKNOWN_EMOJI, "Unknown Emoji")
    if raw and len(raw) <= 16 and not raw.isascii() and any(_emoji_char(ch) for ch in raw):
        return raw
    raise ApiError(400, errors.UNKNOWN_EMOJI, "Unknown Emoji")


def _emoji_char(ch: str) -> bool:
    """A heuristic for unicode emoji (Discord checks against its emoji list; we have none)."""
    return (
        unicodedata.category(ch) in ("So", "Sk", "Me")
        or 0x1F000 <= ord(ch) <= 0x1FAFF
        or ch in "\u203c\u2049"
    )


def _with_reactions(core: Core, msg: JSON) -> JSON:
    reactions = core.world.reaction_payloads(int(msg["id"]), core.bot.id)
    if not reactions:
        return msg
    return {**msg, "reactions": reactions}


def dispatch_reaction(core: Core, event: str, msg: JSON, key: str, user_id: int) -> JSON:
    data: JSON = {
        "user_id": str(user_id),
        "channel_id": msg["channel_id"],
        "message_id": msg["id"],
        "guild_id": msg["guild_id"],
        "emoji": emoji_payload(key),
        "burst": False,
        "type": 0,
    }
    if event == "MESSAGE_REACTION_ADD":
        data["message_author_id"] = msg["author"]["id"]
        data["burst_colors"] = []
        member = core.world.guilds[int(msg["guild_id"])].members.get(user_id)
        if member is not None:
            data["member"] = member.payload()
    core.dispatch_in_channel(event, data, int(msg["channel_id"]))
    return data


def delete_and_dispatch(core: Core, msg: JSON) -> None:
    core.world.remove_message(int(msg["id"]))
    core.dispatch_in_channel(
        "MESSAGE_DELETE",
        {"id": msg["id"], "channel_id": msg["channel_id"], "guild_id": msg["guild_id"]},
        int(msg["channel_id"]),
    )


def open_thread(
    core: Core, parent: Channel, name: str, owner_id: int, ttype: int, thread_id: int, body: JSON
) -> Channel:
    """Create a thread channel (id == starter message id when started from one) and THREAD_CREATE it."""
    thread = Channel(
        id=thread_id,
        guild_id=parent.guild_id,
        name=name,
        type=ttype,
        parent_id=parent.id,
        owner_id=owner_id,
        auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
        member_ids={owner_id},
    )
    core.world.guilds[parent.guild_id].channels[thread.id] = thread
    core.world.channel_guild[thread.id] = parent.guild_id
    payload = thread.payload()
    payload["newly_created"] = True
    core.dispatch("THREAD_CREATE", payload)
    return thread


def announce_thread(core: Core, parent: Channel, thread: Channel, owner_id: int) -> None:
    """The THREAD_CREATED system message Discord posts in the parent of a thread with no starter."""
    mid = core.new_id()
    msg: JSON = {
        "id": str(mid),
        "channel_id": str(parent.id),
        "guild_id": str(parent.guild_id),
        "author": core.world.users[owner_id].payload(),
        "content": thread.name,
        "timestamp": core.world.created_at(mid),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": False,
        "type": THREAD_CREATED,
        "flags": 0,
        "message_reference": {
            "type": 0,
            "channel_id": str(thread.id),
            "guild_id": str(parent.guild_id),
        },
    }
    core.world.store_message(msg)
    core.dispatch_message("MESSAGE_CREATE", msg)
