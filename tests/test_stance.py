"""The stance check: blind model answers compared with the claimed stance, and every way the model
can fail turned into "unknown" with a reason instead of a guess."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, LlmConfig
from bot.fakellm import FakeLLM, FakeReply, RecordedRequest, stance_rule
from bot.stance import NO_INPUT, NO_MODEL, StanceChecker, StanceResult
from bot.storage import open_database

QUOTE = (
    "Open models let thousands of researchers find and fix flaws; closed models hide them, "
    "so I do not accept that openness makes AI more dangerous."
)
PERSON = "Ben Brooks"
STATEMENT = "Open-source AI is more dangerous than closed-source AI"


async def no_wait(seconds: float) -> None:
    return None


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    async with FakeLLM(stance_rule("yes", "against")) as server:
        yield server


def make_checker(fake: FakeLLM, api_key: str | None = None, **overrides: object) -> StanceChecker:
    settings: dict[str, object] = {
        "base_url": fake.base_url,
        "model": "test-model",
        "timeout": 5.0,
        "retries": 1,
        "backoff": 0.0,
    }
    settings.update(overrides)
    return StanceChecker(LlmConfig(**settings), api_key, sleep=no_wait)  # type: ignore[arg-type]


async def run_check(
    checker: StanceChecker,
    claimed: str | None = "against",
    *,
    statement: str = STATEMENT,
    quote: str = QUOTE,
) -> StanceResult:
    try:
        return await checker.check(quote, PERSON, statement, claimed)
    finally:
        await checker.close()


def by_question(
    relevance: FakeReply, position: FakeReply
) -> Callable[[RecordedRequest], FakeReply]:
    def rule(request: RecordedRequest) -> FakeReply:
        return relevance if request.schema_name == "stance_relevance" else position

    return rule


def questions(fake: FakeLLM) -> list[str]:
    return sorted(r.schema_name or "" for r in fake.requests)


@pytest.mark.parametrize("found", ["for", "against", "abstain"])
@pytest.mark.parametrize("claimed", ["for", "against", "abstain"])
async def test_blind_answer_is_compared_with_the_claim(
    fake: FakeLLM, claimed: str, found: str
) -> None:
    fake.rule = stance_rule("yes", found)
    result = await run_check(make_checker(fake), claimed)
    assert result.claimed == claimed
    assert result.found == found
    assert result.relevant == "yes"
    assert result.model == "fake-stance-model"
    assert "Open models let thousands" in result.justification  # cites the quote
    assert questions(fake) == ["stance_position", "stance_relevance"]
    if claimed == found:
        assert result.state == "pass"
        assert result.discrepancy is None
    else:
        assert result.state == "fail"
        disc = result.discrepancy
        assert disc is not None
        assert (disc.kind, disc.severity) == ("stance_mismatch", "error")
        assert (disc.quote_excerpt, disc.source_excerpt) == (claimed, found)
        assert PERSON in disc.message and STATEMENT in disc.message


async def test_the_example_from_the_issue_passes(fake: FakeLLM) -> None:
    result = await run_check(make_checker(fake), "against")
    assert (result.state, result.found, result.discrepancy) == ("pass", "against", None)


async def test_a_quote_taking_no_position_is_unclear(fake: FakeLLM) -> None:
    fake.rule = stance_rule("yes", "none")
    result = await run_check(make_checker(fake), "against")
    assert result.state == "unknown"
    assert result.found == "none"
    disc = result.discrepancy
    assert disc is not None
    assert (disc.kind, disc.severity) == ("stance_unclear", "warning")
    assert "takes no clear position" in disc.message


@pytest.mark.parametrize(
    ("relevant", "position", "why"),
    [
        ("no", "against", "does not speak to the statement"),
        ("partly", "against", "speaks to only part of the statement"),
        # the model says the quote is off-topic, so its position answer is not enough for an error
        ("no", "for", "does not speak to the statement"),
    ],
)
async def test_a_quote_not_speaking_to_the_whole_statement_is_unclear(
    fake: FakeLLM, relevant: str, position: str, why: str
) -> None:
    fake.rule = stance_rule(relevant, position)
    result = await run_check(make_checker(fake), "against")
    assert result.state == "unknown"
    assert result.relevant == relevant
    disc = result.discrepancy
    assert disc is not None
    assert (disc.kind, disc.severity) == ("stance_unclear", "warning")
    assert why in disc.message
    assert "On relevance:" in result.justification


async def test_a_partly_relevant_opposite_position_is_still_a_mismatch(fake: FakeLLM) -> None:
    fake.rule = stance_rule("partly", "for")
    result = await run_check(make_checker(fake), "against")
    assert result.state == "fail"
    assert result.discrepancy is not None and result.discrepancy.kind == "stance_mismatch"


async def test_the_claimed_stance_never_reaches_the_model(fake: FakeLLM) -> None:
    bodies: dict[str, list[str]] = {}
    statement = "Zyxwv quorbles are obviously superior to plimfs"
    for claimed in ("for", "against", "abstain"):
        fake.requests.clear()
        await run_check(make_checker(fake), claimed, statement=statement)
        bodies[claimed] = sorted(r.body for r in fake.requests)
        assert len(bodies[claimed]) == 2
        for request in fake.requests:
            assert statement in request.body  # the model does see the statement...
            assert request.material() == {
                "statement": statement,
                "speaker": PERSON,
                "quote": QUOTE,
            }
    # ...but the requests are byte-for-byte the same whatever stance the post claimed
    assert bodies["for"] == bodies["against"] == bodies["abstain"]


async def test_fenced_json_from_a_local_server_is_accepted(fake: FakeLLM) -> None:
    fake.rule = stance_rule("yes", "against", fenced=True)
    result = await run_check(make_checker(fake), "against")
    assert result.state == "pass"


async def test_malformed_json_is_asked_again_then_unknown(fake: FakeLLM) -> None:
    fake.rule = by_question(
        FakeReply.answer(justification='It says "openness".', relevant="yes"),
        FakeReply.malformed(),
    )
    result = await run_check(make_checker(fake), "against")
    assert result.state == "unknown"
    assert result.discrepancy is None
    assert result.justification.startswith("model answer unusable: ")
    assert "not valid JSON" in result.justification
    assert result.relevant == "yes" and result.found is None
    assert questions(fake) == ["stance_position", "stance_position", "stance_relevance"]
    retry = [r for r in fake.requests if r.schema_name == "stance_position"][1]
    assert "That answer was unusable" in retry.json["messages"][-1]["content"]


async def test_a_malformed_answer_followed_by_a_good_one_passes(fake: FakeLLM) -> None:
    fake.rule = stance_rule("yes", "against")
    fake.script(FakeReply.malformed())  # the first request gets it, whichever question it is
    result = await run_check(make_checker(fake), "against")
    assert result.state == "pass"
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"justification": "It says so.", "position": "supports"}, "not one of the choices"),
        ({"position": "against"}, 'no "justification"'),
        ({"justification": "It says so."}, 'no "position"'),
        ({"justification": "   ", "position": "for"}, 'no "justification"'),
    ],
)
async def test_answers_off_the_schema_are_unusable(
    fake: FakeLLM, bad: dict[str, str], reason: str
) -> None:
    fake.rule = by_question(
        FakeReply.answer(justification="It speaks to it.", relevant="yes"), FakeReply.answer(**bad)
    )
    result = await run_check(make_checker(fake), "against")
    assert result.state == "unknown"
    assert result.justification.startswith("model answer unusable")
    assert reason in result.justification


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (FakeReply.refusing(), "the model refused: I'm sorry, but I can't help with that request."),
        (FakeReply.refusal_field("I can't assist with politics."), "I can't assist with politics."),
        (FakeReply.content_filtered(), "content filter"),
    ],
)
async def test_refusals_are_unknown_with_the_reason_and_not_retried(
    fake: FakeLLM, reply: FakeReply, reason: str
) -> None:
    fake.rule = lambda request: reply
    result = await run_check(make_checker(fake), "against")
    assert result.state == "unknown"
    assert result.justification.startswith("the model refused")
    assert reason in result.justification
    assert len(fake.requests) == 2  # one per question, no second try


async def test_a_hanging_model_times_out_to_unknown(fake: FakeLLM) -> None:
    fake.rule = lambda request: FakeReply.hanging()
    result = await run_check(make_checker(fake, timeout=0.2, retries=0), "against")
    assert result.state == "unknown"
    assert result.justification == "model unavailable: no answer within 0.2 s (1 attempt)"
    assert len(fake.requests) == 2


async def test_rate_limited_then_success(fake: FakeLLM) -> None:
    fake.script(FakeReply.rate_limited("0"))
    result = await run_check(make_checker(fake), "against")
    assert result.state == "pass"
    assert len(fake.requests) == 3


async def test_server_errors_beyond_the_retries_are_unknown(fake: FakeLLM) -> None:
    fake.rule = lambda request: FakeReply.server_error(503)
    result = await run_check(make_checker(fake, retries=1), "against")
    assert result.state == "unknown"
    assert result.justification.startswith("model unavailable: HTTP 503")
    assert len(fake.requests) == 4


async def test_exhausted_budget_sends_nothing(fake: FakeLLM) -> None:
    checker = make_checker(fake, daily_budget=2)
    first = await checker.check(QUOTE, PERSON, STATEMENT, "against")
    assert first.state == "pass"
    second = await checker.check(QUOTE, PERSON, STATEMENT, "against")
    await checker.close()
    assert second.state == "unknown"
    assert "daily budget reached" in second.justification
    assert len(fake.requests) == 2


async def test_a_budget_too_small_for_both_questions_sends_nothing(fake: FakeLLM) -> None:
    result = await run_check(make_checker(fake, daily_budget=1), "against")
    assert result.state == "unknown"
    assert result.justification.startswith("not checked: daily budget reached")
    assert fake.requests == []


async def test_the_budget_is_kept_in_the_database_across_restarts(
    fake: FakeLLM, tmp_path: Path
) -> None:
    path = tmp_path / "verbatim.db"
    config = LlmConfig(base_url=fake.base_url, model="m", daily_budget=3, backoff=0)
    db = open_database(path)
    checker = StanceChecker(config, None, db)
    assert (await run_check(checker)).state == "pass"
    db.conn.close()
    db = open_database(path)
    restarted = StanceChecker(config, None, db)
    result = await run_check(restarted)
    db.conn.close()
    assert "daily budget reached" in result.justification
    assert len(fake.requests) == 2


async def test_concurrency_limit_is_respected(fake: FakeLLM) -> None:
    slow = stance_rule("yes", "against")
    fake.rule = lambda request: slow(request).after(0.05)
    checker = make_checker(fake, concurrency=2)
    try:
        results = await asyncio.gather(
            *(checker.check(QUOTE, PERSON, STATEMENT, "against") for _ in range(4))
        )
    finally:
        await checker.close()
    assert [r.state for r in results] == ["pass"] * 4
    assert len(fake.requests) == 8
    assert fake.max_in_flight == 2


async def test_without_a_model_nothing_is_sent_and_nothing_guessed(fake: FakeLLM) -> None:
    for config in (
        LlmConfig(),
        LlmConfig(base_url=fake.base_url, model=""),
        LlmConfig(base_url="", model="some-model"),
    ):
        checker = StanceChecker(config, "sk-unused")
        assert not checker.enabled
        result = await run_check(checker)
        assert result == StanceResult("unknown", "against", None, None, NO_MODEL, None, None)
    assert fake.requests == []
    assert not StanceChecker(Config().llm, None).enabled


@pytest.mark.parametrize(
    ("statement", "claimed"), [("", "for"), ("   ", "for"), (STATEMENT, None), (STATEMENT, " ")]
)
async def test_without_statement_or_stance_nothing_is_sent(
    fake: FakeLLM, statement: str, claimed: str | None
) -> None:
    result = await run_check(make_checker(fake), claimed, statement=statement)
    assert result.state == "unknown"
    assert result.justification == NO_INPUT
    assert fake.requests == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"claimed": "maybe"}, "the stance must be for, against or abstain (got 'maybe')"),
        ({"statement": "x" * 1001}, "the statement is 1,001 characters"),
        ({"quote": "  "}, "no quote given"),
        ({"quote": "y" * 5001}, "the quote is 5,001 characters"),
    ],
)
async def test_bad_input_is_refused_with_a_reason(
    fake: FakeLLM, kwargs: dict[str, str], message: str
) -> None:
    result = await run_check(make_checker(fake), **kwargs)
    assert result.state == "unknown"
    assert message in result.justification
    assert fake.requests == []


async def test_stance_words_are_read_case_insensitively(fake: FakeLLM) -> None:
    result = await run_check(make_checker(fake), " Against ")
    assert (result.state, result.claimed) == ("pass", "against")


async def test_the_api_key_goes_in_the_bearer_header_only_when_set(fake: FakeLLM) -> None:
    await run_check(make_checker(fake, api_key="sk-secret-value"))
    await run_check(make_checker(fake, api_key=None))
    keyed, unkeyed = fake.requests[:2], fake.requests[2:]
    assert all(r.headers["Authorization"] == "Bearer sk-secret-value" for r in keyed)
    assert all("Authorization" not in r.headers for r in unkeyed)
    assert not any("sk-secret-value" in r.body for r in fake.requests)


def test_a_bad_base_url_stops_startup() -> None:
    with pytest.raises(ConfigError, match=r"llm\.base_url"):
        StanceChecker(LlmConfig(base_url="localhost:8080", model="m"), None)


async def test_model_output_is_flattened_and_bounded(fake: FakeLLM) -> None:
    fake.rule = by_question(
        FakeReply.answer(justification="fine", relevant="yes"),
        FakeReply.answer(justification="line one\n\x1b[31mline two " + "z" * 900, position="for"),
    )
    result = await run_check(make_checker(fake), "against")
    assert result.state == "fail"
    assert "\n" not in result.justification and "\x1b" not in result.justification
    assert len(result.justification) <= 500
    assert json.dumps(result.to_json())  # serialisable for the log
