"""Word tokens of a text, normalised for comparison, each keeping its place in the original.

Quotes are compared word by word, so typography (quote marks, dashes, spacing, line breaks,
soft hyphens, zero-width characters, case, compatibility forms) never counts as a change, while
every word and number does. Offsets always point into the text as the user or page gave it.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Protocol, SupportsIndex, TypeVar, overload

# Characters that may sit inside a word without being part of it (soft hyphen, zero-width).
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4\u2032"
_WORD_CHAR = rf"(?:[^\W_]|[{_INVISIBLE}])"
# A number keeps its inner separators ("8.8", "1,000"). An English clitic ('s, 't, 're, 've,
# 'll, 'd, 'm) is a token of its own, attached or not, so "Boeing's" and "Boeing 's" (a spacing
# slip) read alike while "its" and "it's" stay different. Other apostrophes only separate words,
# so a quotation mark is never part of a word.
TOKEN_RE = re.compile(
    rf"\d+(?:[.,]\d+)+(?!{_WORD_CHAR})"
    rf"|[{_APOSTROPHES}](?:[sS]|[tT]|[rR][eE]|[vV][eE]|[lL][lL]|[dD]|[mM])(?!{_WORD_CHAR})"
    rf"|{_WORD_CHAR}+"
)
# What NFKC leaves to do: drop invisible characters, make every apostrophe "'".
_STRIP_PAIRS = [(c, "") for c in _INVISIBLE] + [(c, "'") for c in _APOSTROPHES if c != "'"]
# The same tokens, found by re.split (one C call; offsets follow from the lengths of the pieces).
# Text without invisible characters, nearly all of it, takes a pattern without them, which the
# regex engine runs about twice as fast; on such text both find the same tokens.
_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")
_PLAIN_SPLIT_RE = re.compile(
    r"(\d+(?:[.,]\d+)+(?![^\W_])"
    rf"|[{_APOSTROPHES}](?:[sS]|[tT]|[rR][eE]|[vV][eE]|[lL][lL]|[dD]|[mM])(?![^\W_])"
    r"|[^\W_]+)"
)


def _class_of(test: Callable[[str], bool]) -> str:
    """A regex character class (without brackets) of the BMP characters passing ``test``."""
    chars = [c for c in map(chr, range(0x10000)) if test(c)]
    out: list[str] = []
    start = prev = chars[0]
    for c in [*chars[1:], ""]:
        if c and ord(c) == ord(prev) + 1:
            prev = c
            continue
        out.append(re.escape(start) + ("-" + re.escape(prev) if prev != start else ""))
        if c:
            start = prev = c
    return "".join(out)


@functools.cache
def _bmp_split_re() -> re.Pattern[str]:
    """The plain split pattern with its categories spelt out as ranges (made on first use).

    The regex engine tests a range table in one lookup but a category (\\w, \\d) through several
    Unicode database calls, so this one splits about a third faster. str.isalnum and
    str.isdecimal are exactly the engine's [^\\W_] and \\d; the tables cover only the BMP, so
    text with a character beyond it (an emoji) takes the category pattern.
    """
    alnum, decimal = _class_of(str.isalnum), _class_of(str.isdecimal)
    return re.compile(
        rf"([{decimal}]+(?:[.,][{decimal}]+)+(?![{alnum}])"
        rf"|[{_APOSTROPHES}](?:[sS]|[tT]|[rR][eE]|[vV][eE]|[lL][lL]|[dD]|[mM])(?![{alnum}])"
        rf"|[{alnum}]+)"
    )


_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
# The same commas, found by scanning for "," first (a pattern that opens with a lookbehind is
# tried at every position of the text).
_FAST_THOUSANDS_RE = re.compile(r",(?<=\d,)(?=\d{3}(?:\D|$))")
_NFKC_CHUNK = 1 << 16

# Sentence ends: terminal punctuation, maybe closing quotes/brackets, then white space.
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*\s")
_BLOCK_BREAK_RE = re.compile(r"\n\s*\n|\n")
# What a gap needs to hold to end a sentence (a line break, or the punctuation above).
_SENTENCE_GAP_RE = re.compile(r"[.!?…\n]")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "rep",
        "rev",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "approx",
        "dept",
        "est",
        "fig",
        "vol",
    ]
)


def _nfkc(joined: str) -> str:
    """NFKC of words joined by NUL, normalising only the stretches that need it.

    One unusual character (an Arabic presentation form) would otherwise send the whole text of a
    long page through full normalisation. NUL starts a new normalisation segment (a starter that
    composes with nothing), so the text cut just before one normalises piece by piece alike.
    """
    if unicodedata.is_normalized("NFKC", joined):
        return joined
    if len(joined) <= _NFKC_CHUNK:
        return unicodedata.normalize("NFKC", joined)
    pieces = []
    start = 0
    while start < len(joined):
        end = joined.find("\x00", start + _NFKC_CHUNK)
        if end < 0:
            end = len(joined)
        piece = joined[start:end]
        if not unicodedata.is_normalized("NFKC", piece):
            piece = unicodedata.normalize("NFKC", piece)
        pieces.append(piece)
        start = end
    return "".join(pieces)


def normalize_words(words: list[str]) -> list[str]:
    """Normalise many tokens in one pass (one NFKC call over the joined text is far faster)."""
    if not words:
        return []
    joined = "\x00".join(words)
    return _normalize_joined(joined, not joined.isascii())


def _normalize_joined(joined: str, non_ascii: bool) -> list[str]:
    """``normalize_words`` of the words joined by NUL; ``non_ascii``: whether the text they come
    from holds a non-ASCII word (only then does a backtick become an apostrophe)."""
    if non_ascii:
        joined = _nfkc(joined)
        # (str.translate with a table costs far more per character than a few replace calls)
        for char, replacement in _STRIP_PAIRS:
            if char in joined:
                joined = joined.replace(char, replacement)
    joined = joined.casefold()
    if "," in joined:
        joined = _FAST_THOUSANDS_RE.sub("", joined)
    return joined.split("\x00")


_Seq = TypeVar("_Seq", list[str], "array[int]")


class WordList(Protocol):
    """What ``Tokens.words`` is: a list of str, or with the C split a ``_fasttokens.Words``, which
    reads like one (a slice is a list) but makes a word's str only when it is read."""

    def __len__(self) -> int: ...

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> str: ...

    @overload
    def __getitem__(self, index: slice, /) -> list[str]: ...

    def __iter__(self) -> Iterator[str]: ...


@dataclass
class Tokens:
    """The words of ``text``: normalised forms with [start, end) offsets into ``text``.

    Offsets are ``array('q')``: a page has thousands, and an int object each cost more to make
    (and to shift, for the full text) than splitting the words did.
    """

    text: str
    # The matcher reads only windows of a page's thousands of words: the C split makes a word's
    # str when it is read (see WordList).
    words: WordList
    starts: array[int]
    ends: array[int]
    block_breaks_newline: bool = True
    _starts_sentence: dict[int, bool] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.words)

    def gap(self, k: int) -> str:
        """The original text between token k-1 and token k."""
        before = self.ends[k - 1] if k > 0 else 0
        after = self.starts[k] if k < len(self.words) else len(self.text)
        return self.text[before:after]

    def starts_sentence(self, k: int) -> bool:
        """Whether token k opens a sentence or a block (heading, paragraph, list item)."""
        if k <= 0 or k >= len(self.words):
            return True
        cached = self._starts_sentence.get(k)
        if cached is not None:
            return cached
        gap = self.gap(k)
        result = False
        if "\n" in gap and (self.block_breaks_newline or "\n\n" in gap.replace("\r", "")):
            result = True
        elif _SENTENCE_END_RE.search(gap + " "):
            prev = self.words[k - 1]
            nxt = self.text[self.starts[k]]
            result = not (
                nxt.islower()
                or prev in _ABBREVIATIONS
                or (len(prev) == 1 and prev.isalpha() and gap.lstrip().startswith("."))
            )
        self._starts_sentence[k] = result
        return result

    def sentence_starts(self, a: int, b: int) -> list[int]:
        """The k in range(a, b) for which ``starts_sentence(k)`` holds, in order.

        Only a gap holding a line break or sentence punctuation can end a sentence, so only
        those gaps are looked at, found by one regex scan instead of a call per word.
        """
        n = len(self.words)
        found = list(range(a, min(b, 1)))  # k <= 0: the text's start
        lo, hi = max(a, 1), min(b, n)
        if lo < hi:
            starts = self.starts
            last = -1
            for m in _SENTENCE_GAP_RE.finditer(self.text, self.ends[lo - 1], starts[hi - 1]):
                k = bisect.bisect_right(starts, m.start(), lo, hi)  # the gap before token k
                if k != last:
                    last = k
                    if self.starts_sentence(k):
                        found.append(k)
        found.extend(range(max(a, n, 1), b))  # k >= n: the text's end
        return found

    def ends_sentence(self, k: int) -> bool:
        return self.starts_sentence(k + 1)

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Character span of tokens a..b-1 (an empty range gives the gap position)."""
        if a >= b:
            pos = self.ends[a - 1] if a > 0 else (self.starts[0] if self.words else 0)
            return pos, pos
        return self.starts[a], self.ends[b - 1]

    def excerpt(self, a: int, b: int, *, context: int = 3, limit: int = 240) -> str:
        """Original text of tokens a..b-1 with ``context`` words either side, white space folded."""
        n = len(self.words)
        lo, hi = max(0, a - context), min(n, b + context)
        if lo >= hi:
            return ""
        start, end = self.starts[lo], self.ends[hi - 1]
        # Keep a closing punctuation mark that belongs to the last word.
        while (
            end < len(self.text)
            and self.text[end] in ".,;:!?”’\"')]"
            and end - self.ends[hi - 1] < 2
        ):
            end += 1
        body = " ".join(self.text[start:end].split())
        if len(body) > limit:
            half = limit // 2 - 1
            head, tail = body[:half], body[-half:]
            head = head[: head.rfind(" ")] if " " in head else head
            tail = tail[tail.find(" ") + 1 :] if " " in tail else tail
            body = head + " … " + tail
        if not context:  # an exact excerpt: the words themselves, no marks
            return body
        return ("…" if lo > 0 else "") + body + ("…" if hi < n else "")


def _regex_split(text: str) -> tuple[list[str], array[int], array[int]]:
    """TOKEN_RE's matches and their [start, end) offsets, by the regex engine."""
    if text.isascii():
        pattern = _bmp_split_re()
    elif any(c in text for c in _INVISIBLE):
        pattern = _SPLIT_RE
    elif len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):  # all in the BMP
        pattern = _bmp_split_re()
    else:
        pattern = _PLAIN_SPLIT_RE
    pieces = pattern.split(text)  # gap, token, gap, ..., gap
    bounds = list(accumulate(map(len, pieces)))
    return pieces[1::2], array("q", bounds[0:-1:2]), array("q", bounds[1::2])


def _load_fast_tokens() -> Any:
    """bot/_fasttokens.c, unless it is not built or Python is asked for."""
    if os.environ.get("VERBATIM_PURE_PYTHON"):
        return None
    try:
        from bot import _fasttokens
    except ImportError:
        return None
    return _fasttokens


_FAST_TOKENS = _load_fast_tokens()
# The split in C; and the split that also normalises the words needing no Unicode database.
_FAST_SPLIT: Callable[[str], tuple[list[str], array[int], array[int]]] | None = (
    _FAST_TOKENS.split_tokens if _FAST_TOKENS else None
)
_FAST_WORDS: Callable[[str], tuple[Any, array[int], array[int], list[int], bool]] | None = (
    _FAST_TOKENS.split_words if _FAST_TOKENS else None
)


def tokenize(text: str, *, block_breaks_newline: bool = True) -> Tokens:
    """Split ``text`` into normalised word tokens.

    ``block_breaks_newline``: a single line break ends a block (extracted pages, where blocks are
    lines); for pasted quotes a single line break is only wrapping.
    """
    # A token made only of invisible characters normalises to "": such tokens are dropped. Only
    # the words C leaves raw can (it normalises ASCII words and clitics itself).
    if _FAST_WORDS is not None:
        return finish_split(text, _FAST_WORDS(text), block_breaks_newline)
    raw_words, starts, ends = (_FAST_SPLIT or _regex_split)(text)
    words = normalize_words(raw_words)
    if "" in words:
        empty = [i for i, word in enumerate(words) if not word]
        words, starts, ends = _without(words, empty), _without(starts, empty), _without(ends, empty)
    return Tokens(text, words, starts, ends, block_breaks_newline)


def finish_split(
    text: str,
    split: tuple[Any, array[int], array[int], list[int], bool],
    block_breaks_newline: bool = True,
) -> Tokens:
    """The tokens of ``text`` from the C split's (words, starts, ends, raw, non_ascii): the raw
    words normalised here (the Unicode database, or a backtick), those left empty dropped."""
    lazy, starts, ends, raw, non_ascii = split
    del split  # the split's arrays go as soon as replaced (a 2 MB text: 7 MB)
    if raw:
        done = _normalize_joined("\x00".join([lazy[i] for i in raw]), non_ascii)
        for i, word in zip(raw, done, strict=True):
            lazy[i] = word
        empty = [i for i, word in zip(raw, done, strict=True) if not word]
        if empty:
            lazy = lazy.without(empty)
            starts, ends = _without(starts, empty), _without(ends, empty)
    return Tokens(text, lazy, starts, ends, block_breaks_newline)


def _without(items: _Seq, gone: list[int]) -> _Seq:
    """``items`` without the positions in ``gone`` (ascending), copied in stretches: a text may
    hold a few such tokens among hundreds of thousands of words."""
    kept = items[:0]
    at = 0
    for i in gone:
        kept += items[at:i]
        at = i + 1
    kept += items[at:]
    return kept


# Marked cuts inside a quote: [...], […], (...), …, ..., . . .
CUT_RE = re.compile(
    r"\s*(?:\[\s*(?:\.\s*){3,}\]|\[\s*…\s*\]|\(\s*(?:\.\s*){3,}\)|\(\s*…\s*\)|…|\.{3,}|(?:\.\s){2}\.)\s*"
)


# Every cut CUT_RE finds holds one of these; most quotes hold none and skip the slow scan.
_CUT_HINT_RE = re.compile(r"\.\s?\.")


def may_hold_cuts(quote: str) -> bool:
    """Whether ``quote`` may hold a marked cut (False: it holds none)."""
    return "[" in quote or "(" in quote or "…" in quote or _CUT_HINT_RE.search(quote) is not None


def split_at_cuts(quote: str) -> list[tuple[int, int]]:
    """Character ranges of the pieces of ``quote`` between marked cuts (empty pieces dropped)."""
    if not may_hold_cuts(quote):
        return [(0, len(quote))] if TOKEN_RE.search(quote) else []
    pieces: list[tuple[int, int]] = []
    pos = 0
    for start, end in _cuts(quote):
        pieces.append((pos, start))
        pos = end
    pieces.append((pos, len(quote)))
    return [(a, b) for a, b in pieces if TOKEN_RE.search(quote, a, b)]


# A cut's mark without the white space around it, and the characters such a mark starts with.
_CUT_MARK_RE = re.compile(CUT_RE.pattern.removeprefix(r"\s*").removesuffix(r"\s*"))
_CUT_START_RE = re.compile(r"[\[(….]")
_SPACE_RE = re.compile(r"\s")


def _cuts(quote: str) -> Iterator[tuple[int, int]]:
    """The spans of ``CUT_RE.finditer(quote)``, found about five times faster.

    CUT_RE opens with white space, so the regex engine tries it at every position of the text.
    A mark starts with none, so a match is a mark found at the end of a stretch of white space,
    found from the leftmost such stretch: find the leftmost mark (a candidate first character
    found by a one-character scan, then the mark tried there), step back over the white space
    before it, no further than where the search began, and match CUT_RE there.
    """
    floor = at = 0  # where the search for the next match began; where to look for a mark
    search = _CUT_START_RE.search
    while (candidate := search(quote, at)) is not None:
        at = candidate.start()
        if _CUT_MARK_RE.match(quote, at) is None:
            at += 1
            continue
        start = at
        while start > floor and _SPACE_RE.match(quote, start - 1):
            start -= 1
        m = CUT_RE.match(quote, start)
        assert m is not None  # white space, then the mark
        yield m.start(), m.end()
        floor = at = m.end()
