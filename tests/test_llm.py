"""The chat-completions client: request shape, key handling, retries, budget, concurrency."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ConfigError, LlmConfig
from bot.fakellm import FakeLLM, FakeReply, stance_rule
from bot.llm import (
    BudgetExhausted,
    ChatClient,
    DailyBudget,
    LlmBadResponse,
    LlmUnavailable,
    MemoryBudgetStore,
    looks_like_refusal,
    parse_json_object,
    parse_retry_after,
    validate_base_url,
)
from bot.storage import open_database
from bot.storage.llm_budget import LlmBudgetStore

SCHEMA = {
    "type": "object",
    "properties": {"justification": {"type": "string"}, "position": {"type": "string"}},
    "required": ["justification", "position"],
    "additionalProperties": False,
}
MESSAGES = [{"role": "system", "content": "judge"}, {"role": "user", "content": "{}"}]


class Sleeps:
    """Records the delays the client asks for instead of waiting them."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    async with FakeLLM(stance_rule("yes", "for")) as server:
        yield server


def make_client(
    fake: FakeLLM,
    *,
    api_key: str | None = None,
    budget: int = 0,
    sleeps: Sleeps | None = None,
    **overrides: object,
) -> ChatClient:
    settings: dict[str, object] = {
        "base_url": fake.base_url,
        "model": "test-model",
        "timeout": 5.0,
        "retries": 2,
        "backoff": 0.5,
    }
    settings.update(overrides)
    config = LlmConfig(**settings)  # type: ignore[arg-type]
    return ChatClient(
        config,
        api_key,
        budget=DailyBudget(budget, MemoryBudgetStore()),
        sleep=sleeps or Sleeps(),
    )


async def ask(client: ChatClient) -> str:
    reply = await client.chat(MESSAGES, schema_name="stance_position", schema=SCHEMA)
    return reply.content


async def test_request_is_an_openai_chat_completion_with_a_strict_json_schema(
    fake: FakeLLM,
) -> None:
    client = make_client(fake, temperature=0.0)
    try:
        reply = await client.chat(MESSAGES, schema_name="stance_position", schema=SCHEMA)
    finally:
        await client.close()
    assert json.loads(reply.content)["position"] == "for"
    assert reply.model == "fake-stance-model"  # the server's own name for the model
    (request,) = fake.requests
    assert request.path == "/v1/chat/completions"
    body = request.json
    assert body["model"] == "test-model"
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0.0
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "stance_position", "strict": True, "schema": SCHEMA},
    }


async def test_api_key_is_sent_as_bearer_only_when_set(fake: FakeLLM) -> None:
    with_key = make_client(fake, api_key="sk-test-123")
    without_key = make_client(fake, api_key=None)
    empty_key = make_client(fake, api_key="")
    try:
        await ask(with_key)
        await ask(without_key)
        await ask(empty_key)
    finally:
        for client in (with_key, without_key, empty_key):
            await client.close()
    first, second, third = fake.requests
    assert first.headers["Authorization"] == "Bearer sk-test-123"
    assert "Authorization" not in second.headers
    assert "Authorization" not in third.headers


async def test_429_waits_the_retry_after_then_succeeds(fake: FakeLLM) -> None:
    fake.script(FakeReply.rate_limited("7"))
    sleeps = Sleeps()
    client = make_client(fake, sleeps=sleeps)
    try:
        content = await ask(client)
    finally:
        await client.close()
    assert json.loads(content)["position"] == "for"
    assert len(fake.requests) == 2
    assert sleeps.delays == [7.0]


async def test_5xx_is_retried_with_doubling_backoff_then_reported(fake: FakeLLM) -> None:
    fake.script(*[FakeReply.server_error(502)] * 3)
    sleeps = Sleeps()
    client = make_client(fake, sleeps=sleeps, retries=2, backoff=0.5)
    try:
        with pytest.raises(LlmUnavailable) as info:
            await ask(client)
    finally:
        await client.close()
    assert len(fake.requests) == 3
    assert sleeps.delays == [0.5, 1.0]
    assert "HTTP 502" in info.value.reason
    assert "The server had an error" in info.value.reason
    assert "3 attempts" in info.value.reason


async def test_500_then_success(fake: FakeLLM) -> None:
    fake.script(FakeReply.server_error(500))
    client = make_client(fake)
    try:
        assert json.loads(await ask(client))["position"] == "for"
    finally:
        await client.close()
    assert len(fake.requests) == 2


async def test_a_retry_after_longer_than_the_cap_is_not_waited(fake: FakeLLM) -> None:
    fake.script(FakeReply.rate_limited("3600"))
    sleeps = Sleeps()
    client = make_client(fake, sleeps=sleeps)
    try:
        with pytest.raises(LlmUnavailable, match="asks to wait 3600 s"):
            await ask(client)
    finally:
        await client.close()
    assert len(fake.requests) == 1
    assert sleeps.delays == []


async def test_a_hanging_server_times_out_and_is_retried(fake: FakeLLM) -> None:
    fake.script(FakeReply.hanging(), FakeReply.hanging())
    client = make_client(fake, timeout=0.2, retries=1)
    try:
        with pytest.raises(LlmUnavailable, match=r"no answer within 0\.2 s \(2 attempts\)"):
            await ask(client)
    finally:
        await client.close()
    assert len(fake.requests) == 2


async def test_client_errors_are_not_retried(fake: FakeLLM) -> None:
    fake.script(
        FakeReply(status=401, raw_body='{"error": {"message": "Incorrect API key provided"}}')
    )
    client = make_client(fake, api_key="sk-wrong")
    try:
        with pytest.raises(LlmUnavailable) as info:
            await ask(client)
    finally:
        await client.close()
    assert len(fake.requests) == 1
    assert "HTTP 401: Incorrect API key provided" in info.value.reason
    assert "sk-wrong" not in info.value.reason


async def test_a_reply_that_is_not_a_completion_is_a_bad_response(fake: FakeLLM) -> None:
    fake.script(FakeReply(raw_body="<html>gateway</html>"), FakeReply(raw_body='{"choices": []}'))
    client = make_client(fake)
    try:
        with pytest.raises(LlmBadResponse, match="not JSON"):
            await ask(client)
        with pytest.raises(LlmBadResponse, match="no choices"):
            await ask(client)
    finally:
        await client.close()


async def test_an_unreachable_server_is_reported() -> None:
    config = LlmConfig(base_url="http://127.0.0.1:9/v1", model="m", retries=1, backoff=0)
    client = ChatClient(config, None, budget=DailyBudget(0, MemoryBudgetStore()), sleep=Sleeps())
    try:
        with pytest.raises(LlmUnavailable, match=r"connection failed .*\(2 attempts\)"):
            await ask(client)
    finally:
        await client.close()


async def test_budget_counts_every_request_and_stops_before_sending(fake: FakeLLM) -> None:
    fake.script(FakeReply.rate_limited("0"))
    client = make_client(fake, budget=3)
    try:
        await ask(client)  # a 429 and a success: two requests
        assert client.budget.remaining() == 1
        await ask(client)
        assert client.budget.remaining() == 0
        with pytest.raises(BudgetExhausted, match="daily budget reached"):
            await ask(client)
    finally:
        await client.close()
    assert len(fake.requests) == 3  # the refused call never left


async def test_concurrency_cap_holds_at_the_server(fake: FakeLLM) -> None:
    slow = stance_rule("yes", "for")
    fake.rule = lambda request: slow(request).after(0.05)
    client = make_client(fake, concurrency=3)
    try:
        await asyncio.gather(*(ask(client) for _ in range(10)))
    finally:
        await client.close()
    assert len(fake.requests) == 10
    assert fake.max_in_flight == 3


def test_budget_resets_each_utc_day_and_zero_means_unlimited() -> None:
    day = ["2025-01-01"]
    budget = DailyBudget(2, MemoryBudgetStore(), clock=lambda: day[0])
    assert [budget.try_spend() for _ in range(3)] == [True, True, False]
    day[0] = "2025-01-02"
    assert budget.remaining() == 2
    assert budget.try_spend()
    unlimited = DailyBudget(0, MemoryBudgetStore())
    assert all(unlimited.try_spend() for _ in range(50))
    assert unlimited.remaining() is None


def test_budget_in_sqlite_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "budget.db"
    db = open_database(path)
    first = DailyBudget(3, LlmBudgetStore(db), clock=lambda: "2025-06-01")
    assert first.try_spend() and first.try_spend()
    db.conn.close()
    again = open_database(path)
    second = DailyBudget(3, LlmBudgetStore(again), clock=lambda: "2025-06-01")
    assert second.remaining() == 1
    assert second.try_spend()
    assert not second.try_spend()
    assert LlmBudgetStore(again).used("2025-06-01") == 3
    assert LlmBudgetStore(again).used("2025-06-02") == 0
    again.conn.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"position": "for"}', {"position": "for"}),
        ('  \n{"a": 1}\n', {"a": 1}),
        ('Sure!\n```json\n{"position": "against"}\n```\nHope that helps.', {"position": "against"}),
        ('```\n{"position": "none"}\n```', {"position": "none"}),
    ],
)
def test_json_answers_bare_or_fenced_are_read(text: str, expected: dict[str, object]) -> None:
    assert parse_json_object(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ('{"position": "for"', "not valid JSON"),
        ('["for"]', "not an object"),
        ("The quote is for the statement.", "not valid JSON"),
    ],
)
def test_unusable_json_answers_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_json_object(text)


def test_refusal_wording_is_recognised() -> None:
    assert looks_like_refusal("I'm sorry, but I can't help with that.")
    assert looks_like_refusal("I cannot assist with this request.")
    assert looks_like_refusal("As an AI, I do not take political positions.")
    assert not looks_like_refusal('{"position": "for"}')
    assert not looks_like_refusal("The quote argues for the statement.")


def test_retry_after_accepts_seconds_and_dates() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    "url", ["127.0.0.1:8080", "ftp://models.example/v1", "http://user:pw@host/v1", "http://"]
)
def test_bad_base_urls_are_refused_with_the_key_named(url: str) -> None:
    with pytest.raises(ConfigError, match=r"llm\.base_url"):
        validate_base_url(url)
    assert validate_base_url("https://api.example.com/v1/") == "https://api.example.com/v1"
