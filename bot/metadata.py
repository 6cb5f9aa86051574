"""Page metadata (title, authors, date, site, language) read from an already parsed HTML tree.

Sources are tried from the most to the least reliable: explicit meta tags and JSON-LD first,
then page markup (itemprop, rel=author, byline elements, <time>), then the URL and free text.
Every value read from a page is hostile: sizes are capped and parsing never raises.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

_MAX_JSONLD_CHARS = 2_000_000
_MAX_JSONLD_OBJECTS = 500
_MAX_JSONLD_DEPTH = 12
_MAX_BYLINE_CHARS = 300
_MAX_NAME_CHARS = 80
_MAX_CANDIDATES = 40  # elements of one kind (bylines, <time>s) looked at, so the work stays linear
_MAX_TEXT_NODES = 200  # nodes read from a byline or date element before it counts as too big


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601 at the known precision: YYYY-MM-DD, YYYY-MM or YYYY
    site_name: str | None = None
    lang: str | None = None
    canonical_url: str | None = None

    @property
    def published_year(self) -> int | None:
        if self.published and self.published[:4].isdigit():
            return int(self.published[:4])
        return None


# --------------------------------------------------------------------------- small helpers

_WS = re.compile(r"\s+")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _split_list(text: str) -> list[str]:
    return text.split("|")


def _clean(text: str | None, limit: int = 1000) -> str:
    if not text:
        return ""
    # str.split() splits on exactly the characters \s matches (str.isspace), so this is
    # _WS.sub(" ", text).strip() at a quarter of the cost.
    return " ".join(text[: limit * 4].split())[:limit]


def _fold(text: str) -> str:
    """Case- and accent-insensitive key, so "José" and "JOSE" count as one name."""
    if text.isascii():
        stripped = text  # NFKD leaves ASCII as it is, and no ASCII character is combining
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Joining the split words differs from _WS.sub(" ", ...) only by spaces at either end,
    # which the strip removes anyway.
    return " ".join(stripped.casefold().split()).strip(" .")


def _attr(node: LexborNode, name: str) -> str:
    return _as_str(node.attributes.get(name))


def _as_str(value: Any) -> str:
    """An attribute's value as ``_attr`` gives it: "" for an absent or valueless one."""
    return value if isinstance(value, str) else ""


def _node_text(node: LexborNode, limit: int = 2000) -> str:
    """Short element text, whitespace collapsed; "" for an element too big to be a name/date."""
    return _clean(_lines_of(node), limit)


_CAMEL = re.compile(r"([a-z])([A-Z])")
_LETTERS = re.compile(r"[a-z]+")


def _words(node: LexborNode) -> set[str]:
    """Lower-case words of an element's class and id ("articleBody__byline" -> article, body, byline)."""
    attrs = node.attributes
    klass, ident = attrs.get("class"), attrs.get("id")
    if not klass and not ident:
        return set()
    raw = f"{klass if isinstance(klass, str) else ''} {ident if isinstance(ident, str) else ''}"
    raw = raw[:500]
    lowered = raw.lower()
    if lowered != raw:  # some letter is upper-case: split "articleBody" first
        lowered = _CAMEL.sub(r"\1 \2", raw).lower()
    return set(_LETTERS.findall(lowered))


# --------------------------------------------------------------------------- meta tags


_META_KEYS = ("property", "name", "itemprop", "http-equiv")


# The C scans of bot/_fastwalk.c (scan_meta, scan_jsonld), set by bot.extract once its C walk
# is loaded and checked; None: the selector queries below run instead (the same results,
# tests/test_metadata_speed_equivalence.py).
_SCAN: Any = None
# bot/_fastwalk.c's scan_page (the scans above and the element queries in one walk), set by
# bot.extract once it answers sample pages as lexbor's selectors do; None: each query runs (see
# _Elements).
_PAGE_SCAN: Any = None


def use_scan(fast: Any) -> None:
    """Read <meta>s, canonical links and JSON-LD scripts with ``fast``'s scans (None: queries)."""
    global _SCAN
    _SCAN = fast


def use_page_scan(fast: Any) -> None:
    """Read each page with ``fast.scan_page`` (None: the scans and queries one by one)."""
    global _PAGE_SCAN
    _PAGE_SCAN = fast


def _meta_and_canonical(tree: LexborHTMLParser) -> tuple[dict[str, list[str]], list[str]]:
    """The <meta> contents this module reads (_META_READ), keyed by lower-cased
    name/property/itemprop, in document order; and the hrefs of the rel=canonical <link>s
    ("" where a link has none).

    One walk of the tree instead of three (meta, and the links read twice): a selector list
    gives its matches in document order, so each kind keeps its order. Most of a page's
    <meta>s (viewport, description, images) are never read: their contents are not cleaned."""
    root = tree.root
    if _SCAN is not None and root is not None:
        metas, hrefs = _SCAN.scan_meta(root.mem_id)
        return _read_metas(metas), hrefs
    return _meta_and_canonical_queried(tree)


def _meta_and_canonical_queried(
    tree: LexborHTMLParser,
) -> tuple[dict[str, list[str]], list[str]]:
    """``_meta_and_canonical`` with lexbor's selector engine (without the C scans)."""
    metas: list[tuple[Any, ...]] = []
    hrefs: list[str] = []
    for node in tree.css('meta, link[rel~="canonical"]'):
        if node.tag != "meta":
            hrefs.append(_attr(node, "href"))
            continue
        attrs = node.attributes
        content = attrs.get("content")
        if content and isinstance(content, str):
            metas.append((content, *(attrs.get(key) for key in _META_KEYS)))
    return _read_metas(metas), hrefs


def _read_metas(metas: list[tuple[Any, ...]]) -> dict[str, list[str]]:
    """The contents read, by key, from (content, property, name, itemprop, http-equiv) rows."""
    tags: dict[str, list[str]] = {}
    for content, *keys in metas:
        cleaned: str | None = None
        for key in keys:
            if not key or not isinstance(key, str):
                continue
            # Some pages write several properties in one attribute ("og:title twitter:title").
            for k in key.lower().split():
                if k not in _META_READ:
                    continue
                if cleaned is None:
                    cleaned = _clean(content, 2000)
                if not cleaned:
                    continue  # whitespace only: no value under any key
                values = tags.get(k)
                if values is None:
                    tags[k] = [cleaned]
                else:
                    values.append(cleaned)
    return tags


def _first(tags: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in tags.get(key, ()):
            if value:
                return value
    return None


# --------------------------------------------------------------------------- JSON-LD


def parse_jsonld(
    tree: LexborHTMLParser, elements: PageElements | None = None
) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (top level first, then @graph and nested objects).

    ``elements``: what is read of the page's elements, if the caller keeps it for
    ``extract_metadata`` (with the C scan, one walk reads everything both need)."""
    found: list[tuple[int, dict[str, Any]]] = []
    # lexbor's "i" flag folds ASCII letters only; str.lower() folds more, but no other character
    # lower-cases to a letter of "ld+json", so this finds the same scripts as testing
    # '"ld+json" in type.lower()' on every <script>, without reading every script's attributes.
    for raw in (elements or _Elements()).jsonld_texts(tree):
        if len(raw) > _MAX_JSONLD_CHARS:
            continue
        data = _loads_lenient(raw)
        if data is not None:
            _collect_objects(data, 0, found)
        if len(found) >= _MAX_JSONLD_OBJECTS:
            break
    found.sort(key=lambda item: item[0])
    return [obj for _, obj in found[:_MAX_JSONLD_OBJECTS]]


def _jsonld_texts(tree: LexborHTMLParser) -> list[str]:
    """The text of every JSON-LD <script>, in document order."""
    root = tree.root
    if _SCAN is not None and root is not None:
        texts: list[str] = _SCAN.scan_jsonld(root.mem_id)
        return texts
    return _jsonld_texts_queried(tree)


def _jsonld_texts_queried(tree: LexborHTMLParser) -> list[str]:
    """``_jsonld_texts`` with lexbor's selector engine (without the C scans)."""
    return [node.text(deep=True) or "" for node in tree.css('script[type*="ld+json" i]')]


_CDATA_OPENING = re.compile(r"\s*(?://\s*)?<!\[CDATA\[")
_COMMENT_OPENING = re.compile(r"\s*<!--")


def _unwrapped(text: str, opening: re.Pattern[str], closing: str, slashes: bool) -> str:
    r"""``text`` without an ``opening`` at its start and a ``closing`` (after "//" and white space,
    with ``slashes``) followed only by white space at its end: what ``re.sub`` of
    ``^opening|(?://\s*)?closing\s*$`` gives, without that regex's try at every position of a
    long script (0.15 ms on 10 KB)."""
    found = opening.match(text)
    if found is not None:
        text = text[found.end() :]
    at = text.rfind(closing)
    if at >= 0 and not text[at + len(closing) :].strip():
        text = text[:at]
        if slashes and text.rstrip().endswith("//"):
            text = text.rstrip()[:-2]
    return text


def _loads_lenient(raw: str) -> Any:
    text = raw.strip()
    if "<![CDATA[" in text or "]]>" in text:
        text = _unwrapped(text, _CDATA_OPENING, "]]>", slashes=True)
    if "<!--" in text or "-->" in text:
        text = _unwrapped(text, _COMMENT_OPENING, "-->", slashes=False)
    text = text.strip().rstrip(";")
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
            if isinstance(item, _CONTAINERS):  # a call for a string or number would do nothing
                _collect_objects(item, depth + 1 if depth else 0, out)
        return
    if not isinstance(data, dict):
        return
    if "@type" in data or depth == 0:
        out.append((depth, data))
    for key, value in data.items():
        if key == "@graph":
            _collect_objects(value, depth, out)
        elif isinstance(value, _CONTAINERS) and key not in _JSONLD_SKIP_KEYS:
            _collect_objects(value, depth + 1, out)


_CONTAINERS = (dict, list)


# Nested values that hold other documents, not this page's own facts.
_JSONLD_SKIP_KEYS = frozenset(
    {
        "itemListElement",
        "hasPart",
        "isPartOf",
        "comment",
        "review",
        "citation",
        "mentions",
        "about",
        "relatedLink",
        "significantLink",
        "breadcrumb",
        "potentialAction",
    }
)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", obj.get("type"))
    items = value if isinstance(value, list) else [value]
    return {v.lower().rsplit("/", 1)[-1] for v in items if isinstance(v, str)}


def _article_types(types: set[str]) -> bool:
    return any(
        t.endswith(("article", "posting")) or t in {"report", "blog", "creativework", "recipe"}
        for t in types
    )


def _page_types(types: set[str]) -> bool:
    return any(t.endswith("page") for t in types)


class _JsonLd:
    """The page's JSON-LD objects with the main article first and @id references resolvable."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        self.objects = objects
        self.by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
        self.articles: list[dict[str, Any]] = []
        self.pages: list[dict[str, Any]] = []
        for obj in objects:
            types = _types(obj)  # once per object, for both lists
            if _article_types(types):
                self.articles.append(obj)
            if _page_types(types):
                self.pages.append(obj)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("@id"), str) and len(value) <= 2:
            return self.by_id.get(value["@id"], value)
        return value

    def main_objects(self) -> list[dict[str, Any]]:
        return self.articles + self.pages

    def string(self, *keys: str, objects: Iterable[dict[str, Any]] | None = None) -> str | None:
        for obj in self.main_objects() if objects is None else objects:
            for key in keys:
                value = obj.get(key)
                if isinstance(value, list) and value:
                    value = value[0]
                if (
                    isinstance(value, str | int)
                    and not isinstance(value, bool)
                    and str(value).strip()
                ):
                    return _clean(str(value), 2000)
        return None


def article_body_from_jsonld(objects: list[dict[str, Any]]) -> str | None:
    """The longest ``articleBody`` text in the page's JSON-LD, if any."""
    best = ""
    for obj in objects:
        body = obj.get("articleBody")
        if isinstance(body, str) and len(body) > len(best):
            best = body
    return best.strip() or None


# --------------------------------------------------------------------------- dates

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "january jan janvier janv janv. januar jänner enero ene janeiro gennaio gen januari",
        "february feb febr février fevrier févr fevr februar febrero fevereiro fev febbraio februari",
        "march mar mars märz maerz marz marzo março marco maart mrt",
        "april apr avril abril aprile",
        "may mai mayo maio maggio mei",
        "june jun juin juni junio junho giugno",
        "july jul juillet juil juli julio julho luglio",
        "august aug août aout agosto augustus ago",
        "september sep sept septembre septiembre setiembre setembro settembre set",
        "october oct octobre oktober octubre outubro ottobre okt",
        "november nov novembre noviembre novembro",
        "december dec décembre decembre dezember diciembre dezembro dicembre dez dic",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name.rstrip("."), _num)

_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})(?!\d)")
_YMD_SLASH = re.compile(r"(?<!\d)(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?!\d)")
_DMY_NUM = re.compile(r"(?<![\d/.])(\d{1,2})([./])(\d{1,2})\2(\d{4})(?![\d/.])")
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MDY_TEXT = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
_DMY_TEXT = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_MY_TEXT = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})(?!\d)", re.IGNORECASE)
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_FOUR_DIGITS = re.compile(r"\d{4}")


def _valid(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1900 <= year <= _dt.date.today().year + 1:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        _dt.date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str | None) -> str | None:
    """A machine-written date (meta content, datetime attribute) as YYYY-MM-DD / YYYY-MM / YYYY."""
    if not text:
        return None
    value = text.strip()[:100]
    if _EPOCH.match(value):
        seconds = int(value[:10])
        try:
            day = _dt.datetime.fromtimestamp(seconds, tz=_dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
        return _valid(day.year, day.month, day.day)
    for pattern in (_ISO_DATE, _YMD_SLASH):
        m = pattern.match(value)
        if m:
            return _valid(int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"^(\d{4})(\d{2})(\d{2})(?:T|\d{4,6}|$)", value)
    if m:
        return _valid(int(m[1]), int(m[2]), int(m[3]))
    m = _ISO_MONTH.match(value)
    if m:
        return _valid(int(m[1]), int(m[2]))
    if re.fullmatch(r"\d{4}", value):
        return _valid(int(value))
    return find_date_in_text(value)


def find_date_in_text(text: str, *, day_first: bool = False) -> str | None:
    """The first date written in prose ("March 5, 2024", "5 mars 2024", "05.03.2024", "2024-03-05").
    ``day_first`` reads "05/10/2018" as 5 October (outside the United States)."""
    text = text[:2000]
    if _FOUR_DIGITS.search(text) is None:
        return None  # every pattern below needs a four-digit year; most bylines have none
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


_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$|[-_])"),
    re.compile(r"[/_-]((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[/_.-]|$)"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:/|[-_])"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(?:/)"),
)


_URL_YEAR = re.compile(r"(?:19|20)\d{2}")


def date_from_url(url: str | None) -> str | None:
    """A date written in a URL path: /2024/03/05/, /2024-03-05-, /20240305/ or /2024/03/."""
    if not url:
        return None
    try:
        path = urlsplit(url[:2048]).path
    except ValueError:
        return None
    if _URL_YEAR.search(path) is None:
        return None  # each pattern below needs a year of 19xx or 20xx
    for pattern in _URL_DATES:
        m = pattern.search(path)
        if m:
            groups = [int(g) for g in m.groups()]
            value = _valid(*groups)
            if value:
                return value
    return None


# --------------------------------------------------------------------------- author names

_BY_PREFIX = re.compile(
    r"^(?:(?:written|posted|words|story|text|reporting|report|published|interview|article)\s+)?"
    r"(?:by|par|von|por|door|av|af|przez|автор|от)\s*[:\-–]?\s+|"
    r"^(?:authors?|autor(?:in|es|a)?|auteur(?:e|s)?|autore|text|texte|tekst|redaktion|"
    r"writer|byline|reporter|текст|автор|авторы)\s*[:\-–]\s*",
    re.IGNORECASE,
)
_SPLIT = re.compile(
    r"\s*(?:,|;|\||/|•|·|\n|\(|\)|\s(?:and|und|et|y|e|og|en|och|ja|és|&|\+|with|avec|mit|con|com)\s)\s*",
    re.IGNORECASE,
)
_PIPE_LIKE = re.compile(r"\s+[|–—]\s+|\s+-\s+")
_CONNECTOR = re.compile(r"^(?:and|und|et|y|e|with|avec|mit|con|com|&)\s+", re.IGNORECASE)
_PARENS = re.compile(r"\(([^()]*)\)")
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|"
    "vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    "lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
_NON_AUTHOR_LINE = re.compile(
    r"^(?:edited|photos?|photographs?|photography|illustrations?|graphics?|video|images?|"
    r"fact[- ]checked|reviewed|medically reviewed|translated|design(?:ed)?|produced)\b",
    re.IGNORECASE,
)
_DATEISH = re.compile(
    rf"\b(?:updated|published|posted|modified|last updated|created|on|{_WEEKDAYS})\b.*$|"
    rf"\b(?:{_MONTH_RE})\.?\s+\d{{1,2}}\b.*$|\b\d{{1,2}}\s+(?:{_MONTH_RE})\b.*$|"
    r"\b\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?.*$|\b\d{4}-\d{2}-\d{2}.*$|\b\d{1,2}/\d{1,2}/\d{2,4}.*$|"
    r"\b(?:today|yesterday|\d+\s+(?:hours?|minutes?|mins?|days?)\s+ago)\b.*$",
    re.IGNORECASE,
)
_ROLE_WORDS = _wordset(
    """reporter correspondent editor editors writer writers staff contributor contributors columnist
    producer photographer analyst director chief senior associate deputy contributing special
    editorial freelance journalist journalists correspondents bureau desk team newsroom intern
    columnists host anchor founder ceo president managing executive"""
)
_NOT_NAMES = frozenset(
    _fold(s)
    for s in _split_list(
        "follow|unfollow|follow author|share|email|e-mail|twitter|facebook|linkedin|instagram|"
        "more|read more|view profile|profile|bio|comments|comment|updated|published|posted|by|"
        "and|admin|administrator|unknown|anonymous|guest|home|menu|search|see all|all posts|"
        "view all posts|subscribe|login|log in|sign in|inc|ltd|llc|co|corp|gmbh|ma|ms|phd|md|jr|"
        "sr|rn|mph|dr|prof|mr|mrs|staff"
    )
)
_AGENCIES = frozenset(
    _fold(s)
    for s in _split_list(
        "Reuters|AP|Associated Press|AFP|Agence France-Presse|Bloomberg|dpa|PA|PA Media|UPI|Xinhua|"
        "EFE|ANSA|Kyodo|Yonhap|TASS|Getty Images|Staff"
    )
)
# _DATEISH without its alternatives that need a digit: the same matches in a line that has none
# (\d is any Unicode decimal digit, as str.isdecimal), at a third of the cost.
_DATEISH_WORDS = re.compile(
    rf"\b(?:updated|published|posted|modified|last updated|created|on|{_WEEKDAYS})\b.*$|"
    r"\b(?:today|yesterday)\b.*$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_DOMAIN = re.compile(r"[a-z]\.(?:[a-z]{2,4})\b", re.IGNORECASE)
_URLISH = re.compile(r"https?://\S*|www\.\S+|\S+@\S+\.\S+|@\w+", re.IGNORECASE)


def _drop_urlish(text: str) -> str:
    """``_URLISH.sub(" ", text)``: each of its patterns needs "://", "@" or "www" in any case
    (no other character folds to "w"), and every casing of "www" holds "ww", "wW" or "WW"."""
    if "@" in text or "://" in text or "ww" in text or "wW" in text or "WW" in text:
        return _URLISH.sub(" ", text)
    return text


def _drop_dateish(line: str) -> str:
    """``_DATEISH.sub("", line)``, with only the patterns that need no digit where it has none."""
    return (_DATEISH if _DIGIT.search(line) else _DATEISH_WORDS).sub("", line)


def split_byline(text: str | None) -> list[str]:
    """Person names in a byline: "By Jane Doe and John Smith, Staff Writers | Updated May 3" ->
    ["Jane Doe", "John Smith"]."""
    if not text:
        return []
    names: list[str] = []
    # Each pattern is run only where it can match: a byline is read on nearly every page, and
    # most are a name or two.
    text = _drop_urlish(text[: _MAX_BYLINE_CHARS * 2])
    # "Ann Lee (with Bo Ma)" names a co-author; "Richard (R.J.) Eskow" a nickname or handle.
    if "(" in text:
        text = _PARENS.sub(lambda m: f", {m[1]}," if _CONNECTOR.match(m[1]) else " ", text)
    for line in re.split(r"\s*\n\s*", text) if "\n" in text else (text,):
        line = _WS.sub(" ", line).strip()
        if not line or _NON_AUTHOR_LINE.match(line):
            continue
        line = _BY_PREFIX.sub("", line)
        line = _drop_dateish(line).strip(" ,;:|-–—")
        # "Jane Doe | Reuters", "Jane Doe - Staff Writer": the name comes first.
        pieces = _PIPE_LIKE.split(line)
        for i, piece in enumerate(pieces):
            found = [n for n in (_clean_name(p) for p in _SPLIT.split(piece)) if n]
            if found or i:
                names.extend(found)
                break
    if len(names) > 1:
        people = [n for n in names if _fold(n) not in _AGENCIES]
        # Next to full names, a lone word is a credential, a place or a paper ("Jane Doe, RD",
        # "Elliot Brownstein, Florida Today"), not another author.
        if any(" " in n for n in people):
            people = [n for n in people if " " in n or not any(c.isascii() for c in n)]
        names = people or names
    return _dedupe(names)[:20]


def _clean_name(piece: str) -> str | None:
    piece = _CONNECTOR.sub("", _BY_PREFIX.sub("", piece.strip()))
    piece = piece.strip(" .,;:!?\"'“”‘’«»()[]{}*-–—|")
    if not piece:
        return None
    words = piece.split()
    if words[0].lower() in ("our", "the", "from"):
        return None  # "Our Foreign Staff", "The Editors"
    # Cut at a role word: "Jane Doe Staff Writer" -> "Jane Doe"; "Games Editor" is no name.
    for i, word in enumerate(words):
        if word.lower().strip(".,") in _ROLE_WORDS:
            # "AP Auto Writer" is the agency's job title, not a name.
            words = words[:i] if i > 1 and _fold(words[0]) not in _AGENCIES else []
            break
    name = " ".join(words).strip(" .,;:-–—")
    if not name or len(name) > _MAX_NAME_CHARS or len(words) > 6:
        return None
    if any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
        return None
    if _DOMAIN.search(name):
        return None  # "Cleveland.com"
    if _fold(name) in _NOT_NAMES:
        return None
    cased = [ch for ch in name if ch.isalpha() and (ch.isupper() or ch.islower())]
    if cased and not any(ch.isupper() for ch in cased):
        return None
    if len(name) < 2:
        return None
    return name


def _dedupe(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        key = _fold(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def _jsonld_authors(ld: _JsonLd, site_name: str | None) -> tuple[list[str], bool]:
    """Authors of the main JSON-LD object; the flag says whether any of them is a person (a
    "Person" named like the site is the site)."""
    site_key: str | None = None  # _fold(site_name), made when an author object is compared
    for obj in ld.main_objects() or ld.objects:
        value = obj.get("author") or obj.get("creator")
        if not value:
            continue
        names: list[str] = []
        person = False
        items = value if isinstance(value, list) else [value]
        for item in items[:30]:
            item = ld.resolve(item)
            if isinstance(item, str):
                if not item.lower().startswith(("http:", "https:", "www.")):
                    names.extend(split_byline(item))
                    person = True
            elif isinstance(item, dict):
                types = _types(item)
                raw = item.get("name")
                if isinstance(raw, list) and raw:
                    raw = raw[0]
                if not isinstance(raw, str) or not raw.strip():
                    given, family = item.get("givenName"), item.get("familyName")
                    raw = " ".join(x for x in (given, family) if isinstance(x, str))
                if not raw.strip():
                    continue
                key = _fold(raw)
                if site_name and site_key is None:
                    site_key = _fold(site_name)
                named_like_site = site_key is not None and (
                    key == site_key or (len(key) > 4 and key in site_key)
                )
                if (types and not (types & {"person"})) or named_like_site:
                    names.append(_clean(raw, _MAX_NAME_CHARS))  # an organisation keeps its name
                else:
                    names.extend(split_byline(raw))
                    person = True
        names = _dedupe(n for n in names if n)
        if names:
            return names, person
    return [], False


_AUTHOR_META = (
    "dc:creator",
    "dc.creator",
    "dcterms:creator",
    "dcterms.creator",
    "author",
    "parsely-author",
    "sailthru.author",
    "article:author",
    "og:article:author",
    "byl",
    "citation_author",
)
_LAST_FIRST_META = frozenset(
    {"dc:creator", "dc.creator", "dcterms:creator", "dcterms.creator", "citation_author"}
)


def _meta_authors(tags: dict[str, list[str]]) -> list[str]:
    for key in _AUTHOR_META:
        names: list[str] = []
        for value in tags.get(key, ()):
            if re.match(r"(?:https?:|www\.)|\S+\.\w{2,4}/", value, re.IGNORECASE):
                continue
            m = re.fullmatch(r"([^,]+),\s*([^,]+)", value)
            if key in _LAST_FIRST_META and m and len(m[1].split()) <= 2:
                names.extend(split_byline(f"{m[2]} {m[1]}"))  # "Jong, Michiel de"
            else:
                names.extend(split_byline(value))
        if not names:
            continue  # most keys are absent: nothing to dedupe
        names = _dedupe(n for n in names if n)
        if names:
            return names
    return []


_BOILER_WORDS = _wordset(
    "comment comments related recommended recommendation recommendations sidebar footer nav "
    "navigation newsletter promo popular trending more outbrain taboola"
)


class _ContainsList:
    """A selector list of ``[attribute*="word"]`` selectors, matched with fewer selectors.

    lexbor checks every element against every selector of a list, so each selector costs a
    walk's worth of attribute lookups; case variants of one word ("byline", "Byline") are
    found with one case-insensitive selector instead, and the elements it finds are counted
    against the original selectors in Python. ``first`` gives exactly the distinct elements
    among the first ``limit`` entries of ``tree.css(self.selector)``, where an element comes
    once per selector it matches (in a row: lexbor lists an element's matches together)."""

    __slots__ = ("parts", "query", "selector")

    def __init__(self, *parts: tuple[str, str]) -> None:
        self.parts = parts
        self.selector = ", ".join(f'[{name}*="{word}"]' for name, word in parts)
        variants: dict[tuple[str, str], int] = {}
        for name, word in parts:
            variants[name, word.lower()] = variants.get((name, word.lower()), 0) + 1
        narrowed: list[str] = []
        for name, word in parts:
            if variants[name, word.lower()] == 1:
                narrowed.append(f'[{name}*="{word}"]')
            elif f'[{name}*="{word.lower()}" i]' not in narrowed:
                narrowed.append(f'[{name}*="{word.lower()}" i]')
        self.query = ", ".join(narrowed)

    def first(self, tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> list[LexborNode]:
        found: list[LexborNode] = []
        if limit <= 0:
            return found
        entries = 0
        listed: set[int] = set()
        for node in tree.css(self.query):
            key = node.mem_id
            if key in listed:  # the same element again, for another narrowed selector
                continue
            listed.add(key)
            attrs = node.attributes
            count = 0
            for name, word in self.parts:
                value = attrs.get(name)
                if isinstance(value, str) and word in value:
                    count += 1
            if count:
                found.append(node)
                entries += count
                if entries >= limit:
                    break
        return found


_BYLINE_CLASSES = _ContainsList(
    ("class", "byline"), ("id", "byline"), ("class", "Byline"), ("data-testid", "byline")
)
_AUTHOR_CLASSES = _ContainsList(("class", "author"), ("id", "author"), ("class", "Author"))
_DATE_CLASSES = _ContainsList(
    ("class", "byline"),
    ("class", "date"),
    ("class", "Date"),
    ("class", "time"),
    ("class", "publish"),
    ("class", "meta"),
    ("id", "date"),
    ("id", "byline"),
)


def _title_node(tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> LexborNode | None:
    return tree.css_first("head > title")


def _has_itemprop(tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> bool:
    return tree.css_first("[itemprop]") is not None


def _itemprop_authors(tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> list[LexborNode]:
    return tree.css('[itemprop~="author"], [itemprop~="creator"]')[:limit]


def _rel_authors(tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> list[LexborNode]:
    return tree.css('a[rel~="author"]')[:limit]


def _time_nodes(tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> list[LexborNode]:
    return tree.css("time")[:limit]


def _itemprop_dates(tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> list[LexborNode]:
    return tree.css('[itemprop~="datePublished"], [itemprop~="dateCreated"]')[:limit]


# The element queries of this module, in the order of bot/_fastwalk.c's scan_page node answers.
# Each takes the tree and how many entries to keep ("limit", as _ContainsList.first counts them).
_NODE_QUERIES: tuple[Callable[[LexborHTMLParser, int], Any], ...] = (
    _title_node,
    _has_itemprop,
    _itemprop_authors,
    _rel_authors,
    _BYLINE_CLASSES.first,
    _AUTHOR_CLASSES.first,
    _DATE_CLASSES.first,
    _time_nodes,
    _itemprop_dates,
)
(
    _TITLE,
    _HAS_ITEMPROP,
    _ITEMPROP_AUTHORS,
    _REL_AUTHORS,
    _BYLINE,
    _AUTHOR,
    _DATE,
    _TIMES,
    _ITEMPROP_DATES,
) = range(len(_NODE_QUERIES))


def _queried_nodes(tree: LexborHTMLParser, limit: int = _MAX_CANDIDATES) -> tuple[Any, ...]:
    """Every answer of _NODE_QUERIES from lexbor's selector engine (what scan_page must give)."""
    return tuple(query(tree, limit) for query in _NODE_QUERIES)


class _Elements:
    """What is read of a page's elements, read once per page: its <meta>s, JSON-LD and element
    queries (one C walk for all, with the C scan), and facts of single elements, as byline,
    author and date candidates are often the same elements (selector lists repeat an element
    once per selector it matches) and climb the same ancestors. Elements are keyed by address,
    which is fixed while the tree lives (LexborNode equality would compare serialised HTML)."""

    __slots__ = ("_answers", "_boilerplate", "_lines", "_page", "_words")

    def __init__(self) -> None:
        self._page: tuple[Any, ...] | None = None
        self._words: dict[int, set[str]] = {}
        self._boilerplate: dict[int, bool] = {}
        self._lines: dict[int, str] = {}
        self._answers: dict[int, Any] | tuple[Any, ...] | None = None

    def _scanned(self, tree: LexborHTMLParser) -> tuple[Any, ...] | None:
        """scan_page's (metas, hrefs, JSON-LD texts, node answers): one C walk of the page for
        everything this module reads of its elements; None without the C scan."""
        if self._page is None:
            root = tree.root
            if _PAGE_SCAN is None or root is None:
                return None
            self._page = _PAGE_SCAN.scan_page(root.mem_id, tree, _MAX_CANDIDATES)
        return self._page

    def preset(self, page: tuple[Any, ...]) -> None:
        """Take scan_page's answer for the tree, made by the caller (bot.extract makes it in
        the same pass as its walk)."""
        self._page = page

    def metas(self, tree: LexborHTMLParser) -> tuple[dict[str, list[str]], list[str]]:
        """``_meta_and_canonical(tree)``."""
        page = self._scanned(tree)
        if page is None:
            return _meta_and_canonical(tree)
        return _read_metas(page[0]), page[1]

    def jsonld_texts(self, tree: LexborHTMLParser) -> list[str]:
        """``_jsonld_texts(tree)``."""
        page = self._scanned(tree)
        texts: list[str] = _jsonld_texts(tree) if page is None else page[2]
        return texts

    def nodes(self, tree: LexborHTMLParser, query: int) -> Any:
        """The answer of ``_NODE_QUERIES[query]``: all of them from one C walk when the C scan is
        in use, else that query alone, run once."""
        answers = self._answers
        if answers is None:
            page = self._scanned(tree)
            answers = self._answers = {} if page is None else page[3]
        if isinstance(answers, tuple):
            return answers[query]
        if query not in answers:
            answers[query] = _NODE_QUERIES[query](tree, _MAX_CANDIDATES)
        return answers[query]

    def any_itemprop(self, tree: LexborHTMLParser) -> bool:
        """Whether any element has an itemprop: one walk that stops at the first, instead of a
        whole walk per [itemprop~=...] query on the many pages that have none."""
        has: bool = self.nodes(tree, _HAS_ITEMPROP)
        return has

    def words(self, node: LexborNode) -> set[str]:
        key = node.mem_id
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = _words(node)
        return found

    def in_boilerplate(self, node: LexborNode) -> bool:
        key = node.mem_id
        found = self._boilerplate.get(key)
        if found is None:
            found = self._boilerplate[key] = _in_boilerplate(node, words=self.words)
        return found

    def lines(self, node: LexborNode) -> str:
        key = node.mem_id
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = _lines_of(node)
        return found

    def text(self, node: LexborNode, limit: int) -> str:
        """``_node_text(node, limit)``."""
        return _clean(self.lines(node), limit)


# What is read of a page's elements, for callers that hand one to parse_jsonld and
# extract_metadata (bot.extract).
PageElements = _Elements


def _in_boilerplate(
    node: LexborNode, levels: int = 12, words: Callable[[LexborNode], set[str]] = _words
) -> bool:
    """Inside comments, related links, navigation, or an aside/footer that is not the article's."""
    outside_article = False
    parent = node.parent
    for _ in range(levels):
        if parent is None:
            break
        tag = parent.tag
        if tag in ("body", "html"):
            break
        if tag in ("article", "main"):
            return False
        if tag == "nav" or words(parent) & _BOILER_WORDS:
            return True
        if tag in ("aside", "footer"):
            outside_article = True
        parent = parent.parent
    return outside_article


def _markup_authors(tree: LexborHTMLParser, seen: _Elements | None = None) -> list[str]:
    """Names from itemprop=author, rel=author and byline/author elements, in that order."""
    if seen is None:
        seen = _Elements()
    itemprops = seen.nodes(tree, _ITEMPROP_AUTHORS) if seen.any_itemprop(tree) else []
    for node in itemprops:
        if seen.in_boilerplate(node):
            continue
        inner = node.css_first('[itemprop~="name"]')
        value = _attr(inner, "content") if inner is not None else ""
        if not value and inner is not None:
            value = seen.text(inner, _MAX_BYLINE_CHARS)
        if not value:
            value = _attr(node, "content") or seen.text(node, _MAX_BYLINE_CHARS)
        names = split_byline(value)
        if names:
            return names
    names = []
    for node in seen.nodes(tree, _REL_AUTHORS):
        if not seen.in_boilerplate(node):
            names.extend(split_byline(seen.text(node, _MAX_BYLINE_CHARS)))
    if names:
        return _dedupe(names)
    for query in (_BYLINE, _AUTHOR):
        # Each element once: the original list repeated an element once per selector it
        # matched, and a second look gave what the first gave (nothing, or it had returned).
        for node in seen.nodes(tree, query):
            if node.tag in ("meta", "link", "script", "style", "body", "html", "article", "main"):
                continue
            if seen.words(node) & _NOT_BYLINE_WORDS or seen.in_boilerplate(node):
                continue
            names = split_byline(seen.lines(node))
            if names:
                return names
    return []


# Author widgets that are not the byline: "follow this author", bios, avatars.
_NOT_BYLINE_WORDS = _wordset(
    "follow bio biography avatar image img photo picture social twitter email description "
    "comment comments"
)
_LINE_BREAK_TAGS = _wordset(
    "br p div li ul ol h1 h2 h3 h4 h5 h6 section dd dt tr td header footer address figure "
    "figcaption time"
)


_WIDGET_TAGS = ("script", "style", "noscript", "template", "svg")
# bot/_fastwalk.c's lines_of, set by bot.extract once it reads sample pages as _lines_python
# does; None: the Python below.
_LINES: Any = None


def use_lines(fast: Any) -> None:
    """Read elements' lines with ``fast.lines_of`` (None: in Python)."""
    global _LINES
    _LINES = fast


def _lines_of(node: LexborNode, limit: int = _MAX_TEXT_NODES) -> str:
    """An element's text with line breaks where blocks and <br> break it ("Written by A" / "Edited
    by B"); empty if the element is too long to be a byline."""
    if _LINES is not None:
        lines: str = _LINES.lines_of(node.mem_id, limit, _MAX_BYLINE_CHARS * 3)
        return lines
    return _lines_python(node, limit)


def _lines_python(node: LexborNode, limit: int = _MAX_TEXT_NODES) -> str:
    """``_lines_of`` through selectolax: the reference for the C one, and its stand-in."""
    parts: list[str] = []
    size = 0
    for count, child in enumerate(node.traverse(include_text=True)):
        if count > limit or size > _MAX_BYLINE_CHARS * 3:
            return ""
        tag = child.tag
        if tag == "-text":
            text = child.text_content or ""
            parts.append(text)
            size += len(text)
        elif tag in _LINE_BREAK_TAGS:
            parts.append("\n")
        elif tag in _WIDGET_TAGS:
            return ""  # a widget, not a byline
    return "".join(parts)


# --------------------------------------------------------------------------- title and site

_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|·|•|/)\s+")


def _clean_title(title: str, site_name: str | None) -> str:
    """Drop a " | Site" suffix (or "Site | " prefix) from a <title>."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site_key = _fold(site_name) if site_name else None
    if site_key:
        if _fold(parts[-1]) == site_key or site_key in _fold(parts[-1]):
            return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
        if _fold(parts[0]) == site_key:
            return parts[-1] if len(parts) == 2 else title
    # No known site name: a short trailing part is most likely the site.
    if len(parts[-1].split()) <= 4 and len(parts[0].split()) >= 3:
        *_, last = _TITLE_SEPARATORS.finditer(title)
        return title[: last.start()]
    return title


# --------------------------------------------------------------------------- main entry


def extract_metadata(
    tree: LexborHTMLParser,
    url: str | None = None,
    jsonld: list[dict[str, Any]] | None = None,
    lead: Sequence[str] = (),
    elements: PageElements | None = None,
) -> PageMeta:
    """Title, authors, published date, site name, language and canonical URL of a parsed page.

    ``lead`` holds the texts around the start of the article, if the caller knows them: a date
    written there ("05/10/2018 - Publicado por ...") is the last resort before a modification
    date. ``elements``: as for ``parse_jsonld`` (the same object for both)."""
    seen = elements or _Elements()
    tags, canonical_hrefs = seen.metas(tree)
    ld = _JsonLd(parse_jsonld(tree, seen) if jsonld is None else jsonld)

    site_name = _first(tags, *_SITE_NAME_META)
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
        title=_title(tree, tags, ld, site_name, seen),
        authors=tuple(_authors(tree, tags, ld, site_name, seen)),
        published=_published(tree, tags, ld, url, lead, day_first, canonical_hrefs, seen),
        site_name=site_name or None,
        lang=lang,
        canonical_url=_canonical(canonical_hrefs, tags, url),
    )


def _title(
    tree: LexborHTMLParser,
    tags: dict[str, list[str]],
    ld: _JsonLd,
    site: str | None,
    seen: _Elements,
) -> str | None:
    node = seen.nodes(tree, _TITLE)
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
    tree: LexborHTMLParser,
    tags: dict[str, list[str]],
    ld: _JsonLd,
    site_name: str | None,
    seen: _Elements,
) -> list[str]:
    organisations: list[str] = []
    names, person = _jsonld_authors(ld, site_name)
    if names and person:
        return names
    organisations = names
    for source in (lambda: _meta_authors(tags), lambda: _markup_authors(tree, seen)):
        names = source()
        if names:
            return names
    return organisations


_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "published-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "article.published",
    "original-publish-date",
    "datecreated",
    "date.created",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dc.date.modified",
    "dcterms.modified",
    "lastmod",
)
_SITE_NAME_META = ("og:site_name", "application-name", "twitter:site:name")
_TITLE_META = ("og:title", "twitter:title")
_PUBLISHED_KEYS = frozenset(_PUBLISHED_META)
_MODIFIED_KEYS = frozenset(_MODIFIED_META)
_LANG_META = ("content-language", "language", "dc.language", "og:locale")
_URL_META = ("og:url",)
# Every <meta> key read anywhere here: _meta_and_canonical keeps only these.
_META_READ = frozenset(
    _AUTHOR_META
    + _PUBLISHED_META
    + _MODIFIED_META
    + _SITE_NAME_META
    + _TITLE_META
    + _LANG_META
    + _URL_META
)


def _published(
    tree: LexborHTMLParser,
    tags: dict[str, list[str]],
    ld: _JsonLd,
    url: str | None,
    lead: Sequence[str],
    day_first: bool,
    canonical_hrefs: list[str],
    seen: _Elements,
) -> str | None:
    url_date = date_from_url(url)
    for href in canonical_hrefs[:3]:
        url_date = url_date or date_from_url(href)
    found = _declared_date(tree, tags, ld, seen)
    if found:
        return _local_day(found, url_date)
    in_article, elsewhere = _time_element_dates(tree, seen)
    fallbacks: tuple[Callable[[], str | None], ...] = (
        lambda: in_article,
        lambda: url_date,
        lambda: _byline_text_date(tree, day_first, seen),
        lambda: elsewhere,
        lambda: _date_in_lead(lead, day_first),
    )
    for fallback in fallbacks:
        if found := fallback():
            return found
    for key in _MODIFIED_META if not _MODIFIED_KEYS.isdisjoint(tags) else ():
        for value in tags.get(key, ()):
            if found := parse_date(value):
                return found
    modified = ld.string("dateModified")
    return parse_date(modified) if modified else None


def _declared_date(
    tree: LexborHTMLParser, tags: dict[str, list[str]], ld: _JsonLd, seen: _Elements
) -> str | None:
    """The publication date the page states in JSON-LD, meta tags or itemprop markup."""
    value = ld.string("datePublished")
    if value and (found := parse_date(value)):
        return found
    for key in _PUBLISHED_META if not _PUBLISHED_KEYS.isdisjoint(tags) else ():
        for value in tags.get(key, ()):
            if found := parse_date(value):
                return found
    for key in ("dateCreated", "uploadDate"):
        value = ld.string(key)
        if value and (found := parse_date(value)):
            return found
    if not seen.any_itemprop(tree):
        return None
    for node in seen.nodes(tree, _ITEMPROP_DATES):
        value = _attr(node, "datetime") or _attr(node, "content") or _node_text(node, 200)
        if found := parse_date(value):
            return found
    return None


def _local_day(declared: str, url_date: str | None) -> str:
    """A declared timestamp is often UTC ("2019-11-19T04:58Z" for an evening story of the 18th);
    the date in the URL is the newsroom's own day, so it wins when they are one day apart."""
    if url_date and len(declared) == len(url_date) == 10 and declared != url_date:
        try:
            apart = _dt.date.fromisoformat(declared) - _dt.date.fromisoformat(url_date)
        except ValueError:
            return declared
        if abs(apart.days) == 1:
            return url_date
    return declared


def _date_in_lead(lead: Sequence[str], day_first: bool) -> str | None:
    heads = [text[:200] for text in lead]
    # Every date find_date_in_text reads has four digits in a row, and a line break joining
    # the texts makes no such run: one search says whether any text can hold one.
    if _FOUR_DIGITS.search("\n".join(heads)) is None:
        return None
    for head in heads:
        if found := find_date_in_text(head, day_first=day_first):
            return found
    return None


_TIME_CONTEXT_WORDS = _wordset(
    "byline article post entry meta dateline story author published date timestamp"
)


def _time_element_dates(tree: LexborHTMLParser, seen: _Elements) -> tuple[str | None, str | None]:
    """Dates of <time datetime> elements: the first that belongs to the article or its byline,
    and the first anywhere else outside boilerplate (a weaker hint)."""
    other: str | None = None
    for node in seen.nodes(tree, _TIMES):
        value = _attr(node, "datetime")
        found = parse_date(value) if value else None
        if not found or seen.in_boilerplate(node):
            continue
        if "pubdate" in node.attributes or seen.words(node) & {"published", "publish", "pubdate"}:
            return found, other
        ancestor = node.parent
        for _ in range(10):
            if ancestor is None:
                break
            # A <header> counts only inside the article; the page's own header may show today.
            if ancestor.tag in ("article", "main") or seen.words(ancestor) & _TIME_CONTEXT_WORDS:
                return found, other
            ancestor = ancestor.parent
        other = other or found
    return None, other


def _byline_text_date(tree: LexborHTMLParser, day_first: bool, seen: _Elements) -> str | None:
    for node in seen.nodes(tree, _DATE):  # each element once: a second look finds nothing new
        if node.tag in ("meta", "script", "style", "body", "html"):
            continue
        text = seen.text(node, 1000)
        if not text or len(text) > 400 or seen.in_boilerplate(node):
            continue
        if found := find_date_in_text(text, day_first=day_first):
            return found
    return None


def _lang(tree: LexborHTMLParser, tags: dict[str, list[str]]) -> str | None:
    root = tree.root
    value = ""
    if root is not None:
        attrs = root.attributes  # read once for both names
        value = _as_str(attrs.get("lang")) or _as_str(attrs.get("xml:lang"))
    if not value.strip():
        value = _first(tags, *_LANG_META) or ""
    value = value.strip().split(",")[0].strip().replace("_", "-")
    return value if _LANG_TAG.fullmatch(value) else None


_LANG_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def _canonical(
    canonical_hrefs: list[str], tags: dict[str, list[str]], url: str | None
) -> str | None:
    candidates: list[str] = list(canonical_hrefs)
    candidates.append(_first(tags, *_URL_META) or "")
    for href in candidates:
        href = href.strip()
        if not href or len(href) > 2048:
            continue
        if _PLAIN_URL.match(href):
            return href  # what the lines below give for it, a tenth of the cost
        try:
            absolute = urljoin(url, href) if url else href
            parts = urlsplit(absolute)
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and parts.netloc:
            return absolute
    return None


# An absolute http(s) URL that urljoin gives back as it is, with any base: a lower-case scheme
# (urljoin lower-cases it), a host, and none of what urlsplit and urlunsplit change or refuse
# (white space, "?", "#" or ";" that may be left empty and dropped, brackets, non-ASCII).
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9._~%!$&'()*+,=:@-]+(?:/[A-Za-z0-9._~%!$&'()*+,=:@/-]*)?\Z"
)
