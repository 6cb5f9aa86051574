"""textnorm._cuts finds exactly the cuts CUT_RE.finditer finds, split_at_cuts what it did, and
prepare_quote (which skips split_at_cuts for a quote without cut marks) the same pieces."""

from __future__ import annotations

import bisect

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import matcher
from bot.textnorm import CUT_RE, _cuts, split_at_cuts, tokenize
from tests import judge_speed_support as former  # split_at_cuts as it was: CUT_RE.finditer

# Every character a cut mark is made of, white space of several kinds, and letters.
_CHARS = [" ", "  ", "\n", "\t", "\u00a0", "\u2009", ".", ". ", "[", "]", "(", ")", "…", "a", "Wo"]
_text = st.lists(st.sampled_from(_CHARS), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_text)
@example("a . . . b")
@example("a  [ . . . ]  b ( … ) c")
@example("a. . .b ... c…d")
@example("(( [ …. . . . ]")
@example(" \u00a0 ...")
def test_cuts_are_those_of_finditer(quote: str) -> None:
    assert list(_cuts(quote)) == [m.span() for m in CUT_RE.finditer(quote)]
    assert split_at_cuts(quote) == former.split_at_cuts(quote)


def _pieces_the_long_way(quote: str) -> tuple[tuple[int, int], ...]:
    """prepare_quote's pieces as it found them: split_at_cuts, then the tokens of each."""
    starts = tokenize(quote, block_breaks_newline=False).starts
    pieces = []
    for a, b in former.split_at_cuts(quote):
        qa, qb = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        if qa < qb:
            pieces.append((qa, qb))
    return tuple(pieces)


# Letters, an invisible character alone (a token TOKEN_RE finds but tokenize drops), clitics,
# numbers, punctuation and cut marks.
_QUOTE_PARTS = [*_CHARS, "\u00ad", "\u200b", "'s", "\u2019", "1,000", "_", "-", "é", "Ÿ", "!"]
_quote = st.lists(st.sampled_from(_QUOTE_PARTS), max_size=30).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_quote)
@example("\u00ad")
@example("")
@example("_ - !")
@example("a b c")
def test_prepared_pieces_are_those_of_split_at_cuts(quote: str) -> None:
    assert matcher.prepare_quote(quote).pieces == _pieces_the_long_way(quote)
