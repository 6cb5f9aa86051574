"""``verify --batch``: many checks at once, results in input order, one bad line never stops the rest."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TextIO

from bot.models import InputError, QuoteInput, VerificationResult

FIELDS = frozenset({"id", "url", "quote", "author", "year", "statement", "stance"})
VerifyFn = Callable[[QuoteInput], Awaitable[VerificationResult]]


def parse_line(line: str, number: int) -> QuoteInput:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError("line", f"is not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise InputError("line", "must be a JSON object with url, quote, author, year, id")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise InputError(unknown[0], f"is not a known field (expected {', '.join(sorted(FIELDS))})")
    return QuoteInput.parse(
        quote=data.get("quote"),
        url=data.get("url"),
        author=data.get("author"),
        year=data.get("year"),
        id=data.get("id", number),
        statement=data.get("statement"),
        stance=data.get("stance"),
    )


def error_result(line_id: Any, number: int, error: InputError) -> dict[str, Any]:
    return {
        "id": line_id,
        "line": number,
        "verdict": None,
        "error": {"field": error.field, "message": error.message},
    }


class Progress:
    """A one-line progress bar on stderr (a plain count when stderr is not a terminal)."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if not self.tty and self.done != self.total and now - self._last < 2:
            return
        self._last = now
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        rate = self.done / max(now - self.started, 1e-6)
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if (self.done == self.total or not self.tty) else ""
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} ({rate:.1f}/s){end}")
        self.stream.flush()


async def run_batch(
    lines: Iterable[str],
    verify: VerifyFn,
    *,
    concurrency: int,
    out: TextIO,
    err: TextIO = sys.stderr,
) -> dict[str, int]:
    """Check every line; write one JSON result per input line to ``out`` in input order."""
    items = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    progress = Progress(len(items), err)
    semaphore = asyncio.Semaphore(concurrency)
    counts: dict[str, int] = {}

    async def one(number: int, line: str) -> dict[str, Any]:
        try:
            inp = parse_line(line, number)
        except InputError as exc:
            raw_id: Any = None
            try:
                maybe = json.loads(line)
                raw_id = maybe.get("id") if isinstance(maybe, dict) else None
            except json.JSONDecodeError:
                pass
            return error_result(raw_id, number, exc)
        async with semaphore:
            result = await verify(inp)
        return result.to_json()

    tasks = [asyncio.ensure_future(one(n, line)) for n, line in items]
    try:
        for task in tasks:  # in input order; later ones keep running meanwhile
            result = await task
            verdict = result.get("verdict") or "error"
            counts[verdict] = counts.get(verdict, 0) + 1
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
            progress.step()
    finally:
        for task in tasks:
            task.cancel()
    return counts
