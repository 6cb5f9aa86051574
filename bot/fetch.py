"""Fetching a quoted source: one bounded, polite and safe HTTP GET that yields decoded text
(HTML, plain text, or a PDF's text layer page by page).

Every way a fetch can go wrong ends as a `FetchFailure` whose kind tells the verifier what to say
(blocked: the page exists but refuses us; gone; unreachable; unsupported) and whose message says
what happened in plain words. Sizes are capped while streaming, on the wire and after
decompression, so neither a huge page nor a compression bomb can exhaust memory.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import email.utils
import hashlib
import http
import json
import logging
import re
import socket
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NoReturn

import aiohttp
import brotli
from aiohttp import hdrs
from aiohttp.abc import AbstractResolver
from selectolax.lexbor import LexborHTMLParser
from w3lib.encoding import (
    read_bom,
)
from yarl import URL

from bot.botwall import bot_wall, visible_chars
from bot.config import FetchConfig
from bot.decode import (
    BINARY_BYTES,
    HTML_START,
    SNIFF_MIMES,
    decode_text,
    describe_mime,
    is_markup,
    is_text_mime,
    magic_kind,
    mime_of,
    mostly_binary,
)
from bot.decompress import (
    ACCEPT_ENCODING,
    CHUNK,
    TooLarge,
    UnknownCoding,
    make_decoder,
    read_capped,
)
from bot.models import Via
from bot.netguard import (
    AddressPolicy,
    AddressRefused,
    SpecialUseResolver,
    find_refusal,
    parse_ip,
)
from bot.pdf import PDF_MIME, PDF_MIMES, PdfError, read_pdf

if TYPE_CHECKING:
    from bot.storage.pages import PageCache

log = logging.getLogger(__name__)

FailureKind = Literal["source_blocked", "source_gone", "source_unreachable", "source_unsupported"]


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # lower-case mime, e.g. "text/html", "text/plain"
    charset: str  # charset used to decode
    text: str  # decoded body
    sha256: str  # hex sha256 of the decoded-from bytes (after content-encoding is removed)
    fetched_at: float  # unix time
    via: Via = "direct"
    # Document metadata a PDF carries in itself (("title", ...), ("author", ...)); HTML has its own.
    doc_meta: tuple[tuple[str, str], ...] = ()
    # The undecoded body of a PDF (capped like every body); None for text and cached pages.
    raw: bytes | None = field(default=None, repr=False, compare=False)
    # The body when ``text`` is exactly its UTF-8 decoding (most pages): the HTML parser reads
    # these bytes instead of encoding the text once more. None otherwise, and for cached pages.
    utf8: bytes | None = field(default=None, repr=False, compare=False)


class FetchFailure(Exception):
    """A source that could not be read; ``message`` is one plain line for people."""

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        *,
        url: str,
        status: int | None = None,
        final_url: str | None = None,
        final: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.message = message
        self.url = url
        self.status = status
        self.final_url = final_url
        # True when another copy of the page would fail the same way (too large, a refused
        # address), so looking for one in an archive is pointless.
        self.final = final

    @property
    def archivable(self) -> bool:
        """Whether an archived copy could stand in: blocked, gone, or down for reasons of its own."""
        if self.final:
            return False
        return self.kind in ("source_blocked", "source_gone", "source_unreachable")

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "status": self.status, "message": self.message}

    def __str__(self) -> str:
        return self.message

    def extended(self, extra: str) -> FetchFailure:
        """The same failure with ``extra`` appended to its message."""
        return FetchFailure(
            self.kind,
            f"{self.message}{extra}",
            url=self.url,
            status=self.status,
            final_url=self.final_url,
            final=self.final,
        )


# --- status codes -----------------------------------------------------------------------------

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_BLOCKED = {
    401: "the page exists but asks for a login",
    403: "the page exists but refuses automated readers like this bot",
    407: "a proxy in the way asks for a login",
    429: "the page exists but the site is rate-limiting us",
    451: "the page exists but is withheld for legal reasons",
}
_GONE = {
    404: "no page exists at this address",
    410: "the page was removed for good",
}


def _status_text(status: int) -> str:
    """``"403 Forbidden"``; the standard phrase, never the server's own (which is untrusted)."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or HTTP date), None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def _short(url: object, limit: int = 120) -> str:
    text = str(url)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.3g} MB"
    if n >= 1_000:
        return f"{n / 1_000:.3g} KB"
    return f"{n} bytes"


# --- the fetcher -------------------------------------------------------------------------------


class _Retry(Exception):
    """A failure worth another try (429, 5xx, connection trouble)."""

    def __init__(self, failure: FetchFailure, retry_after: float | None = None) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.retry_after = retry_after


@dataclass
class _State:
    """One fetch in progress: where it is, and what it has spent."""

    url: str
    current: URL
    deadline: float
    retries_left: int
    backoff_step: int = 0
    tries: int = 0
    chain: list[str] = field(default_factory=list)

    want_json: bool = False  # an API answer (archive, search), not a source page

    def fail(
        self, kind: FailureKind, message: str, status: int | None = None, *, final: bool = False
    ) -> FetchFailure:
        return FetchFailure(
            kind, message, url=self.url, status=status, final_url=str(self.current), final=final
        )


class _HostSlots:
    """At most ``limit`` requests in flight per host name; idle hosts are forgotten."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        semaphore, users = self._slots.get(host, (asyncio.Semaphore(self._limit), 0))
        self._slots[host] = (semaphore, users + 1)
        try:
            async with semaphore:
                yield
        finally:
            semaphore, users = self._slots[host]
            if users <= 1:
                del self._slots[host]
            else:
                self._slots[host] = (semaphore, users - 1)


def _start_url(url: str) -> URL:
    """The URL to request, or FetchFailure(source_unsupported) saying what is wrong with it."""

    def bad(why: str) -> NoReturn:
        raise FetchFailure("source_unsupported", why, url=str(url))

    if not isinstance(url, str) or not url.strip():
        bad("no source address was given")
    if len(url) > 8192:
        bad("the source address is longer than 8192 characters")
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError):
        bad(f"{_short(url)!r} is not a valid web address")
    if parsed.scheme not in ("http", "https"):
        shown = (
            f"it starts with {parsed.scheme}:" if parsed.scheme else "it has no http:// or https://"
        )
        bad(f"only http:// and https:// links can be fetched; {shown}")
    if not parsed.host:
        bad(f"{_short(url)!r} has no site name")
    if not _valid_host(parsed.raw_host):
        bad(f"{_short(parsed.host, 80)!r} is not a valid site name")
    if parsed.user or parsed.password:
        bad("links carrying a user name or password are not fetched")
    return parsed.with_fragment(None)


_HOST_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}\.?$){_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?", re.IGNORECASE)


def _valid_host(raw_host: str | None) -> bool:
    """A DNS name (IDNA-encoded by yarl) or an IP address; spaces, escapes and 64+ char labels are not."""
    if not raw_host:
        return False
    return parse_ip(raw_host) is not None or _HOSTNAME.fullmatch(raw_host) is not None


def _cookie_key(jar: aiohttp.CookieJar, url: URL) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, m.value) for k, m in jar.filter_cookies(url).items()))


class Fetcher:
    """Fetches sources politely and safely; one instance per process, shared by all checks.

    ``resolver`` and ``policy`` exist so tests can map names and adjust the address rules; the
    address check itself always runs on the socket about to connect.
    """

    def __init__(
        self,
        config: FetchConfig,
        cache: PageCache | None = None,
        *,
        resolver: AbstractResolver | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        self.config = config
        self.cache = cache
        self._resolver = resolver
        self._policy = policy or AddressPolicy(allow_private=config.allow_private_networks)
        self._session: aiohttp.ClientSession | None = None
        self._inflight: dict[tuple[str, str], asyncio.Task[FetchedPage]] = {}
        self._slots = _HostSlots(config.per_host_limit)
        self._closed = False
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # tests record waits

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        self._closed = True
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _session_now(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this Fetcher is closed")
        if self._session is None:
            cfg = self.config
            inner = self._resolver or aiohttp.DefaultResolver()
            connector = aiohttp.TCPConnector(
                resolver=SpecialUseResolver(inner),
                socket_factory=self._policy.socket_factory,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=cfg.connect_timeout,
                    sock_connect=cfg.connect_timeout,
                    sock_read=cfg.read_timeout,
                ),
                headers={
                    hdrs.USER_AGENT: cfg.user_agent,
                    hdrs.ACCEPT: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
                    hdrs.ACCEPT_ENCODING: ACCEPT_ENCODING,
                },
                auto_decompress=False,
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def fetch(self, url: str, *, fresh: bool = False) -> FetchedPage:
        """The page at ``url`` from the cache or the web; raises FetchFailure.

        Concurrent calls for one URL share a single request. ``fresh`` skips the cache (a
        re-check must see the page as it is now); the fresh copy still replaces the cached one.
        """
        if self._closed:
            raise RuntimeError("this Fetcher is closed")
        if self.cache is not None and not fresh:
            cached = self.cache.get(url)
            if cached is not None:
                return cached
        return await self._shared(("page", url), self._fetch_live(url))

    async def fetch_json(self, url: str) -> object:
        """A JSON answer from an API (the archive's, a search engine's), with every fetch guard.

        Never cached: the answer (which snapshots exist, what a search finds) changes over time.
        """
        if self._closed:
            raise RuntimeError("this Fetcher is closed")
        page = await self._shared(("json", url), self._fetch_live(url, want_json=True))
        try:
            return json.loads(page.text)
        except ValueError:
            raise FetchFailure(
                "source_unsupported",
                f"{_short(page.final_url, 80)} did not answer with valid JSON",
                url=url,
                status=page.status,
                final_url=page.final_url,
            ) from None

    async def _shared(
        self, key: tuple[str, str], work: Coroutine[object, object, FetchedPage]
    ) -> FetchedPage:
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(work, name=f"fetch {_short(key[1])}")
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        else:
            work.close()  # the request already in flight answers this caller too
        return await asyncio.shield(task)

    def _forget(self, key: tuple[str, str], task: asyncio.Task[FetchedPage]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here so an unawaited failure is not logged as lost

    async def _fetch_live(self, url: str, *, want_json: bool = False) -> FetchedPage:
        cfg = self.config
        start = _start_url(url)
        loop = asyncio.get_running_loop()
        state = _State(
            url=url,
            current=start,
            deadline=loop.time() + cfg.total_timeout,
            retries_left=cfg.retries,
            want_json=want_json,
        )
        try:
            async with asyncio.timeout(cfg.total_timeout):
                page = await self._follow(state)
        except TimeoutError:
            raise state.fail(
                "source_unreachable",
                f"the page did not finish loading within {cfg.total_timeout:g} seconds",
            ) from None
        except FetchFailure:
            raise
        except Exception as exc:  # a hostile page must never crash a check
            log.exception("unexpected error fetching %s", _short(url))
            raise state.fail(
                "source_unreachable",
                f"the page could not be read because of an internal error ({exc.__class__.__name__})",
            ) from exc
        if self.cache is not None and not want_json:
            try:
                self.cache.put(page)
            except Exception:  # a full disk must not turn a good fetch into a failure
                log.exception("could not cache %s", _short(url))
        return page

    async def _follow(self, state: _State) -> FetchedPage:
        cfg = self.config
        jar = aiohttp.CookieJar(unsafe=True)
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        for hop in range(cfg.max_redirects + 1):
            key = (str(state.current), _cookie_key(jar, state.current))
            state.chain.append(_short(state.current, 80))
            if key in seen:
                raise state.fail(
                    "source_unreachable",
                    f"the site redirects in a loop ({' → '.join(state.chain)})",
                )
            seen.add(key)
            outcome = await self._request_retrying(state, jar)
            if isinstance(outcome, FetchedPage):
                refresh = None if state.want_json else self._refresh_target(state, outcome)
                if refresh is None:
                    return outcome
                outcome = refresh
            if hop == cfg.max_redirects:
                raise state.fail(
                    "source_unreachable",
                    f"the page redirected more than {cfg.max_redirects} times "
                    f"({' → '.join([*state.chain, _short(outcome, 80)])}); giving up",
                )
            state.current = outcome
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request_retrying(self, state: _State, jar: aiohttp.CookieJar) -> FetchedPage | URL:
        cfg = self.config
        loop = asyncio.get_running_loop()
        while True:
            state.tries += 1
            try:
                return await self._request_once(state, jar)
            except _Retry as retry:
                failure = retry.failure
                tried = f" (tried {state.tries} times)" if state.tries > 1 else ""
                if state.retries_left <= 0:
                    raise failure.extended(tried) from None
                wait = retry.retry_after
                if wait is not None and wait > cfg.max_retry_after:
                    raise failure.extended(
                        f"; it asked us to come back in {wait:g} seconds, longer than the "
                        f"{cfg.max_retry_after:g} we wait"
                    ) from None
                if wait is None:
                    wait = cfg.backoff * 2**state.backoff_step
                    state.backoff_step += 1
                if loop.time() + wait >= state.deadline:
                    raise failure.extended(f"{tried}; no time left to try again") from None
                state.retries_left -= 1
                log.info("retrying %s in %.2fs: %s", _short(state.current), wait, failure.message)
                await self._sleep(wait)

    async def _request_once(self, state: _State, jar: aiohttp.CookieJar) -> FetchedPage | URL:
        url = state.current
        host = url.raw_host or ""
        try:
            self._policy.check_host(host)
        except AddressRefused as refused:
            raise state.fail("source_unreachable", str(refused), final=True) from None
        session = self._session_now()
        cookies = jar.filter_cookies(url)
        async with self._slots.hold(host.lower()):
            try:
                async with session.get(url, allow_redirects=False, cookies=cookies or None) as resp:
                    jar.update_cookies(resp.cookies, resp.url)
                    return await self._handle(state, resp)
            except (FetchFailure, _Retry):
                raise
            except aiohttp.ClientConnectorDNSError as exc:
                raise self._dns_failure(state, exc) from None
            except aiohttp.ClientSSLError as exc:
                raise state.fail(
                    "source_unreachable",
                    f"a secure connection to {host} could not be made ({exc.__class__.__name__}: "
                    "the certificate or TLS setup is not valid)",
                ) from None
            except aiohttp.ConnectionTimeoutError:
                raise _Retry(
                    state.fail(
                        "source_unreachable",
                        f"could not connect to {host} within {self.config.connect_timeout:g} seconds",
                    )
                ) from None
            except aiohttp.ServerTimeoutError:
                raise state.fail(
                    "source_unreachable",
                    f"the server at {host} went silent for more than "
                    f"{self.config.read_timeout:g} seconds",
                ) from None
            except aiohttp.ClientConnectorError as exc:
                raise self._connect_failure(state, exc) from None
            except (
                aiohttp.ServerDisconnectedError,
                aiohttp.ClientPayloadError,
                aiohttp.ClientOSError,
            ):
                raise _Retry(
                    state.fail(
                        "source_unreachable",
                        f"the server at {host} dropped the connection before the page was complete",
                    )
                ) from None
            except aiohttp.InvalidURL:
                raise state.fail(
                    "source_unreachable", f"{_short(url)} is not an address that can be fetched"
                ) from None
            except aiohttp.ClientResponseError as exc:
                raise state.fail(
                    "source_unreachable",
                    f"the server at {host} sent a response that is not valid HTTP ({exc.message})",
                ) from None
            except (aiohttp.ClientError, OSError) as exc:
                raise state.fail(
                    "source_unreachable", f"the request to {host} failed ({exc.__class__.__name__})"
                ) from None

    def _dns_failure(self, state: _State, exc: aiohttp.ClientConnectorDNSError) -> FetchFailure:
        refusal = find_refusal(exc)
        if refusal is not None:
            return state.fail("source_unreachable", str(refusal), final=True)
        host = state.current.host or ""
        code = exc.os_error.errno if isinstance(exc.os_error, OSError) else None
        if code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return state.fail(
                "source_gone", f"the site name {host} does not exist (the DNS lookup found nothing)"
            )
        return state.fail(
            "source_unreachable",
            f"the site name {host} could not be looked up right now (DNS error)",
        )

    def _connect_failure(self, state: _State, exc: aiohttp.ClientConnectorError) -> Exception:
        refusal = find_refusal(exc)
        if refusal is not None:
            text = str(refusal)
            if not isinstance(refusal, AddressRefused):
                text = (
                    f"refused to connect to {state.current.host}: every address it resolves to is "
                    "not a public internet address; fetching private networks is off "
                    "(set [fetch] allow_private_networks = true in the config to allow it)"
                )
            return state.fail("source_unreachable", text, final=True)
        target = f"{state.current.host}:{state.current.port}"
        if isinstance(exc.os_error, ConnectionRefusedError):
            why = "the connection was refused"
        else:
            why = (exc.os_error.strerror or str(exc.os_error)).lower() or "the connection failed"
        return _Retry(state.fail("source_unreachable", f"could not connect to {target}: {why}"))

    async def _handle(self, state: _State, resp: aiohttp.ClientResponse) -> FetchedPage | URL:
        status = resp.status
        if status in _REDIRECTS:
            return self._redirect_target(state, resp)
        if 200 <= status < 300:
            return await self._read_page(state, resp)
        said = f"the server answered {_status_text(status)}"
        wait = _retry_after(resp.headers.get(hdrs.RETRY_AFTER), time.time())
        if status in (403, 429, 503) and not state.want_json:
            wall = bot_wall(await _peek_text(resp), resp.headers)
            if wall is not None:
                # A bot check is no outage: retrying would only meet it again.
                raise state.fail(
                    "source_blocked",
                    f"{said} with {wall} instead of the page: "
                    "the site refuses automated readers like this bot",
                    status,
                )
        if status in _BLOCKED:
            failure = state.fail("source_blocked", f"{said}: {_BLOCKED[status]}", status)
            if status == 429:
                raise _Retry(failure, wait)
            raise failure
        if status in _GONE:
            raise state.fail("source_gone", f"{said}: {_GONE[status]}", status)
        if status >= 500:
            raise _Retry(
                state.fail("source_unreachable", f"{said}: the site is having trouble", status),
                wait,
            )
        if 300 <= status < 400:
            raise state.fail("source_unreachable", f"{said} without a page to follow", status)
        raise state.fail("source_unreachable", f"{said}, so the page could not be read", status)

    def _redirect_target(self, state: _State, resp: aiohttp.ClientResponse) -> URL:
        said = f"the server answered {_status_text(resp.status)}"
        location = resp.headers.get(hdrs.LOCATION, "").strip()
        if not location:
            raise state.fail(
                "source_unreachable", f"{said} but gave no address to go to", resp.status
            )
        return _resolve_target(state, resp.url, location, said, resp.status)

    def _refresh_target(self, state: _State, page: FetchedPage) -> URL | None:
        """Where a page that only says ``<meta http-equiv="refresh" content="0; url=...">`` leads.

        Followed like an HTTP redirect (same hop budget, same address guard on the next request);
        a page with real text of its own is kept, whatever its refresh says.
        """
        if page.content_type not in ("text/html", "application/xhtml+xml"):
            return None
        location = meta_refresh_url(page.text)
        if location is None:
            return None
        said = "the page redirected with a <meta> refresh"
        return _resolve_target(state, URL(page.final_url), location, said, page.status)

    async def _read_page(self, state: _State, resp: aiohttp.ClientResponse) -> FetchedPage:
        cap = self.config.max_bytes
        content_type = resp.headers.get(hdrs.CONTENT_TYPE)
        mime = mime_of(content_type)
        wanted = (
            _is_json_mime(mime) or is_text_mime(mime) or mime in SNIFF_MIMES
            if state.want_json
            else mime in SNIFF_MIMES or is_text_mime(mime) or mime in PDF_MIMES
        )
        if not wanted:
            what = "an API answer (JSON)" if state.want_json else "a web page, plain text or PDF"
            raise state.fail(
                "source_unsupported",
                f"the link leads to {describe_mime(mime)} ({mime}), not {what}; "
                "only HTML, text and PDF sources can be checked",
                resp.status,
                final=True,
            )
        coding = resp.headers.get(hdrs.CONTENT_ENCODING, "")
        try:
            decoder = make_decoder(coding)
        except UnknownCoding:
            raise state.fail(
                "source_unsupported",
                f"the server compressed the page as {_short(coding, 40)!r}, which cannot be read",
                resp.status,
            ) from None
        declared = resp.content_length
        try:
            if declared is not None and declared > cap:
                raise TooLarge(f"the server announced {_size(declared)}, more than")
            raw = await read_capped(resp.content.iter_chunked(CHUNK), decoder, cap)
        except TooLarge as big:
            resp.close()
            raise state.fail(
                "source_unreachable",
                f"the page is too large: {big.what} the {_size(cap)} limit ([fetch] max_bytes)",
                resp.status,
                final=True,
            ) from None
        except (zlib.error, brotli.error):
            raise state.fail(
                "source_unreachable",
                f"the page's compressed data ({_short(coding, 40)}) is corrupt",
                resp.status,
            ) from None
        if not state.want_json and (mime in PDF_MIMES or raw[:64].lstrip().startswith(b"%PDF-")):
            return await self._pdf_page(state, resp, raw, mime)
        magic = magic_kind(raw)
        if mime in SNIFF_MIMES:
            binary = BINARY_BYTES.search(raw, 0, 4096) and read_bom(raw)[0] is None
            if magic is not None or binary:
                shown = mime or "no content type"
                raise state.fail(
                    "source_unsupported",
                    f"the link leads to {magic or 'binary data'} ({shown}), not a web page or text",
                    resp.status,
                    final=True,
                )
            head = raw[:1024].removeprefix(b"\xef\xbb\xbf")
            mime = "text/html" if HTML_START.match(head) else "text/plain"
        elif magic is None and mostly_binary(raw, content_type):
            raise state.fail(
                "source_unsupported",
                f"the server calls it {mime} but sent binary data, not text",
                resp.status,
                final=True,
            )
        elif magic is not None:
            raise state.fail(
                "source_unsupported",
                f"the server calls it {mime} but sent {magic}; only HTML, text and PDF can be checked",
                resp.status,
                final=True,
            )
        charset, text = decode_text(raw, mime, content_type)
        if is_markup(mime) and not state.want_json:
            wall = bot_wall(text, resp.headers)
            if wall is not None:
                raise state.fail(
                    "source_blocked",
                    f"the site answered with {wall} instead of the page: "
                    "it refuses automated readers like this bot",
                    resp.status,
                )
        return FetchedPage(
            url=state.url,
            final_url=str(resp.url),
            status=resp.status,
            content_type=mime,
            charset=charset,
            text=text,
            sha256=hashlib.sha256(raw).hexdigest(),
            fetched_at=time.time(),
            utf8=utf8_body(raw, charset, text),
        )

    async def _pdf_page(
        self, state: _State, resp: aiohttp.ClientResponse, raw: bytes, mime: str
    ) -> FetchedPage:
        """The text layer of a PDF, read in a worker thread within the fetch's time budget."""
        shown = mime or "no content type"
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + max(0.0, state.deadline - loop.time())
        try:
            doc = await asyncio.to_thread(
                read_pdf,
                raw,
                max_pages=self.config.pdf_max_pages,
                max_output=self.config.max_bytes,
                deadline=deadline,
            )
        except PdfError as err:
            raise state.fail(
                "source_unsupported",
                f"the link leads to a PDF document ({shown}) that cannot be read: {err}",
                resp.status,
                final=True,
            ) from None
        if not doc.has_text:
            raise state.fail(
                "source_unsupported",
                f"the link leads to a PDF document ({shown}) without a text layer (probably "
                "scanned pages); its text can be supplied as a file instead",
                resp.status,
                final=True,
            )
        return FetchedPage(
            url=state.url,
            final_url=str(resp.url),
            status=resp.status,
            content_type=PDF_MIME,
            charset="",
            text=doc.text,
            sha256=hashlib.sha256(raw).hexdigest(),
            fetched_at=time.time(),
            doc_meta=doc.meta,
            raw=raw,
        )


def utf8_body(raw: bytes, charset: str, text: str) -> bytes | None:
    """``raw`` if ``text`` is its UTF-8 decoding byte for byte, else None.

    Decoding replaces bad bytes with U+FFFD, so a UTF-8 text without one came from valid UTF-8;
    a BOM is not part of the text.
    """
    if charset != "utf-8" or raw.startswith(codecs.BOM_UTF8) or "\ufffd" in text:
        return None
    return raw


_PEEK_BYTES = 64 * 1024


async def _peek_text(resp: aiohttp.ClientResponse) -> str:
    """The start of an error page's HTML (to recognise a bot wall), or "" when it is not HTML."""
    mime = mime_of(resp.headers.get(hdrs.CONTENT_TYPE))
    if not is_markup(mime):
        return ""
    try:
        decoder = make_decoder(resp.headers.get(hdrs.CONTENT_ENCODING, ""))
        out = bytearray()
        async for chunk in resp.content.iter_chunked(CHUNK):
            out += decoder.feed(chunk, _PEEK_BYTES - len(out))
            if len(out) >= _PEEK_BYTES:
                break
        return decode_text(bytes(out[:_PEEK_BYTES]), mime, resp.headers.get(hdrs.CONTENT_TYPE))[1]
    except (TooLarge, UnknownCoding, zlib.error, brotli.error, aiohttp.ClientError):
        return ""


def _is_json_mime(mime: str) -> bool:
    return mime in (
        "application/json",
        "text/json",
        "application/javascript",
        "text/javascript",
    ) or (mime.startswith("application/") and mime.endswith("+json"))


def _resolve_target(state: _State, base: URL, location: str, said: str, status: int) -> URL:
    """An absolute http(s) address for a redirect, or FetchFailure saying what is wrong with it."""
    try:
        target = base.join(URL(location))
    except (ValueError, TypeError):
        target = None
    if target is None or not _valid_host(target.raw_host):
        raise state.fail(
            "source_unreachable",
            f"{said} and redirected to an invalid address ({_short(location, 80)!r})",
            status,
        )
    if target.scheme not in ("http", "https"):
        raise state.fail(
            "source_unreachable",
            f"{said} and redirected to a {target.scheme}: address; only http and https are followed",
            status,
        )
    return target.with_fragment(None)


_REFRESH = re.compile(r"http-equiv\s*=\s*[\"']?\s*refresh", re.IGNORECASE)
_REFRESH_CONTENT = re.compile(
    r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(?P<q>[\"']?)(?P<url>.*?)(?P=q)\s*$",
    re.IGNORECASE | re.DOTALL,
)
# A page "is only a redirect" when it shows fewer visible characters than this.
REFRESH_MAX_TEXT = 500


def meta_refresh_url(html: str) -> str | None:
    """The address a redirect-only page's ``<meta http-equiv="refresh">`` names, else None."""
    if not _REFRESH.search(html[:100_000]):
        return None
    tree = LexborHTMLParser(html[:1_000_000])
    for node in tree.css("meta[http-equiv]"):
        if (node.attributes.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        match = _REFRESH_CONTENT.match(node.attributes.get("content") or "")
        url = match.group("url").strip() if match else ""
        if url and visible_chars(html) < REFRESH_MAX_TEXT:
            return url
        return None
    return None
