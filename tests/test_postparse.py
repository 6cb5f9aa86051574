"""The post parser reads what members actually type, and says clearly what it could not read."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import QuoteInput
from bot.postparse import MAX_POST_CHARS, ParsedPost, format_help, parse_post

QUOTE = "Open models are the bedrock for grassroots innovation in AI."
URL = "https://spectrum.ieee.org/open-source-ai-good"

CANONICAL = f""""{QUOTE}"
— Ben Brooks, Head of public policy, Stability AI (2024)
Source: {URL}
Statement: Open-source AI is more dangerous than closed-source AI
Vote: against"""


def test_canonical_post() -> None:
    p = parse_post(CANONICAL)
    assert p.ok, p.problems
    assert p.quote == QUOTE
    assert p.author == "Ben Brooks"
    assert p.author_role == "Head of public policy, Stability AI"
    assert p.year == 2024
    assert p.url == URL
    assert p.statement == "Open-source AI is more dangerous than closed-source AI"
    assert p.stance == "against"
    assert p.problems == []


def test_to_quote_input_is_the_check_contract() -> None:
    q = parse_post(CANONICAL).to_quote_input(id="7")
    assert q == QuoteInput(quote=QUOTE, url=URL, author="Ben Brooks", year=2024, id="7")


@pytest.mark.parametrize(
    "quoted",
    [
        f'"{QUOTE}"',
        f"“{QUOTE}”",
        f"„{QUOTE}“",
        f"«{QUOTE}»",
        f"'{QUOTE}'",
        f"‘{QUOTE}’",
        QUOTE,
        f"**“{QUOTE}”**",
        f"> “{QUOTE}”",
    ],
)
def test_quote_marks_any_or_none(quoted: str) -> None:
    p = parse_post(f"{quoted}\n— Ben Brooks\nSource: {URL}")
    assert p.ok, p.problems
    assert p.quote == QUOTE
    assert p.author == "Ben Brooks"


@pytest.mark.parametrize("lead", ["- ", "– ", "— ", "~ ", "-- ", "—", "by ", "By "])
def test_attribution_markers(lead: str) -> None:
    p = parse_post(f'"{QUOTE}"\n{lead}Ben Brooks, Stability AI\n{URL}')
    assert p.ok, p.problems
    assert (p.author, p.author_role) == ("Ben Brooks", "Stability AI")


def test_attribution_on_the_quote_line() -> None:
    p = parse_post(f'"{QUOTE}" — Ben Brooks, Stability AI (2024) {URL}')
    assert p.ok, p.problems
    assert (p.quote, p.author, p.author_role, p.year, p.url) == (
        QUOTE,
        "Ben Brooks",
        "Stability AI",
        2024,
        URL,
    )


def test_attribution_without_dash_after_closed_quote() -> None:
    p = parse_post(f"“{QUOTE}”\nBen Brooks, Stability AI, 2024\n{URL}")
    assert p.ok, p.problems
    assert (p.author, p.author_role, p.year) == ("Ben Brooks", "Stability AI", 2024)


def test_name_said_colon_form() -> None:
    p = parse_post(f'Ben Brooks said: "{QUOTE}"\n{URL}')
    assert p.ok, p.problems
    assert (p.quote, p.author) == (QUOTE, "Ben Brooks")


def test_multi_line_quote_keeps_its_lines() -> None:
    p = parse_post(
        "“Open models are the bedrock\nfor grassroots innovation in AI.\n\nThey matter.”\n"
        f"— Ben Brooks\n{URL}"
    )
    assert p.ok, p.problems
    assert (
        p.quote == "Open models are the bedrock\nfor grassroots innovation in AI.\n\nThey matter."
    )


def test_multi_line_quote_without_marks_is_the_text_before_the_attribution() -> None:
    p = parse_post(
        f"Open models are the bedrock\nfor grassroots innovation in AI.\n- Ben Brooks\n{URL}"
    )
    assert p.quote == "Open models are the bedrock\nfor grassroots innovation in AI."
    assert p.ok


def test_dash_line_inside_an_open_quotation_is_quote_text() -> None:
    p = parse_post(f"“We want three things:\n- open weights\n- open data.”\n— Ben Brooks\n{URL}")
    assert p.quote == "We want three things:\n- open weights\n- open data."
    assert p.author == "Ben Brooks"


def test_by_must_be_followed_by_a_name() -> None:
    p = parse_post(
        f"Open models are the bedrock\nby and large for innovation.\n— Ben Brooks\n{URL}"
    )
    assert p.quote == "Open models are the bedrock\nby and large for innovation."
    assert p.author == "Ben Brooks"


@pytest.mark.parametrize(
    ("line", "year", "role"),
    [
        ("— Ben Brooks (2024)", 2024, None),
        ("— Ben Brooks, 2024", 2024, None),
        ("— Ben Brooks, Stability AI, 2024", 2024, "Stability AI"),
        ("— Ben Brooks, Stability AI (March 2024)", 2024, "Stability AI"),
        ("— Ben Brooks, Stability AI (2024-03-01)", 2024, "Stability AI"),
        ("— Ben Brooks, Stability AI, March 3, 2024", 2024, "Stability AI"),
        ("— Ben Brooks (Stability AI)", None, "Stability AI"),
        ("— Ben Brooks of Stability AI", None, "Stability AI"),
        ("— Ben Brooks, Stability AI in 2023", 2023, "Stability AI"),
    ],
)
def test_year_and_role_in_the_attribution(line: str, year: int | None, role: str | None) -> None:
    p = parse_post(f'"{QUOTE}"\n{line}\n{URL}')
    assert p.ok, p.problems
    assert (p.author, p.year, p.author_role) == ("Ben Brooks", year, role)


def test_year_on_its_own_line() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\n(2021)\n{URL}')
    assert p.year == 2021


def test_name_suffix_is_not_a_role() -> None:
    p = parse_post(f'"{QUOTE}"\n— Martin Luther King, Jr., civil rights leader (1963)\n{URL}')
    assert (p.author, p.author_role, p.year) == (
        "Martin Luther King, Jr.",
        "civil rights leader",
        1963,
    )


@pytest.mark.parametrize(
    "label", ["Source", "source", "SOURCE", "Link", "URL", "url", "**Source:**"]
)
def test_source_labels(label: str) -> None:
    sep = "" if label.endswith(":**") else ":"
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\n{label}{sep} {URL}')
    assert p.url == URL
    assert p.ok, p.problems


@pytest.mark.parametrize(
    ("written", "url"),
    [
        (f"<{URL}>", URL),
        (f"({URL}).", URL),
        (f"see {URL}, thanks", URL),
        (f"[the article]({URL})", URL),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ],
)
def test_bare_url_anywhere(written: str, url: str) -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\n{written}')
    assert p.url == url
    assert p.ok, p.problems


def test_url_before_the_quote() -> None:
    p = parse_post(f'{URL}\n"{QUOTE}"\n— Ben Brooks')
    assert (p.quote, p.url, p.author) == (QUOTE, URL, "Ben Brooks")


def test_source_label_on_its_own_line_then_url() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\nSource:\n{URL}')
    assert p.url == URL


def test_source_without_scheme_gets_https() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\nSource: spectrum.ieee.org/open-source-ai-good')
    assert p.url == URL


def test_two_unlabelled_links_are_ambiguous() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\n{URL}\nhttps://example.org/other')
    assert not p.ok
    assert any("2 different links" in problem for problem in p.problems)


def test_labelled_source_wins_over_other_links() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\nSource: {URL}\nalso https://example.org/other')
    assert p.ok
    assert p.url == URL


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/file", "http:// or https://"),
        ("Source: javascript:alert(1)", "http:// or https://"),
        ("Source: https://user:pw@example.org/", "user name or password"),
        ("Source: https://example.org:99999/", "invalid port"),
    ],
)
def test_bad_urls_are_explained(url: str, message: str) -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\n{url}')
    assert not p.ok
    assert any(message in problem for problem in p.problems), p.problems


def test_labelled_fields_in_any_case_and_order() -> None:
    p = parse_post(
        f"YEAR: 2019\nsource: {URL}\nAuthor: Ben Brooks\nRole: Head of policy\nQUOTE: {QUOTE}\n"
        "claim: Open models are good\nStance: Support"
    )
    assert p.ok, p.problems
    assert (p.quote, p.author, p.author_role, p.year, p.statement, p.stance) == (
        QUOTE,
        "Ben Brooks",
        "Head of policy",
        2019,
        "Open models are good",
        "for",
    )


def test_labelled_quote_spans_lines_until_the_next_label() -> None:
    p = parse_post(
        f"Quote: Open models are the bedrock\nfor grassroots innovation in AI.\nAuthor: Ben Brooks\n{URL}"
    )
    assert p.quote == QUOTE.replace("bedrock ", "bedrock\n")
    assert p.author == "Ben Brooks"


def test_labelled_quote_then_attribution_line() -> None:
    p = parse_post(f"Quote: “{QUOTE}”\n— Ben Brooks (2024)\nLink: {URL}")
    assert (p.quote, p.author, p.year) == (QUOTE, "Ben Brooks", 2024)


def test_author_label_may_carry_role_and_year() -> None:
    p = parse_post(f"Quote: {QUOTE}\nAuthor: Ben Brooks, Stability AI (2024)\nURL: {URL}")
    assert (p.author, p.author_role, p.year) == ("Ben Brooks", "Stability AI", 2024)


@pytest.mark.parametrize(
    ("value", "stance"),
    [
        ("for", "for"),
        ("FOR", "for"),
        ("support", "for"),
        ("agree", "for"),
        ("I agree", "for"),
        ("against", "against"),
        ("Oppose", "against"),
        ("disagree", "against"),
        ("abstain", "abstain"),
        ("neutral", "abstain"),
        ("**against**", "against"),
    ],
)
def test_stance_words(value: str, stance: str) -> None:
    for label in ("Vote", "stance", "Position"):
        p = parse_post(f"{CANONICAL.rsplit(chr(10), 1)[0]}\n{label}: {value}")
        assert p.stance == stance
        assert p.ok


def test_unknown_stance_is_a_problem() -> None:
    p = parse_post(f"{CANONICAL.rsplit(chr(10), 1)[0]}\nVote: maybe")
    assert p.stance is None
    assert not p.ok
    assert any("for, against or abstain" in problem for problem in p.problems)


def test_stance_and_statement_are_optional() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\n{URL}')
    assert p.ok
    assert p.statement is None and p.stance is None and p.year is None and p.author_role is None


@pytest.mark.parametrize("fence", ["```", "```text", "```md"])
def test_whole_post_in_a_code_block(fence: str) -> None:
    p = parse_post(f"{fence}\n{CANONICAL}\n```")
    assert p.ok, p.problems
    assert (p.quote, p.author, p.url, p.stance) == (QUOTE, "Ben Brooks", URL, "against")


def test_windows_line_endings_and_zero_width_spaces() -> None:
    p = parse_post(CANONICAL.replace("\n", "\r\n").replace("Source", "Sou\u200brce"))
    assert p.ok, p.problems
    assert p.url == URL


def test_commentary_after_the_attribution_is_ignored() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\n{URL}\nI think this is out of context, thoughts?')
    assert p.ok
    assert p.quote == QUOTE


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "quote is missing"),
        (f"— Ben Brooks\n{URL}", "quote is missing"),
        (f'"{QUOTE}"\n{URL}', "author is missing"),
        (f'"{QUOTE}"\n— Ben Brooks', "source is missing"),
        (f'"Too short"\n— Ben Brooks\n{URL}', "at least 12 are needed"),
        (f'"{"x" * 5001}"\n— Ben Brooks\n{URL}', "at most 5,000"),
        (f'"{QUOTE}"\n— Ben Brooks\nYear: twenty\n{URL}', "year must be a four-digit year"),
        (f'"{QUOTE}"\n— Ben Brooks\nYear: 2999\n{URL}', "in the future"),
        (f'"{QUOTE}"\n— {"B" * 300}\n{URL}', "author is longer than 200"),
        (f'"{QUOTE}"\n— Ben Brooks\n{URL}\nStatement: {"s" * 600}', "statement is 600"),
    ],
)
def test_problems_name_what_is_wrong(text: str, fragment: str) -> None:
    p = parse_post(text)
    assert not p.ok
    assert any(fragment in problem for problem in p.problems), p.problems


def test_everything_missing_lists_each_required_field() -> None:
    p = parse_post("hello there")
    joined = " | ".join(p.problems)
    assert "author is missing" in joined and "source is missing" in joined


def test_very_long_post_is_cut_and_said_so() -> None:
    p = parse_post(CANONICAL + "\n" + "z" * (MAX_POST_CHARS + 10))
    assert any("only the first" in problem for problem in p.problems)


def test_non_text_input_is_a_problem_not_a_crash() -> None:
    p = parse_post(None)  # type: ignore[arg-type]
    assert not p.ok and p.problems


def test_help_for_a_good_post_shows_what_was_read() -> None:
    text = format_help(parse_post(CANONICAL))
    assert "Ben Brooks" in text and "2024" in text and URL in text and "against" in text
    assert "missing" not in text


def test_help_for_a_bad_post_shows_understood_missing_and_format() -> None:
    text = format_help(parse_post(f'"{QUOTE}"\n— Ben Brooks'))
    assert "What I understood" in text
    assert "Ben Brooks" in text
    assert "source is missing" in text
    assert "Source: https://" in text  # the expected format
    assert len(text) < 2000  # fits in one Discord message


def test_help_never_pings_or_breaks_the_code_block() -> None:
    p = parse_post('"@everyone look at this ``` quote here"\n— @here Someone')
    text = format_help(p)
    assert "@everyone" not in text and "@here" not in text
    assert text.count("```") == 2


def test_help_is_short_even_for_huge_input() -> None:
    p = parse_post('"' + "word " * 3000 + '"\n— ' + "N" * 500 + "\nSource: " + "x" * 3000)
    assert len(format_help(p)) < 2000


def test_problems_are_not_repeated() -> None:
    p = parse_post("x")
    assert len(p.problems) == len(set(p.problems))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=600))
def test_never_raises_on_any_text(text: str) -> None:
    p = parse_post(text)
    assert isinstance(p, ParsedPost)
    assert p.ok == (bool(p.quote and p.author and p.url) and not p.problems)
    assert isinstance(format_help(p), str)
    if p.ok:
        p.to_quote_input()  # an ok post is always valid input for a check


_pieces = st.sampled_from(
    [
        '"',
        "“",
        "”",
        "«",
        "»",
        "— ",
        "- ",
        "by ",
        "\n",
        "Source: ",
        "Vote: ",
        "Year: ",
        "Quote: ",
        "Author: ",
        "```",
        "(2024)",
        ", 2024",
        "https://example.org/a_(b)",
        "<https://x.org>",
        "> ",
        "Ben Brooks",
        QUOTE,
        "(",
        ")",
        "[",
        "]",
        "  ",
        "\r",
        "\u200b",
    ]
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=8)), max_size=40).map("".join))
def test_never_raises_on_post_like_text(text: str) -> None:
    p = parse_post(text)
    format_help(p)
    if p.ok:
        p.to_quote_input()


@settings(max_examples=60, deadline=None)
@given(
    name=st.from_regex(r"[A-Z][a-z]{1,10} [A-Z][a-z]{1,12}", fullmatch=True),
    year=st.integers(1900, 2024),
    dash=st.sampled_from(["-", "–", "—", "~", "by"]),
    marks=st.sampled_from([('"', '"'), ("“", "”"), ("", "")]),
)
def test_generated_well_formed_posts_round_trip(
    name: str, year: int, dash: str, marks: tuple[str, str]
) -> None:
    p = parse_post(f"{marks[0]}{QUOTE}{marks[1]}\n{dash} {name} ({year})\nSource: {URL}")
    assert p.ok, p.problems
    assert (p.quote, p.author, p.year, p.url) == (QUOTE, name, year, URL)


def test_url_that_urlsplit_rejects_is_a_problem_not_a_crash() -> None:
    p = parse_post(f'"{QUOTE}"\n— Ben Brooks\nSource: http://[')
    assert not p.ok
    assert any("not a valid web address" in problem for problem in p.problems)
