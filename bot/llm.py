"""A small client for OpenAI-compatible ``/chat/completions`` endpoints (hosted APIs, llama.cpp,
vLLM, Ollama), with the limits a shared bot needs: timeouts, retries that honour Retry-After, a cap
on parallel requests and a per-UTC-day request budget.

It knows nothing about stances; bot/stance.py asks the questions and judges the answers.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp

from bot.config import ConfigError, LlmConfig

MAX_RESPONSE_BYTES = 1_000_000
MAX_RETRY_AFTER = 60.0
USER_AGENT = "VerbatimBot/0.1 (stance check)"

Message = Mapping[str, str]
Sleep = Callable[[float], Awaitable[None]]


class LlmError(Exception):
    """A model request that gave no answer; ``reason`` is a sentence fit to show a moderator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BudgetExhausted(LlmError):
    """The day's request budget is spent; nothing was sent."""


class LlmUnavailable(LlmError):
    """The server could not be reached, kept failing, timed out or refused the request itself."""


class LlmBadResponse(LlmError):
    """The server answered 200 with something that is not a chat completion."""


@dataclass(frozen=True)
class ChatReply:
    content: str
    refusal: str | None
    finish_reason: str | None
    model: str | None


def validate_base_url(url: str) -> str:
    """The configured endpoint must be a plain http(s) URL; a typo should stop startup, not calls."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"config: llm.base_url = {url!r} is not allowed; expected an http:// or https:// "
            "address such as http://127.0.0.1:8080/v1"
        )
    if parts.username or parts.password:
        raise ConfigError(
            "config: llm.base_url must not carry a user name or password; "
            "put the key in the environment variable named by llm.api_key_env"
        )
    return url.strip().rstrip("/")


# --- the daily budget -------------------------------------------------------------------------


class BudgetStore(Protocol):
    def used(self, day: str) -> int: ...
    def try_spend(self, day: str, limit: int) -> bool: ...


class MemoryBudgetStore:
    """Counts kept in memory: used when no database is given (lost on restart)."""

    def __init__(self) -> None:
        self._calls: dict[str, int] = {}

    def used(self, day: str) -> int:
        return self._calls.get(day, 0)

    def try_spend(self, day: str, limit: int) -> bool:
        used = self._calls.get(day, 0)
        if limit and used >= limit:
            return False
        self._calls[day] = used + 1
        return True


def utc_day() -> str:
    return datetime.now(UTC).date().isoformat()


class DailyBudget:
    """At most ``limit`` requests per UTC day (0 = unlimited); every request sent counts."""

    def __init__(self, limit: int, store: BudgetStore, clock: Callable[[], str] = utc_day) -> None:
        self.limit = limit
        self._store = store
        self._clock = clock

    def remaining(self) -> int | None:
        """Requests left today, or None when unlimited."""
        if not self.limit:
            return None
        return max(0, self.limit - self._store.used(self._clock()))

    def try_spend(self) -> bool:
        return self._store.try_spend(self._clock(), self.limit)


# --- reading answers --------------------------------------------------------------------------

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL)
_REFUSAL = re.compile(
    r"^\W*(?:i['’]?m sorry|i am sorry|sorry|i can(?:['’]?t|not)|i won['’]?t|i am unable|"
    r"i['’]?m unable|i['’]?m not able|i am not able|as an ai|unfortunately,? i)",
    re.IGNORECASE,
)


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object a model answered, bare or inside a ```json fence (local servers do that).

    Raises ValueError with a short reason when there is none.
    """
    stripped = text.strip()
    if not stripped:
        raise ValueError("the answer was empty")
    candidates = [stripped]
    fenced = _FENCE.search(stripped)
    if fenced:
        candidates.append(fenced.group(1).strip())
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
        raise ValueError(f"the answer was JSON but not an object (a {type(value).__name__})")
    raise ValueError("the answer was not valid JSON")


def looks_like_refusal(text: str) -> bool:
    """Plain-text answers such as "I'm sorry, but I can't help with that"."""
    return bool(_REFUSAL.match(text.strip()))


def clean_text(text: str, limit: int) -> str:
    """Model or server text made safe to show: no control characters, one line, bounded."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _error_detail(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace")
    else:
        error = data.get("error") if isinstance(data, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
        text = message if isinstance(message, str) else ""
    text = clean_text(text, 200)
    return f": {text}" if text else ""


def _read_reply(body: bytes, fallback_model: str) -> ChatReply:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise LlmBadResponse("the model server's reply was not JSON") from exc
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise LlmBadResponse("the model server's reply held no choices")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise LlmBadResponse("the model server's reply held no message")
    content = message.get("content")
    refusal = message.get("refusal")
    finish = choice.get("finish_reason")
    model = data.get("model")
    return ChatReply(
        content=content if isinstance(content, str) else "",
        refusal=clean_text(refusal, 300) if isinstance(refusal, str) and refusal.strip() else None,
        finish_reason=finish if isinstance(finish, str) else None,
        model=model if isinstance(model, str) and model else fallback_model,
    )


# --- the client -------------------------------------------------------------------------------


class ChatClient:
    """POSTs to ``{base_url}/chat/completions``; one instance per bot, shared by all checks."""

    def __init__(
        self,
        config: LlmConfig,
        api_key: str | None,
        *,
        budget: DailyBudget,
        sleep: Sleep = asyncio.sleep,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        self.config = config
        self.url = validate_base_url(config.base_url) + "/chat/completions"
        self.budget = budget
        self.max_retry_after = max_retry_after
        self._api_key = api_key or None
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(config.concurrency)
        self._session: aiohttp.ClientSession | None = None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    async def chat(
        self, messages: Sequence[Message], *, schema_name: str, schema: Mapping[str, Any]
    ) -> ChatReply:
        """One completion asking for a strict JSON-schema answer.

        Raises BudgetExhausted, LlmUnavailable (after retries) or LlmBadResponse.
        """
        payload = {
            "model": self.config.model,
            "messages": [dict(m) for m in messages],
            "temperature": self.config.temperature,
            "stream": False,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "strict": True, "schema": dict(schema)},
            },
        }
        attempts = self.config.retries + 1
        problem = "no attempt made"
        for attempt in range(attempts):
            if not self.budget.try_spend():
                raise BudgetExhausted(
                    f"daily budget reached ({self.budget.limit} model requests per UTC day)"
                )
            wait: float | None = None
            try:
                async with self._semaphore:
                    status, headers, body = await self._post(payload)
            except TimeoutError:
                problem = f"no answer within {self.config.timeout:g} s"
            except aiohttp.ClientError as exc:
                problem = f"connection failed ({clean_text(str(exc) or type(exc).__name__, 160)})"
            else:
                if status == 200:
                    return _read_reply(body, self.config.model)
                detail = _error_detail(body)
                if status != 429 and status < 500:
                    raise LlmUnavailable(
                        f"the model server refused the request: HTTP {status}{detail}"
                    )
                problem = f"HTTP {status}{detail}"
                wait = parse_retry_after(headers.get("Retry-After"))
                if wait is not None and wait > self.max_retry_after:
                    raise LlmUnavailable(
                        f"{problem}; the server asks to wait {wait:.0f} s, longer than "
                        f"{self.max_retry_after:.0f} s"
                    )
            if attempt + 1 < attempts:
                await self._sleep(wait if wait is not None else self.config.backoff * 2**attempt)
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        raise LlmUnavailable(f"{problem} ({tries})")

    async def _post(self, payload: Mapping[str, Any]) -> tuple[int, Mapping[str, str], bytes]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        async with self._session.post(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers=self._headers(),
            timeout=timeout,
            allow_redirects=False,
        ) as resp:
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(65_536):
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise LlmBadResponse(
                        f"the model server's reply exceeded {MAX_RESPONSE_BYTES:,} bytes"
                    )
                chunks.append(chunk)
            return resp.status, resp.headers, b"".join(chunks)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
