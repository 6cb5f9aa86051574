"""Sources that fight back: archives, pasted text, search, PDFs, encodings, refreshes, canonicals.

Every server here is local: a publisher (``Site``), a fake web archive and a fake SearxNG.
"""

from __future__ import annotations

import dataclasses
import json
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from fetch_support import LocalServer, closed_port, fast_config
from sources_support import (
    FakeArchive,
    FakeSearx,
    LoopbackIsPublic,
    make_pdf,
    scanned_pdf,
    sources_config,
)

from bot.archive import Archive
from bot.botwall import bot_wall
from bot.cli import main
from bot.config import ArchiveConfig, Config
from bot.fetch import Fetcher, FetchFailure
from bot.models import QuoteInput, VerificationResult
from bot.pasted import SuppliedSourceError, source_from_bytes, source_from_text
from bot.report import badge, render_text
from bot.search import search_phrase
from bot.verify import Verifier
from tests.sample_texts import ARTICLE_BLOCKS, OTHER_ARTICLE_TEXT, article_html

QUOTE = "Community gardens are the bedrock for local resilience in cities."
CHANGED = "Community gardens are the foundation for local resilience in cities."
CLOUDFLARE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<noscript>Enable JavaScript and cookies to continue</noscript>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script>"
    "</body></html>"
)


@dataclasses.dataclass
class Page:
    body: bytes
    content_type: str = "text/html"
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


class Site:
    """A publisher whose pages tests set per path; unknown paths are 404."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.server = LocalServer(self._app())

    def set(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html",
        status: int = 200,
        **headers: str,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = Page(data, content_type, status, headers)
        return self.url(path)

    def url(self, path: str) -> str:
        return self.server.url(path)

    def _app(self) -> web.Application:
        async def handler(request: web.Request) -> web.Response:
            page = self.pages.get(request.path_qs) or self.pages.get(request.path)
            if page is None:
                return web.Response(status=404, text="no such page")
            headers = {"Content-Type": page.content_type, **page.headers}
            return web.Response(body=page.body, status=page.status, headers=headers)

        app = web.Application()
        app.router.add_get("/{tail:.*}", handler)
        return app


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    s = Site()
    await s.server.start()
    yield s
    await s.server.close()


@pytest.fixture
async def searx() -> AsyncIterator[tuple[FakeSearx, str]]:
    fake = FakeSearx()
    server = await LocalServer(fake.app()).start()
    yield fake, f"http://127.0.0.1:{server.port}"
    await server.close()


async def check(
    config: Config,
    url: str,
    quote: str = QUOTE,
    author: str | None = "Priya Raman",
    year: int | None = 2024,
    **kwargs: Any,
) -> VerificationResult:
    async with Verifier(config) as verifier:
        return await verifier.verify(
            QuoteInput.parse(quote=quote, url=url, author=author, year=year), **kwargs
        )


# --- archive fallback -----------------------------------------------------------------------------


async def test_blocked_page_is_checked_against_its_archived_copy(
    site: Site, archive: FakeArchive, tmp_path: Path
) -> None:
    url = site.set("/paywalled", "Forbidden", "text/plain", status=403)
    archive.add(url, "20240601120000", article_html())
    result = await check(sources_config(tmp_path, archive=archive.config()), url)
    assert result.verdict == "verified", result.discrepancies
    src = result.source
    assert src.via == "archive"
    assert src.url == url and src.status == 403  # what the site itself answered
    assert src.archive_url == f"{archive.base}/web/20240601120000/{url}"
    assert src.archived_at == "2024-06-01T12:00:00Z"
    assert src.direct_failure is not None and src.direct_failure["kind"] == "source_blocked"
    assert result.checks.author == "pass" and result.checks.year == "pass"  # snapshot metadata
    assert archive.served == [f"20240601120000id_/{url}"]  # the raw form, not the framed page
    assert "timestamp" not in archive.asked[0]  # the newest copy for a new check
    as_json = result.to_json()["source"]
    assert as_json["via"] == "archive" and as_json["archived_at"] == "2024-06-01T12:00:00Z"
    assert badge(result) == (
        "verified via web archive (snapshot of 2024-06-01; direct URL returns 403)"
    )
    assert "snapshot of 2024-06-01T12:00:00Z" in render_text(result)


@pytest.mark.parametrize("status", [404, 410])
async def test_gone_page_is_checked_against_its_archived_copy(
    site: Site, archive: FakeArchive, tmp_path: Path, status: int
) -> None:
    url = site.set("/moved", "gone", "text/plain", status=status)
    archive.add(url, "20240520000000", article_html())
    result = await check(sources_config(tmp_path, archive=archive.config()), url)
    assert result.verdict == "verified"
    assert result.source.via == "archive"
    assert result.source.direct_failure == {
        "kind": "source_gone",
        "status": status,
        "message": result.source.direct_failure["message"],  # type: ignore[index]
    }


async def test_dead_site_name_is_checked_against_its_archived_copy(
    archive: FakeArchive, tmp_path: Path
) -> None:
    url = "http://newspaper-that-closed.invalid/2024/gardens"
    archive.add(url, "20240515000000", article_html())
    result = await check(sources_config(tmp_path, archive=archive.config()), url)
    assert result.verdict == "verified"
    assert result.source.via == "archive"
    assert result.source.status is None
    assert "does not exist" in result.source.direct_failure["message"]  # type: ignore[index]


async def test_blocked_page_without_archived_copy_stays_blocked(
    site: Site, archive: FakeArchive, tmp_path: Path
) -> None:
    url = site.set("/members-only", "no", "text/plain", status=403)
    result = await check(sources_config(tmp_path, archive=archive.config()), url)
    assert result.verdict == "unverifiable"
    assert result.kinds() == ["source_blocked"]  # exists but blocked, never "gone"
    assert result.source.status == 403
    message = result.discrepancies[0].message
    assert "403 Forbidden" in message and "the Web Archive has no copy of it either" in message
    assert archive.asked and archive.asked[0]["url"] == url


async def test_archive_that_cannot_be_asked_is_named(
    site: Site, archive: FakeArchive, tmp_path: Path
) -> None:
    archive.broken_api = True
    url = site.set("/gone", "x", "text/plain", status=410)
    result = await check(sources_config(tmp_path, archive=archive.config()), url)
    assert result.kinds() == ["source_gone"]
    assert "the Web Archive could not be asked for a copy" in result.discrepancies[0].message


async def test_archive_can_be_turned_off(site: Site, archive: FakeArchive, tmp_path: Path) -> None:
    url = site.set("/blocked", "no", "text/plain", status=403)
    archive.add(url, "20240601000000", article_html())
    settings = {**archive.config(), "enabled": False}
    result = await check(sources_config(tmp_path, archive=settings), url)
    assert result.kinds() == ["source_blocked"]
    assert archive.asked == []
    assert Config().archive.enabled is True  # on by default: a 403 is rarely the end


async def test_archived_copy_closest_to_a_time(site: Site, archive: FakeArchive) -> None:
    url = site.url("/page")
    archive.add(url, "20200101000000", "<p>old</p>")
    archive.add(url, "20230101000000", "<p>newer</p>")
    config = ArchiveConfig(**archive.config())
    async with Fetcher(fast_config()) as fetcher:
        hit = await Archive(config, fetcher).fetch(url, near=1_580_000_000.0)  # January 2020
    assert archive.asked[0]["timestamp"] == "20200126005320"
    assert hit.snapshot.timestamp == "20200101000000"
    assert "old" in hit.page.text and hit.page.via == "archive"


async def test_archived_bot_wall_is_no_copy(
    site: Site, archive: FakeArchive, tmp_path: Path
) -> None:
    url = site.set("/walled", CLOUDFLARE, status=403)
    archive.add(url, "20240101000000", CLOUDFLARE)
    result = await check(sources_config(tmp_path, archive=archive.config()), url)
    assert result.kinds() == ["source_blocked"]
    message = result.discrepancies[0].message
    assert "Cloudflare bot check" in message
    assert "the Web Archive's copy of 2024-01-01 could not be read either" in message


async def test_too_large_page_is_not_looked_up(
    site: Site, archive: FakeArchive, tmp_path: Path
) -> None:
    url = site.set("/huge", "x" * 5000, "text/plain")
    config = sources_config(tmp_path, archive=archive.config(), fetch={"max_bytes": 1024})
    result = await check(config, url)
    assert "too large" in result.discrepancies[0].message
    assert archive.asked == []  # an archived copy would be just as large


# --- bot walls ------------------------------------------------------------------------------------


async def test_bot_wall_served_with_200_is_blocked(site: Site, tmp_path: Path) -> None:
    url = site.set("/article", CLOUDFLARE)
    result = await check(sources_config(tmp_path), url)
    assert result.kinds() == ["source_blocked"]  # not "quote not found" on the wall's text
    assert "a Cloudflare bot check" in result.discrepancies[0].message


async def test_challenge_503_is_blocked_at_once(site: Site, tmp_path: Path) -> None:
    url = site.set("/busy", CLOUDFLARE, status=503, **{"cf-mitigated": "challenge"})
    result = await check(sources_config(tmp_path, fetch={"retries": 2}), url)
    assert result.kinds() == ["source_blocked"]
    assert result.source.status == 503
    assert site.server.hits["/busy"] == 1  # a bot check is not retried like an outage


@pytest.mark.parametrize(
    ("html", "wall"),
    [
        (CLOUDFLARE, "a Cloudflare bot check"),
        (
            "<html><head><title>Attention Required! | Cloudflare</title></head>"
            "<body><h1>Sorry, you have been blocked</h1></body></html>",
            "a Cloudflare block page",
        ),
        (
            "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>"
            "You don't have permission to access this page. Reference #18.1234</body></html>",
            'an "Access Denied" page',
        ),
        (
            "<html><body><form><div class='g-recaptcha' data-sitekey='x'></div>"
            "<p>Please verify you are a human.</p></form></body></html>",
            "a captcha page",
        ),
        # Markers are matched whatever their case, and the title whatever its spacing.
        (
            "<HTML><HEAD><TITLE>\n  JUST A MOMENT...  </TITLE></HEAD><BODY>"
            "<SCRIPT SRC='/CDN-CGI/challenge-platform/h/b/orchestrate'></SCRIPT></BODY></HTML>",
            "a Cloudflare bot check",
        ),
        (
            "<html><body><p>Checking your browser before accessing example.org.</p></body></html>",
            "a bot check",
        ),
        ("<html><body><div id='px-captcha'></div></body></html>", "a PerimeterX bot check"),
    ],
)
def test_bot_walls_are_recognised(html: str, wall: str) -> None:
    assert bot_wall(html) == wall


def test_a_short_page_with_a_comment_captcha_is_no_wall() -> None:
    html = (
        "<html><head><title>Statement</title></head><body>"
        f"<article><p>{ARTICLE_BLOCKS[3]}</p><p>{ARTICLE_BLOCKS[4]}</p></article>"
        "<form><div class='g-recaptcha'></div><button>Comment</button></form></body></html>"
    )
    assert bot_wall(html) is None


def test_an_article_about_captchas_is_no_wall() -> None:
    text = " ".join(ARTICLE_BLOCKS)
    html = f"<html><head><title>Access Denied</title></head><body><p>{text}</p><p>{text}</p>"
    html += "<p>Sites use captcha widgets such as g-recaptcha to verify you are a human.</p>"
    assert bot_wall(html + "</body></html>") is None


# --- pasted text ----------------------------------------------------------------------------------


async def test_supplied_text_is_checked_without_fetching(site: Site, tmp_path: Path) -> None:
    url = site.url("/paywalled-story")
    text = "\n\n".join(ARTICLE_BLOCKS)
    page = source_from_bytes(text.encode("utf-8"), "story.txt", url=url)
    result = await check(sources_config(tmp_path), url, supplied=page, author=None, year=None)
    assert result.verdict == "verified"
    assert result.source.via == "pasted"
    assert result.source.url == url and result.source.final_url is None
    assert result.source.supplied_name == "story.txt"
    assert site.server.total_hits == 0
    assert badge(result) == "verified against supplied text"
    assert render_text(result).startswith("VERIFIED against supplied text")


async def test_supplied_html_and_pdf(tmp_path: Path) -> None:
    url = "https://example.com/report"
    html = source_from_bytes(article_html().encode(), "page.HTM", url=url)
    assert html.content_type == "text/html"
    pdf = source_from_bytes(
        make_pdf([["Title page"], [QUOTE]], title="Garden Report"), "report.pdf", url=url
    )
    assert pdf.content_type == "application/pdf"
    for page in (html, pdf):
        result = await check(sources_config(tmp_path), url, supplied=page)
        assert result.checks.text == "pass" and result.source.via == "pasted"
    assert result.source.pages == [2] and result.source.title == "Garden Report"


def test_supplied_text_from_a_form_field() -> None:
    page = source_from_text("Typed from a book: " + QUOTE, url="https://example.com/book")
    assert page.via == "pasted" and page.content_type == "text/plain"


@pytest.mark.parametrize(
    ("data", "name", "phrase"),
    [
        (b"x" * 2000, "big.txt", "at most 1,024 bytes"),
        (b"some text", "notes.docx", ".docx files cannot be read"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "shot.txt", "is an image, not text"),
        (b"PK\x03\x04" + bytes(100), "story", "office document"),
        (b"just text, really", "fake.pdf", "is named .pdf but is not a PDF"),
        (b"   \n\n  ", "empty.txt", "is empty"),
        (b"%PDF-1.4 garbage", "broken.pdf", "damaged"),
        (scanned_pdf(), "scan.pdf", "without a text layer"),
    ],
)
def test_unusable_supplied_files_are_refused(data: bytes, name: str, phrase: str) -> None:
    with pytest.raises(SuppliedSourceError) as info:
        source_from_bytes(data, name, max_bytes=1024 if name == "big.txt" else 10_000_000)
    assert phrase in str(info.value)


def test_supplied_file_in_a_legacy_encoding_is_decoded() -> None:
    page = source_from_bytes("« Déjà vu », écrivit-il.".encode("cp1252"), "fr.txt")
    assert "Déjà vu" in page.text


def _cli_config(tmp_path: Path, extra: str = "") -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        "[fetch]\nallow_private_networks = true\nretries = 0\n"
        f'[database]\npath = "{tmp_path / "v.db"}"\n{extra}'
    )
    return cfg


def test_cli_source_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "transcript.txt"
    source.write_text("\n\n".join(ARTICLE_BLOCKS), encoding="utf-8")
    url = f"http://127.0.0.1:{closed_port()}/paywalled"  # never fetched
    args = ["verify", "--config", str(_cli_config(tmp_path)), "--url", url, "--quote", QUOTE]
    assert main([*args, "--source-file", str(source), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "verified"
    assert out["source"]["via"] == "pasted" and out["source"]["url"] == url
    assert out["source"]["supplied_name"] == "transcript.txt"
    assert main([*args, "--source-file", str(source)]) == 0
    assert "VERIFIED against supplied text" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("missing.txt", None, "cannot be read"),
        ("slides.pptx", b"PK\x03\x04", ".pptx files cannot be read"),
        ("big.txt", b"y" * 3000, "at most 2,048 bytes ([pasted] max_bytes)"),
    ],
)
def test_cli_source_file_errors_exit_64(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    phrase: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    cfg = _cli_config(tmp_path, "[pasted]\nmax_bytes = 2048\n")
    code = main(
        [
            *("verify", "--config", str(cfg), "--url", "https://example.com/x", "--quote", QUOTE),
            *("--source-file", str(path), "--json"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 64
    assert phrase in captured.err
    assert json.loads(captured.out)["error"]["field"] == "source_file"


def test_cli_source_file_refuses_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text("")
    code = main(
        [
            *("verify", "--config", str(_cli_config(tmp_path)), "--batch", str(batch)),
            *("--source-file", str(batch)),
        ]
    )
    assert code == 64
    assert "cannot be used with --batch" in capsys.readouterr().err


# --- search fallback ------------------------------------------------------------------------------


def _other_page() -> str:
    return f"<html><body><article><p>{OTHER_ARTICLE_TEXT}</p></article></body></html>"


async def test_search_finds_another_page_carrying_the_quote(
    site: Site, searx: tuple[FakeSearx, str], tmp_path: Path
) -> None:
    fake, base = searx
    dead = site.set("/dead", "gone", "text/plain", status=404)
    fake.results = [
        dead,  # the dead link itself is never "found"
        site.set("/unrelated", _other_page()),
        site.url("/also-dead"),
        site.set("/syndicated", article_html()),
        site.set("/extra", article_html()),
    ]
    config = sources_config(tmp_path, search={"searxng_url": base, "candidates": 3})
    result = await check(config, dead)
    assert result.verdict == "verified", result.discrepancies
    src = result.source
    assert src.via == "search" and src.url == dead
    assert src.final_url == site.url("/syndicated")
    assert src.found_via_search_for and 8 <= len(src.found_via_search_for.split()) <= 12
    query = fake.queries[0]
    assert query["format"] == "json"
    assert query["q"] == f'"{src.found_via_search_for}"'
    assert site.server.hits["/extra"] == 0  # only the top `candidates` results are read
    assert badge(result) == "verified via web search (direct URL returns 404)"


async def test_search_that_finds_nothing_is_explained(
    site: Site, searx: tuple[FakeSearx, str], tmp_path: Path
) -> None:
    fake, base = searx
    fake.results = [site.set("/unrelated", _other_page())]
    dead = site.url("/dead")
    config = sources_config(tmp_path, search={"searxng_url": base})
    result = await check(config, dead)
    assert result.kinds() == ["source_gone"]
    assert "found 1 page(s), none carrying the quote" in result.discrepancies[0].message


async def test_search_instance_without_json_is_explained(
    site: Site, searx: tuple[FakeSearx, str], tmp_path: Path
) -> None:
    fake, base = searx
    fake.json_allowed = False
    result = await check(sources_config(tmp_path, search={"searxng_url": base}), site.url("/x"))
    assert "must allow the json format" in result.discrepancies[0].message


async def test_search_is_off_by_default(site: Site, tmp_path: Path) -> None:
    assert Config().search.searxng_url == ""
    result = await check(sources_config(tmp_path), site.url("/dead"))
    assert result.kinds() == ["source_gone"]


def test_search_phrase_is_a_distinctive_uncut_stretch() -> None:
    quote = (
        "It was the best of times [...] and we had everything before us, we had nothing "
        "before us, we were all going direct to Heaven."
    )
    phrase = search_phrase(quote)
    assert 8 <= len(phrase.split()) <= 12
    assert phrase in quote.replace(",", "")
    assert "best of times" not in phrase  # never across the marked cut
    assert search_phrase("Short quote here.") == "Short quote here"


# --- PDFs -----------------------------------------------------------------------------------------

REPORT_PAGES = [
    ["Riverside Garden Trust", "Annual report"],
    [
        "However our councils choose to manage land, we need to keep a diverse food",
        "system. Community gardens are the bedrock for local resilience in cities.",
    ],
    ["Gardens play a vital role in helping to build health and trust in a", "neighbourhood."],
]


async def test_pdf_source_says_on_which_page_the_quote_sits(site: Site, tmp_path: Path) -> None:
    pdf = make_pdf(REPORT_PAGES, title="Annual Report 2024", author="Priya Raman")
    url = site.set("/report.pdf", pdf, "application/pdf")
    config = sources_config(tmp_path)
    result = await check(config, url, year=None)
    assert result.verdict == "verified", result.discrepancies
    assert result.source.pages == [2]
    assert result.source.title == "Annual Report 2024"
    assert result.checks.author == "pass"  # the PDF's Author field agrees
    assert result.to_json()["source"]["pages"] == [2]
    assert "page: 2 of the PDF" in render_text(result)
    again = await check(config, url, year=None)  # from the page cache: pages and title kept
    assert again.source.via == "cache"
    assert again.source.pages == [2] and again.source.title == "Annual Report 2024"
    assert site.server.hits["/report.pdf"] == 1


async def test_quote_across_a_page_break(site: Site, tmp_path: Path) -> None:
    url = site.set("/report.pdf", make_pdf(REPORT_PAGES), "application/pdf")
    quote = "Community gardens are the bedrock for local resilience in cities. Gardens play a vital role"
    result = await check(sources_config(tmp_path), url, quote=quote, author=None, year=None)
    assert result.checks.text == "pass", result.discrepancies
    assert result.source.pages == [2, 3]


async def test_pdf_author_field_never_contradicts(site: Site, tmp_path: Path) -> None:
    url = site.set("/r.pdf", make_pdf(REPORT_PAGES, author="Microsoft Word"), "application/pdf")
    result = await check(sources_config(tmp_path), url, year=None)
    assert result.verdict == "verified"
    assert result.checks.author == "unknown"


async def test_pdf_sent_as_octet_stream_is_read(site: Site, tmp_path: Path) -> None:
    url = site.set("/download?id=7", make_pdf(REPORT_PAGES), "application/octet-stream")
    result = await check(sources_config(tmp_path), url, author=None, year=None)
    assert result.verdict == "verified" and result.source.pages == [2]


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        (scanned_pdf(), "without a text layer"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> trailer", "cannot be read"),
        (make_pdf(REPORT_PAGES)[:300], "cannot be read"),
    ],
)
async def test_unreadable_pdfs(site: Site, tmp_path: Path, body: bytes, phrase: str) -> None:
    url = site.set("/x.pdf", body, "application/pdf")
    result = await check(sources_config(tmp_path), url)
    assert result.kinds() == ["source_unsupported"]
    assert phrase in result.discrepancies[0].message


async def test_pdf_page_cap(site: Site) -> None:
    url = site.set("/long.pdf", make_pdf([["page one text"]] * 5), "application/pdf")
    async with Fetcher(fast_config(pdf_max_pages=2)) as fetcher:
        page = await fetcher.fetch(url)
    assert page.text.count("\f") == 1 and page.raw is not None


# --- plain text and legacy encodings, end to end --------------------------------------------------

ENCODED = [
    ("Shift_JIS", "日本語の引用文はここにあります。", "text/html; charset=Shift_JIS"),
    ("windows-1251", "Рукописи не горят, сказал Воланд.", "text/html"),
    ("iso-8859-2", "Zażółć gęślą jaźń, powiedział poeta.", "text/html; charset=iso-8859-2"),
    ("cp1251", "Никогда не разговаривайте с неизвестными людьми.", "text/html"),
    ("cp1252", "« Je pense, donc je suis », écrivit Descartes à Paris.", "text/html"),
    ("utf-8", QUOTE, "text/plain; charset=utf-8"),
    ("cp1252", "Ça va, déjà vu, naïve façade — l’été.", "text/plain"),
]


@pytest.mark.parametrize(("codec", "quote", "content_type"), ENCODED)
async def test_quote_in_a_legacy_encoding_is_verified(
    site: Site, tmp_path: Path, codec: str, quote: str, content_type: str
) -> None:
    filler = " ".join([quote] * 3)
    if content_type.startswith("text/plain"):
        body = f"{filler}\n\n{quote}\n"
    else:
        meta = '<meta charset="windows-1251">' if codec == "windows-1251" else ""
        body = f"<html><head>{meta}<title>t</title></head><body><p>{filler}</p><p>{quote}</p></body></html>"
    url = site.set("/enc", body.encode(codec), content_type)
    result = await check(sources_config(tmp_path), url, quote=quote, author=None, year=None)
    assert result.verdict == "verified", (codec, result.discrepancies)


# --- meta refresh, canonical links, AMP, JSON-LD ---------------------------------------------------


def _refresh(to: str, delay: str = "0") -> str:
    return (
        f'<html><head><meta http-equiv="Refresh" content="{delay}; URL=\'{to}\'"></head>'
        "<body>Redirecting…</body></html>"
    )


async def test_meta_refresh_is_followed(site: Site, tmp_path: Path) -> None:
    url = site.set("/old", _refresh("/new"))
    site.set("/new", article_html())
    result = await check(sources_config(tmp_path), url)
    assert result.verdict == "verified"
    assert result.source.final_url == site.url("/new")


async def test_meta_refresh_counts_against_max_redirects(site: Site) -> None:
    site.set("/r1", _refresh("/r2"))
    site.set("/r2", _refresh("/r3"))
    site.set("/r3", article_html())
    async with Fetcher(fast_config(max_redirects=1)) as fetcher:
        with pytest.raises(FetchFailure) as info:
            await fetcher.fetch(site.url("/r1"))
    assert "redirected more than 1 times" in info.value.message
    async with Fetcher(fast_config(max_redirects=2)) as fetcher:
        assert (await fetcher.fetch(site.url("/r1"))).final_url == site.url("/r3")


async def test_meta_refresh_loop(site: Site) -> None:
    site.set("/a", _refresh("/b"))
    site.set("/b", _refresh("/a"))
    async with Fetcher(fast_config()) as fetcher:
        with pytest.raises(FetchFailure) as info:
            await fetcher.fetch(site.url("/a"))
    assert "redirects in a loop" in info.value.message


async def test_meta_refresh_to_a_private_address_is_refused(site: Site) -> None:
    site.set("/lure", _refresh("http://10.0.0.1/admin"))
    async with Fetcher(fast_config(allow_private_networks=False), policy=LoopbackIsPublic()) as f:
        with pytest.raises(FetchFailure) as info:
            await f.fetch(site.url("/lure"))
    assert info.value.kind == "source_unreachable"
    assert "10.0.0.1" in info.value.message and "private address" in info.value.message


async def test_page_with_text_keeps_its_refresh_unfollowed(site: Site) -> None:
    html = article_html().replace(
        "<head>", "<head><meta http-equiv='refresh' content='300; url=/x'>"
    )
    async with Fetcher(fast_config(max_bytes=1_000_000)) as fetcher:
        page = await fetcher.fetch(site.set("/live", html))
    assert page.final_url == site.url("/live") and site.server.hits["/x"] == 0


def _stub(canonical: str) -> str:
    return (
        f'<html><head><link rel="canonical" href="{canonical}"><title>App</title></head>'
        "<body><div id='root'></div><script>boot()</script></body></html>"
    )


async def test_canonical_link_is_followed_when_the_page_has_too_little_text(
    site: Site, tmp_path: Path
) -> None:
    url = site.set("/app/123", _stub(site.url("/articles/gardens")))
    site.set("/articles/gardens", article_html())
    result = await check(sources_config(tmp_path), url)
    assert result.verdict == "verified"
    assert result.source.url == url
    assert result.source.canonical_url == site.url("/articles/gardens")
    assert result.source.final_url == site.url("/articles/gardens")


async def test_canonical_link_is_only_recorded_when_the_page_has_text(
    site: Site, tmp_path: Path
) -> None:
    html = article_html().replace("<head>", f"<head><link rel='canonical' href='{site.url('/c')}'>")
    result = await check(sources_config(tmp_path), site.set("/syndicated", html))
    assert result.verdict == "verified"
    assert result.source.canonical_url == site.url("/c")
    assert site.server.hits["/c"] == 0


async def test_amp_page(site: Site, tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{b}</p>" for b in ARTICLE_BLOCKS[:4])
    html = (
        "<!doctype html><html ⚡ lang='en'><head><meta charset='utf-8'>"
        "<script async src='https://cdn.ampproject.org/v0.js'></script>"
        "<style amp-custom>p{color:#222}</style><style amp-boilerplate>body{}</style>"
        "<meta name='author' content='Priya Raman'>"
        "<meta property='article:published_time' content='2024-05-14'>"
        "<title>Community Gardens</title></head><body>"
        "<amp-sidebar id='nav' layout='nodisplay'><a href='/'>Home</a></amp-sidebar>"
        "<article><h1>Community Gardens</h1>"
        "<amp-img src='a.jpg' width='600' height='400' layout='responsive'></amp-img>"
        f"<amp-fit-text width='300' height='80'>{ARTICLE_BLOCKS[4]}</amp-fit-text>"
        f"{paragraphs}<amp-ad width='300' height='250' type='x'></amp-ad>"
        f"<amp-accordion><section><h4>More</h4><p>{ARTICLE_BLOCKS[6]}</p></section></amp-accordion>"
        "</article></body></html>"
    )
    url = site.set("/amp/gardens", html)
    result = await check(sources_config(tmp_path), url)
    assert result.verdict == "verified", result.discrepancies
    inside = "Gardens play a vital role in helping to build health and trust in a neighbourhood."
    assert (await check(sources_config(tmp_path), url, quote=inside)).verdict == "verified"
    fitted = "My concern is that this network is uniquely vulnerable to rising fees."
    assert (await check(sources_config(tmp_path), url, quote=fitted)).verdict == "verified"


async def test_text_only_in_json_ld_article_body(site: Site, tmp_path: Path) -> None:
    body = "\n\n".join(ARTICLE_BLOCKS)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Community Gardens",
            "author": {"@type": "Person", "name": "Priya Raman"},
            "datePublished": "2024-05-14",
            "articleBody": body,
        }
    )
    html = (
        f"<html><head><script type='application/ld+json'>{ld}</script></head>"
        "<body><div id='app'>Loading…</div><script>render()</script></body></html>"
    )
    result = await check(sources_config(tmp_path), site.set("/spa", html))
    assert result.verdict == "verified", result.discrepancies


# --- holding up -----------------------------------------------------------------------------------


async def test_malformed_html_is_read(site: Site, tmp_path: Path) -> None:
    html = (
        "<html><head><title>Broken</title><body><div><p>Unclosed paragraph <b>bold <i>both"
        "</div></b></i><table><tr><td>cell <p>in a cell</table>"
        + "<div>" * 5000
        + "&nbsp;&bogus; &#xZZ; &#99999999; \x00 stray NUL </html> text after the end "
        + f"<p>{QUOTE}<p>{ARTICLE_BLOCKS[0]}<!-- unterminated comment"
    )
    result = await check(
        sources_config(tmp_path), site.set("/broken", html), author=None, year=None
    )
    assert result.verdict == "verified", result.discrepancies


async def test_binary_garbage_labelled_html_is_unsupported(site: Site, tmp_path: Path) -> None:
    garbage = bytes(range(256)) * 40
    result = await check(sources_config(tmp_path), site.set("/garbage", garbage))
    assert result.kinds() == ["source_unsupported"]
    assert "binary data" in result.discrepancies[0].message


async def test_fifty_megabyte_page_stops_at_the_cap(tmp_path: Path) -> None:
    chunk = b"<p>" + b"filler words " * 5000 + b"</p>"
    sent = {"bytes": 0}

    async def fifty(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        if "declared" in request.query:
            response.content_length = 50_000_000
        await response.prepare(request)
        try:
            while sent["bytes"] < 50_000_000:
                await response.write(chunk)
                sent["bytes"] += len(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    app = web.Application()
    app.router.add_get("/fifty", fifty)
    server = await LocalServer(app).start()
    tracemalloc.start()
    try:
        async with Fetcher(fast_config(max_bytes=1_000_000, total_timeout=5)) as fetcher:
            undeclared = await _fail(fetcher, server.url("/fifty"))
            declared = await _fail(fetcher, server.url("/fifty?declared=1"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await server.close()
    assert peak < 10_000_000  # near the 1 MB cap (plus the server's buffers), far from 50 MB
    assert undeclared.kind == "source_unreachable" and "too large" in undeclared.message
    assert "1 MB limit" in undeclared.message
    assert "announced 50 MB" in declared.message
    assert sent["bytes"] < 50_000_000  # the fetcher hung up long before the end


async def _fail(fetcher: Fetcher, url: str) -> FetchFailure:
    with pytest.raises(FetchFailure) as info:
        await fetcher.fetch(url)
    return info.value
