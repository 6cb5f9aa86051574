"""An element's lines read in C (bot/_fastwalk.c's lines_of) equal what bot.metadata reads through
selectolax (_lines_python), and the C one is in use.

The pages reach what lines_of must get right: text nodes and line-breaking tags in document
order, widgets (script, SVG, ...) that void a byline, comments, the cap on nodes and on
characters, and text that is not valid UTF-8 (lexbor passes such bytes through; selectolax
decodes them with replacement characters).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from bot import extract, metadata
from tests.speedups_support import html_trees

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)

_TAGS = [
    "div", "p", "span", "br", "b", "a", "li", "time", "td", "svg", "script", "style", "noscript",
    "template", "figcaption", "h2", "foo-bar", "math", "address",
]  # fmt: skip
_ATTRS = ["", ' class="byline"', ' id="author"']
_TEXTS = [
    "By Ann", " ", "\n", "caf\u00e9", "\u4e2d\u6587", "<!-- c -->", "x" * 120, "Edited by Bo",
    "\U0001f600", "&amp;",
]  # fmt: skip


def _both(data: bytes | str, limit: int) -> list[tuple[str, str]]:
    """(C, Python) lines of every element of the page, at ``limit`` nodes."""
    fast = extract._FAST_WALK
    assert fast is not None
    tree = LexborHTMLParser(data)
    return [
        (
            fast.lines_of(node.mem_id, limit, metadata._MAX_BYLINE_CHARS * 3),
            metadata._lines_python(node, limit),
        )
        for node in tree.css("*")
    ]


def test_the_c_lines_are_in_use() -> None:
    assert metadata._LINES is extract._FAST_WALK is not None
    tree = LexborHTMLParser('<p class="byline">By <b>Ann</b><br>Editor</p>')
    node = tree.css_first("p")
    assert node is not None
    assert metadata._lines_of(node) == "\nBy Ann\nEditor"  # the <p> itself breaks a line


@settings(max_examples=400, deadline=None)
@given(
    st.lists(html_trees(_TAGS, _ATTRS, _TEXTS, max_leaves=40), min_size=1, max_size=3).map("".join),
    st.sampled_from([0, 1, 2, 5, metadata._MAX_TEXT_NODES]),
)
@example("<div>" + "<span>abc</span>" * 150 + "</div>", metadata._MAX_TEXT_NODES)
@example("<div>" + "x" * 1000 + "</div><p>" + "y" * 899 + "<b>z</b>w</p>", 200)
def test_c_lines_equal_pythons(html: str, limit: int) -> None:
    for fast, slow in _both(f"<html><body>{html}</body></html>", limit):
        assert fast == slow


_BYTES = [
    b"<p>", b"</p>", b"<br>", b"By ", b"\xff", b"\xed\xa0\x80", b"\xe2\x82", b"\xac", b"\xc3",
    b"\xa9", b"<b>", b"</b>", b"<svg>", b"</svg>", b"<!--x-->", b"caf\xc3\xa9",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_BYTES), max_size=30).map(b"".join))
def test_c_lines_decode_invalid_utf8_as_selectolax_does(body: bytes) -> None:
    """Each text node is decoded on its own: a byte sequence split over two text nodes gives
    replacement characters, not the character the two halves would make together."""
    for fast, slow in _both(b"<html><body><div>" + body + b"</div></body></html>", 200):
        assert fast == slow


def test_c_lines_stop_where_pythons_do() -> None:
    html = "<div id=a>" + "<i>w</i>" * 120 + "</div><div id=b>" + "v" * 901 + "<b>x</b></div>"
    cases = _both(f"<html><body>{html}</body></html>", 200)
    assert all(fast == slow for fast, slow in cases)
    fast = extract._FAST_WALK
    assert fast is not None
    tree = LexborHTMLParser(f"<html><body>{html}</body></html>")
    a, b = tree.css_first("#a"), tree.css_first("#b")
    assert a is not None and b is not None
    assert fast.lines_of(a.mem_id, 200, 900) == ""  # more than 200 nodes
    assert fast.lines_of(a.mem_id, 300, 900) == "\n" + "w" * 120
    assert fast.lines_of(b.mem_id, 200, 900) == ""  # more than 900 characters before <b>
    assert fast.lines_of(b.mem_id, 200, 901) == "\n" + "v" * 901 + "x"


def test_lines_of_refuses_what_it_cannot_read() -> None:
    fast = extract._FAST_WALK
    assert fast is not None
    with pytest.raises(ValueError, match="mem_id"):
        fast.lines_of(0, 3, 3)
    with pytest.raises(ValueError, match="1 to 15 bytes"):
        fast.configure_lines(("p", ""), ())
    with pytest.raises(ValueError, match="at most 48"):
        fast.configure_lines(tuple(f"t{i}" for i in range(49)), ())
    # A refused call leaves the names as they were.
    tree = LexborHTMLParser("<div>a<br>b<svg>c</svg></div>")
    node = tree.css_first("div")
    assert node is not None
    assert fast.lines_of(node.mem_id, 200, 900) == "" == metadata._lines_python(node)
