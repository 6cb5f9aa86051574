"""A small database of statements and checked quotes for the statements, export and site tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.models import Checks, Discrepancy, SourceInfo, VerificationResult
from bot.statements import Statements
from bot.storage import open_database
from bot.storage.log import NewSubmission, Store, VerdictName

START = 1_700_000_000.0
GUILD = 1
CHANNEL = 10
MOD = 900
STATEMENT = "Open-source AI is more dangerous than closed-source AI"
BROOKS_QUOTE = "Open models are the bedrock for grassroots innovation in AI."
BROOKS_URL = "https://spectrum.ieee.org/open-source-ai-good"


def result_json(
    url: str,
    verdict: VerdictName = "verified",
    *,
    via: str = "direct",
    sha: str = "ab" * 32,
    stance: dict[str, Any] | None = None,
    warnings: tuple[str, ...] = (),
) -> dict[str, Any]:
    source = SourceInfo(
        url=url,
        final_url=url + "?final",
        status=200,
        via=via,  # type: ignore[arg-type]
        title="Open-Source AI Is Good for Us",
        authors=["Ben Brooks"],
        published="2024-02-08",
        sha256=sha,
        fetched_at="2024-02-09T10:00:00Z",
    )
    discrepancies = [Discrepancy(kind=k, severity="warning", message=f"{k} note") for k in warnings]
    if verdict != "verified":
        discrepancies.append(Discrepancy("altered_wording", "error", "words differ"))
    result = VerificationResult(
        id="x",
        verdict=verdict,
        checks=Checks(
            text="pass" if verdict == "verified" else "fail",
            author="pass",
            year="pass",
            stance="pass" if stance else "unknown",
        ),
        discrepancies=discrepancies,
        source=source,
        stance=stance,
    )
    data = result.to_json()
    # SourceInfo.to_json leaves fetched_at out today; stored results that carry it must show it.
    data["source"].setdefault("fetched_at", source.fetched_at)
    return data


@dataclass
class Seeder:
    """Writes submissions and their checks straight into the log, at a moving fake time."""

    db: sqlite_utils.Database
    store: Store
    now: float = START
    next_message: int = 1000
    guild_id: int = GUILD  # the guild statements and quotes go to unless told otherwise

    def tick(self) -> float:
        self.now += 60
        return self.now

    def statement(self, text: str, guild_id: int | None = None) -> int:
        guild = self.guild_id if guild_id is None else guild_id
        return Statements(self.db, guild, clock=self.tick).find_or_create(text, MOD).id

    def quote(
        self,
        quote: str,
        person: str,
        *,
        statement_id: int | None = None,
        stance: str | None = None,
        verdict: VerdictName | None = "verified",
        human: VerdictName | None = None,
        url: str = BROOKS_URL,
        role: str | None = "Head of public policy, Stability AI",
        year: int | None = 2024,
        guild_id: int | None = None,
        status: str | None = None,
        stance_check: dict[str, Any] | None = None,
        warnings: tuple[str, ...] = (),
        reason: str | None = None,
    ) -> int:
        """A submission; ``verdict`` is the bot's check (None: never checked), ``human`` a moderator's."""
        self.next_message += 1
        sub = self.store.add_submission(
            NewSubmission(
                guild_id=self.guild_id if guild_id is None else guild_id,
                channel_id=CHANNEL,
                message_id=self.next_message,
                author_id=100 + self.next_message,
                quote=quote,
                url=url,
                url_key=url,
                person=person,
                person_role=role,
                year=year,
                statement_id=statement_id,
                stance=stance,
            ),
            self.tick(),
        )
        if verdict is not None:
            check = self.store.start_check(
                sub.id, sub.revision, {"quote": quote}, "0.1.0", self.tick()
            )
            self.store.finish_check(
                check,
                outcome="done",
                verdict=verdict,
                result_json=result_json(url, verdict, stance=stance_check, warnings=warnings),
                error=None,
                at=self.tick(),
                set_status=verdict,
            )
        if human is not None:
            self.store.add_mod_action(
                submission_id=sub.id,
                moderator_id=MOD,
                action="override",
                reason=reason or "checked by hand",
                verdict=human,
                bot_verdict=verdict,
                at=self.tick(),
            )
        if status is not None:
            self.store.set_status(sub.id, status, self.tick())  # type: ignore[arg-type]
        return sub.id


def make_seeder(path: str = ":memory:") -> Seeder:
    db = open_database(path)
    return Seeder(db=db, store=Store(db))


def seed_debate(seeder: Seeder) -> dict[str, int]:
    """The seed post's debate: two for, two against (one a moderator's verdict), one abstaining,
    plus quotes that must not show (disputed, withdrawn, unchecked)."""
    s = seeder.statement(STATEMENT)
    other = seeder.statement("AI labs should publish their model weights")
    ids = {
        "statement": s,
        "other": other,
        "brooks": seeder.quote(BROOKS_QUOTE, "Ben Brooks", statement_id=s, stance="against"),
        "brooks2": seeder.quote(
            "Open models play a vital role in helping to drive transparency and competition.",
            "Ben Brooks",
            statement_id=s,
            stance="against",
        ),
        "economist": seeder.quote(
            "Such thinking puts too much weight on the dangers of open-source AI.",
            "The Economist",
            statement_id=s,
            stance="against",
            role=None,
            url="https://www.economist.com/leaders/2024/11/07/why-open-source-ai-models-are-good",
            human="verified",
            verdict="unverifiable",
            reason="Read in the print edition <b>p. 13</b>",
        ),
        "senators": seeder.quote(
            "Centralized AI models can be more effectively updated and controlled to prevent abuse.",
            "Richard Blumenthal",
            statement_id=s,
            stance="for",
            role="U.S. Senator",
            year=2023,
            url="https://example.org/letter",
        ),
        "hawley": seeder.quote(
            "Open AI models can be misused by <script>alert(1)</script> bad actors & rivals.",
            'Josh "Hawley"',
            statement_id=s,
            stance="for",
            role="U.S. Senator <i>R</i>",
            year=2023,
            url="https://example.org/letter?a=1&b=<2>",
        ),
        "abstain": seeder.quote(
            "It is too early to say which kind of model carries the greater risk.",
            "Ada Lovelace",
            statement_id=s,
            stance="abstain",
            role=None,
        ),
        "disputed": seeder.quote(
            "Open-source AI is uniquely dangerous and must be stopped.",
            "Ben Brooks",
            statement_id=s,
            stance="for",
            verdict="disputed",
        ),
        "withdrawn": seeder.quote(
            "A quote the member took back later on.",
            "Grace Hopper",
            statement_id=s,
            stance="for",
            status="withdrawn",
        ),
        "unchecked": seeder.quote(
            "Still waiting in the queue for its check.",
            "Alan Turing",
            statement_id=s,
            stance="against",
            verdict=None,
        ),
        "overruled": seeder.quote(
            "The bot liked this one but a moderator did not.",
            "Alan Turing",
            statement_id=s,
            stance="against",
            human="disputed",
        ),
        "weights": seeder.quote(
            "Releasing weights lets researchers look under the hood of these engines.",
            "Ben Brooks",
            statement_id=other,
            stance="for",
            warnings=("unmarked_omission",),
        ),
        "loose": seeder.quote(
            "A verified quote that bears on no statement at all, on its own.",
            "Ada Lovelace",
            role=None,
        ),
    }
    return ids
