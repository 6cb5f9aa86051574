"""PDF sources: the text layer, page by page, so a verdict can say on which page a quote sits.

pypdf reads the text (see the README for why it and not pdfminer.six). The pages of a document
travel as one string with a form feed between pages (as ``pdftotext`` writes them), so a page
cache row or a pasted file keeps its page numbers without any extra structure.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

import pypdf
from pypdf.errors import FileNotDecryptedError

from bot.extract import Block, ExtractedPage, PageMeta
from bot.models import Match

log = logging.getLogger(__name__)
# pypdf warns about every flaw of a damaged file; hostile sources must not flood the bot's log.
logging.getLogger("pypdf").setLevel(logging.ERROR)

PDF_MIME = "application/pdf"
PDF_MIMES = frozenset({PDF_MIME, "application/x-pdf", "application/acrobat", "text/pdf"})
PAGE_BREAK = "\f"
_META_MAX_CHARS = 300
# Ordinary hyphenation at a line end ("infra-\nstructure"): rejoin, so the word can be matched.
_LINE_HYPHEN = re.compile(r"(?<=[a-zà-ÿ])-\n(?=[a-zà-ÿ])")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class PdfError(Exception):
    """A PDF whose text cannot be had; the message is one plain line for people."""


@dataclass(frozen=True)
class PdfText:
    text: str  # page texts joined by PAGE_BREAK
    page_count: int  # pages in the document (may exceed the pages read)
    pages_read: int
    meta: tuple[tuple[str, str], ...]  # ("title", ...), ("author", ...) from the document info

    @property
    def has_text(self) -> bool:
        return any(ch.isalnum() for ch in self.text)


def is_pdf(data: bytes) -> bool:
    """PDF readers accept the header anywhere in the first KB (some files start with junk)."""
    return b"%PDF-" in data[:1024]


def _clean_meta(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub(" ", value).split())[:_META_MAX_CHARS]
    return text or None


def read_pdf(
    data: bytes, *, max_pages: int, max_output: int, deadline: float | None = None
) -> PdfText:
    """The text layer of ``data``, page by page; raises PdfError saying what is wrong.

    ``max_output`` caps every decompressed stream (a PDF can hold a compression bomb too);
    ``deadline`` (``time.monotonic()``) stops a slow document between pages.
    """
    try:
        with pypdf.apply_configuration(
            zlib_maximum_output_length=max_output,
            lzw_maximum_output_length=max_output,
            run_length_maximum_output_length=max_output,
            brotli_maximum_output_length=max_output,
            array_based_stream_maximum_output_length=max_output,
            maximum_declared_stream_length=max_output,
            image_maximum_buffer_size=max_output,
        ):
            return _read(data, max_pages, deadline)
    except PdfError:
        raise
    except FileNotDecryptedError:
        raise PdfError("the PDF is password-protected, so its text cannot be read") from None
    except RecursionError:
        raise PdfError("the PDF is damaged (its structure nests without end)") from None
    except Exception as exc:  # pypdf raises many kinds on hostile files; none may crash a check
        log.info("unreadable PDF: %s: %s", type(exc).__name__, exc)
        raise PdfError(
            f"the PDF is damaged or in a form that cannot be read ({type(exc).__name__})"
        ) from None


def _read(data: bytes, max_pages: int, deadline: float | None) -> PdfText:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise PdfError("the PDF is password-protected, so its text cannot be read")
    total = len(reader.pages)
    texts: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        if number > max_pages:
            break
        if deadline is not None and time.monotonic() > deadline:
            raise PdfError(f"reading the PDF took too long (stopped at page {number} of {total})")
        text = page.extract_text() or ""
        texts.append(_CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")))
    info = reader.metadata
    meta: list[tuple[str, str]] = []
    if info is not None:
        for key, name in (("title", info.title), ("author", info.author)):
            value = _clean_meta(name)
            if value:
                meta.append((key, value))
    return PdfText(PAGE_BREAK.join(texts), total, len(texts), tuple(meta))


@dataclass(frozen=True)
class PdfDocument:
    """A PDF's text as an ExtractedPage, with where each page starts in its text."""

    page: ExtractedPage
    block_starts: tuple[int, ...]  # offset in full_text of each block
    block_pages: tuple[int, ...]  # 1-based page of each block

    def pages_of(self, matches: Iterable[Match]) -> list[int]:
        """The pages the matched stretches of source text lie on, in order."""
        found: set[int] = set()
        for m in matches:
            first = bisect.bisect_right(self.block_starts, m.source_start) - 1
            last = bisect.bisect_right(self.block_starts, max(m.source_start, m.source_end - 1)) - 1
            for i in range(max(first, 0), max(last, 0) + 1):
                found.add(self.block_pages[i])
        return sorted(found)


def pdf_document(text: str, meta: Iterable[tuple[str, str]] = ()) -> PdfDocument:
    """Paragraphs of every page, all main text (a PDF has no navigation to leave out)."""
    info = dict(meta)
    blocks: list[Block] = []
    starts: list[int] = []
    pages: list[int] = []
    offset = 0
    for number, page_text in enumerate(text.split(PAGE_BREAK), start=1):
        # A PDF line break is only where the layout wrapped; paragraphs are blank-line separated.
        for para in _PARAGRAPH.split(_LINE_HYPHEN.sub("", page_text)):
            block = Block(" ".join(para.split()), "paragraph", True)
            if not block.text:
                continue
            if blocks:
                offset += 2  # the "\n\n" between blocks
            starts.append(offset)
            pages.append(number)
            blocks.append(block)
            offset += len(block.text)
    full = "\n\n".join(b.text for b in blocks)
    page = ExtractedPage(
        meta=PageMeta(title=info.get("title")),
        blocks=tuple(blocks),
        main_text=full,
        full_text=full,
    )
    return PdfDocument(page, tuple(starts), tuple(pages))
