"""The benchmark corpus: real pages with their ground truth, and a local server that plays the web.

The corpus lives outside the repository (``../shared/corpus``; see ../shared/README.md) because the
pages belong to their publishers. Nothing here uses Verbatim's own extractor: the ground truth and
the text used to check it are read with lxml, so the benchmark cannot agree with itself by accident.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import random
import re
import socket
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from aiohttp import web
from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
AEB_DIR = "article-extraction-benchmark"
RDB_DIR = "readability-test-pages"


class CorpusError(Exception):
    """The corpus directory is missing or unreadable; the message says what was expected."""


@dataclass
class Page:
    """One corpus page: its HTML on disk and what a careful reader knows about it."""

    id: str  # "aeb/<sha>" or "rdb/<name>": also its path on the local server
    html_path: Path
    truth: str  # the article text, paragraphs separated by "\n"
    url: str | None = None  # the address it was saved from (article-extraction-benchmark)
    authors: tuple[str, ...] = ()  # person names from the byline (readability pages)
    byline: str | None = None  # the raw byline as Readability read it
    year: int | None = None  # publication year (readability pages with publishedTime)
    lang: str | None = None
    _raw: bytes | None = field(default=None, repr=False)

    @property
    def collection(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def path(self) -> str:
        return f"/page/{self.id}"

    def raw(self) -> bytes:
        if self._raw is None:
            data = self.html_path.read_bytes()
            self._raw = gzip.decompress(data) if self.html_path.suffix == ".gz" else data
        return self._raw

    def html(self) -> str:
        return decode_html(self.raw())


# --------------------------------------------------------------------------- decoding and text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def decode_html(raw: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8 (all corpus pages are), else the declared charset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(raw[:20_000])
    if m:
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return raw.decode(m.group(1).decode("ascii"))
    return raw.decode("cp1252", errors="replace")


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one string (long word lists read better that way)."""
    return frozenset(text.split())


_BLOCK_TAGS = wordset(
    """address article aside blockquote body br dd details div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td
    tfoot th thead tr ul caption title option"""
)
_DROP_TAGS = ("script", "style", "noscript", "template")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _parse(html: str) -> etree._Element | None:
    html = _XML_DECL.sub("", html)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def html_text(html: str, *, skip_code: bool = False) -> str:
    """Text of an HTML document with a line break around every block element (lxml, not ours)."""
    root = _parse(html)
    if root is None:
        return ""
    drop = _DROP_TAGS + (("pre",) if skip_code else ())
    for el in list(root.iter(*drop)):
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    text: str = root.text_content()
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def jsonld_strings(html: str) -> list[str]:
    """Every string value in the page's JSON-LD blocks (article text some pages carry only there)."""
    root = _parse(html)
    if root is None:
        return []
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            if len(value) >= 20:
                out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        with contextlib.suppress(ValueError):
            walk(json.loads(script.text or ""))
    return out


# --------------------------------------------------------------------------- bylines

# Readability bylines that name no person (organisations, placeholders, labels).
NOT_PEOPLE = frozenset(
    {
        "bbc news",
        "contributors to wikimedia projects",
        "organization for transformative works",
        "mac & i",
        "dublin core property author",
        "creator name",
        "follow author",
        "個人",
        "史蒂文的家_藍天 (stevenhgm)",
        "青网校园崔宁宁",
    }
)
# Readability bylines that the page itself contradicts, checked by hand. The labels are kept as the
# corpus gives them; a miss on one of these pages is reported with this note so it can be read.
DISPUTED_BYLINES = {
    "rdb/herald-sun-1": "the page's article:author meta and its column section name Laurie Oakes; "
    "'JOE HILDEBRAND' is the byline of a teaser for another story (dated 2015-03-21)",
    "rdb/liberation-1": "itemprop=author is AFP; Sébastien Farcis signs a related story in the "
    "'Sur le même sujet' box",
    "rdb/salon-1": "rel=author and the page's analytics name Richard (R.J.) Eskow; the Joanna "
    "Rothkopf links are bylines of 'most read' stories in a sidebar",
}
# A byline written surname first, which no general rule reads right.
BYLINE_OVERRIDES = {"Jong, Michiel de": ("Michiel de Jong",)}

_MONTHS = sorted(
    wordset(
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)
_BYLINE_STOP = re.compile(
    r"\d|\b(?:edited by|updated|published|posted)\b|\b(?:" + "|".join(_MONTHS) + r")\.?\s+\d",
    re.IGNORECASE,
)
_BYLINE_LEAD = re.compile(r"^(?:written\s+by|by|par|von|por)\b[:\s]*", re.IGNORECASE)
_BYLINE_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bavec\b|\bet\b|\bund\b|\by\b)\s*")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def byline_names(byline: str | None) -> tuple[str, ...]:
    """Person names in a Readability byline ("By Brenda  Goodman, MA\\n  March 2" -> Brenda Goodman)."""
    if not byline:
        return ()
    if byline in BYLINE_OVERRIDES:
        return BYLINE_OVERRIDES[byline]
    if " ".join(byline.split()).lower() in NOT_PEOPLE:
        return ()
    # The first line that says more than "By": later lines hold dates, editors, the desk.
    text = ""
    for line in byline.splitlines():
        text = _BYLINE_LEAD.sub("", " ".join(f"{text} {line}".split()))
        if text:
            break
    text = re.sub(r"\([^)]*\)|https?://\S+", " ", text)
    stop = _BYLINE_STOP.search(text)
    if stop:
        text = text[: stop.start()]
    names: list[str] = []
    for piece in _BYLINE_SPLIT.split(text):
        piece = " ".join(piece.split()).strip(" .:-|")
        words = piece.split()
        latin_name = 2 <= len(words) <= 5 and all(w[0].isupper() for w in words if len(w) > 3)
        if latin_name or _CJK_NAME.match(piece):
            names.append(piece)
    return tuple(names)


def _year(published: str | None) -> int | None:
    if published and re.match(r"^\d{4}", published):
        return int(published[:4])
    return None


# --------------------------------------------------------------------------- loading


def load_corpus(corpus: Path | str) -> list[Page]:
    """All pages of both collections, sorted by id; CorpusError if the directory is not a corpus."""
    root = Path(corpus)
    if not root.is_dir():
        raise CorpusError(
            f"corpus directory {root} does not exist; pass --corpus DIR pointing at a folder with "
            f"{AEB_DIR}/ and/or {RDB_DIR}/ (see ../shared/README.md)"
        )
    pages = _load_aeb(root / AEB_DIR) + _load_rdb(root / RDB_DIR)
    if not pages:
        raise CorpusError(
            f"{root} holds no pages; expected {AEB_DIR}/ground-truth.json with html/<id>.html.gz, "
            f"or {RDB_DIR}/<name>/source.html with expected.html"
        )
    return sorted(pages, key=lambda p: p.id)


def _load_aeb(folder: Path) -> list[Page]:
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        return []
    try:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"cannot read {truth_file}: {exc}") from exc
    pages = []
    for key, item in sorted(truth.items()):
        path = folder / "html" / f"{key}.html.gz"
        if not path.is_file() or not isinstance(item, dict):
            continue
        body = item.get("articleBody") or ""
        pages.append(Page(f"aeb/{key}", path, body, url=item.get("url")))
    return pages


def _load_rdb(folder: Path) -> list[Page]:
    if not folder.is_dir():
        return []
    pages = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        source, expected = sub / "source.html", sub / "expected.html"
        if not source.is_file() or not expected.is_file():
            continue
        meta: dict[str, object] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads((sub / "expected-metadata.json").read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                meta = loaded
        byline = meta.get("byline") if isinstance(meta.get("byline"), str) else None
        published = meta.get("publishedTime")
        lang = meta.get("lang")
        truth = html_text(decode_html(expected.read_bytes()), skip_code=True)
        pages.append(
            Page(
                f"rdb/{sub.name}",
                source,
                truth,
                authors=byline_names(byline),  # type: ignore[arg-type]
                byline=byline,  # type: ignore[arg-type]
                year=_year(published if isinstance(published, str) else None),
                lang=lang if isinstance(lang, str) else None,
            )
        )
    return pages


# --------------------------------------------------------------------------- the local web


WAYBACK_PATH = "/wayback/available"


@dataclass
class Site:
    """A running local server; ``bases`` are its base URLs (one per loopback address bound)."""

    bases: list[str]
    requests: int = 0

    def url(self, path: str, n: int = 0) -> str:
        return self.bases[n % len(self.bases)] + path

    def archive_settings(self) -> dict[str, str]:
        """``[archive]`` settings that keep the archive fallback on, asking this server.

        A benchmark must not reach the internet: with the default endpoints a dead link would be
        looked up at the Wayback Machine. Here the lookup runs the same code and finds no copy.
        """
        return {
            "availability_url": self.url(WAYBACK_PATH),
            "snapshot_base": self.url("/web"),
        }


def _can_bind(host: str) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, 0))
        except OSError:
            return False
    return True


@contextlib.asynccontextmanager
async def serve_corpus(
    pages: Iterable[Page],
    *,
    latency: tuple[float, float] | None = None,
    seed: int = 0,
    hosts: int = 1,
) -> AsyncIterator[Site]:
    """Serve ``pages`` at ``/page/<id>`` on 127.0.0.1 (404 for ``/gone/...`` and anything else;
    an archive availability API at ``/wayback/available`` that knows no snapshots).

    ``latency`` adds a delay drawn per path from a seeded generator, so a run is repeatable.
    ``hosts`` > 1 also binds 127.0.0.2, 127.0.0.3, ... (where the system allows) so that checks
    look like they go to different sites, as they do in real use.
    """
    by_path = {p.path: p for p in pages}
    delays: dict[str, float] = {}
    site = Site([])

    async def handler(request: web.Request) -> web.StreamResponse:
        site.requests += 1
        path = request.path
        if latency is not None:
            if path not in delays:
                delays[path] = random.Random(f"{seed}:{path}").uniform(*latency)
            await asyncio.sleep(delays[path])
        if path == WAYBACK_PATH:  # the archive fallback asks here, and finds no copy
            return web.json_response(
                {"url": request.query.get("url", ""), "archived_snapshots": {}}
            )
        page = by_path.get(path)
        if page is None:
            return web.Response(status=404, text="not found")
        raw = page.raw()
        try:
            raw.decode("utf-8")
            content_type = "text/html; charset=utf-8"
        except UnicodeDecodeError:
            content_type = "text/html"
        return web.Response(body=raw, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    addresses = ["127.0.0.1"] + [
        f"127.0.0.{k}" for k in range(2, min(hosts, 250) + 1) if _can_bind(f"127.0.0.{k}")
    ]
    try:
        for host in addresses:
            tcp = web.TCPSite(runner, host, 0)
            await tcp.start()
            server = tcp._server
            assert server is not None
            port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
            site.bases.append(f"http://{host}:{port}")
        yield site
    finally:
        await runner.cleanup()


def pick(pages: Sequence[Page], limit: int | None, seed: int) -> list[Page]:
    """At most ``limit`` pages, a seeded sample so both collections stay represented."""
    if limit is None or limit >= len(pages):
        return list(pages)
    if limit < 1:
        raise CorpusError("--limit must be at least 1")
    chosen = random.Random(f"{seed}:pages").sample(range(len(pages)), limit)
    return [pages[i] for i in sorted(chosen)]


# --------------------------------------------------------------------------- the machine


def machine_info() -> dict[str, str]:
    """What the figures were measured on: cores, CPU model, Python."""
    import os
    import platform

    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    affinity = getattr(os, "sched_getaffinity", None)
    cpus = len(affinity(0)) if affinity else (os.cpu_count() or 1)
    return {
        "cpus": str(cpus),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "engine": _engine_version(),
    }


def _engine_version() -> str:
    """The commit the figures belong to, and whether bot/ had uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "bot")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not commit:
        return "unknown"
    return commit + (" + uncommitted changes in bot/" if dirty else "")
