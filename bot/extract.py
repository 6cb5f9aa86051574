"""Readable text of a fetched page, as blocks in reading order, with the main article marked.

Quotes can only be found in text that is kept, so nothing visible is dropped: navigation, footers
and comments stay in ``full_text`` and are only left out of ``main_text``. The walk is a single
iterative pass over the lexbor tree (no recursion, so deeply nested pages cannot overflow the stack);
deciding what is the article happens afterwards on light per-element records.
"""

from __future__ import annotations

import bisect
import html as html_lib
import logging
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import selectolax
import selectolax.lexbor
from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser, LexborNode

from bot import metadata, textnorm
from bot.metadata import PageMeta, article_body_from_jsonld, extract_metadata, parse_jsonld
from bot.textnorm import Tokens, WordList, tokenize

__all__ = ["Block", "ExtractedPage", "PageMeta", "extract", "extract_html", "extract_plain"]


class Block(NamedTuple):
    """A block of a page's text. A named tuple, not a frozen dataclass: a page makes hundreds,
    and a frozen dataclass sets each field through object.__setattr__ (twice the time)."""

    text: str  # whitespace collapsed to single spaces; <br> becomes "\n"
    kind: str  # heading | paragraph | list_item | quote | caption | table | pre | other
    main: bool  # inside the main article content


@dataclass(frozen=True)
class ExtractedPage:
    meta: PageMeta
    blocks: tuple[Block, ...]
    main_text: str  # the main blocks joined by "\n\n"
    full_text: str  # every visible block in reading order joined by "\n\n"
    # Tokens of main_text and full_text, made when first asked for: every quote checked against
    # this page object reuses them (see bot.extractcache).
    _tokens: dict[bool, Tokens] = field(default_factory=dict, init=False, repr=False, compare=False)

    def tokens(self, *, main: bool) -> Tokens:
        """``tokenize(self.main_text)`` (or of ``full_text``), made once per page object."""
        found = self._tokens.get(main)
        if found is None:
            known = self._tokens.get(True)
            if main:
                found = tokenize(self.main_text)
            elif known is not None:
                found = _tokens_around(self, known)
            else:
                found = tokenize(self.full_text)
            self._tokens[main] = found
        return found


# A stretch of tokens for _join_tokens: (words, starts, ends, lo, hi, shift).
_Part = tuple[WordList, "array[int]", "array[int]", int, int, int]


def _tokens_around(page: ExtractedPage, inner: Tokens) -> Tokens:
    """``tokenize(page.full_text)``, reusing ``inner``, the tokens of ``page.main_text``.

    The full text holds every block, the main text the main ones, both joined by blank lines.
    Tokens hold no white space, so a stretch of consecutive main blocks, with white space (or an
    end) on both sides in both texts, has in the full text the tokens it has in the main text,
    shifted; only the text between such stretches is tokenised. Words are normalised alike in
    any context, except a backtick clitic ("`s"), which becomes "'s" only among non-ASCII words:
    a text holding a backtick is tokenised whole.
    """
    text, main_text = page.full_text, page.main_text
    if "`" in text:
        return tokenize(text)
    stretches = _main_stretches(page.blocks)
    if _AROUND is not None and isinstance(inner.words, _FAST_WORD_TYPE):
        # All of it in one C call; raw words are normalised as tokenize does.
        split = _AROUND(text, main_text, stretches, inner.words)
        if split is None:
            return tokenize(text)  # the blocks do not lay out the texts: no shortcut
        return textnorm.finish_split(text, split, inner.block_breaks_newline)
    parts: list[_Part] = []
    other_from = 0  # where the text not yet tokenised begins
    for f0, f1, m0, m1 in stretches:
        if not (
            text[f0:f1] == main_text[m0:m1]
            and _bounded(text, f0, f1)
            and _bounded(main_text, m0, m1)
        ):
            return tokenize(text)  # the blocks do not lay out the texts: no shortcut
        other = tokenize(text[other_from:f0])
        parts.append((other.words, other.starts, other.ends, 0, len(other), other_from))
        lo, hi = bisect.bisect_left(inner.starts, m0), bisect.bisect_left(inner.starts, m1)
        parts.append((inner.words, inner.starts, inner.ends, lo, hi, f0 - m0))
        other_from = f1
    other = tokenize(text[other_from:])
    parts.append((other.words, other.starts, other.ends, 0, len(other), other_from))
    words, starts, ends = _join_tokens(parts)
    return Tokens(text, words, starts, ends, inner.block_breaks_newline)


def _main_stretches_python(blocks: Sequence[Block]) -> list[tuple[int, int, int, int]]:
    """(full start, full end, main start, main end) of each run of consecutive main blocks, in
    the texts ``_assemble`` joins from ``blocks`` (bot/_fastwalk.c's main_stretches)."""
    stretches: list[tuple[int, int, int, int]] = []
    full_at = main_at = 0
    for block in blocks:
        size = len(block.text)
        if block.main:
            last = stretches[-1] if stretches else None
            if last is not None and last[1] + 2 == full_at:
                stretches[-1] = (last[0], full_at + size, last[2], main_at + size)
            else:
                stretches.append((full_at, full_at + size, main_at, main_at + size))
            main_at += size + 2
        full_at += size + 2
    return stretches


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] has white space or an end of the text on both sides."""
    return (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace())


def _join_tokens(parts: list[_Part]) -> tuple[list[str], array[int], array[int]]:
    """The parts' token ranges one after another, offsets shifted (the route without the C
    tokeniser; with it, _fasttokens.tokens_around does the whole of _tokens_around)."""
    words: list[str] = []
    starts: array[int] = array("q")
    ends: array[int] = array("q")
    for part_words, part_starts, part_ends, lo, hi, shift in parts:
        words += part_words[lo:hi]
        starts.extend([x + shift for x in part_starts[lo:hi]])
        ends.extend([x + shift for x in part_ends[lo:hi]])
    return words, starts, ends


# _tokens_around in one C call, over the C split's words.
_AROUND: Callable[..., Any] | None = (
    textnorm._FAST_TOKENS.tokens_around if textnorm._FAST_TOKENS else None
)
_FAST_WORD_TYPE: type = textnorm._FAST_TOKENS.Words if textnorm._FAST_TOKENS else type(None)


# --------------------------------------------------------------------------- tag tables


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SKIP_TAGS = _words(
    """script style noscript template svg iframe head object embed canvas audio video map
    frameset frame #comment -comment title link meta rp"""
)
_BLOCK_TAGS = _words(
    """address article aside blockquote body center dd details dialog dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing
    main menu nav ol p plaintext pre section summary table tbody td tfoot th thead tr ul xmp
    caption option optgroup select textarea search"""
)
_KINDS = {
    **dict.fromkeys(_words("h1 h2 h3 h4 h5 h6"), "heading"),
    "p": "paragraph",
    **dict.fromkeys(_words("li dt dd"), "list_item"),
    "blockquote": "quote",
    **dict.fromkeys(_words("figcaption caption"), "caption"),
    **dict.fromkeys(_words("td th"), "table"),
    **dict.fromkeys(_words("pre listing xmp plaintext"), "pre"),
}
# Kinds that nested blocks inherit: a <p> inside a <blockquote> is still a quote.
_STICKY_KINDS = frozenset({"quote", "caption", "pre"})

_BOILER_TAGS = frozenset({"nav", "footer", "aside", "form", "header", "menu", "dialog", "select"})
_BOILER_ROLES = _words(
    """navigation banner contentinfo complementary search dialog alertdialog menu menubar
    toolbar form"""
)
_BOILER_WORDS = _words(
    """nav navbar navigation menu footer header masthead sidebar aside comment comments disqus
    related relatedarticles recommended recommendation recommendations share sharing sharebar
    newsletter subscribe subscription signup advert advertisement advertising ad ads
    adsbygoogle dfp promo promotion sponsored sponsor breadcrumb breadcrumbs cookie cookies
    consent banner popup modal outbrain taboola trending popular toolbar byline tags topics
    pagination pager"""
)
_KEEP_WORDS = frozenset({"tweet", "embed", "embedded", "pullquote", "quote", "blockquote"})
_POPUP_WORDS = ("rollover", "tooltip", "popover", "hovercard")
_CONTENT_WORDS = tuple(
    _words(
        """articlebody articlecontent articletext articlebodytext entrycontent postcontent postbody
        postentry storybody storycontent storytext bodytext contentbody richtext paywall blogpost
        postarticle"""
    )
)

_CONTENT_RE = re.compile("|".join(_CONTENT_WORDS))
_INVISIBLE_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SPACE = re.compile(r"[^\S\n]+")
_WS = re.compile(r"\s+")
_AROUND_NL = re.compile(r" *\n *")
_DROP_STR = "\u00ad\u200b\u2060\ufeff"  # bot/_fastwalk.c drops the same (dropped())
_DROP_CHARS = str.maketrans("", "", _DROP_STR)

_MAIN_SHARE = 0.6  # a semantic container is trusted when it holds this share of the page's prose
_MARKED_SHARE = 0.3  # share needed by an explicitly marked article body (itemprop, class)
_DENSITY_SHARE = 0.7  # otherwise the deepest element holding this share of the prose is main
_FIRST_ARTICLE_SHARE = 0.3  # of several <article>s, the first this big next to the biggest wins
_MIN_PROSE = 30  # characters for a block to count as prose (not a link, a label or a button)


# --------------------------------------------------------------------------- the walk


class _Elem(NamedTuple):
    """A block-level element seen on the walk: where it sits and what it is marked as. A named
    tuple: the C walk makes plain tuples of the same layout (bot/_fastwalk.c), far cheaper to
    make than objects, so code reading records from either walk indexes them."""

    parent: int
    boiler: bool
    candidate: str | None


class _RawBlock(NamedTuple):
    """A block of text as the walk found it (the C walk makes plain tuples of this layout)."""

    text: str
    kind: str
    elem: int
    link_chars: int
    aside: bool  # lifted out of the running text (a hover card), never main


def _is_hidden(attrs: dict[str, Any]) -> bool:
    return "hidden" in attrs or _hidden_by(attrs.get("aria-hidden"), attrs.get("style"))


def _hidden_by(aria: str | None, style: str | None) -> bool:
    """Hidden by its aria-hidden or style value (None: absent or valueless)."""
    if isinstance(aria, str) and aria.strip().lower() == "true":
        return True
    return isinstance(style, str) and _INVISIBLE_STYLE.search(style) is not None


def _token_words(raw: str) -> set[str]:
    """Words of class and id tokens ("relatedArticles" -> related, articles). Tokens of more than
    four words are slugs of headings ("sharing-with-a-single-developer"), not roles."""
    words: set[str] = set()
    # Camel-case humps become hyphens, which keep the tokens apart for split().
    for token in _CAMEL.sub(r"\1-\2", raw).lower().split():
        if token.isalpha() and token.isascii():
            words.add(token)  # the common case: one word
            continue
        found = _WORD.findall(token)
        if len(found) <= 4:
            words.update(found)
    return words


def _marks_content(value: str) -> bool:
    """A class or id token naming an article body ("article-body", "entry_content")."""
    squashed = " ".join(value.lower().split()[:30]).replace("-", "").replace("_", "")
    return _CONTENT_RE.search(squashed) is not None


# Class and id values repeat across a page's elements and across pages: what they say is worked
# out once per value. Bounded, as the values come from the page.
_CACHE_LIMIT = 20_000
_VALUE_FACTS: dict[str, tuple[frozenset[str], bool]] = {}
_NO_WORDS: frozenset[str] = frozenset()


def _value_facts(value: str) -> tuple[frozenset[str], bool]:
    """(words of the value's first 400 characters, whether it marks article content)."""
    found = _VALUE_FACTS.get(value)
    if found is None:
        found = (frozenset(_token_words(value[:400])), _marks_content(value))
        if len(_VALUE_FACTS) >= _CACHE_LIMIT:
            _VALUE_FACTS.clear()
        _VALUE_FACTS[value] = found
    return found


def _marks(tag: str, cls: Any, ident: Any, role: Any, itemprop: Any) -> tuple[bool, str | None]:
    """Whether a block element is boilerplate, and which kind of article container it may be
    (``_candidate``), from the only attributes that decide it."""
    class_facts = _value_facts(cls) if isinstance(cls, str) else None
    id_facts = _value_facts(ident) if isinstance(ident, str) else None
    # The words of the class and id tokens, of their first 400 characters together.
    if class_facts and id_facts:
        if len(cls) + 1 + len(ident) <= 400:
            words = class_facts[0] | id_facts[0]
        else:
            words = frozenset(_token_words(f"{cls} {ident}"[:400]))
    elif class_facts or id_facts:
        words = (class_facts or id_facts or (_NO_WORDS, False))[0]
    else:
        words = _NO_WORDS
    role = role.lower() if isinstance(role, str) else None
    if not _KEEP_WORDS.isdisjoint(words):
        boiler = False  # an embedded tweet or a pull quote is part of the article
    else:
        boiler = tag in _BOILER_TAGS or role in _BOILER_ROLES or not _BOILER_WORDS.isdisjoint(words)
    candidate: str | None = None
    if isinstance(itemprop, str) and "articlebody" in itemprop.lower():
        candidate = "body"
    elif tag == "article":
        candidate = "article"
    elif tag == "main" or role == "main":
        candidate = "main"
    elif tag in _KINDS:
        candidate = None  # a paragraph or a cell is no container ("MsoBodyText" on a <p>)
    elif (class_facts and class_facts[1]) or (id_facts and id_facts[1]):
        candidate = "content"
    return boiler, candidate


def _is_popup(attrs: dict[str, Any]) -> bool:
    value = attrs.get("class")
    if not isinstance(value, str):
        return False
    lowered = value.lower()
    return any(word in lowered for word in _POPUP_WORDS)


# What the walk does with a tag; facts about tags are kept like class values (bounded too).
_SKIP, _BR, _ELEMENT = 0, 1, 2


# What a tag is: (action, block, link, kind, boilerplate and candidate without attributes).
_TagFacts = tuple[int, bool, bool, str | None, bool, str | None]
_TAG_INFO: dict[str | None, _TagFacts] = {}
_POPUP_INFO: dict[str, bool] = {}


def _tag_info(tag: str | None) -> _TagFacts:
    info = _TAG_INFO.get(tag)
    if info is None:
        name = tag or ""
        skip = tag is None or name in _SKIP_TAGS or name.startswith(("-", "#"))
        info = (
            _SKIP if skip else _BR if name == "br" else _ELEMENT,
            name in _BLOCK_TAGS or "-" in name,
            name == "a",
            _KINDS.get(name),
            *_marks(name, None, None, None, None),
        )
        if len(_TAG_INFO) < _CACHE_LIMIT:
            _TAG_INFO[tag] = info
    return info


_BLOCK_INFO: dict[tuple[str, Any, Any, Any], tuple[bool, str | None]] = {}


def _block_info(tag: str, attrs: dict[str, Any]) -> tuple[bool, str | None]:
    get = attrs.get
    return _block_marks(tag, get("class"), get("id"), get("role"), get("itemprop"))


def _block_marks(
    tag: str, cls: Any, ident: Any, role: Any, itemprop: Any
) -> tuple[bool, str | None]:
    """``_marks`` of a block element; kept for elements without an id (ids are unique)."""
    if ident is not None:
        return _marks(tag, cls, ident, role, itemprop)
    key = (tag, cls, role, itemprop)
    found = _BLOCK_INFO.get(key)
    if found is None:
        found = _marks(tag, cls, None, role, itemprop)
        if len(_BLOCK_INFO) >= _CACHE_LIMIT:
            _BLOCK_INFO.clear()
        _BLOCK_INFO[key] = found
    return found


def _popup_class(value: str) -> bool:
    found = _POPUP_INFO.get(value)
    if found is None:
        found = _is_popup({"class": value})
        if len(_POPUP_INFO) >= _CACHE_LIMIT:
            _POPUP_INFO.clear()
        _POPUP_INFO[value] = found
    return found


class _Walker:
    def __init__(self) -> None:
        self.elems: list[_Elem] = [_Elem(-1, False, None)]  # 0 is the document itself
        self.blocks: list[_RawBlock] = []

    def emit(
        self, parts: list[str | None], link_chars: int, elem: int, kind: str, pre: bool, aside: bool
    ) -> None:
        """Turn the running text into a block. ``parts`` holds raw text nodes and None for a <br>
        outside <pre>: white space is folded here, once per block, not once per text node."""
        if None in parts:  # line breaks outside <pre>
            raw = "".join(["\n" if part is None else _WS.sub(" ", part) for part in parts])
            text = _AROUND_NL.sub("\n", _SPACE.sub(" ", raw))
            text = _drop_invisible(text).strip()
        elif pre:
            raw = "".join(parts)  # type: ignore[arg-type]
            if raw.isspace():
                return  # white space between elements
            text = "\n".join(_SPACE.sub(" ", line).strip() for line in raw.split("\n"))
            text = re.sub(r"\n{3,}", "\n\n", _drop_invisible(text).strip())
        else:
            # Without line breaks, folding the joined text equals folding each part and then
            # the runs of spaces where parts meet; split() folds and strips in one C call.
            text = " ".join("".join(parts).split())  # type: ignore[arg-type]
            if not text.isascii():
                text = _drop_invisible(text).strip()
        if text:
            self.blocks.append(_RawBlock(text, kind, elem, link_chars, aside))

    def walk(self, root: LexborNode) -> None:
        """The blocks and block elements under ``root``, in document order."""
        if _FAST_WALK is not None:
            _FAST_WALK.walk(root.mem_id, self)
        else:
            self.walk_python(root)

    def walk_python(self, root: LexborNode) -> None:
        """The walk in Python: the reference for bot/_fastwalk.c, and its stand-in."""
        # The context of the innermost block element: its record index, its kind, inside <pre>.
        elem, kind, pre = 0, "other", False
        in_link = 0
        popups = 0  # open elements that look like hover-card triggers or cards
        parts: list[str | None] = []  # the running text of the current block
        link_chars = 0  # characters of it inside links
        solid = False  # whether it holds more than white space (else it makes no block)
        saved: list[tuple[list[str | None], int, bool]] = []  # running text set aside in a card
        elems, emit, tag_info = self.elems, self.emit, _TAG_INFO
        # Entries: a node to enter, or a tuple to leave an element and restore the context.
        # Elements that change no context (most inline ones) push no tuple.
        stack: list[Any] = [root]
        pop, push = stack.pop, stack.append
        while stack:
            item = pop()
            if item.__class__ is tuple:
                block, prev_elem, prev_kind, prev_pre, was_link, was_popup, card = item
                if block and parts:
                    if solid:
                        emit(parts, link_chars, elem, kind, pre, bool(saved))
                    parts, link_chars, solid = [], 0, False
                if card:
                    # A hover card inside its trigger ("Kristi Noem" + her bio card): its text
                    # becomes a block of its own so the sentence around it stays whole.
                    if solid:
                        emit(parts, link_chars, elem, "other", pre, True)
                    parts, link_chars, solid = saved.pop()
                elem, kind, pre = prev_elem, prev_kind, prev_pre
                in_link -= was_link
                popups -= was_popup
                continue
            tag = item.tag
            if tag == "-text":
                text = item.text_content
                if text:
                    parts.append(text)
                    if not solid and not text.isspace():
                        solid = True
                    if in_link:
                        link_chars += len(text if pre else _WS.sub(" ", text))
                continue
            action, is_block, is_link, new_kind, boiler, candidate = tag_info.get(tag) or _tag_info(
                tag
            )
            if action != _ELEMENT:
                if action == _BR:
                    parts.append("\n" if pre else None)
                continue
            is_popup = False
            attrs = item.attributes
            if attrs:
                if ("hidden" in attrs or "aria-hidden" in attrs or "style" in attrs) and _is_hidden(
                    attrs
                ):
                    continue
                value = attrs.get("class")
                if value.__class__ is str:
                    is_popup = _popup_class(value)
            if is_block or is_link or is_popup:
                card = is_popup and popups > 0 and not is_link
                push((is_block, elem, kind, pre, is_link, is_popup, card))
                if card:
                    saved.append((parts, link_chars, solid))
                    parts, link_chars, solid = [], 0, False
                if is_block:
                    if parts:
                        if solid:
                            emit(parts, link_chars, elem, kind, pre, bool(saved))
                        parts, link_chars, solid = [], 0, False
                    if attrs:
                        boiler, candidate = _block_info(tag, attrs)
                    elems.append(_Elem(elem, boiler, candidate))
                    if kind not in _STICKY_KINDS or new_kind in _STICKY_KINDS:
                        kind = new_kind or ("other" if kind not in _STICKY_KINDS else kind)
                    elem = len(elems) - 1
                    pre = pre or kind == "pre"
                in_link += is_link
                popups += is_popup
            child = item.last_child
            while child is not None:
                push(child)
                child = child.prev
        while saved:  # only if the walk ended inside a card (it cannot, but stay safe)
            parts = saved.pop()[0] + parts
        if parts:
            emit(parts, link_chars, elem, kind, pre, bool(saved))


# The C walk (bot/_fastwalk.c) reads lexbor's tree as the selectolax release it was written for
# lays it out; with any other release, or if it is not built, or if it disagrees with the Python
# walk on a sample page, the Python walk runs. VERBATIM_PURE_PYTHON=1 asks for Python.
_FAST_WALK_SELECTOLAX = "1.0.2"
# What bot/_fastwalk.c's check_layout compares its direct reads on: elements, text, a comment,
# attributes with and without a value, and attributes named apart from their local name.
_LAYOUT_SAMPLE = (
    '<!doctype html><html><head><title>t</title></head><body><p class="a" hidden id=b>t'
    '<!-- c --></p><svg viewBox="0 0 1 1"><a xlink:href="#x">s</a></svg></body></html>'
)

_SAMPLE_PAGE = """<!doctype html><html><head><title>t</title></head><body>
<header class="site-header"><nav><a href="/">Home</a> <a href="/x">News</a></nav></header>
<main><article class="article-body" id="story" role="article" itemprop="articleBody">
<h1>A héadline</h1><p>First <b>bold</b> words,<br>a line <a href="/l">linked here</a>.</p>
<p hidden>hidden</p><p style="display: none">gone</p><div aria-hidden="true">aria</div>
<blockquote><p>Quoted ­text<span class="tooltip">card <span class="popover">in</span></span></p>
</blockquote><pre>  keep
   spaces</pre><ul><li>one</li><li>two <my-widget>custom</my-widget></li></ul>
<table><tr><td>cell</td></tr></table><!-- note --><script>x()</script><svg><text>s</text></svg>
</article></main><footer class="footer"><p>Footer text</p></footer></body></html>"""


# HTML's element names, and the obsolete ones pages still carry: the C walk keeps their facts
# (those of _tag_info) for good, where it would ask for them again on every page.
_HTML_TAG_NAMES = _words(
    """a abbr address area article aside audio b base bdi bdo blockquote body br button canvas
    caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe
    img input ins kbd label legend li link main map mark menu meta meter nav noscript object ol
    optgroup option output p param picture pre progress q rp rt ruby s samp script search section
    select slot small source span strong style sub summary sup table tbody td template textarea
    tfoot th thead time title tr track u ul var video wbr acronym applet basefont bgsound big blink
    center dir font frame frameset image keygen listing marquee menuitem nobr noembed noframes
    plaintext rb rtc strike tt xmp math svg"""
)


# Without lexbor's mutation events (3% of the parse): on a page they only mirror a selected
# <option> into <selectedcontent>.
_PARSE_OPTIONS = int(LexborDocumentOptions.WO_EVENTS)


def _static_tags() -> tuple[tuple[int, str], ...]:
    """(tag id, name) of the names above that lexbor knows by a fixed id: the same small id in
    two documents (names it does not know get an address in each document's own table)."""
    one, two = LexborHTMLParser("<p>one</p>"), LexborHTMLParser("<p>two</p>")
    found = []
    for name in sorted(_HTML_TAG_NAMES | _SKIP_TAGS | _BLOCK_TAGS | set(_KINDS) | _BOILER_TAGS):
        if name.startswith(("#", "-")):
            continue
        node = one.create_node(name)
        if node.tag == name and node.tag_id == two.create_node(name).tag_id < 256:
            found.append((node.tag_id, name))
    return tuple(found)


def _load_fast_walk() -> Any:
    log = logging.getLogger(__name__)
    if os.environ.get("VERBATIM_PURE_PYTHON"):
        return None
    if getattr(selectolax, "__version__", None) != _FAST_WALK_SELECTOLAX:
        log.info("selectolax is not %s: the page walk runs in Python", _FAST_WALK_SELECTOLAX)
        return None
    try:
        from bot import _fastwalk as fast

        fast.bind(selectolax.lexbor.__file__)
        sample = LexborHTMLParser(_LAYOUT_SAMPLE)
        assert sample.root is not None
        if not fast.check_layout(sample.root.mem_id):
            log.warning("lexbor's nodes are not laid out as expected: the walk runs in Python")
            return None
        fast.configure(
            _tag_info,
            _block_marks,
            _popup_class,
            _hidden_by,
            _POPUP_WORDS,
        )
        fast.configure_tags(_static_tags())
        fast.configure_marks(
            sorted(_KEEP_WORDS), sorted(_BOILER_WORDS), sorted(_BOILER_ROLES), _CONTENT_WORDS
        )
        fast.configure_main(
            _MIN_PROSE,
            _MAIN_SHARE,
            _MARKED_SHARE,
            _DENSITY_SHARE,
            _FIRST_ARTICLE_SHARE,
            _PROSE_KINDS,
        )
    except (ImportError, OSError) as exc:
        log.info("the C page walk is unavailable (%s): the page walk runs in Python", exc)
        return None
    tree = LexborHTMLParser(_SAMPLE_PAGE)
    body = tree.body
    assert body is not None
    slow, quick = _Walker(), _Walker()
    slow.walk_python(body)
    fast.walk(body.mem_id, quick)
    if _walk_record(slow) != _walk_record(quick) or fast.mark_main(
        quick.elems, quick.blocks
    ) != _mark_main_python(slow):
        log.warning("the C page walk disagrees with the Python walk: the walk runs in Python")
        return None
    _use_fast_scans(fast)
    return fast


# <meta>s, canonical links and JSON-LD as bot/_fastwalk.c's scans must read them like lexbor's
# selector engine: case rules of rel (HTML elements only), SVG and MathML elements, templates.
_SCAN_SAMPLE = """<html><head><meta property="og:title og:x" content="T"><META NAME=Author
CONTENT="A B"><meta name=e content=""><link rel="Canonical" href="/c"><link rel="x\tcanonical">
<script type="APPLICATION/LD+JSON">{"@type": "NewsArticle"}</script></head><body>
<svg><link rel=CANONICAL href=/no><link rel=canonical href=/svg><meta name=s content=svg>
<script type=application/ld+json>{"a":<g>1</g>}</script></svg><template><meta name=t content=t>
</template><noscript><meta name=n content=n></noscript></body></html>"""


def _use_fast_scans(fast: Any) -> None:
    """Hand the C scans to bot.metadata, if they read the sample as the selector queries do."""
    log = logging.getLogger(__name__)
    tree = LexborHTMLParser(_SCAN_SAMPLE)
    meta, link, script = (tree.css_first(tag) for tag in ("meta", "link", "script"))
    if tree.root is None or meta is None or link is None or script is None:
        return
    fast.configure_scan(meta.tag_id, link.tag_id, script.tag_id, meta.mem_id)
    fast.configure_meta_keys(tuple(sorted(metadata._META_READ)))
    root = tree.root.mem_id
    metas, hrefs = fast.scan_meta(root)
    queried = metadata._meta_and_canonical_queried(tree)
    texts = metadata._jsonld_texts_queried(tree)
    if (metadata._read_metas(metas), hrefs) != queried or fast.scan_jsonld(root) != texts:
        log.warning("the C metadata scans disagree with lexbor's selectors: queries are used")
        return
    metadata.use_scan(fast)
    _use_page_scan(fast)


# The element queries of bot.metadata as scan_page must answer them: the <title> in <head> only,
# itemprop and rel tokens (rel in any case on HTML elements only), the class and id lists, an
# element matching several selectors, SVG and MathML elements, and nothing inside a <template>.
_NODES_SAMPLE = """<html class="meta"><head><title>T</title><meta itemprop=x></head><body>
<div class="byline Byline" id="byline" data-testid="byline" itemprop="author creator">By A</div>
<a rel="Author external" href="/a">B</a><a rel=AUTHOR>C</a><span class="Date publish">5 May</span>
<time datetime="2020-01-02" itemprop="datePublished dateCreated">t</time><title>late</title>
<svg><title>svg</title><a rel="Author">D</a><time>s</time><g class="author">E</g></svg>
<math><mi class="date" itemprop="author">m</mi></math><template><p class="byline">F</p>
<time>tt</time></template><p id="author-x" class="UPDATE">G</p></body></html>"""


def _use_page_scan(fast: Any) -> None:
    """Hand scan_page to bot.metadata, if it reads both samples as lexbor's selectors do."""
    tree = LexborHTMLParser(_NODES_SAMPLE)
    tags = [tree.css_first(tag) for tag in ("title", "head", "a", "time")]
    if any(node is None for node in tags):
        return
    lists = (metadata._BYLINE_CLASSES, metadata._AUTHOR_CLASSES, metadata._DATE_CLASSES)
    if not fast.configure_nodes(
        tags[0], tuple(n.tag_id for n in tags if n), *(c.parts for c in lists)
    ):
        logging.getLogger(__name__).info("selectolax's nodes are not laid out as expected")
        return
    for page in (tree, LexborHTMLParser(_SCAN_SAMPLE)):
        if page.root is None:
            return
        metas, hrefs, texts, nodes = fast.scan_page(
            page.root.mem_id, page, metadata._MAX_CANDIDATES
        )
        queried = (
            *metadata._meta_and_canonical_queried(page),
            metadata._jsonld_texts_queried(page),
            _node_answers(metadata._queried_nodes(page)),
        )
        if (metadata._read_metas(metas), hrefs, texts, _node_answers(nodes)) != queried:
            logging.getLogger(__name__).warning(
                "the C page scan disagrees with lexbor's selectors: queries are used"
            )
            return
    metadata.use_page_scan(fast)
    _use_lines(fast)


def _use_lines(fast: Any) -> None:
    """Hand lines_of to bot.metadata, if it reads every element of the samples as
    metadata._lines_python does."""
    fast.configure_lines(tuple(sorted(metadata._LINE_BREAK_TAGS)), metadata._WIDGET_TAGS)
    for html in (_NODES_SAMPLE, _SCAN_SAMPLE, _SAMPLE_PAGE, _LINES_SAMPLE):
        tree = LexborHTMLParser(html)
        for node in tree.css("*"):
            for limit in (0, 3, metadata._MAX_TEXT_NODES):
                got = fast.lines_of(node.mem_id, limit, metadata._MAX_BYLINE_CHARS * 3)
                if got != metadata._lines_python(node, limit):
                    logging.getLogger(__name__).warning(
                        "the C lines_of disagrees with selectolax: elements are read in Python"
                    )
                    return
    metadata.use_lines(fast)


# An element's lines as bylines hold them: breaks, widgets inside, comments, SVG and MathML names.
_LINES_SAMPLE = """<html><body><div class="byline">By <b>Ann</b><br>Edited by <a>Bo</a><!-- c -->
<p>Line<span>s</span></p><time>May 5</time><svg><text>x</text></svg></div><div class=author>A
<script>x</script></div><p>café <math><mi>y</mi></math>中</p><foo-bar>z</foo-bar>
<ul><li>one<li>two</ul><table><tr><td>c</td></tr></table><figure><figcaption>f</figcaption>
</figure></body></html>"""


def _fused_agrees(fast: Any) -> bool:
    """Whether ``fast.walk_scan`` gives what ``walk`` and ``scan_page`` give, on the samples."""
    if metadata._PAGE_SCAN is not fast:
        return False
    for html in (_SAMPLE_PAGE, _SCAN_SAMPLE, _NODES_SAMPLE):
        tree = LexborHTMLParser(html)
        root, start = tree.root, tree.body if tree.body is not None else tree.root
        if root is None or start is None:
            return False
        apart, together = _Walker(), _Walker()
        fast.walk(start.mem_id, apart)
        scanned = fast.scan_page(root.mem_id, tree, metadata._MAX_CANDIDATES)
        fused = fast.walk_scan(start.mem_id, together, root.mem_id, tree, metadata._MAX_CANDIDATES)
        if _walk_record(apart) != _walk_record(together) or (
            *scanned[:3],
            _node_answers(scanned[3]),
        ) != (*fused[:3], _node_answers(fused[3])):
            logging.getLogger(__name__).warning(
                "the C walk and scan disagree when made in one pass: two passes are made"
            )
            return False
    return True


def _node_answers(answers: tuple[Any, ...]) -> list[Any]:
    """scan_page's node answers (or the queries'), comparable with ==: a node by its address,
    tag and parser (LexborNode equality compares serialised HTML)."""

    def key(node: Any) -> Any:
        return None if node is None else (node.mem_id, node.tag, id(node.parser))

    def comparable(answer: Any) -> Any:
        if isinstance(answer, bool):
            return answer  # has_itemprop
        if isinstance(answer, list):
            return [key(node) for node in answer]
        return key(answer)  # the title, or None

    return [comparable(answer) for answer in answers]


def _walk_record(walker: _Walker) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Everything a walk produced, comparable with ==."""
    return (
        [tuple(e) for e in walker.elems],
        [tuple(b) for b in walker.blocks],
    )


# --------------------------------------------------------------------------- the main content


def _drop_invisible(text: str) -> str:
    """``text.translate(_DROP_CHARS)``, without translate's per-character cost on the common text
    that holds none of them."""
    if text.isascii() or not any(c in text for c in _DROP_STR):
        return text
    return text.translate(_DROP_CHARS)


def _weight(text: str) -> int:
    """Length, with a CJK character worth three (a Chinese sentence is short in characters)."""
    if text.isascii():
        return len(text)
    return len(text) + 2 * len(_CJK.findall(text))


_PROSE_KINDS = ("paragraph", "quote", "other", "pre", "list_item", "table")


def _is_prose(block: _RawBlock, weight: int) -> bool:
    return (
        weight >= _MIN_PROSE
        and block.kind in _PROSE_KINDS
        and block.link_chars * 2 < len(block.text)
    )


def _mark_main(walker: _Walker) -> list[bool]:
    """Which blocks belong to the article (in C when the C walk is in use)."""
    if _FAST_WALK is not None:
        flags: list[bool] = _FAST_WALK.mark_main(walker.elems, walker.blocks)
        return flags
    return _mark_main_python(walker)


def _mark_main_python(walker: _Walker) -> list[bool]:
    """Which blocks belong to the article, decided on element records only (all passes O(n))."""
    # Named, whichever walk made them (the C walk's are plain tuples).
    elems = list(map(_Elem._make, walker.elems))
    blocks = list(map(_RawBlock._make, walker.blocks))
    n = len(elems)
    prose, para, linked_heads = [0] * n, [0] * n, [0] * n
    for block in blocks:
        if block.aside:
            continue
        size = _weight(block.text)
        if _is_prose(block, size):
            prose[block.elem] += size
        if block.kind == "paragraph" and block.link_chars * 2 < len(block.text):
            para[block.elem] += size
        elif block.kind == "heading" and block.link_chars * 5 >= len(block.text) * 3:
            linked_heads[block.elem] += 1
    own_prose = prose[:]
    # Elements are recorded in document (pre-)order, so a reverse sweep sums every subtree.
    for index in range(n - 1, 0, -1):
        parent = elems[index].parent
        prose[parent] += prose[index]
        para[parent] += para[index]
        linked_heads[parent] += linked_heads[index]
    page_prose = prose[0]
    # Strict first; if that leaves little prose the page is a list of teasers (a front page) and
    # the teasers are its content; if nothing at all is left, the markers are all wrong.
    for level in (2, 1, 0):
        boiler = [False] * n
        for index in range(1, n):
            rec = elems[index]
            # A list of linked headlines with little paragraph text is a teaser list.
            teasers = (
                level == 2 and linked_heads[index] >= 3 and para[index] < 200 * linked_heads[index]
            )
            # A marker on an element that holds most of the page's prose is a false alarm
            # (a <form> wrapping the whole page, a "has-sidebar" class on a layout wrapper).
            marked = level > 0 and (rec.boiler or teasers)
            boiler[index] = marked and prose[index] * 2 <= page_prose
        # Prose outside boilerplate decides where the article is.
        clean = own_prose[:]
        for index in range(n - 1, 0, -1):
            if not boiler[index]:
                clean[elems[index].parent] += clean[index]
        if clean[0] * 4 >= page_prose or (level == 1 and clean[0]):
            break
    roots = _choose_main(elems, clean, boiler)
    in_main = [False] * n
    for index in range(1, n):
        in_main[index] = index in roots or (in_main[elems[index].parent] and not boiler[index])
    return [in_main[block.elem] and not block.aside for block in blocks]


def _choose_main(elems: list[_Elem], clean: list[int], boiler: list[bool]) -> set[int]:
    total = clean[0]
    if total == 0:
        return set()
    n = len(elems)
    inside_boiler = [False] * n
    for index in range(1, n):
        parent = elems[index].parent
        inside_boiler[index] = inside_boiler[parent] or boiler[index]

    def outermost(kind: str) -> tuple[list[int], list[int]]:
        """Elements marked ``kind`` that are not inside boilerplate or another such element, and
        for each element the prose of the ``kind`` elements nested right inside it."""
        nearest = [0] * n  # the closest ancestor marked ``kind`` (0: none)
        nested = [0] * n
        found = []
        for index in range(1, n):
            parent = elems[index].parent
            nearest[index] = parent if elems[parent].candidate == kind else nearest[parent]
            if elems[index].candidate == kind:
                if nearest[index]:
                    nested[nearest[index]] += clean[index]
                elif not inside_boiler[index]:
                    found.append(index)
        return found, nested

    for kind in ("body", "content"):
        found, _ = outermost(kind)
        if found and sum(clean[i] for i in found) >= _MARKED_SHARE * total:
            return set(found)
    found, nested = outermost("article")
    if found and sum(clean[i] for i in found) >= _MAIN_SHARE * total:
        # Several articles: the page's own comes first, teasers after it are small, and an
        # <article> made mostly of other <article>s is a list of them.
        single = [i for i in found if nested[i] * 2 < clean[i]] or found
        biggest = max(clean[i] for i in single)
        return {next(i for i in single if clean[i] >= _FIRST_ARTICLE_SHARE * biggest)}
    found, _ = outermost("main")
    if found:
        best = max(found, key=lambda i: clean[i])
        if clean[best] >= _MAIN_SHARE * total:
            return {best}
    # The deepest element still holding most of the prose (these form one chain from the root).
    best = 0
    for index in range(1, n):
        if clean[index] >= _DENSITY_SHARE * total and not inside_boiler[index]:
            best = index
    return {best} if best else {0}


# --------------------------------------------------------------------------- public API


def _similar_key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _jsonld_blocks(body: str) -> list[Block]:
    paragraphs = re.split(r"\n\s*\n|\r\n\s*\r\n", body)
    if len(paragraphs) == 1:
        paragraphs = body.split("\n")
    out = []
    for para in paragraphs:
        text = _WS.sub(" ", para.translate(_DROP_CHARS)).strip()
        if text:
            out.append(Block(text, "paragraph", True))
    return out


def _assemble(meta: PageMeta, blocks: list[Block]) -> ExtractedPage:
    return ExtractedPage(
        meta=meta,
        blocks=tuple(blocks),
        main_text="\n\n".join(b.text for b in blocks if b.main),
        full_text="\n\n".join(b.text for b in blocks),
    )


def _utf8(text: str) -> tuple[str, bytes]:
    """``_as_valid_text(text)`` and its UTF-8 bytes, encoding once."""
    try:
        return text, text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
        return text, text.encode("utf-8")


def _as_valid_text(text: str) -> str:
    """Lone surrogates cannot be encoded for the parser; replace them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


# Thousands of elements left open make lexbor's tree building slow: many tags check the whole
# stack of open elements, so the cost grows with (elements left open) x (tags). 50,000 unclosed
# <div>s take seconds, a few MB of them hours. Real pages stay far below the budget (a few
# hundred unclosed at most, in the corpus); a page above it gets a linear text-only reading.
_OPEN_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)")
_CLOSE_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9:-]*)")
# Void elements and elements the parser closes by itself never pile up.
_SELF_CLOSING = _words(
    """area base br col embed hr img input link meta param source track wbr keygen frame p li
    dd dt option optgroup tr td th thead tbody tfoot colgroup caption rb rt rp rtc"""
)
_PARSE_BUDGET = 100_000_000  # unclosed elements x tags (about 0.15 s of lexbor at worst)


def _too_deep(html: str, data: bytes) -> bool:
    """Whether ``html`` (``data`` in UTF-8) would take lexbor too long to parse."""
    if len(html) < 20_000:
        return False  # too short to be slow
    # Counting "<" bounds both factors (tags <= "<"s, unclosed <= opening tags <= "<"s - "</"s):
    # most pages are decided here without the regex passes. Bytes count far faster than text,
    # and C counts both in one pass.
    if _FAST_WALK is not None:
        brackets, closing = _FAST_WALK.count_tags(data)
        if (brackets - closing) * brackets <= _PARSE_BUDGET:
            return False
    else:
        brackets = data.count(b"<")
        if brackets * brackets <= _PARSE_BUDGET or (
            (brackets - data.count(b"</")) * brackets <= _PARSE_BUDGET
        ):
            return False
    opened = Counter(_OPEN_TAG.findall(html))
    closed = Counter(_CLOSE_TAG.findall(html))
    unclosed = sum(
        count - closed[name]
        for name, count in opened.items()
        if count > closed[name] and name.lower() not in _SELF_CLOSING
    )
    tags = opened.total() + closed.total()
    return unclosed * tags > _PARSE_BUDGET


_RAW_TEXT_TAG = re.compile(
    r"(<(/?)(script|style|noscript|template|svg|iframe|textarea|title|xmp)\b[^<>]*>)", re.I
)
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_BLOCK_TAGS))})\b[^<>]*>", re.I)
_BR_TAG = re.compile(r"<br\b[^<>]*>", re.I)
_OTHER_TAG = re.compile(r"<[!/?a-zA-Z][^<>]*>")


def _text_only(html: str) -> ExtractedPage:
    """A page too deeply nested to parse: its text by linear regex passes, every block main."""
    kept: list[str] = []
    skipping: str | None = None
    parts = _RAW_TEXT_TAG.split(html)  # text, then (tag, slash, name) for each match
    for index in range(0, len(parts), 4):
        if skipping is None:
            kept.append(parts[index])
        if index + 3 < len(parts):
            slash, name = parts[index + 2], parts[index + 3].lower()
            if skipping is None and not slash:
                skipping = name
            elif skipping == name and slash:
                skipping = None
    text = "".join(kept)
    text = _BR_TAG.sub("\n", _BLOCK_TAG.sub("\n\n", text))
    text = html_lib.unescape(_OTHER_TAG.sub("", text))
    return extract_plain(text)


# Set here, once everything the self-test calls is defined.
_FAST_WALK: Any = _load_fast_walk()
# Whether the walk and the metadata's page scan run as one pass (walk_scan): both in C, and
# walk_scan gives on the samples what the two give one after the other.
_FUSED: bool = _FAST_WALK is not None and _fused_agrees(_FAST_WALK)
_main_stretches: Callable[[Sequence[Block]], list[tuple[int, int, int, int]]] = (
    _FAST_WALK.main_stretches if _FAST_WALK is not None else _main_stretches_python
)


def _walk_page(
    tree: LexborHTMLParser, start: LexborNode, walker: _Walker, elements: metadata.PageElements
) -> None:
    """Walk the blocks under ``start``; with the C walk and the C page scan both in use, the
    metadata's scan of the page is made in the same pass over the tree, for ``elements``.

    Why one pass: a page's tree (about 1 MB) does not stay in the caches from one pass to the
    next, and both passes read the same nodes and attributes."""
    root = tree.root
    if _FUSED and _FAST_WALK is not None and metadata._PAGE_SCAN is _FAST_WALK and root is not None:
        elements.preset(
            _FAST_WALK.walk_scan(start.mem_id, walker, root.mem_id, tree, metadata._MAX_CANDIDATES)
        )
    else:
        walker.walk(start)


def extract_html(html: str, url: str | None = None, utf8: bytes | None = None) -> ExtractedPage:
    """Blocks, main text and metadata of an HTML page; never raises on any string.

    ``utf8``, when given, must be ``html`` in UTF-8 (``FetchedPage.utf8``): it spares encoding
    the page once more for the parser.
    """
    if utf8 is None:
        html, data = _utf8(html)
    else:
        data = utf8
    if _too_deep(html, data):
        return _text_only(html)
    # The bytes selectolax would make of ``html``, made once.
    tree = LexborHTMLParser(data, options=_PARSE_OPTIONS)
    walker = _Walker()
    elements = metadata.PageElements()  # read once for both: one C walk of the page
    start = tree.body if tree.body is not None else tree.root
    if start is not None:
        _walk_page(tree, start, walker, elements)
    main_flags = _mark_main(walker)
    jsonld = parse_jsonld(tree, elements)
    start_at = next((i for i, flag in enumerate(main_flags) if flag), 0)
    # The walk's records are tuples laid out as _RawBlock: (text, kind, ...).
    lead = [raw[0] for raw in walker.blocks[max(0, start_at - 3) : start_at + 8]]
    meta = extract_metadata(tree, url, jsonld, lead, elements)
    body = article_body_from_jsonld(jsonld)
    if _FAST_WALK is not None and not body:
        # Blocks and both texts in C, as the lines below and _assemble make them.
        made, main_text, full_text = _FAST_WALK.make_blocks(walker.blocks, main_flags, Block)
        return ExtractedPage(meta=meta, blocks=made, main_text=main_text, full_text=full_text)
    blocks = [
        Block(raw[0], raw[1], flag) for raw, flag in zip(walker.blocks, main_flags, strict=True)
    ]
    if body:
        main_len = sum(len(b.text) for b in blocks if b.main)
        if len(body) > 2 * main_len:
            # The article text lives only in the JSON-LD (a script-rendered page): use it, and stop
            # counting HTML blocks it repeats (a teaser paragraph) as main.
            extra = _jsonld_blocks(body)
            repeated = {_similar_key(b.text) for b in extra}
            blocks = [
                Block(b.text, b.kind, False) if b.main and _similar_key(b.text) in repeated else b
                for b in blocks
            ]
            blocks.extend(extra)
    return _assemble(meta, blocks)


def extract_plain(text: str) -> ExtractedPage:
    """A plain-text source: paragraphs are separated by blank lines; every block is main."""
    text = _as_valid_text(text).replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for para in re.split(r"\n[^\S\n]*\n\s*", text):
        lines = (_SPACE.sub(" ", line).strip() for line in para.split("\n"))
        cleaned = "\n".join(line for line in lines if line).translate(_DROP_CHARS).strip()
        if cleaned:
            blocks.append(Block(cleaned, "paragraph", True))
    return _assemble(PageMeta(), blocks)


_HTML_SNIFF = re.compile(
    r"^\s*(?:<!doctype\s+html|<\?xml[^>]*>\s*(?:<!doctype\s+html|<html)|<!--|"
    r"<(?:html|head|body|meta|title|link|script|style|div|p|article|section|main|h1)\b)",
    re.IGNORECASE,
)


def extract(
    text: str, content_type: str, url: str | None = None, utf8: bytes | None = None
) -> ExtractedPage:
    """Dispatch on the MIME type (sniffing the text when the type says nothing useful).

    ``utf8``: ``text`` in UTF-8 if the caller has it (``FetchedPage.utf8``), else None.
    """
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml") or mime.endswith("+html"):
        return extract_html(text, url, utf8)
    if mime.startswith("text/") and mime != "text/xml":
        return extract_plain(text)
    if _HTML_SNIFF.match(text[:2000]):
        return extract_html(text, url, utf8)
    return extract_plain(text)
