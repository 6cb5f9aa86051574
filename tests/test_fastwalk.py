"""The C page walk (bot/_fastwalk.c) gives exactly what the Python walk gives, and is in use.

``_Walker.walk_python`` is the reference; tests/test_speedups.py compares both with an older
plain reference too. Here the pages are built to reach the C code's own paths: the tag-facts
cache and its overflow, the popup-class search on bytes, the block-marks cache, hover cards,
<br> and <pre> blocks handed back to Python, and deep trees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

import pytest
import selectolax
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from bot import extract
from bot.extract import (
    _load_fast_walk,
    _mark_main_python,
    _walk_record,
    _Walker,
    extract_html,
)
from tests.speedups_support import html_trees

# CI builds the C code and these tests fail without it; VERBATIM_PURE_PYTHON=1 turns it off on
# purpose, to run the rest of the suite on the Python twins.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("VERBATIM_PURE_PYTHON")), reason="the C code is off (VERBATIM_PURE_PYTHON)"
)

ROOT = Path(__file__).resolve().parents[1]


def _both(html: str) -> tuple[Any, Any]:
    """(Python, C) walks of ``html`` and the article marks made from each."""
    tree = LexborHTMLParser(html)
    root = tree.body if tree.body is not None else tree.root
    assert root is not None
    slow, quick = _Walker(), _Walker()
    slow.walk_python(root)
    assert extract._FAST_WALK is not None
    extract._FAST_WALK.walk(root.mem_id, quick)
    slow_main = _mark_main_python(slow)
    quick_main = extract._FAST_WALK.mark_main(quick.elems, quick.blocks)
    return (_walk_record(slow), slow_main), (_walk_record(quick), quick_main)


def test_the_c_walk_is_built_and_used() -> None:
    # CI builds the extension on install; if it did not, this says so instead of silently
    # measuring and shipping the slow walk.
    assert extract._FAST_WALK is not None
    assert extract._FAST_WALK.__file__.endswith(tuple(EXTENSION_SUFFIXES))


@pytest.mark.parametrize(
    "html",
    [
        "<p>plain</p>",
        "<p>line<br>break<br/>and <b>bold</b></p><p>  </p>",
        "<pre>  a\n\n\n\n b<br>c</pre><pre>   </pre>",
        "<blockquote><p>quoted <a href=x>link  text\n here</a></p><ul><li>kept</li></ul></blockquote>",
        '<p>Minister <a class="hovercard">Kristi Noem<span class="Popover">Her bio, long'
        " enough</span></a> said <span class=tooltip>x<span class=rollover>card</span></span>.</p>",
        '<div class="ToolTip">upper</div><div class="\u212aelvin hovercard">k</div>'
        '<div class="tool\u0130p">dotted</div><div class="TOOLTIP-x">t</div><div class>v</div>',
        '<div hidden>h</div><div aria-hidden=" TRUE ">a</div><div aria-hidden>n</div>'
        '<div style="VISIBILITY : hidden">s</div><div style="color:red">shown</div>',
        '<div id="content" class="article-body"><p class="x" role="main">a</p></div>'
        '<div class="sidebar" id="side" itemprop="articleBody">b</div><nav role=navigation>n</nav>',
        "<my-widget>custom <x-y>nested</x-y></my-widget><foo>inline</foo><fb:like>pref</fb:like>",
        "<svg><text>s</text><foreignObject><p>f</p></foreignObject></svg><math><mi>m</mi></math>",
        "<template><p>t</p></template><!-- c --><script>s()</script><noscript>n</noscript>",
        "<table><tr><td>1</td><td>2 <a href=#>a</a></td></tr><caption>cap</caption></table>",
        "<p>caf\u00e9 \u00adsoft\u200bzero \u4e2d\u6587 \U0001f600 &amp; &nbsp; &#0;</p>",
        "<p>\u3000\u2028wide\u00a0space\x1f</p>",
        "",
        "text directly in body <span>and a span</span>",
    ],
)
def test_c_walk_equals_python_walk_on_hand_written_pages(html: str) -> None:
    slow, quick = _both(f"<html><body>{html}</body></html>")
    assert quick == slow


def test_c_walk_equals_python_walk_with_more_tags_than_its_cache() -> None:
    # 600 distinct custom tags overflow the per-walk cache of tag facts (256 entries).
    html = "".join(f"<x-t{i} class='c{i % 7}'>w{i} </x-t{i}><t{i}>i{i}</t{i}>" for i in range(600))
    slow, quick = _both(f"<html><body><article>{html}</article></body></html>")
    assert quick == slow
    assert len(quick[0][1]) > 600


def test_every_html_tag_name_walks_as_in_python() -> None:
    """Each element HTML names, alone and nested, in HTML, SVG and MathML: the facts the C walk
    keeps for lexbor's static tags are those Python gives (foreignObject is a name of its own)."""
    names = sorted(extract._HTML_TAG_NAMES | extract._BLOCK_TAGS | extract._SKIP_TAGS)
    body = "".join(f"<{n} class='c'>text of {n} <b>bold</b></{n}>" for n in names)
    foreign = "<svg><foreignObject><p>in svg</p></foreignObject></svg><math><mi>m</mi></math>"
    for html in (body, foreign, f"<div>{body}</div><article>{body}{foreign}</article>"):
        slow, quick = _both(f"<html><body>{html}</body></html>")
        assert quick == slow


def test_static_tags_are_lexbors_fixed_ids() -> None:
    static = dict(extract._static_tags())
    names = set(static.values())
    assert {"div", "p", "article", "nav", "script", "br", "a", "span", "search"} <= names
    assert all(0 < tag_id < 256 for tag_id in static)
    assert "x-custom" not in names  # an unknown name has no fixed id


def test_configure_tags_refuses_a_wrong_name_or_id() -> None:
    fast = extract._FAST_WALK
    assert fast is not None
    div_id = LexborHTMLParser("<div></div>").css_first("div").tag_id
    with pytest.raises(ValueError, match="does not name"):
        fast.configure_tags(((div_id, "span"),))
    with pytest.raises(ValueError, match="static"):
        fast.configure_tags(((1 << 40, "div"),))
    assert fast.configure_tags(((div_id, "div"),)) == 0  # known already: nothing new is made


def test_c_walk_equals_python_walk_on_a_deep_tree() -> None:
    html = "<div><span>x" * 5000 + "</span></div>" * 5000
    slow, quick = _both(f"<html><body>{html}</body></html>")
    assert quick == slow


def test_c_walk_starts_at_the_document_element_when_there_is_no_body() -> None:
    assert LexborHTMLParser("<frameset><frame src=a></frameset>").body is None
    slow, quick = _both("<frameset><frame src=a></frameset>")
    assert quick == slow


_TAGS = [
    "div", "p", "span", "a", "br", "pre", "blockquote", "li", "h3", "nav", "article", "main",
    "my-card", "td", "em", "form", "aside", "xmp", "figcaption", "template", "svg", "math",
]  # fmt: skip
_ATTRS = [
    "", "", ' class="tooltip"', ' class="HoverCard"', ' class="popover x"', ' class="related"',
    ' class="article-body"', ' id="main"', ' role="main"', ' itemprop="articleBody"', " hidden",
    ' aria-hidden="true"', ' style="display:none"', ' class="pullquote"', " class",
    ' class="nav" id="a"', ' class="\u0130 tooltip"',
]  # fmt: skip
_TEXTS = [
    "Hi", " a b ", "\n", "\u00ad", "x\u200by", "\u00a0", "caf\u00e9", "A sentence of prose.",
    "A longer sentence of article prose, well over thirty characters.",
    "\u4e2d\u6587\u53e5\u5b50\u5f88\u957f\u7684\u4e00\u6bb5\u6587\u5b57",
]  # fmt: skip


pages = html_trees(_TAGS, _ATTRS, _TEXTS, max_leaves=50)


@settings(max_examples=400, deadline=None)
@given(st.lists(pages, min_size=1, max_size=4).map("".join))
def test_c_walk_equals_python_walk_on_generated_pages(html: str) -> None:
    slow, quick = _both(f"<html><body>{html}</body></html>")
    assert quick == slow


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_c_walk_equals_python_walk_on_any_text(text: str) -> None:
    slow, quick = _both(extract._utf8(f"<p class=a>{text}</p><pre>{text}</pre>")[0])
    assert quick == slow


_SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def test_c_walk_folds_and_counts_every_kind_of_white_space_as_python_does() -> None:
    # The C walk folds white space and counts link characters on UTF-8 bytes: every code point
    # str.split() splits at must read as space there too, alone, in runs and inside links.
    html = "".join(
        f"<p>a{c}b{c}{c}c <a href=#>{c}l{c}{c}k{c}</a>{c}</p><p><a href=#>{c}</a></p>"
        f"<p>x<span class=tooltip>t<span class=popover>{c}card{c}</span></span>{c}</p>"
        for c in _SPACES
    )
    slow, quick = _both(f"<html><body>{html}</body></html>")
    assert quick == slow
    assert len(quick[1]) > len(_SPACES)


def test_c_walk_drops_invisible_characters_as_python_does() -> None:
    # Folded in C, then dropped: a dropped character still ends a run of white space.
    cases = []
    for c in extract._DROP_STR:
        for pattern in (
            "{c}",
            "a{c}b",
            "a {c} b",
            " {c}x",
            "x {c}",
            "{c} {c}",
            "x\u00e9 {c}",
            "{c}\u00e9",
        ):
            cases.append(pattern.format(c=c))
    html = "".join(f"<p>{case}</p><p><a href=#>{case}</a> tail</p>" for case in cases)
    slow, quick = _both(f"<html><body>{html}</body></html>")
    assert quick == slow
    assert all(c not in text for text, *_ in quick[0][1] for c in extract._DROP_STR)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(_SPACES + "ab\u00e9\u4e2d\U0001f600 \u00ad\u200b\u2060\ufeff"),
        max_size=40,
    )
)
def test_c_walk_equals_python_walk_on_linked_text(text: str) -> None:
    page = f"<p>{text}<a href=#>{text}</a>{text}</p><p><a href=#>x{text}</a></p><pre>{text}</pre>"
    slow, quick = _both(page)
    assert quick == slow


_STYLE_PIECES = [
    "display", "DISPLAY", "Display", "visibility", "VISIBILITY", "none", "NONE", "hidden",
    "Hidden", ":", " ", "\t", "\x0b", "\x1c", "\x1f", "\n", ";", "color:red", "di", "splay",
    "\u017fx", "di\u017fplay", "h\u0130dden", "\u00a0", "\u2003", "true", "TRUE", "True",
    "tru", "e", "\u212a",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(_STYLE_PIECES), max_size=8).map("".join),
    st.lists(st.sampled_from(_STYLE_PIECES), max_size=4).map("".join),
)
def test_c_hidden_styles_and_aria_equal_python(style: str, aria: str) -> None:
    # ASCII values are decided in C, the others by _hidden_by; the walks must agree on both.
    style_attr = style.replace('"', "")
    aria_attr = aria.replace('"', "")
    page = (
        f'<div style="{style_attr}"><p>styled</p></div><div aria-hidden="{aria_attr}"><p>aria</p>'
        f'</div><div style="{style_attr}" aria-hidden="{aria_attr}"><p>both</p></div><p>kept</p>'
    )
    slow, quick = _both(page)
    assert quick == slow


def test_c_hidden_styles_on_hand_written_values() -> None:
    cases = [
        "display:none", "DISPLAY : NONE", "display\x1c:\tnone", "color:red;visibility: hidden",
        "display: block", "display:nonesuch", "displa:none", "visibility:visible",
        "di\u017fplay:none", "display:\u00a0none", "display:\x0bnone",
    ]  # fmt: skip
    arias = [" true ", "TRUE", "\x1ftrue\x0b", "false", "true1", "\u00a0true", ""]
    html = "".join(f'<div style="{c}"><p>{c}</p></div>' for c in cases) + "".join(
        f'<div aria-hidden="{a}"><p>a{a}</p></div>' for a in arias
    )
    slow, quick = _both(f"<html><body>{html}</body></html>")
    assert quick == slow
    texts = [text for text, *_ in quick[0][1]]
    assert "display: block" in texts and "DISPLAY : NONE" not in texts


_BREAK_PIECES = [
    "<br>", "<br/>", " ", "  ", "\n", "\t", "\u00a0", "\u3000", "\u00ad", "\u200b", "\ufeff",
    "word", "two words", "caf\u00e9", "\u4e2d\u6587", "<b> bold </b>", "<a href=#> link <br> </a>",
    "<span class=tooltip>x<span class=popover> card <br> </span></span>", "\x1c", "\u2028",
]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_BREAK_PIECES), max_size=14).map("".join))
def test_c_walk_folds_blocks_with_line_breaks_as_python_does(inner: str) -> None:
    slow, quick = _both(f"<p>{inner}</p><div>{inner}<p>after</p></div><pre>{inner}</pre>")
    assert quick == slow


def test_the_sample_page_reaches_every_kind_of_block() -> None:
    # The self-test at import compares the two walks on this page: it must hold the cases.
    tree = LexborHTMLParser(extract._SAMPLE_PAGE)
    assert tree.body is not None
    walker = _Walker()
    walker.walk_python(tree.body)
    kinds = {b.kind for b in walker.blocks}
    assert {"heading", "paragraph", "quote", "pre", "list_item", "table", "other"} <= kinds
    assert any(b.aside for b in walker.blocks)  # a hover card
    assert any(b.link_chars for b in walker.blocks)
    assert any(e.boiler for e in walker.elems) and any(e.candidate for e in walker.elems)


def test_another_selectolax_release_gets_the_python_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectolax, "__version__", "9.9.9")
    assert _load_fast_walk() is None


@settings(max_examples=60, deadline=None)
@given(pages)
def test_node_fields_read_directly_equal_lexbors_accessors(html: str) -> None:
    assert extract._FAST_WALK is not None
    # check_layout asks for attributes with and without a value.
    root = LexborHTMLParser(html + '<i hidden class="x"></i><svg viewBox="0 0 1 1"></svg>').root
    assert root is not None
    assert extract._FAST_WALK.check_layout(root.mem_id)


def test_c_walk_reads_attributes_by_name_as_python_does() -> None:
    """Attributes are told apart by their name id within a walk; odd names go by name."""
    many = " ".join(f"data-a{i}=v" for i in range(300))  # more names than the id cache holds
    pages = [
        '<div CLASS="footer">upper-case name</div><p>kept</p>',
        '<svg viewBox="0 0 1 1" class="footer"><text>svg</text></svg><p>kept</p>',
        '<math definitionURL="x" class="nav"><mi>m</mi></math><p>kept</p>',
        '<p xlink:hidden="x" xml:lang="en">prefixed</p><p ARIA-HIDDEN=true>upper</p>',
        # in MathML, xlink:role has the local name "role" and a prefix: not the role attribute
        '<p role="note">first a role</p><div><math><my-el xlink:role="navigation">Math text, '
        "long enough to be prose, in a block of its own.</my-el></math></div><p>kept</p>",
        f'<div {many} class="article-body"><p>many names</p></div><div {many} hidden>no</div>',
        '<div data-x hidden>valueless</div><p role="navigation" itemprop=x>roles</p>',
    ]
    for html in pages:
        slow, quick = _both(f"<html><body>{html}</body></html>")
        assert slow == quick, html


def test_check_layout_needs_a_tree_to_compare() -> None:
    assert extract._FAST_WALK is not None
    leaf = LexborHTMLParser("<p>x</p>").css_first("p")
    assert leaf is not None and leaf.child is not None
    assert not extract._FAST_WALK.check_layout(leaf.child.mem_id)  # a text node: no children
    for html in (
        "<p>no attributes</p>",
        '<p class="x">no attribute without a value</p>',
        '<p class="x" hidden>no attribute named apart from its local name</p>',
    ):
        root = LexborHTMLParser(html).root
        assert root is not None
        assert not extract._FAST_WALK.check_layout(root.mem_id)


def test_a_node_layout_unlike_lexbors_gets_the_python_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    assert extract._FAST_WALK is not None
    monkeypatch.setattr(extract._FAST_WALK, "check_layout", lambda _root: False)
    assert _load_fast_walk() is None


def test_nothing_walks_a_tree_before_the_layout_is_checked() -> None:
    code = (
        "import selectolax.lexbor as lx; from bot import _fastwalk as f;"
        "f.bind(lx.__file__); t = lx.LexborHTMLParser('<p>x</p>')\n"
        "try:\n    f.walk(t.body.mem_id, None)\nexcept RuntimeError as e:\n    print(e)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "check_layout()" in out.stdout


def test_pure_python_is_asked_for_by_environment() -> None:
    env = {**os.environ, "VERBATIM_PURE_PYTHON": "1"}
    code = (
        "import bot.extract as e; assert e._FAST_WALK is None;"
        "p = e.extract_html('<p>Hello <a href=x>there</a></p>'); print(p.full_text)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "Hello there"


def _extracted_both_ways(html: str) -> tuple[Any, Any]:
    fast = extract_html(html, "https://example.com/a")
    saved = extract._FAST_WALK
    try:
        extract._FAST_WALK = None
        slow = extract_html(html, "https://example.com/a")
    finally:
        extract._FAST_WALK = saved
    return fast, slow


def test_extraction_is_the_same_either_way() -> None:
    fast, slow = _extracted_both_ways(extract._SAMPLE_PAGE)
    assert fast == slow


@settings(max_examples=200, deadline=None)
@given(pages)
def test_c_blocks_and_texts_equal_pythons(html: str) -> None:
    fast, slow = _extracted_both_ways(
        f"<html><body><main>{html}</main><nav>{html}</nav></body></html>"
    )
    assert fast == slow
    assert all(type(block) is extract.Block for block in fast.blocks)
    assert [block.main for block in fast.blocks] == [block[2] for block in slow.blocks]


def test_c_blocks_of_an_empty_page() -> None:
    fast, slow = _extracted_both_ways("<html><body></body></html>")
    assert fast == slow and fast.blocks == () and fast.full_text == ""


def test_make_blocks_refuses_mismatched_records() -> None:
    fast = extract._FAST_WALK
    assert fast is not None
    with pytest.raises(ValueError, match="as many flags"):
        fast.make_blocks([("a", "paragraph", 0, 0, False)], [], extract.Block)
    with pytest.raises(TypeError, match="bools"):
        fast.make_blocks([("a", "paragraph", 0, 0, False)], [1], extract.Block)
    with pytest.raises(ValueError, match="tuple type"):
        fast.make_blocks([], [], dict)


_CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.mark.skipif(not _CORPUS.is_dir(), reason="../shared/corpus is not here (fresh clone)")
def test_c_walk_equals_python_walk_on_every_corpus_page() -> None:
    from bench.corpus import load_corpus

    for page in load_corpus(_CORPUS):
        slow, quick = _both(extract._utf8(page.html())[0])
        assert quick == slow, page.id


def test_block_marks_are_decided_in_c_for_the_real_word_lists() -> None:
    assert extract._FAST_WALK is not None
    words = (
        sorted(extract._KEEP_WORDS),
        sorted(extract._BOILER_WORDS),
        sorted(extract._BOILER_ROLES),
        extract._CONTENT_WORDS,
    )
    assert extract._FAST_WALK.configure_marks(*words) is True
    # A role word with a "k" could match a non-ASCII role through U+212A: C declines it.
    assert extract._FAST_WALK.configure_marks(words[0], words[1], ["kiosk"], words[3]) is False
    assert extract._FAST_WALK.configure_marks(*words) is True


_VALUE_PARTS = [
    "nav", "Nav", "relatedArticles", "article-body", "entry_content", "story", "sidebar",
    "pullquote", "tweet", "ad", "ads", "x", "a1b2", "post-body-text", "col-md-8", "", " ",
    "  ", "\t", "\x1c", "\n", "-", "_", "abcDef", "ABC", "aB", "Kelvin\u212a", "\u0130d",
    "caf\u00e9", "sharing-with-a-single-developer", "main", "Main", "MENU", "navigation",
    "articleBody", "ArticleBody", "x" * 130, "footer", "comment-list", "richtext",
]  # fmt: skip
values = st.one_of(
    st.none(),
    st.lists(st.sampled_from(_VALUE_PARTS), max_size=8).map("".join),
    st.text(alphabet="aZ- _\t1\u00e9", max_size=20),
)


def _attr(name: str, value: str | None) -> str:
    if value is None:
        return ""
    escaped = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f' {name}="{escaped}"'


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(["div", "section", "article", "main", "p", "nav", "aside", "td", "x-box"]),
    values,
    values,
    values,
    values,
    st.booleans(),
)
def test_c_block_marks_equal_pythons(
    tag: str, cls: str | None, ident: str | None, role: str | None, prop: str | None, bare: bool
) -> None:
    attrs = _attr("class", cls) + _attr("id", ident) + _attr("role", role) + _attr("itemprop", prop)
    if bare:
        attrs += " data-x"  # an attribute the marks do not read
    html = f"<html><body><{tag}{attrs}><p>Some prose words here.</p></{tag}></body></html>"
    slow, quick = _both(html)
    assert quick == slow


def test_c_block_marks_on_long_class_and_id_values() -> None:
    long_class = "story " + "a" * 395 + " ad"
    cases = [
        (long_class, "comment-list"),
        ("nav " * 120, "main"),
        ("x" * 399, "sidebar"),
        ("x" * 398, "sidebar"),
        ("articleBody " + "y" * 600, None),
        (" ".join(["w"] * 40) + " articlebody", None),  # content past the 30th token
        ("a" * 600 + "-articlebody", None),  # a token longer than C's buffer
    ]
    for cls, ident in cases:
        html = f"<html><body><div{_attr('class', cls)}{_attr('id', ident)}>t</div></body></html>"
        slow, quick = _both(html)
        assert quick == slow, (cls[:40], ident)


# Class values a page repeats: the walk works out what each says once, then looks it up.
_REPEATED_CLASSES = [
    "nav", "story article-body", "Tooltip-trigger", "hovercard", "sidebar ads", "col-md-8",
    "entry_content", "caf\u00e9 nav", "relatedArticles", "x" * 420, "comment-list", "",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["div", "span", "section", "a", "p", "aside", "article"]),
            st.sampled_from(_REPEATED_CLASSES),
            st.sampled_from([None, "main", "sidebar", "y" * 390, "\u00e9"]),
        ),
        min_size=1,
        max_size=14,
    )
)
def test_c_walk_equals_python_walk_where_class_values_repeat(
    elements: list[tuple[str, str, str | None]],
) -> None:
    body = "".join(
        f"<{tag}{_attr('class', cls)}{_attr('id', ident)}>Words {i} of prose.</{tag}>"
        for i, (tag, cls, ident) in enumerate(elements)
    )
    slow, quick = _both(f"<html><body>{body}</body></html>")
    assert quick == slow


def test_c_walk_equals_python_walk_past_the_class_memos_room() -> None:
    # More distinct values than the memo keeps, then each again: looked up, or worked out anew.
    names = [f"box{i} {'sidebar' if i % 3 else 'story'}" for i in range(700)]
    body = "".join(f"<div class='{c}'><p>Text {i}.</p></div>" for i, c in enumerate(names * 2))
    slow, quick = _both(f"<html><body>{body}</body></html>")
    assert quick == slow


_PROSE = "A sentence of article prose that is long enough to count, and then some more. "


def _teasers(n: int) -> str:
    return "".join(f"<h3><a href=/t{i}>Teaser headline number {i}</a></h3>" for i in range(n))


@pytest.mark.parametrize(
    "body",
    [
        f"<article><p>{_PROSE * 3}</p></article><article><p>{_PROSE}</p></article>",
        f"<article><article><p>{_PROSE}</p></article><article><p>{_PROSE}</p></article></article>",
        f"<main><p>{_PROSE * 2}</p></main><aside><p>{_PROSE}</p></aside>",
        f"<div itemprop=articleBody><p>{_PROSE}</p></div><div><p>{_PROSE * 4}</p></div>",
        f"<div class=article-body><p>{_PROSE * 2}</p></div><nav><p>{_PROSE}</p></nav>",
        f"<div><div><p>{_PROSE * 5}</p></div></div><footer><p>{_PROSE}</p></footer>",
        f"<section>{_teasers(4)}<p>short</p></section><div><p>{_PROSE}</p></div>",
        f"<form><div><p>{_PROSE * 3}</p></div></form>",
        f"<nav><p>{_PROSE}</p></nav><aside><p>{_PROSE}</p></aside>",
        f"<ul>{''.join(f'<li><a href=/{i}>{_PROSE}</a></li>' for i in range(5))}</ul>",
        "<p>tiny</p>",
        "",
        f"<main><p>{_PROSE}</p></main><main><p>{_PROSE * 2}</p></main><div><p>{_PROSE}</p></div>",
        f"<p>\u4e2d\u6587\u53e5\u5b50\u5f88\u957f\u7684\u4e00\u6bb5\u6587\u5b57</p><div class=sidebar><p>{_PROSE}</p></div>",
    ],
)
def test_c_article_marks_equal_pythons(body: str) -> None:
    slow, quick = _both(f"<html><body>{body}</body></html>")
    assert quick == slow


def _fresh(text: str | None) -> str | None:
    """An equal string that is another object (the C marks look kinds up by address)."""
    return None if text is None else "".join(list(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(pages, min_size=1, max_size=3).map("".join), st.integers(0, 3))
def test_c_article_marks_read_kinds_and_candidates_by_value(html: str, fresh_every: int) -> None:
    """Records whose kinds and candidates are equal strings but other objects, more distinct
    objects than the C code keeps in mind: the marks are the same as with the walk's own."""
    tree = LexborHTMLParser(
        f"<html><body><main>{html}</main><article>{html}</article></body></html>"
    )
    body = tree.body
    assert body is not None and extract._FAST_WALK is not None
    walker = _Walker()
    extract._FAST_WALK.walk(body.mem_id, walker)
    want = extract._FAST_WALK.mark_main(walker.elems, walker.blocks)
    blocks = [
        (raw[0], _fresh(raw[1]), *raw[2:]) if fresh_every and i % fresh_every == 0 else raw
        for i, raw in enumerate(walker.blocks)
    ]
    elems = [
        (rec[0], rec[1], _fresh(rec[2])) if i % 2 else rec for i, rec in enumerate(walker.elems)
    ]
    assert extract._FAST_WALK.mark_main(elems, blocks) == want == _mark_main_python(walker)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"<", b"/", b"</", b"a", b"<<", b"\xff"]), max_size=700))
def test_count_tags_equals_bytes_count(pieces: list[bytes]) -> None:
    # Counted in blocks of 255 bytes: lengths across block edges, a "</" split by one.
    assert extract._FAST_WALK is not None
    for data in (b"".join(pieces), b"x" * 254 + b"".join(pieces), b"<" * 70_000 + b"/"):
        assert extract._FAST_WALK.count_tags(data) == (data.count(b"<"), data.count(b"</"))


# Class and id values made of the words the C walk looks for (in any case, with camel-case
# humps, separators and digits between), for its word filters: the popup words in any class,
# and the keep, boilerplate and content words of a block's class and id.
_MARK_WORDS = sorted(
    set(extract._POPUP_WORDS)
    | extract._KEEP_WORDS
    | extract._BOILER_WORDS
    | set(extract._CONTENT_WORDS)
    | {"article", "body", "story", "post", "entry", "content", "text", "a", "x", "ad"}
)
_word_in_any_case = st.tuples(st.sampled_from(_MARK_WORDS), st.integers(0, 3)).map(
    lambda pair: (pair[0], pair[0].upper(), pair[0].title(), pair[0][:-1] + pair[0][-1:].upper())[
        pair[1]
    ]
)
_value_pieces = st.one_of(
    _word_in_any_case,
    st.sampled_from([" ", "  ", "-", "_", "\t", "\n", "1", "42", ".", ":", "ó", "\u0130", "k"]),
    st.text(alphabet="abcxyzABCXYZ", min_size=1, max_size=6),
)
_class_values = st.lists(_value_pieces, max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(["div", "section", "p", "li", "article", "td", "header", "span", "a"]),
    _class_values,
    st.one_of(st.none(), _class_values),
    st.sampled_from(["", ' role="main"', ' role="navigation"', ' itemprop="articleBody"']),
)
def test_c_word_filters_equal_python_on_class_and_id_values(
    tag: str, cls: str, ident: str | None, extra: str
) -> None:
    quote = '"'
    attrs = f' class="{cls.replace(quote, "")}"'
    if ident is not None:
        attrs += f' id="{ident.replace(quote, "")}"'
    html = (
        f"<div><{tag}{attrs}{extra}>Some words of text here.</{tag}>"
        f"<p class=x>More text <span{attrs}>inside a span</span> after.</p></div>"
        # the same class again, as the class memo answers it the second time
        f"<section><{tag}{attrs}>again</{tag}></section>"
    )
    slow, quick = _both(f"<html><body>{html}</body></html>")
    assert quick == slow


def test_c_word_filters_on_long_and_many_token_values() -> None:
    # Past 400 characters (cut), past 30 tokens (content words no longer read), a token too long
    # for the C buffer (Python decides) and a class and id joined past 400 characters.
    long_token = "x" * 600 + "articlebody"
    many = " ".join(["row"] * 30 + ["article-body"])
    cases = [
        f'<div class="{"a " * 210}sidebar">t</div>',
        f'<div class="{many}">t</div>',
        f'<div class="{long_token}">t</div>',
        f'<div class="{"b" * 390}" id="x related">t</div>',
        f'<div class="{"c" * 100}" id="{"d" * 299} related">t</div>',
        '<div class="relatedArticles">t</div><div class="PostBody">t</div>',
        '<div class="aB1cD-eF_gH iJ kL mN oP">t</div><div class="ToolTip">t</div>',
    ]
    for html in cases:
        slow, quick = _both(f"<html><body>{html}</body></html>")
        assert quick == slow, html


# Text for the folding fast paths: runs of printable ASCII longer than sixteen bytes, single and
# double spaces at every offset, other white space, and characters the fast path must leave to
# the byte-by-byte path (non-ASCII, invisible ones, control characters).
_TEXT_PIECES = [
    "word", "abcdefghijklmnopqrstuvwxyz0123456789", " ", "  ", "\t", "\n", "\r\n", "\u00a0",
    "\u00ad", "\u200b", "caf\u00e9", "\u2019", "\x7f", "\x01", "\x1f", ".", "a b c d e f g h",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_PIECES), max_size=24).map("".join))
def test_c_walk_folds_long_ascii_runs_as_python_does(text: str) -> None:
    html = (
        f"<p>{text}</p><p> {text} </p><div>{text}<b>{text}</b>{text}</div>"
        f"<p>{text}<br>{text}</p><p><a href=#>{text}</a>{text}</p>"
    )
    slow, quick = _both(extract._utf8(f"<html><body>{html}</body></html>")[0])
    assert quick == slow


def test_c_word_filters_take_one_letter_and_shared_words(monkeypatch: pytest.MonkeyPatch) -> None:
    # The configured lists have no one-letter word, no word in two lists and fewer than 64
    # words in a filter, but the filters take all three: a one-letter word matches at a value's
    # last byte too, a word in the keep and the boilerplate lists sets both flags, and the
    # words from the 64th on share the filter's last bit.
    fast = extract._FAST_WALK
    assert fast is not None
    start = (extract._POPUP_WORDS, extract._KEEP_WORDS, extract._BOILER_WORDS)
    popup = ("x", *extract._POPUP_WORDS)
    keep = extract._KEEP_WORDS | {"q", "sidebar"}
    # Past 63 words the filter's last bit stands for every word from the 64th on.
    extra = {f"zz{a}{b}" for a in "ab" for b in "abcdefghij"}
    boiler = extract._BOILER_WORDS | {"z"} | extra
    assert len(keep) + len(boiler) > 70
    content = ("w", *extract._CONTENT_WORDS)
    for name, value in [
        ("_POPUP_WORDS", popup),
        ("_KEEP_WORDS", keep),
        ("_BOILER_WORDS", boiler),
        ("_CONTENT_RE", extract.re.compile("|".join(content))),
        ("_POPUP_INFO", {}),
        ("_VALUE_FACTS", {}),
        ("_BLOCK_INFO", {}),
    ]:
        monkeypatch.setattr(extract, name, value)

    def configure(popup_words: tuple[str, ...], lists: tuple[Any, ...]) -> None:
        fast.configure(
            extract._tag_info, extract._block_marks, extract._popup_class, extract._hidden_by,
            popup_words,
        )  # fmt: skip
        assert fast.configure_marks(*lists)

    configure(popup, (sorted(keep), sorted(boiler), sorted(extract._BOILER_ROLES), content))
    try:
        values = ["x", "ax", "xa", "X", "a x", "q", "Q z", "z", "sidebar", "w", "aw", "wX", "b"]
        values += ["zzaa", "ZZBJ", "a-zzbe", "zzbk", "zzb", "zzaj1"]
        html = "".join(
            f'<div class="{v}">t</div><div id="{v}">t</div><span class="{v}">s</span>'
            for v in values
        )
        slow, quick = _both(f"<html><body><p>{html}</p>{html}</body></html>")
        assert quick == slow
        assert any(elem[1] for elem in quick[0][0])  # some boilerplate was found
    finally:
        configure(
            start[0],
            (sorted(start[1]), sorted(start[2]), sorted(extract._BOILER_ROLES), content[1:]),
        )
