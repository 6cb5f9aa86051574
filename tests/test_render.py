"""bot/render.py: the verdict embed's wording, Discord's limits and the escaping of member text."""

from __future__ import annotations

import re

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Checks, Discrepancy, SourceInfo, VerificationResult
from bot.render import (
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    EmbedField,
    EmbedSpec,
    QuoteFacts,
    card_text,
    embed_text,
    escape_markdown,
    fit_lines,
    safe,
    thread_name,
    unescape_markdown,
    verdict_embed,
)

FACTS = QuoteFacts(
    quote="Community gardens are the bedrock for local resilience in cities.",
    url="https://example.org/gardens",
    person="Priya Raman",
    role="columnist",
    year=2024,
    submission_id=7,
)
SPECIAL = set("\\*_~`|[]<>")


def result(
    verdict: str = "verified",
    discrepancies: list[Discrepancy] | None = None,
    **source: object,
) -> VerificationResult:
    checks = Checks(text="pass", author="pass", year="pass")
    if verdict == "disputed":
        checks.text = "fail"
    if verdict == "unverifiable":
        checks = Checks()
    return VerificationResult(
        id="7",
        verdict=verdict,  # type: ignore[arg-type]
        checks=checks,
        discrepancies=discrepancies or [],
        source=SourceInfo(
            url="https://example.org/gardens",
            status=200,
            title="Community Gardens Are Good for Cities",
            **source,  # type: ignore[arg-type]
        ),
        elapsed_ms=1234.0,
    )


def wording(n: int, size: int = 60) -> Discrepancy:
    return Discrepancy(
        "altered_wording",
        "error",
        f"Word {n} differs from the source.",
        quote_excerpt=f"quote words {n} " + "q" * size,
        source_excerpt=f"source words {n} " + "s" * size,
    )


def assert_within_discord_limits(payload: dict[str, object]) -> None:
    embed = discord.Embed.from_dict(payload)  # type: ignore[arg-type]
    assert len(embed) <= EMBED_TOTAL_MAX
    assert len(embed.fields) <= FIELDS_MAX
    assert len(embed.description or "") <= DESCRIPTION_MAX
    assert len(embed.title or "") <= 256
    for f in embed.fields:
        assert f.value and len(f.value) <= FIELD_VALUE_MAX
        assert f.name and len(f.name) <= 256


# -- the three badges -------------------------------------------------------------------------


def test_verified_embed_has_the_badge_the_lines_and_the_source() -> None:
    payload = verdict_embed(result(), FACTS).to_dict()
    assert payload["title"] == "✅ AI Verified" and payload["color"] == 0x2ECC71
    assert payload["url"] == "https://example.org/gardens"
    [checks, source] = payload["fields"]
    assert checks["name"] == "Checks"
    assert checks["value"].splitlines() == [
        "**Text:** ✅ the words are in the source",
        "**Author:** ✅ confirmed",
        "**Year:** ✅ confirmed (2024)",
    ]
    assert source["value"].splitlines()[:2] == [
        "[Community Gardens Are Good for Cities](https://example.org/gardens)",
        "read directly from the page, HTTP 200",
    ]
    assert payload["description"].startswith("> Community gardens are the bedrock")
    assert "— Priya Raman, columnist (2024)" in payload["description"]
    assert payload["footer"]["text"] == "Submission #7 · checked in 1.2 s"


def test_disputed_embed_lists_each_discrepancy_with_both_texts() -> None:
    payload = verdict_embed(result("disputed", [wording(1)]), FACTS).to_dict()
    assert payload["title"] == "❌ Discrepancies found" and payload["color"] == 0xE74C3C
    field = payload["fields"][2]
    assert field["name"] == "1. ❌ Altered wording"
    assert "**Quote:** “quote words 1" in field["value"]
    assert "**Source:** “source words 1" in field["value"]


def test_unverifiable_embed_is_grey_and_says_how_the_source_was_read() -> None:
    blocked = Discrepancy("source_blocked", "error", "The site refused access (HTTP 403).")
    res = result("unverifiable", [blocked], via="archive", archived_at="2023-01-02T03:04:05Z")
    payload = verdict_embed(res, FACTS).to_dict()
    assert payload["title"] == "❔ Could not verify" and payload["color"] == 0x95A5A6
    assert "**Text:** ❔ not judged" in payload["fields"][0]["value"]
    assert "web archive's copy (captured 2023-01-02)" in payload["fields"][1]["value"]
    assert payload["fields"][2]["name"] == "1. ❌ The source refused access"


def test_stance_line_and_the_moderator_verdict() -> None:
    res = result("disputed")
    res.checks.stance = "fail"
    res.stance = {"claimed": "for", "found": "against", "justification": "“not”"}
    facts = QuoteFacts(**{**FACTS.__dict__, "human_verdict": "verified"})
    payload = verdict_embed(res, facts).to_dict()
    assert payload["title"] == "❌ Discrepancies found"  # the bot's verdict keeps its badge
    assert payload["fields"][0] == {
        "name": "Moderator verdict",
        "value": "✅ Verified (wins over the bot's)",
        "inline": False,
    }
    assert "**Stance:** ❌ claimed for; the quote reads against" in payload["fields"][1]["value"]


def test_missing_author_and_year_are_said_so() -> None:
    facts = QuoteFacts(quote=FACTS.quote, url=FACTS.url)
    res = result()
    res.checks.author = res.checks.year = "unknown"
    lines = verdict_embed(res, facts, saved=False).to_dict()["fields"][0]["value"]
    assert "**Author:** — not given" in lines and "**Year:** — not given" in lines
    assert verdict_embed(res, facts, saved=False).footer.startswith("A one-off check")


# -- Discord's limits -------------------------------------------------------------------------


def test_a_long_list_is_cut_to_25_fields_with_and_n_more() -> None:
    many = [wording(n, size=10) for n in range(1, 61)]
    payload = verdict_embed(result("disputed", many), FACTS).to_dict()
    assert_within_discord_limits(payload)
    fields = payload["fields"]
    assert len(fields) == FIELDS_MAX
    assert [f["name"] for f in fields[:2]] == ["Checks", "Source"]  # never cut
    shown = len(fields) - 3
    assert fields[-1]["value"] == f"…and {60 - shown} more"


def test_long_discrepancies_are_cut_to_the_6000_total() -> None:
    big = [wording(n, size=2000) for n in range(1, 11)]
    payload = verdict_embed(result("disputed", big), FACTS).to_dict()
    assert_within_discord_limits(payload)
    shown = [f for f in payload["fields"] if f["name"].endswith("Altered wording")]
    assert 0 < len(shown) < 10
    assert payload["fields"][-1]["value"] == f"…and {10 - len(shown)} more"
    for f in shown:  # each excerpt was shortened, not dropped
        assert "…" in f["value"] and len(f["value"]) <= FIELD_VALUE_MAX


def test_a_5000_character_quote_fits_the_description() -> None:
    facts = QuoteFacts(quote="word " * 1000, url=FACTS.url, person="x" * 500, role="y" * 500)
    payload = verdict_embed(result(), facts).to_dict()
    assert_within_discord_limits(payload)
    assert payload["description"].startswith("> word word") and "…" in payload["description"]


@given(
    title=st.text(max_size=400),
    description=st.text(max_size=6000),
    fields=st.lists(st.tuples(st.text(max_size=300), st.text(max_size=1500)), max_size=40),
    footer=st.text(max_size=2500),
)
def test_any_embed_is_fitted_to_discords_limits(
    title: str, description: str, fields: list[tuple[str, str]], footer: str
) -> None:
    spec = EmbedSpec(
        title=title,
        colour=1,
        description=description,
        fields=[EmbedField(n, v) for n, v in fields],
        footer=footer,
    )
    payload = spec.to_dict()
    assert_within_discord_limits(payload)
    kept = payload.get("fields", [])
    if len(kept) < len(fields):  # what was dropped is counted
        more = re.fullmatch(r"…and (\d+) more", kept[-1]["value"])
        assert more is not None and int(more.group(1)) == len(fields) - (len(kept) - 1)


def test_fit_lines_counts_what_did_not_fit() -> None:
    lines = [f"line {n} " + "x" * 50 for n in range(100)]
    text = fit_lines(lines, 1000)
    assert len(text) <= 1000
    kept = text.splitlines()
    assert kept[-1] == f"…and {100 - (len(kept) - 1)} more"
    assert fit_lines(["a", "b"], 1000) == "a\nb"


def test_card_and_thread_name_fit() -> None:
    facts = QuoteFacts(
        quote="q " * 3000, url="https://example.org/" + "p" * 2000, person="P", statement="s" * 900
    )
    assert len(card_text(facts, 1)) <= CONTENT_MAX
    name = thread_name(FACTS)
    assert name.startswith("#7 Priya Raman: Community") and len(name) <= 100
    assert "\n" not in thread_name(QuoteFacts(quote="a\nb " * 80, url="https://x.org"))


# -- escaping ---------------------------------------------------------------------------------


def test_escape_makes_markdown_and_mentions_inert() -> None:
    assert escape_markdown("**bold** _it_ `code` ~~s~~ ||spoiler||") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\|\\|spoiler\\|\\|"
    )
    assert escape_markdown("[click](https://evil.example)") == "\\[click\\](https://evil.example)"
    assert escape_markdown("<@123> <@&4> <#5> <t:0>") == "\\<@123\\> \\<@&4\\> \\<#5\\> \\<t:0\\>"
    assert escape_markdown("hi @everyone and @here") == "hi @\u200beveryone and @\u200bhere"
    assert escape_markdown("# big\n> quoted\n- item\n12. item\n-# small") == (
        "\\# big\n\\> quoted\n\\- item\n12\\. item\n\\-# small"
    )
    assert escape_markdown("a - b # c 1. d") == "a - b # c 1. d"  # only at a line's start


@given(st.text().filter(lambda t: "\u200b" not in t))
def test_escaping_round_trips_and_leaves_no_live_markup(text: str) -> None:
    escaped = escape_markdown(text)
    assert unescape_markdown(escaped) == text
    live = re.sub(r"\\.", "", escaped)  # drop every escaped character
    assert not SPECIAL & set(live)
    assert "@everyone" not in escaped and "@here" not in escaped


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_safe_text_fits_its_limit_once_escaped(text: str, limit: int) -> None:
    out = safe(text, limit)
    assert len(out) <= limit
    assert not out.endswith("\\") or out.endswith("\\\\")


def test_embed_text_reads_like_the_embed() -> None:
    payload = verdict_embed(result("disputed", [wording(1)]), FACTS).to_dict()
    text = embed_text(payload)
    assert text.splitlines()[0] == "┃ ❌ Discrepancies found"
    assert "Community Gardens Are Good for Cities <https://example.org/gardens>" in text
    assert "Quote: “quote words 1" in text and "**" not in text
