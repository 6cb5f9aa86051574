"""Shared pieces for the submission store and service tests: a clock, a fake verifier, posts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.models import Checks, Discrepancy, QuoteInput, SourceInfo, Verdict, VerificationResult
from bot.storage import open_database
from bot.storage.log import Store
from bot.submissions import PostRef, SubmissionService

START = 1_700_000_000.0
GUILD = 1
CHANNEL = 10
MEMBER = 100
OTHER = 200
MOD = 900

QUOTE = "Open models are the bedrock for grassroots innovation in AI."
URL = "https://spectrum.ieee.org/open-source-ai-good"


def post_text(
    quote: str = QUOTE,
    url: str = URL,
    author: str = "Ben Brooks, Head of public policy, Stability AI (2024)",
    extra: str = "",
) -> str:
    return f'"{quote}"\n— {author}\nSource: {url}\n{extra}'.strip()


class FakeClock:
    """Time that moves only when told to (``advance``), or by ``tick`` on every reading."""

    def __init__(self, start: float = START, tick: float = 0.0) -> None:
        self.now = start
        self.tick = tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_result(quote: QuoteInput, verdict: Verdict = "verified") -> VerificationResult:
    discrepancies = (
        []
        if verdict == "verified"
        else [Discrepancy(kind="altered_wording", severity="error", message="words differ")]
    )
    return VerificationResult(
        id=quote.id,
        verdict=verdict,
        checks=Checks(text="pass" if verdict == "verified" else "fail"),
        discrepancies=discrepancies,
        source=SourceInfo(url=quote.url, status=200, title="A page"),
    )


class FakeVerifier:
    """An async verify function: verdicts by quote text, optional gate to hold checks, failures."""

    def __init__(self, default: Verdict = "verified") -> None:
        self.default: Verdict = default
        self.verdicts: dict[str, Verdict] = {}
        self.failing: set[str] = set()
        self.gate: asyncio.Event | None = None
        self.calls: list[QuoteInput] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def hold(self) -> None:
        """Make every check wait until :meth:`release`."""
        self.gate = asyncio.Event()

    def release(self) -> None:
        if self.gate is not None:
            self.gate.set()

    async def __call__(self, quote: QuoteInput) -> VerificationResult:
        self.calls.append(quote)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if quote.quote in self.failing:
                raise RuntimeError("secret internal detail /srv/verbatim")
            return make_result(quote, self.verdicts.get(quote.quote, self.default))
        finally:
            self.in_flight -= 1


async def wait_until(condition: Callable[[], bool], rounds: int = 10_000) -> None:
    """Let the event loop run until ``condition`` holds (bounded by rounds, not by time)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


def ref(message_id: int, author_id: int = MEMBER, channel_id: int = CHANNEL) -> PostRef:
    return PostRef(
        guild_id=GUILD, channel_id=channel_id, message_id=message_id, author_id=author_id
    )


def make_service(
    path: Path,
    verifier: FakeVerifier,
    clock: FakeClock,
    *,
    workers: int = 2,
    cooldown: float = 0.0,
) -> SubmissionService:
    return SubmissionService(
        Store(open_database(path)),
        verifier,
        workers=workers,
        cooldown_seconds=cooldown,
        clock=clock,
    )
