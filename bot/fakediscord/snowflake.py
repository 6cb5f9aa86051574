"""Discord-style snowflake ids and timestamps, so ids sort by creation like the real ones."""

from __future__ import annotations

import datetime as dt
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeGenerator:
    """Hands out strictly increasing snowflakes built from the wall clock.

    discord.py derives `created_at` from the id and sorts caches by it, so ids must carry a
    plausible timestamp and never repeat, even when many are made within one millisecond.
    """

    def __init__(self, worker_id: int = 1, process_id: int = 1) -> None:
        self._prefix = ((worker_id & 0x1F) << 17) | ((process_id & 0x1F) << 12)
        self._last = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (now_ms << 22) | self._prefix
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        return candidate


def snowflake_time(snowflake: int) -> dt.datetime:
    """When a snowflake was made (UTC)."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def iso_now() -> str:
    """The timestamp format Discord uses in payloads (ISO 8601 with offset)."""
    return dt.datetime.now(tz=dt.UTC).isoformat()
