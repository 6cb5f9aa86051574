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


def render_text(result: VerificationResult) -> str:
    lines = [_VERDICT_LINE[result.verdict]]
    src = result.source
    lines.append(
        f"  source: {src.final_url or src.url} (read via {src.via}"
        + (f", HTTP {src.status}" if src.status else "")
        + ")"
    )
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
