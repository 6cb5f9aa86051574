"""A check's result as text a person reads in a terminal."""

from __future__ import annotations

import textwrap

from bot.models import VerificationResult

_VERDICT_LINE = {
    "verified": "VERIFIED: the quote's words are in the source",
    "disputed": "DISPUTED: discrepancies found",
    "unverifiable": "COULD NOT VERIFY: the source could not be judged",
}
_CHECK_MARK = {"pass": "ok", "fail": "FAIL", "unknown": "?"}


def _wrap(label: str, text: str, width: int = 100) -> list[str]:
    if not text:
        return [f"      {label}: (none)"]
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=f"      {label}: ",
        subsequent_indent=" " * (len(label) + 8),
    )


def _direct_problem(result: VerificationResult) -> str:
    """Why the URL itself gave no text ("direct URL returns 403"), or ""."""
    failure = result.source.direct_failure or {}
    status = failure.get("status")
    if status:
        return f"direct URL returns {status}"
    kind = failure.get("kind")
    return {"source_gone": "direct URL is gone", "source_blocked": "direct URL is blocked"}.get(
        str(kind), "direct URL unreachable" if kind else ""
    )


def badge(result: VerificationResult) -> str:
    """The verdict in a few words, saying how the text was had when not from the URL itself.

    E.g. "verified", "verified against supplied text", "verified via web archive (snapshot of
    2023-05-01; direct URL returns 403)", "verified via web search (direct URL returns 403)".
    """
    word = {"verified": "verified", "disputed": "disputed", "unverifiable": "could not verify"}[
        result.verdict
    ]
    src = result.source
    if result.verdict == "unverifiable" and src.via in ("direct", "cache"):
        return word
    if src.via == "pasted":
        return f"{word} against supplied text"
    problem = _direct_problem(result)
    if src.via == "archive":
        day = (src.archived_at or "")[:10]
        details = "; ".join(p for p in (f"snapshot of {day}" if day else "", problem) if p)
        return f"{word} via web archive" + (f" ({details})" if details else "")
    if src.via == "search":
        return f"{word} via web search" + (f" ({problem})" if problem else "")
    return word


def render_text(result: VerificationResult) -> str:
    lines = [_VERDICT_LINE[result.verdict]]
    src = result.source
    if src.via == "pasted":
        if result.verdict != "unverifiable":
            lines[0] = f"{result.verdict.upper()} against supplied text (nothing was fetched)"
        lines.append(f"  source: {src.url} (text supplied from {src.supplied_name or 'a file'})")
    else:
        lines.append(
            f"  source: {src.final_url or src.url} (read via {src.via}"
            + (f", HTTP {src.status}" if src.status else "")
            + ")"
        )
    if src.via == "archive":
        lines.append(f"  archive: snapshot of {src.archived_at} at {src.archive_url}")
    if src.via == "search":
        lines.append(f'  found:  by a web search for "{src.found_via_search_for}"')
    if src.direct_failure and src.via in ("archive", "search"):
        lines.extend(_wrap("direct", str(src.direct_failure.get("message", ""))))
    if src.canonical_url:
        lines.append(f"  canonical: {src.canonical_url}")
    if src.pages:
        label = "page" if len(src.pages) == 1 else "pages"
        lines.append(f"  {label}: {', '.join(str(p) for p in src.pages)} of the PDF")
    if src.title:
        lines.append(f"  title:  {src.title}")
    if src.authors:
        lines.append(f"  by:     {', '.join(src.authors)}")
    if src.published:
        lines.append(f"  date:   {src.published}")
    checks = result.checks
    lines.append(
        "  checks: "
        + "  ".join(
            f"{name} {_CHECK_MARK[state]}"
            for name, state in (
                ("text", checks.text),
                ("author", checks.author),
                ("year", checks.year),
            )
        )
    )
    if result.stance is not None:
        found = result.stance.get("found") or "?"
        lines.append(
            f"  stance: claimed {result.stance.get('claimed')}, model reads {found}: "
            + str(result.stance.get("justification", ""))
        )
    if result.discrepancies:
        lines.append(
            f"  {len(result.discrepancies)} discrepanc"
            + ("y:" if len(result.discrepancies) == 1 else "ies:")
        )
        for n, d in enumerate(result.discrepancies, 1):
            lines.append(f"  {n}. [{d.severity}] {d.kind}: {d.message}")
            if d.quote_excerpt or d.source_excerpt:
                lines.extend(_wrap("quote ", d.quote_excerpt))
                lines.extend(_wrap("source", d.source_excerpt))
    else:
        lines.append("  no discrepancies")
    lines.append(f"  ({result.elapsed_ms:.0f} ms)")
    return "\n".join(lines)
