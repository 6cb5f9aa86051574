"""The submission service: submit, the check queue and its recovery, votes, moderation, reports."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from submissions_support import (
    GUILD,
    MEMBER,
    MOD,
    OTHER,
    QUOTE,
    URL,
    FakeClock,
    FakeVerifier,
    make_service,
    post_text,
    ref,
    wait_until,
)

from bot.models import VerificationResult
from bot.postparse import parse_post
from bot.storage import open_database
from bot.storage.log import Store, Submission, Tally
from bot.submissions import (
    CHECK_FAILED_KIND,
    InvalidPost,
    NotFound,
    Refused,
    SubmissionService,
    normalise_url,
)

OTHER_QUOTE = "Closed models concentrate power in the hands of a few companies."
SENTENCES = [
    "Regulation should target harmful uses rather than the underlying research itself.",
    "We publish our weights so that independent researchers can audit the systems.",
    "Safety evaluations must happen before deployment, not after an incident occurs.",
    "Small developers cannot afford the compliance costs that large firms shrug off.",
    "Transparency about training data is the minimum the public deserves from us.",
    "A licensing regime would freeze the market in its current shape for a decade.",
    "Nobody voted for a handful of labs to decide how this technology is governed.",
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def verifier() -> FakeVerifier:
    return FakeVerifier()


@pytest.fixture
async def service(
    tmp_path: Path, verifier: FakeVerifier, clock: FakeClock
) -> AsyncIterator[SubmissionService]:
    svc = make_service(tmp_path / "v.db", verifier, clock)
    await svc.start()
    yield svc
    await svc.stop()


async def submit_ok(svc: SubmissionService, message_id: int, **kw: str) -> Submission:
    author = kw.pop("author_id", None)
    outcome = await svc.submit(ref(message_id, int(author) if author else MEMBER), post_text(**kw))
    assert outcome.kind == "queued", outcome.message
    assert outcome.submission is not None
    return outcome.submission


# -- submitting and checking ------------------------------------------------------------------


async def test_submission_is_written_before_it_is_checked(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    verifier.hold()
    sub = await submit_ok(service, 1)
    stored = service.store.get_submission(sub.id)
    assert stored is not None and stored.status in ("queued", "checking")
    assert stored.quote == QUOTE and stored.person == "Ben Brooks"
    assert stored.person_role == "Head of public policy, Stability AI"
    assert stored.year == 2024 and stored.url == URL
    assert stored.raw_text == post_text()
    await wait_until(lambda: verifier.in_flight == 1)
    assert service.store.get_submission(sub.id).status == "checking"  # type: ignore[union-attr]
    verifier.release()
    await service.idle()
    assert service.store.get_submission(sub.id).status == "verified"  # type: ignore[union-attr]


async def test_result_is_stored_in_full_and_handed_to_the_hook(
    tmp_path: Path, verifier: FakeVerifier, clock: FakeClock
) -> None:
    seen: list[tuple[Submission, VerificationResult]] = []

    async def hook(sub: Submission, result: VerificationResult) -> None:
        seen.append((sub, result))

    verifier.verdicts[QUOTE] = "disputed"
    svc = make_service(tmp_path / "v.db", verifier, clock)
    svc.on_result = hook
    await svc.start()
    sub = await submit_ok(svc, 1, extra="Statement: Open AI is safe\nVote: for")
    await svc.idle()
    await svc.stop()
    (check,) = svc.store.checks_for(sub.id)
    ((done, result),) = seen
    assert check.outcome == "done" and check.verdict == "disputed"
    assert check.result == json.loads(json.dumps(result.to_json()))
    assert check.input == {
        "quote": QUOTE,
        "url": URL,
        "author": "Ben Brooks",
        "year": 2024,
        "statement": "Open AI is safe",
        "stance": "for",
    }
    assert (verifier.calls[0].statement, verifier.calls[0].stance) == ("Open AI is safe", "for")
    assert check.engine_version == svc.engine_version
    assert done.status == "disputed" and done.bot_verdict == "disputed"
    assert done.statement == "Open AI is safe" and done.stance == "for"
    assert verifier.calls[0].id == str(sub.id)


async def test_a_failing_hook_does_not_stop_the_workers(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    async def broken(sub: Submission, result: VerificationResult) -> None:
        raise RuntimeError("discord is down")

    service.on_result = broken
    a = await submit_ok(service, 1)
    b = await submit_ok(service, 2, quote=OTHER_QUOTE)
    await service.idle()
    for sub in (a, b):
        assert service.store.get_submission(sub.id).status == "verified"  # type: ignore[union-attr]


async def test_a_check_that_raises_is_recorded_as_unverifiable(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    results: list[VerificationResult] = []

    async def hook(sub: Submission, result: VerificationResult) -> None:
        results.append(result)

    service.on_result = hook
    verifier.failing.add(QUOTE)
    sub = await submit_ok(service, 1)
    await service.idle()
    got = service.store.get_submission(sub.id)
    assert got is not None and got.status == "unverifiable"
    (check,) = service.store.checks_for(sub.id)
    assert check.outcome == "failed" and check.verdict == "unverifiable"
    assert check.error is not None and "RuntimeError" in check.error
    assert check.result is not None
    assert [d["kind"] for d in check.result["discrepancies"]] == [CHECK_FAILED_KIND]
    # Members see a generic message, never the exception's details.
    assert "secret" not in json.dumps(check.result) and "/srv" not in json.dumps(check.result)
    assert results and results[0].verdict == "unverifiable"


async def test_worker_pool_size_bounds_parallel_checks(
    tmp_path: Path, verifier: FakeVerifier, clock: FakeClock
) -> None:
    svc = make_service(tmp_path / "v.db", verifier, clock, workers=3)
    await svc.start()
    verifier.hold()
    for i in range(6):
        await submit_ok(svc, i + 1, quote=SENTENCES[i])
    await wait_until(lambda: verifier.in_flight == 3)
    for _ in range(50):  # give any extra worker every chance to start a fourth check
        await asyncio.sleep(0)
    assert verifier.in_flight == 3
    verifier.release()
    await svc.idle()
    await svc.stop()
    assert verifier.max_in_flight == 3
    assert len(verifier.calls) == 6


async def test_stop_with_drain_finishes_the_queue(
    tmp_path: Path, verifier: FakeVerifier, clock: FakeClock
) -> None:
    svc = make_service(tmp_path / "v.db", verifier, clock, workers=1)
    await svc.start()
    subs = [await submit_ok(svc, i + 1, quote=SENTENCES[i]) for i in range(3)]
    await svc.stop(drain=True)
    assert not svc.running
    assert [svc.store.get_submission(s.id).status for s in subs] == ["verified"] * 3  # type: ignore[union-attr]


async def test_restart_recovery_finishes_checks_in_flight_and_queued(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "v.db"
    stuck = FakeVerifier()
    stuck.hold()  # never released: the first process "dies" mid-check
    first = make_service(path, stuck, clock, workers=1)
    await first.start()
    a = await submit_ok(first, 1)
    b = await submit_ok(first, 2, quote=OTHER_QUOTE)
    await wait_until(lambda: stuck.in_flight == 1)
    await first.stop()
    assert first.store.get_submission(a.id).status == "checking"  # type: ignore[union-attr]
    assert first.store.get_submission(b.id).status == "queued"  # type: ignore[union-attr]
    first.store.db.conn.close()

    clock.advance(60)
    healthy = FakeVerifier()
    second = make_service(path, healthy, clock, workers=1)
    assert await second.start() == 2
    await second.idle()
    await second.stop()
    for sub in (a, b):
        assert second.store.get_submission(sub.id).status == "verified"  # type: ignore[union-attr]
    outcomes = [c.outcome for c in second.store.checks_for(a.id)]
    assert outcomes == ["interrupted", "done"]
    assert [c.outcome for c in second.store.checks_for(b.id)] == ["done"]
    assert sorted(q.quote for q in healthy.calls) == sorted([QUOTE, OTHER_QUOTE])


async def test_start_twice_does_not_double_the_workers(service: SubmissionService) -> None:
    assert await service.start() == 0
    sub = await submit_ok(service, 1)
    await service.idle()
    assert len(service.store.checks_for(sub.id)) == 1


# -- what does not become a submission --------------------------------------------------------


async def test_unreadable_post_gets_help_and_is_kept(service: SubmissionService) -> None:
    outcome = await service.submit(ref(1), '"Open models are the bedrock of it all"\n— Ben Brooks')
    assert outcome.kind == "unparsed" and not outcome.accepted
    assert "source is missing" in outcome.message and "Source: https://" in outcome.message
    assert outcome.parsed is not None and not outcome.parsed.ok
    (kept,) = service.store.unparsed_posts()
    assert kept.reason == "unreadable" and kept.raw_text.startswith('"Open models')
    assert any("source is missing" in p for p in kept.problems)
    assert service.store.status_counts()["queued"] == 0


async def test_the_same_message_is_not_submitted_twice(service: SubmissionService) -> None:
    sub = await submit_ok(service, 1)
    again = await service.submit(ref(1), post_text())
    assert (
        again.kind == "already" and again.submission is not None and again.submission.id == sub.id
    )


async def test_cooldown_per_member_with_moderators_exempt(
    tmp_path: Path, verifier: FakeVerifier, clock: FakeClock
) -> None:
    svc = make_service(tmp_path / "v.db", verifier, clock, cooldown=30)
    await svc.start()
    await submit_ok(svc, 1)
    clock.advance(10.2)
    blocked = await svc.submit(ref(2), post_text(quote=OTHER_QUOTE))
    assert blocked.kind == "cooldown"
    assert blocked.retry_after == 20  # 19.8 s left, rounded up
    assert "try again in 20 s" in blocked.message
    # Another member is not affected, and neither is a moderator.
    assert (await svc.submit(ref(3, OTHER), post_text(quote=OTHER_QUOTE))).kind == "queued"
    mod = await svc.submit(ref(4, MOD), post_text(quote=SENTENCES[0]), is_moderator=True)
    mod2 = await svc.submit(ref(5, MOD), post_text(quote=SENTENCES[1]), is_moderator=True)
    assert (mod.kind, mod2.kind) == ("queued", "queued")
    # Unreadable posts do not start a cooldown; refused posts are kept.
    assert (await svc.submit(ref(6, 300), "nonsense")).kind == "unparsed"
    assert (await svc.submit(ref(7, 300), post_text(quote=SENTENCES[2]))).kind == "queued"
    assert [p.reason for p in svc.store.unparsed_posts()] == ["cooldown", "unreadable"]
    clock.advance(20)
    assert (await svc.submit(ref(8), post_text(quote=SENTENCES[3]))).kind == "queued"
    await svc.stop()


@pytest.mark.parametrize(
    ("url", "quote"),
    [
        (URL, QUOTE),
        ("HTTPS://Spectrum.IEEE.org/open-source-ai-good/", QUOTE),
        (f"{URL}?utm_source=twitter&utm_medium=social#comments", QUOTE),
        ("http://spectrum.ieee.org:80/open-source-ai-good", QUOTE),
        (URL, "open models are the bedrock for grassroots innovation in AI"),
        (URL, "\u201cOpen models are the bedrock\u2014for grassroots innovation in AI!\u201d"),
    ],
)
async def test_duplicates_point_to_the_earlier_submission(
    service: SubmissionService, url: str, quote: str
) -> None:
    first = await submit_ok(service, 1)
    await service.set_thread(first.id, 4242)
    outcome = await service.submit(ref(2, OTHER), post_text(quote=quote, url=url))
    assert outcome.kind == "duplicate"
    assert outcome.submission is not None and outcome.submission.id == first.id
    assert outcome.submission.thread_id == 4242
    assert f"#{first.id}" in outcome.message and "<#4242>" in outcome.message
    (kept,) = service.store.unparsed_posts()
    assert (kept.reason, kept.duplicate_of) == ("duplicate", first.id)
    await service.idle()
    assert len(service.verify.calls) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "quote"),
    [
        (URL, OTHER_QUOTE),
        ("https://spectrum.ieee.org/another-article", QUOTE),
        (f"{URL}?page=2", QUOTE),
        (URL, "Open models are the bedrock for grassroots innovation in robotics."),
        # One word apart is not a copy: an earlier verdict must never stand for changed words.
        (URL, "Open models are not the bedrock for grassroots innovation in AI."),
        (URL, "Open models are the bedrock for grass-roots innovation in AI!"),
    ],
)
async def test_different_quote_or_source_is_not_a_duplicate(
    service: SubmissionService, url: str, quote: str
) -> None:
    await submit_ok(service, 1)
    outcome = await service.submit(ref(2, OTHER), post_text(quote=quote, url=url))
    assert outcome.kind == "queued"


async def test_a_withdrawn_submission_does_not_block_a_resubmission(
    service: SubmissionService,
) -> None:
    first = await submit_ok(service, 1)
    await service.withdraw(first.id)
    assert (await service.submit(ref(2), post_text())).kind == "queued"


def test_normalise_url() -> None:
    assert normalise_url("HTTP://Example.ORG:80/a/b/?utm_source=x&id=3&fbclid=9#top") == (
        "https://example.org/a/b?id=3"
    )
    assert normalise_url("https://example.org/") == normalise_url("https://example.org")
    assert normalise_url("https://example.org:8443/x") == "https://example.org:8443/x"
    assert normalise_url("https://example.org/A") != normalise_url("https://example.org/a")


# -- edits and deletions ----------------------------------------------------------------------


async def test_edit_rechecks_and_keeps_the_history(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    sub = await submit_ok(service, 1)
    await service.idle()
    verifier.verdicts[OTHER_QUOTE] = "disputed"
    edited = await service.edit(sub.id, parse_post(post_text(quote=OTHER_QUOTE)), actor_id=MEMBER)
    assert edited.revision == 2
    await service.idle()
    got = service.store.get_submission(sub.id)
    assert got is not None and got.status == "disputed" and got.quote == OTHER_QUOTE
    checks = service.store.checks_for(sub.id)
    assert [(c.verdict, c.input["quote"]) for c in checks] == [
        ("verified", QUOTE),
        ("disputed", OTHER_QUOTE),
    ]
    (event,) = service.store.submission_events(sub.id)
    assert event.before == {"quote": QUOTE} and event.after == {"quote": OTHER_QUOTE}


async def test_edit_of_unchecked_fields_does_not_recheck(service: SubmissionService) -> None:
    sub = await submit_ok(service, 1)
    await service.idle()
    edited = await service.edit(sub.id, parse_post(post_text(extra="Vote: against")))
    assert edited.stance == "against" and edited.revision == 1 and edited.status == "verified"
    await service.idle()
    assert len(service.store.checks_for(sub.id)) == 1


async def test_edit_during_a_check_supersedes_it(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    verifier.hold()
    sub = await submit_ok(service, 1)
    await wait_until(lambda: verifier.in_flight == 1)
    await service.edit(sub.id, parse_post(post_text(quote=OTHER_QUOTE)))
    verifier.release()
    await service.idle()
    checks = service.store.checks_for(sub.id)
    assert sorted(c.outcome for c in checks) == ["done", "superseded"]
    current = next(c for c in checks if c.outcome == "done")
    assert current.input["quote"] == OTHER_QUOTE and current.revision == 2
    assert service.store.get_submission(sub.id).status == "verified"  # type: ignore[union-attr]


async def test_edit_with_unreadable_text_is_refused(service: SubmissionService) -> None:
    sub = await submit_ok(service, 1)
    with pytest.raises(InvalidPost) as info:
        await service.edit(sub.id, parse_post("just words"))
    assert "author is missing" in str(info.value)


async def test_post_edited_updates_or_submits(service: SubmissionService) -> None:
    first = await service.post_edited(ref(1), "not a quote yet")
    assert first.kind == "unparsed"
    fixed = await service.post_edited(ref(1), post_text())
    assert fixed.kind == "queued"
    assert fixed.submission is not None
    await service.idle()
    same = await service.post_edited(ref(1), post_text())
    assert same.kind == "unchanged"
    changed = await service.post_edited(ref(1), post_text(quote=OTHER_QUOTE))
    assert changed.kind == "edited" and changed.accepted
    broken = await service.post_edited(ref(1), "oops")
    assert broken.kind == "unparsed" and "What is missing" in broken.message
    assert service.store.get_submission(fixed.submission.id).quote == OTHER_QUOTE  # type: ignore[union-attr]


async def test_deleting_the_post_withdraws_but_keeps_the_record(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    seen: list[int] = []

    async def hook(sub: Submission, result: VerificationResult) -> None:
        seen.append(sub.id)

    service.on_result = hook
    verifier.hold()
    sub = await submit_ok(service, 1)
    await wait_until(lambda: verifier.in_flight == 1)
    withdrawn = await service.post_deleted(sub.channel_id, sub.message_id)
    assert withdrawn is not None and withdrawn.status == "withdrawn"
    verifier.release()
    await service.idle()
    got = service.store.get_submission(sub.id)
    assert got is not None and got.status == "withdrawn" and got.quote == QUOTE
    (check,) = service.store.checks_for(sub.id)
    assert check.outcome == "done"  # the result is kept...
    assert seen == []  # ...but not posted for a deleted message
    assert await service.post_deleted(sub.channel_id, 999) is None
    with pytest.raises(Refused):
        await service.edit(sub.id, parse_post(post_text()))
    with pytest.raises(Refused):
        await service.reverify(sub.id, MOD)


# -- votes ------------------------------------------------------------------------------------


async def test_vote_change_and_self_vote_refusal(service: SubmissionService) -> None:
    sub = await submit_ok(service, 1)
    first = await service.vote(sub.id, OTHER, "accurate")
    assert first.tally == Tally(accurate=1, inaccurate=0) and first.changed
    changed = await service.vote(sub.id, OTHER, "inaccurate")
    assert changed.tally == Tally(accurate=0, inaccurate=1)
    assert changed.previous == "accurate" and changed.changed
    same = await service.vote(sub.id, OTHER, "inaccurate")
    assert not same.changed and same.tally == changed.tally
    with pytest.raises(Refused, match="your own submission"):
        await service.vote(sub.id, MEMBER, "accurate")
    with pytest.raises(Refused, match="accurate, inaccurate"):
        await service.vote(sub.id, OTHER, "maybe")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await service.vote(12345, OTHER, "accurate")
    back = await service.vote(sub.id, OTHER, None)
    assert back.tally == Tally() and back.previous == "inaccurate"
    assert [(e.choice, e.previous_choice) for e in service.store.vote_events(sub.id)] == [
        ("accurate", None),
        ("inaccurate", "accurate"),
        (None, "inaccurate"),
    ]


async def test_no_votes_on_a_withdrawn_submission(service: SubmissionService) -> None:
    sub = await submit_ok(service, 1)
    await service.withdraw(sub.id)
    with pytest.raises(Refused, match="withdrawn"):
        await service.vote(sub.id, OTHER, "accurate")


@pytest.mark.parametrize("seed", range(5))
async def test_tally_rebuilt_from_events_equals_stored_tally(
    service: SubmissionService, seed: int
) -> None:
    sub = await submit_ok(service, 1)
    rng = random.Random(seed)
    for _ in range(200):
        member = rng.randrange(300, 320)
        choice = rng.choice(["accurate", "inaccurate", None])
        await service.vote(sub.id, member, choice)  # type: ignore[arg-type]
    stored = await service.tally(sub.id)
    assert await service.tally_from_events(sub.id) == stored
    current = service.store.current_votes(sub.id)
    assert stored.total == len(current)


# -- moderation -------------------------------------------------------------------------------


async def test_override_wins_over_the_bot_even_after_reverify(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    verifier.default = "disputed"
    sub = await submit_ok(service, 1)
    await service.idle()
    overridden = await service.override(sub.id, MOD, "verified", "the video shows these words")
    assert overridden.bot_verdict == "disputed"
    assert overridden.human_verdict == "verified" and overridden.effective_verdict == "verified"
    again = await service.reverify(sub.id, MOD)
    assert again.status == "queued"
    await service.idle()
    got = service.store.get_submission(sub.id)
    assert got is not None
    assert len(service.store.checks_for(sub.id)) == 2
    assert got.bot_verdict == "disputed" and got.effective_verdict == "verified"


async def test_an_edit_of_the_words_drops_the_moderators_ruling(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    verifier.default = "disputed"
    sub = await submit_ok(service, 1)
    await service.idle()
    await service.override(sub.id, MOD, "verified", "the video shows these words")
    edited = await service.edit(sub.id, parse_post(post_text(quote=OTHER_QUOTE)), actor_id=MEMBER)
    assert edited.human_verdict is None
    await service.idle()
    got = service.store.get_submission(sub.id)
    assert got is not None and got.effective_verdict == "disputed"


async def test_approve_reject_and_required_reasons(service: SubmissionService) -> None:
    sub = await submit_ok(service, 1)
    await service.idle()
    assert (await service.approve(sub.id, MOD)).effective_verdict == "verified"
    with pytest.raises(Refused, match="reason"):
        await service.reject(sub.id, MOD, "   ")
    with pytest.raises(Refused, match="reason"):
        await service.override(sub.id, MOD, "disputed", "")
    with pytest.raises(Refused, match="verdict must be"):
        await service.override(sub.id, MOD, "fine", "because")  # type: ignore[arg-type]
    with pytest.raises(Refused, match="at most"):
        await service.reject(sub.id, MOD, "x" * 1001)
    rejected = await service.reject(sub.id, MOD, "cut mid-sentence")
    assert rejected.human_verdict == "disputed" and rejected.bot_verdict == "verified"
    actions = [(a.action, a.verdict, a.reason) for a in service.store.mod_actions_for(sub.id)]
    assert actions == [("approve", "verified", None), ("reject", "disputed", "cut mid-sentence")]


async def test_history_is_in_time_order(tmp_path: Path, verifier: FakeVerifier) -> None:
    clock = FakeClock(tick=0.5)
    svc = make_service(tmp_path / "v.db", verifier, clock)
    await svc.start()
    sub = await submit_ok(svc, 1)
    await svc.idle()
    await svc.vote(sub.id, OTHER, "accurate")
    await svc.vote(sub.id, OTHER, "inaccurate")
    await svc.reject(sub.id, MOD, "misleading cut")
    await svc.edit(sub.id, parse_post(post_text(quote=OTHER_QUOTE)), actor_id=MEMBER)
    await svc.idle()
    await svc.withdraw(sub.id, actor_id=MEMBER)
    await svc.stop()
    events = await svc.history(sub.id)
    assert [e.kind for e in events] == [
        "submitted",
        "check",
        "vote",
        "vote",
        "moderation",
        "edited",
        "check",
        "withdrawn",
    ]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[3].summary == "vote inaccurate (was accurate)"
    assert events[4].actor_id == MOD and "misleading cut" in events[4].summary
    assert events[1].data["verdict"] == "verified"


async def test_history_orders_same_instant_events_by_kind(
    service: SubmissionService,
) -> None:
    sub = await submit_ok(service, 1)  # the clock never moves in this fixture
    await service.idle()
    await service.approve(sub.id, MOD)
    await service.vote(sub.id, OTHER, "accurate")
    kinds = [e.kind for e in await service.history(sub.id)]
    assert kinds == ["submitted", "check", "vote", "moderation"]


async def test_stats_count_statuses_and_agreement(
    service: SubmissionService, verifier: FakeVerifier
) -> None:
    verifier.verdicts[OTHER_QUOTE] = "disputed"
    a = await submit_ok(service, 1)
    b = await submit_ok(service, 2, quote=OTHER_QUOTE)
    c = await submit_ok(service, 3, quote=SENTENCES[4])
    await service.idle()
    await service.submit(ref(4), "unreadable")
    await service.approve(a.id, MOD)  # agrees (verified)
    await service.approve(b.id, MOD)  # disagrees (bot said disputed)
    await service.reject(b.id, MOD, "changed my mind")  # latest decision agrees
    await service.reject(c.id, MOD, "wrong")  # disagrees (bot said verified)
    stats = await service.stats()
    assert stats.by_status["verified"] == 2 and stats.by_status["disputed"] == 1
    assert stats.by_status["queued"] == 0 and stats.total == 3
    assert stats.unparsed_posts == 1 and stats.checks == 3
    assert (stats.decisions, stats.agreements) == (3, 2)
    assert stats.agreement_rate == pytest.approx(2 / 3)


async def test_stats_on_an_empty_database(service: SubmissionService) -> None:
    stats = await service.stats()
    assert stats.total == 0 and stats.agreement_rate is None


async def test_export_jsonl_and_csv(service: SubmissionService, verifier: FakeVerifier) -> None:
    verifier.verdicts[OTHER_QUOTE] = "disputed"
    a = await submit_ok(service, 1, extra="Statement: Open AI is safe\nVote: for")
    await submit_ok(service, 2, quote=OTHER_QUOTE, author="=SUM A1, Somebody")
    await service.idle()
    await service.vote(a.id, OTHER, "accurate")
    await service.override(a.id, MOD, "unverifiable", "source paywalled")

    lines = (await service.export("jsonl")).decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["quote"] == QUOTE and rows[0]["statement"] == "Open AI is safe"
    assert (rows[0]["bot_verdict"], rows[0]["human_verdict"], rows[0]["effective_verdict"]) == (
        "verified",
        "unverifiable",
        "unverifiable",
    )
    assert rows[0]["votes_accurate"] == 1 and rows[0]["result"]["verdict"] == "verified"
    assert rows[1]["discrepancies"] == ["altered_wording"]

    table = list(csv.DictReader(io.StringIO((await service.export("csv")).decode("utf-8"))))
    assert [r["id"] for r in table] == ["1", "2"]
    assert table[0]["effective_verdict"] == "unverifiable" and table[0]["stance"] == "for"
    assert table[1]["person"] == "'=SUM A1"  # no formula reaches a spreadsheet
    assert table[1]["discrepancies"] == "altered_wording"
    assert "result" not in table[0]

    with pytest.raises(ValueError, match="jsonl"):
        await service.export("xml")  # type: ignore[arg-type]
    assert await service.export("jsonl", guild_id=GUILD + 1) == b""
    empty_csv = (await service.export("csv", guild_id=GUILD + 1)).decode()
    assert empty_csv.startswith("id,guild_id,")


# -- records the cog keeps --------------------------------------------------------------------


async def test_replies_and_thread_messages_are_recorded(service: SubmissionService) -> None:
    sub = await submit_ok(service, 1)
    await service.set_thread(sub.id, 555)
    await service.record_reply(
        channel_id=555,
        message_id=9001,
        kind="result",
        embed={"title": "Verified"},
        submission_id=sub.id,
    )
    assert (
        await service.record_thread_message(
            thread_id=555, message_id=9002, author_id=OTHER, content="hm"
        )
        is not None
    )
    assert (
        await service.record_thread_message(
            thread_id=556, message_id=9003, author_id=OTHER, content="x"
        )
        is None
    )
    kinds = [(r.kind, r.from_bot) for r in service.store.replies_for(sub.id)]
    assert kinds == [("result", True), ("member_message", False)]


async def test_unknown_submission_is_not_found(service: SubmissionService) -> None:
    with pytest.raises(NotFound, match="#77"):
        await service.history(77)
    with pytest.raises(NotFound):
        await service.approve(77, MOD)


async def test_service_on_a_second_connection_sees_the_same_record(
    tmp_path: Path, verifier: FakeVerifier, clock: FakeClock
) -> None:
    svc = make_service(tmp_path / "v.db", verifier, clock)
    await svc.start()
    sub = await submit_ok(svc, 1)
    await svc.idle()
    await svc.stop()
    other = Store(open_database(tmp_path / "v.db"))
    got = other.get_submission(sub.id)
    assert got is not None and got.status == "verified"
