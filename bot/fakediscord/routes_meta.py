"""Login-time and lookup routes: users, application info, gateway URLs, guilds, members, roles,
and application command registration (bulk overwrite keeps ids, as Discord does)."""

from __future__ import annotations

from typing import Any

from . import errors
from .core import Core
from .errors import ApiError
from .rest import NO_CONTENT, Ctx, Router
from .state import JSON
from .validation import validate_commands


def register(router: Router) -> None:
    core = router.core
    world = core.world

    async def get_me(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return core.bot_user_payload()

    async def get_user(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return world.user(ctx.id("user_id")).payload()

    async def my_guilds(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "owner": False,
                "permissions": str(world.guild_permissions(g.id, core.bot.id)),
                "features": [],
            }
            for g in world.guilds.values()
        ]

    async def app_info(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return application_payload(core)

    async def gateway(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return {"url": core.gateway_url}

    async def gateway_bot(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return {
            "url": core.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    async def get_guild(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        guild = world.guild(ctx.id("guild_id"))
        out = guild.payload()
        if ctx.request.query.get("with_counts") in ("true", "1"):
            out["approximate_member_count"] = len(guild.members)
            out["approximate_presence_count"] = 0
        return out

    async def guild_channels(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        guild = world.guild(ctx.id("guild_id"))
        return [c.payload() for c in guild.channels.values() if not c.is_thread]

    async def active_threads(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        guild = world.guild(ctx.id("guild_id"))
        threads = [c for c in guild.channels.values() if c.is_thread and not c.archived]
        members = [
            {
                "id": str(t.id),
                "user_id": str(core.bot.id),
                "join_timestamp": t.created_at,
                "flags": 0,
            }
            for t in threads
            if core.bot.id in t.member_ids
        ]
        return {"threads": [t.payload() for t in threads], "members": members}

    async def get_member(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return world.member(ctx.id("guild_id"), ctx.id("user_id")).payload()

    async def list_members(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        guild = world.guild(ctx.id("guild_id"))
        limit = ctx.query_int("limit", 1) or 1
        if not 1 <= limit <= 1000:
            raise ApiError(400, errors.INVALID_FORM_BODY, "Invalid Form Body")
        after = ctx.query_int("after", 0) or 0
        members = sorted(
            (m for uid, m in guild.members.items() if uid > after), key=lambda m: m.user.id
        )
        return [m.payload() for m in members[:limit]]

    async def guild_roles(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        guild = world.guild(ctx.id("guild_id"))
        return [r.payload() for r in sorted(guild.roles.values(), key=lambda r: r.position)]

    # application commands -------------------------------------------------------------------
    def scope(ctx: Ctx) -> int | None:
        if ctx.id("application_id") != core.application_id:
            raise errors.forbidden_missing_access()
        if "guild_id" in ctx.request.match_info:
            gid = ctx.id("guild_id")
            world.guild(gid)
            core.commands.setdefault(gid, {})
            return gid
        return None

    async def list_commands(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return list(core.commands[scope(ctx)].values())

    async def bulk_overwrite(ctx: Ctx) -> Any:
        sid = scope(ctx)
        validate_commands(ctx.body)
        old = {(c.get("type", 1), c["name"]): c for c in core.commands[sid].values()}
        fresh: dict[int, JSON] = {}
        for cmd in ctx.body:
            prev = old.get((cmd.get("type", 1), cmd["name"]))
            stored = command_payload(core, cmd, sid, prev["id"] if prev else None)
            fresh[int(stored["id"])] = stored
        core.commands[sid] = fresh
        ctx.action.kind = "commands_sync"
        return list(fresh.values())

    async def upsert_command(ctx: Ctx) -> Any:
        sid = scope(ctx)
        validate_commands([ctx.json_body()])
        body = ctx.json_body()
        existing = next(
            (
                c
                for c in core.commands[sid].values()
                if (c.get("type", 1), c["name"]) == (body.get("type", 1), body["name"])
            ),
            None,
        )
        stored = command_payload(core, body, sid, existing["id"] if existing else None)
        core.commands[sid][int(stored["id"])] = stored
        ctx.action.kind = "commands_sync"
        return stored

    def one_command(ctx: Ctx) -> tuple[int | None, JSON]:
        sid = scope(ctx)
        cmd = core.commands[sid].get(ctx.id("command_id"))
        if cmd is None:
            raise errors.not_found(errors.UNKNOWN_COMMAND, "application command")
        return sid, cmd

    async def get_command(ctx: Ctx) -> Any:
        ctx.action.kind = "fetch"
        return one_command(ctx)[1]

    async def edit_command(ctx: Ctx) -> Any:
        sid, cmd = one_command(ctx)
        merged = {**cmd, **ctx.json_body()}
        validate_commands([merged])
        stored = command_payload(core, merged, sid, cmd["id"])
        core.commands[sid][int(stored["id"])] = stored
        ctx.action.kind = "commands_sync"
        return stored

    async def delete_command(ctx: Ctx) -> Any:
        sid, cmd = one_command(ctx)
        del core.commands[sid][int(cmd["id"])]
        ctx.action.kind = "commands_sync"
        return NO_CONTENT

    add = router.add
    add("GET", "/users/@me", get_me)
    add("GET", "/users/@me/guilds", my_guilds)
    add("GET", "/users/{user_id}", get_user)
    add("GET", "/oauth2/applications/@me", app_info)
    add("GET", "/applications/@me", app_info)
    add("GET", "/gateway", gateway, auth=False)
    add("GET", "/gateway/bot", gateway_bot)
    add("GET", "/guilds/{guild_id}", get_guild)
    add("GET", "/guilds/{guild_id}/channels", guild_channels)
    add("GET", "/guilds/{guild_id}/threads/active", active_threads)
    add("GET", "/guilds/{guild_id}/members", list_members)
    add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)
    add("GET", "/guilds/{guild_id}/roles", guild_roles)
    for base in (
        "/applications/{application_id}",
        "/applications/{application_id}/guilds/{guild_id}",
    ):
        add("GET", base + "/commands", list_commands)
        add("PUT", base + "/commands", bulk_overwrite)
        add("POST", base + "/commands", upsert_command)
        add("GET", base + "/commands/{command_id}", get_command)
        add("PATCH", base + "/commands/{command_id}", edit_command)
        add("DELETE", base + "/commands/{command_id}", delete_command)


def application_payload(core: Core) -> JSON:
    return {
        "id": str(core.application_id),
        "name": core.bot.username,
        "icon": None,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": core.owner.payload(),
        "team": None,
        "verify_key": "0" * 64,
        "flags": core.application_flags(),
        "bot": core.bot.payload(),
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": len(core.world.guilds),
        "integration_types_config": {"0": {}},
    }


def command_payload(core: Core, body: JSON, guild_id: int | None, keep_id: Any) -> JSON:
    """The stored/returned command: the body as sent plus the fields Discord adds."""
    out = dict(body)
    out.setdefault("type", 1)
    if out["type"] != 1:
        out["description"] = ""
    out.setdefault("options", [])
    out.setdefault("nsfw", False)
    out.setdefault("default_member_permissions", None)
    out.setdefault("name_localizations", None)
    out.setdefault("description_localizations", None)
    out.setdefault("integration_types", [0])
    out.setdefault("contexts", None)
    out["id"] = str(keep_id) if keep_id else str(core.new_id())
    out["application_id"] = str(core.application_id)
    out["version"] = str(core.new_id())
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
    return out
