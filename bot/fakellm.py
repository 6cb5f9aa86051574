"""A fake OpenAI-compatible chat server on loopback, for tests and demos of the stance check.

Answers come from a scripted queue first, then from a rule function. Every request is recorded
(so tests can prove the claimed stance never reaches the model) and requests in flight are
counted (so tests can prove the concurrency cap). Replies can be good JSON, fenced JSON,
malformed JSON, refusals, hangs, 429 with Retry-After, or 5xx.

Run ``python -m bot.fakellm --port 8089`` for a demo server that answers by keyword.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_MODEL = "fake-stance-model"


@dataclass(frozen=True)
class FakeReply:
    """What the fake server does with one request."""

    status: int = 200
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds of "thinking" before answering
    hang: bool = False  # never answer (until the server stops)
    raw_body: str | None = None  # sent as is instead of a chat completion

    @classmethod
    def answer(cls, **fields: str) -> FakeReply:
        """A good answer: the JSON object ``fields``."""
        return cls(content=json.dumps(fields))

    def after(self, delay: float) -> FakeReply:
        """The same reply, sent ``delay`` seconds late."""
        return dataclasses.replace(self, delay=delay)

    @classmethod
    def fenced(cls, **fields: str) -> FakeReply:
        """A good answer wrapped in prose and a ```json fence, as local servers often send."""
        body = json.dumps(fields, indent=2)
        return cls(content=f"Here is my answer:\n```json\n{body}\n```\n")

    @classmethod
    def malformed(
        cls, text: str = '{"justification": "The quote says "no"", "position": '
    ) -> FakeReply:
        return cls(content=text)

    @classmethod
    def refusing(cls, text: str = "I'm sorry, but I can't help with that request.") -> FakeReply:
        """A refusal written as plain text, the way most local models refuse."""
        return cls(content=text)

    @classmethod
    def refusal_field(cls, reason: str = "I can't assist with that.") -> FakeReply:
        """A refusal in the ``message.refusal`` field, the way OpenAI structured outputs refuse."""
        return cls(content=None, refusal=reason)

    @classmethod
    def content_filtered(cls) -> FakeReply:
        return cls(content=None, finish_reason="content_filter")

    @classmethod
    def hanging(cls) -> FakeReply:
        return cls(hang=True)

    @classmethod
    def rate_limited(cls, retry_after: str = "1") -> FakeReply:
        return cls(
            status=429,
            headers={"Retry-After": retry_after},
            raw_body=json.dumps({"error": {"message": "Rate limit reached", "type": "requests"}}),
        )

    @classmethod
    def server_error(cls, status: int = 500) -> FakeReply:
        return cls(
            status=status,
            raw_body=json.dumps(
                {"error": {"message": "The server had an error", "type": "server"}}
            ),
        )


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    body: str
    json: Any  # the parsed body, or None when it was not JSON

    @property
    def schema_name(self) -> str | None:
        """The ``response_format.json_schema.name`` asked for, if any."""
        try:
            name = self.json["response_format"]["json_schema"]["name"]
        except (KeyError, TypeError):
            return None
        return name if isinstance(name, str) else None

    @property
    def schema(self) -> Mapping[str, Any] | None:
        try:
            schema = self.json["response_format"]["json_schema"]["schema"]
        except (KeyError, TypeError):
            return None
        return schema if isinstance(schema, dict) else None

    def answer_key(self) -> str | None:
        """The non-justification key the schema asks for (``relevant`` or ``position``)."""
        schema = self.schema or {}
        keys = [k for k in schema.get("properties", {}) if k != "justification"]
        return keys[0] if keys else None

    def material(self) -> dict[str, Any]:
        """The last user message read as JSON (the stance check sends its material that way)."""
        messages = self.json.get("messages", []) if isinstance(self.json, dict) else []
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                try:
                    value = json.loads(message.get("content", ""))
                except (TypeError, ValueError):
                    continue
                if isinstance(value, dict):
                    return value
        return {}


Rule = Callable[[RecordedRequest], FakeReply]


def stance_rule(relevant: str = "yes", position: str = "for", *, fenced: bool = False) -> Rule:
    """Answer every relevance question with ``relevant`` and every position one with ``position``."""

    def rule(request: RecordedRequest) -> FakeReply:
        quote = str(request.material().get("quote", ""))[:60]
        key = request.answer_key()
        value = relevant if key == "relevant" else position
        fields = {"justification": f'The quote says "{quote}".', key or "answer": value}
        return FakeReply.fenced(**fields) if fenced else FakeReply.answer(**fields)

    return rule


_AGAINST_WORDS = ("not ", "n't", "never", "disagree", "wrong", "false", "nonsense")
_ABSTAIN_WORDS = ("undecided", "no view", "too early to say", "both sides")


def keyword_rule(request: RecordedRequest) -> FakeReply:
    """A demo rule, nothing like a real judgement: negations read as against, else for."""
    quote = str(request.material().get("quote", ""))
    lowered = quote.lower()
    if any(w in lowered for w in _ABSTAIN_WORDS):
        position = "abstain"
    elif any(w in lowered for w in _AGAINST_WORDS):
        position = "against"
    else:
        position = "for"
    return stance_rule("yes", position)(request)


class FakeLLM:
    """``async with FakeLLM(rule) as fake:`` then point LlmConfig.base_url at ``fake.base_url``."""

    def __init__(self, rule: Rule | None = None, *, model: str = DEFAULT_MODEL) -> None:
        self.rule: Rule = rule or keyword_rule
        self.model = model
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._queue: deque[FakeReply] = deque()
        self._ids = itertools.count(1)
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def script(self, *replies: FakeReply) -> None:
        """Queue replies used, in order, before the rule is consulted."""
        self._queue.extend(replies)

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeLLM is not started")
        return f"http://127.0.0.1:{self._port}/v1"

    async def start(self, port: int = 0) -> FakeLLM:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeLLM:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"object": "list", "data": [{"id": self.model, "object": "model"}]}
        )

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = None
        recorded = RecordedRequest(
            request.method, request.path, dict(request.headers), body, parsed
        )
        self.requests.append(recorded)
        if (
            not isinstance(parsed, dict)
            or not isinstance(parsed.get("model"), str)
            or not isinstance(parsed.get("messages"), list)
        ):
            return web.json_response(
                {
                    "error": {
                        "message": "body must be JSON with model and messages",
                        "type": "invalid_request_error",
                    }
                },
                status=400,
            )
        reply = self._queue.popleft() if self._queue else self.rule(recorded)
        if reply.hang:
            await self._stopping.wait()
            return web.Response(status=503, text="stopping")
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw_body is not None:
            return web.Response(
                status=reply.status,
                text=reply.raw_body,
                headers=dict(reply.headers),
                content_type="application/json",
            )
        completion = {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": reply.content,
                        "refusal": reply.refusal,
                    },
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": len(body) // 4,
                "completion_tokens": 20,
                "total_tokens": len(body) // 4 + 20,
            },
        }
        return web.json_response(completion, status=reply.status, headers=dict(reply.headers))


async def _serve(port: int) -> None:
    fake = await FakeLLM().start(port)
    print(f"fake model server at {fake.base_url} (keyword rule); Ctrl-C stops it", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake OpenAI-compatible model server.")
    parser.add_argument("--port", type=int, default=8089, help="port on 127.0.0.1 (0 = any)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port))


if __name__ == "__main__":
    main()
