"""The fast judging code gives exactly what the former code gave (tests/judge_speed_support.py).

Runs, chains, marked cuts, sentence starts, the tokeniser's range-table pattern, whole matches and
the choice between article and page are compared with the former code on generated input: small
vocabularies so that words repeat (many runs, ties in the chain), sizes that reach the caps on
candidates and runs, and the characters that make sentences and cuts.
"""

from __future__ import annotations

import random
import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import matcher, textnorm
from bot.extract import Block, PageMeta, _assemble
from bot.matcher import MatchResult, match_quote
from bot.textnorm import Tokens, split_at_cuts, tokenize
from bot.verify import judge_text
from tests import judge_speed_support as former
from tests.sample_texts import ARTICLE_BLOCKS, ARTICLE_TEXT, OTHER_ARTICLE_TEXT
from tests.speedups_support import reference_tokens

VOCAB = ["a", "b", "c", "d", "the", "of"]
words = st.lists(st.sampled_from(VOCAB), max_size=60)
hints = st.none() | st.integers(min_value=-5, max_value=70)


def _spans(runs: list[Any]) -> list[tuple[int, int, int]]:
    return [(r.q, r.s, r.n) for r in runs]


def _summary(m: Any) -> tuple[Any, ...]:
    """Everything a match result holds, the pieces' runs as plain tuples."""
    return (
        m.discrepancies,
        m.matches,
        m.quote_words,
        m.matched_words,
        [(p.q_start, p.q_end, _spans(p.runs)) for p in m.pieces],
    )


# --------------------------------------------------------------------------- runs and chains


@settings(max_examples=400)
@given(words, words, st.integers(min_value=1, max_value=3))
def test_find_runs_equals_former(q: list[str], s: list[str], k: int) -> None:
    assert _spans(matcher.find_runs(q, s, k)) == _spans(former.find_runs(q, s, k))


def test_find_runs_equals_former_at_the_caps() -> None:
    """Over 400 places for one k-gram and over 600 runs: the same ones are kept."""
    rng = random.Random(3)
    sizes = []
    for n, vocab in [(3000, ["a", "b"]), (5000, ["a", "b", "c"]), (2000, ["a"])]:
        s = [rng.choice(vocab) for _ in range(n)]
        for k in (1, 2, 3):
            q = [rng.choice(vocab) for _ in range(40)]
            old = former.find_runs(q, s, k)
            assert _spans(matcher.find_runs(q, s, k)) == _spans(old)
            sizes.append(len(old))
    assert max(sizes) == former.MAX_RUNS  # the cap was reached


@settings(max_examples=400)
@given(words, words, st.integers(min_value=1, max_value=3), hints)
def test_chain_runs_equals_former(q: list[str], s: list[str], k: int, hint: int | None) -> None:
    runs = former.find_runs(q, s, k)
    new = matcher.chain_runs([matcher.Run(r.q, r.s, r.n) for r in runs], hint)
    assert _spans(new) == _spans(former.chain_runs(runs, hint))


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=30),
            st.integers(min_value=0, max_value=60),
            st.integers(min_value=1, max_value=8),
        ),
        max_size=40,
        unique_by=lambda r: (r[0], r[1]),
    ),
    hints,
)
def test_chain_runs_equals_former_on_arbitrary_runs(
    spans: list[tuple[int, int, int]], hint: int | None
) -> None:
    """Overlapping runs, equal scores, jumps back and forth: the same chain."""
    spans.sort()
    new = matcher.chain_runs([matcher.Run(*r) for r in spans], hint)
    assert _spans(new) == _spans(former.chain_runs([former.Run(*r) for r in spans], hint))


# --------------------------------------------------------------------------- cuts and sentences

cut_text = st.lists(
    st.sampled_from(["[", "]", "(", ")", ".", "…", " ", "\n", "\u00a0", "a", "b", "...", ". "]),
    max_size=30,
).map("".join)


@settings(max_examples=400)
@given(cut_text)
@example("a [...] b")
@example("a . . . b")
@example("a (…) b")
def test_split_at_cuts_equals_former(quote: str) -> None:
    assert split_at_cuts(quote) == former.split_at_cuts(quote)


sentence_text = st.lists(
    st.sampled_from(
        [
            "Dr",
            "word",
            "a",
            "e",
            " ",
            "  ",
            ".",
            ". ",
            "!",
            "?",
            "…",
            "\n",
            "\n\n",
            "\r\n",
            "”",
            "8.8",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300)
@given(sentence_text, st.booleans(), st.integers(-2, 30), st.integers(-2, 30))
def test_sentence_starts_equal_asking_every_word(
    text: str, block_breaks_newline: bool, a: int, b: int
) -> None:
    tokens = tokenize(text, block_breaks_newline=block_breaks_newline)
    fresh = tokenize(text, block_breaks_newline=block_breaks_newline)
    assert tokens.sentence_starts(a, b) == [k for k in range(a, b) if fresh.starts_sentence(k)]


# --------------------------------------------------------------------------- the tokeniser


def test_range_tables_equal_the_regex_engine_categories() -> None:
    """The spelt-out classes hold exactly the BMP characters of [^\\W_] and \\d."""
    bmp = "".join(map(chr, range(0x10000)))
    alnum, decimal = textnorm._class_of(str.isalnum), textnorm._class_of(str.isdecimal)
    assert re.findall(f"[{alnum}]", bmp) == re.findall(r"[^\W_]", bmp)
    assert re.findall(f"[{decimal}]", bmp) == re.findall(r"\d", bmp)


bmp_text = st.text(
    alphabet=st.characters(max_codepoint=0xFFFF, exclude_characters=textnorm._INVISIBLE),
    max_size=80,
) | st.lists(
    st.sampled_from(["8.8", "1,000", "2,50", "’s", "'S", "ʼre", "`ll", "٣.٤", "x", " ", ".", ","]),
    max_size=30,
).map("".join)


@settings(max_examples=400)
@given(bmp_text)
@example("Boeing’s 1,000.5 ʼs")
def test_range_table_pattern_splits_like_the_category_pattern(text: str) -> None:
    assert textnorm._bmp_split_re().split(text) == textnorm._PLAIN_SPLIT_RE.split(text)
    tokens = tokenize(text)
    assert (tokens.words, tokens.starts, tokens.ends) == reference_tokens(text)


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            ["\U0001d7d8.\U0001d7d9", "\U0001f600", "\ud800", "é", "8.8", "a", " ", "’s"]
        ),
        max_size=20,
    ).map("".join)
)
@example("\U0001d7d8.\U0001d7d9 words")  # digits beyond the BMP: the range tables lack them
@example("it\ud800’s")  # a lone surrogate counts one unit in UTF-16, like any BMP character
def test_text_beyond_the_bmp_is_split_like_the_reference(text: str) -> None:
    tokens = tokenize(text)
    assert (tokens.words, tokens.starts, tokens.ends) == reference_tokens(text)


# --------------------------------------------------------------------------- whole matches

SOURCES = [ARTICLE_TEXT, OTHER_ARTICLE_TEXT, "\n\n".join(ARTICLE_BLOCKS)]
CUTS = [" [...] ", " … ", " (...) ", "... "]


@st.composite
def quotes(draw: st.DrawFn, text: str) -> str:
    """A stretch of ``text``, changed the ways real misquotes are."""
    pieces = re.findall(r"\S+\s*", text)
    a = draw(st.integers(0, len(pieces) - 1))
    b = draw(st.integers(a + 1, min(len(pieces), a + 70)))
    quote = pieces[a:b]
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(quote) - 1))
        change = draw(st.sampled_from(["drop", "swap", "add", "cut", "skip", "foreign"]))
        if change == "drop":
            del quote[i]
        elif change == "swap":
            quote[i] = draw(st.sampled_from(["not ", "never ", "41 ", "gardens ", "the "]))
        elif change == "add":
            quote.insert(i, draw(st.sampled_from(["very ", "the ", "Bicycle "])))
        elif change == "cut":
            quote.insert(i, draw(st.sampled_from(CUTS)))
        elif change == "skip":
            del quote[i : i + draw(st.integers(2, 12))]
        else:
            quote.insert(i, "Nobody here ever said such a thing about parking. ")
        if not quote:
            quote = pieces[a:b]
    return "".join(quote)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from(range(len(SOURCES))))
def test_match_quote_equals_former(data: st.DataObject, which: int) -> None:
    text = SOURCES[which]
    quote = data.draw(quotes(text) | quotes(ARTICLE_TEXT))
    new: MatchResult = match_quote(quote, tokenize(text))
    assert _summary(new) == _summary(former.match_quote(quote, tokenize(text)))


def test_match_quote_equals_former_on_repetitive_text() -> None:
    """Many runs of common words (the chain's ties and caps) and quotes in no source."""
    rng = random.Random(11)
    vocab = ["the", "of", "and", "a", "garden", "land.", "city,", "\n", "Trust"]
    text = " ".join(rng.choice(vocab) for _ in range(4000))
    for _ in range(30):
        quote = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 40)))
        assert _summary(match_quote(quote, text)) == _summary(former.match_quote(quote, text))


# --------------------------------------------------------------------------- article or page

BLOCKS = [*ARTICLE_BLOCKS, OTHER_ARTICLE_TEXT]


@settings(max_examples=150, deadline=None)
@given(st.data(), st.lists(st.booleans(), min_size=len(BLOCKS), max_size=len(BLOCKS)))
def test_judge_text_equals_former(data: st.DataObject, main: list[bool]) -> None:
    """The quote is tokenised once for the article and the page; the choice is unchanged."""
    page = _assemble(
        PageMeta(), [Block(t, "paragraph", m) for t, m in zip(BLOCKS, main, strict=True)]
    )
    quote = data.draw(quotes(page.full_text))
    new = judge_text(quote, page)
    match, text, region = former.judge_text(quote, page)
    assert (_summary(new.match), new.text, new.region) == (_summary(match), text, region)


def test_tokens_of_a_prepared_quote_equal_tokenize() -> None:
    prepared = matcher.prepare_quote("Gardens [...] play a vital role … in short.")
    plain: Tokens = tokenize(prepared.text, block_breaks_newline=False)
    assert prepared.tokens.words == plain.words
    assert [plain.words[a:b] for a, b in prepared.pieces] == [
        ["gardens"],
        ["play", "a", "vital", "role"],
        ["in", "short"],
    ]
