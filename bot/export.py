"""The export of everything verified, with its licence and the evidence of each verdict.

One record per verified quote (see bot/verified.py for what counts as verified). JSON lines keep
the evidence nested; CSV flattens it into ``evidence_*`` columns. Member ids are left out: the
records are meant to be published.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, Literal

from bot.verified import CHECK_NAMES, VerifiedQuote

ExportFormat = Literal["jsonl", "csv"]
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv")


def record(quote: VerifiedQuote, licence: str, licence_url: str = "") -> dict[str, Any]:
    """One published record: the quote, who said it, on what, and how it was verified."""
    return {
        "id": quote.id,
        "licence": licence,
        "licence_url": licence_url,
        "quote": quote.quote,
        "person": quote.person,
        "person_role": quote.person_role,
        "year": quote.year,
        "statement_id": quote.statement_id,
        "statement": quote.statement,
        "stance": quote.stance,
        "source_url": quote.url,
        "verdict": "verified",
        "submitted_at": quote.submitted_at,
        "updated_at": quote.updated_at,
        "discord_url": quote.jump_url,
        "evidence": quote.evidence.to_json(),
    }


CSV_COLUMNS = (
    "id",
    "licence",
    "licence_url",
    "quote",
    "person",
    "person_role",
    "year",
    "statement_id",
    "statement",
    "stance",
    "source_url",
    "verdict",
    "submitted_at",
    "updated_at",
    "discord_url",
    "evidence_decided_by",
    "evidence_bot_verdict",
    "evidence_engine_version",
    "evidence_check_id",
    "evidence_check_started_at",
    "evidence_checked_at",
    "evidence_via",
    "evidence_final_url",
    "evidence_http_status",
    "evidence_sha256",
    "evidence_fetched_at",
    "evidence_title",
    "evidence_published",
    "evidence_source_authors",
    "evidence_archive_url",
    "evidence_archived_at",
    "evidence_found_via_search_for",
    "evidence_pdf_pages",
    *(f"evidence_check_{name}" for name in CHECK_NAMES),
    "evidence_discrepancies",
    "evidence_stance_found",
    "evidence_stance_justification",
    "evidence_stance_model",
    "evidence_moderator_action",
    "evidence_moderator_reason",
    "evidence_moderator_at",
)


def _flat(rec: dict[str, Any]) -> dict[str, Any]:
    ev: dict[str, Any] = rec["evidence"]
    stance = ev.get("stance_check") or {}
    flat = {k: v for k, v in rec.items() if k != "evidence"}
    for key in (
        "decided_by",
        "bot_verdict",
        "engine_version",
        "check_id",
        "check_started_at",
        "checked_at",
        "via",
        "final_url",
        "http_status",
        "sha256",
        "fetched_at",
        "title",
        "published",
        "archive_url",
        "archived_at",
        "found_via_search_for",
        "moderator_action",
        "moderator_reason",
        "moderator_at",
    ):
        flat[f"evidence_{key}"] = ev.get(key)
    flat["evidence_source_authors"] = "; ".join(ev.get("source_authors") or [])
    flat["evidence_pdf_pages"] = " ".join(str(p) for p in ev.get("pdf_pages") or [])
    for name in CHECK_NAMES:
        flat[f"evidence_check_{name}"] = ev["checks"].get(name)
    flat["evidence_discrepancies"] = "; ".join(
        f"{d['severity']} {d['kind']}: {d['message']}" for d in ev.get("discrepancies") or []
    )
    flat["evidence_stance_found"] = stance.get("found")
    flat["evidence_stance_justification"] = stance.get("justification")
    flat["evidence_stance_model"] = stance.get("model")
    return flat


def _spreadsheet_safe(value: Any) -> Any:
    """Member text a spreadsheet would run as a formula gets a leading quote mark."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export(
    quotes: Iterable[VerifiedQuote],
    format: ExportFormat,
    licence: str,
    licence_url: str = "",
) -> str:
    """The records as JSON lines or CSV text (a header row first), in submission order."""
    records = [record(q, licence, licence_url) for q in sorted(quotes, key=lambda q: q.id)]
    if format == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)
    if format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for rec in records:
            flat = _flat(rec)
            writer.writerow({k: _spreadsheet_safe(flat.get(k)) for k in CSV_COLUMNS})
        return out.getvalue()
    raise ValueError(f"unknown export format {format!r}; use one of: {', '.join(FORMATS)}")
