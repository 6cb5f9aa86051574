"""The C word split (bot/_fasttokens.c) finds exactly the tokens and offsets TOKEN_RE finds."""

from __future__ import annotations

import os
from itertools import accumulate

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import textnorm
from bot.textnorm import _INVISIBLE, _PLAIN_SPLIT_RE, _SPLIT_RE, tokenize

# CI builds the C code and these tests fail without it; VERBATIM_PURE_PYTHON=1 turns it off on
# purpose, to run the rest of the suite on the Python twins.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)


def _regex_split(text: str) -> tuple[list[str], list[int], list[int]]:
    """The split as the regex does it: the reference."""
    plain = text.isascii() or not any(c in text for c in _INVISIBLE)
    pieces = (_PLAIN_SPLIT_RE if plain else _SPLIT_RE).split(text)
    bounds = list(accumulate(map(len, pieces)))
    return pieces[1::2], bounds[0:-1:2], bounds[1::2]


def _c_split(text: str) -> tuple[list[str], list[int], list[int]]:
    from bot import _fasttokens

    words, starts, ends = _fasttokens.split_tokens(text)
    assert starts.typecode == ends.typecode == "q"
    return words, list(starts), list(ends)


def test_the_c_split_is_built_and_used() -> None:
    from bot import _fasttokens

    assert textnorm._FAST_SPLIT is _fasttokens.split_tokens


PIECES = [
    *"ab1 ,.'\u2019`\u00b4\u2032\u02bc\u2018\u00ad\u200b\u200c\u200d\u2060\ufeff\n\t\u00a0",
    *"\u2028\u00c9\u00e9\u0301\ufb01\u2460\u00b2\u03a3\u03c2_-SsTtRrEeVvLlDdMm@9\u0663\u00bd",
    "'s", "'re", "\u2019ll", "`ve", "'D", "1,000", "8.8", "3.5km", "1.2.3a", ",", ".",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@example("1,000,000.5x 2.5. 3,4a 'sx 're' \u2019Ll`m 9\u0663,\u0664")
@example("")
def test_c_split_equals_regex_on_tricky_text(text: str) -> None:
    assert _c_split(text) == _regex_split(text)


@settings(max_examples=800, deadline=None)
@given(st.text(max_size=80))
def test_c_split_equals_regex_on_any_text(text: str) -> None:
    assert _c_split(text) == _regex_split(text)


@pytest.mark.parametrize("start", range(0, 0x110000, 0x8000))
def test_c_split_classifies_every_character_like_the_regex(start: int) -> None:
    for code in range(start, start + 0x8000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        for text in (f"x{ch}1.5{ch}'s{ch}y", f"{ch}'{ch}1,{ch}2", f"\u00ad{ch}7.{ch}"):
            assert _c_split(text) == _regex_split(text), hex(code)


def _python_tokenize(text: str) -> textnorm.Tokens:
    """tokenize with the regex split and normalize_words: the reference."""
    saved = textnorm._FAST_SPLIT, textnorm._FAST_WORDS
    try:
        textnorm._FAST_SPLIT = textnorm._FAST_WORDS = None
        return tokenize(text)
    finally:
        textnorm._FAST_SPLIT, textnorm._FAST_WORDS = saved


def test_tokenize_is_the_same_with_and_without_the_c_split() -> None:
    text = "It\u2019s 1,000 caf\u00e9s\u00ad \u2014 don't  \u201cquote\u201d 3.5km, Boeing 's"
    slow = _python_tokenize(text)
    assert tokenize(text) == slow
    assert slow.words[:3] == ["it", "'s", "1000"]


def test_the_c_words_are_in_use() -> None:
    from bot import _fasttokens

    assert textnorm._FAST_WORDS is _fasttokens.split_words
    words, _, _, raw, non_ascii = _fasttokens.split_words("It\u2019s 1,000 Caf\u00e9 `s")
    assert words[:4] == ["it", "'s", "1000", "Caf\u00e9"]  # the non-ASCII word is left raw
    assert raw == [3, 4] and non_ascii


def test_plain_apostrophes_are_those_nfkc_leaves_alone() -> None:
    # split_words makes "'" of these itself; any other apostrophe waits for NFKC in Python.
    import unicodedata

    plain = "\u2019\u02bc\u2018\u2032"
    expected = [
        c
        for c in textnorm._APOSTROPHES
        if not c.isascii() and unicodedata.normalize("NFKC", c) == c
    ]
    assert sorted(plain) == sorted(expected)


WORD_PIECES = [
    *PIECES, "1,000,000", "12,345.67", "1,0000", "1,00", "9,999x", "A", "Z", "`", "\uff07s",
    "\u00b4S", "\u2032LL", "\u02bcVE", "\uff11,\uff10\uff10\uff10", "\u0130", "\u212a",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(WORD_PIECES), max_size=40).map(" ".join))
@example("It\u2019S 1,000,000 don`t Boeing `s 2,500.50 caf\u00e9 ABC")
@example("`s 1,000")  # a backtick in an all-ASCII text stays
def test_tokenize_with_the_c_words_equals_python_on_tricky_text(text: str) -> None:
    assert tokenize(text) == _python_tokenize(text)


@settings(max_examples=800, deadline=None)
@given(st.text(max_size=80))
def test_tokenize_with_the_c_words_equals_python_on_any_text(text: str) -> None:
    assert tokenize(text) == _python_tokenize(text)


@pytest.mark.parametrize("start", range(0, 0x110000, 0x10000))
def test_tokenize_with_the_c_words_normalises_every_character_like_python(start: int) -> None:
    chars = [chr(c) for c in range(start, start + 0x10000) if not 0xD800 <= c <= 0xDFFF]
    for i in range(0, len(chars), 512):
        chunk = chars[i : i + 512]
        text = " ".join(f"A{c}1,000{c}\u2019S {c}'s" for c in chunk)
        assert tokenize(text) == _python_tokenize(text), hex(ord(chunk[0]))


def test_c_split_rejects_what_is_not_text() -> None:
    from bot import _fasttokens

    with pytest.raises(TypeError):
        _fasttokens.split_tokens(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _fasttokens.split_words(b"bytes")  # type: ignore[arg-type]


def test_the_c_runs_are_in_use() -> None:
    from bot import _fasttokens, matcher

    assert matcher._FAST_RUNS is _fasttokens.exact_runs


_VOCAB = ["a", "b", "c", "the", "of", "x\u00e9", "1000", "'s"]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_VOCAB), max_size=30),
    st.lists(st.sampled_from(_VOCAB), max_size=120),
    st.integers(1, 4),
    st.integers(0, 50),
    st.integers(1, 6),
)
def test_c_exact_runs_equal_the_python_loop(
    q: list[str], s: list[str], k: int, offset: int, cap: int
) -> None:
    from bot import _fasttokens, matcher

    # Equal words need not be the same object: the source's are made apart from the quote's.
    s = ["".join(list(word)) for word in s]
    saved = matcher.MAX_CANDIDATES_PER_GRAM
    try:
        matcher.MAX_CANDIDATES_PER_GRAM = cap
        expected = matcher._exact_runs_python(q, s, k, offset) if len(q) >= k <= len(s) else []
    finally:
        matcher.MAX_CANDIDATES_PER_GRAM = saved
    assert _fasttokens.exact_runs(q, s, k, offset, cap) == expected


class _Word(str):
    """A str subclass: equal to the str of its letters, yet not an exact str."""


# Words sharing length, first and last letters ("cat", "cut"), and none ("the", "x"), as the sieve
# in exact_runs tells them apart, non-BMP and combining letters, and the empty word.
_WIDE_VOCAB = [
    "cat",
    "cut",
    "cot",
    "the",
    "tee",
    "x",
    "xx",
    "\U0001d400b",
    "\U0001d400c",
    "e\u0301",
    "",
]


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.sampled_from(_WIDE_VOCAB), max_size=20),
    st.lists(st.sampled_from(_WIDE_VOCAB + [f"w{i}" for i in range(40)]), max_size=200),
    st.integers(1, 3),
    st.sampled_from(["none", "quote", "source"]),
)
def test_c_exact_runs_sieve_keeps_every_equal_word(
    q: list[str], s: list[str], k: int, subclass: str
) -> None:
    """Equal words are found whether or not the sieve may be used (a str subclass in the quote
    turns it off; one in the source is hashed)."""
    from bot import _fasttokens, matcher

    s = ["".join(list(word)) for word in s]
    if subclass == "quote" and q:
        q = [_Word(q[0]), *q[1:]]
    if subclass == "source" and s:
        s = [_Word(word) if i % 3 == 0 else word for i, word in enumerate(s)]
    expected = matcher._exact_runs_python(q, s, k, 0) if len(q) >= k <= len(s) else []
    assert _fasttokens.exact_runs(q, s, k, 0, matcher.MAX_CANDIDATES_PER_GRAM) == expected


_runs = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 80), st.integers(1, 8)),
    max_size=40,
    unique_by=lambda r: (r[0], r[1]),
).map(sorted)


@settings(max_examples=1500, deadline=None)
@given(_runs, st.none() | st.integers(-50, 150))
@example([(0, 0, 2), (0, 40, 2), (2, 20, 2), (2, 60, 2)], None)  # equal scores: the first wins
@example([(0, 10, 3), (1, 11, 3), (2, 30, 5), (2, 12, 1)], 11)  # overlaps trimmed twice
@example([(8, 22, 2), (9, 59, 2)], 74)  # the start's penalty decides between two chains
def test_c_best_chain_equals_the_python_programme(
    runs: list[tuple[int, int, int]], hint: int | None
) -> None:
    from bot import _fasttokens, matcher

    assert _fasttokens.best_chain(runs, hint) == matcher._best_chain_python(runs, hint)


def test_c_best_chain_on_many_runs_of_repeated_phrases() -> None:
    """A long page of one repeated phrase: hundreds of runs, scores equal up to the jumps."""
    from bot import _fasttokens, matcher

    q = ("the cat sat on the mat and the cat sat " * 8).split()
    s = ("the cat sat on the mat " * 300).split()
    for k in (1, 2, 3):
        runs = matcher._exact_runs(q, s, k)
        for hint in (None, 0, 700, 1799):
            assert _fasttokens.best_chain(runs, hint) == matcher._best_chain_python(runs, hint)


def test_c_best_chain_refuses_what_it_cannot_compute_alike() -> None:
    from bot import _fasttokens

    with pytest.raises(TypeError):
        _fasttokens.best_chain([(1, 2)], None)
    with pytest.raises(ValueError, match="2\\*\\*40"):
        _fasttokens.best_chain([(0, -1, 2)], None)
    with pytest.raises(ValueError, match="hint"):
        _fasttokens.best_chain([(0, 1, 2)], 1 << 41)
    assert _fasttokens.best_chain([], 5) == []


def test_c_exact_runs_on_long_repetitive_text() -> None:
    from bot import _fasttokens, matcher

    q = ("the cat sat on the mat and the cat sat " * 30).split()
    s = ("the cat sat on the mat " * 2000).split()
    for k in (1, 2, 3):
        assert _fasttokens.exact_runs(q, s, k, 7, matcher.MAX_CANDIDATES_PER_GRAM) == (
            matcher._exact_runs_python(q, s, k, 7)
        )
    with pytest.raises(TypeError):
        _fasttokens.exact_runs(tuple(q), s, 1, 0, 5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Words

# Words of every form split_words knows: short and long ASCII words (a key packs at most seven
# letters), numbers with thousands separators, clitics with plain and other apostrophes, and
# non-ASCII words that Python normalises and assigns back.
_FORM_PIECES = [
    *WORD_PIECES, "abcdefg", "abcdefgh", "ABCDEFGH", "abcdefghijklmnop", "1,234,567", "1234567",
    "12345678", "Caf\u00e9", "caf\u00e9", "CAF\u00c9", "\u2019s", "'S", "\u00e9\u00e9\u00e9\u00e9",
    "na\u00efve", "stra\u00dfe", "the", "The", "THE",
]  # fmt: skip
_form_text = st.lists(st.sampled_from(_FORM_PIECES), max_size=40).map(" ".join)


@settings(max_examples=1000, deadline=None)
@given(_form_text, _form_text, st.integers(1, 3), st.integers(0, 9), st.integers(1, 6))
@example("abcdefgh THE 1,234", "ABCDEFGH the 1234 abcdefgh", 1, 0, 5)
def test_c_exact_runs_over_words_equal_those_over_their_list(
    quote: str, source: str, k: int, offset: int, cap: int
) -> None:
    """Words compare by keys and letters as lists compare by hash and equality: once with words
    never read (letters from the text), once after reading each (the str kept)."""
    from bot import _fasttokens

    q = list(tokenize(quote).words)
    words = tokenize(source).words
    fresh = _fasttokens.exact_runs(q, words, k, offset, cap)
    as_list = list(words)
    assert fresh == _fasttokens.exact_runs(q, as_list, k, offset, cap)
    assert _fasttokens.exact_runs(q, words, k, offset, cap) == fresh


def test_c_exact_runs_over_words_take_only_str_quote_words() -> None:
    from bot import _fasttokens

    with pytest.raises(TypeError, match="str"):
        _fasttokens.exact_runs([1, 2], tokenize("a b").words, 1, 0, 5)
    with pytest.raises(TypeError, match="list or Words"):
        _fasttokens.exact_runs(["a"], ("a",), 1, 0, 5)


@settings(max_examples=500, deadline=None)
@given(
    _form_text,
    st.integers(-50, 50) | st.none(),
    st.integers(-50, 50) | st.none(),
    st.sampled_from([None, 1, 2, 3, -1, -2]),
)
def test_words_read_like_the_list_of_their_words(
    text: str, start: int | None, stop: int | None, step: int | None
) -> None:
    words = tokenize(text).words
    expected = _python_tokenize(text).words
    assert type(words).__name__ == "Words"
    assert len(words) == len(expected)
    assert words[start:stop:step] == expected[start:stop:step]
    for i in range(-len(expected), len(expected)):
        assert words[i] == expected[i]
    assert list(words) == expected and words == expected and expected == words
    assert words == tokenize(text).words  # Words against Words
    assert (words != expected) is False
    assert repr(words) == f"Words({expected!r})"


def test_words_refuse_what_a_list_of_words_would_not_hold() -> None:
    words = tokenize("one Two three").words
    with pytest.raises(IndexError):
        words[3]
    with pytest.raises(IndexError):
        words[-4]
    with pytest.raises(TypeError):
        words["1"]  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        words[0] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        words[0:1] = ["x"]  # type: ignore[index]
    with pytest.raises(TypeError):
        del words[0]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        hash(words)
    assert words != tokenize("one two tree").words
    assert words != ["one", "two"] and words != ["one", "two", "three", "four"]
    assert words.__eq__(("one", "two", "three")) is NotImplemented
    words[1] = "deux"  # a word as Python normalised it
    assert list(words) == ["one", "deux", "three"]
    assert words != tokenize("one two three").words


def test_a_copy_or_a_pickle_of_words_is_the_list_of_its_words() -> None:
    import copy
    import pickle

    tokens = tokenize("It\u2019s Caf\u00e9 1,000 ABCDEFGHIJ")
    expected = ["it", "'s", "caf\u00e9", "1000", "abcdefghij"]
    assert pickle.loads(pickle.dumps(tokens.words)) == expected
    assert copy.copy(tokens.words) == expected and copy.deepcopy(tokens).words == expected


def test_words_without_drop_the_listed_words() -> None:
    words = tokenize("a b c d e").words
    words[1] = "B"
    assert list(words.without([0, 2, 2])) == ["B", "d", "e"]
    assert list(words.without([])) == ["a", "B", "c", "d", "e"]
    with pytest.raises(IndexError):
        words.without([5])
    with pytest.raises(TypeError):
        words.without((0,))
