"""Straightforward reference implementations that the fast code in bot/ must equal exactly.

They are the code as it stood before it was made fast (one regex call per token, a translate
table), kept here as test oracles only.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from selectolax.lexbor import LexborNode

from bot.extract import (
    _AROUND_NL,
    _BLOCK_TAGS,
    _BOILER_ROLES,
    _BOILER_TAGS,
    _BOILER_WORDS,
    _CAMEL,
    _CLOSE_TAG,
    _CONTENT_WORDS,
    _DROP_CHARS,
    _INVISIBLE_STYLE,
    _KEEP_WORDS,
    _KINDS,
    _OPEN_TAG,
    _PARSE_BUDGET,
    _POPUP_WORDS,
    _SELF_CLOSING,
    _SKIP_TAGS,
    _SPACE,
    _STICKY_KINDS,
    _WORD,
    _WS,
    _Elem,
    _RawBlock,
)
from bot.textnorm import _APOSTROPHES, _INVISIBLE, _THOUSANDS_RE, TOKEN_RE

_STRIP_TABLE: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
_STRIP_TABLE.update({ord(c): "'" for c in _APOSTROPHES})


def reference_normalize(words: list[str]) -> list[str]:
    if not words:
        return []
    joined = "\x00".join(words)
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined).translate(_STRIP_TABLE)
    joined = joined.casefold()
    if "," in joined:
        joined = _THOUSANDS_RE.sub("", joined)
    return joined.split("\x00")


def reference_tokens(text: str) -> tuple[list[str], array[int], array[int]]:
    """(words, starts, ends) of ``text``, token by token with finditer; offsets as Tokens
    holds them (array('q'))."""
    raw: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in TOKEN_RE.finditer(text):
        raw.append(m.group())
        starts.append(m.start())
        ends.append(m.end())
    words = reference_normalize(raw)
    keep = [i for i, w in enumerate(words) if w]
    kept_starts = array("q", [starts[i] for i in keep])
    return [words[i] for i in keep], kept_starts, array("q", [ends[i] for i in keep])


# --------------------------------------------------------------------------- extraction


def _is_hidden(attrs: dict[str, Any]) -> bool:
    if "hidden" in attrs:
        return True
    aria = attrs.get("aria-hidden")
    if isinstance(aria, str) and aria.strip().lower() == "true":
        return True
    style = attrs.get("style")
    return isinstance(style, str) and _INVISIBLE_STYLE.search(style) is not None


def _class_words(attrs: dict[str, Any]) -> set[str]:
    """Words of the class and id tokens ("relatedArticles" -> related, articles). Tokens of more
    than four words are slugs of headings ("sharing-with-a-single-developer"), not roles."""
    raw = " ".join(v for v in (attrs.get("class"), attrs.get("id")) if isinstance(v, str))[:400]
    words: set[str] = set()
    for token in raw.split():
        found = _WORD.findall(_CAMEL.sub(r"\1 \2", token).lower())
        if len(found) <= 4:
            words.update(found)
    return words


def _candidate(tag: str, attrs: dict[str, Any]) -> str | None:
    itemprop = attrs.get("itemprop")
    if isinstance(itemprop, str) and "articlebody" in itemprop.lower():
        return "body"
    if tag == "article":
        return "article"
    role = attrs.get("role")
    if tag == "main" or (isinstance(role, str) and role.lower() == "main"):
        return "main"
    if tag in _KINDS:
        return None  # a paragraph or a cell is no container ("MsoBodyText" on a <p>)
    for name in ("class", "id"):
        value = attrs.get(name)
        if isinstance(value, str):
            for token in value.lower().split()[:30]:
                squashed = token.replace("-", "").replace("_", "")
                if any(word in squashed for word in _CONTENT_WORDS):
                    return "content"
    return None


def _is_boiler(tag: str, attrs: dict[str, Any]) -> bool:
    words = _class_words(attrs)
    if not _KEEP_WORDS.isdisjoint(words):
        return False  # an embedded tweet or a pull quote is part of the article
    if tag in _BOILER_TAGS:
        return True
    role = attrs.get("role")
    if isinstance(role, str) and role.lower() in _BOILER_ROLES:
        return True
    return not _BOILER_WORDS.isdisjoint(words)


def _is_popup(attrs: dict[str, Any]) -> bool:
    value = attrs.get("class")
    if not isinstance(value, str):
        return False
    lowered = value.lower()
    return any(word in lowered for word in _POPUP_WORDS)


class ReferenceWalker:
    def __init__(self) -> None:
        self.elems: list[_Elem] = [_Elem(-1, False, None)]  # 0 is the document itself
        self.blocks: list[_RawBlock] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.saved: list[tuple[list[str], int]] = []  # running text set aside during a hover card

    def flush(self, elem: int, kind: str, pre: bool) -> None:
        if not self.parts:
            return
        raw = "".join(self.parts)
        self.parts = []
        link_chars, self.link_chars = self.link_chars, 0
        if pre:
            text = "\n".join(_SPACE.sub(" ", line).strip() for line in raw.split("\n"))
        else:
            text = _AROUND_NL.sub("\n", _SPACE.sub(" ", raw))
        text = text.translate(_DROP_CHARS).strip()
        if pre:
            text = re.sub(r"\n{3,}", "\n\n", text)
        if text:
            self.blocks.append(_RawBlock(text, kind, elem, link_chars, bool(self.saved)))

    def walk(self, root: LexborNode) -> None:
        # The context of the innermost block element: its record index, its kind, inside <pre>.
        elem, kind, pre = 0, "other", False
        in_link = 0
        popups = 0  # open elements that look like hover-card triggers or cards
        # Entries: a node to enter, or a tuple to leave an element and restore the context.
        stack: list[Any] = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                block, prev_elem, prev_kind, prev_pre, was_link, was_popup, card = item
                if block:
                    self.flush(elem, kind, pre)
                if card:
                    # A hover card inside its trigger ("Kristi Noem" + her bio card): its text
                    # becomes a block of its own so the sentence around it stays whole.
                    self.flush(elem, "other", pre)
                    self.parts, self.link_chars = self.saved.pop()
                elem, kind, pre = prev_elem, prev_kind, prev_pre
                in_link -= was_link
                popups -= was_popup
                continue
            node: LexborNode = item
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                if text:
                    if not pre:
                        text = _WS.sub(" ", text)
                    self.parts.append(text)
                    if in_link:
                        self.link_chars += len(text)
                continue
            if tag is None or tag in _SKIP_TAGS or tag.startswith(("-", "#")):
                continue
            if tag == "br":
                self.parts.append("\n")
                continue
            attrs = node.attributes
            if attrs and _is_hidden(attrs):
                continue
            is_block = tag in _BLOCK_TAGS or "-" in tag
            is_link = tag == "a"
            is_popup = _is_popup(attrs)
            card = is_popup and popups > 0 and not is_link
            stack.append((is_block, elem, kind, pre, is_link, is_popup, card))
            if card:
                self.saved.append((self.parts, self.link_chars))
                self.parts, self.link_chars = [], 0
            if is_block:
                self.flush(elem, kind, pre)
                self.elems.append(_Elem(elem, _is_boiler(tag, attrs), _candidate(tag, attrs)))
                new_kind = _KINDS.get(tag)
                if kind not in _STICKY_KINDS or new_kind in _STICKY_KINDS:
                    kind = new_kind or ("other" if kind not in _STICKY_KINDS else kind)
                elem = len(self.elems) - 1
                pre = pre or kind == "pre"
            in_link += is_link
            popups += is_popup
            child = node.last_child
            while child is not None:
                stack.append(child)
                child = child.prev
        while self.saved:  # only if the walk ended inside a card (it cannot, but stay safe)
            self.parts = self.saved.pop()[0] + self.parts
        self.flush(elem, kind, pre)


def reference_too_deep(html: str) -> bool:
    if len(html) < 20_000:
        return False  # too short to be slow
    opened = Counter(_OPEN_TAG.findall(html))
    closed = Counter(_CLOSE_TAG.findall(html))
    unclosed = sum(
        count - closed[name]
        for name, count in opened.items()
        if count > closed[name] and name.lower() not in _SELF_CLOSING
    )
    tags = opened.total() + closed.total()
    return unclosed * tags > _PARSE_BUDGET


def _render(node: tuple[str, str, list[str]]) -> str:
    tag, attrs, children = node
    inner = "".join(children)
    if tag == "br":
        return f"<br{attrs}>{inner}"
    return f"<{tag}{attrs}>{inner}</{tag}>"


def html_trees(
    tags: Sequence[str], attrs: Sequence[str], texts: Sequence[str], *, max_leaves: int
) -> st.SearchStrategy[str]:
    """Random HTML fragments: nested elements of ``tags`` with one of ``attrs``, leaves ``texts``."""
    return st.recursive(
        st.sampled_from(texts),
        lambda children: st.tuples(
            st.sampled_from(tags), st.sampled_from(attrs), st.lists(children, max_size=5)
        ).map(_render),
        max_leaves=max_leaves,
    )
