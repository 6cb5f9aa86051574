"""The matcher's shortcuts give what the long way gives, bit for bit.

A stretch known to be one exact run scores 100 without rapidfuzz, equal words score 100 without
it, a piece its runs cover whole keeps them without looking for its sentences, one piece has no
order to check, and a cut with no quote words at its edges needs no edge search. The reference
is the former matcher (tests/judge_speed_support.py), which has none of these shortcuts.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from bot import matcher
from bot.textnorm import tokenize
from tests import judge_speed_support as former
from tests.test_judge_speed_equivalence import _summary

_WORDS = ["the", "cat", "sat", "on", "mat", "and", "then", "it", "rained", "Dogs", "bark", "é"]
_ENDS = [" ", " ", " ", " ", ". ", ", ", "! ", "\n", "\n\n"]
_source = st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_ENDS)), max_size=80)


def _text(pairs: list[tuple[str, str]]) -> str:
    return "".join(word + end for word, end in pairs)


@st.composite
def _quote_and_source(draw: st.DrawFn) -> tuple[str, str]:
    """A stretch of the source, then edited: words changed, dropped, added, cuts marked."""
    pairs = draw(_source)
    a = draw(st.integers(0, len(pairs)))
    b = draw(st.integers(a, len(pairs)))
    quote = list(pairs[a:b])
    for _ in range(draw(st.integers(0, 4))):
        if not quote:
            break
        i = draw(st.integers(0, len(quote) - 1))
        edit = draw(st.sampled_from(["change", "drop", "add", "cut", "dup", "stray"]))
        if edit == "change":
            quote[i] = (draw(st.sampled_from([*_WORDS, "zebra"])), quote[i][1])
        elif edit == "drop":
            del quote[i]
        elif edit == "add":
            quote.insert(i, (draw(st.sampled_from([*_WORDS, "zebra"])), " "))
        elif edit == "cut":
            quote.insert(i, ("[...]", " "))
        elif edit == "dup":
            quote[i:i] = quote[: draw(st.integers(1, 5))]
        else:  # a sentence the source lacks, holding a phrase it has
            j = draw(st.integers(0, max(0, len(pairs) - 3)))
            phrase = [(word, " ") for word, _ in pairs[j : j + 3]]
            foreign = [("Zebras", " "), ("never", " "), ("sing", " "), *phrase, ("loudly", ". ")]
            quote[i:i] = foreign[: draw(st.integers(3, len(foreign)))]
    return _text(quote), _text(pairs)


@settings(max_examples=1500, deadline=None)
@given(_quote_and_source())
@example(("the cat sat. Dogs bark", "the cat sat. Dogs bark"))
@example(("the cat sat on the mat [...] Dogs bark", "the cat sat on the mat. It rained. Dogs bark"))
@example(("the cat sat zebra the mat and then", "the cat sat on the mat and then"))
@example(
    (
        "Alpha beta gamma delta epsilon zeta. Zebras never ever sing in the first place loudly.",
        "Alpha beta gamma delta epsilon zeta. Dogs bark at night in the first place too.",
    )
)
def test_the_shortcuts_change_no_result(case: tuple[str, str]) -> None:
    quote, source = case
    tokens = tokenize(source)
    prepared = matcher.prepare_quote(quote)
    fast = matcher._Aligner(prepared, tokens).run()
    assert _summary(fast) == _summary(former.match_quote(quote, tokenize(source)))


def test_equal_words_score_exactly_one() -> None:
    """What the shortcut relies on: rapidfuzz scores equal word lists exactly 1.0."""
    for words in (["a"], ["the", "cat", "é", "'s"], [f"w{i}" for i in range(300)]):
        assert Indel.normalized_similarity(words, list(words)) == 1.0
        assert round(Indel.normalized_similarity(words, list(words)) * 100, 1) == 100.0
