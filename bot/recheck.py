"""Re-checks: verified quotes whose sources may have changed or died since they were checked.

A scheduled run (``Rechecker.run_forever``, started by the Discord cog) or ``python -m bot
recheck`` takes verified submissions last looked at more than ``[recheck] max_age_days`` ago,
fetches each source afresh and compares its sha256 with the one stored in the last check's
result. Unchanged: only noted. Changed: judged again and stored as a new check; a quote the
source no longer carries as verified becomes ``source_changed``. Dead or blocked: the archived
copy closest to the last check is judged instead. Changes that matter reach ``on_change``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot import __version__
from bot.config import RecheckConfig
from bot.fetch import FetchFailure
from bot.models import QuoteInput, VerificationResult
from bot.storage.log import Store, Submission, epoch
from bot.storage.recheck import LastCheck, RecheckOutcome, RecheckStore
from bot.verify import Verifier

log = logging.getLogger(__name__)

OnChange = Callable[[Submission, dict[str, Any], VerificationResult], Awaitable[None]]

DAY = 86_400.0


@dataclass(frozen=True)
class RecheckResult:
    submission_id: int
    outcome: RecheckOutcome
    message: str
    result: VerificationResult | None = None  # the new result, when the source was judged again
    notified: bool = False  # on_change was called


Progress = Callable[[int, int, RecheckResult], None]


@dataclass
class RecheckSummary:
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    notified: list[int] = field(default_factory=list)  # submissions on_change was called for

    def line(self) -> str:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        return f"recheck: {self.total} looked at" + (f": {parts}" if parts else "")


def describe_change(submission: Submission, old: dict[str, Any], new: VerificationResult) -> str:
    """One plain paragraph for the thread and the mod-log about what a re-check found."""
    src = new.source
    first_error = next((d.message for d in new.errors), "")
    if new.verdict == "unverifiable":
        return (
            f"The source of #{submission.id} ({submission.url}) can no longer be read and no "
            f"archived copy could be checked: {first_error}"
        )
    via = ""
    if src.via == "archive":
        via = f" (the page is gone or blocked; checked against the archived copy of {src.archived_at})"
    elif src.via == "search":
        via = f" (the page is gone or blocked; checked against {src.final_url}, found by a search)"
    if new.verdict == "verified":
        return f"#{submission.id} was re-checked{via} and is still verified."
    old_title = (old.get("source") or {}).get("title")
    page = f" ({old_title})" if old_title else ""
    return (
        f"The source of #{submission.id}{page} has changed since it was verified{via}: the "
        f"quote is no longer verified. {first_error}".strip()
    )


class Rechecker:
    """Runs re-checks over the submission log with a Verifier (its fetcher, archive, search)."""

    def __init__(
        self,
        store: Store,
        verifier: Verifier,
        config: RecheckConfig,
        *,
        on_change: OnChange | None = None,
        clock: Callable[[], float] = time.time,
        concurrency: int = 4,
        engine_version: str = __version__,
    ) -> None:
        self.store = store
        self.rechecks = RecheckStore(store.db)
        self.verifier = verifier
        self.config = config
        self.on_change = on_change
        self.clock = clock
        self.concurrency = max(1, concurrency)
        self.engine_version = engine_version
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def due(self, *, older_than_days: float | None = None, everything: bool = False) -> list[int]:
        """Submission ids a run would re-check, longest-unseen first."""
        if everything:
            return self.rechecks.due(before=None)
        days = self.config.max_age_days if older_than_days is None else older_than_days
        limit = self.config.per_run or None
        return self.rechecks.due(before=self.clock() - days * DAY, limit=limit)

    async def run(
        self,
        *,
        older_than_days: float | None = None,
        everything: bool = False,
        progress: Progress | None = None,
    ) -> RecheckSummary:
        """Re-check every due quote (``everything``: every verified quote, whatever its age)."""
        ids = self.due(older_than_days=older_than_days, everything=everything)
        summary = RecheckSummary(total=len(ids))
        gate = asyncio.Semaphore(self.concurrency)
        done = 0

        async def one(submission_id: int) -> None:
            nonlocal done
            async with gate:
                outcome = await self.recheck(submission_id)
            done += 1
            summary.counts[outcome.outcome] += 1
            if outcome.notified:
                summary.notified.append(submission_id)
            if progress is not None:
                progress(done, len(ids), outcome)

        await asyncio.gather(*(one(i) for i in ids))
        return summary

    async def run_forever(self) -> None:
        """The scheduled task: a run every ``interval_hours`` while enabled (the cog starts it)."""
        if not self.config.enabled:
            return
        while True:
            try:
                summary = await self.run()
                log.info("%s", summary.line())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a scheduled recheck run failed")
            await self._sleep(self.config.interval_hours * 3600)

    async def recheck(self, submission_id: int) -> RecheckResult:
        """Look at one verified quote's source again; never raises for a bad source."""
        sub = self.store.get_submission(submission_id)
        if sub is None or sub.status != "verified":
            return RecheckResult(submission_id, "skipped", "no longer a verified submission")
        try:
            return await self._recheck(sub)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("recheck of submission %s failed", submission_id)
            message = f"the re-check failed: {type(exc).__name__}"
            self._note(sub, "failed", message, None, None)
            return RecheckResult(submission_id, "failed", message)

    async def _recheck(self, sub: Submission) -> RecheckResult:
        last = self.rechecks.last_done_check(sub.id)
        if last is None:
            return self._note(sub, "skipped", "no stored check result to compare with", None, None)
        old_source = last.result.get("source") or {}
        old_sha = old_source.get("sha256")
        if old_source.get("via") == "pasted":
            message = "checked against supplied text; there is no page to fetch again"
            return self._note(sub, "skipped", message, old_sha, None)
        inp = QuoteInput.parse(
            quote=sub.quote, url=sub.url, author=sub.person, year=sub.year, id=str(sub.id)
        )
        try:
            page = await self.verifier.fetcher.fetch(sub.url, fresh=True)
        except FetchFailure as failure:
            return await self._source_failed(sub, inp, last, failure)
        if page.sha256 == old_sha:
            return self._note(sub, "unchanged", "the source is unchanged", old_sha, page.sha256)
        result = await self.verifier.check_fetched(inp, page)
        return await self._judged(sub, last, result)

    async def _source_failed(
        self, sub: Submission, inp: QuoteInput, last: LastCheck, failure: FetchFailure
    ) -> RecheckResult:
        old_source = last.result.get("source") or {}
        old_sha = old_source.get("sha256")
        result = await self.verifier.fallback(inp, failure, archive_near=epoch(last.finished_at))
        src = result.source
        if src.via in ("archive", "search") and result.verdict != "unverifiable":
            if src.sha256 == old_sha and src.via == old_source.get("via"):
                message = f"the source still fails ({failure.message}); its copy is unchanged"
                return self._note(sub, "unchanged", message, old_sha, src.sha256)
            return await self._judged(sub, last, result, died=True)
        message = result.errors[0].message if result.errors else failure.message
        if failure.kind != "source_gone":
            return self._note(sub, "unreachable", message, old_sha, None)
        previous = self.rechecks.rechecks_for(sub.id)
        already_told = bool(previous) and previous[-1].outcome == "gone"
        outcome = self._note(sub, "gone", message, old_sha, None, result=result)
        if not already_told and await self._notify(sub, last.result, result):
            return RecheckResult(sub.id, "gone", message, result, notified=True)
        return outcome

    async def _judged(
        self, sub: Submission, last: LastCheck, result: VerificationResult, *, died: bool = False
    ) -> RecheckResult:
        old_sha = (last.result.get("source") or {}).get("sha256")
        if result.verdict == "unverifiable":
            message = result.errors[0].message if result.errors else "the source cannot be judged"
            return self._note(sub, "unreachable", message, old_sha, result.source.sha256)
        outcome: RecheckOutcome
        if result.verdict == "verified":
            outcome = "archived" if died else "rechecked"
            status = sub.status
        else:
            outcome = "archived" if died else "source_changed"
            status = "source_changed"
        message = describe_change(sub, last.result, result)
        input_json = {
            "quote": sub.quote,
            "url": sub.url,
            "author": sub.person,
            "year": sub.year,
            "recheck": True,
        }
        stored = self.rechecks.record(
            sub,
            outcome=outcome,
            at=self.clock(),
            old_sha256=old_sha,
            new_sha256=result.source.sha256,
            message=message,
            check=(result.verdict, input_json, result.to_json(), self.engine_version),
            new_status=status,
        )
        if not stored:
            return RecheckResult(sub.id, "skipped", "the submission changed during the re-check")
        notified = False
        if status != sub.status or died:
            notified = await self._notify(
                self.store.get_submission(sub.id) or sub, last.result, result
            )
        return RecheckResult(sub.id, outcome, message, result, notified)

    def _note(
        self,
        sub: Submission,
        outcome: RecheckOutcome,
        message: str,
        old_sha: str | None,
        new_sha: str | None,
        *,
        result: VerificationResult | None = None,
    ) -> RecheckResult:
        self.rechecks.record(
            sub,
            outcome=outcome,
            at=self.clock(),
            old_sha256=old_sha,
            new_sha256=new_sha,
            message=message,
        )
        return RecheckResult(sub.id, outcome, message, result)

    async def _notify(self, sub: Submission, old: dict[str, Any], new: VerificationResult) -> bool:
        if self.on_change is None:
            return False
        try:
            await self.on_change(sub, old, new)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("on_change hook failed for submission %s", sub.id)
        return True
