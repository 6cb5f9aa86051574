"""Statements: matching near-duplicates (never opposite claims), positions, search, the service hook."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from bot.statements import (
    DuplicateStatement,
    StatementError,
    Statements,
    normalise_words,
    same_statement,
)
from bot.storage import open_database
from bot.storage.log import Store
from bot.submissions import PostRef, SubmissionService
from tests.statements_support import GUILD, STATEMENT, make_seeder, seed_debate
from tests.submissions_support import FakeClock, FakeVerifier, post_text

SAME = [
    "Open source AI is more dangerous than closed source AI.",
    "open-source ai is more dangerous than closed-source ai",
    "  Open-source  AI is MORE dangerous than closed-source AI!  ",
    "Opensource AI is more dangerous than closed-source AI",
    "Open-source AI is more dangerous than the closed-source AI",
    "Open-source AI is more dangerus than closed-source AI",  # a typo
    '"Open-source AI is more dangerous than closed-source AI"',
    "Open‑source AI is more dangerous than closed‑source AI",  # non-breaking hyphens
]
DIFFERENT = [
    "Closed-source AI is more dangerous than open-source AI",  # reversed: the opposite claim
    "Open-source AI is less dangerous than closed-source AI",
    "Open-source AI is not more dangerous than closed-source AI",
    "Open-source AI isn't more dangerous than closed-source AI",
    "Open-source AI is more dangerous than closed-source models",
    "Open-source AI is more dangerous",  # a different, broader claim
    "Open-source AI is more dangerous than closed-source AI in 2030",
    "Open-source AI is more dangerous than closed-source AI for children",
]


@pytest.mark.parametrize("text", SAME)
def test_near_duplicates_are_the_same_statement(text: str) -> None:
    assert same_statement(STATEMENT, text)
    assert same_statement(text, STATEMENT)


@pytest.mark.parametrize("text", DIFFERENT)
def test_different_claims_are_not_merged(text: str) -> None:
    assert not same_statement(STATEMENT, text)
    assert not same_statement(text, STATEMENT)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("AI should be regulated", "AI should not be regulated", False),
        ("AI can be made safe", "AI cant be made safe", False),
        ("AI can be made safe", "AI can be made unsafe", False),
        ("Training on public data is legal", "Training on public data is illegal", False),
        (
            "Compute above 10^26 FLOP needs a licence",
            "Compute above 10^25 FLOP needs a licence",
            False,
        ),
        ("1000 researchers signed the letter", "10000 researchers signed the letter", False),
        (
            "Frontier labs need an organisation to audit them",
            "Frontier labs need an organization to audit them",
            True,
        ),
        ("Frontier models should be licensed", "Frontier model should be licensed", True),
        ("A.I. should be regulated", "AI should be regulated", True),
        ("AI should be regulated", "AI could be regulated", False),
    ],
)
def test_word_level_rule(a: str, b: str, same: bool) -> None:
    assert same_statement(a, b) is same


@pytest.mark.parametrize(
    "scorer", [fuzz.token_set_ratio, fuzz.token_sort_ratio, fuzz.WRatio, fuzz.ratio]
)
def test_why_no_score_threshold(scorer: object) -> None:
    """On these lists, some different claim scores at least as high as some real duplicate
    (even on normalised text), so no threshold on these scorers separates them; the word rule does.
    """
    assert callable(scorer)

    def norm(text: str) -> str:
        return " ".join(normalise_words(text))

    worst_duplicate = min(scorer(norm(STATEMENT), norm(t)) for t in SAME)
    best_different = max(scorer(norm(STATEMENT), norm(t)) for t in DIFFERENT)
    assert best_different >= worst_duplicate


def test_normalise_words_reads_contractions_as_not() -> None:
    assert normalise_words("AI can't be stopped") == ["ai", "can", "not", "be", "stopped"]
    assert normalise_words("AI cannot be stopped") == ["ai", "can", "not", "be", "stopped"]
    assert normalise_words("Open-source A.I.") == ["open", "source", "ai"]


def test_find_or_create_reuses_a_near_duplicate_and_keeps_opposites_apart() -> None:
    db = open_database(":memory:")
    book = Statements(db, GUILD, clock=lambda: 1.0)
    first = book.find_or_create(STATEMENT, created_by=5)
    assert book.find_or_create(SAME[0]).id == first.id
    assert book.find_or_create(SAME[5]).id == first.id
    opposite = book.find_or_create(DIFFERENT[0])
    assert opposite.id != first.id
    assert [s.text for s in book.list()] == [STATEMENT, DIFFERENT[0]]
    # Another guild has its own statements.
    assert Statements(db, 2).find_or_create(STATEMENT).id not in (first.id, opposite.id)


def test_add_refuses_duplicates_and_bad_text() -> None:
    db = open_database(":memory:")
    book = Statements(db, GUILD)
    made = book.add(f"  “{STATEMENT}”  ", created_by=9)
    assert made.text == STATEMENT and made.created_by == 9 and made.guild_id == GUILD
    with pytest.raises(DuplicateStatement) as dup:
        book.add(SAME[1], created_by=9)
    assert dup.value.existing.id == made.id and f"#{made.id}" in str(dup.value)
    with pytest.raises(StatementError, match="at least 8 characters"):
        book.add("  AI \n ", created_by=9)
    with pytest.raises(StatementError, match="at least 8 characters"):
        book.add("!!!!!!!!!!!!", created_by=9)
    with pytest.raises(StatementError, match="at most 500"):
        book.add("word " * 200, created_by=9)
    with pytest.raises(StatementError):
        book.find_or_create('  ""  ')


def test_positions_only_verified_grouped_by_person_with_counts() -> None:
    seeder = make_seeder()
    ids = seed_debate(seeder)
    positions = Statements(seeder.db, GUILD).positions(ids["statement"])
    assert positions.statement.text == STATEMENT
    assert positions.counts == {"for": 2, "against": 2, "abstain": 1}
    assert positions.total == 5
    against = positions.sides["against"]
    assert [p.person for p in against] == ["Ben Brooks", "The Economist"]
    assert [q.submission_id for q in against[0].quotes] == [ids["brooks"], ids["brooks2"]]
    economist = against[1].quotes[0]
    assert economist.decided_by == "moderator"
    assert economist.jump_url.startswith(f"https://discord.com/channels/{GUILD}/")
    shown = {q.submission_id for side in positions.sides.values() for p in side for q in p.quotes}
    for hidden in ("disputed", "withdrawn", "unchecked", "overruled", "weights", "loose"):
        assert ids[hidden] not in shown, hidden
    with pytest.raises(KeyError):
        Statements(seeder.db, GUILD).positions(9999)
    # A statement of another guild is not visible from this one.
    assert Statements(seeder.db, 2).get(ids["statement"]) is None


def test_an_edited_quote_loses_its_badge_until_checked_again() -> None:
    seeder = make_seeder()
    ids = seed_debate(seeder)
    seeder.store.edit_submission(
        ids["brooks"],
        {"quote": "Open models are the bedrock of innovation."},
        recheck=True,
        raw_text=None,
        actor_id=None,
        at=seeder.tick(),
    )
    positions = Statements(seeder.db, GUILD).positions(ids["statement"])
    brooks = positions.sides["against"][0]
    assert [q.submission_id for q in brooks.quotes] == [ids["brooks2"]]


def test_counts_per_statement() -> None:
    seeder = make_seeder()
    ids = seed_debate(seeder)
    counts = Statements(seeder.db, GUILD).counts()
    assert counts[ids["statement"]] == {"for": 2, "against": 2, "abstain": 1}
    assert counts[ids["other"]] == {"for": 1, "against": 0, "abstain": 0}


def test_search_for_autocomplete() -> None:
    db = open_database(":memory:")
    book = Statements(db, GUILD)
    a = book.add(STATEMENT, 1)
    b = book.add("AI labs should publish their model weights", 1)
    c = book.add("Compute thresholds are a good way to regulate AI", 1)
    assert [s.id for s in book.search("")] == [c.id, b.id, a.id]  # newest first
    assert [s.id for s in book.search("open-sour")] == [a.id]  # prefix, punctuation ignored
    assert [s.id for s in book.search("model weights")] == [b.id]  # words inside
    assert book.search("regulate")[0].id == c.id
    assert book.search("dangerus")[0].id == a.id  # fuzzy
    assert book.search(f"#{b.id}")[0].id == b.id
    assert book.search("zzzz qqqq xxxx") == []
    assert len(book.search("", limit=2)) == 2
    assert book.search("ai", limit=0) == []


def test_search_is_fine_with_many_statements() -> None:
    db = open_database(":memory:")
    book = Statements(db, GUILD)
    for n in range(60):
        book.find_or_create(f"Statement number {n} about topic {n * 7}")
    assert len(book.search("statement", limit=25)) == 25


async def test_a_submission_is_matched_to_an_existing_statement() -> None:
    db = open_database(":memory:")
    store = Store(db)
    existing = Statements(db, GUILD).add(STATEMENT, created_by=1)
    service = SubmissionService(store, FakeVerifier(), clock=FakeClock(), cooldown_seconds=0)
    ref = PostRef(guild_id=GUILD, channel_id=10, message_id=1, author_id=100)
    outcome = await service.submit(ref, post_text(extra=f"Statement: {SAME[0]}\nVote: against"))
    assert outcome.submission is not None
    assert outcome.submission.statement_id == existing.id
    assert outcome.submission.statement == STATEMENT
    ref2 = PostRef(guild_id=GUILD, channel_id=10, message_id=2, author_id=101)
    other = await service.submit(
        ref2,
        post_text(
            quote="Open models play a vital role in helping to drive transparency.",
            extra=f"Statement: {DIFFERENT[0]}\nVote: for",
        ),
    )
    assert other.submission is not None and other.submission.statement_id != existing.id
    assert [s.text for s in Statements(db, GUILD).list()] == [STATEMENT, DIFFERENT[0]]
