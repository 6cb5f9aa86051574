"""Verbatim's configuration: one typed object, loaded from TOML and validated before anything starts.

Every setting has a default here and a commented line in ``config.toml``. Secrets never live in
the file: the bot token and model keys are read from environment variables.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_PATH = Path("config.toml")


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the key, the value and what is allowed."""


def _opt(
    default: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
    help: str = "",
) -> Any:
    return field(
        default=default, metadata={"low": low, "high": high, "choices": choices, "help": help}
    )


def _list_opt(help: str = "") -> Any:
    return field(default_factory=list, metadata={"help": help})


@dataclass(frozen=True)
class FetchConfig:
    connect_timeout: float = _opt(10.0, low=0.1, high=120, help="seconds to open a connection")
    total_timeout: float = _opt(30.0, low=0.5, high=600, help="seconds for a whole fetch")
    read_timeout: float = _opt(15.0, low=0.1, high=600, help="seconds of silence allowed mid-body")
    max_bytes: int = _opt(10_000_000, low=1024, high=200_000_000, help="body cap, bytes")
    max_redirects: int = _opt(5, low=0, high=20, help="redirects followed")
    retries: int = _opt(2, low=0, high=10, help="retries on 429/5xx/connection errors")
    backoff: float = _opt(0.5, low=0, high=60, help="first retry delay, seconds (doubles)")
    max_retry_after: float = _opt(30.0, low=0, high=600, help="longest Retry-After honoured")
    allow_private_networks: bool = _opt(False, help="fetch loopback/private addresses (tests)")
    user_agent: str = _opt(
        "VerbatimBot/0.1 (+https://github.com/verbatim-bot/verbatim; quote checker)",
        help="User-Agent sent with every fetch",
    )
    cache_ttl: float = _opt(86_400.0, low=0, high=31_536_000, help="seconds a page is cached")
    per_host_limit: int = _opt(4, low=1, high=100, help="concurrent fetches per host")
    pdf_max_pages: int = _opt(2000, low=1, high=100_000, help="PDF pages read for their text")


@dataclass(frozen=True)
class MatchConfig:
    min_source_chars: int = _opt(
        200,
        low=0,
        high=100_000,
        help="pages with less text cannot be judged when the quote is absent",
    )
    author_window: int = _opt(
        800, low=0, high=100_000, help="chars around the quote searched for the speaker's name"
    )


@dataclass(frozen=True)
class VerifyConfig:
    concurrency: int = _opt(8, low=1, high=256, help="parallel checks for --batch")


@dataclass(frozen=True)
class DatabaseConfig:
    path: str = _opt("verbatim.db", help="SQLite file for the log and the page cache")


@dataclass(frozen=True)
class DiscordConfig:
    token_env: str = _opt("DISCORD_TOKEN", help="environment variable holding the bot token")
    api_base: str = _opt("", help="REST base URL override (testing only)")
    gateway_url: str = _opt("", help="gateway URL override (testing only)")
    quote_channels: list[int] = _list_opt(help="channel ids where posts are read as quotes")
    mod_log_channel: int = _opt(0, low=0, help="channel id for the moderator log (0 = none)")
    moderator_role: int = _opt(0, low=0, help="role id of moderators (0 = Manage Messages only)")
    workers: int = _opt(4, low=1, high=64, help="checks run at once")
    cooldown_seconds: float = _opt(30.0, low=0, high=86_400, help="per-member submit cooldown")
    command_guilds: list[int] = _list_opt(
        help="guild ids whose slash commands are synced at start (empty = global, slower to appear)"
    )
    guild_ready_timeout: float = _opt(
        2.0, low=0, high=60, help="seconds to wait for server data at start before going ready"
    )


@dataclass(frozen=True)
class LlmConfig:
    """The optional language model for the stance check; empty base_url or model turns it off."""

    base_url: str = _opt(
        "",
        help="OpenAI-compatible API base, e.g. http://127.0.0.1:8080/v1 (empty = stance check off)",
    )
    model: str = _opt("", help="model name sent with each request (empty = stance check off)")
    api_key_env: str = _opt(
        "VERBATIM_LLM_API_KEY",
        help="environment variable holding the API key (unset = no key sent)",
    )
    timeout: float = _opt(60.0, low=0.01, high=600, help="seconds allowed for one model request")
    retries: int = _opt(2, low=0, high=10, help="retries of a model request on 429/5xx/timeouts")
    backoff: float = _opt(1.0, low=0, high=60, help="first model retry delay, seconds (doubles)")
    concurrency: int = _opt(2, low=1, high=64, help="model requests in flight at once")
    daily_budget: int = _opt(
        1000, low=0, high=10_000_000, help="model requests per UTC day (0 = unlimited)"
    )
    temperature: float = _opt(0.0, low=0, high=2, help="sampling temperature (0 = most repeatable)")


@dataclass(frozen=True)
class ArchiveConfig:
    """Web-archive fallback for blocked or dead sources (the Wayback Machine's API by default)."""

    enabled: bool = _opt(
        True, help="look blocked or dead sources up in the web archive and check its copy"
    )
    availability_url: str = _opt(
        "https://archive.org/wayback/available",
        help="Wayback availability API: ?url=...&timestamp=... answers with the closest snapshot",
    )
    snapshot_base: str = _opt(
        "https://web.archive.org/web",
        help="snapshots are read from <snapshot_base>/<timestamp>id_/<url> (raw, unframed)",
    )


@dataclass(frozen=True)
class SearchConfig:
    """Search fallback: find another page carrying the quote when the URL yields nothing."""

    searxng_url: str = _opt(
        "", help="SearxNG instance whose JSON API is asked (empty = search fallback off)"
    )
    candidates: int = _opt(3, low=1, high=10, help="search results fetched and compared")


@dataclass(frozen=True)
class PastedConfig:
    max_bytes: int = _opt(
        10_000_000, low=1024, high=200_000_000, help="largest supplied source file, bytes"
    )


@dataclass(frozen=True)
class RecheckConfig:
    """Re-checking verified quotes whose sources may have changed or died since."""

    enabled: bool = _opt(True, help="re-check verified quotes on a schedule")
    max_age_days: float = _opt(
        30.0, low=0, high=3650, help="re-check quotes last checked more than this many days ago"
    )
    interval_hours: float = _opt(24.0, low=0.01, high=8760, help="hours between scheduled runs")
    per_run: int = _opt(200, low=0, high=1_000_000, help="quotes re-checked per run (0 = all due)")


@dataclass(frozen=True)
class ExportConfig:
    """What `python -m bot export` and the public site say the published quotes may be used under."""

    licence: str = _opt(
        "CC BY 4.0", help="licence of the exported and published records (text in every record)"
    )
    licence_url: str = _opt(
        "https://creativecommons.org/licenses/by/4.0/", help="where the licence can be read"
    )


@dataclass(frozen=True)
class SiteConfig:
    title: str = _opt("Verbatim: verified quotes", help="title of the public site")


@dataclass(frozen=True)
class Config:
    fetch: FetchConfig = field(default_factory=FetchConfig)
    match: MatchConfig = field(default_factory=MatchConfig)
    verify: VerifyConfig = field(default_factory=VerifyConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    pasted: PastedConfig = field(default_factory=PastedConfig)
    recheck: RecheckConfig = field(default_factory=RecheckConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    site: SiteConfig = field(default_factory=SiteConfig)

    def secret(self, env_name: str) -> str | None:
        """Secrets come only from the environment, never from the file."""
        value = os.environ.get(env_name, "").strip()
        return value or None


def _describe(f: dataclasses.Field[Any], typ: Any) -> str:
    meta = f.metadata
    if meta.get("choices"):
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    name = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(
        typ, "a list of whole numbers" if typing.get_origin(typ) is list else str(typ)
    )
    low, high = meta.get("low"), meta.get("high")
    if low is not None and high is not None:
        return f"{name} from {low:g} to {high:g}"
    if low is not None:
        return f"{name} of at least {low:g}"
    return name


def _coerce(key: str, f: dataclasses.Field[Any], typ: Any, value: Any) -> Any:
    expected = _describe(f, typ)
    bad = ConfigError(f"config: {key} = {value!r} is not allowed; expected {expected}")
    if typ is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if typ is int or typ is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        if typ is int and not isinstance(value, int):
            raise bad
        low, high = f.metadata.get("low"), f.metadata.get("high")
        if (low is not None and value < low) or (high is not None and value > high):
            raise bad
        return typ(value)
    if typ is str:
        if not isinstance(value, str):
            raise bad
        choices = f.metadata.get("choices")
        if choices and value not in choices:
            raise bad
        return value
    if typing.get_origin(typ) is list:
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise bad
        return list(value)
    raise bad  # pragma: no cover - every field type is handled above


def _build(cls: type[Any], data: Mapping[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        where = f"[{prefix}]" if prefix else "the top level"
        raise ConfigError(
            f"config: unknown key {prefix + '.' if prefix else ''}{unknown[0]} in {where}; "
            f"allowed: {', '.join(sorted(fields))}"
        )
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        f, typ = fields[name], hints[name]
        key = f"{prefix}.{name}" if prefix else name
        if dataclasses.is_dataclass(typ):
            if not isinstance(value, Mapping):
                raise ConfigError(f"config: {key} must be a table ([{key}]), got {value!r}")
            kwargs[name] = _build(typ, value, key)  # type: ignore[arg-type]
        else:
            if isinstance(typ, types.UnionType):  # pragma: no cover - no optional fields yet
                raise ConfigError(f"config: {key} has an unsupported type")
            kwargs[name] = _coerce(key, f, typ, value)
    return cls(**kwargs)


def parse_config(data: Mapping[str, Any]) -> Config:
    config: Config = _build(Config, data, "")
    return config


def load_config(path: Path | str | None = None) -> Config:
    """Load ``path`` (default ``config.toml`` if present, else the built-in defaults)."""
    if path is None:
        path = DEFAULT_CONFIG_PATH
        if not path.exists():
            return Config()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config: {path} is not valid TOML: {exc}") from exc
    return parse_config(data)


def iter_settings(
    cfg: object | None = None, prefix: str = ""
) -> typing.Iterator[tuple[str, Any, str]]:
    """Yield (key, default, help) for every setting; the config.toml test uses it."""
    cls: Any = type(cfg) if cfg is not None else Config
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}" if prefix else f.name
        typ = hints[f.name]
        if dataclasses.is_dataclass(typ):
            yield from iter_settings(typ(), key)  # type: ignore[operator]
        else:
            if f.default is not dataclasses.MISSING:
                default = f.default
            else:
                factory: Any = f.default_factory
                default = factory()
            yield key, default, f.metadata.get("help", "")
