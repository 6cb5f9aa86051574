"""The fast paths of bot/_fasttokens.c's exact_runs over Words agree with the Python loop.

exact_runs looks a source word up in a direct table of the quote words' keys (one slot a key);
a slot two quote keys share sends its words to the probing table. Many distinct quote words
make such shared slots; long and non-ASCII words have hashed keys, checked by their letters.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import matcher
from bot.textnorm import tokenize

fasttokens = pytest.importorskip("bot._fasttokens")

# Short ASCII words (packed keys), long ones and non-ASCII ones (hashed keys), numbers with
# separators and clitics (words normalised on the way), words equal but for case.
_PIECES = [
    *(f"w{i}" for i in range(60)),
    *(f"longerword{i}" for i in range(20)),
    *(f"caf\u00e9{i}" for i in range(10)),
    "1,234",
    "1234",
    "it's",
    "The",
    "the",
    "THE",
    "na\u00efve",
    "NA\u00cfVE",
    "abcdefg",
    "abcdefgh",
]
_text = st.lists(st.sampled_from(_PIECES), max_size=150).map(" ".join)


def _python_runs(q: list[str], s: list[str], k: int, offset: int, cap: int) -> list:
    saved = matcher.MAX_CANDIDATES_PER_GRAM
    try:
        matcher.MAX_CANDIDATES_PER_GRAM = cap
        return matcher._exact_runs_python(q, s, k, offset) if len(q) >= k <= len(s) else []
    finally:
        matcher.MAX_CANDIDATES_PER_GRAM = saved


@settings(max_examples=600, deadline=None)
@given(_text, _text, st.integers(1, 3), st.integers(0, 9), st.integers(1, 6), st.booleans())
def test_exact_runs_over_words_equal_the_python_loop(
    quote: str, source: str, k: int, offset: int, cap: int, read_first: bool
) -> None:
    q = list(tokenize(quote).words)
    words = tokenize(source).words
    if read_first:
        list(words)  # every word's str made and kept: letters compared through it
    expected = _python_runs(q, list(tokenize(source).words), k, offset, cap)
    assert fasttokens.exact_runs(q, words, k, offset, cap) == expected


@pytest.mark.parametrize("distinct", [1, 7, 8, 9, 64, 500, 3000])
def test_exact_runs_with_many_distinct_quote_words(distinct: int) -> None:
    """Many quote words fill the direct table with shared slots; every word is still found."""
    rng = random.Random(distinct)
    vocab = [f"v{i}" for i in range(distinct)] + [f"word{i}x\u00e9" for i in range(distinct)]
    quote = " ".join(rng.choice(vocab) for _ in range(2 * distinct + 3))
    source = " ".join(rng.choice([*vocab, "other", "x"]) for _ in range(8 * distinct + 50))
    q = list(tokenize(quote).words)
    words = tokenize(source).words
    for k in (1, 2, 3):
        expected = _python_runs(q, list(words), k, 3, matcher.MAX_CANDIDATES_PER_GRAM)
        assert fasttokens.exact_runs(q, tokenize(source).words, k, 3, 400) == expected
        assert expected or k > 1  # the test looks at runs, not only at their absence
