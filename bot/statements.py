"""Statements (the claims quotes take positions on) and who is for, against or abstaining.

A submission's statement is matched to an existing one before a new one is made. The match must
be strict, because merging two claims merges their boards: "Open-source AI is more dangerous than
closed-source AI" and "Closed-source AI is more dangerous than open-source AI" are opposites, yet
rapidfuzz's token_set_ratio scores them 100 and WRatio 95; "... more dangerous ..." against
"... less dangerous ..." scores 94 on plain ratio, higher than many honest near-duplicates. No
single score threshold separates the two kinds, so two statements match only when, word by word
(a rapidfuzz Levenshtein alignment of the word lists):

- every changed word is a typo or spelling variant of the same word (same first letter, one
  edit, or two in words of nine letters or more: "organisation"/"organization", "model"/"models",
  never "safe"/"unsafe", "legal"/"illegal", "more"/"less");
- numbers are equal, and negations ("not", "can't", "never"...) are the same;
- only articles ("a", "an", "the") are added or dropped;
- at most one such edit per six words.

Case, punctuation, hyphens, spacing and Unicode forms never count ("open-source" = "open source"
= "opensource"). Missing a match only makes a second statement; a wrong match would be worse.
"""

from __future__ import annotations

import builtins
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.postparse import STATEMENT_MAX_CHARS
from bot.storage.log import Statement
from bot.storage.statements import StatementStore
from bot.verified import VerifiedQuote, person_key, verified_quotes

STATEMENT_MIN_CHARS = 8
SEARCH_LIMIT = 25
STANCES = ("for", "against", "abstain")
# Cheap first pass: candidates whose normalised text scores below this on fuzz.ratio cannot
# pass the word-by-word rule (it allows about one typo per six words).
PREFILTER_RATIO = 75.0

_ARTICLES = frozenset({"a", "an", "the"})
_NEGATIONS = frozenset({"not", "no", "never", "nor", "neither", "none", "nothing", "nobody"})
# Contractions typed without the apostrophe, read as "<verb> not".
_NOT_CONTRACTIONS = {
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "mustnt": "must not",
    "hasnt": "has not",
    "havent": "have not",
    "hadnt": "had not",
    "neednt": "need not",
    "aint": "is not",
}


class StatementError(ValueError):
    """A statement that cannot be added; the message says what is wrong and what is expected."""


class DuplicateStatement(StatementError):
    def __init__(self, existing: Statement) -> None:
        super().__init__(f"This statement already exists as #{existing.id}: {existing.text}")
        self.existing = existing


def clean_statement(text: str) -> str:
    """The text as stored: control characters gone, spacing collapsed, outer quotation marks off."""
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in unicodedata.normalize("NFC", text)
    )
    text = " ".join(text.split())
    return text.strip().strip("\"“”'‘’").strip()


def text_key(text: str) -> str:
    """The key of the statements table's unique index (as bot/storage/log.py computes it)."""
    return " ".join(text.casefold().split())


def normalise_words(text: str) -> list[str]:
    """Words for matching: NFKC, case folded, apostrophes and dots joined, other marks split."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"n['’]t\b", "nt", text)
    text = re.sub(r"['’.]", "", text)
    text = re.sub(r"[^\w]+|_", " ", text)
    words: list[str] = []
    for word in text.split():
        words.extend(_NOT_CONTRACTIONS.get(word, word).split())
    return words


def _compact(words: list[str]) -> str:
    return "".join(words)


def _same_word(a: str, b: str) -> bool:
    """A typo or spelling variant of one word, never a different word or a negated one."""
    if a == b:
        return True
    if a[0] != b[0] or any(ch.isdigit() for ch in a + b):
        return False
    if a in _NEGATIONS or b in _NEGATIONS or min(len(a), len(b)) < 4:
        return False
    allowed = 2 if min(len(a), len(b)) >= 9 else 1
    return Levenshtein.distance(a, b) <= allowed


def same_statement(a: str, b: str) -> bool:
    """Whether two statement texts are the same claim (see the module docstring for the rule)."""
    wa, wb = normalise_words(a), normalise_words(b)
    if not wa or not wb:
        return False
    if wa == wb or _compact(wa) == _compact(wb):
        return True
    edits = 0
    for op in Levenshtein.opcodes(wa, wb):
        if op.tag == "equal":
            continue
        src, dest = wa[op.src_start : op.src_end], wb[op.dest_start : op.dest_end]
        if op.tag == "replace":
            if len(src) != len(dest) or not all(map(_same_word, src, dest)):
                return False
            edits += len(src)
        else:  # insert or delete
            if not set(src + dest) <= _ARTICLES:
                return False
            edits += len(src) + len(dest)
    return edits <= 1 + min(len(wa), len(wb)) // 6


@dataclass(frozen=True)
class PositionQuote:
    submission_id: int
    quote: str
    url: str
    year: int | None
    person_role: str | None
    jump_url: str
    decided_by: str
    checked_at: str | None


@dataclass(frozen=True)
class Position:
    """One person's position on a statement, with every verified quote that shows it."""

    person: str
    stance: str | None  # for / against / abstain; None when the posts gave no vote
    quotes: tuple[PositionQuote, ...]


@dataclass(frozen=True)
class Positions:
    statement: Statement
    sides: dict[str, tuple[Position, ...]] = field(default_factory=dict)  # keyed by STANCES
    unstated: tuple[Position, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """People per side (a person with two quotes on one side counts once)."""
        return {stance: len(self.sides.get(stance, ())) for stance in STANCES}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def group_positions(statement: Statement, quotes: list[VerifiedQuote]) -> Positions:
    """Verified quotes on one statement grouped by stance and person, people in name order."""
    grouped: dict[tuple[str, str], list[VerifiedQuote]] = {}
    names: dict[str, str] = {}
    for q in quotes:
        key = person_key(q.person) or "?"
        names.setdefault(key, q.person or "Unknown speaker")
        grouped.setdefault((q.stance or "", key), []).append(q)

    def position(stance: str, key: str) -> Position:
        items = grouped[(stance, key)]
        return Position(
            person=names[key],
            stance=stance or None,
            quotes=tuple(
                PositionQuote(
                    submission_id=q.id,
                    quote=q.quote,
                    url=q.url,
                    year=q.year,
                    person_role=q.person_role,
                    jump_url=q.jump_url,
                    decided_by=q.evidence.decided_by,
                    checked_at=q.evidence.checked_at or q.evidence.moderator_at,
                )
                for q in items
            ),
        )

    def side(stance: str) -> tuple[Position, ...]:
        keys = sorted(k for s, k in grouped if s == stance)
        return tuple(position(stance, k) for k in keys)

    return Positions(
        statement=statement,
        sides={stance: side(stance) for stance in STANCES},
        unstated=side(""),
    )


class Statements:
    """Statements of one guild (``guild_id`` None: those made outside Discord)."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        guild_id: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.guild_id = guild_id
        self.clock = clock
        self.store = StatementStore(db)

    def match(self, text: str) -> Statement | None:
        """The existing statement that is the same claim as ``text``, if any (closest first)."""
        wanted = " ".join(normalise_words(text))
        if not wanted:
            return None
        existing = self.store.in_guild(self.guild_id)
        choices = {s.id: " ".join(normalise_words(s.text)) for s in existing}
        by_id = {s.id: s for s in existing}
        found = process.extract(
            wanted, choices, scorer=fuzz.ratio, score_cutoff=PREFILTER_RATIO, limit=None
        )
        # Best score first, then the oldest statement (the one people have been using).
        for _choice, _score, statement_id in sorted(found, key=lambda f: (-f[1], f[2])):
            if same_statement(text, by_id[statement_id].text):
                return by_id[statement_id]
        return None

    def add(self, text: str, created_by: int | None) -> Statement:
        """A new statement (moderators); raises StatementError for bad text, DuplicateStatement
        when the same claim already exists."""
        cleaned = clean_statement(text if isinstance(text, str) else "")
        if len(cleaned) < STATEMENT_MIN_CHARS or len(normalise_words(cleaned)) < 2:
            raise StatementError(
                f"A statement needs at least {STATEMENT_MIN_CHARS} characters: a claim people "
                "can be for or against, e.g. 'Open-source AI is more dangerous than closed-source AI'."
            )
        if len(cleaned) > STATEMENT_MAX_CHARS:
            raise StatementError(
                f"The statement is {len(cleaned):,} characters; at most {STATEMENT_MAX_CHARS} "
                "are allowed."
            )
        existing = self.match(cleaned)
        if existing is not None:
            raise DuplicateStatement(existing)
        statement, created = self.store.insert(
            self.guild_id, cleaned, text_key(cleaned), created_by, self.clock()
        )
        if not created:  # pragma: no cover - match() finds every key-equal statement first
            raise DuplicateStatement(statement)
        return statement

    def find_or_create(self, text: str, created_by: int | None = None) -> Statement:
        """The statement ``text`` names: an existing one if it is the same claim, else a new one."""
        cleaned = clean_statement(text)[:STATEMENT_MAX_CHARS].strip()
        if not cleaned:
            raise StatementError("The statement is empty.")
        existing = self.match(cleaned)
        if existing is not None:
            return existing
        statement, _created = self.store.insert(
            self.guild_id, cleaned, text_key(cleaned), created_by, self.clock()
        )
        return statement

    def get(self, statement_id: int) -> Statement | None:
        """A statement of this guild by id (another guild's statement is not found)."""
        statement = self.store.get(statement_id)
        if statement is None or statement.guild_id != self.guild_id:
            return None
        return statement

    def list(self) -> list[Statement]:
        return self.store.in_guild(self.guild_id)

    def positions(self, statement_id: int) -> Positions:
        """Who is for, against and abstaining on a statement, from verified quotes only."""
        statement = self.get(statement_id)
        if statement is None:
            raise KeyError(statement_id)
        return group_positions(
            statement,
            verified_quotes(self.db, guild_id=self.guild_id, statement_id=statement_id),
        )

    def counts(self) -> dict[int, dict[str, int]]:
        """People per side for every statement of the guild that has verified quotes."""
        by_statement: dict[int, builtins.list[VerifiedQuote]] = {}
        for q in verified_quotes(self.db, guild_id=self.guild_id):
            if q.statement_id is not None:
                by_statement.setdefault(q.statement_id, []).append(q)
        out: dict[int, dict[str, int]] = {}
        for statement in self.list():
            quotes = by_statement.get(statement.id, [])
            out[statement.id] = group_positions(statement, quotes).counts
        return out

    def search(self, prefix_or_text: str, limit: int = SEARCH_LIMIT) -> builtins.list[Statement]:
        """Statements for autocomplete: those starting with the text, then containing it word by
        word, then fuzzy matches; the newest first when nothing is typed."""
        statements = self.list()
        limit = max(0, limit)
        query = " ".join(normalise_words(prefix_or_text or ""))
        if not query:
            return sorted(statements, key=lambda s: -s.id)[:limit]
        id_text = str(prefix_or_text).strip().lstrip("#")
        scored: builtins.list[tuple[float, int, Statement]] = []
        for s in statements:
            words = " ".join(normalise_words(s.text))
            if id_text.isdigit() and str(s.id) == id_text:
                score = 400.0
            elif words.startswith(query):
                score = 300.0
            elif f" {query}" in f" {words}":
                score = 200.0
            elif query in words:
                score = 150.0
            else:
                score = fuzz.partial_ratio(query, words)
                if score < 70:
                    continue
            scored.append((score, s.id, s))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [s for _score, _id, s in scored[:limit]]
