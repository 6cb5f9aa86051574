"""The fast paths of extraction and tokenisation give exactly what the straightforward code gives.

Each speed-up is compared with a plain reference implementation (kept in
``tests/speedups_support.py``) on the sample texts and on generated input full of the characters
that make the cases differ: invisible characters, apostrophes of every kind, digits with
separators, compatibility forms, white space of every kind, line breaks.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from bot import extract as extract_module
from bot import textnorm
from bot.config import MatchConfig
from bot.extract import (
    Block,
    ExtractedPage,
    PageMeta,
    _assemble,
    _too_deep,
    _Walker,
    extract_html,
)
from bot.extractcache import ExtractionCache
from bot.fetch import FetchedPage
from bot.models import QuoteInput
from bot.textnorm import tokenize
from bot.verify import check_page
from tests.sample_texts import ARTICLE_BLOCKS, ARTICLE_TEXT, OTHER_ARTICLE_TEXT, article_html
from tests.speedups_support import (
    ReferenceWalker,
    html_trees,
    reference_tokens,
    reference_too_deep,
)

TRICKY = (
    "ab1 ,.'\u2019`\u00b4\u2032\u02bc\u2018\u00ad\u200b\u200c\u200d\u2060\ufeff\n\t\u00a0\u2028"
    "\u00c9\u00e9\u0301\ufb01\u2460\u00b2\u03a3\u03c2_-"
)
tricky_text = st.lists(
    st.sampled_from([*TRICKY, "'s", "\u2019re", "`ll", "1,000", "8.8", "2,50", "Boeing"]),
    max_size=40,
).map("".join)


def _tokens(text: str) -> tuple[list[str], array[int], array[int]]:
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


# --------------------------------------------------------------------------- the walk

_TAGS = [
    "div",
    "p",
    "span",
    "a",
    "br",
    "pre",
    "blockquote",
    "li",
    "ul",
    "h2",
    "script",
    "nav",
    "article",
    "main",
    "section",
    "my-card",
    "td",
    "figcaption",
    "em",
    "b",
    "form",
    "aside",
    "textarea",
    "xmp",
]
_ATTRS = [
    "",
    "",
    "",
    ' class="related-links"',
    ' class="article-body"',
    ' class="tooltip"',
    ' class="hovercard popover"',
    ' class="pullquote sidebar"',
    ' class="Sidebar relatedArticles"',
    ' class="MsoBodyText"',
    ' class="entry_content"',
    ' class="sharing-with-a-single-developer"',
    ' class="nav" id="mainContent"',
    ' id="x-y-z-w-v"',
    f' class="story {"a" * 395} ad" id="comment-list"',
    ' role="main"',
    ' role="Navigation"',
    ' itemprop="articleBody"',
    " hidden",
    ' aria-hidden=" TRUE "',
    ' style="display: none"',
    ' style="color: red"',
    " class",
]
_TEXTS = [
    "Hello",
    " world ",
    "\n",
    "  ",
    "\u00ad",
    "one\u200btwo",
    "\u00a0",
    "a\tb\r\n c",
    "Kristi Noem",
    "\u4e2d\u6587\u53e5\u5b50",
    "A long enough sentence of prose for the article, with words.",
]


html_fragments = html_trees(_TAGS, _ATTRS, _TEXTS, max_leaves=40)


def _walks(html: str) -> tuple[object, object]:
    """(reference, fast) walks of ``html``: element records and blocks."""
    tree = LexborHTMLParser(html)
    body = tree.body
    assert body is not None
    results = []
    for walker in (ReferenceWalker(), _Walker()):
        walker.walk(body)
        results.append(
            (
                # (parent, boiler, candidate) and (text, kind, elem, link_chars, aside)
                [tuple(e) for e in walker.elems],
                [tuple(b) for b in walker.blocks],
            )
        )
    return results[0], results[1]


def test_walk_matches_reference_on_the_sample_article() -> None:
    reference, fast = _walks(article_html())
    assert fast == reference


@settings(max_examples=300, deadline=None)
@given(st.lists(html_fragments, min_size=1, max_size=4).map("".join))
def test_walk_matches_reference_on_generated_pages(html: str) -> None:
    reference, fast = _walks(f"<html><body>{html}</body></html>")
    assert fast == reference


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.sampled_from(["<div>", "</div>", "<p>", "<br>", "</span>", "<span>", "x", "</"]),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=400, max_value=20_000),
)
def test_too_deep_matches_reference(pattern: list[str], repeat: int) -> None:
    html = "".join(pattern) * repeat
    assert _too_deep(html, html.encode()) == reference_too_deep(html)


# --------------------------------------------------------------------------- the extraction cache


def _fetched(html: str, url: str = "https://example.com/2024/05/14/gardens") -> FetchedPage:
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return FetchedPage(url, url, 200, "text/html", "utf-8", html, digest, 0.0)


def _result(quote: str, page: FetchedPage, cache: ExtractionCache | None) -> dict[str, object]:
    inp = QuoteInput(quote=quote, url=page.url, author="Priya Raman", year=2024)
    return check_page(inp, page, MatchConfig(), cache=cache).to_json()


_SHARED_CACHE = ExtractionCache()
_WORDS = ARTICLE_TEXT.split()
_PAGES = [
    _fetched(article_html()),
    _fetched(article_html(blocks=[*ARTICLE_BLOCKS, OTHER_ARTICLE_TEXT])),
]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(_WORDS) - 1),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.sampled_from(["", "harvest", "not", "1999", "the", "Gardens"]),
    st.sampled_from([0, 1]),
)
def test_cached_check_equals_fresh_check(
    start: int, length: int, at: int, word: str, which: int
) -> None:
    """A cached page (extraction and tokens reused) gives exactly the fresh result: verbatim
    spans, spans with a word changed, dropped or added, spans running past the article."""
    words = _WORDS[start : start + length]
    if word:
        words[at % len(words)] = word
    elif len(words) > 1:
        del words[at % len(words)]
    quote = " ".join(words)
    page = _PAGES[which]
    assert _result(quote, page, _SHARED_CACHE) == _result(quote, page, None)


def test_cache_reuses_the_extraction_and_its_tokens() -> None:
    cache = ExtractionCache()
    page = _fetched(article_html())
    first = cache.extract(page)
    tokens = first.tokens(main=True)
    same_text = replace(page, text="".join(page.text))  # an equal text in another object
    assert cache.extract(same_text) is first
    assert first.tokens(main=True) is tokens
    assert tokens.words == tokenize(first.main_text).words
    assert first.tokens(main=False).words == tokenize(first.full_text).words
    assert (cache.hits, cache.misses) == (1, 1)


def test_cache_never_returns_another_text_under_the_same_hash() -> None:
    cache = ExtractionCache()
    page = _fetched(article_html())
    other = replace(page, text=article_html(blocks=[OTHER_ARTICLE_TEXT]))  # same sha256 and URL
    cache.extract(page)
    assert OTHER_ARTICLE_TEXT.split()[0] in cache.extract(other).main_text
    assert cache.extract(other).main_text == extract_html(other.text, other.final_url).main_text
    assert cache.extract(page).main_text == extract_html(page.text, page.final_url).main_text


def test_cache_is_bounded_by_pages_and_characters() -> None:
    pages = [_fetched(article_html(), f"https://example.com/{n}") for n in range(5)]
    by_count = ExtractionCache(max_pages=2)
    for page in pages:
        by_count.extract(page)
    assert len(by_count) == 2
    by_count.extract(pages[4])  # the most recent stays
    assert by_count.hits == 1
    weight = len(pages[0].text) + 2 * len(extract_html(pages[0].text).full_text)
    by_chars = ExtractionCache(max_chars=2 * weight)
    for page in pages:
        by_chars.extract(page)
    assert 1 <= len(by_chars) <= 2
    too_small = ExtractionCache(max_chars=10)
    too_small.extract(pages[0])
    assert len(too_small) == 0
    with pytest.raises(ValueError, match="at least one page"):
        ExtractionCache(max_pages=0)


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(tricky_text | st.sampled_from(["a", "ba", "b a"]), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
@example([("\u00e9", False), ("it`s", True)])  # "`s" reads "'s" only among non-ASCII words
@example([("ba", False), ("a", True)])  # the main text also stands inside a word before it
@example([("ab", False), ("a", True)])  # ... or inside a word after it
def test_full_tokens_made_around_the_main_tokens_equal_tokenize(
    blocks: list[tuple[str, bool]],
) -> None:
    """judge_text tokenises the main text first; the full text's tokens then reuse them."""
    page = _assemble(PageMeta(), [Block(text, "paragraph", main) for text, main in blocks])
    main = page.tokens(main=True)
    full = page.tokens(main=False)
    assert (main.words, main.starts, main.ends) == reference_tokens(page.main_text)
    assert (full.words, full.starts, full.ends) == reference_tokens(page.full_text)
    assert full.text == page.full_text


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(tricky_text | st.sampled_from(["a", "ba", "b a", "Caf\u00e9 x"]), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
@example([("ba", False), ("a", True)], False)
@example([("Caf\u00e9 one", True), ("x", False), ("\u00c9T\u00c9", True)], True)
def test_full_tokens_in_one_c_call_equal_the_python_route(
    blocks: list[tuple[str, bool]], read_first: bool
) -> None:
    """tokens_around (one C call) against the parts and the join it replaces, with the main
    text's words read beforehand or not (read words carry their str over)."""
    if extract_module._AROUND is None:
        pytest.skip("the C tokeniser is not built")
    made = [Block(text, "paragraph", main) for text, main in blocks]
    results = []
    for around in (extract_module._AROUND, None):
        page = _assemble(PageMeta(), made)
        main = page.tokens(main=True)
        if read_first:
            list(main.words)
        saved = extract_module._AROUND
        try:
            extract_module._AROUND = around
            full = page.tokens(main=False)
        finally:
            extract_module._AROUND = saved
        results.append((list(full.words), full.starts, full.ends))
    assert results[0] == results[1] == _tokens_listed(page.full_text)


def _tokens_listed(text: str) -> tuple[list[str], array[int], array[int]]:
    words, starts, ends = _tokens(text)
    return list(words), starts, ends


def test_tokens_around_refuses_what_does_not_lay_out_two_texts() -> None:
    fast = textnorm._FAST_TOKENS
    if fast is None:
        pytest.skip("the C tokeniser is not built")
    inner = tokenize("one two").words
    assert fast.tokens_around("one two\n\nx", "one two", [(0, 7, 0, 7)], inner) is not None
    assert fast.tokens_around("one twox", "one two", [(0, 7, 0, 7)], inner) is None  # unbounded
    assert fast.tokens_around("one tw0\n\nx", "one two", [(0, 7, 0, 7)], inner) is None
    with pytest.raises(ValueError, match="in order inside"):
        fast.tokens_around("one two", "one two", [(0, 9, 0, 9)], inner)
    with pytest.raises(ValueError, match="in order inside"):
        fast.tokens_around("one two one two", "one two", [(8, 15, 0, 7), (0, 7, 0, 7)], inner)
    with pytest.raises(ValueError, match="main_text's words"):
        fast.tokens_around("one two", "one tw0", [(0, 7, 0, 7)], inner)
    with pytest.raises(TypeError):
        fast.tokens_around("one two", "one two", [(0, 7, 0, 7)], ["one", "two"])
    with pytest.raises(TypeError):
        fast.tokens_around("one two", "one two", [(0, 7, 0)], inner)


def test_full_tokens_when_blocks_do_not_lay_out_the_texts() -> None:
    """A page whose blocks disagree with its texts gets its full text tokenised whole."""
    blocks = (Block("one two", "paragraph", True), Block("three", "paragraph", False))
    page = ExtractedPage(PageMeta(), blocks, "one two", "one twofour\n\nthree")
    assert page.tokens(main=True).words == ["one", "two"]
    full = page.tokens(main=False)
    assert (full.words, full.starts, full.ends) == reference_tokens(page.full_text)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.text(max_size=5), st.booleans()), max_size=12))
@example([("a", True), ("", True), ("b", False), ("c", True), ("d", True)])
def test_main_stretches_in_c_equal_python(blocks: list[tuple[str, bool]]) -> None:
    fast = extract_module._FAST_WALK
    if fast is None:
        pytest.skip("the C walk is not built")
    made = tuple(Block(text, "paragraph", main) for text, main in blocks)
    assert fast.main_stretches(made) == extract_module._main_stretches_python(made)
    # and each stretch is where its text stands in both texts
    page = _assemble(PageMeta(), list(made))
    for f0, f1, m0, m1 in fast.main_stretches(made):
        assert page.full_text[f0:f1] == page.main_text[m0:m1]


def test_main_stretches_refuses_what_is_not_a_block() -> None:
    fast = extract_module._FAST_WALK
    if fast is None:
        pytest.skip("the C walk is not built")
    with pytest.raises(TypeError, match="main_stretches"):
        fast.main_stretches([("text", "paragraph", 1)])
    with pytest.raises(TypeError, match="main_stretches"):
        fast.main_stretches([("text", "paragraph")])
    with pytest.raises(TypeError):
        fast.main_stretches(None)


_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.skipif(not _CORPUS.is_dir(), reason="../shared/corpus is not here (fresh clone)")
def test_full_tokens_around_the_main_tokens_on_every_corpus_page() -> None:
    from bench.corpus import load_corpus

    for page in load_corpus(_CORPUS):
        extracted = extract_html(page.html(), "https://example.com/a")
        extracted.tokens(main=True)
        full = extracted.tokens(main=False)
        assert (full.words, full.starts, full.ends) == _tokens(extracted.full_text), page.id


def test_tokenize_matches_reference_on_long_text_needing_normalisation() -> None:
    """Long texts are normalised piece by piece; a piece boundary may fall anywhere."""
    rng = random.Random(7)
    pieces = [*TRICKY, "'s", "1,000", "e\u0301", "\ufe8e\ufe91", "\u2460", " ", " ", "word"]
    for _ in range(3):
        text = "".join(rng.choice(pieces) for _ in range(200_000))
        assert len(text) > 3 * 65_536
        assert _tokens(text) == reference_tokens(text)
    # Hangul jamo compose in pairs within one long word: a piece boundary anywhere but between
    # words would leave a pair apart.
    for shift in range(3):
        text = "a" * shift + " " + " ".join(["\u1100\u1161" * 40] * 8000) + "\u00e9"
        assert _tokens(text) == reference_tokens(text)
