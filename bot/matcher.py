"""Locating a quote in a source text and saying exactly which words differ.

Seed and extend, as sequence aligners do: exact runs of at least K words are found through an
index of the quote's K-grams, chained in order (the best-scoring monotonic chain), and every gap
between chained runs is aligned word by word with rapidfuzz to classify what happened there: a
changed, added or dropped word, an unmarked cut, a sentence that is not in the source. Cost grows
linearly with the source length; the quote is small.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from bot.models import Discrepancy, Match
from bot.textnorm import (
    _FAST_TOKENS,
    Tokens,
    WordList,
    may_hold_cuts,
    split_at_cuts,
    tokenize,
)

# A run of fewer source words than this between two matched stretches is a wording change;
# longer, it is a cut (unless it is whole sentences, which is always a cut).
OMISSION_MIN_WORDS = 4
# Below this word similarity an unmatched quote stretch counts as "not in the source".
NOT_FOUND_SIMILARITY = 0.5
# Without any exact run, more of the words must agree before the stretch counts as located.
FUZZY_WORD_SIMILARITY = 0.6
# Share of an unplaced stretch that must stand together elsewhere to count as reordered.
REORDERED_MIN_COVERAGE = 0.8
# The character-level score a window needs before its words are compared (no exact run found).
FUZZY_WINDOW_MIN_SCORE = 80
# A sentence with less than this share of its words in matched runs is not in the source.
STRAY_SENTENCE_COVERAGE = 0.5
# Fewest words that must match exactly, in order, for a piece to count as located.
MIN_LOCATED_WORDS = 3
MAX_CANDIDATES_PER_GRAM = 400
MAX_RUNS = 600


@dataclass(frozen=True)
class Run:
    """Quote tokens q..q+n equal source tokens s..s+n."""

    q: int
    s: int
    n: int

    @property
    def q_end(self) -> int:
        return self.q + self.n

    @property
    def s_end(self) -> int:
        return self.s + self.n


@dataclass
class PieceAlignment:
    """How one piece of the quote (between marked cuts) sits in the source."""

    q_start: int  # token range of the piece in the quote
    q_end: int
    runs: list[Run] = field(default_factory=list)

    @property
    def s_start(self) -> int | None:
        return self.runs[0].s if self.runs else None

    @property
    def s_end(self) -> int | None:
        return self.runs[-1].s_end if self.runs else None


@dataclass
class MatchResult:
    discrepancies: list[Discrepancy]
    matches: list[Match]
    quote_words: int
    matched_words: int
    pieces: list[PieceAlignment]

    @property
    def coverage(self) -> float:
        return self.matched_words / self.quote_words if self.quote_words else 0.0

    @property
    def found(self) -> bool:
        """Some part of the quote was located in the source."""
        return self.matched_words > 0

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.discrepancies if d.severity == "error")


def _gram_size(piece_len: int) -> int:
    if piece_len >= 8:
        return 3
    if piece_len >= 3:
        return 2
    return 1


# A run as the inner loops handle it: (quote index, source index, length); a tuple costs a tenth
# of a Run to make.
_Span = tuple[int, int, int]


def find_runs(q: list[str], s: WordList, k: int) -> list[Run]:
    """Maximal exact runs (at least ``k`` words) shared by ``q`` and ``s``."""
    return [Run(*r) for r in _exact_runs(q, s, k)]


def _exact_runs(q: list[str], s: WordList, k: int, q_offset: int = 0) -> list[_Span]:
    """``find_runs`` as spans, their quote indices shifted by ``q_offset``."""
    nq, n = len(q), len(s)
    if nq < k or n < k:
        return []
    if _FAST_RUNS is not None and k >= 1:
        runs = _FAST_RUNS(q, s, k, q_offset, MAX_CANDIDATES_PER_GRAM)
    else:
        runs = _exact_runs_python(q, s, k, q_offset)
    if len(runs) > MAX_RUNS:
        runs.sort(key=lambda r: -r[2])
        runs = runs[:MAX_RUNS]
    runs.sort()  # by quote then source index: no two runs start at the same pair
    return runs


def _exact_runs_python(q: list[str], s: WordList, k: int, q_offset: int) -> list[_Span]:
    """The runs before the cut and the sort: bot/_fasttokens.c's exact_runs does the same."""
    nq, n = len(q), len(s)
    grams: dict[tuple[str, ...], list[int]] = {}
    for i in range(nq - k + 1):
        gram = tuple(q[i : i + k])
        if gram in grams:
            grams[gram].append(i)
        else:
            grams[gram] = [i]
    # One byte per source word, 1 where the quote has the word: a k-gram of the quote can only
    # start where k ones follow each other, which find() finds without a Python loop.
    marks = bytearray(map(set(q).__contains__, s))
    find = marks.find
    ones = b"\x01" * k
    positions: dict[tuple[str, ...], list[int]] = {}
    j = find(ones)
    while j >= 0:
        gram = tuple(s[j : j + k])
        if gram in grams:
            found = positions.get(gram)
            if found is None:
                positions[gram] = [j]
            elif len(found) < MAX_CANDIDATES_PER_GRAM:
                found.append(j)
        j = find(ones, j + 1)
    runs: list[_Span] = []
    for gram, qs in grams.items():
        js = positions.get(gram)
        if js is None:
            continue
        for i in qs:
            for j in js:
                if i > 0 and j > 0 and q[i - 1] == s[j - 1]:
                    continue  # not the start of a maximal run
                length = k
                while i + length < nq and j + length < n and q[i + length] == s[j + length]:
                    length += 1
                runs.append((i + q_offset, j, length))
    return runs


# The same runs in C (bot/_fasttokens.c), when textnorm loaded that module.
_FAST_RUNS: Callable[[list[str], WordList, int, int, int], list[_Span]] | None = (
    _FAST_TOKENS.exact_runs if _FAST_TOKENS is not None else None
)


def _jump_penalty(distance: int) -> float:
    return 0.5 * math.log2(1 + abs(distance) / 20)


def chain_runs(runs: list[Run], hint: int | None = None) -> list[Run]:
    """The best chain of runs in order in both quote and source, trimming overlaps in the quote.

    Score = words covered, less a small penalty growing with the log of each jump in the source,
    so that a repeated phrase is taken where the rest of the quote is.
    """
    return [Run(*r) for r in _best_chain([(r.q, r.s, r.n) for r in runs], hint)]


def _best_chain_python(runs: list[_Span], hint: int | None = None) -> list[_Span]:
    """``chain_runs`` on spans sorted by quote then source index (bot/_fasttokens.c's
    best_chain does the same, step for step)."""
    if not runs:
        return []
    log2 = math.log2
    best: list[float] = []
    prev: list[int] = []
    trimmed: list[_Span] = []
    q_ends: list[int] = []  # of the trimmed runs
    s_ends: list[int] = []
    for idx, (rq, rs, rn) in enumerate(runs):
        start_pen = _jump_penalty(rs - hint) * 0.5 if hint is not None else 0.0
        best_score, best_prev, best_run = rn - start_pen, -1, (rq, rs, rn)
        for p in range(idx):
            # The score through p is at most best[p] + rn (trimming only shortens the run and a
            # penalty is never negative), so a predecessor that cannot beat the best so far
            # needs no closer look: skipping it leaves the same choice, ties included.
            if best[p] + rn <= best_score:
                continue
            overlap = q_ends[p] - rq
            if overlap > 0:
                if overlap >= rn:
                    continue
                cq, cs, cn = rq + overlap, rs + overlap, rn - overlap
            else:
                cq, cs, cn = rq, rs, rn
            ps_end = s_ends[p]
            if cs < ps_end:
                continue
            score = best[p] + cn - 0.5 * log2(1 + (cs - ps_end) / 20)  # _jump_penalty, inlined
            if score > best_score:
                best_score, best_prev, best_run = score, p, (cq, cs, cn)
        best.append(best_score)
        prev.append(best_prev)
        trimmed.append(best_run)
        q_ends.append(best_run[0] + best_run[2])
        s_ends.append(best_run[1] + best_run[2])
    end = max(range(len(runs)), key=best.__getitem__)
    chain: list[_Span] = []
    while end >= 0:
        chain.append(trimmed[end])
        end = prev[end]
    chain.reverse()
    # Trimming against one predecessor may leave overlaps with the chosen one: re-trim.
    fixed: list[_Span] = []
    for q, s, n in chain:
        if fixed and q < fixed[-1][0] + fixed[-1][2]:
            cut = fixed[-1][0] + fixed[-1][2] - q
            if cut >= n:
                continue
            q, s, n = q + cut, s + cut, n - cut
        fixed.append((q, s, n))
    return fixed


# The chain search in C (bot/_fasttokens.c), when textnorm loaded that module.
_best_chain: Callable[[list[_Span], int | None], list[_Span]] = (
    _FAST_TOKENS.best_chain if _FAST_TOKENS is not None else _best_chain_python
)


@dataclass(frozen=True)
class PreparedQuote:
    """A quote's tokens and pieces, made once for matching it against several texts."""

    text: str
    tokens: Tokens
    pieces: tuple[tuple[int, int], ...]  # token ranges between marked cuts, none empty


def prepare_quote(quote: str) -> PreparedQuote:
    """Tokenise ``quote`` and find its pieces once (judge_text matches it twice)."""
    tokens = tokenize(quote, block_breaks_newline=False)
    if not may_hold_cuts(quote):
        # One piece, the whole quote: its tokens, if any (a text without tokens is one that
        # TOKEN_RE finds nothing in, which split_at_cuts would leave without a piece).
        return PreparedQuote(quote, tokens, ((0, len(tokens)),) if len(tokens) else ())
    starts = tokens.starts
    pieces = []
    for a, b in split_at_cuts(quote):
        # the first token at or after each end (starts are sorted)
        qa, qb = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        if qa < qb:
            pieces.append((qa, qb))
    return PreparedQuote(quote, tokens, tuple(pieces))


class _Aligner:
    """Aligns one quote against one source and collects discrepancies."""

    def __init__(self, quote: PreparedQuote, source: Tokens) -> None:
        self.quote = quote
        self.q = quote.tokens
        self.s = source
        self.discrepancies: list[Discrepancy] = []
        self.matches: list[Match] = []
        self.matched = 0
        self._piece_runs: list[_Span] = []
        self._found: list[tuple[int, int, Discrepancy]] = []
        self._changes: list[tuple[int, int, int, int]] = []

    # -- excerpts ---------------------------------------------------------------------------
    def _qx(self, a: int, b: int) -> str:
        return self.q.excerpt(a, b)

    def _sx(self, a: int, b: int) -> str:
        return self.s.excerpt(a, b)

    def _add(self, kind: str, severity: str, message: str, qx: str, sx: str, *, at: int) -> None:
        """Record a discrepancy; ``at`` (a quote word index) orders the report as the quote reads."""
        disc = Discrepancy(kind, severity, message, qx, sx)  # type: ignore[arg-type]
        self._found.append((at, len(self._found), disc))

    def _altered(self, a: int, b: int, c: int, d: int) -> None:
        self._changes.append((a, b, c, d))

    def _merge_changes(self) -> None:
        """One report per stretch of changed words: neighbouring edits read as one change."""
        merged: list[tuple[int, int, int, int]] = []
        for a, b, c, d in sorted(self._changes):
            if merged and a <= merged[-1][1] + 2 and c <= merged[-1][3] + 2:
                pa, pb, pc, pd = merged[-1]
                merged[-1] = (pa, max(pb, b), pc, max(pd, d))
                continue
            merged.append((a, b, c, d))
        for a, b, c, d in merged:
            said, source = _words(self.q, a, b), _words(self.s, c, d)
            if not said:
                message = f"The quote leaves out “{source}”."
            elif not source:
                message = f"The quote adds “{said}”, which the source does not have."
            else:
                message = f"The quote says “{said}” where the source says “{source}”."
            self._add("altered_wording", "error", message, self._qx(a, b), self._sx(c, d), at=a)

    # -- alignment ----------------------------------------------------------------------------
    def run(self) -> MatchResult:
        pieces: list[PieceAlignment] = []
        hint: int | None = None
        for qa, qb in self.quote.pieces:
            piece = self._align_piece(qa, qb, hint)
            pieces.append(piece)
            if piece.s_end is not None:
                hint = piece.s_end
        self._check_piece_order(pieces)
        self._merge_changes()
        self.discrepancies = [d for _, _, d in sorted(self._found, key=lambda t: (t[0], t[1]))]
        return MatchResult(self.discrepancies, self.matches, len(self.q), self.matched, pieces)

    def _align_piece(self, qa: int, qb: int, hint: int | None) -> PieceAlignment:
        q = self.q.words[qa:qb]
        k = _gram_size(len(q))
        runs = _exact_runs(q, self.s.words, k, qa)
        self._piece_runs = runs
        chain = self._drop_stray_runs([Run(*r) for r in _best_chain(runs, hint)], qa, qb)
        if sum(r.n for r in chain) < min(len(q), MIN_LOCATED_WORDS):
            chain = []  # two common words ("with the") do not place a quote
        located = None
        if not chain:
            located = self._fuzzy_locate(qa, qb)
            if located is None:
                self._not_found(qa, qb)
                return PieceAlignment(qa, qb)
            chain = located
        piece = PieceAlignment(qa, qb, chain)
        self._classify_piece(piece, exact=located is None)
        return piece

    def _drop_stray_runs(self, chain: list[Run], qa: int, qb: int) -> list[Run]:
        """Drop runs that place a common phrase of an otherwise unmatched sentence.

        "in the first place" may stand in the source, but if the rest of its sentence does
        not, the sentence is not there; keeping the phrase would call it reworded instead.
        """
        if not chain or qb - qa - sum(r.n for r in chain) <= min(r.n for r in chain):
            # A run is dropped only when its sentence has more words outside the runs than
            # in them, so more than the run has; the runs are disjoint and within the piece,
            # so the piece must have more such words than the shortest run has. Fewer: every
            # run stays, wherever the sentences start (no need to look for them).
            return chain
        bounds = [qa, *self.q.sentence_starts(qa + 1, qb), qb]
        if len(bounds) <= 2:
            return chain  # one sentence: the piece as a whole decides
        kept: list[Run] = []
        for r in chain:
            i = bisect.bisect_right(bounds, r.q) - 1
            a, b = bounds[i], bounds[i + 1]
            covered = sum(max(0, min(x.q_end, b) - max(x.q, a)) for x in chain)
            if r.q_end <= b and covered < STRAY_SENTENCE_COVERAGE * (b - a):
                continue
            kept.append(r)
        return kept

    def _fuzzy_locate(self, qa: int, qb: int) -> list[Run] | None:
        """No exact run: find the best window by characters, then align its words."""
        qtext = " ".join(self.q.words[qa:qb])
        stext_words = self.s.words
        if not stext_words:
            return None
        stext = " ".join(stext_words)
        al = fuzz.partial_ratio_alignment(qtext, stext)
        if al is None or al.score < FUZZY_WINDOW_MIN_SCORE:
            return None
        # Map the character window back to token indices.
        starts: list[int] = []
        pos = 0
        for w in stext_words:
            starts.append(pos)
            pos += len(w) + 1
        lo = max(0, bisect.bisect_right(starts, al.dest_start) - 1)
        hi = bisect.bisect_left(starts, al.dest_end)
        window = stext_words[lo:hi]
        q = self.q.words[qa:qb]
        runs: list[Run] = []
        for op in Levenshtein.opcodes(q, window):
            if op.tag == "equal":
                runs.append(Run(qa + op.src_start, lo + op.dest_start, op.src_end - op.src_start))
        if not runs:
            return None
        if Indel.normalized_similarity(q, window) < FUZZY_WORD_SIMILARITY:
            return None
        return runs

    def _check_piece_order(self, pieces: list[PieceAlignment]) -> None:
        if len(pieces) < 2:
            return
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

    # -- gaps -----------------------------------------------------------------------------------
    def _classify_piece(self, piece: PieceAlignment, *, exact: bool) -> None:
        """``exact``: the chain's runs are exact runs (not a fuzzy window's), their words equal."""
        chain = piece.runs
        seg_q, seg_s = chain[0].q, chain[0].s
        seg_end_q, seg_end_s = chain[0].q_end, chain[0].s_end
        self.matched += sum(r.n for r in chain)
        # Words before the first run and after the last one.
        first, last = chain[0], chain[-1]
        # Whether the segment is one exact run as it stands (then its score is 100).
        pure = exact
        lead = self._edge(piece.q_start, first.q, first.s, leading=True)
        if lead is not None:
            seg_q, seg_s = lead
            pure = False
        for a, b in itertools.pairwise(chain):
            if b.s < a.s_end:  # cannot happen after chaining, kept for safety
                pure = False
                continue
            broke = self._gap(a.q_end, b.q, a.s_end, b.s)
            if broke:
                self._emit_match(seg_q, seg_end_q, seg_s, seg_end_s, pure)
                seg_q, seg_s = b.q, b.s
                pure = exact
            else:
                pure = False
            seg_end_q, seg_end_s = b.q_end, b.s_end
        trail = self._edge(last.q_end, piece.q_end, last.s_end, leading=False)
        if trail is not None:
            seg_end_q, seg_end_s = trail
            pure = False
        self._emit_match(seg_q, seg_end_q, seg_s, seg_end_s, pure)

    def _emit_match(self, qa: int, qb: int, sa: int, sb: int, same: bool = False) -> None:
        """``same``: the two stretches are known to hold equal words."""
        if qa >= qb or sa >= sb:
            return
        if same:
            score = 100.0
        else:
            said, source = self.q.words[qa:qb], self.s.words[sa:sb]
            # Equal words score exactly 1.0 (no edit): the comparison spares rapidfuzz's call.
            score = 100.0 if said == source else Indel.normalized_similarity(said, source) * 100
        q0, q1 = self.q.span(qa, qb)
        s0, s1 = self.s.span(sa, sb)
        self.matches.append(Match(q0, q1, s0, s1, round(score, 1)))

    def _whole_sentences(self, sa: int, sb: int) -> bool:
        return self.s.starts_sentence(sa) and self.s.starts_sentence(sb)

    def _quote_sentences_within(self, qa: int, qb: int) -> bool:
        return self.q.starts_sentence(qa) and self.q.starts_sentence(qb)

    def _gap(self, qa: int, qb: int, sa: int, sb: int) -> bool:
        """Classify quote tokens qa..qb against source tokens sa..sb; True if the match breaks."""
        qn, sn = qb - qa, sb - sa
        if qn == 0 and sn == 0:
            return False
        if sn > qn + OMISSION_MIN_WORDS - 1 or (qn == 0 and self._whole_sentences(sa, sb)):
            # The source has more text here than the quote: a cut, perhaps with edited edges.
            pre, post = self._split_edges(qa, qb, sa, sb)
            cut_a, cut_b = sa + pre[1], sb - post[1]
            self._words_differ(qa, qa + pre[0], sa, sa + pre[1])
            self._words_differ(qb - post[0], qb, sb - post[1], sb)
            self._omission(qa + pre[0], cut_a, cut_b)
            return True
        self._words_differ(qa, qb, sa, sb)
        return False

    def _split_edges(
        self, qa: int, qb: int, sa: int, sb: int
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """Split quote gap words between the start and the end of a longer source gap."""
        if qa >= qb:
            # No quote words: the search below settles on no edit words at either end (cost 0,
            # found first), so skip its rapidfuzz calls.
            return (0, 0), (0, 0)
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

    def _omission(self, q_at: int, sa: int, sb: int) -> None:
        if sa >= sb:
            return
        sa, sb = self._settle_cut(sa, sb)
        whole = self._whole_sentences(sa, sb)
        n = sb - sa
        if whole:
            self._add(
                "unmarked_omission",
                "warning",
                f"The quote skips {n} word{'s' if n != 1 else ''} of the source between whole "
                "sentences without marking the cut ([...]).",
                self.q.excerpt(q_at, q_at, context=4),
                self.s.excerpt(sa, sb, context=0),
                at=q_at,
            )
        else:
            self._add(
                "unmarked_omission",
                "error",
                f"The quote joins parts of sentences, skipping {n} word{'s' if n != 1 else ''} "
                "of the source without marking the cut.",
                self.q.excerpt(q_at, q_at, context=4),
                self.s.excerpt(sa, sb, context=2),
                at=q_at,
            )

    def _settle_cut(self, sa: int, sb: int) -> tuple[int, int]:
        """Slide a cut whose edges repeat ("X. Open models ... Open models") onto sentence edges.

        When the words just before the cut equal its last words, the same quote can be read as
        skipping either stretch; prefer the reading that skips whole sentences.
        """
        s = self.s.words
        options = [(sa, sb)]
        a, b = sa, sb
        while a > 0 and s[a - 1] == s[b - 1]:
            a, b = a - 1, b - 1
            options.append((a, b))
        a, b = sa, sb
        while b < len(s) and s[a] == s[b]:
            a, b = a + 1, b + 1
            options.append((a, b))
        for a, b in options:
            if self._whole_sentences(a, b):
                return a, b
        return sa, sb

    def _words_differ(self, qa: int, qb: int, sa: int, sb: int) -> None:
        """Report word-level differences between two short stretches that should be equal."""
        if qa >= qb and sa >= sb:
            return
        q = self.q.words[qa:qb]
        s = self.s.words[sa:sb]
        for op in Levenshtein.opcodes(q, s):
            if op.tag == "equal":
                self.matched += op.src_end - op.src_start
                continue
            a, b = qa + op.src_start, qa + op.src_end
            c, d = sa + op.dest_start, sa + op.dest_end
            if op.tag == "insert":  # source words the quote leaves out
                if self._whole_sentences(c, d) or d - c >= OMISSION_MIN_WORDS:
                    self._omission(a, c, d)
                    continue
            elif b - a >= OMISSION_MIN_WORDS and self._quote_sentences_within(a, b):
                # Whole sentences of the quote that the source does not have.
                self._not_found(a, b)
                continue
            self._altered(a, b, c, d)

    def _edge(self, qa: int, qb: int, s_at: int, *, leading: bool) -> tuple[int, int] | None:
        """Align quote words before the first run (or after the last) with the adjacent source.

        Returns the new (quote, source) boundary of the segment, or None if nothing was there.
        """
        if qa >= qb:
            return None
        q = self.q.words[qa:qb]
        n = len(q)
        best: tuple[int, int] | None = None
        for w in sorted({n, max(0, n - 1), n + 1, max(0, n - 2), n + 2}, key=lambda x: abs(x - n)):
            window = (
                self.s.words[max(0, s_at - w) : s_at] if leading else self.s.words[s_at : s_at + w]
            )
            dist = Levenshtein.distance(q, window)
            if best is None or dist < best[0]:
                best = (dist, len(window))
        assert best is not None
        w = best[1]
        sa, sb = (s_at - w, s_at) if leading else (s_at, s_at + w)
        similarity = Indel.normalized_similarity(q, self.s.words[sa:sb]) if w else 0.0
        if similarity >= NOT_FOUND_SIMILARITY:
            self._words_differ(qa, qb, sa, sb)
            return (qa, sa) if leading else (qb, sb)
        # Dissimilar. One or two words at the edge (a list number, a name) are a changed word.
        if qb - qa <= 2 and w:
            self._words_differ(qa, qb, sa, sb)
            return (qa, sa) if leading else (qb, sb)
        # Longer: whole sentences are not in the source; the part of the sentence that the
        # matched run belongs to is a wording change when short.
        if leading:
            opening = self.q.sentence_starts(qa + 1, qb + 1)
            cut = opening[-1] if opening else qa
            part_a, part_b = cut, qb
        else:
            opening = self.q.sentence_starts(qa, qb)
            cut = opening[0] if opening else qb
            part_a, part_b = qa, cut
        plen = part_b - part_a
        if plen == 0 or plen >= OMISSION_MIN_WORDS:
            self._not_found(qa, qb)
            return None
        if leading:
            if cut > qa:
                self._not_found(qa, cut)
            window = self.s.words[max(0, s_at - plen) : s_at]
            self._words_differ(part_a, part_b, s_at - len(window), s_at)
            return part_a, s_at - len(window)
        window = self.s.words[s_at : s_at + plen]
        self._words_differ(part_a, part_b, s_at, s_at + len(window))
        if cut < qb:
            self._not_found(cut, qb)
        return part_b, s_at + len(window)

    def _not_found(self, qa: int, qb: int) -> None:
        # Words that do stand together in the source, elsewhere than the chain put them, are
        # reordered; scattered common phrases ("as well as the") are not.
        spans = [r for r in self._piece_runs if r[0] >= qa and r[0] + r[2] <= qb]
        elsewhere = [Run(*r) for r in _best_chain(spans, None)]
        covered = sum(r.n for r in elsewhere)
        n = qb - qa
        if (
            elsewhere
            and covered >= REORDERED_MIN_COVERAGE * n
            and elsewhere[-1].s_end - elsewhere[0].s <= 2 * n + 10
        ):
            self.matched += covered
            r = max(elsewhere, key=lambda r: r.n)
            self._add(
                "reordered",
                "warning",
                "Part of the quote stands elsewhere in the source, in another order.",
                self.q.excerpt(qa, qb, context=0),
                self._sx(r.s, r.s_end),
                at=qa,
            )
            return
        # Report each sentence of the stretch on its own, as readers think in sentences.
        start = qa
        for k in [*self.q.sentence_starts(qa + 1, qb), qb]:
            self._add(
                "quote_not_found",
                "error",
                "These words of the quote are not in the source.",
                self.q.excerpt(start, k, context=0),
                "",
                at=start,
            )
            start = k


def _words(tokens: Tokens, a: int, b: int, limit: int = 80) -> str:
    """The original text of tokens a..b-1 on one line, shortened in the middle if long."""
    if a >= b:
        return ""
    text = " ".join(tokens.text[tokens.starts[a] : tokens.ends[b - 1]].split())
    if len(text) > limit:
        text = text[: limit // 2 - 1].rstrip() + " … " + text[-(limit // 2 - 1) :].lstrip()
    return text


def match_quote(quote: str | PreparedQuote, source: Tokens | str) -> MatchResult:
    """Align ``quote`` against ``source`` (text or pre-tokenised) and list the discrepancies."""
    src = source if isinstance(source, Tokens) else tokenize(source)
    prepared = quote if isinstance(quote, PreparedQuote) else prepare_quote(quote)
    return _Aligner(prepared, src).run()
