"""Interaction callbacks and the interaction webhook (follow-ups, @original).

Rules enforced as on Discord: one initial callback per interaction (40060 afterwards), callback
types valid for the interaction type, a deferred "thinking" message replaced by the first
follow-up or an @original edit, and ephemeral messages never reaching the gateway.
"""

from __future__ import annotations

import time
from typing import Any

from . import errors
from .core import EPHEMERAL, LOADING, Core, InteractionRecord, InteractionResponse
from .errors import ApiError, FormErrors
from .messages import CHAT_INPUT_COMMAND, CONTEXT_MENU_COMMAND, DEFAULT
from .rest import NO_CONTENT, Ctx, Router
from .routes_channels import delete_and_dispatch
from .sending import create_bot_message, edit_bot_message
from .state import JSON
from .validation import validate_modal

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9


def allowed_callbacks(rec: InteractionRecord) -> set[int]:
    if rec.type == APPLICATION_COMMAND:
        return {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL}
    if rec.type == MESSAGE_COMPONENT:
        return {
            CHANNEL_MESSAGE,
            DEFERRED_CHANNEL_MESSAGE,
            DEFERRED_UPDATE_MESSAGE,
            UPDATE_MESSAGE,
            MODAL,
        }
    if rec.type == AUTOCOMPLETE:
        return {AUTOCOMPLETE_RESULT}
    if rec.type == MODAL_SUBMIT:
        base = {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE}
        return base | ({UPDATE_MESSAGE} if rec.source_message_id else set())
    return set()


def interaction_metadata(rec: InteractionRecord, core: Core) -> JSON:
    meta: JSON = {
        "id": str(rec.id),
        "type": rec.type,
        "user": core.world.users[rec.user_id].payload(),
        "authorizing_integration_owners": {"0": str(rec.guild_id)},
    }
    if rec.source_message_id is not None:
        meta["interacted_message_id"] = str(rec.source_message_id)
    if rec.type == APPLICATION_COMMAND:
        meta["name"] = rec.payload["data"]["name"]
        meta["command_type"] = rec.payload["data"].get("type", 1)
    return meta


def _response_type(rec: InteractionRecord) -> int:
    if rec.type == APPLICATION_COMMAND:
        return (
            CHAT_INPUT_COMMAND if rec.payload["data"].get("type", 1) == 1 else CONTEXT_MENU_COMMAND
        )
    return DEFAULT


def _validate_choices(data: JSON) -> None:
    errs = FormErrors()
    choices = data.get("choices")
    if not isinstance(choices, list):
        errs.add(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        if len(choices) > 25:
            errs.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for i, choice in enumerate(choices):
            name = choice.get("name") if isinstance(choice, dict) else None
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                errs.add(
                    ("data", "choices", i, "name"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            if not isinstance(choice, dict) or "value" not in choice:
                errs.add(
                    ("data", "choices", i, "value"), "BASE_TYPE_REQUIRED", "This field is required"
                )
    errs.raise_if_any()


def register(router: Router) -> None:
    core = router.core

    def interaction(ctx: Ctx) -> InteractionRecord:
        rec = core.interactions.get(ctx.id("interaction_id"))
        if rec is None or rec.token != ctx.text("token"):
            raise errors.not_found(errors.UNKNOWN_INTERACTION, "interaction")
        ctx.action.interaction_id = rec.id
        ctx.action.channel_id = rec.channel_id
        return rec

    async def callback(ctx: Ctx) -> Any:
        rec = interaction(ctx)
        body = ctx.json_body()
        raw_type = body.get("type")
        ctype = raw_type if isinstance(raw_type, int) and not isinstance(raw_type, bool) else -1
        data = body.get("data") or {}
        if not isinstance(data, dict):
            raise ApiError(400, errors.INVALID_FORM_BODY, "Invalid Form Body")
        ctx.action.kind = "interaction_callback"
        ctx.action.callback_type = ctype if ctype >= 0 else None
        if rec.response is not None:
            raise ApiError(
                400, errors.ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged."
            )
        if (
            core.interaction_deadline is not None
            and time.monotonic() - rec.created > core.interaction_deadline
        ):
            raise errors.not_found(errors.UNKNOWN_INTERACTION, "interaction")
        if ctype not in allowed_callbacks(rec):
            errs = FormErrors()
            errs.add(
                ("type",),
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Callback type {ctype} is not valid for interaction type {rec.type}",
            )
            errs.raise_if_any()
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        message: JSON | None = None
        meta = interaction_metadata(rec, core)
        if ctype == CHANNEL_MESSAGE:
            message = create_bot_message(
                core,
                ctx.action,
                channel_id=rec.channel_id,
                body=data,
                files=ctx.files,
                msg_type=_response_type(rec),
                via_interaction=True,
                interaction_metadata=meta,
            )
            rec.original_message_id = int(message["id"])
        elif ctype == DEFERRED_CHANNEL_MESSAGE:
            loading = {"content": "", "flags": int(data.get("flags") or 0) & EPHEMERAL}
            message = create_bot_message(
                core,
                ctx.action,
                channel_id=rec.channel_id,
                body=loading,
                files=[],
                msg_type=_response_type(rec),
                via_interaction=True,
                interaction_metadata=meta,
                extra_flags=LOADING,
                allow_empty=True,
            )
            rec.original_message_id = int(message["id"])
        elif ctype in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            rec.original_message_id = rec.source_message_id
            if ctype == UPDATE_MESSAGE and rec.source_message_id is not None:
                source = core.find_message(rec.source_message_id)
                message = edit_bot_message(core, ctx.action, source, data, ctx.files)
        elif ctype == AUTOCOMPLETE_RESULT:
            _validate_choices(data)
        elif ctype == MODAL:
            validate_modal(data)
        ctx.action.callback_type = ctype
        ctx.action.ephemeral = ephemeral
        ctx.action.interaction_id = rec.id
        rec.response = InteractionResponse(type=ctype, data=data, ephemeral=ephemeral)
        if ctx.request.query.get("with_response") not in ("1", "true", "True"):
            return NO_CONTENT
        result: JSON = {
            "interaction": {
                "id": str(rec.id),
                "type": rec.type,
                "response_message_loading": ctype == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": ephemeral,
            },
            "resource": {"type": ctype},
        }
        if rec.original_message_id is not None and ctype in (
            CHANNEL_MESSAGE,
            DEFERRED_CHANNEL_MESSAGE,
            UPDATE_MESSAGE,
        ):
            result["interaction"]["response_message_id"] = str(rec.original_message_id)
        if message is not None and ctype in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            result["resource"]["message"] = message
        return result

    # webhook ---------------------------------------------------------------------------------
    def webhook(ctx: Ctx) -> InteractionRecord:
        rec = core.interactions_by_token.get(ctx.text("token"))
        if ctx.id("application_id") != core.application_id or rec is None:
            raise errors.not_found(errors.UNKNOWN_WEBHOOK, "Webhook")
        ctx.action.interaction_id = rec.id
        ctx.action.channel_id = rec.channel_id
        return rec

    def webhook_message(ctx: Ctx, rec: InteractionRecord) -> JSON:
        raw = ctx.text("message_id")
        if raw == "@original":
            if rec.original_message_id is None:
                raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
            return core.find_message(rec.original_message_id)
        if not raw.isdigit():
            raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
        mid = int(raw)
        if mid != rec.original_message_id and mid not in rec.followup_ids:
            raise errors.not_found(errors.UNKNOWN_MESSAGE, "Message")
        return core.find_message(mid)

    async def followup(ctx: Ctx) -> Any:
        rec = webhook(ctx)
        if rec.response is None or rec.response.type in (AUTOCOMPLETE_RESULT, MODAL):
            raise errors.not_found(errors.UNKNOWN_WEBHOOK, "Webhook")
        body = ctx.json_body()
        original = core.find_message(rec.original_message_id) if rec.original_message_id else None
        if original is not None and original.get("flags", 0) & LOADING and not rec.followup_ids:
            # The first follow-up after a "thinking" defer fills in that message.
            body = {k: v for k, v in body.items() if k != "flags"}
            msg = edit_bot_message(core, ctx.action, original, body, ctx.files)
            rec.edits.append(body)
        else:
            msg = create_bot_message(
                core,
                ctx.action,
                channel_id=rec.channel_id,
                body=body,
                files=ctx.files,
                via_interaction=True,
                interaction_metadata=interaction_metadata(rec, core),
            )
            rec.followup_ids.append(int(msg["id"]))
        ctx.action.interaction_id = rec.id
        if ctx.request.query.get("wait") in ("1", "true", "True"):
            return msg
        return NO_CONTENT

    async def get_message(ctx: Ctx) -> Any:
        rec = webhook(ctx)
        ctx.action.kind = "fetch"
        return webhook_message(ctx, rec)

    async def edit_message(ctx: Ctx) -> Any:
        rec = webhook(ctx)
        msg = webhook_message(ctx, rec)
        body = ctx.json_body()
        rec.edits.append(body)
        out = edit_bot_message(core, ctx.action, msg, body, ctx.files)
        ctx.action.interaction_id = rec.id
        return out

    async def delete_message(ctx: Ctx) -> Any:
        rec = webhook(ctx)
        msg = webhook_message(ctx, rec)
        mid = int(msg["id"])
        if mid in core.ephemeral:
            del core.ephemeral[mid]
        else:
            delete_and_dispatch(core, msg)
        ctx.action.kind = "message_delete"
        ctx.action.message = msg
        ctx.action.interaction_id = rec.id
        return NO_CONTENT

    add = router.add
    add("POST", "/interactions/{interaction_id}/{token}/callback", callback, auth=False)
    w = "/webhooks/{application_id}/{token}"
    add("POST", w, followup, auth=False)
    add("GET", w + "/messages/{message_id}", get_message, auth=False)
    add("PATCH", w + "/messages/{message_id}", edit_message, auth=False)
    add("DELETE", w + "/messages/{message_id}", delete_message, auth=False)
