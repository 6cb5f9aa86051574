"""The /statement cog's text: Discord's size limits kept, member text made inert."""

from __future__ import annotations

from bot.statements import Statements
from bot.storage.log import Statement
from cogs.statements import (
    CHOICE_NAME_MAX,
    FIELD_MAX,
    LIST_PAGE,
    choice_name,
    list_text,
    positions_embed,
    safe,
    side_lines,
)
from tests.statements_support import STATEMENT, make_seeder


def test_a_crowded_side_fits_in_one_field_and_says_how_many_more() -> None:
    seeder = make_seeder()
    statement_id = seeder.statement(STATEMENT)
    for n in range(30):
        seeder.quote(
            f"Quote number {n} says a great deal about open models and their many risks " * 3,
            f"Person {n:02d}",
            statement_id=statement_id,
            stance="against",
        )
    positions = Statements(seeder.db, seeder.guild_id).positions(statement_id)
    value = side_lines(positions, "against")
    assert len(value) <= FIELD_MAX
    assert value.splitlines()[-1].startswith("… and ") and value.endswith(" more")
    assert side_lines(positions, "for") == "No verified quote yet."
    embed = positions_embed(positions)
    assert len(embed) <= 6000
    assert embed.fields[1].name == "Against (30)"


def test_safe_makes_markdown_mentions_and_masked_links_inert() -> None:
    text = safe(
        "**x** @everyone <@123456789012345678> [bank](https://evil.example) `code`\nnext", 200
    )
    assert "\\*\\*x\\*\\*" in text
    assert "@\u200beveryone" in text and "<@\u200b123456789012345678>" in text
    assert "\\[bank](https://evil.example)" in text and "\\\\[" not in text
    assert "\n" not in text
    assert safe("a" * 50, 10) == "a" * 9 + "…"


def test_choice_names_fit_discords_limit() -> None:
    long = Statement(id=7, guild_id=1, text="word " * 60, created_by=None, created_at="")
    assert len(choice_name(long)) == CHOICE_NAME_MAX and choice_name(long).startswith("#7 word")


def test_list_pages() -> None:
    statements = [
        Statement(id=n, guild_id=1, text=f"Statement {n}", created_by=None, created_at="")
        for n in range(1, 2 * LIST_PAGE + 3)
    ]
    first, pages = list_text(statements, {}, 1)
    assert pages == 3 and "(page 1 of 3)" in first and f"`#{2 * LIST_PAGE + 2}`" in first
    last, _ = list_text(statements, {1: {"for": 4, "against": 1, "abstain": 0}}, 99)
    assert "(page 3 of 3)" in last and "`#1` Statement 1 — for/against/abstain 4/1/0" in last
    empty, pages = list_text([], {}, 1)
    assert pages == 1 and "No statements yet" in empty
