"""The matcher on original sample texts: what counts as a change, a cut, a missing sentence."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.matcher import match_quote
from bot.textnorm import split_at_cuts, tokenize
from tests.sample_texts import ARTICLE_TEXT, OTHER_ARTICLE_TEXT

SOURCE = tokenize(ARTICLE_TEXT)

# The seed's pattern, on our own text: three unmarked cuts (two paragraphs, one heading)
# and one marked cut.
SEED_LIKE = (
    "Since the first allotments opened after the war, planners have argued about whether vacant "
    'lots should be sold or shared. "Public land can be an extraordinary resource for neighbours," '
    'wrote two council members to the mayor, but "private developers can maintain a site more '
    'cheaply." However our councils choose to manage land, we need to keep a diverse food system: '
    "from large farms supplying supermarkets to everyday growers experimenting on rooftops. "
    "Community gardens are the bedrock for local resilience in cities. Eventually, these fees may "
    "lead to closures in ways that erode the culture of sharing, which made the gardens possible "
    "in the first place and helps keep them safe. Gardens play a vital role in helping to build "
    "health and trust in a neighbourhood.[...] In short, gardens will become civic infrastructure."
)


def kinds(quote: str) -> list[tuple[str, str]]:
    return [(d.kind, d.severity) for d in match_quote(quote, SOURCE).discrepancies]


def test_seed_like_quote_reports_three_unmarked_cuts_as_warnings() -> None:
    result = match_quote(SEED_LIKE, SOURCE)
    assert [(d.kind, d.severity) for d in result.discrepancies] == [
        ("unmarked_omission", "warning")
    ] * 3
    assert result.coverage == 1.0
    skipped = [d.source_excerpt for d in result.discrepancies]
    assert skipped[0].startswith("The debate is surfacing")
    assert skipped[1].startswith("I serve as coordinator")
    assert skipped[2] == "Gardens promote health and trust"


def test_marked_cut_is_accepted_and_pieces_are_located() -> None:
    quote = "Gardens play a vital role in helping to build health and trust [...] gardens will become civic infrastructure."
    result = match_quote(quote, SOURCE)
    assert result.discrepancies == []
    assert len(result.matches) == 2
    first, second = result.matches
    assert ARTICLE_TEXT[first.source_start : first.source_end].startswith("Gardens play")
    assert ARTICLE_TEXT[second.source_start : second.source_end].endswith("infrastructure")
    assert quote[second.quote_start : second.quote_end].startswith("gardens will")


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # a changed word
        ("Community gardens are the foundation for local resilience in cities.", "altered_wording"),
        # a number changed
        (
            "The trust estimates that its 41 gardens produced 13,500 kilograms of vegetables",
            "altered_wording",
        ),
        # "not" inserted
        (
            "Community gardens are not the bedrock for local resilience in cities.",
            "altered_wording",
        ),
        # a word dropped
        ("We are asking to be left alone on land else wants.", "altered_wording"),
        # first and last word changed
        ("Municipal gardens are the bedrock for local resilience in cities.", "altered_wording"),
        ("Community gardens are the bedrock for local resilience in suburbs.", "altered_wording"),
    ],
)
def test_word_changes_are_errors(quote: str, expected: str) -> None:
    found = kinds(quote)
    assert (expected, "error") in found, found


def test_changed_word_shows_both_sides() -> None:
    result = match_quote(
        "Community gardens are the foundation for local resilience in cities.", SOURCE
    )
    (d,) = result.discrepancies
    assert "foundation" in d.quote_excerpt and "bedrock" in d.source_excerpt
    assert "bedrock" not in d.quote_excerpt
    assert (
        d.message
        == "The quote says \u201cfoundation\u201d where the source says \u201cbedrock\u201d."
    )
    (added,) = match_quote(
        "Community gardens are not the bedrock for local resilience.", SOURCE
    ).discrepancies
    assert added.message == "The quote adds \u201cnot\u201d, which the source does not have."
    (dropped,) = match_quote(
        "Community gardens are bedrock for local resilience in cities.", SOURCE
    ).discrepancies
    assert dropped.message == "The quote leaves out \u201cthe\u201d."


def test_sentence_from_another_text_is_not_found() -> None:
    quote = (
        "Community gardens are the bedrock for local resilience in cities. "
        "Shopkeepers fear losing parking, while riders point to safer streets."
    )
    found = kinds(quote)
    assert found == [("quote_not_found", "error")]
    assert match_quote(quote, SOURCE).discrepancies[0].quote_excerpt.startswith("Shopkeepers")


def test_quote_against_wrong_text_is_not_found() -> None:
    result = match_quote(
        "Community gardens are the bedrock for local resilience in cities.", OTHER_ARTICLE_TEXT
    )
    assert not result.found
    assert [d.kind for d in result.discrepancies] == ["quote_not_found"]


def test_cut_inside_a_sentence_is_an_error() -> None:
    quote = "Gardens play a vital role in helping to build health and trust in short, gardens will become civic infrastructure."
    assert ("unmarked_omission", "error") in kinds(quote)


def test_cut_between_sentences_is_a_warning() -> None:
    quote = "Gardens play a vital role in helping to build health and trust in a neighbourhood. In short, gardens will become civic infrastructure."
    assert kinds(quote) == [("unmarked_omission", "warning")]


def test_reordered_sentences_are_reported() -> None:
    quote = "We are asking to be left alone on land nobody else wants. We are not asking for money,"
    found = kinds(quote)
    assert ("reordered", "warning") in found
    assert all(sev == "warning" for _, sev in found)


def test_reordered_pieces_are_reported() -> None:
    quote = "In short, gardens will become civic infrastructure. [...] Gardens play a vital role in helping to build health and trust"
    assert ("reordered", "warning") in kinds(quote)


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    toks = tokenize("Dr. Maria Okafor met J. R. Smith in the U.S. yesterday. Then she left.")
    starts = [toks.words[k] for k in range(len(toks)) if toks.starts_sentence(k)]
    assert starts == ["dr", "then"]


def test_split_at_cuts_variants() -> None:
    for cut in ["[...]", "[…]", "…", "...", "(...)", "[ . . . ]", ". . ."]:
        quote = f"first part of it {cut} second part"
        pieces = [quote[a:b].strip() for a, b in split_at_cuts(quote)]
        assert pieces == ["first part of it", "second part"], cut


# --- properties ----------------------------------------------------------------------------

_WORD_BOUNDARIES = [m.start() for m in re.finditer(r"(?<!\S)\S", ARTICLE_TEXT)]
_TYPOGRAPHY = [
    ("\u201c", '"'),
    ("\u201d", '"'),
    ('"', "\u201c"),
    ("'", "\u2019"),
    ("\u2019", "'"),
    (" - ", " \u2014 "),
    ("\u2014", "--"),
    (" ", "  "),
    (" ", "\n"),
    (" ", " \u00a0"),
    (", ", ",  "),
    ("-", "\u2010"),
]


@st.composite
def verbatim_spans(draw: st.DrawFn) -> str:
    i = draw(st.integers(0, len(_WORD_BOUNDARIES) - 8))
    j = draw(st.integers(i + 6, min(len(_WORD_BOUNDARIES) - 1, i + 90)))
    span = ARTICLE_TEXT[_WORD_BOUNDARIES[i] : _WORD_BOUNDARIES[j]].strip()
    for old, new in draw(st.lists(st.sampled_from(_TYPOGRAPHY), max_size=4)):
        span = span.replace(old, new)
    return span


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verbatim_spans())
def test_any_verbatim_span_with_typography_changes_has_no_discrepancy(span: str) -> None:
    assume(len(span) >= 12)
    result = match_quote(span, SOURCE)
    assert [d for d in result.discrepancies if d.severity == "error"] == []
    # Spans that run across blocks read as one quote: nothing is skipped, so nothing is reported.
    assert result.discrepancies == []
    assert result.coverage == 1.0


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    verbatim_spans(),
    st.data(),
    st.sampled_from(["replace", "insert", "delete"]),
    st.sampled_from(["not", "never", "cars", "2031", "seventeen", "private", "banks"]),
)
def test_any_one_word_change_is_an_error(
    span: str, data: st.DataObject, how: str, word: str
) -> None:
    words = span.split(" ")
    at = data.draw(st.integers(0, len(words) - 1))
    if how == "replace":
        words[at] = word
    elif how == "insert":
        words.insert(at, word)
    else:
        assume(len(words) > 6)
        del words[at]
    quote = " ".join(words)
    assume(len(quote) >= 12)
    qtokens = tokenize(quote).words
    assume(not _contains(SOURCE.words, qtokens))  # the change must make it differ from the source
    result = match_quote(quote, SOURCE)
    assert any(d.severity == "error" for d in result.discrepancies), (quote, result.discrepancies)


def test_spacing_before_an_apostrophe_is_typography_but_the_apostrophe_is_not() -> None:
    source = tokenize("Emirates ordered 30 of Boeing\u2019s jets. It\u2019s late, its staff said.")
    assert match_quote("Emirates ordered 30 of Boeing 's jets.", source).discrepancies == []
    assert (
        match_quote("ordered 30 of Boeing's jets. It's late, its staff said.", source).discrepancies
        == []
    )
    (d,) = match_quote(
        "ordered 30 of Boeing's jets. Its late, its staff said.", source
    ).discrepancies
    assert d.kind == "altered_wording"


def test_scattered_common_phrases_are_not_a_reordering() -> None:
    quote = (
        "Community gardens are the bedrock for local resilience in cities. "
        "Riders say the lanes are safer as well as the cheapest way to grow in the first place."
    )
    kinds_found = kinds(quote)
    assert ("quote_not_found", "error") in kinds_found
    assert ("reordered", "warning") not in kinds_found


def test_two_common_words_do_not_place_a_short_quote() -> None:
    assert kinds("Keep up with the Daily newsletter today.") == [("quote_not_found", "error")]


def test_a_changed_list_number_is_a_changed_word() -> None:
    source = tokenize("Tips for guests:\n6. Check the peep hole has not been tampered with\n")
    (d,) = match_quote("9. Check the peep hole has not been tampered with", source).discrepancies
    assert (
        d.kind == "altered_wording"
        and "\u201c9\u201d" in d.message
        and "\u201c6\u201d" in d.message
    )
