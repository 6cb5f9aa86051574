"""The data a check takes and gives: plain dataclasses whose JSON form is a public contract."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

Verdict = Literal["verified", "disputed", "unverifiable"]
CheckState = Literal["pass", "fail", "unknown"]
Severity = Literal["error", "warning"]
Via = Literal["direct", "cache", "archive", "pasted", "search"]

QUOTE_MIN_CHARS = 12
QUOTE_MAX_CHARS = 5000
AUTHOR_MAX_CHARS = 200
URL_MAX_CHARS = 2048
STATEMENT_MAX_CHARS = 1000
STANCE_VALUES = ("for", "against", "abstain")

# Kinds of discrepancy; the first group are problems with the words, the last with the source.
DISCREPANCY_KINDS = (
    "quote_not_found",
    "altered_wording",
    "unmarked_omission",
    "reordered",
    "author_mismatch",
    "author_unconfirmed",
    "year_mismatch",
    "year_unconfirmed",
    "stance_mismatch",
    "stance_unclear",
    "source_blocked",
    "source_gone",
    "source_unreachable",
    "source_unsupported",
    "check_failed",
)
SOURCE_FAILURE_KINDS = ("source_blocked", "source_gone", "source_unreachable", "source_unsupported")


class InputError(ValueError):
    """Input a user gave that cannot be checked; ``field`` says which and the message why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class QuoteInput:
    quote: str
    url: str
    author: str | None = None
    year: int | None = None
    id: str | None = None
    statement: str | None = None
    stance: str | None = None

    @classmethod
    def parse(
        cls,
        *,
        quote: Any,
        url: Any,
        author: Any = None,
        year: Any = None,
        id: Any = None,
        statement: Any = None,
        stance: Any = None,
    ) -> QuoteInput:
        """Validate raw user input (strings from a CLI, JSON or Discord) into a QuoteInput."""
        if not isinstance(quote, str) or not quote.strip():
            raise InputError("quote", "is required: the quoted words, 12 to 5,000 characters")
        quote = quote.strip()
        if len(quote) < QUOTE_MIN_CHARS:
            raise InputError(
                "quote", f"is {len(quote)} characters; at least {QUOTE_MIN_CHARS} are needed"
            )
        if len(quote) > QUOTE_MAX_CHARS:
            raise InputError(
                "quote", f"is {len(quote):,} characters; at most {QUOTE_MAX_CHARS:,} are allowed"
            )
        url = validate_url(url)
        if author is not None:
            if not isinstance(author, str):
                raise InputError("author", "must be text: the name of the quoted person")
            author = " ".join(author.split())
            if len(author) > AUTHOR_MAX_CHARS:
                raise InputError("author", f"is longer than {AUTHOR_MAX_CHARS} characters")
            author = author or None
        year = validate_year(year)
        if id is not None and not isinstance(id, str | int):
            raise InputError("id", "must be a string or a number")
        statement, stance = validate_stance(statement, stance)
        return cls(
            quote=quote,
            url=url,
            author=author,
            year=year,
            id=None if id is None else str(id),
            statement=statement,
            stance=stance,
        )


def validate_stance(statement: Any, stance: Any) -> tuple[str | None, str | None]:
    """A statement (the claim voted on) and the quoted person's stance on it, both optional."""
    if statement is not None and not isinstance(statement, str):
        raise InputError("statement", "must be text: the claim the stance is about")
    statement = " ".join(statement.split()) if statement else None
    if statement and len(statement) > STATEMENT_MAX_CHARS:
        raise InputError("statement", f"is longer than {STATEMENT_MAX_CHARS:,} characters")
    if stance is not None and not isinstance(stance, str):
        raise InputError("stance", "must be one of for, against, abstain")
    stance = stance.strip().lower() if stance else None
    if stance and stance not in STANCE_VALUES:
        raise InputError("stance", f"must be one of for, against, abstain (got {stance[:20]!r})")
    if stance and not statement:
        raise InputError("statement", "is required when a stance is given")
    return statement or None, stance or None


def validate_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise InputError("url", "is required: the http(s) address of the source")
    url = url.strip()
    if len(url) > URL_MAX_CHARS:
        raise InputError("url", f"is longer than {URL_MAX_CHARS} characters")
    if any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
        raise InputError("url", "contains spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise InputError("url", f"is not a valid web address ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError("url", f"must start with http:// or https:// (got {url[:60]!r})")
    if not parts.hostname:
        raise InputError("url", f"has no host name (got {url[:60]!r})")
    if parts.username or parts.password:
        raise InputError("url", "must not carry a user name or password")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise InputError("url", "has an invalid port") from exc
    return url


def validate_year(year: Any) -> int | None:
    if year is None or year == "":
        return None
    if isinstance(year, bool):
        raise InputError("year", "must be a four-digit year such as 2024")
    if isinstance(year, str):
        if not re.fullmatch(r"\s*\d{4}\s*", year):
            raise InputError("year", f"must be a four-digit year such as 2024 (got {year[:20]!r})")
        year = int(year)
    if not isinstance(year, int) or not 1000 <= year <= 2999:
        raise InputError("year", f"must be a four-digit year such as 2024 (got {year!r})")
    return year


@dataclass(frozen=True)
class Discrepancy:
    kind: str
    severity: Severity
    message: str
    quote_excerpt: str = ""
    source_excerpt: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Match:
    """Where a stretch of the quote sits in the source text (character offsets, end exclusive)."""

    quote_start: int
    quote_end: int
    source_start: int
    source_end: int
    score: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SourceInfo:
    url: str
    final_url: str | None = None
    status: int | None = None
    via: Via = "direct"
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    sha256: str | None = None
    fetched_at: str | None = None
    # Optional details, in the JSON only when set (additions to the contract, never renames).
    archive_url: str | None = None  # the archived snapshot read (via "archive")
    archived_at: str | None = None  # when the archive captured it, ISO 8601 UTC
    found_via_search_for: str | None = None  # the phrase searched for (via "search")
    # Why the URL itself gave no text (kind, status, message), when the text came from elsewhere.
    direct_failure: dict[str, Any] | None = None
    canonical_url: str | None = None  # the page's <link rel="canonical">, if another address
    pages: list[int] | None = None  # PDF pages (1-based) the quote was found on
    supplied_name: str | None = None  # the file the source text came from (via "pasted")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "via": self.via,
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published,
            "sha256": self.sha256,
        }
        optional = {
            "fetched_at": self.fetched_at,  # evidence for exports: when the text was read
            "archive_url": self.archive_url,
            "archived_at": self.archived_at,
            "found_via_search_for": self.found_via_search_for,
            "direct_failure": self.direct_failure,
            "canonical_url": self.canonical_url,
            "pages": self.pages,
            "supplied_name": self.supplied_name,
        }
        out.update({key: value for key, value in optional.items() if value is not None})
        return out


@dataclass
class Checks:
    text: CheckState = "unknown"
    author: CheckState = "unknown"
    year: CheckState = "unknown"
    stance: CheckState = "unknown"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class VerificationResult:
    id: str | None
    verdict: Verdict
    checks: Checks
    discrepancies: list[Discrepancy]
    source: SourceInfo
    matches: list[Match] = field(default_factory=list)
    elapsed_ms: float = 0.0
    stance: dict[str, Any] | None = None  # the stance check's details, when one was asked for

    @property
    def errors(self) -> list[Discrepancy]:
        return [d for d in self.discrepancies if d.severity == "error"]

    @property
    def warnings(self) -> list[Discrepancy]:
        return [d for d in self.discrepancies if d.severity == "warning"]

    def kinds(self) -> list[str]:
        return [d.kind for d in self.discrepancies]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict,
            "checks": self.checks.to_json(),
            "discrepancies": [d.to_json() for d in self.discrepancies],
            "source": self.source.to_json(),
            "matches": [m.to_json() for m in self.matches],
            "elapsed_ms": round(self.elapsed_ms, 2),
            **({"stance": self.stance} if self.stance is not None else {}),
        }


EXIT_CODES: dict[str, int] = {"verified": 0, "disputed": 1, "unverifiable": 2}
EXIT_BAD_INPUT = 64
