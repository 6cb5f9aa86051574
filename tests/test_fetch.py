"""The source fetcher against real local aiohttp servers: outcomes, limits, decoding, politeness."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import socket
import struct
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import brotli
import pytest
from aiohttp import web
from fetch_support import (
    LocalServer,
    SleepRecorder,
    StaticResolver,
    closed_port,
    fast_config,
)

from bot.decode import decode_text
from bot.fetch import FetchedPage, Fetcher, FetchFailure, _retry_after, utf8_body
from bot.storage.database import open_database
from bot.storage.pages import PageCache

FRENCH = (
    "« Je pense, donc je suis », écrivit Descartes — l’été à Paris, naïve façade, déjà vu. Ça va."
)
HTML_UTF8 = f"<!doctype html><html><head><title>t</title></head><body><p>{FRENCH}</p></body></html>"
STATE = web.AppKey("state", dict[str, int])
BOMB_SIZE = 50_000_000  # decompressed; the test cap is 64 KB


def _html(body: str, charset_in_meta: str | None = None) -> str:
    meta = f'<meta charset="{charset_in_meta}">' if charset_in_meta else ""
    return (
        f"<!doctype html><html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"
    )


def _bombs() -> dict[str, bytes]:
    zeros = bytes(1_000_000)
    gz = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    df = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    parts_gz, parts_df = [], []
    for _ in range(BOMB_SIZE // len(zeros)):
        parts_gz.append(gz.compress(zeros))
        parts_df.append(df.compress(zeros))
    br = brotli.Compressor(quality=1)
    parts_br = [br.process(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return {
        "gzip": b"".join(parts_gz) + gz.flush(),
        "deflate": b"".join(parts_df) + df.flush(),
        "br": b"".join(parts_br) + br.finish(),
    }


BOMBS = _bombs()


def make_app() -> web.Application:
    routes = web.RouteTableDef()
    state: dict[str, int] = {"flaky": 0, "in_flight": 0, "max_in_flight": 0}

    @routes.get("/html")
    async def html(request: web.Request) -> web.Response:
        return web.Response(body=HTML_UTF8.encode(), content_type="text/html", charset="utf-8")

    @routes.get("/plain")
    async def plain(request: web.Request) -> web.Response:
        return web.Response(text=FRENCH, content_type="text/plain")

    @routes.get("/latin1-header")
    async def latin1_header(request: web.Request) -> web.Response:
        # Declared iso-8859-1 but uses cp1252's curly apostrophe (0x92), as real pages do.
        return web.Response(
            body=_html(FRENCH).encode("cp1252"),
            headers={"Content-Type": "text/html; charset=ISO-8859-1"},
        )

    @routes.get("/meta")
    async def meta(request: web.Request) -> web.Response:
        return web.Response(
            body=_html(FRENCH, "windows-1252").encode("cp1252"),
            headers={"Content-Type": "text/html"},
        )

    @routes.get("/http-equiv")
    async def http_equiv(request: web.Request) -> web.Response:
        page = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
            "</head><body><p>Prix : 10 € l’unité</p></body></html>"
        ).replace("’", "'")
        return web.Response(body=page.encode("iso-8859-15"), headers={"Content-Type": "text/html"})

    @routes.get("/undeclared")
    async def undeclared(request: web.Request) -> web.Response:
        return web.Response(
            body=_html(FRENCH).encode("cp1252"), headers={"Content-Type": "text/html"}
        )

    @routes.get("/undeclared-cyrillic")
    async def undeclared_cyrillic(request: web.Request) -> web.Response:
        text = "Рукописи не горят. Никогда не разговаривайте с неизвестными. Что такое истина?"
        return web.Response(
            body=_html(text).encode("cp1251"), headers={"Content-Type": "text/html"}
        )

    @routes.get("/utf8-liar")
    async def utf8_liar(request: web.Request) -> web.Response:
        return web.Response(
            body=_html(FRENCH).encode("cp1252"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )

    @routes.get("/encoded/{coding}")
    async def encoded(request: web.Request) -> web.Response:
        coding = request.match_info["coding"]
        raw = HTML_UTF8.encode()
        body = {
            "gzip": gzip.compress(raw),
            "deflate": zlib.compress(raw),
            "deflate-raw": zlib.compress(raw)[2:-4],
            "br": brotli.compress(raw),
        }[coding]
        name = "deflate" if coding == "deflate-raw" else coding
        return web.Response(
            body=body,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": name},
        )

    @routes.get("/bomb/{coding}")
    async def bomb(request: web.Request) -> web.Response:
        coding = request.match_info["coding"]
        return web.Response(
            body=BOMBS[coding],
            headers={"Content-Type": "text/plain", "Content-Encoding": coding},
        )

    @routes.get("/status/{code}")
    async def status(request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        headers = {}
        if "retry_after" in request.query:
            headers["Retry-After"] = request.query["retry_after"]
        return web.Response(status=code, text=f"status {code}", headers=headers)

    @routes.get("/flaky")
    async def flaky(request: web.Request) -> web.Response:
        state["flaky"] += 1
        if state["flaky"] == 1:
            return web.Response(status=503, text="busy", headers={"Retry-After": "1"})
        return web.Response(body=HTML_UTF8.encode(), content_type="text/html", charset="utf-8")

    @routes.get("/chain/a")
    async def chain_a(request: web.Request) -> web.Response:
        raise web.HTTPFound("b")  # relative

    @routes.get("/chain/b")
    async def chain_b(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(str(request.url.with_path("/chain/c")))  # absolute

    @routes.get("/chain/c")
    async def chain_c(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/html#fragment")

    @routes.get("/loop/a")
    async def loop_a(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop/b")

    @routes.get("/loop/b")
    async def loop_b(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop/a")

    @routes.get("/hops/{n}")
    async def hops(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n == 0:
            return web.Response(text="arrived", content_type="text/plain")
        raise web.HTTPFound(f"/hops/{n - 1}")

    @routes.get("/to-ftp")
    async def to_ftp(request: web.Request) -> web.Response:
        raise web.HTTPFound("ftp://example.com/file.txt")

    @routes.get("/to-private")
    async def to_private(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    @routes.get("/cookie-dance")
    async def cookie_dance(request: web.Request) -> web.Response:
        if request.cookies.get("consent") != "yes":
            response = web.HTTPFound("/cookie-dance")
            response.set_cookie("consent", "yes")
            raise response
        return web.Response(text="welcome back", content_type="text/plain")

    @routes.get("/no-location")
    async def no_location(request: web.Request) -> web.Response:
        return web.Response(status=302)

    @routes.get("/forever")
    async def forever(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        chunk = b"all work and no play " * 400
        with contextlib.suppress(ConnectionResetError):
            while True:
                await response.write(chunk)
                await asyncio.sleep(0)
        return response

    @routes.get("/big-declared")
    async def big_declared(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 200_000, content_type="text/plain")

    @routes.get("/big-chunked")
    async def big_chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(50):
            await response.write(b"y" * 4000)
        await response.write_eof()
        return response

    @routes.get("/trickle")
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionResetError):
            while True:
                await response.write(b".")
                await asyncio.sleep(0.05)
        return response

    @routes.get("/silent")
    async def silent(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        await response.write(b"a little, then nothing")
        await asyncio.sleep(5)
        return response

    @routes.get("/png")
    async def png(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png")

    @routes.get("/pdf")
    async def pdf(request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7\n...", content_type="application/pdf")

    @routes.get("/octet/{what}")
    async def octet(request: web.Request) -> web.Response:
        body = {
            "binary": bytes(range(256)) * 4,
            "pdf": b"%PDF-1.4 binary follows",
            "text": FRENCH.encode(),
            "html": HTML_UTF8.encode(),
        }[request.match_info["what"]]
        return web.Response(body=body, content_type="application/octet-stream")

    @routes.get("/fake-html")
    async def fake_html(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n\x1a\n not html", content_type="text/html")

    @routes.get("/reset")
    async def reset(request: web.Request) -> web.Response:
        transport = request.transport
        assert transport is not None
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        await asyncio.sleep(0.05)
        return web.Response(text="never sent")

    @routes.get("/slow")
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.2)
        return web.Response(text="slow but sure", content_type="text/plain")

    @routes.get("/busy/{i}")
    async def busy(request: web.Request) -> web.Response:
        state["in_flight"] += 1
        state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
        try:
            # Stay busy until two requests overlap (or 1 s passes), so the limit is really reached.
            for _ in range(100):
                if state["max_in_flight"] >= 2:
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)
        finally:
            state["in_flight"] -= 1
        return web.Response(text="done", content_type="text/plain")

    @routes.get("/ua")
    async def ua(request: web.Request) -> web.Response:
        return web.Response(text=request.headers.get("User-Agent", ""), content_type="text/plain")

    app = web.Application()
    app.add_routes(routes)
    app[STATE] = state
    return app


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = await LocalServer(make_app()).start()
    yield srv
    await srv.close()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(fast_config()) as f:
        yield f


async def fail(fetcher: Fetcher, url: str) -> FetchFailure:
    with pytest.raises(FetchFailure) as info:
        await fetcher.fetch(url)
    return info.value


# --- success and decoding -----------------------------------------------------------------------


async def test_html_page(server: LocalServer, fetcher: Fetcher) -> None:
    page = await fetcher.fetch(server.url("/html"))
    assert page.text == HTML_UTF8
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert page.status == 200
    assert page.via == "direct"
    assert page.url == page.final_url == server.url("/html")
    assert page.sha256 == hashlib.sha256(HTML_UTF8.encode()).hexdigest()
    assert page.fetched_at > 0
    assert page.utf8 == HTML_UTF8.encode()  # the parser reads the body as it came


async def test_user_agent_from_config(server: LocalServer, fetcher: Fetcher) -> None:
    page = await fetcher.fetch(server.url("/ua"))
    assert page.text == "VerbatimTest/1.0"


@pytest.mark.parametrize(
    ("path", "charset"),
    [
        ("/latin1-header", "cp1252"),  # header iso-8859-1, read as windows-1252 (WHATWG)
        ("/meta", "cp1252"),
        ("/undeclared", "cp1252"),
        ("/utf8-liar", "cp1252"),
    ],
)
async def test_legacy_charsets_decode(
    server: LocalServer, fetcher: Fetcher, path: str, charset: str
) -> None:
    page = await fetcher.fetch(server.url(path))
    assert FRENCH in page.text
    assert page.charset == charset
    assert page.utf8 is None  # not UTF-8: the extractor encodes the text itself


async def test_http_equiv_charset(server: LocalServer, fetcher: Fetcher) -> None:
    page = await fetcher.fetch(server.url("/http-equiv"))
    assert "10 € l'unité" in page.text
    assert page.charset == "iso8859-15"


async def test_undeclared_cyrillic_is_detected(server: LocalServer, fetcher: Fetcher) -> None:
    page = await fetcher.fetch(server.url("/undeclared-cyrillic"))
    assert "Рукописи не горят" in page.text


@pytest.mark.parametrize("coding", ["gzip", "deflate", "deflate-raw", "br"])
async def test_content_encodings(server: LocalServer, fetcher: Fetcher, coding: str) -> None:
    page = await fetcher.fetch(server.url(f"/encoded/{coding}"))
    assert page.text == HTML_UTF8
    assert page.utf8 == HTML_UTF8.encode()  # decompressed
    assert page.sha256 == hashlib.sha256(HTML_UTF8.encode()).hexdigest()


async def test_octet_stream_text_is_sniffed(server: LocalServer, fetcher: Fetcher) -> None:
    text = await fetcher.fetch(server.url("/octet/text"))
    assert (text.content_type, text.text) == ("text/plain", FRENCH)
    html = await fetcher.fetch(server.url("/octet/html"))
    assert html.content_type == "text/html"


def test_decode_text_rules() -> None:
    bom = b"\xef\xbb\xbf" + "é".encode()
    assert decode_text(bom, "text/plain", "text/plain; charset=cp1252") == ("utf-8", "é")
    # A charset label that names no text encoding is ignored, not obeyed.
    assert decode_text("é".encode(), "text/plain", "text/plain; charset=base64")[1] == "é"
    assert decode_text(b"+AGEAYgBj-", "text/plain", "text/plain; charset=utf-7")[1] == (
        "+AGEAYgBj-"
    )
    # <meta> saying UTF-16 in an ASCII-readable page means UTF-8.
    page = '<meta charset="utf-16"><p>é</p>'.encode()
    assert decode_text(page, "text/html", "text/html") == (
        "utf-8",
        '<meta charset="utf-16"><p>é</p>',
    )


LEGACY_SAMPLES = [
    ("fr", FRENCH, "cp1252"),
    (
        "de",
        "Über den Wolken muß die Freiheit wohl grenzenlos sein. Größe, Straße, „Zitat“.",
        "cp1252",
    ),
    ("en", "He said “hello” — and she said ‘goodbye’… That’s all.", "cp1252"),
    ("pl", "Litwo! Ojczyzno moja! ty jesteś jak zdrowie. Zażółć gęślą jaźń.", "cp1250"),
    ("cs", "Příliš žluťoučký kůň úpěl ďábelské ódy. Byl pozdní večer – první máj.", "cp1250"),
    (
        "tr",
        "Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar. Akıl ve vicdana "
        "sahiptirler ve birbirlerine karşı kardeşlik zihniyeti ile hareket etmelidirler.",
        "cp1254",
    ),
    ("ru", "Рукописи не горят. Никогда не разговаривайте с неизвестными.", "cp1251"),
    ("el", "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια.", "cp1253"),
    (
        "ja",
        "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。",
        "shift_jis",
    ),
]


@pytest.mark.parametrize(
    ("lang", "text", "codec"), LEGACY_SAMPLES, ids=[s[0] for s in LEGACY_SAMPLES]
)
def test_undeclared_legacy_pages_are_detected(lang: str, text: str, codec: str) -> None:
    raw = _html(text).encode(codec)
    assert text in decode_text(raw, "text/html", "text/html")[1]


def test_stray_byte_keeps_utf8() -> None:
    raw = ("<p>" + FRENCH + "</p>").encode() + b"\xff" + " encore é".encode()
    charset, text = decode_text(raw, "text/html", "text/html; charset=utf-8")
    assert charset == "utf-8"
    assert FRENCH in text and "encore é" in text
    assert text.count("\ufffd") == 1


def test_utf8_body_only_when_the_text_is_its_exact_decoding() -> None:
    good = "<p>café “quoted” \U0001f600</p>".encode()
    assert utf8_body(good, "utf-8", good.decode()) is good
    stray = good + b"\xff"
    charset, text = decode_text(stray, "text/html", "text/html; charset=utf-8")
    assert charset == "utf-8" and utf8_body(stray, charset, text) is None  # U+FFFD replaced it
    bom = b"\xef\xbb\xbf" + good
    charset, text = decode_text(bom, "text/html", "text/html")
    assert text == good.decode() and utf8_body(bom, charset, text) is None
    latin = "café".encode("cp1252")
    assert utf8_body(latin, "cp1252", "café") is None


def test_retry_after_forms() -> None:
    now = 1_700_000_000.0
    assert _retry_after("7", now) == 7.0
    assert _retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now) == pytest.approx(10.0)
    assert _retry_after("Tue, 14 Nov 2023 22:13:00 GMT", now) == 0.0  # in the past
    assert _retry_after("soon", now) is None
    assert _retry_after(None, now) is None


# --- blocked, gone, unreachable -----------------------------------------------------------------


@pytest.mark.parametrize("code", [401, 403, 451])
async def test_blocked_statuses(server: LocalServer, fetcher: Fetcher, code: int) -> None:
    failure = await fail(fetcher, server.url(f"/status/{code}"))
    assert failure.kind == "source_blocked"
    assert failure.status == code
    assert str(code) in failure.message
    assert "exists" in failure.message
    assert server.hits[f"/status/{code}"] == 1  # refusals are not retried


async def test_429_is_blocked_after_retries(server: LocalServer, fetcher: Fetcher) -> None:
    failure = await fail(fetcher, server.url("/status/429"))
    assert failure.kind == "source_blocked"
    assert "429 Too Many Requests" in failure.message
    assert server.hits["/status/429"] == 3


async def test_retry_after_beyond_cap_fails_at_once(server: LocalServer) -> None:
    async with Fetcher(fast_config(max_retry_after=1.0)) as fetcher:
        failure = await fail(fetcher, server.url("/status/429?retry_after=120"))
    assert failure.kind == "source_blocked"
    assert "120 seconds" in failure.message
    assert server.hits["/status/429"] == 1


@pytest.mark.parametrize("code", [404, 410])
async def test_gone_statuses(server: LocalServer, fetcher: Fetcher, code: int) -> None:
    failure = await fail(fetcher, server.url(f"/status/{code}"))
    assert failure.kind == "source_gone"
    assert failure.status == code
    assert str(code) in failure.message


async def test_unresolvable_name_is_gone(fetcher: Fetcher) -> None:
    failure = await fail(fetcher, "http://no-such-site.invalid/page")
    assert failure.kind == "source_gone"
    assert "no-such-site.invalid" in failure.message
    assert "does not exist" in failure.message


async def test_dns_trouble_is_not_gone() -> None:
    resolver = StaticResolver({"flaky-dns.test": "EAI_AGAIN"})
    async with Fetcher(fast_config(), resolver=resolver) as fetcher:
        failure = await fail(fetcher, "http://flaky-dns.test/")
    assert failure.kind == "source_unreachable"
    assert "looked up" in failure.message


async def test_500_is_unreachable_after_retries(server: LocalServer) -> None:
    async with Fetcher(fast_config(retries=2)) as fetcher:
        recorder = SleepRecorder()
        fetcher._sleep = recorder
        failure = await fail(fetcher, server.url("/status/500"))
    assert failure.kind == "source_unreachable"
    assert "500 Internal Server Error" in failure.message
    assert "tried 3 times" in failure.message
    assert server.hits["/status/500"] == 3
    assert recorder.waits == [0.01, 0.02]  # exponential backoff from [fetch] backoff


async def test_503_then_200_honours_retry_after(server: LocalServer, fetcher: Fetcher) -> None:
    recorder = SleepRecorder()
    fetcher._sleep = recorder
    page = await fetcher.fetch(server.url("/flaky"))
    assert page.text == HTML_UTF8
    assert server.hits["/flaky"] == 2
    assert recorder.waits == [1.0]  # the server's Retry-After, not the 0.01 backoff


async def test_retry_after_really_waits(server: LocalServer, fetcher: Fetcher) -> None:
    started = time.monotonic()
    await fetcher.fetch(server.url("/flaky"))
    assert time.monotonic() - started >= 0.95  # a lower bound: sleeping is never shorter


async def test_connection_refused_is_unreachable() -> None:
    port = closed_port()
    async with Fetcher(fast_config(retries=1)) as fetcher:
        failure = await fail(fetcher, f"http://127.0.0.1:{port}/")
    assert failure.kind == "source_unreachable"
    assert "refused" in failure.message
    assert "tried 2 times" in failure.message


async def test_connection_reset_is_unreachable(server: LocalServer) -> None:
    async with Fetcher(fast_config(retries=1)) as fetcher:
        failure = await fail(fetcher, server.url("/reset"))
    assert failure.kind == "source_unreachable"
    assert "dropped the connection" in failure.message
    # Our 2 tries; aiohttp itself re-sends an idempotent request once on a dropped connection.
    assert server.hits["/reset"] in (2, 4)


# --- redirects ----------------------------------------------------------------------------------


async def test_redirect_chain(server: LocalServer, fetcher: Fetcher) -> None:
    page = await fetcher.fetch(server.url("/chain/a"))
    assert page.text == HTML_UTF8
    assert page.url == server.url("/chain/a")
    assert page.final_url == server.url("/html")
    assert [server.hits[p] for p in ("/chain/a", "/chain/b", "/chain/c", "/html")] == [1, 1, 1, 1]


async def test_redirect_loop(server: LocalServer, fetcher: Fetcher) -> None:
    failure = await fail(fetcher, server.url("/loop/a"))
    assert failure.kind == "source_unreachable"
    assert "loop" in failure.message
    assert server.hits["/loop/a"] == 1


async def test_too_many_redirects(server: LocalServer) -> None:
    async with Fetcher(fast_config(max_redirects=3)) as fetcher:
        assert (await fetcher.fetch(server.url("/hops/3"))).text == "arrived"
        failure = await fail(fetcher, server.url("/hops/10"))
    assert failure.kind == "source_unreachable"
    assert "more than 3 times" in failure.message
    assert server.hits["/hops/7"] == 1  # 10 -> 9 -> 8 -> 7 followed; 7's redirect is refused
    assert server.hits["/hops/6"] == 0


async def test_redirect_to_other_scheme(server: LocalServer, fetcher: Fetcher) -> None:
    failure = await fail(fetcher, server.url("/to-ftp"))
    assert failure.kind == "source_unreachable"
    assert "ftp:" in failure.message


async def test_redirect_without_location(server: LocalServer, fetcher: Fetcher) -> None:
    failure = await fail(fetcher, server.url("/no-location"))
    assert failure.kind == "source_unreachable"
    assert "302 Found" in failure.message


async def test_cookie_redirect_is_not_a_loop(server: LocalServer, fetcher: Fetcher) -> None:
    page = await fetcher.fetch(server.url("/cookie-dance"))
    assert page.text == "welcome back"
    assert server.hits["/cookie-dance"] == 2


# --- size and time limits -----------------------------------------------------------------------


async def test_endless_page_is_too_large(server: LocalServer, fetcher: Fetcher) -> None:
    failure = await fail(fetcher, server.url("/forever"))
    assert failure.kind == "source_unreachable"
    assert "too large" in failure.message
    assert "64 KB" in failure.message  # [fetch] max_bytes in the test config


@pytest.mark.parametrize(("path", "phrase"), [("/big-declared", "announced"), ("/big-chunked", "")])
async def test_page_over_cap(server: LocalServer, fetcher: Fetcher, path: str, phrase: str) -> None:
    failure = await fail(fetcher, server.url(path))
    assert failure.kind == "source_unreachable"
    assert "too large" in failure.message
    assert phrase in failure.message


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_compression_bomb(server: LocalServer, fetcher: Fetcher, coding: str) -> None:
    assert len(BOMBS[coding]) < fetcher.config.max_bytes  # only the unpacked size is over
    tracemalloc.start()
    try:
        failure = await fail(fetcher, server.url(f"/bomb/{coding}"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert failure.kind == "source_unreachable"
    assert "unpacks to more than" in failure.message
    assert peak < BOMB_SIZE // 10  # memory stays near the cap, nowhere near the 50 MB


async def test_trickle_hits_total_timeout(server: LocalServer) -> None:
    async with Fetcher(fast_config(total_timeout=0.6, read_timeout=0.5)) as fetcher:
        failure = await fail(fetcher, server.url("/trickle"))
    assert failure.kind == "source_unreachable"
    assert "within 0.6 seconds" in failure.message


async def test_silence_hits_read_timeout(server: LocalServer) -> None:
    async with Fetcher(fast_config(read_timeout=0.2)) as fetcher:
        failure = await fail(fetcher, server.url("/silent"))
    assert failure.kind == "source_unreachable"
    assert "silent for more than 0.2 seconds" in failure.message


# --- unsupported content ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "phrase"),
    [
        ("/png", "an image (image/png)"),
        ("/pdf", "a PDF document (application/pdf)"),
        ("/octet/binary", "binary data"),
        ("/octet/pdf", "a PDF document"),
        ("/fake-html", "calls it text/html but sent an image"),
    ],
)
async def test_unsupported_content(
    server: LocalServer, fetcher: Fetcher, path: str, phrase: str
) -> None:
    failure = await fail(fetcher, server.url(path))
    assert failure.kind == "source_unsupported"
    assert phrase in failure.message


@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("ftp://example.com/file", "starts with ftp:"),
        ("file:///etc/passwd", "starts with file:"),
        ("example.com/page", "no http://"),
        ("http://user:secret@example.com/", "user name or password"),
        ("", "no source address"),
        ("http://", "no site name"),
        ("http://exa mple.com/", "not a valid site name"),
        ("http://%zz/", "not a valid site name"),
        ("http://" + "a" * 64 + ".com/", "not a valid site name"),
    ],
)
async def test_bad_urls(fetcher: Fetcher, url: str, phrase: str) -> None:
    failure = await fail(fetcher, url)
    assert failure.kind == "source_unsupported"
    assert phrase in failure.message


# --- politeness ---------------------------------------------------------------------------------


async def test_concurrent_fetches_of_one_url_coalesce(
    server: LocalServer, fetcher: Fetcher
) -> None:
    pages = await asyncio.gather(*(fetcher.fetch(server.url("/slow")) for _ in range(10)))
    assert server.hits["/slow"] == 1
    assert all(p == pages[0] for p in pages)


async def test_coalesced_failure_reaches_every_caller(
    server: LocalServer, fetcher: Fetcher
) -> None:
    results = await asyncio.gather(
        *(fetcher.fetch(server.url("/status/404")) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, FetchFailure) and r.kind == "source_gone" for r in results)
    assert server.hits["/status/404"] == 1


async def test_per_host_limit(server: LocalServer) -> None:
    async with Fetcher(fast_config(per_host_limit=2)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url(f"/busy/{i}")) for i in range(6)))
    assert server.total_hits == 6
    assert server.app[STATE]["max_in_flight"] == 2


# --- cache --------------------------------------------------------------------------------------


async def test_cache_hit_and_ttl(server: LocalServer) -> None:
    cache = PageCache(open_database(":memory:"), ttl=60)
    url = server.url("/html")
    async with Fetcher(fast_config(), cache) as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url)
    assert first.via == "direct"
    assert second.via == "cache"
    assert server.hits["/html"] == 1
    assert second.text == first.text and second.sha256 == first.sha256
    assert second.final_url == first.final_url and second.fetched_at == first.fetched_at

    assert cache.get(url, now=first.fetched_at + 59) is not None
    assert cache.get(url, now=first.fetched_at + 61) is None


async def test_stale_cache_entry_is_refetched(server: LocalServer) -> None:
    cache = PageCache(open_database(":memory:"), ttl=60)
    url = server.url("/html")
    cache.put(
        FetchedPage(
            url=url,
            final_url=url,
            status=200,
            content_type="text/html",
            charset="utf-8",
            text="old text",
            sha256="0" * 64,
            fetched_at=time.time() - 3600,
        )
    )
    async with Fetcher(fast_config(), cache) as fetcher:
        page = await fetcher.fetch(url)
    assert page.via == "direct"
    assert page.text == HTML_UTF8
    assert server.hits["/html"] == 1
    cached = cache.get(url)
    assert cached is not None and cached.text == HTML_UTF8


async def test_failures_are_not_cached(server: LocalServer) -> None:
    cache = PageCache(open_database(":memory:"), ttl=60)
    async with Fetcher(fast_config(), cache) as fetcher:
        await fail(fetcher, server.url("/status/404"))
        await fail(fetcher, server.url("/status/404"))
    assert server.hits["/status/404"] == 2
    assert cache.get(server.url("/status/404")) is None


def test_cache_prune() -> None:
    cache = PageCache(open_database(":memory:"), ttl=10)
    for i, age in enumerate((1, 100)):
        cache.put(
            FetchedPage(
                url=f"http://example.com/{i}",
                final_url=f"http://example.com/{i}",
                status=200,
                content_type="text/plain",
                charset="utf-8",
                text="x",
                sha256="0" * 64,
                fetched_at=1000.0 - age,
            )
        )
    assert cache.prune(now=1000.0) == 1
    assert cache.get("http://example.com/0", now=1000.0) is not None


async def test_closed_fetcher_refuses() -> None:
    fetcher = Fetcher(fast_config())
    await fetcher.close()
    with pytest.raises(RuntimeError):
        await fetcher.fetch("http://example.invalid/")
