"""Web archives as a fallback: when a source refuses us or is gone, read the archive's copy.

The Wayback Machine's availability API names the snapshot closest to a time; the snapshot is then
read in its raw ``id_`` form (the page as captured, without the archive's banner and rewritten
links) through the same guarded Fetcher as any source. Endpoints come from ``[archive]`` so tests
point them at a local fake archive.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace

from yarl import URL

from bot.config import ArchiveConfig
from bot.fetch import FetchedPage, Fetcher, FetchFailure

ARCHIVE_NAME = "the Web Archive"
_TIMESTAMP = re.compile(r"\d{14}")
# .../web/20240101123456/http://example.com/ or .../web/20240101123456id_/http://...
_SNAPSHOT_PATH = re.compile(r"/(\d{14})(?:[a-z]{2}_)?/(https?://.+)$", re.IGNORECASE)


class ArchiveMiss(Exception):
    """No usable archived copy; ``message`` continues a failure's sentence ("; the Web ...")."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Snapshot:
    original_url: str  # the address as the archive captured it
    timestamp: str  # YYYYMMDDhhmmss, UTC
    raw_url: str  # the capture itself: <snapshot_base>/<timestamp>id_/<original_url>
    view_url: str  # the capture as people browse it: <snapshot_base>/<timestamp>/<original_url>

    @property
    def archived_at(self) -> str:
        t = self.timestamp
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"

    @property
    def day(self) -> str:
        return self.archived_at[:10]


@dataclass(frozen=True)
class ArchivedPage:
    page: FetchedPage  # via "archive"
    snapshot: Snapshot


def wayback_timestamp(at: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(at))


class Archive:
    """Looks sources up in the web archive configured in ``[archive]``."""

    def __init__(self, config: ArchiveConfig, fetcher: Fetcher) -> None:
        self.config = config
        self.fetcher = fetcher

    @property
    def enabled(self) -> bool:
        return self.config.enabled and bool(self.config.availability_url)

    def _snapshot(self, timestamp: str, original: str) -> Snapshot:
        base = self.config.snapshot_base.rstrip("/")
        return Snapshot(
            original_url=original,
            timestamp=timestamp,
            raw_url=f"{base}/{timestamp}id_/{original}",
            view_url=f"{base}/{timestamp}/{original}",
        )

    async def closest(self, url: str, *, near: float | None = None) -> Snapshot | None:
        """The capture of ``url`` closest to ``near`` (epoch seconds; None: the newest), or None.

        Raises ArchiveMiss when the archive cannot be asked.
        """
        query = {"url": url}
        if near is not None:
            query["timestamp"] = wayback_timestamp(near)
        try:
            api = str(URL(self.config.availability_url).update_query(query))
        except (ValueError, TypeError):
            raise ArchiveMiss(f"{ARCHIVE_NAME}'s address in the config is not valid") from None
        try:
            answer = await self.fetcher.fetch_json(api)
        except FetchFailure as failure:
            raise ArchiveMiss(
                f"{ARCHIVE_NAME} could not be asked for a copy ({failure.message})"
            ) from None
        closest = _closest(answer)
        if closest is None:
            return None
        timestamp, original = closest
        return self._snapshot(timestamp, original if original else url)

    async def fetch(self, url: str, *, near: float | None = None) -> ArchivedPage:
        """The archived copy of ``url`` (closest to ``near``), read; raises ArchiveMiss."""
        snapshot = await self.closest(url, near=near)
        if snapshot is None:
            raise ArchiveMiss(f"{ARCHIVE_NAME} has no copy of it either")
        try:
            page = await self.fetcher.fetch(snapshot.raw_url)
        except FetchFailure as failure:
            raise ArchiveMiss(
                f"{ARCHIVE_NAME}'s copy of {snapshot.day} could not be read either "
                f"({failure.message})"
            ) from None
        # The archive may answer with a neighbouring capture (a redirect to another timestamp).
        moved = _SNAPSHOT_PATH.search(URL(page.final_url).path_qs if page.final_url else "")
        if moved and moved.group(1) != snapshot.timestamp:
            snapshot = self._snapshot(moved.group(1), snapshot.original_url)
        return ArchivedPage(replace(page, via="archive"), snapshot)


def _closest(answer: object) -> tuple[str, str] | None:
    """(timestamp, archived address) of a good capture in an availability answer, else None."""
    if not isinstance(answer, dict):
        return None
    snapshots = answer.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    timestamp = str(closest.get("timestamp", ""))
    status = str(closest.get("status", "200"))
    if not _TIMESTAMP.fullmatch(timestamp) or not status.startswith("2"):
        return None  # a captured redirect or error page is no copy of the text
    found = _SNAPSHOT_PATH.search(str(closest.get("url", "")))
    return timestamp, found.group(2) if found else ""
