"""Discord's documented limits for what a bot sends, so an over-long or malformed message fails here
as it would in production (400 Invalid Form Body, 50006 empty message) instead of passing silently.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .errors import EMPTY_MESSAGE, ApiError, FormErrors

JSON = dict[str, Any]

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_FILES = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
IS_COMPONENTS_V2 = 1 << 15
EPHEMERAL = 1 << 6
SENDABLE_FLAGS = (1 << 2) | (1 << 12) | IS_COMPONENTS_V2  # suppress embeds, silent, v2

_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
_EMBED_URL_FIELDS = (
    ("url",),
    ("image", "url"),
    ("thumbnail", "url"),
    ("author", "url"),
    ("author", "icon_url"),
    ("footer", "icon_url"),
)


def _too_long(errs: FormErrors, path: tuple[str | int, ...], value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _check_url(errs: FormErrors, path: tuple[str | int, ...], value: Any) -> None:
    if value is None:
        return
    ok = isinstance(value, str)
    if ok:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https", "attachment") and bool(parts.netloc or parts.path)
        ok = ok and len(value) <= 2048 and not any(c.isspace() for c in value)
    if not ok:
        errs.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")


def _embed_text_size(embed: JSON) -> int:
    total = 0
    for key in ("title", "description"):
        total += len(embed.get(key) or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def validate_embeds(errs: FormErrors, embeds: Any) -> None:
    if embeds is None:
        return
    if not isinstance(embeds, list):
        errs.add(("embeds",), "LIST_TYPE_CONVERT", "Must be an array.")
        return
    if len(embeds) > MAX_EMBEDS:
        errs.add(("embeds",), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_EMBEDS} or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        p: tuple[str | int, ...] = ("embeds", i)
        if not isinstance(embed, dict):
            errs.add(p, "DICT_TYPE_CONVERT", "Must be an object.")
            continue
        total += _embed_text_size(embed)
        _too_long(errs, (*p, "title"), embed.get("title"), 256)
        _too_long(errs, (*p, "description"), embed.get("description"), 4096)
        _too_long(errs, (*p, "footer", "text"), (embed.get("footer") or {}).get("text"), 2048)
        _too_long(errs, (*p, "author", "name"), (embed.get("author") or {}).get("name"), 256)
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            errs.add((*p, "color"), "NUMBER_TYPE_MAX", "int value should be <= 16777215 and >= 0.")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errs.add((*p, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, f in enumerate(fields):
            fp = (*p, "fields", j)
            for key, limit in (("name", 256), ("value", 1024)):
                val = f.get(key)
                if not isinstance(val, str) or not val.strip():
                    errs.add((*fp, key), "BASE_TYPE_REQUIRED", "This field is required")
                else:
                    _too_long(errs, (*fp, key), val, limit)
        for url_path in _EMBED_URL_FIELDS:
            node: Any = embed
            for key in url_path[:-1]:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict):
                _check_url(errs, (*p, *url_path), node.get(url_path[-1]))
    if total > MAX_EMBED_TOTAL:
        errs.add(
            ("embeds",),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}",
        )


def _validate_button_or_select(
    errs: FormErrors, path: tuple[str | int, ...], comp: JSON, seen: set[str]
) -> None:
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if isinstance(custom_id, str):
        _too_long(errs, (*path, "custom_id"), custom_id, 100)
        if custom_id in seen:
            errs.add(
                (*path, "custom_id"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)
    if ctype == 2:
        style = comp.get("style")
        _too_long(errs, (*path, "label"), comp.get("label"), 80)
        if style == 5:
            _check_url(errs, (*path, "url"), comp.get("url"))
            if comp.get("url") is None:
                errs.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
        elif style != 6 and not custom_id:
            errs.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    elif ctype in (3, 5, 6, 7, 8):
        if not custom_id:
            errs.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        _too_long(errs, (*path, "placeholder"), comp.get("placeholder"), 150)
        if ctype == 3:
            options = comp.get("options") or []
            if not 1 <= len(options) <= 25:
                errs.add(
                    (*path, "options"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 25 in length.",
                )
            for k, opt in enumerate(options):
                _too_long(errs, (*path, "options", k, "label"), opt.get("label"), 100)
                _too_long(errs, (*path, "options", k, "value"), opt.get("value"), 100)


def validate_components(errs: FormErrors, components: Any, flags: int) -> None:
    """Action rows of buttons/selects (classic layout); components v2 layouts are accepted as sent."""
    if components is None:
        return
    if not isinstance(components, list):
        errs.add(("components",), "LIST_TYPE_CONVERT", "Must be an array.")
        return
    if flags & IS_COMPONENTS_V2:
        return
    if len(components) > 5:
        errs.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, row in enumerate(components):
        if not isinstance(row, dict) or row.get("type") != 1:
            errs.add(
                ("components", i, "type"),
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1,).',
            )
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            errs.add(
                ("components", i, "components"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            )
        has_select = any(c.get("type") != 2 for c in children)
        if has_select and len(children) > 1:
            errs.add(
                ("components", i, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for j, child in enumerate(children):
            _validate_button_or_select(errs, ("components", i, "components", j), child, seen)


def validate_allowed_mentions(errs: FormErrors, allowed: Any) -> None:
    if allowed is None:
        return
    if not isinstance(allowed, dict):
        errs.add(("allowed_mentions",), "DICT_TYPE_CONVERT", "Must be an object.")
        return
    parse = allowed.get("parse", [])
    for i, value in enumerate(parse):
        if value not in ("users", "roles", "everyone"):
            errs.add(
                ("allowed_mentions", "parse", i),
                "BASE_TYPE_CHOICES",
                "Value must be one of {'users', 'roles', 'everyone'}.",
            )
    for kind in ("users", "roles"):
        ids = allowed.get(kind)
        if ids and kind in parse:
            errs.add(
                ("allowed_mentions", kind),
                "SET_TYPE_ALREADY_CONTAINS_VALUE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
        if ids and len(ids) > 100:
            errs.add(
                ("allowed_mentions", kind),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.",
            )


def validate_message_body(
    body: JSON,
    *,
    n_files: int,
    editing: bool = False,
    allow_ephemeral: bool = False,
    allow_empty: bool = False,
) -> None:
    """Raise ApiError exactly where Discord would reject a create/edit message body."""
    errs = FormErrors()
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        errs.add(("content",), "STRING_TYPE_CONVERT", "Could not interpret value as string.")
        content = None
    _too_long(errs, ("content",), content, MAX_CONTENT)
    flags = body.get("flags") or 0
    if not isinstance(flags, int):
        errs.add(("flags",), "NUMBER_TYPE_COERCE", "Value is not int.")
        flags = 0
    allowed_flags = SENDABLE_FLAGS | (EPHEMERAL if allow_ephemeral else 0)
    if flags & ~allowed_flags and not editing:
        errs.add(("flags",), "MESSAGE_FLAGS_INVALID", "Invalid message flags")
    validate_embeds(errs, body.get("embeds"))
    validate_components(errs, body.get("components"), flags)
    validate_allowed_mentions(errs, body.get("allowed_mentions"))
    if n_files > MAX_FILES:
        errs.add(("files",), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_FILES} or fewer in length.")
    errs.raise_if_any()
    if editing or allow_empty:
        return
    has_text = isinstance(content, str) and content.strip() != ""
    if not (
        has_text
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or n_files
    ):
        raise ApiError(400, EMPTY_MESSAGE, "Cannot send an empty message")


def validate_modal(data: JSON) -> None:
    """Interaction callback type 9: title, custom_id and 1-5 top-level components."""
    errs = FormErrors()
    title = data.get("title")
    if not isinstance(title, str) or not title:
        errs.add(("data", "title"), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        _too_long(errs, ("data", "title"), title, 45)
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        errs.add(("data", "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        _too_long(errs, ("data", "custom_id"), custom_id, 100)
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        errs.add(
            ("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
        )
    for i, inp in enumerate(_modal_inputs(comps)):
        p: tuple[str | int, ...] = ("data", "components", i)
        _too_long(errs, (*p, "custom_id"), inp.get("custom_id"), 100)
        _too_long(errs, (*p, "label"), inp.get("label"), 45)
        _too_long(errs, (*p, "placeholder"), inp.get("placeholder"), 100)
        _too_long(errs, (*p, "value"), inp.get("value"), 4000)
    errs.raise_if_any()


def _modal_inputs(components: list[JSON]) -> list[JSON]:
    found: list[JSON] = []
    for comp in components:
        if comp.get("type") == 1:
            found.extend(_modal_inputs(comp.get("components") or []))
        elif comp.get("type") == 18 and isinstance(comp.get("component"), dict):
            found.append(comp["component"])
        elif comp.get("type") in (3, 4, 5, 6, 7, 8):
            found.append(comp)
    return found


def validate_commands(commands: Any) -> None:
    """Bulk-overwrite body: the checks that make discord.py raise CommandSyncFailure (50035)."""
    errs = FormErrors()
    if not isinstance(commands, list):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "Must be an array."}]},
        )
    if len(commands) > 100:
        errs.add((), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        ctype = cmd.get("type", 1)
        name = cmd.get("name")
        if not isinstance(name, str) or not name:
            errs.add((i, "name"), "BASE_TYPE_REQUIRED", "This field is required")
            continue
        if (ctype, name) in seen:
            errs.add(
                (i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {name}",
            )
        seen.add((ctype, name))
        if ctype == 1:
            if not _COMMAND_NAME.match(name) or name != name.lower():
                errs.add(
                    (i, "name"),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    f"Command name is invalid: {name}",
                )
            desc = cmd.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
                errs.add(
                    (i, "description"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            _validate_options(errs, (i, "options"), cmd.get("options") or [], depth=0)
        else:
            _too_long(errs, (i, "name"), name, 32)
            if cmd.get("description"):
                errs.add(
                    (i, "description"),
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have description",
                )
    errs.raise_if_any()


def _validate_options(
    errs: FormErrors, path: tuple[str | int, ...], options: list[JSON], depth: int
) -> None:
    if len(options) > 25:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    names: set[str] = set()
    for i, opt in enumerate(options):
        p = (*path, i)
        name = opt.get("name")
        if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
            errs.add(
                (*p, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name}"
            )
        elif name in names:
            errs.add(
                (*p, "name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        if isinstance(name, str):
            names.add(name)
        desc = opt.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
            errs.add(
                (*p, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        otype = opt.get("type")
        if otype in (1, 2):
            if depth >= (1 if otype == 2 else 2):
                errs.add(
                    (*p, "type"),
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Subcommands nested too deep",
                )
            _validate_options(errs, (*p, "options"), opt.get("options") or [], depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                errs.add(
                    (*p, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            errs.add((*p, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if choices and opt.get("autocomplete"):
            errs.add(
                (*p, "autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES",
                "Autocomplete cannot be set with choices",
            )
