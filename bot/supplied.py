"""Source text supplied with a submission, between the member's file and the stored record.

A member attaches a file to a quote post or pastes text into the form; a moderator supplies a
file for an existing submission. :func:`read_supplied` reads it once (a PDF in a thread), the
service stores the file and its text (``bot/storage/supplied.py``), and every later check,
after a restart too, is made against :func:`stored_page`, the same page rebuilt from the record.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.fetch import FetchedPage
from bot.pasted import SUPPORTED, SUPPORTED_NAMES, SuppliedSourceError, source_from_bytes
from bot.storage.log import epoch
from bot.storage.supplied import SuppliedRecord


@dataclass(frozen=True)
class SuppliedFile:
    """A supplied source that was read: the file as given and the page judged from it."""

    filename: str
    data: bytes
    page: FetchedPage


def size_words(n: int) -> str:
    return f"{n / 1_000_000:.3g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def accepted(max_bytes: int) -> str:
    """What a supplied source may be, for messages that refuse one."""
    return f"a {SUPPORTED_NAMES} file of at most {size_words(max_bytes)}"


def check_declared(filename: str, size: int, max_bytes: int) -> None:
    """Refuse by name and announced size, before anything is downloaded."""
    name = Path(filename).name or "the file"
    ext = Path(name).suffix.lower()
    if ext and ext not in SUPPORTED:
        raise SuppliedSourceError(
            f"{name}: {ext} files cannot be read; supply the source as {accepted(max_bytes)}"
        )
    if size > max_bytes:
        raise SuppliedSourceError(
            f"{name} is {size_words(size)}; supply the source as {accepted(max_bytes)}"
        )


async def read_supplied(
    data: bytes, filename: str, *, max_bytes: int, url: str = ""
) -> SuppliedFile:
    """Read a supplied file (reading a PDF is CPU work, so it runs in a thread).

    Every refusal says what would be accepted."""
    try:
        page = await asyncio.to_thread(
            source_from_bytes, data, filename, url=url, max_bytes=max_bytes
        )
    except SuppliedSourceError as err:
        if ".txt" in str(err):
            raise
        raise SuppliedSourceError(f"{err}; supply the source as {accepted(max_bytes)}") from None
    return SuppliedFile(filename=Path(filename).name or "the file", data=data, page=page)


def text_supplied(text: str, *, max_bytes: int, url: str = "") -> SuppliedFile:
    """Text pasted into a form, as a plain-text source."""
    data = text.encode("utf-8")
    page = source_from_bytes(data, "pasted.txt", url=url, max_bytes=max_bytes)
    return SuppliedFile(filename="pasted.txt", data=data, page=page)


def stored_page(record: SuppliedRecord, url: str) -> FetchedPage:
    """The page a stored supplied source gives, without reading its file again."""
    return FetchedPage(
        url=url,
        final_url=url,
        status=0,
        content_type=record.content_type,
        charset=record.charset,
        text=record.text,
        sha256=record.sha256,
        fetched_at=epoch(record.created_at),
        via="pasted",
        doc_meta=record.meta,
    )


__all__ = [
    "SuppliedFile",
    "SuppliedSourceError",
    "accepted",
    "check_declared",
    "read_supplied",
    "stored_page",
    "text_supplied",
]
