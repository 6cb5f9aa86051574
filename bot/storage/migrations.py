"""Numbered schema migrations. Append only: a released migration is never edited."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def m001_page_cache(db: sqlite_utils.Database) -> None:
    """Fetched pages, so a source linked by many posts is read once per TTL."""
    db["pages"].create(  # type: ignore[union-attr]
        {
            "url": str,
            "final_url": str,
            "status": int,
            "content_type": str,
            "charset": str,
            "fetched_at": float,
            "sha256": str,
            "text": str,
        },
        pk="url",
    )
    db["pages"].create_index(["fetched_at"])  # type: ignore[union-attr]


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    m001_page_cache,
]
