"""Page text extraction: every visible word kept in reading order, the article marked as main."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from bot.decode import decode_text
from bot.extract import _PARSE_OPTIONS, Block, ExtractedPage, extract, extract_html, extract_plain
from bot.fetch import utf8_body


def blocks_of(page: ExtractedPage) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in page.blocks]


def main_texts(page: ExtractedPage) -> list[str]:
    return [b.text for b in page.blocks if b.main]


PROSE = (
    "The committee met on Tuesday to discuss the proposal in detail, and the members agreed "
    "that more evidence was needed before any decision could be taken."
)


def article_page(body: str, *, before: str = "", after: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><title>T</title></head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li></ul></nav>
    {before}{body}{after}
    <footer><p>Copyright 2024 Example Media. All rights reserved, everywhere, always.</p></footer>
    </body></html>"""


# --------------------------------------------------------------------------- blocks and text


def test_blocks_in_reading_order_with_kinds() -> None:
    page = extract_html(
        """<body><h1>Title here</h1><p>First <b>bold</b> and <i>it</i>alic.</p>
        <ul><li>one</li><li>two</li></ul><dl><dt>term</dt><dd>definition</dd></dl>
        <table><tr><th>Head</th><td>cell</td></tr></table>
        <figure><img src="x.jpg"><figcaption>A caption</figcaption></figure>
        <blockquote><p>Quoted words.</p></blockquote><pre>line one
  line two</pre></body>"""
    )
    assert blocks_of(page) == [
        ("heading", "Title here"),
        ("paragraph", "First bold and italic."),
        ("list_item", "one"),
        ("list_item", "two"),
        ("list_item", "term"),
        ("list_item", "definition"),
        ("table", "Head"),
        ("table", "cell"),
        ("caption", "A caption"),
        ("quote", "Quoted words."),
        ("pre", "line one\nline two"),
    ]


def test_div_text_around_nested_blocks_keeps_order() -> None:
    page = extract_html("<div>Intro text<p>The paragraph.</p>tail text<section>End</section></div>")
    assert blocks_of(page) == [
        ("other", "Intro text"),
        ("paragraph", "The paragraph."),
        ("other", "tail text"),
        ("other", "End"),
    ]


def test_whitespace_collapsed_and_br_is_a_newline() -> None:
    page = extract_html("<p>  many\n\t  spaces   here <br> next line<br/>\n last  </p>")
    assert page.blocks[0].text == "many spaces here\nnext line\nlast"


def test_entities_decoded_and_invisible_characters_dropped() -> None:
    page = extract_html(
        "<p>Fish &amp; chips&nbsp;&mdash; caf&eacute; &#8220;quoted&#8221; it&rsquo;s</p>"
        "<p>in\u00adfor\u00adma\u200btion</p>"
    )
    assert [b.text for b in page.blocks] == [
        "Fish & chips — café “quoted” it’s",
        "information",
    ]


@pytest.mark.parametrize(
    "hidden",
    [
        "<p hidden>SECRET</p>",
        '<div aria-hidden="true"><p>SECRET</p></div>',
        '<p style="display: none">SECRET</p>',
        '<span style="color:red;visibility:hidden">SECRET</span>',
        "<script>var x = 'SECRET';</script>",
        "<style>.SECRET { color: red }</style>",
        "<noscript><p>SECRET</p></noscript>",
        "<template><p>SECRET</p></template>",
        "<svg><text>SECRET</text></svg>",
        "<iframe>SECRET</iframe>",
        "<!-- SECRET -->",
    ],
)
def test_invisible_content_is_skipped(hidden: str) -> None:
    page = extract_html(
        f"<html><head><title>SECRET</title></head><body><p>shown</p>{hidden}</body>"
    )
    assert "SECRET" not in page.full_text
    assert "shown" in page.full_text


def test_quotes_captions_and_pull_quotes_kept() -> None:
    page = extract_html(
        article_page(
            f"""<article><p>{PROSE}</p>
            <blockquote class="twitter-tweet"><p>A tweet worth quoting.</p></blockquote>
            <aside class="pullquote">“Pull quotes are where quotes sit,” she said.</aside>
            <figure><figcaption>The minister, speaking on Monday.</figcaption></figure>
            <p>{PROSE}</p></article>"""
        )
    )
    for text in (
        "A tweet worth quoting.",
        "“Pull quotes are where quotes sit,” she said.",
        "The minister, speaking on Monday.",
    ):
        assert text in page.full_text
        assert text in page.main_text


def test_full_text_keeps_navigation_and_footer_but_main_does_not() -> None:
    page = extract_html(
        article_page(
            f"<article><h1>Headline</h1><p>{PROSE}</p><p>Second {PROSE}</p></article>",
            after='<aside class="related"><h3>Related</h3><p>Another story entirely.</p></aside>',
        )
    )
    assert "World news" in page.full_text
    assert "Copyright 2024" in page.full_text
    assert "Another story entirely." in page.full_text
    assert main_texts(page) == ["Headline", PROSE, f"Second {PROSE}"]
    assert page.main_text == "\n\n".join(main_texts(page))
    assert page.full_text == "\n\n".join(b.text for b in page.blocks)


# --------------------------------------------------------------------------- the main content


def test_itemprop_article_body_wins() -> None:
    page = extract_html(
        article_page(
            f"""<div class="layout"><div class="intro"><p>Teaser: {PROSE}</p></div>
            <div itemprop="articleBody"><p>Body one. {PROSE}</p><p>Body two. {PROSE}</p></div>
            </div>"""
        )
    )
    assert main_texts(page) == [f"Body one. {PROSE}", f"Body two. {PROSE}"]


def test_content_class_wins_and_split_bodies_are_joined() -> None:
    page = extract_html(
        article_page(
            f"""<div class="wrap"><p>Sidebar text, {PROSE}</p>
            <div class="article-body"><p>Part one. {PROSE}</p></div>
            <div class="ad ad-slot"><p>Buy our product now, it is great and cheap and good.</p></div>
            <div class="article-body"><p>Part two. {PROSE}</p></div></div>"""
        )
    )
    assert main_texts(page) == [f"Part one. {PROSE}", f"Part two. {PROSE}"]


def test_content_words_on_a_paragraph_do_not_make_it_the_article() -> None:
    page = extract_html(
        f"""<body><div id="post"><h2>Heading</h2><p class="MsoBodyText">{PROSE}</p>
        <p>Plain {PROSE}</p><p class="MsoBodyText">Again {PROSE}</p></div></body>"""
    )
    assert main_texts(page) == ["Heading", PROSE, f"Plain {PROSE}", f"Again {PROSE}"]


def test_density_fallback_finds_the_container_of_the_prose() -> None:
    paragraphs = "".join(f"<p>Paragraph {i}. {PROSE}</p>" for i in range(5))
    page = extract_html(
        f"""<body><div id="top"><a href="/">Home</a> <a href="/a">About us</a></div>
        <div id="wrap"><div id="left"><p>Short note.</p></div>
        <div id="story">{paragraphs}</div></div>
        <div id="bottom"><p>Contact: someone at example dot com, any day of the week.</p></div>
        </body>"""
    )
    assert main_texts(page) == [f"Paragraph {i}. {PROSE}" for i in range(5)]


def test_boilerplate_inside_the_article_is_not_main() -> None:
    page = extract_html(
        f"""<body><article><p>{PROSE}</p>
        <div class="share-tools"><a href="#">Share on social media today</a></div>
        <div class="newsletter-signup"><p>Sign up for our newsletter, it is free and weekly.</p></div>
        <p>Closing {PROSE}</p>
        <section id="comments"><p>Great article, I agree with every single word of it.</p></section>
        </article></body>"""
    )
    assert main_texts(page) == [PROSE, f"Closing {PROSE}"]
    assert "Great article, I agree" in page.full_text


def test_first_article_wins_over_teasers_after_it() -> None:
    teasers = "".join(
        f'<article class="teaser"><h2><a href="/{i}">Other story {i}</a></h2>'
        f"<p>Summary of other story {i}, which is long enough to count as prose.</p></article>"
        for i in range(8)
    )
    page = extract_html(
        f"<body><main><article><h1>Own story</h1><p>{PROSE}</p><p>More: {PROSE}</p></article>"
        f"<article class='list'>{teasers}</article></main></body>"
    )
    assert main_texts(page) == ["Own story", PROSE, f"More: {PROSE}"]


def test_teaser_list_inside_the_article_is_not_main() -> None:
    teasers = "".join(
        f'<li><h3><a href="/{i}">A different headline number {i}</a></h3>'
        f"<div>Jane Roe</div><div>A summary sentence of that other story, {i}.</div></li>"
        for i in range(6)
    )
    page = extract_html(
        f"<body><article><p>{PROSE}</p><p>Also {PROSE}</p><div class='rail'><ul>{teasers}</ul>"
        "</div></article></body>"
    )
    assert main_texts(page) == [PROSE, f"Also {PROSE}"]


def test_form_wrapping_the_whole_page_is_not_boilerplate() -> None:
    page = extract_html(
        f"<body><form id='aspnetForm'><div class='menu'><a href='/'>Home</a></div>"
        f"<div id='content'><p>{PROSE}</p><p>Next {PROSE}</p></div></form></body>"
    )
    assert main_texts(page) == [PROSE, f"Next {PROSE}"]


def test_section_slug_ids_are_not_boilerplate_words() -> None:
    page = extract_html(
        f"""<body><article><div class="section" id="sharing-with-a-single-developer">
        <h2>Sharing with a single developer</h2><p>{PROSE}</p></div>
        <div class="section" id="setting-up"><p>Then {PROSE}</p></div></article></body>"""
    )
    assert main_texts(page) == ["Sharing with a single developer", PROSE, f"Then {PROSE}"]


def test_hover_card_is_lifted_out_of_its_sentence() -> None:
    page = extract_html(
        f"""<body><article><p>South Dakota Gov. <span class="rollover-people">
        <a class="rollover-people-link" href="/p/1">Kristi Noem</a><span class="rollover-people-block">
        <a href="/p/1">Kristi Lynn Noem</a> <a href="/x">Another headline about her</a></span></span>
        (R) is defending the campaign.</p><p>{PROSE}</p></article></body>"""
    )
    assert "South Dakota Gov. Kristi Noem (R) is defending the campaign." in page.main_text
    assert "Kristi Lynn Noem Another headline about her" in page.full_text
    assert "Another headline" not in page.main_text


def test_cjk_article_is_found_by_its_weight() -> None:
    paragraphs = "".join(
        f"<p>一波波接續性低溫寒流報到，已將新竹尖石鄉後山一帶層層山巒披上嫣紅的彩衣{i}。</p>"
        for i in range(6)
    )
    comments = "".join(
        f"<li>Comment number {i}: thank you very much for the lovely post and photos!</li>"
        for i in range(3)
    )
    page = extract_html(
        f"<body><div id='post'>{paragraphs}</div><div id='talk'><ul>{comments}</ul></div></body>"
    )
    assert len(main_texts(page)) == 6
    assert all(text.startswith("一波波") for text in main_texts(page))


def test_jsonld_article_body_used_when_the_html_has_none() -> None:
    body = "First paragraph of the story.\n\nSecond paragraph, with a “quote” in it."
    ld = json.dumps({"@type": "NewsArticle", "headline": "H", "articleBody": body})
    page = extract_html(
        f'<html><head><script type="application/ld+json">{ld}</script></head>'
        "<body><div id='app'>Loading…</div></body></html>"
    )
    assert main_texts(page) == [
        "First paragraph of the story.",
        "Second paragraph, with a “quote” in it.",
    ]
    assert "Loading…" in page.full_text


def test_jsonld_article_body_not_added_when_the_html_has_the_text() -> None:
    ld = json.dumps({"@type": "NewsArticle", "articleBody": f"{PROSE} {PROSE}"})
    page = extract_html(
        f'<head><script type="application/ld+json">{ld}</script></head>'
        f"<body><article><p>{PROSE}</p><p>{PROSE}</p></article></body>"
    )
    assert main_texts(page) == [PROSE, PROSE]


def test_page_metadata_is_attached() -> None:
    page = extract_html(
        '<html lang="fr"><head><meta property="og:title" content="Le titre">'
        '<meta name="author" content="Par Marie Curie"></head><body><p>Texte.</p></body></html>',
        "https://example.fr/2021/05/04/article",
    )
    assert page.meta.title == "Le titre"
    assert page.meta.authors == ("Marie Curie",)
    assert page.meta.published == "2021-05-04"
    assert page.meta.published_year == 2021
    assert page.meta.lang == "fr"


def test_date_written_at_the_start_of_the_article() -> None:
    page = extract_html(
        f"""<html lang="ko"><body><ul><li>뉴스</li></ul><div>기사입력 :[ 2018-08-25 15:24 ]</div>
        <div id="story"><p>{PROSE}</p><p>{PROSE}</p></div></body></html>"""
    )
    assert page.meta.published == "2018-08-25"


# --------------------------------------------------------------------------- odd and hostile input


@pytest.mark.parametrize(
    "html",
    ["", "   ", "<", "<html", "<!--", "<frameset><frame src='a'></frameset>", "\x00", "\ud800"],
)
def test_empty_and_broken_documents(html: str) -> None:
    page = extract_html(html)
    assert page.main_text == "" or page.main_text.strip()
    assert isinstance(page.blocks, tuple)


def test_malformed_markup_still_yields_text() -> None:
    page = extract_html("<p>one<p>two<div><span>three</div></span><li>four<table><p>five</table>")
    assert [b.text for b in page.blocks] == ["one", "two", "three", "four", "five"]


def test_deeply_nested_page_falls_back_to_text_only() -> None:
    # 20,000 unclosed <div>s would make the tree builder quadratic: read as text instead.
    html = (
        "<head><script>var hidden = 1;</script></head><body>"
        + "<div>word &amp; more<br>next" * 20_000
    )
    page = extract_html(html)
    assert len(page.blocks) == 20_000
    assert page.blocks[0] == Block("word & more\nnext", "paragraph", True)
    assert "hidden" not in page.full_text


def test_plain_text_blocks_split_on_blank_lines() -> None:
    page = extract_plain("First  line\nsecond line\n\n\n  Next paragraph.\r\n\r\nLast")
    assert blocks_of(page) == [
        ("paragraph", "First line\nsecond line"),
        ("paragraph", "Next paragraph."),
        ("paragraph", "Last"),
    ]
    assert all(b.main for b in page.blocks)
    assert page.meta.title is None and page.meta.authors == ()
    assert page.main_text == page.full_text == "First line\nsecond line\n\nNext paragraph.\n\nLast"


@pytest.mark.parametrize(
    ("content_type", "is_html"),
    [
        ("text/html; charset=utf-8", True),
        ("application/xhtml+xml", True),
        ("TEXT/HTML", True),
        ("text/plain", False),
        ("text/markdown", False),
        ("application/octet-stream", True),  # sniffed: the text starts like HTML
        ("", True),
    ],
)
def test_extract_dispatches_on_the_mime_type(content_type: str, is_html: bool) -> None:
    page = extract("<!DOCTYPE html><html><body><p>Hi <b>there</b></p></body></html>", content_type)
    assert (page.full_text == "Hi there") is is_html


def test_extract_sniffs_plain_text() -> None:
    assert extract("just words\n\nmore words", "application/octet-stream").full_text == (
        "just words\n\nmore words"
    )


# --------------------------------------------------------------------------- properties

_TAGS = [
    "div",
    "p",
    "span",
    "b",
    "a",
    "li",
    "ul",
    "blockquote",
    "section",
    "h2",
    "article",
    "nav",
    "footer",
    "aside",
    "header",
    "main",
    "em",
    "figure",
    "figcaption",
    "form",
    "q",
    "center",
]


@st.composite
def html_trees(draw: st.DrawFn, depth: int = 0) -> tuple[str, list[str], list[str]]:
    """Random visible markup; returns (html, visible words, hidden words)."""
    parts: list[str] = []
    shown: list[str] = []
    hidden: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 9))
        if choice < 4 or depth > 4:
            word = f"w{draw(st.integers(0, 10**6))}x"
            parts.append(f" {word} ")
            shown.append(word)
        elif choice == 4:
            word = f"h{draw(st.integers(0, 10**6))}x"
            parts.append(f"<span hidden>{word}</span><script>{word}</script>")
            hidden.append(word)
        elif choice == 5:
            parts.append("<br>")
        else:
            tag = draw(st.sampled_from(_TAGS))
            inner, inner_shown, inner_hidden = draw(html_trees(depth + 1))
            parts.append(
                f"<{tag} class='{draw(st.sampled_from(['', 'related', 'c']))}'>{inner}</{tag}>"
            )
            shown += inner_shown
            hidden += inner_hidden
    return "".join(parts), shown, hidden


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(html_trees())
def test_every_visible_word_is_kept_and_hidden_ones_are_not(
    tree: tuple[str, list[str], list[str]],
) -> None:
    html, shown, hidden = tree
    page = extract_html(f"<html><body>{html}</body></html>")
    words = page.full_text.split()
    for word in shown:
        assert word in words
    for word in hidden:
        assert word not in page.full_text
    # Reading order: the visible words come out in document order.
    positions = [words.index(word) for word in dict.fromkeys(shown)]
    assert positions == sorted(positions)


def _check_page(page: ExtractedPage) -> None:
    assert all(b.text and b.text == b.text.strip() for b in page.blocks)
    assert page.full_text == "\n\n".join(b.text for b in page.blocks)
    assert page.main_text == "\n\n".join(b.text for b in page.blocks if b.main)


@settings(max_examples=300)
@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    _check_page(extract_html(text, "https://example.com/2024/01/02/x"))
    _check_page(extract_plain(text))
    _check_page(extract(text, "text/html"))
    _check_page(extract(text, ""))


_FRAGMENTS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='article-body'>",
        "</div>",
        "<br>",
        "<script>",
        "</script>",
        "<article>",
        "<!--",
        "-->",
        "&amp;",
        "&#x1F600;",
        "&bogus;",
        "<![CDATA[",
        "]]>",
        "<td>",
        "<table>",
        "<svg>",
        "<math>",
        "<a href='x'>",
        "<span hidden>",
        "<blockquote>",
        "é",
        " ",
        "\n",
        "word",
        '<script type="application/ld+json">{"@type":"Article","author":[',
        '{"@type":"Person","name":"By Ann Lee"}',
        "]}",
        '<meta name="author" content="',
        '">',
        "<time datetime='2024-02-30'>",
        "<html lang='",
        "\x00",
        "<",
        "<b>",
        "</b>",
        "<i>",
        "<a href='/x'>",
        "</a>",
        "<tr>",
        "</table>",
        "<template>",
        "</template>",
        "<svg><title>s</title>",
        "</svg>",
        "<math><mi>m</mi>",
        "<style>p { color: red }</style>",
        "<script>var a = '<p>';</script>",
        "<select><option>one<option selected>two</select>",
        "<form><input name=q>",
        "<noscript><img src=x></noscript>",
        "<li>",
        "<h1>",
        "<body class=b>",
        "<head>",
        "<frameset>",
        "text ",
        "<!-- c -->",
    ]
)


@settings(max_examples=300)
@given(st.lists(_FRAGMENTS, max_size=40))
def test_html_soup_never_raises(fragments: list[str]) -> None:
    _check_page(extract_html("".join(fragments)))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_extraction_from_the_fetched_utf8_body_equals_extraction_from_the_text(text: str) -> None:
    # FetchedPage.utf8 spares the extractor an encode: the page must come out the same.
    page = (
        f"<html><head><title>T {text}</title><meta name=author content='{text}'></head>"
        f"<body><article><h1>{text}</h1><p>{text} and prose of the article body.</p>"
        f"<p>{text}<br>{text}</p></article></body></html>"
    )
    raw = page.encode("utf-8", "surrogatepass")
    charset, decoded = decode_text(raw, "text/html", "text/html; charset=utf-8")
    body = utf8_body(raw, charset, decoded)
    assert extract(decoded, "text/html", "https://example.com/a", body) == extract(
        decoded, "text/html", "https://example.com/a"
    )
    assert body is None or body.decode("utf-8") == decoded


@settings(max_examples=200)
@given(st.lists(_FRAGMENTS, max_size=30))
def test_the_parse_without_mutation_events_builds_selectolaxs_tree(fragments: list[str]) -> None:
    # extract_html parses without lexbor's mutation events (3% faster); on a page they only
    # mirror a selected <option> into a <selectedcontent>, which no fragment holds.
    html = "".join(fragments)
    assert LexborHTMLParser(html, options=_PARSE_OPTIONS).html == LexborHTMLParser(html).html
