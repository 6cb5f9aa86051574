"""The walk and the metadata's page scan made in one pass (bot/_fastwalk.c's walk_scan) give
exactly what the two passes give one after the other, and extraction uses the one pass.

The pages are built to reach what the one pass must get right: subtrees the walk skips (hidden
elements, scripts, popups, templates) that the scan still reads, elements before and after the
<body>, pages without a <body>, and the scan's element lists and their cap.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from bot import extract, metadata
from bot.extract import _node_answers, _walk_record, _Walker, extract_html
from tests import test_fastwalk, test_metadata_speed_equivalence

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)

_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _comparable(scanned: tuple[Any, ...]) -> tuple[Any, ...]:
    metas, hrefs, texts, nodes = scanned
    return metas, hrefs, texts, _node_answers(nodes)


def _apart_and_together(html: str, limit: int = metadata._MAX_CANDIDATES) -> tuple[Any, Any]:
    """((walk record, scan), (walk record, scan)): two passes, then walk_scan's one."""
    fast = extract._FAST_WALK
    assert fast is not None
    tree = LexborHTMLParser(html)
    root = tree.root
    start = tree.body if tree.body is not None else root
    assert root is not None and start is not None
    apart, together = _Walker(), _Walker()
    fast.walk(start.mem_id, apart)
    scanned = fast.scan_page(root.mem_id, tree, limit)
    fused = fast.walk_scan(start.mem_id, together, root.mem_id, tree, limit)
    return (
        (_walk_record(apart), _comparable(scanned)),
        (_walk_record(together), _comparable(fused)),
    )


def test_extraction_walks_and_scans_in_one_pass() -> None:
    assert extract._FUSED
    assert metadata._PAGE_SCAN is extract._FAST_WALK


# Subtrees the walk does not enter, holding what the scan must still find.
_SKIPPED = [
    '<div hidden><p class="byline">By Hidden</p><time>2020</time></div>',
    '<div aria-hidden="true"><a rel="author" href="/a">Ann</a></div>',
    '<div style="display:none"><span itemprop="author">Bo</span></div>',
    '<script type="application/ld+json">{"@type": "NewsArticle", "author": "Cy"}</script>',
    '<noscript><meta name="author" content="Di"></noscript>',
    '<template><p class="date">tmpl</p></template>',
    '<div class="tooltip"><p class="author">card</p></div>',
    '<svg><title>t</title><g class="byline">g</g></svg>',
    '<link rel="canonical" href="https://example.com/c">',
    "<br><p>Some prose of the article, long enough to count as prose.</p>",
    '<pre class="date">  pre\n  text </pre>',
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_SKIPPED), max_size=6),
    st.lists(test_fastwalk.pages, min_size=1, max_size=3).map("".join),
    st.lists(st.sampled_from(_SKIPPED), max_size=4),
)
def test_one_pass_equals_two_on_generated_pages(
    head: list[str], body: str, after: list[str]
) -> None:
    html = f"<html><head>{''.join(head)}</head><body>{body}{''.join(after)}</body></html>"
    apart, together = _apart_and_together(html)
    assert together == apart


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        test_metadata_speed_equivalence.node_pages,
        test_metadata_speed_equivalence.scan_pages,
        test_metadata_speed_equivalence.pages,
    ),
    st.sampled_from([0, 1, 3, metadata._MAX_CANDIDATES]),
)
@example("<html><body>" + '<p class="byline date">x</p>' * 60 + "</body></html>", 40)
def test_one_pass_equals_two_on_metadata_pages(html: str, limit: int) -> None:
    apart, together = _apart_and_together(html, limit)
    assert together == apart


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<frameset><frame src=a></frameset>",  # no <body>: the walk starts at the root
        '<html><head><title>T</title></head><body hidden><p class="byline">x</p></body></html>',
        "<html><body><p>a</p></body></html><!-- after --><p class=author>late</p>",
        "<p>before<frameset><frame src=a></frameset>",  # the <body> left out of the tree
        '<title>Only a title</title><meta name="author" content="Ann">',
    ],
)
def test_one_pass_equals_two_on_edge_pages(html: str) -> None:
    apart, together = _apart_and_together(html)
    assert together == apart


def test_one_pass_walks_only_under_its_walk_root() -> None:
    """A walk root that is no block (its text ends no block by itself), with more after it: the
    walk's part ends its last block when it leaves the root, and stops there."""
    fast = extract._FAST_WALK
    assert fast is not None
    tree = LexborHTMLParser(
        '<html><body><div><span id="r">Text <b>of the span</b></span> after</div>'
        '<p class="byline">By Ann</p></body></html>'
    )
    root, span = tree.root, tree.css_first("span")
    assert root is not None and span is not None
    apart, together = _Walker(), _Walker()
    fast.walk(span.mem_id, apart)
    fused = fast.walk_scan(span.mem_id, together, root.mem_id, tree, 3)
    assert _walk_record(together) == _walk_record(apart)
    assert [raw[0] for raw in together.blocks] == ["Text of the span"]
    assert _comparable(fused) == _comparable(fast.scan_page(root.mem_id, tree, 3))


def test_a_walk_root_outside_the_scan_root_is_walked_apart() -> None:
    """lexbor keeps a <body> that a <frameset> replaced as the document's body, out of the tree:
    the one pass then gives what the two passes give, and extraction does not fail."""
    for html in ("<p><frameset>", "<div class=byline><p><frameset><frame src=a></frameset>"):
        tree = LexborHTMLParser(html)
        assert tree.body is not None and tree.body.parent is None
        apart, together = _apart_and_together(html)
        assert together == apart
        one, two = _extracted_with_and_without_one_pass(html)
        assert one == two
    fast = extract._FAST_WALK
    assert fast is not None
    tree = LexborHTMLParser("<html><head><title>t</title></head><body><p>x</p></body></html>")
    head, body = tree.head, tree.body
    assert head is not None and body is not None
    walker = _Walker()
    scanned = fast.walk_scan(body.mem_id, walker, head.mem_id, tree, 3)
    assert [raw[0] for raw in walker.blocks] == ["x"]
    assert _comparable(scanned) == _comparable(fast.scan_page(head.mem_id, tree, 3))


def test_walk_scan_refuses_what_it_cannot_walk() -> None:
    fast = extract._FAST_WALK
    assert fast is not None
    tree = LexborHTMLParser("<html><body><p>x</p></body></html>")
    body = tree.body
    assert body is not None
    with pytest.raises(ValueError, match="no root"):
        fast.walk_scan(0, _Walker(), body.mem_id, tree, 3)
    with pytest.raises(ValueError, match="parser"):
        fast.walk_scan(body.mem_id, _Walker(), body.mem_id, body, 3)


def _extracted_with_and_without_one_pass(html: str) -> tuple[Any, Any]:
    saved = extract._FUSED
    try:
        extract._FUSED = False
        apart = extract_html(html, "https://example.com/2021/05/06/a")
    finally:
        extract._FUSED = saved
    return apart, extract_html(html, "https://example.com/2021/05/06/a")


@settings(max_examples=150, deadline=None)
@given(test_metadata_speed_equivalence.pages)
def test_extraction_is_the_same_with_one_pass(html: str) -> None:
    apart, together = _extracted_with_and_without_one_pass(html)
    assert together == apart


@pytest.mark.skipif(not _CORPUS.is_dir(), reason="../shared/corpus is not here (fresh clone)")
def test_one_pass_equals_two_on_every_corpus_page() -> None:
    from bench.corpus import load_corpus

    for page in load_corpus(_CORPUS):
        html = page.html()
        apart, together = _apart_and_together(html)
        assert together == apart, page.id
        one, two = _extracted_with_and_without_one_pass(html)
        assert one == two, page.id


def _reconfigured(parts: tuple[tuple[str, str], ...]) -> None:
    """The scan's three element lists all set to ``parts``."""
    fast = extract._FAST_WALK
    assert fast is not None
    tree = LexborHTMLParser(extract._NODES_SAMPLE)
    tags = [tree.css_first(tag) for tag in ("title", "head", "a", "time")]
    assert all(node is not None for node in tags)
    ok = fast.configure_nodes(tags[0], tuple(n.tag_id for n in tags if n), parts, parts, parts)
    assert ok


_SHORT_PARTS = (("class", "b"), ("id", "by"), ("class", "Z"), ("data-testid", "q"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["b", "by", "Z", "q", "xb", "bx", "ab", "y", "", " ", "zb", "B", "BY"]),
        max_size=4,
    ).map("".join),
    st.sampled_from(["class", "id", "data-testid"]),
)
def test_scan_finds_one_and_two_byte_words_as_the_selectors_do(value: str, name: str) -> None:
    """Words of one and two bytes, at the start, inside and at the end of a value: the scan's
    first- and second-byte tables must not drop a match the selector query finds."""
    html = f'<html><body><p {name}="{value}">x</p><p class="{value}b">y</p></body></html>'
    tree = LexborHTMLParser(html)
    root = tree.root
    assert root is not None
    wanted = metadata._ContainsList(*_SHORT_PARTS)
    try:
        _reconfigured(_SHORT_PARTS)
        fast = extract._FAST_WALK
        assert fast is not None
        nodes = fast.scan_page(root.mem_id, tree, metadata._MAX_CANDIDATES)[3]
        assert _node_answers(nodes)[4] == _node_answers((wanted.first(tree),))[0]
    finally:
        extract._use_page_scan(extract._FAST_WALK)
