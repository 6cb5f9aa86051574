"""Source text a member or moderator supplies (paywalled pages, books, PDFs, transcripts).

``source_from_bytes`` turns an uploaded file (``verify --source-file``, a Discord attachment)
into the same FetchedPage a fetch gives, marked ``via="pasted"``, so the one verdict path judges
it. Files are hostile input: size-capped, typed by extension and checked by sniffing.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from bot.decode import decode_text
from bot.fetch import FetchedPage
from bot.pdf import PDF_MIME, PdfError, read_pdf

SUPPORTED = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": PDF_MIME,
}
SUPPORTED_NAMES = ".txt, .html, .htm or .pdf"
PDF_SECONDS = 30.0  # a supplied PDF gets as long to read as a fetched one by default
_HTML_START = re.compile(
    rb"\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<title|<article|<p[\s>]|<div)", re.I
)
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_MAGIC = (
    (b"\x89PNG", "an image"),
    (b"GIF8", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"PK\x03\x04", "a zip archive or office document (save it as .txt or .pdf)"),
    (b"\xd0\xcf\x11\xe0", "an old office document (save it as .txt or .pdf)"),
    (b"{\\rtf", "an RTF document (save it as .txt or .pdf)"),
)


class SuppliedSourceError(ValueError):
    """A supplied file that cannot be used; the message says what is wrong and what is expected."""


def _size(n: int) -> str:
    return f"{n / 1_000_000:.3g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _sniff(data: bytes) -> str | None:
    """The type the bytes themselves show: a PDF MIME, "text/html", "text/plain", or None."""
    head = data[:1024].removeprefix(b"\xef\xbb\xbf")
    if head.lstrip().startswith(b"%PDF-"):
        return PDF_MIME
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte order mark
        return "text/plain"
    if _BINARY.search(data, 0, 8192):
        return None
    return "text/html" if _HTML_START.match(head) else "text/plain"


def source_from_bytes(
    data: bytes,
    filename: str,
    *,
    url: str = "",
    max_bytes: int = 10_000_000,
    max_pdf_pages: int = 2000,
    pdf_seconds: float = PDF_SECONDS,
) -> FetchedPage:
    """A supplied file as a page to judge; raises SuppliedSourceError saying what is wrong.

    Reading a PDF is CPU work: call this in a thread (``asyncio.to_thread``) from async code.
    """
    name = os.path.basename(filename.replace("\\", "/"))[:200] or "the file"
    if len(data) > max_bytes:
        raise SuppliedSourceError(
            f"{name} is {_size(len(data))}; supplied sources may be at most {_size(max_bytes)}"
        )
    if not data.strip():
        raise SuppliedSourceError(f"{name} is empty; it must hold the source's text")
    ext = Path(name).suffix.lower()
    declared = SUPPORTED.get(ext)
    if ext and declared is None:
        raise SuppliedSourceError(
            f"{name}: {ext} files cannot be read; supply the source as a {SUPPORTED_NAMES} file"
        )
    sniffed = _sniff(data)
    if sniffed is None:
        what = next((kind for magic, kind in _MAGIC if data.startswith(magic)), "binary data")
        raise SuppliedSourceError(f"{name} is {what}, not text; supply a {SUPPORTED_NAMES} file")
    if declared == PDF_MIME and sniffed != PDF_MIME:
        raise SuppliedSourceError(f"{name} is named .pdf but is not a PDF document")
    mime = sniffed if sniffed == PDF_MIME or declared is None else declared
    meta: tuple[tuple[str, str], ...] = (("file", name),)
    if mime == PDF_MIME:
        try:
            doc = read_pdf(
                data,
                max_pages=max_pdf_pages,
                max_output=max_bytes,
                deadline=time.monotonic() + pdf_seconds,
            )
        except PdfError as err:
            raise SuppliedSourceError(f"{name}: {err}") from None
        if not doc.has_text:
            raise SuppliedSourceError(
                f"{name} is a PDF without a text layer (probably scanned pages); "
                "supply its text as a .txt file"
            )
        charset, text, meta = "", doc.text, meta + doc.meta
    else:
        charset, text = decode_text(data, mime, None)
        if not any(ch.isalnum() for ch in text):
            raise SuppliedSourceError(f"{name} holds no readable text")
    return FetchedPage(
        url=url,
        final_url=url,
        status=0,
        content_type=mime,
        charset=charset,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        fetched_at=time.time(),
        via="pasted",
        doc_meta=meta,
        raw=data if mime == PDF_MIME else None,
    )


def source_from_text(text: str, *, url: str = "", max_bytes: int = 10_000_000) -> FetchedPage:
    """Text typed or pasted into a form (a Discord modal field) as a plain-text source."""
    return source_from_bytes(text.encode("utf-8"), "pasted.txt", url=url, max_bytes=max_bytes)


def read_source_file(
    path: Path, *, url: str = "", max_bytes: int = 10_000_000, max_pdf_pages: int = 2000
) -> FetchedPage:
    """A file on disk (``verify --source-file``): its size is checked before it is read."""
    try:
        info = path.stat()
    except OSError as exc:
        raise SuppliedSourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not path.is_file():
        raise SuppliedSourceError(f"{path} is not a file")
    if info.st_size > max_bytes:
        raise SuppliedSourceError(
            f"{path.name} is {_size(info.st_size)}; supplied sources may be at most "
            f"{_size(max_bytes)} ([pasted] max_bytes)"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SuppliedSourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return source_from_bytes(
        data, path.name, url=url, max_bytes=max_bytes, max_pdf_pages=max_pdf_pages
    )
