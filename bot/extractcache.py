"""Extracted pages kept in memory for the next quote checked against the same page.

Members often check several quotes from one article, and re-checks come back to the same pages.
Extracting a page (parse, walk, metadata) costs a few milliseconds; matching one quote in its
tokens costs a tenth of a millisecond. ``check_page(..., cache=ExtractionCache())`` keeps the
last pages' ``ExtractedPage``, which also keeps the tokens of its main and full text once
``judge_text`` has made them, so a second quote on a page costs only its matching.

Entries are keyed by the page's sha256, content type and final URL, and a hit is only taken when
the text is the same too, so a made-up or colliding hash can never return another page's text.
The cache is bounded by pages and by characters (a page's tokens take several times its text).
A page's extraction does not depend on the quote, so a hit gives exactly the result a fresh
extraction would. Nothing uses it unless it is passed in: timings of ``check_page`` without it
are the cost of a first quote on a page.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from bot.extract import ExtractedPage, extract
from bot.fetch import FetchedPage

__all__ = ["ExtractionCache"]


@dataclass
class _Entry:
    text: str
    page: ExtractedPage
    weight: int


class ExtractionCache:
    """A least-recently-used table of extracted pages; safe to share between threads."""

    def __init__(self, max_pages: int = 32, max_chars: int = 8_000_000) -> None:
        if max_pages < 1 or max_chars < 1:
            raise ValueError("an extraction cache needs room for at least one page")
        self.max_pages = max_pages
        self.max_chars = max_chars  # page text + extracted texts, summed over the entries
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def extract(self, page: FetchedPage) -> ExtractedPage:
        """``extract(page.text, page.content_type, page.final_url, page.utf8)``, from memory when
        it can."""
        key = (page.sha256, page.content_type, page.final_url)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (entry.text is page.text or entry.text == page.text):
                self._entries.move_to_end(key)
                self.hits += 1
                return entry.page
            self.misses += 1
        extracted = extract(page.text, page.content_type, page.final_url, page.utf8)
        weight = len(page.text) + len(extracted.full_text) + len(extracted.main_text)
        if weight <= self.max_chars:
            with self._lock:
                old = self._entries.pop(key, None)
                if old is not None:
                    self._weight -= old.weight
                self._entries[key] = _Entry(page.text, extracted, weight)
                self._weight += weight
                while len(self._entries) > self.max_pages or self._weight > self.max_chars:
                    _, dropped = self._entries.popitem(last=False)
                    self._weight -= dropped.weight
        return extracted

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0
