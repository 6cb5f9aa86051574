"""What the bot shows on Discord, built without Discord: embeds as plain data, within Discord's limits.

Cogs turn :class:`EmbedSpec` into ``discord.Embed`` (``discord.Embed.from_dict(spec.to_dict())``);
keeping the wording and the limits here lets them be tested without a client, and lets the demo
print the same embed as text. Everything a member wrote is escaped before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote as _percent

from bot.models import Discrepancy, QuoteInput, VerificationResult
from bot.report import badge
from bot.storage.log import Submission, Tally

# Discord's documented embed limits.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000

GREEN = 0x2ECC71
RED = 0xE74C3C
GREY = 0x95A5A6
BLUE = 0x3498DB

BADGES: dict[str, tuple[str, str, int]] = {
    "verified": ("✅", "AI Verified", GREEN),
    "disputed": ("❌", "Discrepancies found", RED),
    "unverifiable": ("❔", "Could not verify", GREY),
}
VERDICT_WORDS = {"verified": "Verified", "disputed": "Disputed", "unverifiable": "Unverifiable"}
REACTIONS = {"verified": "✅", "disputed": "❌", "unverifiable": "❔"}
PENDING_REACTION = "⏳"

DISCREPANCY_LABELS = {
    "quote_not_found": "Quote not found in the source",
    "altered_wording": "Altered wording",
    "unmarked_omission": "Cut not marked with […]",
    "reordered": "Words in another order",
    "author_mismatch": "Author does not match",
    "author_unconfirmed": "Author not confirmed",
    "year_mismatch": "Year does not match",
    "year_unconfirmed": "Year not confirmed",
    "stance_mismatch": "Stance does not match",
    "stance_unclear": "Stance unclear",
    "source_blocked": "The source refused access",
    "source_gone": "The source does not exist",
    "source_unreachable": "The source could not be reached",
    "source_unsupported": "The source could not be read",
    "check_failed": "The check failed",
}
VIA_WORDS = {
    "direct": "read directly from the page",
    "cache": "read from Verbatim's recent copy of the page",
    "archive": "read from the web archive's copy",
    "pasted": "read from a supplied copy of the source",
    "search": "found at another address by searching for the quote",
}

# -- escaping ---------------------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(r"([\\*_~`|\[\]<>])")
_LINE_START_SPECIAL = re.compile(r"(?m)^([ \t]*)(#{1,3}|-#|[-+]|\d+\.)(?=[ \t])")
_MASS_MENTION = re.compile(r"@(everyone|here)")
_UNESCAPE = re.compile(r"\\([\\*_~`|\[\]<>#\-+.])")


def escape_markdown(text: str) -> str:
    """Member text shown literally: no bold, links, headings, lists, block quotes or mentions."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _LINE_START_SPECIAL.sub(_escape_line_start, text)
    return _MASS_MENTION.sub("@\u200b\\1", text)


def _escape_line_start(m: re.Match[str]) -> str:
    marker = m.group(2)
    if marker.endswith("."):  # "1. " starts a numbered list; "1\\. " does not
        return f"{m.group(1)}{marker[:-1]}\\."
    return f"{m.group(1)}\\{marker}"


def unescape_markdown(text: str) -> str:
    """The reverse of :func:`escape_markdown`, for showing an embed as plain text (the demo)."""
    return _UNESCAPE.sub(r"\1", text).replace("@\u200b", "@")


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word where possible and ended with '…'."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return "…"
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def safe(text: str, limit: int, *, one_line: bool = True) -> str:
    """Member text, escaped and cut so that the escaped form fits in ``limit`` characters."""
    if one_line:
        text = " ".join(text.split())
    budget = limit
    while True:
        out = escape_markdown(shorten(text, budget))
        if len(out) <= limit:
            return out
        budget -= max(1, len(out) - limit)


def _link_target(url: str) -> str:
    """A URL that cannot end a Markdown link early (parentheses, spaces and angle brackets encoded)."""
    return _percent(url, safe=":/?#@!$&'*+,;=%~-._")


# -- embeds as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbedField:
    name: str
    value: str
    inline: bool = False


@dataclass
class EmbedSpec:
    """An embed's parts; :meth:`to_dict` gives Discord's JSON, always within the limits."""

    title: str
    colour: int
    description: str = ""
    fields: list[EmbedField] = field(default_factory=list)
    footer: str = ""
    url: str | None = None

    def total_chars(self) -> int:
        return (
            len(self.title)
            + len(self.description)
            + sum(len(f.name) + len(f.value) for f in self.fields)
            + len(self.footer)
        )

    def to_dict(self) -> dict[str, Any]:
        fitted = fit_embed(self)
        out: dict[str, Any] = {"type": "rich", "title": fitted.title, "color": fitted.colour}
        if fitted.description:
            out["description"] = fitted.description
        if fitted.url:
            out["url"] = fitted.url
        if fitted.fields:
            out["fields"] = [
                {"name": f.name, "value": f.value, "inline": f.inline} for f in fitted.fields
            ]
        if fitted.footer:
            out["footer"] = {"text": fitted.footer}
        return out


def _cut(text: str, limit: int) -> str:
    """Cut text the bot composed (already escaped) without leaving a dangling escape."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + "…"


def fit_embed(spec: EmbedSpec) -> EmbedSpec:
    """Cut every part to Discord's limits; fields that do not fit become '…and N more'."""
    title = _cut(spec.title, TITLE_MAX) or "\u200b"
    description = _cut(spec.description, DESCRIPTION_MAX)
    footer = _cut(spec.footer, FOOTER_MAX)
    fields = [
        EmbedField(
            _cut(f.name, FIELD_NAME_MAX) or "\u200b",
            _cut(f.value, FIELD_VALUE_MAX) or "\u200b",
            f.inline,
        )
        for f in spec.fields
    ]
    more_reserve = 40  # room for the "…and N more" field itself
    used = len(title) + len(description) + len(footer)
    if used + more_reserve > EMBED_TOTAL_MAX:
        description = _cut(
            description, max(1, EMBED_TOTAL_MAX - more_reserve - len(title) - len(footer))
        )
        used = len(title) + len(description) + len(footer)
    kept: list[EmbedField] = []
    for index, f in enumerate(fields):
        last = index == len(fields) - 1
        slots = FIELDS_MAX - len(kept) - (0 if last else 1)  # keep a slot for "…and N more"
        size = len(f.name) + len(f.value)
        if slots <= 0 or used + size + (0 if last else more_reserve) > EMBED_TOTAL_MAX:
            break
        kept.append(f)
        used += size
    dropped = len(fields) - len(kept)
    if dropped:
        kept.append(EmbedField("\u200b", f"…and {dropped} more"))
    return EmbedSpec(title, spec.colour, description, kept, footer, spec.url)


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """Join lines up to ``limit`` characters, ending with '…and N more' when some do not fit."""
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = len(f"\n…and {rest} more") if rest else 0
        line = _cut(line, max(1, limit - 20))
        if used + len(line) + 1 + tail > limit:
            out.append(f"…and {len(lines) - index} more")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def fit_content(text: str) -> str:
    return _cut(text, CONTENT_MAX)


# -- the verdict ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteFacts:
    """What a member claimed: the same for a saved submission and a one-off /quote check."""

    quote: str
    url: str
    person: str | None = None
    role: str | None = None
    year: int | None = None
    statement: str | None = None
    stance: str | None = None
    submission_id: int | None = None
    human_verdict: str | None = None  # a moderator's verdict, which wins over the bot's

    @classmethod
    def from_submission(cls, sub: Submission) -> QuoteFacts:
        return cls(
            quote=sub.quote,
            url=sub.url,
            person=sub.person,
            role=sub.person_role,
            year=sub.year,
            statement=sub.statement,
            stance=sub.stance,
            submission_id=sub.id,
            human_verdict=sub.human_verdict,
        )

    @classmethod
    def from_input(cls, inp: QuoteInput) -> QuoteFacts:
        return cls(
            quote=inp.quote,
            url=inp.url,
            person=inp.author,
            year=inp.year,
            statement=inp.statement,
            stance=inp.stance,
        )


def attribution(facts: QuoteFacts) -> str:
    """'— Name, role (year)', escaped; empty when nothing is known."""
    parts = []
    if facts.person:
        parts.append(safe(facts.person, 120))
    if facts.role:
        parts.append(safe(facts.role, 150))
    text = ", ".join(parts)
    if facts.year:
        text = f"{text} ({facts.year})" if text else f"({facts.year})"
    return f"— {text}" if text else ""


def quote_block(facts: QuoteFacts, limit: int = 1500) -> str:
    quoted = "> " + safe(facts.quote, limit)
    who = attribution(facts)
    return f"{quoted}\n{who}" if who else quoted


_CHECK_WORDS = {
    "text": {
        "pass": "✅ the words are in the source",
        "fail": "❌ the words differ from the source",
        "unknown": "❔ not judged",
    },
    "author": {
        "pass": "✅ confirmed",
        "fail": "❌ does not match",
        "unknown": "❔ not confirmed",
    },
    "year": {
        "pass": "✅ confirmed",
        "fail": "❌ does not match",
        "unknown": "❔ not confirmed",
    },
}


def check_lines(result: VerificationResult, facts: QuoteFacts) -> list[str]:
    """One line each for Text / Author / Year, and Stance when a stance was claimed."""
    checks = result.checks
    lines = [f"**Text:** {_CHECK_WORDS['text'][checks.text]}"]
    if facts.person or checks.author != "unknown":
        lines.append(f"**Author:** {_CHECK_WORDS['author'][checks.author]}")
    else:
        lines.append("**Author:** — not given")
    if facts.year or checks.year != "unknown":
        year = f" ({facts.year})" if facts.year else ""
        lines.append(f"**Year:** {_CHECK_WORDS['year'][checks.year]}{year}")
    else:
        lines.append("**Year:** — not given")
    stance_line = _stance_line(result)
    if stance_line:
        lines.append(f"**Stance:** {stance_line}")
    return lines


def _stance_line(result: VerificationResult) -> str:
    info = result.stance
    if info is None:
        return ""
    claimed = str(info.get("claimed") or "?")
    found = info.get("found")
    state = result.checks.stance
    if state == "pass":
        return f"✅ the quote reads {claimed}, as claimed"
    if state == "fail":
        return f"❌ claimed {claimed}; the quote reads {found or 'otherwise'}"
    why = safe(str(info.get("justification") or "not checked"), 200)
    return f"❔ {why}"


def discrepancy_field(number: int, d: Discrepancy) -> EmbedField:
    mark = "❌" if d.severity == "error" else "⚠️"
    label = DISCREPANCY_LABELS.get(d.kind, d.kind.replace("_", " ").capitalize())
    parts = [safe(d.message, 400)]
    if d.quote_excerpt:
        parts.append(f"**Quote:** “{safe(d.quote_excerpt, 250)}”")
    if d.source_excerpt:
        parts.append(f"**Source:** “{safe(d.source_excerpt, 250)}”")
    return EmbedField(f"{number}. {mark} {label}", "\n".join(parts))


def source_line(result: VerificationResult, facts: QuoteFacts) -> str:
    src = result.source
    url = src.final_url or src.url or facts.url
    title = safe(src.title, 200) if src.title else "the source"
    how = VIA_WORDS.get(src.via, f"read via {src.via}")
    if src.status and src.via in ("direct", "cache"):
        how += f", HTTP {src.status}"
    if src.via == "archive" and src.archived_at:
        how += f" (captured {safe(src.archived_at[:10], 20)})"
    if src.via == "pasted" and src.supplied_name:
        how += f" ({safe(src.supplied_name, 80)})"
    lines = [f"[{title}]({_link_target(url)})", how]
    if src.via in ("pasted", "archive", "search"):
        # Not read from the link itself: say so in the badge's own words.
        said = badge(result)
        lines.insert(1, f"**{safe(said[:1].upper() + said[1:], 300)}**")
    if src.authors:
        lines.append("by " + safe(", ".join(src.authors[:5]), 200))
    if src.published:
        lines.append("published " + safe(src.published[:10], 20))
    return "\n".join(lines)


def verdict_embed(
    result: VerificationResult, facts: QuoteFacts, *, saved: bool = True
) -> EmbedSpec:
    """The bot's answer: the badge, the quote, Text/Author/Year lines, discrepancies, the source."""
    mark, badge, colour = BADGES[result.verdict]
    # The source comes before the discrepancies, so a long list is what gets cut, not the source.
    fields = [
        EmbedField("Checks", "\n".join(check_lines(result, facts))),
        EmbedField("Source", source_line(result, facts)),
        *(discrepancy_field(n, d) for n, d in enumerate(result.discrepancies, 1)),
    ]
    if facts.human_verdict in BADGES:
        human_mark = BADGES[facts.human_verdict][0]
        words = VERDICT_WORDS[facts.human_verdict]
        fields.insert(
            0, EmbedField("Moderator verdict", f"{human_mark} {words} (wins over the bot's)")
        )
    if facts.submission_id is not None:
        footer = f"Submission #{facts.submission_id}"
    else:
        footer = "A one-off check: nothing was saved" if not saved else ""
    if result.elapsed_ms:
        ms = result.elapsed_ms
        footer += f" · checked in {ms:.0f} ms" if ms < 1000 else f" · checked in {ms / 1000:.1f} s"
    url = result.source.final_url or result.source.url or facts.url
    return EmbedSpec(
        title=f"{mark} {badge}",
        colour=colour,
        description=quote_block(facts),
        fields=fields,
        footer=footer.strip(" ·"),
        url=url if url.lower().startswith(("http://", "https://")) else None,
    )


def moderator_embed(
    *,
    submission_id: int,
    action: str,
    verdict: str | None,
    reason: str | None,
    moderator_id: int,
    bot_verdict: str | None,
) -> EmbedSpec:
    """A moderator's decision, shown in the submission's thread; it wins over the bot's verdict."""
    if verdict is not None:
        mark, _, colour = BADGES[verdict]
        title = f"{mark} Moderator verdict: {VERDICT_WORDS[verdict]}"
    else:
        title, colour = "⏳ A moderator asked for a new check", BLUE
    lines = [f"By <@{moderator_id}> ({action})"]
    if reason:
        lines.append(f"**Reason:** {safe(reason, 1000)}")
    if verdict is not None:
        bot_words = VERDICT_WORDS.get(bot_verdict or "", "none yet")
        lines.append(f"The bot's verdict was: {bot_words}. A moderator's verdict wins.")
    return EmbedSpec(
        title=title,
        colour=colour,
        description="\n".join(lines),
        footer=f"Submission #{submission_id}",
    )


def mod_log_line(
    *,
    action: str,
    submission_id: int,
    moderator_id: int,
    detail: str = "",
    reason: str | None = None,
) -> str:
    """One line for the moderator-log channel (mentions render as names and never ping)."""
    text = f"**{action}** · submission #{submission_id} · by <@{moderator_id}>"
    if detail:
        text += f" · {detail}"
    if reason:
        text += f"\n> {safe(reason, 1000)}"
    return fit_content(text)


def card_text(facts: QuoteFacts, member_id: int) -> str:
    """The post the bot makes for a quote sent with /quote submit; its thread hangs on it."""
    lines = [
        f"📝 Quote submitted by <@{member_id}> with /quote submit",
        quote_block(facts, 1200),
        f"Source: <{_link_target(facts.url)}>",
    ]
    if facts.statement:
        vote = f" (vote: {facts.stance})" if facts.stance else ""
        lines.append(f"Statement: {safe(facts.statement, 400)}{vote}")
    return fit_content("\n".join(lines))


def tally_text(tally: Tally) -> str:
    return f"Accurate {tally.accurate} · Inaccurate {tally.inaccurate}"


def thread_name(facts: QuoteFacts) -> str:
    """A thread title (at most 100 characters, one line); names are not Markdown."""
    who = " ".join((facts.person or "Quote").split())
    words = " ".join(facts.quote.split())
    prefix = f"#{facts.submission_id} " if facts.submission_id is not None else ""
    return shorten(f"{prefix}{who}: {words}", 100)


def history_lines(events: Iterable[Any]) -> list[str]:
    """History events (``bot.submissions.HistoryEvent``) as one escaped line each, oldest first."""
    out = []
    for event in events:
        when = str(event.at)[:16].replace("T", " ")
        who = f" · <@{event.actor_id}>" if event.actor_id else ""
        out.append(f"`{when}` {safe(event.summary, 300)}{who}")
    return out


def stats_embed(stats: Any) -> EmbedSpec:
    """Counts by status and how often moderators agreed with the bot (``bot.submissions.Stats``)."""
    status_lines = [f"{name}: {count}" for name, count in stats.by_status.items()]
    rate = stats.agreement_rate
    agreement = (
        f"{stats.agreements} of {stats.decisions} moderator verdicts agreed with the bot"
        f" ({rate:.0%})"
        if rate is not None
        else "no moderator verdicts yet"
    )
    return EmbedSpec(
        title="Verbatim statistics",
        colour=BLUE,
        fields=[
            EmbedField("Submissions by status", "\n".join(status_lines) or "none", inline=True),
            EmbedField(
                "Totals",
                f"submissions: {stats.total}\nchecks run: {stats.checks}\n"
                f"posts not accepted: {stats.unparsed_posts}",
                inline=True,
            ),
            EmbedField("Bot and moderators", agreement),
        ],
    )


def embed_text(embed: dict[str, Any]) -> str:
    """An embed's JSON as plain text lines (the demo prints what Discord would show)."""
    lines = [f"┃ {unescape_markdown(embed.get('title', ''))}"]
    for part in str(embed.get("description", "")).splitlines():
        lines.append(f"┃ {_plain(part)}")
    for f in embed.get("fields", []):
        name = _plain(f.get("name", "")).strip("\u200b")
        value_lines = str(f.get("value", "")).splitlines() or [""]
        if name:
            lines.append(f"┃ {name}")
        lines.extend(f"┃   {_plain(v)}" for v in value_lines)
    footer = (embed.get("footer") or {}).get("text")
    if footer:
        lines.append(f"┃ ({_plain(footer)})")
    return "\n".join(lines)


_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def _plain(text: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", text)
    text = text.replace("**", "")
    return unescape_markdown(text)
