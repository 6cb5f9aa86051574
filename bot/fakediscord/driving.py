"""Building the interactions a member's Discord client would send: slash commands (with
subcommand groups, typed options and `resolved` data), context menus, autocomplete, component
clicks and modal submits. Anything a real client would refuse (unknown option, wrong type, a
missing required field, a disabled button) raises ValueError here, so a test cannot drive the bot
with input Discord would never deliver."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from typing import Any

from .core import Core, InteractionRecord
from .messages import attachment_payload
from .permissions import USE_APPLICATION_COMMANDS, VIEW_CHANNEL
from .state import JSON, THREAD_TYPES

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


def new_interaction(
    core: Core,
    *,
    itype: int,
    guild_id: int,
    channel_id: int,
    user_id: int,
    data: JSON,
    source_message: JSON | None = None,
    needs_command_permission: bool = False,
) -> InteractionRecord:
    """Register an interaction and dispatch INTERACTION_CREATE for it."""
    world = core.world
    channel = world.channel(channel_id)
    if channel.guild_id != guild_id:
        raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
    member = world.guilds[guild_id].members.get(user_id)
    if member is None:
        raise ValueError(f"user {user_id} is not a member of guild {guild_id}")
    perms = world.permissions_in(channel_id, user_id)
    if not perms & VIEW_CHANNEL:
        raise PermissionError(f"user {user_id} cannot see channel {channel_id}")
    if needs_command_permission and not perms & USE_APPLICATION_COMMANDS:
        raise PermissionError(
            f"user {user_id} lacks USE_APPLICATION_COMMANDS in channel {channel_id}"
        )
    iid = core.new_id()
    token = core.new_interaction_token()
    channel_payload = channel.payload()
    channel_payload["permissions"] = str(perms)
    payload: JSON = {
        "id": str(iid),
        "application_id": str(core.application_id),
        "type": itype,
        "data": data,
        "guild_id": str(guild_id),
        "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
        "channel_id": str(channel_id),
        "channel": channel_payload,
        "member": member.payload(permissions=perms),
        "token": token,
        "version": 1,
        "app_permissions": str(world.permissions_in(channel_id, core.bot.id)),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if source_message is not None:
        payload["message"] = source_message
    rec = InteractionRecord(
        id=iid,
        token=token,
        type=itype,
        payload=payload,
        guild_id=guild_id,
        channel_id=channel_id,
        user_id=user_id,
        source_message_id=int(source_message["id"]) if source_message else None,
    )
    core.interactions[iid] = rec
    core.interactions_by_token[token] = rec
    core.dispatch("INTERACTION_CREATE", payload)
    return rec


def check_default_permissions(core: Core, cmd: JSON, guild_id: int, user_id: int) -> None:
    """A command with default_member_permissions is hidden from members who lack them."""
    needed = cmd.get("default_member_permissions")
    if needed is None:
        return
    have = core.world.guild_permissions(guild_id, user_id)
    if int(needed) & ~have:
        raise PermissionError(
            f"user {user_id} lacks the permissions command {cmd['name']!r} requires ({needed})"
        )


def find_command(core: Core, guild_id: int | None, name: str, ctype: int) -> JSON:
    cmd = core.command(guild_id, name, ctype)
    if cmd is None:
        kinds = {1: "slash", 2: "user", 3: "message"}
        raise LookupError(
            f"no {kinds.get(ctype, ctype)} command {name!r} registered for guild {guild_id}; "
            f"registered: {core.all_command_names()} (did the bot sync its command tree?)"
        )
    return cmd


def select_subcommand(
    cmd: JSON, subcommand: str | Sequence[str] | None
) -> tuple[list[tuple[int, str]], list[JSON]]:
    """Walk `"group sub"` into the command's options: the (type, name) chain and the leaf options."""
    parts = subcommand.split() if isinstance(subcommand, str) else list(subcommand or [])
    chain: list[tuple[int, str]] = []
    options: list[JSON] = list(cmd.get("options") or [])
    for part in parts:
        found = next(
            (
                o
                for o in options
                if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) and o["name"] == part
            ),
            None,
        )
        if found is None:
            names = [
                o["name"] for o in options if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ]
            raise ValueError(
                f"command {cmd['name']!r} has no subcommand {part!r} here; choices: {names}"
            )
        chain.append((found["type"], part))
        options = list(found.get("options") or [])
    if any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options):
        names = [o["name"] for o in options]
        raise ValueError(f"command {cmd['name']!r} needs a subcommand; choices: {names}")
    return chain, options


def nest(chain: list[tuple[int, str]], leaf: list[JSON]) -> list[JSON]:
    options = leaf
    for otype, name in reversed(chain):
        options = [{"type": otype, "name": name, "options": options}]
    return options


class OptionBuilder:
    """Turns test-given option values into typed interaction options plus `resolved` data."""

    def __init__(self, core: Core, guild_id: int, channel_id: int) -> None:
        self.core = core
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.resolved: dict[str, dict[str, JSON]] = {}

    def build(
        self, defs: list[JSON], given: Mapping[str, Any], *, focused: str | None = None
    ) -> list[JSON]:
        by_name = {d["name"]: d for d in defs}
        unknown = set(given) - set(by_name)
        if unknown:
            raise ValueError(
                f"unknown option(s) {sorted(unknown)}; the command takes {sorted(by_name)}"
            )
        out: list[JSON] = []
        for d in defs:
            name = d["name"]
            if name not in given:
                if d.get("required") and focused is None:
                    raise ValueError(f"option {name!r} is required")
                continue
            if name == focused:
                out.append(
                    {"type": d["type"], "name": name, "value": str(given[name]), "focused": True}
                )
                continue
            out.append({"type": d["type"], "name": name, "value": self.value(d, given[name])})
        return out

    def value(self, d: JSON, raw: Any) -> Any:
        otype = d["type"]
        name = d["name"]
        if otype == STRING:
            if not isinstance(raw, str):
                raise ValueError(f"option {name!r} takes a string, got {raw!r}")
            lo, hi = d.get("min_length", 0), d.get("max_length", 6000)
            if not lo <= len(raw) <= hi:
                raise ValueError(f"option {name!r} must be {lo}-{hi} characters long")
            self._check_choice(d, raw)
            return raw
        if otype in (INTEGER, NUMBER):
            ok = isinstance(raw, int) if otype == INTEGER else isinstance(raw, (int, float))
            if not ok or isinstance(raw, bool):
                raise ValueError(
                    f"option {name!r} takes {'an integer' if otype == INTEGER else 'a number'}, got {raw!r}"
                )
            if d.get("min_value") is not None and raw < d["min_value"]:
                raise ValueError(f"option {name!r} must be >= {d['min_value']}")
            if d.get("max_value") is not None and raw > d["max_value"]:
                raise ValueError(f"option {name!r} must be <= {d['max_value']}")
            self._check_choice(d, raw)
            return raw
        if otype == BOOLEAN:
            if not isinstance(raw, bool):
                raise ValueError(f"option {name!r} takes a boolean, got {raw!r}")
            return raw
        if otype == USER:
            return self._user(int(raw))
        if otype == CHANNEL:
            return self._channel(d, int(raw))
        if otype == ROLE:
            return self._role(int(raw))
        if otype == MENTIONABLE:
            rid = int(raw)
            if rid in self.core.world.guilds[self.guild_id].roles:
                return self._role(rid)
            return self._user(rid)
        if otype == ATTACHMENT:
            return self._attachment(name, raw)
        raise ValueError(f"option {name!r} has unsupported type {otype}")

    @staticmethod
    def _check_choice(d: JSON, raw: Any) -> None:
        choices = d.get("choices")
        if choices and raw not in [c["value"] for c in choices]:
            raise ValueError(f"option {d['name']!r} must be one of {[c['value'] for c in choices]}")

    def _user(self, uid: int) -> str:
        world = self.core.world
        if uid not in world.users:
            raise ValueError(f"unknown user {uid}")
        self.resolved.setdefault("users", {})[str(uid)] = world.users[uid].payload()
        member = world.guilds[self.guild_id].members.get(uid)
        if member is not None:
            self.resolved.setdefault("members", {})[str(uid)] = member.payload(
                with_user=False, permissions=world.permissions_in(self.channel_id, uid)
            )
        return str(uid)

    def _role(self, rid: int) -> str:
        role = self.core.world.guilds[self.guild_id].roles.get(rid)
        if role is None:
            raise ValueError(f"unknown role {rid}")
        self.resolved.setdefault("roles", {})[str(rid)] = role.payload()
        return str(rid)

    def _channel(self, d: JSON, cid: int) -> str:
        world = self.core.world
        channel = world.channel(cid)
        allowed = d.get("channel_types")
        if allowed and channel.type not in allowed:
            raise ValueError(
                f"option {d['name']!r} takes channel types {allowed}, not {channel.type}"
            )
        entry: JSON = {
            "id": str(cid),
            "name": channel.name,
            "type": channel.type,
            "permissions": str(world.permissions_in(cid, self.core.bot.id)),
        }
        if channel.type in THREAD_TYPES:
            full = channel.payload()
            entry["parent_id"] = full["parent_id"]
            entry["thread_metadata"] = full["thread_metadata"]
        self.resolved.setdefault("channels", {})[str(cid)] = entry
        return str(cid)

    def _attachment(self, name: str, raw: Any) -> str:
        if not (isinstance(raw, tuple) and len(raw) in (2, 3) and isinstance(raw[1], bytes)):
            raise ValueError(f"option {name!r} takes (filename, bytes[, content_type])")
        filename = str(raw[0])
        content_type = (
            str(raw[2])
            if len(raw) == 3
            else (mimetypes.guess_type(filename)[0] or "application/octet-stream")
        )
        att_id = self.core.new_id()
        self.core.world.attachments[att_id] = (filename, content_type, raw[1])
        self.resolved.setdefault("attachments", {})[str(att_id)] = attachment_payload(
            att_id=att_id,
            filename=filename,
            data=raw[1],
            content_type=content_type,
            url=self.core.attachment_url(self.channel_id, att_id, filename),
        )
        return str(att_id)


def walk_components(components: Sequence[JSON]) -> list[JSON]:
    """Every component, through action rows, labels, sections (accessory) and containers."""
    found: list[JSON] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        found.append(comp)
        found.extend(walk_components(comp.get("components") or []))
        for key in ("component", "accessory"):
            inner = comp.get(key)
            if isinstance(inner, dict):
                found.extend(walk_components([inner]))
    return found


def find_component(message: JSON, custom_id: str) -> JSON:
    for comp in walk_components(message.get("components") or []):
        if comp.get("custom_id") == custom_id:
            if comp.get("disabled"):
                raise ValueError(f"component {custom_id!r} is disabled")
            return comp
    ids = [
        c["custom_id"] for c in walk_components(message.get("components") or []) if "custom_id" in c
    ]
    raise ValueError(f"message {message['id']} has no component {custom_id!r}; it has {ids}")


def check_select_values(comp: JSON, values: Sequence[str]) -> None:
    lo = comp.get("min_values", 1)
    hi = comp.get("max_values", 1)
    if not lo <= len(values) <= hi:
        raise ValueError(
            f"select {comp.get('custom_id')!r} takes {lo}-{hi} values, got {len(values)}"
        )
    if comp.get("type") == 3:
        allowed = [o["value"] for o in comp.get("options") or []]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(
                f"select {comp.get('custom_id')!r} has no option(s) {bad}; options: {allowed}"
            )


def modal_submission(modal: JSON, values: Mapping[str, str | Sequence[str]]) -> list[JSON]:
    """The `components` of a MODAL_SUBMIT, mirroring the modal's layout with the values filled in."""
    used: set[str] = set()

    def submit(comp: JSON) -> JSON:
        ctype = comp.get("type")
        custom_id = comp.get("custom_id")
        out: JSON = {"type": ctype}
        if comp.get("id") is not None:
            out["id"] = comp["id"]
        if ctype == 4:
            value = values.get(custom_id or "", comp.get("value") or "")
            used.add(custom_id or "")
            if not isinstance(value, str):
                raise ValueError(f"text input {custom_id!r} takes a string")
            if comp.get("required", True) and not value:
                raise ValueError(f"text input {custom_id!r} is required")
            lo, hi = comp.get("min_length", 0), comp.get("max_length", 4000)
            if value and not lo <= len(value) <= hi:
                raise ValueError(f"text input {custom_id!r} must be {lo}-{hi} characters long")
            out.update({"custom_id": custom_id, "value": value})
        elif ctype in (3, 5, 6, 7, 8):
            chosen = values.get(custom_id or "", [])
            used.add(custom_id or "")
            chosen_list = [chosen] if isinstance(chosen, str) else list(chosen)
            if comp.get("required", True) or chosen_list:
                check_select_values(comp, chosen_list)
            out.update({"custom_id": custom_id, "values": chosen_list})
        elif custom_id is not None:
            out["custom_id"] = custom_id
        return out

    result: list[JSON] = []
    for comp in modal.get("components") or []:
        if comp.get("type") == 1:
            row: JSON = {"type": 1, "components": [submit(c) for c in comp.get("components") or []]}
            if comp.get("id") is not None:
                row["id"] = comp["id"]
            result.append(row)
        elif comp.get("type") == 18 and isinstance(comp.get("component"), dict):
            label: JSON = {"type": 18, "component": submit(comp["component"])}
            if comp.get("id") is not None:
                label["id"] = comp["id"]
            result.append(label)
        else:
            result.append(submit(comp))
    unknown = set(values) - used
    if unknown:
        raise ValueError(f"modal {modal.get('custom_id')!r} has no input(s) {sorted(unknown)}")
    return result
