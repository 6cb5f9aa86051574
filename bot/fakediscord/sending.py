"""Creating and editing messages on the bot's behalf, shared by the channel routes, interaction
callbacks and interaction webhooks: validation, attachments, mentions, storage and dispatch."""

from __future__ import annotations

import mimetypes
from typing import Any

from . import errors
from .core import EPHEMERAL, LOADING, BotAction, Core
from .errors import ApiError, FormErrors
from .messages import (
    DEFAULT,
    FiredMentions,
    attachment_payload,
    build_message,
    mention_payloads,
    resolve_mentions,
)
from .state import JSON
from .validation import MAX_FILE_BYTES, validate_message_body

SUPPRESS_EMBEDS = 1 << 2


def store_files(
    core: Core, channel_id: int, body: JSON, files: list[tuple[str, str, bytes]]
) -> list[JSON]:
    """Attachment objects for uploaded `files[n]`, honouring `attachments[].filename/description`."""
    meta = {}
    for item in body.get("attachments") or []:
        if isinstance(item, dict) and "id" in item:
            meta[str(item["id"])] = item
    out: list[JSON] = []
    for index, (filename, content_type, data) in enumerate(files):
        if len(data) > MAX_FILE_BYTES:
            raise ApiError(413, errors.REQUEST_TOO_LARGE, "Request entity too large")
        info = meta.get(str(index), {})
        name = str(info.get("filename") or filename or f"file{index}")
        if content_type in ("", "application/octet-stream"):
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        att_id = core.new_id()
        core.world.attachments[att_id] = (name, content_type, data)
        att = attachment_payload(
            att_id=att_id,
            filename=name,
            data=data,
            content_type=content_type,
            url=core.attachment_url(channel_id, att_id, name),
        )
        if info.get("description"):
            att["description"] = info["description"]
        out.append(att)
    return out


def _check_reference(core: Core, channel_id: int, body: JSON) -> tuple[int | None, JSON]:
    """The replied-to message's author (and the body, minus a dangling optional reference);
    a 400 like Discord's for an unknown reference that must exist."""
    ref = body.get("message_reference")
    if not isinstance(ref, dict) or not ref.get("message_id"):
        return None, body
    target = core.world.messages.get(int(ref["message_id"]))
    if target is None or int(target["channel_id"]) != int(ref.get("channel_id") or channel_id):
        if ref.get("fail_if_not_exists", True):
            errs = FormErrors()
            errs.add(
                ("message_reference",),
                "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                "Unknown message",
            )
            errs.raise_if_any()
        body = dict(body)
        body.pop("message_reference", None)
        return None, body
    return int(target["author"]["id"]), body


def create_bot_message(
    core: Core,
    action: BotAction,
    *,
    channel_id: int,
    body: JSON,
    files: list[tuple[str, str, bytes]],
    msg_type: int = DEFAULT,
    via_interaction: bool = False,
    interaction_metadata: JSON | None = None,
    extra_flags: int = 0,
    allow_empty: bool = False,
) -> JSON:
    """Validate, store and dispatch a message authored by the bot; fills in `action`."""
    validate_message_body(
        body, n_files=len(files), allow_ephemeral=via_interaction, allow_empty=allow_empty
    )
    world = core.world
    channel = world.channel(channel_id)
    replied_author, body = _check_reference(core, channel_id, body)
    allowed = body.get("allowed_mentions")
    fired = resolve_mentions(
        world,
        guild_id=channel.guild_id,
        channel_id=channel_id,
        author_id=core.bot.id,
        content=str(body.get("content") or ""),
        allowed=allowed if isinstance(allowed, dict) else None,
        replied_author=replied_author,
    )
    body = dict(body)
    body["flags"] = int(body.get("flags") or 0) | extra_flags
    mid = core.new_id()
    msg = build_message(
        world,
        message_id=mid,
        channel_id=channel_id,
        author=core.bot,
        body=body,
        attachments=store_files(core, channel_id, body, files),
        fired=fired,
        timestamp=world.created_at(mid),
        msg_type=msg_type,
        webhook_id=core.application_id if via_interaction else None,
        application_id=core.application_id if via_interaction else None,
        interaction_metadata=interaction_metadata,
    )
    if msg["flags"] & EPHEMERAL:
        core.ephemeral[mid] = msg
    else:
        world.store_message(msg)
    core.dispatch_message("MESSAGE_CREATE", msg)
    _describe(action, msg, allowed, fired, "message_create")
    return msg


def edit_bot_message(
    core: Core,
    action: BotAction,
    msg: JSON,
    body: JSON,
    files: list[tuple[str, str, bytes]],
) -> JSON:
    """Apply a PATCH to a message in place (content, embeds, components, attachments, flags)."""
    validate_message_body(body, n_files=len(files), editing=True)
    world = core.world
    channel_id = int(msg["channel_id"])
    if "content" in body:
        msg["content"] = body["content"] or ""
    for key in ("embeds", "components"):
        if key in body:
            msg[key] = list(body[key] or [])
    if "flags" in body and body["flags"] is not None:
        keep = msg.get("flags", 0) & ~SUPPRESS_EMBEDS
        msg["flags"] = keep | (int(body["flags"]) & SUPPRESS_EMBEDS)
    msg["flags"] = msg.get("flags", 0) & ~LOADING
    if "attachments" in body or files:
        if "attachments" in body:
            listed = body.get("attachments") or []
            kept_ids = {str(a["id"]) for a in listed if isinstance(a, dict) and "id" in a}
            kept = [a for a in msg.get("attachments", []) if a["id"] in kept_ids]
        else:
            kept = list(msg.get("attachments", []))
        msg["attachments"] = kept + store_files(core, channel_id, body, files)
    allowed = body.get("allowed_mentions")
    fired: FiredMentions | None = None
    if "content" in body:
        fired = resolve_mentions(
            world,
            guild_id=int(msg["guild_id"]),
            channel_id=channel_id,
            author_id=core.bot.id,
            content=msg["content"],
            allowed=allowed if isinstance(allowed, dict) else None,
            replied_author=None,
        )
        msg["mentions"] = mention_payloads(world, int(msg["guild_id"]), fired)
        msg["mention_roles"] = [str(r) for r in fired.roles]
        msg["mention_everyone"] = fired.everyone
    msg["edited_timestamp"] = world.created_at(core.new_id())
    core.dispatch_message("MESSAGE_UPDATE", msg)
    _describe(action, msg, allowed, fired, "message_edit")
    return msg


def _describe(
    action: BotAction, msg: JSON, allowed: Any, fired: FiredMentions | None, kind: str
) -> None:
    action.kind = kind
    action.channel_id = int(msg["channel_id"])
    action.message = msg
    action.allowed_mentions = allowed if isinstance(allowed, dict) else None
    action.fired = fired
    action.ephemeral = bool(msg.get("flags", 0) & EPHEMERAL)
