"""The fast metadata code gives exactly what the former code gave (tests/metadata_speed_support.py).

Whole pages (meta tags, canonical links, JSON-LD scripts, bylines, <time>s, itemprops) are read by
both and compared field by field, and the pieces that changed are compared one by one on input
made to reach their edge cases: every kind of whitespace, case variants of the words the selector
lists look for, elements matching several selectors of a list, the cap on candidates.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from bot import metadata
from bot.extract import _node_answers as node_answers
from tests import metadata_speed_support as former
from tests.speedups_support import html_trees

BODY_TAGS = [
    "div",
    "span",
    "p",
    "a",
    "time",
    "article",
    "main",
    "nav",
    "aside",
    "footer",
    "header",
    "section",
    "li",
    "h1",
    "address",
]
BODY_ATTRS = [
    "",
    ' class="byline"',
    ' class="Byline date"',
    ' class="BYLINE"',
    ' class="byLine-wrap"',
    ' class="post-author"',
    ' class="Author"',
    ' class="AUTHOR"',
    ' class="author-bio"',
    ' class="follow-author"',
    ' id="byline"',
    ' id="Byline"',
    ' id="author-name"',
    ' data-testid="byline"',
    ' data-testid="Byline"',
    ' class="byline" id="byline"',
    ' class="byline Byline" id="byline" data-testid="byline"',
    ' class="date Date publish meta time"',
    ' class="DATE"',
    ' class="meta"',
    ' class="timestamp"',
    ' id="date"',
    ' id="DATE"',
    ' class="articleBody__byline"',
    ' class="comments"',
    ' class="related-posts"',
    ' class="sidebar"',
    ' class="entry-meta"',
    " class",
    ' class=""',
    ' itemprop="author"',
    ' itemprop="author creator"',
    ' itemprop="name"',
    ' itemprop="name" content="Ann Lee"',
    ' itemprop="Author"',
    ' itemprop="datePublished" datetime="2021-03-04"',
    ' itemprop="datePublished dateCreated" content="2019-12-31"',
    ' itemprop="dateCreated"',
    ' rel="author"',
    ' rel="Author nofollow"',
    ' datetime="2020-05-06"',
    ' datetime="2020-05-06T23:30:00Z" class="published"',
    ' datetime="2018-07-08" pubdate',
    ' datetime="1577836800"',
    ' datetime="not a date"',
]
BODY_TEXTS = [
    "By Jane Doe",
    "Jane Doe and John Smith",
    "By ANN LEE, Staff Writer",
    "Posted by Bob Stone | Reuters",
    "March 5, 2021",
    "5 mars 2019",
    "05/10/2018",
    "12.04.2017",
    "2016年3月4日",
    "Posted 2019-01-02 by Ann Lee",
    "Updated 3 hours ago",
    "Related",
    "Follow",
    "x",
    " ",
    "\n",
]
HEAD_ITEMS = [
    '<meta property="og:title" content="A  Title | Site">',
    '<meta property="og:title twitter:title" content="Two keys">',
    '<meta name="twitter:title" content="\u00a0Spaced\u2003title\n">',
    '<meta property="og:site_name" content="Site">',
    '<meta name="application-name" content="  ">',
    '<meta name="author" content="Jane Doe">',
    '<meta name="AUTHOR" content="https://example.com/jane">',
    '<meta name="dc.creator" content="Jong, Michiel de">',
    '<meta name="citation_author" content="Smith, Ann">',
    '<meta name="description" content="Not read  at all">',
    '<meta name="viewport" content="width=device-width">',
    '<meta charset="utf-8">',
    '<meta name="date" content="2020-01-02">',
    '<meta property="article:published_time" content="2019-11-19T04:58:00Z">',
    '<meta property="article:modified_time" content="2021-02-03">',
    '<meta name="lastmod" content="20200304">',
    '<meta itemprop="datePublished" content="2017-06-05">',
    '<meta http-equiv="content-language" content="fr">',
    '<meta property="og:locale" content="de_DE">',
    '<meta property="og:url" content="https://example.com/og">',
    '<meta name="language">',
    '<link rel="canonical" href="https://example.com/2019/03/04/story">',
    '<link rel="Canonical alternate" href="/relative/2018/02/03/">',
    '<link rel="canonical" href="javascript:void(0)">',
    '<link rel="stylesheet" href="/s.css">',
    "<title>Headline - Site</title>",
    "<title>Site | A much longer page headline here</title>",
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "LD head",'
    ' "author": {"@type": "Person", "name": "Ld Author"}, "datePublished": "2018-01-02"}'
    "</script>",
    '<script type="APPLICATION/LD+JSON">//<![CDATA[\n{"@type": "WebPage", "name": "Page",'
    ' "publisher": {"name": "Pub"}}\n//]]></script>',
    '<script type="application/ld+json"><!-- {"@graph": [{"@type": "Organization",'
    ' "@id": "#o", "name": "Org"}, {"@type": "BlogPosting", "author": {"@id": "#o"}}]} -->'
    "</script>",
    '<script type="application/ld+json">{"@type": "Article", "dateModified": "2020-02-02",}'
    "</script>",
    '<script type="application/ld+json">[{"@type": "WebSite", "name": "Web site"}, 3, "x"]'
    "</script>",
    '<script type="text/ld+jsonx">{"@type": "Report", "creator": "Ann Lee and Bo Ma"}</script>',
    '<script type="\u0130ld+json">{"@type": "Recipe", "name": "Dotted I"}</script>',
    '<script type="ld\u212a+json">{"@type": "Recipe", "name": "Kelvin"}</script>',
    '<script type="text/javascript">var x = "]]>";</script>',
    "<script>{}</script>",
]

pages = st.tuples(
    st.sampled_from(["", "<!DOCTYPE html>"]),
    st.sampled_from(["", ' lang="en"', ' lang="es-ES"', ' xml:lang="fr"', ' lang="123"']),
    st.lists(st.sampled_from(HEAD_ITEMS), max_size=10),
    st.lists(html_trees(BODY_TAGS, BODY_ATTRS, BODY_TEXTS, max_leaves=25), max_size=4),
).map(
    lambda p: f"{p[0]}<html{p[1]}><head>{''.join(p[2])}</head><body>{''.join(p[3])}</body></html>"
)
URLS = [None, "https://example.com/2020/01/02/story", "https://example.com/a/b"]
LEADS: list[list[str]] = [[], ["05/10/2018 - Publicado por Ana"], ["no date", "March 3, 2021"]]


def _all_elements(tree: LexborHTMLParser) -> list[Any]:
    return tree.css("*")


# --------------------------------------------------------------------------- whole pages


@settings(max_examples=300, deadline=None)
@given(pages)
@example(
    '<html><head><meta name="author" content="  "><link rel="canonical" href="/x"></head>'
    '<body><div class="byline Byline" id="byline" data-testid="byline">By Ann Lee</div>'
    "</body></html>"
)
def test_extract_metadata_equals_former(html: str) -> None:
    tree = LexborHTMLParser(html)
    jsonld = metadata.parse_jsonld(tree)
    assert jsonld == former.parse_jsonld(tree)
    for url in URLS:
        for lead in LEADS:
            for given_jsonld in (jsonld, None):
                new = metadata.extract_metadata(tree, url, given_jsonld, lead)
                old = former.extract_metadata(tree, url, given_jsonld, lead)
                assert dataclasses.astuple(new) == dataclasses.astuple(old)


@settings(max_examples=200, deadline=None)
@given(pages)
def test_meta_tags_and_canonical_links_equal_former(html: str) -> None:
    """The one walk keeps every <meta> value that is read, in order, and the same links."""
    tree = LexborHTMLParser(html)
    tags, hrefs = metadata._meta_and_canonical(tree)
    old = former._meta_tags(tree)
    assert tags == {k: v for k, v in old.items() if k in metadata._META_READ}
    assert hrefs == [metadata._attr(n, "href") for n in tree.css('link[rel~="canonical"]')]


# --------------------------------------------------------------------------- the C scans

SCAN_ITEMS = [
    *HEAD_ITEMS,
    '<META NAME="Author" CONTENT="Upper Case">',
    '<meta content="no key">',
    '<meta name="author" content>',
    '<meta name="author" content="first" content="second">',
    '<link rel="CANONICAL" href="/upper">',
    '<link rel="x\tcanonical\ny" href="/tabbed">',
    '<link rel="canonical\u00a0x" href="/nbsp">',
    '<link rel="canonical">',
    '<link href="/no-rel">',
    '<script type="APPLICATION/LD+JSON">{"@type": "Person", "name": "Upper"}</script>',
    '<script type="text/ld+json+x">{"a": 1}</script>',
    "<script type=application/ld+json></script>",
    "<script>var notld = 1;</script>",
    # <link> and <script> stay SVG elements; <meta> leaves the <svg> (HTML's breakout tags).
    '<svg><link rel="canonical" href="/svg"><link rel="CANONICAL" href="/svg-upper">'
    '<script type="application/ld+json">{"a": <g>1</g>}</script>'
    '<meta name="author" content="In SVG"></svg>',
    '<math><link rel="Canonical" href="/math"><meta name="date" content="2001-02-03"></math>',
    '<template><meta name="author" content="Templated"><link rel="canonical" href="/t">'
    '<script type="application/ld+json">{"t": 1}</script></template>',
    '<noscript><meta name="author" content="Noscript"></noscript>',
    '<div><meta itemprop="datePublished" content="2016-05-04"><p>In the body</p></div>',
    '<p title="<meta name=author content=x>">attribute text</p>',
    # Keys the C scan must hand over (read keys in any case, split where str.split() splits)
    # or may leave out (no read key), and non-ASCII keys it leaves to Python.
    '<meta name="x\x1cOG:TITLE" content="split at a separator">',
    '<meta name="viewport\x0bAuthor" content="split at a vertical tab">',
    '<meta property="og:image" content="unread">',
    '<meta name="\u212aeywords \u0130og:title" content="non-ASCII keys">',
    '<meta http-equiv="Content-Language" content="fr">',
    '<meta itemprop="DATEPUBLISHED" content="2015-01-02">',
    '<meta name="og:titles" content="a longer key">',
    '<meta name="og:titl" content="a shorter key">',
]

scan_pages = st.tuples(
    st.lists(st.sampled_from(SCAN_ITEMS), max_size=12),
    st.lists(st.sampled_from(SCAN_ITEMS), max_size=6),
).map(lambda p: f"<html><head>{''.join(p[0])}</head><body>{''.join(p[1])}</body></html>")


def _queried_jsonld(tree: LexborHTMLParser) -> list[str]:
    return [node.text(deep=True) or "" for node in tree.css('script[type*="ld+json" i]')]


@pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)
def test_the_c_scans_are_in_use() -> None:
    assert metadata._SCAN is not None


@settings(max_examples=400, deadline=None)
@given(scan_pages)
def test_c_scans_read_what_the_selector_queries_find(html: str) -> None:
    tree = LexborHTMLParser(html)
    assert metadata._meta_and_canonical(tree) == metadata._meta_and_canonical_queried(tree)
    assert metadata._jsonld_texts(tree) == _queried_jsonld(tree)


@pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)
def test_c_meta_scan_leaves_out_metas_that_are_not_read() -> None:
    tree = LexborHTMLParser(
        '<meta name="viewport" content="w"><meta property="og:image" content="i">'
        '<meta name="AUTHOR" content="Ann"><meta name="\u212a" content="k">'
    )
    assert tree.root is not None and metadata._SCAN is not None
    metas, _ = metadata._SCAN.scan_meta(tree.root.mem_id)
    assert [row[0] for row in metas] == ["Ann", "k"]


@pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)
@pytest.mark.parametrize("keys", [("Upper",), ("with space",), ("",), ("x" * 32,), (1,)])
def test_configure_meta_keys_refuses_what_it_could_not_compare(keys: tuple[Any, ...]) -> None:
    assert metadata._SCAN is not None
    with pytest.raises((ValueError, TypeError)):
        metadata._SCAN.configure_meta_keys(("author", *keys))  # refused whole: nothing changes
    tree = LexborHTMLParser('<meta name="og:title" content="T"><meta name="author" content="A">')
    assert metadata._meta_and_canonical(tree) == metadata._meta_and_canonical_queried(tree)


_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.skipif(not _CORPUS.is_dir(), reason="../shared/corpus is not here (fresh clone)")
def test_c_scans_read_what_the_selector_queries_find_on_every_corpus_page() -> None:
    from bench.corpus import load_corpus

    for page in load_corpus(_CORPUS):
        tree = LexborHTMLParser(page.html())
        queried = metadata._meta_and_canonical_queried(tree)
        assert metadata._meta_and_canonical(tree) == queried, page.id
        assert metadata._jsonld_texts(tree) == _queried_jsonld(tree), page.id


# --------------------------------------------------------------------------- the C element scan

NODE_ITEMS = [
    '<div class="byline Byline" id="byline" data-testid="byline" itemprop="author creator">A</div>',
    '<a rel="Author external" href="/a">B</a>',
    "<a rel=AUTHOR>C</a>",
    '<a rel="author\u00a0x">nbsp</a>',
    "<A REL=author>upper</A>",
    '<time datetime="2020-01-02" itemprop="datePublished dateCreated">t</time>',
    '<span itemprop="DatePublished" class="UPDATE">u</span>',
    "<span itemprop>valueless</span>",
    "<title>late</title><head><title>in a second head</title></head>",
    '<svg><title>svg</title><a rel="Author">D</a><a rel="author">d</a><time>s</time>'
    '<g class="author" itemprop="author">E</g></svg>',
    '<svg><foreignObject><p class="byline">in foreign</p></foreignObject></svg>',
    '<math><mi class="date" itemprop="author">m</mi><mtext><time>mt</time></mtext></math>',
    '<template><p class="byline">F</p><time>tt</time><a rel="author">ta</a></template>',
    '<noscript><p class="byline">ns</p></noscript>',
    '<p id="author-x" class="UPDATE">G</p>',
    '<p class="metadata time timestamp publish publishing">many parts</p>',
    '<p class="bylinebyline" id="bylineauthor">doubled</p>',
    '<p data-testid="BYLINE" class="Author">case</p>',
    '<p class="by\u00e9line byline\u00e9">non-ascii</p>',
]

node_pages = st.tuples(
    st.sampled_from(["", ' class="meta"', ' itemprop="author"', ' id="date"']),
    st.lists(st.sampled_from([*HEAD_ITEMS, *NODE_ITEMS]), max_size=8),
    st.lists(
        st.one_of(
            st.sampled_from(NODE_ITEMS),
            html_trees(BODY_TAGS, BODY_ATTRS, BODY_TEXTS, max_leaves=12),
        ),
        max_size=8,
    ),
).map(lambda p: f"<html{p[0]}><head>{''.join(p[1])}</head><body>{''.join(p[2])}</body></html>")


def _scanned(tree: LexborHTMLParser, limit: int) -> list[Any]:
    root = tree.root
    assert root is not None and metadata._PAGE_SCAN is not None
    return node_answers(metadata._PAGE_SCAN.scan_page(root.mem_id, tree, limit)[3])


needs_c = pytest.mark.skipif(
    metadata._PAGE_SCAN is None, reason="the C element scan is not in use (no compiler, or off)"
)


@pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)
def test_the_c_element_scan_is_in_use() -> None:
    assert metadata._PAGE_SCAN is not None


@needs_c
@settings(max_examples=400, deadline=None)
@given(node_pages, st.sampled_from([0, 1, 2, 3, 5, metadata._MAX_CANDIDATES]))
@example("<html><body>" + "".join(NODE_ITEMS) + "</body></html>", metadata._MAX_CANDIDATES)
def test_c_element_scan_finds_what_the_selector_queries_find(html: str, limit: int) -> None:
    tree = LexborHTMLParser(html)
    assert _scanned(tree, limit) == node_answers(metadata._queried_nodes(tree, limit))


def _scanned_page(tree: LexborHTMLParser) -> tuple[Any, ...]:
    root = tree.root
    assert root is not None and metadata._PAGE_SCAN is not None
    metas, hrefs, texts, nodes = metadata._PAGE_SCAN.scan_page(
        root.mem_id, tree, metadata._MAX_CANDIDATES
    )
    return metadata._read_metas(metas), hrefs, texts, node_answers(nodes)


def _queried_page(tree: LexborHTMLParser) -> tuple[Any, ...]:
    return (
        *metadata._meta_and_canonical_queried(tree),
        _queried_jsonld(tree),
        node_answers(metadata._queried_nodes(tree)),
    )


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.one_of(node_pages, scan_pages, pages))
def test_the_one_page_scan_reads_what_the_selector_queries_find(html: str) -> None:
    tree = LexborHTMLParser(html)
    assert _scanned_page(tree) == _queried_page(tree)
    elements = metadata.PageElements()
    assert elements.metas(tree) == metadata._meta_and_canonical_queried(tree)
    assert elements.jsonld_texts(tree) == _queried_jsonld(tree)


@needs_c
def test_the_page_scan_runs_once_for_jsonld_metas_and_elements() -> None:
    tree = LexborHTMLParser(
        '<html><head><title>T</title></head><body><p class="byline">By A</p></body></html>'
    )
    elements = metadata.PageElements()
    metadata.parse_jsonld(tree, elements)
    scanned = elements._page
    assert scanned is not None
    metadata.extract_metadata(tree, None, None, (), elements)
    assert elements._page is scanned


@needs_c
def test_c_element_scan_stops_at_the_cap() -> None:
    """More than the cap of each kind: the lists stop where the queries' slices stop."""
    html = "<body>" + '<time class="byline date author" itemprop="author">x</time>' * 60 + "</body>"
    tree = LexborHTMLParser(html)
    scanned = _scanned(tree, metadata._MAX_CANDIDATES)
    assert scanned == node_answers(metadata._queried_nodes(tree))
    # The date list counts two parts ("byline", "date") per element: 20 elements make 40.
    assert [len(answer) for answer in scanned[2:]] == [40, 0, 40, 40, 20, 40, 0]


@needs_c
def test_c_element_scan_nodes_work_like_selectolax_nodes() -> None:
    tree = LexborHTMLParser(
        "<html><head><title>The &amp; title</title></head><body><p class="
        '"byline" data-x="1">By <b>Ann</b></p></body></html>'
    )
    seen = metadata._Elements()
    title = seen.nodes(tree, metadata._TITLE)
    (byline,) = seen.nodes(tree, metadata._BYLINE)
    assert title.text() == "The & title" and title.parser is tree
    assert byline.attributes == {"class": "byline", "data-x": "1"}
    assert byline.parent.tag == "body" and byline.text() == "By Ann"
    assert byline.mem_id == tree.css_first("p").mem_id


@needs_c
def test_scan_page_refuses_what_is_not_a_parser() -> None:
    tree = LexborHTMLParser("<p>x</p>")
    root = tree.root
    assert root is not None
    with pytest.raises(ValueError, match="parser"):
        metadata._PAGE_SCAN.scan_page(root.mem_id, root, 3)
    with pytest.raises(ValueError, match="parser"):
        metadata._PAGE_SCAN.scan_page(0, tree, 3)


@needs_c
@pytest.mark.skipif(not _CORPUS.is_dir(), reason="../shared/corpus is not here (fresh clone)")
def test_c_element_scan_finds_what_the_selector_queries_find_on_every_corpus_page() -> None:
    from bench.corpus import load_corpus

    for page in load_corpus(_CORPUS):
        tree = LexborHTMLParser(page.html())
        assert _scanned(tree, metadata._MAX_CANDIDATES) == node_answers(
            metadata._queried_nodes(tree)
        ), page.id
        assert _scanned_page(tree) == _queried_page(tree), page.id


# --------------------------------------------------------------------------- selector lists


@settings(max_examples=300, deadline=None)
@given(
    html_trees(BODY_TAGS, BODY_ATTRS, BODY_TEXTS, max_leaves=40),
    st.sampled_from([0, 1, 2, 3, 5, metadata._MAX_CANDIDATES]),
)
def test_contains_lists_find_the_former_candidates(html: str, limit: int) -> None:
    """The distinct elements among the first ``limit`` entries of the original selector list,
    where lexbor repeats an element once per selector it matches."""
    tree = LexborHTMLParser(html)
    for classes in (metadata._BYLINE_CLASSES, metadata._AUTHOR_CLASSES, metadata._DATE_CLASSES):
        want: list[int] = []
        for node in tree.css(classes.selector)[:limit]:
            if node.mem_id not in want:
                want.append(node.mem_id)
        assert [n.mem_id for n in classes.first(tree, limit)] == want


def test_contains_lists_keep_the_former_selectors() -> None:
    assert metadata._BYLINE_CLASSES.selector == (
        '[class*="byline"], [id*="byline"], [class*="Byline"], [data-testid*="byline"]'
    )
    assert metadata._AUTHOR_CLASSES.selector == (
        '[class*="author"], [id*="author"], [class*="Author"]'
    )
    assert metadata._DATE_CLASSES.selector == (
        '[class*="byline"], [class*="date"], [class*="Date"], [class*="time"], '
        '[class*="publish"], [class*="meta"], [id*="date"], [id*="byline"]'
    )


def test_an_element_straddling_the_cap_is_still_read() -> None:
    """Three entries for one element when two slots are left: it is among the candidates."""
    html = '<p class="byline">1</p><p class="byline Byline" id="byline">2</p><p id="byline">3</p>'
    tree = LexborHTMLParser(html)
    texts = [n.text() for n in metadata._BYLINE_CLASSES.first(tree, 3)]
    assert texts == ["1", "2"]


@settings(max_examples=200, deadline=None)
@given(html_trees(BODY_TAGS, BODY_ATTRS, BODY_TEXTS, max_leaves=30))
def test_element_facts_equal_former(html: str) -> None:
    tree = LexborHTMLParser(html)
    seen = metadata._Elements()
    for node in _all_elements(tree):
        assert metadata._words(node) == former._words(node)
        assert seen.words(node) == former._words(node)
        assert seen.in_boilerplate(node) == former._in_boilerplate(node)
        assert metadata._in_boilerplate(node) == former._in_boilerplate(node)
        assert seen.text(node, 300) == former._clean(metadata._lines_of(node), 300)


# --------------------------------------------------------------------------- strings

WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200b\u2028\u2029\u3000"
texts = st.text(alphabet=st.sampled_from(WHITESPACE + "aZé.\u0301Ǆß·İ"), max_size=40)


@settings(max_examples=1000)
@given(texts, st.integers(min_value=0, max_value=12))
def test_clean_and_fold_equal_former(text: str, limit: int) -> None:
    assert metadata._clean(text, limit) == former._clean(text, limit)
    assert metadata._clean(text) == former._clean(text)
    assert metadata._fold(text) == former._fold(text)


DATE_PIECES = [
    "2021",
    "1999",
    "05",
    "5",
    "12",
    "31",
    "-",
    "/",
    ".",
    " ",
    ",",
    "March",
    "mars",
    "Dez",
    "de",
    "th",
    "年",
    "月",
    "日",
    "\u0663\u0660\u0662\u0660",  # Arabic-Indic digits: \d matches them too
    "x",
]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(DATE_PIECES), max_size=12).map("".join), st.booleans())
def test_find_date_in_text_equals_former(text: str, day_first: bool) -> None:
    assert metadata.find_date_in_text(text, day_first=day_first) == former.find_date_in_text(
        text, day_first=day_first
    )


JSON_PIECES = ["<![CDATA[", "]]>", "//", "<!--", "-->", " ", "\n", '{"a": 1}', ",", "}", "]", ";"]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(JSON_PIECES), max_size=10).map("".join))
def test_loads_lenient_equals_former(raw: str) -> None:
    assert metadata._loads_lenient(raw) == former._loads_lenient(raw)


WRAPPER_PIECES = [
    *JSON_PIECES,
    "/",
    "///",
    "x",
    "]]",
    "--",
    "\u2028",
    "\u00a0",
    "\t",
    "\x1c",
    "<![CDATA[ //",
]


@settings(max_examples=2000)
@given(st.lists(st.sampled_from(WRAPPER_PIECES), max_size=12).map("".join))
@example("a///  ]]>")  # the match starts at the last "//" before the white space
@example("<![CDATA[ ]]>")
@example("// ]]> ]]>\n")
def test_wrappers_are_taken_off_as_the_former_regexes_do(text: str) -> None:
    cdata = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", text)
    comment = re.sub(r"^\s*<!--|-->\s*$", "", text)
    assert metadata._unwrapped(text, metadata._CDATA_OPENING, "]]>", slashes=True) == cdata
    assert metadata._unwrapped(text, metadata._COMMENT_OPENING, "-->", slashes=False) == comment


TYPE_VALUES = ["NewsArticle", "WebPage", "BlogPosting", "Person", "CreativeWork", "AboutPage"]
json_objects = st.recursive(
    st.none() | st.integers(0, 3) | st.sampled_from(TYPE_VALUES),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["@type", "type", "@id", "@graph", "author", "hasPart", "name"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=500)
@given(json_objects)
def test_collected_objects_and_main_objects_equal_former(data: Any) -> None:
    new: list[tuple[int, dict[str, Any]]] = []
    old: list[tuple[int, dict[str, Any]]] = []
    metadata._collect_objects(data, 0, new)
    former._collect_objects(data, 0, old)
    assert new == old
    objects = [obj for _, obj in new]
    ld, ld_old = metadata._JsonLd(objects), former._JsonLd(objects)
    assert (ld.articles, ld.pages, ld.by_id) == (ld_old.articles, ld_old.pages, ld_old.by_id)


FOREIGN_AND_ODD_PAGES = [
    '<svg><meta name="author" content="Svg Author"></meta>'
    '<link rel="canonical" href="https://e.com/2019/01/02/x"/></svg><p>x</p>',
    '<math><link rel="canonical" href="https://m.com/"/><meta name="date" content="2020-02-02"/>'
    "</math>",
    '<META NAME="Author" CONTENT="Up Case"><LINK REL="CANONICAL" HREF="https://u.com/2018/03/04/">',
    '<template><meta name="author" content="Tpl"><link rel=canonical href="https://t.com/">'
    "</template>",
    '<x-meta name="author" content="Custom"></x-meta><svg><title>svg title</title></svg>'
    '<div class="byline">By Ann Lee</div>',
    '<noscript><meta name="author" content="Nos"></noscript>',
    '<svg><g class="Byline"><text>By Svg Person</text></g></svg>',
]


def test_foreign_content_and_odd_markup_equal_former() -> None:
    """<meta>/<link> inside SVG and MathML, upper-case tags, templates: the tag tells the one
    walk's matches apart exactly as the separate queries did."""
    for html in FOREIGN_AND_ODD_PAGES:
        tree = LexborHTMLParser(html)
        for url in URLS:
            new = metadata.extract_metadata(tree, url)
            old = former.extract_metadata(tree, url)
            assert dataclasses.astuple(new) == dataclasses.astuple(old)
