"""Verified quotes with the evidence of their verdict: what the export and the public site publish.

Both read the same records so a quote on the site and its line in the export always agree.
The evidence is taken from the stored check (its result JSON, engine version and times) and, when
a moderator decided, from the moderator's action; nothing is recomputed.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import sqlite_utils

from bot.storage.statements import StatementStore

DecidedBy = Literal["bot", "moderator"]
CHECK_NAMES = ("text", "author", "year", "stance")


@dataclass(frozen=True)
class Evidence:
    """How a verdict was reached: the source as read, the checks, and who decided."""

    decided_by: DecidedBy
    bot_verdict: str | None
    check_id: int | None
    engine_version: str | None
    check_started_at: str | None
    checked_at: str | None  # when the deciding check finished
    via: str | None  # direct, cache, archive, search, pasted
    source_url: str | None
    final_url: str | None
    http_status: int | None
    sha256: str | None
    fetched_at: str | None
    title: str | None
    published: str | None
    source_authors: tuple[str, ...]
    archive_url: str | None
    archived_at: str | None
    found_via_search_for: str | None
    pdf_pages: tuple[int, ...]
    checks: dict[str, str]  # text/author/year/stance -> pass/fail/unknown
    discrepancies: tuple[
        dict[str, str], ...
    ]  # kind, severity, message (warnings, or errors a moderator overrode)
    stance: (
        dict[str, Any] | None
    )  # the stance check: claimed, found, relevant, justification, model
    moderator_action: str | None
    moderator_reason: str | None
    moderator_at: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "decided_by": self.decided_by,
            "bot_verdict": self.bot_verdict,
            "check_id": self.check_id,
            "engine_version": self.engine_version,
            "check_started_at": self.check_started_at,
            "checked_at": self.checked_at,
            "via": self.via,
            "source_url": self.source_url,
            "final_url": self.final_url,
            "http_status": self.http_status,
            "sha256": self.sha256,
            "fetched_at": self.fetched_at,
            "title": self.title,
            "published": self.published,
            "source_authors": list(self.source_authors),
            "archive_url": self.archive_url,
            "archived_at": self.archived_at,
            "found_via_search_for": self.found_via_search_for,
            "pdf_pages": list(self.pdf_pages),
            "checks": dict(self.checks),
            "discrepancies": [dict(d) for d in self.discrepancies],
            "stance_check": self.stance,
            "moderator_action": self.moderator_action,
            "moderator_reason": self.moderator_reason,
            "moderator_at": self.moderator_at,
        }


@dataclass(frozen=True)
class VerifiedQuote:
    id: int  # the submission id
    guild_id: int
    channel_id: int
    message_id: int
    quote: str
    person: str | None
    person_role: str | None
    year: int | None
    url: str
    statement_id: int | None
    statement: str | None
    stance: str | None
    submitted_at: str
    updated_at: str
    evidence: Evidence

    @property
    def jump_url(self) -> str:
        """The member's post on Discord (opens only for members of the server)."""
        return f"https://discord.com/channels/{self.guild_id}/{self.channel_id}/{self.message_id}"


def person_key(name: str | None) -> str:
    """Names that differ only in case, spacing, dots or accents-as-composed are one person."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace(".", " ")
    return " ".join(text.split())


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _evidence(row: dict[str, Any]) -> Evidence:
    result: dict[str, Any] = {}
    if row.get("result_json"):
        try:
            loaded = json.loads(row["result_json"])
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            result = loaded
    source = result.get("source") if isinstance(result.get("source"), dict) else {}
    assert isinstance(source, dict)
    checks_raw = result.get("checks") if isinstance(result.get("checks"), dict) else {}
    assert isinstance(checks_raw, dict)
    checks = {name: str(checks_raw.get(name, "unknown")) for name in CHECK_NAMES}
    discrepancies = tuple(
        {
            "kind": str(d.get("kind", "")),
            "severity": str(d.get("severity", "")),
            "message": str(d.get("message", "")),
        }
        for d in result.get("discrepancies", [])
        if isinstance(d, dict)
    )
    status = source.get("status")
    pages = source.get("pages") or []
    stance = result.get("stance")
    return Evidence(
        decided_by="moderator" if row.get("human_verdict") else "bot",
        bot_verdict=row.get("bot_verdict"),
        check_id=row.get("check_id"),
        engine_version=row.get("engine_version"),
        check_started_at=row.get("check_started_at"),
        checked_at=row.get("check_finished_at"),
        via=_text(source.get("via")),
        source_url=_text(source.get("url")),
        final_url=_text(source.get("final_url")),
        http_status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        sha256=_text(source.get("sha256")),
        fetched_at=_text(source.get("fetched_at")),
        title=_text(source.get("title")),
        published=_text(source.get("published")),
        source_authors=tuple(str(a) for a in source.get("authors") or [] if a),
        archive_url=_text(source.get("archive_url")),
        archived_at=_text(source.get("archived_at")),
        found_via_search_for=_text(source.get("found_via_search_for")),
        pdf_pages=tuple(p for p in pages if isinstance(p, int) and not isinstance(p, bool)),
        checks=checks,
        discrepancies=discrepancies,
        stance=stance if isinstance(stance, dict) else None,
        moderator_action=row.get("mod_action"),
        moderator_reason=row.get("mod_reason"),
        moderator_at=row.get("mod_at"),
    )


def _quote(row: dict[str, Any]) -> VerifiedQuote:
    return VerifiedQuote(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        quote=row["quote"],
        person=row["person"],
        person_role=row["person_role"],
        year=row["year"],
        url=row["url"],
        statement_id=row["statement_id"],
        statement=row["statement"],
        stance=row["stance"],
        submitted_at=row["created_at"],
        updated_at=row["updated_at"],
        evidence=_evidence(row),
    )


def verified_quotes(
    db: sqlite_utils.Database,
    *,
    guild_id: int | None = None,
    statement_id: int | None = None,
) -> list[VerifiedQuote]:
    """Every live quote whose effective verdict is "verified", oldest submission first."""
    rows = StatementStore(db).verified_rows(guild_id=guild_id, statement_id=statement_id)
    return [_quote(r) for r in rows]
