"""Page metadata: titles, author names, publication dates, site name, language, canonical URL."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from bot.metadata import (
    PageMeta,
    date_from_url,
    extract_metadata,
    find_date_in_text,
    parse_date,
    split_byline,
)


def meta_of(head: str = "", body: str = "", url: str | None = None) -> PageMeta:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return extract_metadata(LexborHTMLParser(html), url)


def ld(*objects: Any) -> str:
    data = objects[0] if len(objects) == 1 else list(objects)
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --------------------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
        ("By Jane Doe, John Smith", ["Jane Doe", "John Smith"]),
        ("Jane Doe | Reuters", ["Jane Doe"]),
        ("Jane Doe - Staff Writer", ["Jane Doe"]),
        ("BY JANE DOE, STAFF WRITER", ["JANE DOE"]),
        ("Ben Silverman, Games Editor", ["Ben Silverman"]),
        ("By Jane Doe\n  Updated March 5, 2024 at 3:46 PM", ["Jane Doe"]),
        ("By Jane Doe Published 2024-03-05", ["Jane Doe"]),
        ("by Lucas Nolan 22 Dec 2016", ["Lucas Nolan"]),
        ("Written by Rob Ewaschuk\nEdited by Betsy Beyer", ["Rob Ewaschuk"]),
        ("Par Sébastien Farcis", ["Sébastien Farcis"]),
        ("Von Anna Müller und Jörg Schmidt", ["Anna Müller", "Jörg Schmidt"]),
        (
            "Martin Untersinger (avec Damien Leloup et Morgane Tual)",
            ["Martin Untersinger", "Damien Leloup", "Morgane Tual"],
        ),
        ("Richard (R.J.) Eskow", ["Richard Eskow"]),
        ("Brenda Goodman, MA", ["Brenda Goodman"]),
        ("Jane Doe, AP & John Roe", ["Jane Doe", "John Roe"]),
        ("By TOM KRISHER, AP Auto Writer", ["TOM KRISHER"]),
        ("Elliot Brownstein, Florida Today", ["Elliot Brownstein"]),
        ("Rachael Link, MS, RD", ["Rachael Link"]),
        ("Troy L. Smith, cleveland.com", ["Troy L. Smith"]),
        ("Текст: Венера Ерофеева", ["Венера Ерофеева"]),
        ("Author: Jane Doe; Tom Lee", ["Jane Doe", "Tom Lee"]),
        ("Our Foreign Staff", []),
        ("Follow", []),
        ("Jane Doe (@janedoe) jane@example.com https://example.com/jane", ["Jane Doe"]),
        ("José García and JOSE GARCIA", ["José García"]),
        ("肖春芳", ["肖春芳"]),
        ("", []),
    ],
)
def test_split_byline(byline: str, names: list[str]) -> None:
    assert split_byline(byline) == names


def test_meta_author_with_two_names() -> None:
    assert meta_of('<meta name="author" content="By Jane Doe and John Smith">').authors == (
        "Jane Doe",
        "John Smith",
    )


@pytest.mark.parametrize(
    "tag",
    [
        '<meta name="parsely-author" content="Jane Doe">',
        '<meta name="sailthru.author" content="Jane Doe">',
        '<meta property="article:author" content="Jane Doe">',
        '<meta name="DC.creator" content="Doe, Jane">',
        '<meta property="dc:creator twitter:site_name" content="Jane Doe">',
    ],
)
def test_author_meta_tags(tag: str) -> None:
    assert meta_of(tag).authors == ("Jane Doe",)


def test_article_author_url_is_not_a_name() -> None:
    meta = meta_of(
        '<meta property="article:author" content="https://www.facebook.com/janedoe">',
        '<p class="byline">By Jane Doe</p>',
    )
    assert meta.authors == ("Jane Doe",)


def test_jsonld_author_list_of_people() -> None:
    head = ld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "author": [
                {"@type": "Person", "name": "Stella Kim"},
                {"@type": "Person", "name": "Jennifer Jett"},
                "Ann Lee",
            ],
        }
    )
    assert meta_of(head).authors == ("Stella Kim", "Jennifer Jett", "Ann Lee")


def test_jsonld_graph_with_id_references() -> None:
    head = ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "@id": "https://ex.com/#site", "name": "Ex Site"},
                {
                    "@type": "BlogPosting",
                    "headline": "A post",
                    "author": {"@id": "https://ex.com/#/person/1"},
                    "publisher": {"@id": "https://ex.com/#org"},
                    "datePublished": "2023-06-07T20:54:26Z",
                },
                {"@type": "Person", "@id": "https://ex.com/#/person/1", "name": "Alex Heath"},
                {"@type": "Organization", "@id": "https://ex.com/#org", "name": "The Verge"},
            ],
        }
    )
    meta = meta_of(head)
    assert meta.authors == ("Alex Heath",)
    assert meta.site_name == "The Verge"
    assert meta.published == "2023-06-07"
    assert meta.title == "A post"


def test_jsonld_organisation_author_kept_whole_but_a_person_is_preferred() -> None:
    org = ld({"@type": "Article", "author": {"@type": "Organization", "name": "Wikimedia, Inc."}})
    assert meta_of(org).authors == ("Wikimedia, Inc.",)
    assert meta_of(org, '<span class="byline">By Jane Doe</span>').authors == ("Jane Doe",)


def test_jsonld_person_named_like_the_site_is_the_site() -> None:
    head = '<meta property="og:site_name" content="AppleInsider">' + ld(
        {"@type": "Article", "author": {"@type": "Person", "name": "AppleInsider"}}
    )
    body = '<p class="byline">By Mike Wuerthele and Malcolm Owen Monday, November 18, 2019</p>'
    assert meta_of(head, body).authors == ("Mike Wuerthele", "Malcolm Owen")


def test_jsonld_type_without_at_sign_is_understood() -> None:
    head = ld({"@type": "Article", "author": {"type": "Organization", "name": "Multiple Sources"}})
    assert meta_of(head, '<a class="author" href="/dan">Dan Evon</a>').authors == ("Dan Evon",)


def test_itemprop_author_with_nested_name() -> None:
    body = (
        '<article><aside><span itemprop="author" itemscope itemtype="http://schema.org/Person">'
        '<span itemprop="name">Nicolas Perriault</span> —</span></aside></article>'
    )
    assert meta_of(body=body).authors == ("Nicolas Perriault",)


def test_rel_author_links() -> None:
    body = (
        '<p>By <a rel="author" href="/a">Jane Doe</a> and <a rel="author" href="/b">Tom Lee</a></p>'
    )
    assert meta_of(body=body).authors == ("Jane Doe", "Tom Lee")


def test_byline_element_text() -> None:
    body = (
        '<div class="article-byline"><span>By</span> <a href="/jd">Jane Doe</a>, '
        '<a href="/js">John Smith</a> <time>Updated 5 March 2024</time></div>'
    )
    assert meta_of(body=body).authors == ("Jane Doe", "John Smith")


def test_author_widgets_and_comments_are_not_bylines() -> None:
    body = (
        '<div class="author-follow"><li class="author-follow">Katie Couric</li></div>'
        '<section id="comments"><span class="comment-author">Some Reader</span></section>'
        '<div class="byline">NATALIYA VASILYEVA</div>'
    )
    assert meta_of(body=body).authors == ("NATALIYA VASILYEVA",)


def test_no_author_anywhere() -> None:
    assert meta_of("<title>Hi</title>", "<p>Text</p>").authors == ()


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-07-10T09:53:00-04:00", "2015-07-10"),
        ("2017-11-03 03:01:00.000000", "2017-11-03"),
        ("2024-06", "2024-06"),
        ("2024", "2024"),
        ("2024/03/05", "2024-03-05"),
        ("20240305", "2024-03-05"),
        ("1710000000", "2024-03-09"),
        ("Sat Dec 07 2024 01:36:42 GMT+0000 (UTC)", "2024-12-07"),
        ("March 25, 2015", "2015-03-25"),
        ("2024-02-30", None),
        ("1800-01-01", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: str | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Posted on March 5, 2024 by admin", "2024-03-05"),
        ("Mar. 5th, 2024", "2024-03-05"),
        ("5 March 2024", "2024-03-05"),
        ("le 30 avril 2015 à 07:19", "2015-04-30"),
        ("21 de diciembre de 2018", "2018-12-21"),
        ("3. März 2021", "2021-03-03"),
        ("05.03.2024", "2024-03-05"),
        ("03/25/2015", "2015-03-25"),
        ("25/03/2015", "2015-03-25"),
        ("2024年3月5日", "2024-03-05"),
        ("Updated April 29, 2019 — first published April 28, 2019", "2019-04-29"),
        ("September 2019", "2019-09"),
        ("no date here 12345", None),
    ],
)
def test_find_date_in_text(text: str, expected: str | None) -> None:
    assert find_date_in_text(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ex.com/2024/03/05/some-story", "2024-03-05"),
        ("https://ex.com/news/2019/11/8/20948348/delhi", "2019-11-08"),
        ("https://ex.com/story-2020-01-31-x.html", "2020-01-31"),
        ("https://ex.com/20191119/story/", "2019-11-19"),
        ("https://ex.com/2018/10/story", "2018-10"),
        ("https://ex.com/2024/13/45/x", None),
        ("https://ex.com/product/1234/56/78/", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_published_meta_tag() -> None:
    head = '<meta property="article:published_time" content="2015-07-10T09:53:00-04:00">'
    meta = meta_of(head)
    assert meta.published == "2015-07-10"
    assert meta.published_year == 2015


@pytest.mark.parametrize(
    "tag",
    [
        '<meta name="pubdate" content="2020-07-10">',
        '<meta name="publishdate" content="2020-07-10">',
        '<meta name="publish-date" content="2020-07-10">',
        '<meta name="date" content="2020-07-10">',
        '<meta name="DC.date.issued" content="2020-07-10">',
        '<meta name="sailthru.date" content="2020-07-10 10:00:00">',
        '<meta name="parsely-pub-date" content="2020-07-10T04:20:00.000Z">',
        '<meta itemprop="datePublished" content="2020-07-10">',
    ],
)
def test_published_meta_names(tag: str) -> None:
    assert meta_of(tag).published == "2020-07-10"


def test_jsonld_date_published_beats_the_meta_tag_and_modified_dates() -> None:
    head = (
        '<meta property="article:published_time" content="2015-12-11T14:28:34Z">'
        '<meta property="article:modified_time" content="2018-01-01T00:00:00Z">'
        + ld(
            {
                "@type": "NewsArticle",
                "datePublished": "2015-10-15T02:19:15Z",
                "dateModified": "2018-04-22T22:24:24Z",
            }
        )
    )
    assert meta_of(head).published == "2015-10-15"


def test_modified_date_only_when_nothing_else() -> None:
    head = '<meta property="article:modified_time" content="2018-01-01T00:00:00Z">'
    assert meta_of(head).published == "2018-01-01"
    assert meta_of(head, url="https://ex.com/2016/02/03/x").published == "2016-02-03"


def test_time_element_in_the_article() -> None:
    body = (
        '<aside class="related"><time datetime="2019-01-01">Jan 1</time></aside>'
        '<article><header><time datetime="2019-02-23T17:18:13+00:00">Feb 23</time></header>'
        "<p>Text</p></article>"
    )
    assert meta_of(body=body).published == "2019-02-23"


def test_itemprop_date_published_in_the_body() -> None:
    body = '<span itemprop="datePublished" content="2013-09-29">Sept 29th</span>'
    assert meta_of(body=body).published == "2013-09-29"


def test_url_date_before_byline_text_date() -> None:
    body = '<div class="byline">By Jane Doe, March 3, 2021</div>'
    assert meta_of(body=body, url="https://ex.com/2021/03/02/x").published == "2021-03-02"
    assert meta_of(body=body, url="https://ex.com/x").published == "2021-03-03"


def test_utc_timestamp_one_day_off_gives_way_to_the_url_day() -> None:
    head = '<meta property="article:published_time" content="2019-11-19T04:58:46Z">'
    assert meta_of(head, url="https://ex.com/2019/11/18/story").published == "2019-11-18"
    assert meta_of(head, url="https://ex.com/2019/11/10/story").published == "2019-11-19"
    assert meta_of(head).published == "2019-11-19"


def test_date_in_the_article_lead_is_read_day_first_outside_the_us() -> None:
    lead = ["Atendimento registra arrombamento", "05/10/2018 - Publicado por: Clarissa Borba"]
    tree = LexborHTMLParser('<html lang="pt-BR"><body><p>x</p></body></html>')
    assert extract_metadata(tree, lead=lead).published == "2018-10-05"
    tree = LexborHTMLParser('<html lang="en-US"><body><p>x</p></body></html>')
    assert extract_metadata(tree, lead=lead).published == "2018-05-10"
    tree = LexborHTMLParser('<html lang="en-GB"><body><p>x</p></body></html>')
    assert extract_metadata(tree, lead=lead).published == "2018-10-05"


def test_day_first_only_changes_ambiguous_slashed_dates() -> None:
    assert find_date_in_text("05/10/2018", day_first=True) == "2018-10-05"
    assert find_date_in_text("25/10/2018", day_first=False) == "2018-10-25"
    assert find_date_in_text("10/25/2018", day_first=True) == "2018-10-25"


# --------------------------------------------------------------------------- title, site, lang


def test_title_sources_in_order() -> None:
    assert meta_of('<meta property="og:title" content="OG"><title>T | Site</title>').title == "OG"
    assert meta_of('<meta name="twitter:title" content="TW"><title>T</title>').title == "TW"
    assert meta_of(ld({"@type": "Article", "headline": "LD"}) + "<title>T</title>").title == "LD"
    assert meta_of(body="<h1>Only a heading</h1>").title == "Only a heading"


@pytest.mark.parametrize(
    ("head", "title"),
    [
        (
            '<meta property="og:site_name" content="The Site"><title>A Story | The Site</title>',
            "A Story",
        ),
        (
            "<title>Why open source AI is good for us - IEEE Spectrum</title>",
            "Why open source AI is good for us",
        ),
        ("<title>Short - A - B</title>", "Short - A - B"),
        ("<title>A long title here - part two | Site Name</title>", "A long title here - part two"),
        ("<title>Just a title</title>", "Just a title"),
        (
            '<meta property="og:site_name" content="Ars Technica">'
            '<meta property="og:title" content="Big news – Ars Technica">',
            "Big news",
        ),
    ],
)
def test_title_site_suffix_removed(head: str, title: str) -> None:
    assert meta_of(head).title == title


def test_jsonld_headline_that_is_a_description_gives_way_to_the_name() -> None:
    head = "<title>New Zealand - Wikipedia</title>" + ld(
        {
            "@type": "Article",
            "name": "New Zealand",
            "headline": "constitutional monarchy in Oceania",
        }
    )
    assert meta_of(head).title == "New Zealand"


def test_site_name_sources() -> None:
    assert meta_of('<meta property="og:site_name" content="Example News">').site_name == (
        "Example News"
    )
    head = ld({"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "NBC News"}})
    assert meta_of(head).site_name == "NBC News"


def test_lang_and_canonical() -> None:
    tree = LexborHTMLParser(
        '<html lang="pt-BR"><head><link rel="canonical" href="/story/1?x=1"></head></html>'
    )
    meta = extract_metadata(tree, "https://www.example.com.br/amp/story/1")
    assert meta.lang == "pt-BR"
    assert meta.canonical_url == "https://www.example.com.br/story/1?x=1"
    assert meta_of('<meta property="og:locale" content="en_GB">').lang == "en-GB"
    assert meta_of('<meta http-equiv="content-language" content="pt_BR">').lang == "pt-BR"
    assert meta_of('<link rel="canonical" href="javascript:alert(1)">').canonical_url is None


def test_broken_jsonld_is_read_leniently_or_skipped() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "Article", "author": "Ann Lee",}</script>'
        '<script type="application/ld+json"><!-- {"@type": "Article"} --></script>'
        '<script type="application/ld+json">{{{ not json</script>'
        '<script type="application/ld+json">' + "[" * 10_000 + "</script>"
    )
    assert meta_of(head).authors == ("Ann Lee",)


def test_published_year_property() -> None:
    assert PageMeta(published="2024-03-05").published_year == 2024
    assert PageMeta(published="1999").published_year == 1999
    assert PageMeta().published_year is None


# --------------------------------------------------------------------------- properties

_ISO = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_parsers_never_raise_and_give_iso_dates(text: str) -> None:
    for value in (parse_date(text), find_date_in_text(text), date_from_url(text)):
        assert value is None or _ISO.fullmatch(value)
    for name in split_byline(text):
        assert name and name == name.strip() and len(name) <= 80


# --------------------------------------------------------------------------- byline guards

# Pieces that reach every pattern of _URLISH and _DATEISH, and what could fool a guard: case
# variants, characters that fold to ASCII letters under IGNORECASE (long s, Kelvin sign, dotted
# capital I), digits of other scripts, words that only contain a keyword.
_BYLINE_PIECES = [
    "By ", "Jane Doe", " and ", "http://x.com/a", "HTTPS://Y", "www.site.org", "WwW.a.b", "wW",
    "ww", "@handle", "a@b.co", "ann @ home", ":/", "://", " Updated ", "PUBLISHED", "poſted",
    "last updated", " on ", "onward", "Monday", "miércoles", "SÁBADO", "today", "Yesterday",
    "3 hours ago", "May 5", "5 May", "10:30 am", "2024-03-05", "3/5/24", "\u0663\u0664",
    "\u0969", "K", "İ", "ſ", "-", " | ", ", ", "\n", "(with Bo)", "(R.J.)", "Staff Writer",
]  # fmt: skip
_BYLINE_TEXTS = st.lists(st.sampled_from(_BYLINE_PIECES), max_size=10).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_BYLINE_TEXTS, st.text(max_size=60)))
def test_byline_guards_change_nothing(text: str) -> None:
    """The guards in front of the byline patterns skip only what could not match."""
    from bot import metadata

    assert metadata._drop_urlish(text) == metadata._URLISH.sub(" ", text)
    for line in text.split("\n"):
        assert metadata._drop_dateish(line) == metadata._DATEISH.sub("", line)


def test_byline_guards_run_the_patterns_where_they_match() -> None:
    from bot import metadata

    assert metadata._drop_urlish("Ann (Www.x.org)") == "Ann ( "
    assert metadata._drop_urlish("WwW.x.org Ann") == "  Ann"
    assert metadata._drop_urlish("Ann WWW.x.org") == "Ann  "
    assert metadata._drop_dateish("Jane Doe Updated May 5") == "Jane Doe "
    assert metadata._drop_dateish("Jane Doe, \u0663 hours ago") == "Jane Doe, "
    assert metadata._drop_dateish("Jane Doe poſted today") == "Jane Doe "


# --------------------------------------------------------------------------- canonical URLs

_URL_PIECES = [
    "https://", "http://", "HTTPS://", "ftp://", "//", "www.example.com", "a", "b.org", ":8080",
    "user@", "/", "/path", "/./", "/../", "?", "?q=1", "#", "#top", ";", ";p", "[::1]", "%20",
    " ", "\t", "\n", "é", "~", "'", "(", ")", "*", "!", "$", "&", "=", ",", "+",
]  # fmt: skip
_BASES = [None, "", "https://example.com/2020/01/02/a.html", "http://x.org/a/", "file:///tmp/a"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=8).map("".join), st.sampled_from(_BASES))
@example("HTTPS://a.org/x", "https://example.com/2020/01/02/a.html")  # urljoin lower-cases it
@example("https://a.org/x;", "https://example.com/2020/01/02/a.html")  # an empty ";" is dropped
@example("https://a.org/x?", "https://example.com/2020/01/02/a.html")  # so is an empty "?"
@example("https://a.org/x#", "https://example.com/2020/01/02/a.html")  # and "#"
@example("https://a.org/a\tb", "https://example.com/2020/01/02/a.html")  # urlsplit drops a tab
@example("https:///x", None)  # no host
def test_canonical_shortcut_gives_what_urljoin_gives(href: str, base: str | None) -> None:
    from bot import metadata

    fast = metadata._canonical([href], {}, base)
    saved = metadata._PLAIN_URL
    try:
        metadata._PLAIN_URL = re.compile(r"(?!)")  # never matches: urljoin and urlsplit only
        slow = metadata._canonical([href], {}, base)
    finally:
        metadata._PLAIN_URL = saved
    assert fast == slow


_LEAD_PIECES = ["05/10/2018", "March 3, 2021", "5 mars 2024", "2024-03-05", "123", "4567", "x", " ",
                "\u0661\u0662\u0663\u0664", "Publicado por Ana", "12", "34", "\n"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_LEAD_PIECES), max_size=6).map("".join), max_size=11),
    st.booleans(),
)
@example(["x" * 199 + " 2024-03-05", "no date"], False)  # a date past a text's first 200
def test_date_in_lead_reads_each_text_as_before(lead: list[str], day_first: bool) -> None:
    """One search over the joined texts stands in for a search per text."""
    from bot import metadata

    each = (find_date_in_text(text[:200], day_first=day_first) for text in lead)
    assert metadata._date_in_lead(lead, day_first) == next((d for d in each if d), None)


_LANG_VALUES = [None, "", " ", "en", "en-US", "fr_FR", "123", "de, en", "x" * 9]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_LANG_VALUES),
    st.sampled_from(_LANG_VALUES),
    st.sampled_from([None, "es", "pt-BR", ""]),
)
def test_lang_reads_lang_then_xml_lang_as_before(
    lang: str | None, xml_lang: str | None, meta: str | None
) -> None:
    """The root's attributes are read once now; what wins is what won before."""
    from bot import metadata

    attrs = "".join(
        "" if value is None else f' {name}="{value}"'
        for name, value in (("lang", lang), ("xml:lang", xml_lang))
    )
    head = "" if meta is None else f'<meta http-equiv="content-language" content="{meta}">'
    tree = LexborHTMLParser(f"<html{attrs}><head>{head}</head><body></body></html>")
    tags, _ = metadata._meta_and_canonical(tree)
    root = tree.root
    assert root is not None
    value = metadata._attr(root, "lang") or metadata._attr(root, "xml:lang")
    if not value.strip():
        value = metadata._first(tags, *metadata._LANG_META) or ""
    value = value.strip().split(",")[0].strip().replace("_", "-")
    before = value if re.fullmatch(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*", value) else None
    assert metadata._lang(tree, tags) == before


_URL_DATE_PIECES = ["https://x.com", "/", "2024", "20", "24", "03", "05", "\n", "\t", "-", "_",
                    "1999", "/2019/11/18/", "20240305", "?q=2020/01/02", "#/2021/02/03/"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_URL_DATE_PIECES), max_size=10).map("".join))
@example("https://x.com/20\n24/03/05/story")  # urlsplit drops the line break: a year appears
def test_date_from_url_skips_only_paths_without_a_year(url: str) -> None:
    from bot import metadata

    try:
        path = urlsplit(url[:2048]).path
    except ValueError:
        path = None
    before = None
    for pattern in metadata._URL_DATES if path is not None else ():
        m = pattern.search(path)
        if m and (before := metadata._valid(*(int(g) for g in m.groups()))):
            break
    assert date_from_url(url) == before
