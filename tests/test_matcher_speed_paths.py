"""The matcher's shortcuts give what the long way gives, bit for bit.

A stretch known to be one exact run scores 100 without rapidfuzz, equal words score 100 without
it, a piece its runs cover whole keeps them without looking for its sentences, one piece has no
order to check, and a cut with no quote words at its edges needs no edge search. The reference below is the matcher without those shortcuts.
"""

from __future__ import annotations

import bisect
import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel, Levenshtein

from bot import matcher
from bot.models import Match
from bot.textnorm import tokenize


class _LongWay(matcher._Aligner):
    """The aligner as it was before the shortcuts."""

    def _emit_match(self, qa: int, qb: int, sa: int, sb: int, same: bool = False) -> None:
        if qa >= qb or sa >= sb:
            return
        score = Indel.normalized_similarity(self.q.words[qa:qb], self.s.words[sa:sb]) * 100
        q0, q1 = self.q.span(qa, qb)
        s0, s1 = self.s.span(sa, sb)
        self.matches.append(Match(q0, q1, s0, s1, round(score, 1)))

    def _drop_stray_runs(self, chain: list[matcher.Run], qa: int, qb: int) -> list[matcher.Run]:
        bounds = [qa, *self.q.sentence_starts(qa + 1, qb), qb]
        if len(bounds) <= 2:
            return chain
        kept: list[matcher.Run] = []
        for r in chain:
            i = bisect.bisect_right(bounds, r.q) - 1
            a, b = bounds[i], bounds[i + 1]
            covered = sum(max(0, min(x.q_end, b) - max(x.q, a)) for x in chain)
            if r.q_end <= b and covered < matcher.STRAY_SENTENCE_COVERAGE * (b - a):
                continue
            kept.append(r)
        return kept

    def _split_edges(
        self, qa: int, qb: int, sa: int, sb: int
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        q = self.q.words[qa:qb]
        s = self.s.words[sa:sb]
        best: tuple[int, tuple[int, int], tuple[int, int]] | None = None
        for split in range(len(q) + 1):
            head, tail = q[:split], q[split:]
            for hs in {len(head), max(0, len(head) - 1), len(head) + 1}:
                for ts in {len(tail), max(0, len(tail) - 1), len(tail) + 1}:
                    if hs + ts > len(s):
                        continue
                    cost = Levenshtein.distance(head, s[:hs]) + Levenshtein.distance(
                        tail, s[len(s) - ts :]
                    )
                    if best is None or cost < best[0]:
                        best = (cost, (len(head), hs), (len(tail), ts))
        if best is None:
            return (0, 0), (len(q), 0)
        return best[1], best[2]

    def _check_piece_order(self, pieces: list[matcher.PieceAlignment]) -> None:
        located = [p for p in pieces if p.runs]
        for before, after in itertools.pairwise(located):
            assert before.s_start is not None and after.s_start is not None
            if after.s_start < before.s_start:
                self._add(
                    "reordered",
                    "warning",
                    "Parts of the quote appear in the source in another order.",
                    self._qx(after.q_start, min(after.q_end, after.q_start + 8)),
                    self._sx(after.runs[0].s, after.runs[0].s_end),
                    at=after.q_start,
                )


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
    slow = _LongWay(matcher.prepare_quote(quote), tokenize(source)).run()
    assert repr(fast) == repr(slow)


def test_equal_words_score_exactly_one() -> None:
    """What the shortcut relies on: rapidfuzz scores equal word lists exactly 1.0."""
    for words in (["a"], ["the", "cat", "é", "'s"], [f"w{i}" for i in range(300)]):
        assert Indel.normalized_similarity(words, list(words)) == 1.0
        assert round(Indel.normalized_similarity(words, list(words)) * 100, 1) == 100.0
