"""The fast paths of extraction and tokenisation give exactly what the straightforward code gives.

Each speed-up is compared with a plain reference implementation (kept in
``tests/speedups_support.py``) on the sample texts and on generated input full of the characters
that make the cases differ: invisible characters, apostrophes of every kind, digits with
separators, compatibility forms, white space of every kind, line breaks.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.textnorm import tokenize
from tests.sample_texts import ARTICLE_BLOCKS, ARTICLE_TEXT, OTHER_ARTICLE_TEXT
from tests.speedups_support import reference_tokens

TRICKY = (
    "ab1 ,.'\u2019`\u00b4\u2032\u02bc\u2018\u00ad\u200b\u200c\u200d\u2060\ufeff\n\t\u00a0\u2028"
    "\u00c9\u00e9\u0301\ufb01\u2460\u00b2\u03a3\u03c2_-"
)
tricky_text = st.lists(
    st.sampled_from([*TRICKY, "'s", "\u2019re", "`ll", "1,000", "8.8", "2,50", "Boeing"]),
    max_size=40,
).map("".join)


def _tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    tokens = tokenize(text)
    return tokens.words, tokens.starts, tokens.ends


def test_tokenize_matches_reference_on_sample_texts() -> None:
    for text in [ARTICLE_TEXT, OTHER_ARTICLE_TEXT, "\n\n".join(ARTICLE_BLOCKS), ""]:
        assert _tokens(text) == reference_tokens(text)


@settings(max_examples=400)
@given(tricky_text)
def test_tokenize_matches_reference_on_tricky_text(text: str) -> None:
    assert _tokens(text) == reference_tokens(text)


@given(st.text(max_size=80))
def test_tokenize_matches_reference_on_any_text(text: str) -> None:
    assert _tokens(text) == reference_tokens(text)
