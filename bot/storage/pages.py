"""The page cache: a source linked by many posts is fetched once per TTL, not once per post."""

from __future__ import annotations

import json
import time

import sqlite_utils

from bot.fetch import FetchedPage

_COLUMNS = (
    "url",
    "final_url",
    "status",
    "content_type",
    "charset",
    "fetched_at",
    "sha256",
    "text",
    "meta_json",
)


class PageCache:
    """Successful fetches keyed by the URL as requested; entries older than ``ttl`` are ignored."""

    def __init__(self, db: sqlite_utils.Database, ttl: float) -> None:
        self._db = db
        self.ttl = ttl

    def get(self, url: str, *, now: float | None = None) -> FetchedPage | None:
        """The cached page for ``url``, or None when absent or stale."""
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM pages WHERE url = ?", [url]
        ).fetchone()
        if row is None:
            return None
        values = dict(zip(_COLUMNS, row, strict=True))
        current = time.time() if now is None else now
        if float(values["fetched_at"]) + self.ttl <= current:
            return None
        meta = json.loads(values.pop("meta_json") or "[]")
        doc_meta = tuple((str(k), str(v)) for k, v in meta)
        return FetchedPage(**values, via="cache", doc_meta=doc_meta)

    def put(self, page: FetchedPage) -> None:
        """Store (or replace) ``page``; with a TTL of zero nothing is kept."""
        if self.ttl <= 0:
            return
        record = {c: getattr(page, c) for c in _COLUMNS if c != "meta_json"}
        record["meta_json"] = (
            json.dumps([list(pair) for pair in page.doc_meta]) if page.doc_meta else None
        )
        with self._db.conn:
            self._db.execute(
                f"INSERT OR REPLACE INTO pages ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
                [record[c] for c in _COLUMNS],
            )

    def prune(self, *, now: float | None = None) -> int:
        """Delete stale entries; returns how many went."""
        current = time.time() if now is None else now
        with self._db.conn:
            cursor = self._db.execute(
                "DELETE FROM pages WHERE fetched_at + ? <= ?", [self.ttl, current]
            )
        return int(cursor.rowcount)
