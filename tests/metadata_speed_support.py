"""bot/metadata.py's functions as they stood before metadata was made fast, kept as a test oracle.

tests/test_metadata_speed_equivalence.py checks that bot.metadata gives exactly what these give.
Only the functions that changed are copied here, unchanged (the former ``_JsonLd`` is the current
class with its former constructor); everything else is the current module's.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot import metadata as _current
from bot.metadata import (
    _BOILER_WORDS,
    _CJK_DATE,
    _DMY_NUM,
    _DMY_TEXT,
    _ISO_DATE,
    _JSONLD_SKIP_KEYS,
    _MAX_BYLINE_CHARS,
    _MAX_CANDIDATES,
    _MAX_JSONLD_CHARS,
    _MAX_JSONLD_DEPTH,
    _MAX_JSONLD_OBJECTS,
    _MDY_TEXT,
    _MODIFIED_META,
    _MONTHS,
    _MY_TEXT,
    _NOT_BYLINE_WORDS,
    _PUBLISHED_META,
    _TIME_CONTEXT_WORDS,
    _TITLE_META,
    _WS,
    _YMD_SLASH,
    PageMeta,
    _attr,
    _clean_title,
    _date_in_lead,
    _dedupe,
    _first,
    _jsonld_authors,
    _lang,
    _lines_of,
    _local_day,
    _meta_authors,
    _node_text,
    _types,
    _valid,
    date_from_url,
    parse_date,
    split_byline,
)


class _JsonLd(_current._JsonLd):
    def __init__(self, objects: list[dict[str, Any]]) -> None:
        self.objects = objects
        self.by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
        self.articles = [o for o in objects if _is_article(o)]
        self.pages = [o for o in objects if _is_page(o)]


def _clean(text: str | None, limit: int = 1000) -> str:
    if not text:
        return ""
    return _WS.sub(" ", text[: limit * 4]).strip()[:limit]


def _fold(text: str) -> str:
    """Case- and accent-insensitive key, so "José" and "JOSE" count as one name."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WS.sub(" ", stripped.casefold()).strip(" .")


def _words(node: LexborNode) -> set[str]:
    """Lower-case words of an element's class and id ("articleBody__byline" -> article, body, byline)."""
    raw = f"{_attr(node, 'class')} {_attr(node, 'id')}"[:500]
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw).lower()
    return set(re.findall(r"[a-z]+", raw))


def _meta_tags(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """All <meta> contents keyed by lower-cased name/property/itemprop, in document order."""
    tags: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if not isinstance(content, str):
            continue
        content = _clean(content, 2000)
        if not content:
            continue
        for key_attr in ("property", "name", "itemprop", "http-equiv"):
            key = attrs.get(key_attr)
            if isinstance(key, str) and key:
                # Some pages write several properties in one attribute ("og:title twitter:title").
                for k in key.lower().split():
                    tags.setdefault(k, []).append(content)
    return tags


def parse_jsonld(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (top level first, then @graph and nested objects)."""
    found: list[tuple[int, dict[str, Any]]] = []
    for node in tree.css("script"):
        if "ld+json" not in _attr(node, "type").lower():
            continue
        raw = node.text(deep=True) or ""
        if len(raw) > _MAX_JSONLD_CHARS:
            continue
        data = _loads_lenient(raw)
        if data is not None:
            _collect_objects(data, 0, found)
        if len(found) >= _MAX_JSONLD_OBJECTS:
            break
    found.sort(key=lambda item: item[0])
    return [obj for _, obj in found[:_MAX_JSONLD_OBJECTS]]


def _loads_lenient(raw: str) -> Any:
    text = raw.strip()
    text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", text)
    text = re.sub(r"^\s*<!--|-->\s*$", "", text).strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    # A common breakage: trailing commas before a closing bracket.
    try:
        return json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)
    except (ValueError, RecursionError):
        return None


def _collect_objects(data: Any, depth: int, out: list[tuple[int, dict[str, Any]]]) -> None:
    if depth > _MAX_JSONLD_DEPTH or len(out) >= _MAX_JSONLD_OBJECTS:
        return
    if isinstance(data, list):
        for item in data[:_MAX_JSONLD_OBJECTS]:
            _collect_objects(item, depth + 1 if depth else 0, out)
        return
    if not isinstance(data, dict):
        return
    if "@type" in data or depth == 0:
        out.append((depth, data))
    for key, value in data.items():
        if key == "@graph":
            _collect_objects(value, depth, out)
        elif isinstance(value, dict | list) and key not in _JSONLD_SKIP_KEYS:
            _collect_objects(value, depth + 1, out)


def _is_article(obj: dict[str, Any]) -> bool:
    return any(
        t.endswith(("article", "posting")) or t in {"report", "blog", "creativework", "recipe"}
        for t in _types(obj)
    )


def _is_page(obj: dict[str, Any]) -> bool:
    return any(t.endswith("page") for t in _types(obj))


def find_date_in_text(text: str, *, day_first: bool = False) -> str | None:
    """The first date written in prose ("March 5, 2024", "5 mars 2024", "05.03.2024", "2024-03-05").
    ``day_first`` reads "05/10/2018" as 5 October (outside the United States)."""
    text = text[:2000]
    best: tuple[int, str] | None = None

    def offer(pos: int, value: str | None) -> None:
        nonlocal best
        if value and (best is None or pos < best[0]):
            best = (pos, value)

    for m in _ISO_DATE.finditer(text):
        offer(m.start(), _valid(int(m[1]), int(m[2]), int(m[3])))
        break
    for m in _YMD_SLASH.finditer(text):
        offer(m.start(), _valid(int(m[1]), int(m[2]), int(m[3])))
        break
    for m in _CJK_DATE.finditer(text):
        offer(m.start(), _valid(int(m[1]), int(m[2]), int(m[3])))
        break
    for m in _MDY_TEXT.finditer(text):
        offer(m.start(), _valid(int(m[3]), _MONTHS.get(m[1].lower().rstrip(".")), int(m[2])))
        break
    for m in _DMY_TEXT.finditer(text):
        offer(m.start(), _valid(int(m[3]), _MONTHS.get(m[2].lower().rstrip(".")), int(m[1])))
        break
    for m in _DMY_NUM.finditer(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        # "05.03.2024" is day-first; "03/05/2024" is ambiguous: month-first unless impossible.
        if m[2] == "/" and first <= 12 and not (day_first and second <= 12):
            offer(m.start(), _valid(year, first, second))
        else:
            offer(m.start(), _valid(year, second, first))
        break
    if best is None:
        for m in _MY_TEXT.finditer(text):
            offer(m.start(), _valid(int(m[2]), _MONTHS.get(m[1].lower().rstrip("."))))
            break
    return best[1] if best else None


def _in_boilerplate(node: LexborNode, levels: int = 12) -> bool:
    """Inside comments, related links, navigation, or an aside/footer that is not the article's."""
    outside_article = False
    parent = node.parent
    for _ in range(levels):
        if parent is None or parent.tag in ("body", "html"):
            break
        if parent.tag in ("article", "main"):
            return False
        if parent.tag == "nav" or _words(parent) & _BOILER_WORDS:
            return True
        if parent.tag in ("aside", "footer"):
            outside_article = True
        parent = parent.parent
    return outside_article


def _markup_authors(tree: LexborHTMLParser) -> list[str]:
    """Names from itemprop=author, rel=author and byline/author elements, in that order."""
    for node in tree.css('[itemprop~="author"], [itemprop~="creator"]')[:_MAX_CANDIDATES]:
        if _in_boilerplate(node):
            continue
        inner = node.css_first('[itemprop~="name"]')
        value = _attr(inner, "content") if inner is not None else ""
        if not value and inner is not None:
            value = _node_text(inner, _MAX_BYLINE_CHARS)
        if not value:
            value = _attr(node, "content") or _node_text(node, _MAX_BYLINE_CHARS)
        names = split_byline(value)
        if names:
            return names
    names = []
    for node in tree.css('a[rel~="author"]')[:_MAX_CANDIDATES]:
        if not _in_boilerplate(node):
            names.extend(split_byline(_node_text(node, _MAX_BYLINE_CHARS)))
    if names:
        return _dedupe(names)
    for selector in (
        '[class*="byline"], [id*="byline"], [class*="Byline"], [data-testid*="byline"]',
        '[class*="author"], [id*="author"], [class*="Author"]',
    ):
        for node in tree.css(selector)[:_MAX_CANDIDATES]:
            if node.tag in ("meta", "link", "script", "style", "body", "html", "article", "main"):
                continue
            if _words(node) & _NOT_BYLINE_WORDS or _in_boilerplate(node):
                continue
            names = split_byline(_lines_of(node))
            if names:
                return names
    return []


def extract_metadata(
    tree: LexborHTMLParser,
    url: str | None = None,
    jsonld: list[dict[str, Any]] | None = None,
    lead: Sequence[str] = (),
) -> PageMeta:
    """Title, authors, published date, site name, language and canonical URL of a parsed page.

    ``lead`` holds the texts around the start of the article, if the caller knows them: a date
    written there ("05/10/2018 - Publicado por ...") is the last resort before a modification
    date."""
    tags = _meta_tags(tree)
    ld = _JsonLd(parse_jsonld(tree) if jsonld is None else jsonld)

    site_name = _first(tags, "og:site_name", "application-name", "twitter:site:name")
    if not site_name:
        for obj in ld.main_objects():
            publisher = ld.resolve(obj.get("publisher"))
            if isinstance(publisher, list) and publisher:
                publisher = ld.resolve(publisher[0])
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                site_name = _clean(publisher["name"], 200) or None
                if site_name:
                    break
    if not site_name:
        site_name = ld.string("name", objects=[o for o in ld.objects if "website" in _types(o)])

    lang = _lang(tree, tags)
    # "05/10/2018" is 10 May in the United States and 5 October nearly everywhere else (a bare
    # "en" is most often an American site).
    day_first = (lang or "en").lower() not in ("en", "en-us")
    return PageMeta(
        title=_title(tree, tags, ld, site_name),
        authors=tuple(_authors(tree, tags, ld, site_name)),
        published=_published(tree, tags, ld, url, lead, day_first),
        site_name=site_name or None,
        lang=lang,
        canonical_url=_canonical(tree, tags, url),
    )


def _title(
    tree: LexborHTMLParser, tags: dict[str, list[str]], ld: _JsonLd, site: str | None
) -> str | None:
    node = tree.css_first("head > title")
    title_tag = _node_text(node, 500) if node is not None else ""
    headline = ld.string("headline", objects=ld.articles)
    name = ld.string("name", objects=ld.articles)
    # Some sites (Wikipedia) put a description in "headline"; the <title> tells which is which.
    if (
        headline
        and name
        and _fold(headline) not in _fold(title_tag)
        and _fold(name) in _fold(title_tag)
    ):
        headline = name
    for candidate in (_first(tags, *_TITLE_META), headline):
        if candidate:
            return _clean_title(candidate, site) if site else candidate
    if title_tag:
        return _clean_title(title_tag, site)
    node = tree.css_first("h1")
    if node is not None:
        return _node_text(node, 500) or None
    return None


def _authors(
    tree: LexborHTMLParser, tags: dict[str, list[str]], ld: _JsonLd, site_name: str | None
) -> list[str]:
    organisations: list[str] = []
    names, person = _jsonld_authors(ld, site_name)
    if names and person:
        return names
    organisations = names
    for source in (lambda: _meta_authors(tags), lambda: _markup_authors(tree)):
        names = source()
        if names:
            return names
    return organisations


def _published(
    tree: LexborHTMLParser,
    tags: dict[str, list[str]],
    ld: _JsonLd,
    url: str | None,
    lead: Sequence[str],
    day_first: bool,
) -> str | None:
    url_date = date_from_url(url)
    for link in tree.css('link[rel~="canonical"]')[:3]:
        url_date = url_date or date_from_url(_attr(link, "href"))
    found = _declared_date(tree, tags, ld)
    if found:
        return _local_day(found, url_date)
    in_article, elsewhere = _time_element_dates(tree)
    fallbacks: tuple[Callable[[], str | None], ...] = (
        lambda: in_article,
        lambda: url_date,
        lambda: _byline_text_date(tree, day_first),
        lambda: elsewhere,
        lambda: _date_in_lead(lead, day_first),
    )
    for fallback in fallbacks:
        if found := fallback():
            return found
    for key in _MODIFIED_META:
        for value in tags.get(key, ()):
            if found := parse_date(value):
                return found
    modified = ld.string("dateModified")
    return parse_date(modified) if modified else None


def _declared_date(tree: LexborHTMLParser, tags: dict[str, list[str]], ld: _JsonLd) -> str | None:
    """The publication date the page states in JSON-LD, meta tags or itemprop markup."""
    value = ld.string("datePublished")
    if value and (found := parse_date(value)):
        return found
    for key in _PUBLISHED_META:
        for value in tags.get(key, ()):
            if found := parse_date(value):
                return found
    for key in ("dateCreated", "uploadDate"):
        value = ld.string(key)
        if value and (found := parse_date(value)):
            return found
    for node in tree.css('[itemprop~="datePublished"], [itemprop~="dateCreated"]')[
        :_MAX_CANDIDATES
    ]:
        value = _attr(node, "datetime") or _attr(node, "content") or _node_text(node, 200)
        if found := parse_date(value):
            return found
    return None


def _time_element_dates(tree: LexborHTMLParser) -> tuple[str | None, str | None]:
    """Dates of <time datetime> elements: the first that belongs to the article or its byline,
    and the first anywhere else outside boilerplate (a weaker hint)."""
    other: str | None = None
    for node in tree.css("time")[:_MAX_CANDIDATES]:
        value = _attr(node, "datetime")
        found = parse_date(value) if value else None
        if not found or _in_boilerplate(node):
            continue
        if "pubdate" in node.attributes or _words(node) & {"published", "publish", "pubdate"}:
            return found, other
        ancestor = node.parent
        for _ in range(10):
            if ancestor is None:
                break
            # A <header> counts only inside the article; the page's own header may show today.
            if ancestor.tag in ("article", "main") or _words(ancestor) & _TIME_CONTEXT_WORDS:
                return found, other
            ancestor = ancestor.parent
        other = other or found
    return None, other


def _byline_text_date(tree: LexborHTMLParser, day_first: bool) -> str | None:
    for node in tree.css(
        '[class*="byline"], [class*="date"], [class*="Date"], [class*="time"], '
        '[class*="publish"], [class*="meta"], [id*="date"], [id*="byline"]'
    )[:_MAX_CANDIDATES]:
        if node.tag in ("meta", "script", "style", "body", "html"):
            continue
        text = _node_text(node, 1000)
        if not text or len(text) > 400 or _in_boilerplate(node):
            continue
        if found := find_date_in_text(text, day_first=day_first):
            return found
    return None


def _canonical(tree: LexborHTMLParser, tags: dict[str, list[str]], url: str | None) -> str | None:
    candidates: list[str] = [_attr(n, "href") for n in tree.css('link[rel~="canonical"]')]
    candidates.append(_first(tags, "og:url") or "")
    for href in candidates:
        href = href.strip()
        if not href or len(href) > 2048:
            continue
        try:
            absolute = urljoin(url, href) if url else href
            parts = urlsplit(absolute)
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and parts.netloc:
            return absolute
    return None
