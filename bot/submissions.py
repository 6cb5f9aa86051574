"""The bot's behaviour without Discord: submissions, the check queue, votes and moderation.

Cogs translate Discord events into calls here and turn the returned outcomes into messages.
Every submission is written to the database before it is queued, so a crash or restart loses
nothing: :meth:`SubmissionService.start` puts whatever was queued or being checked back in line.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot import __version__
from bot.models import Checks, Discrepancy, QuoteInput, SourceInfo, VerificationResult
from bot.postparse import ParsedPost, format_help, parse_post
from bot.statements import Statements
from bot.storage.log import (
    VERDICTS,
    VOTE_CHOICES,
    NewSubmission,
    Status,
    Store,
    Submission,
    Tally,
    VerdictName,
    VoteChoice,
)
from bot.storage.supplied import SuppliedOrigin, SuppliedRecord, SuppliedStore
from bot.supplied import SuppliedFile, stored_page
from bot.textnorm import tokenize

log = logging.getLogger(__name__)

# Called as ``verify(inp)``, or ``verify(inp, supplied=page)`` for a quote with supplied source text.
Verify = Callable[..., Awaitable[VerificationResult]]
ResultHook = Callable[[Submission, VerificationResult], Awaitable[None]]

REASON_MAX_CHARS = 1000
CHECK_FAILED_KIND = "check_failed"
CHECK_FAILED_MESSAGE = (
    "The check could not be completed because of an internal error; a moderator can run it again."
)
_TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid"}


class ServiceError(Exception):
    """A request the service turns down; ``str(error)`` is a message fit for the member."""


class NotFound(ServiceError):
    pass


class Refused(ServiceError):
    pass


class InvalidPost(ServiceError):
    """An edit whose text cannot be read; ``parsed`` says why (see ``format_help``)."""

    def __init__(self, parsed: ParsedPost) -> None:
        super().__init__(format_help(parsed))
        self.parsed = parsed


@dataclass(frozen=True)
class PostRef:
    """Where a member's post lives."""

    guild_id: int
    channel_id: int
    message_id: int
    author_id: int


OutcomeKind = Literal[
    "queued", "unparsed", "cooldown", "duplicate", "already", "edited", "unchanged"
]


@dataclass(frozen=True)
class SubmitOutcome:
    """What became of a post; ``message`` is the reply for the member (empty when none is due)."""

    kind: OutcomeKind
    message: str
    submission: Submission | None = None  # the new, edited or earlier (duplicate) submission
    parsed: ParsedPost | None = None
    retry_after: int | None = None  # seconds, for "cooldown"

    @property
    def accepted(self) -> bool:
        return self.kind in ("queued", "edited")


@dataclass(frozen=True)
class VoteOutcome:
    tally: Tally
    previous: VoteChoice | None
    choice: VoteChoice | None
    changed: bool


HistoryKind = Literal["submitted", "edited", "check", "vote", "moderation", "withdrawn"]


@dataclass(frozen=True)
class HistoryEvent:
    at: str
    kind: HistoryKind
    actor_id: int | None
    summary: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stats:
    by_status: dict[Status, int]
    total: int
    checks: int
    unparsed_posts: int
    decisions: int  # moderator verdicts compared with the bot's
    agreements: int

    @property
    def agreement_rate(self) -> float | None:
        return self.agreements / self.decisions if self.decisions else None


# -- duplicate keys ---------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    """A key under which links to the same page match: scheme and host case, default port,
    trailing slash, tracking parameters (utm_*, fbclid...) and fragment do not count, and
    http and https are the same page."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    if scheme == "http":
        scheme = "https"
    path = parts.path.rstrip("/")
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
        ]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _same_quote(a: str, b: str) -> bool:
    """The same words in the same order (typography aside): only then may an earlier verdict
    stand for a new post. A fuzzy ratio would let "not what" pass as a copy of "what"."""
    return tokenize(a).words == tokenize(b).words


def failed_result(quote: QuoteInput | None, url: str, submission_id: int) -> VerificationResult:
    """The result stored when a check raised: unverifiable, with a generic message (no internals)."""
    return VerificationResult(
        id=str(submission_id),
        verdict="unverifiable",
        checks=Checks(),
        discrepancies=[
            Discrepancy(kind=CHECK_FAILED_KIND, severity="error", message=CHECK_FAILED_MESSAGE)
        ],
        source=SourceInfo(url=quote.url if quote else url),
    )


# -- the service ------------------------------------------------------------------------------


class SubmissionService:
    """Submissions, a pool of check workers, votes and moderation over one :class:`Store`."""

    def __init__(
        self,
        store: Store,
        verify: Verify,
        workers: int = 4,
        cooldown_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
        *,
        on_result: ResultHook | None = None,
        engine_version: str = __version__,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.store = store
        self.supplied = SuppliedStore(store.db)
        self.verify = verify
        self.workers = workers
        self.cooldown_seconds = cooldown_seconds
        self.clock = clock
        self.on_result = on_result
        self.engine_version = engine_version
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._pending: set[int] = set()
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def start(self) -> int:
        """Start the workers and re-queue everything left queued or mid-check; returns how many."""
        if self._tasks:
            return 0
        self.store.interrupt_running_checks(self.clock())
        waiting = self.store.submissions_with_status(("queued", "checking"))
        for sub in waiting:
            self._enqueue(sub.id)
        self._tasks = [
            asyncio.create_task(self._worker(), name=f"verbatim-check-{i}")
            for i in range(self.workers)
        ]
        return len(waiting)

    async def stop(self, *, drain: bool = False, drain_seconds: float | None = None) -> None:
        """Stop the workers. With ``drain``, first let queued checks finish (up to ``drain_seconds``).

        A check cut short stays recorded as running and is redone by the next :meth:`start`.
        """
        if drain and self._tasks:
            try:
                await asyncio.wait_for(self._queue.join(), drain_seconds)
            except TimeoutError:
                log.warning("stopping with %d checks still queued", self._queue.qsize())
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # The queue belongs to the workers just stopped; start() rebuilds it from the database.
        self._queue = asyncio.Queue()
        self._pending.clear()

    async def idle(self) -> None:
        """Wait until every queued check has finished (tests, graceful shutdown)."""
        await self._queue.join()

    def _enqueue(self, submission_id: int) -> None:
        if submission_id in self._pending:
            return
        self._pending.add(submission_id)
        self._queue.put_nowait(submission_id)

    # -- submitting ----------------------------------------------------------------------------

    async def submit(
        self, post: PostRef, text: str, *, is_moderator: bool = False
    ) -> SubmitOutcome:
        """Read a post and, if it is a new quote, record it and queue its check."""
        existing = self.store.submission_by_message(post.channel_id, post.message_id)
        if existing is not None:
            return SubmitOutcome("already", "", submission=existing)
        parsed = parse_post(text)
        now = self.clock()
        if not parsed.ok:
            self._record_rejected(post, text, parsed.problems, "unreadable", None, now)
            return SubmitOutcome("unparsed", format_help(parsed), parsed=parsed)
        return self.submit_parsed(post, parsed, text, is_moderator=is_moderator)

    def submit_parsed(
        self,
        post: PostRef,
        parsed: ParsedPost,
        text: str,
        *,
        is_moderator: bool = False,
        supplied: SuppliedFile | None = None,
        supplied_origin: SuppliedOrigin = "attachment",
    ) -> SubmitOutcome:
        """Submit an already parsed, ``ok`` post (no awaits: the checks and the insert are atomic).

        ``supplied``: the source's text given with the post, stored before the check is queued.
        """
        refused = self.refusal(post, parsed, text, is_moderator=is_moderator)
        if refused is not None:
            return refused
        assert parsed.url and parsed.quote
        now = self.clock()
        url_key = normalise_url(parsed.url)
        statement_id = self._statement_id(post.guild_id, parsed.statement, post.author_id, now)
        sub = self.store.add_submission(
            NewSubmission(
                guild_id=post.guild_id,
                channel_id=post.channel_id,
                message_id=post.message_id,
                author_id=post.author_id,
                quote=parsed.quote,
                url=parsed.url,
                url_key=url_key,
                person=parsed.author,
                person_role=parsed.author_role,
                year=parsed.year,
                statement_id=statement_id,
                stance=parsed.stance,
                raw_text=text,
            ),
            now,
        )
        if supplied is not None:
            self._store_supplied(sub, sub.revision, supplied, supplied_origin, post.author_id, now)
        self._enqueue(sub.id)
        return SubmitOutcome("queued", "", submission=sub, parsed=parsed)

    def refusal(
        self, post: PostRef, parsed: ParsedPost, text: str, *, is_moderator: bool = False
    ) -> SubmitOutcome | None:
        """The cooldown or duplicate answer :meth:`submit_parsed` would give (recorded), else None.

        For submissions whose message the bot posts itself (the /quote submit modal): refuse
        before posting anything in the channel.
        """
        if not parsed.ok:
            raise InvalidPost(parsed)
        now = self.clock()
        wait = 0 if is_moderator else self._cooldown_left(post, now)
        if wait > 0:
            self._record_rejected(post, text, [f"cooldown: {wait} s left"], "cooldown", None, now)
            message = (
                f"You can submit one quote every {self.cooldown_seconds:g} seconds; "
                f"try again in {wait} s."
            )
            return SubmitOutcome("cooldown", message, parsed=parsed, retry_after=wait)
        assert parsed.url and parsed.quote
        earlier = self._find_duplicate(post.guild_id, normalise_url(parsed.url), parsed.quote)
        if earlier is not None:
            self._record_rejected(
                post, text, [f"duplicate of submission #{earlier.id}"], "duplicate", earlier.id, now
            )
            return SubmitOutcome(
                "duplicate", _duplicate_message(earlier), submission=earlier, parsed=parsed
            )
        return None

    def _cooldown_left(self, post: PostRef, now: float) -> int:
        if self.cooldown_seconds <= 0:
            return 0
        last = self.store.last_submission_time(post.guild_id, post.author_id)
        if last is None:
            return 0
        left = self.cooldown_seconds - (now - last)
        return math.ceil(left) if left > 0 else 0

    def _find_duplicate(self, guild_id: int, url_key: str, quote: str) -> Submission | None:
        for sub in self.store.live_submissions_for_url(guild_id, url_key):
            if _same_quote(sub.quote, quote):
                return sub
        return None

    def _statement_id(
        self, guild_id: int, statement: str | None, member_id: int, now: float
    ) -> int | None:
        """An existing statement that is the same claim (bot/statements.py), else a new one."""
        if not statement:
            return None
        book = Statements(self.store.db, guild_id, clock=lambda: now)
        return book.find_or_create(statement, created_by=member_id).id

    def _record_rejected(
        self,
        post: PostRef,
        text: str,
        problems: list[str],
        reason: Literal["unreadable", "cooldown", "duplicate"],
        duplicate_of: int | None,
        now: float,
    ) -> None:
        self.store.add_unparsed(
            guild_id=post.guild_id,
            channel_id=post.channel_id,
            message_id=post.message_id,
            author_id=post.author_id,
            raw_text=text,
            problems=problems,
            reason=reason,
            duplicate_of=duplicate_of,
            at=now,
        )

    async def set_thread(self, submission_id: int, thread_id: int) -> Submission:
        """Remember the discussion thread the cog opened for a submission."""
        self._get(submission_id)
        self.store.set_thread(submission_id, thread_id, self.clock())
        return self._get(submission_id)

    # -- edits and deletions -------------------------------------------------------------------

    async def edit(
        self,
        submission_id: int,
        parsed: ParsedPost,
        *,
        raw_text: str | None = None,
        actor_id: int | None = None,
    ) -> Submission:
        """Replace a submission's fields; a change to what is checked queues a new check.

        Earlier checks stay in the record; the old values are kept in submission_events.
        """
        sub = self._get(submission_id)
        if sub.status == "withdrawn":
            raise Refused(f"Submission #{sub.id} was withdrawn and cannot be edited.")
        if not parsed.ok:
            raise InvalidPost(parsed)
        assert parsed.url and parsed.quote
        now = self.clock()
        statement_id = self._statement_id(sub.guild_id, parsed.statement, sub.author_id, now)
        new: dict[str, Any] = {
            "quote": parsed.quote,
            "person": parsed.author,
            "person_role": parsed.author_role,
            "url": parsed.url,
            "url_key": normalise_url(parsed.url),
            "year": parsed.year,
            "statement_id": statement_id,
            "stance": parsed.stance,
        }
        changes = {k: v for k, v in new.items() if getattr(sub, k) != v}
        if not changes and (raw_text is None or raw_text == sub.raw_text):
            return sub
        checked = {"quote", "person", "url", "year"}
        recheck = bool(checked & set(changes))
        updated = self.store.edit_submission(
            submission_id, changes, recheck=recheck, raw_text=raw_text, actor_id=actor_id, at=now
        )
        if recheck:
            self._enqueue(submission_id)
        return updated

    async def post_edited(
        self, post: PostRef, text: str, *, is_moderator: bool = False
    ) -> SubmitOutcome:
        """A member edited a post in a quote channel: update its submission, or submit it anew."""
        sub = self.store.submission_by_message(post.channel_id, post.message_id)
        if sub is None:
            return await self.submit(post, text, is_moderator=is_moderator)
        parsed = parse_post(text)
        if not parsed.ok:
            self._record_rejected(post, text, parsed.problems, "unreadable", None, self.clock())
            return SubmitOutcome("unparsed", format_help(parsed), submission=sub, parsed=parsed)
        if sub.status == "withdrawn":
            return SubmitOutcome("unchanged", "", submission=sub, parsed=parsed)
        before = sub.revision
        updated = await self.edit(sub.id, parsed, raw_text=text, actor_id=post.author_id)
        kind: OutcomeKind = "edited" if updated.revision != before else "unchanged"
        return SubmitOutcome(kind, "", submission=updated, parsed=parsed)

    async def withdraw(self, submission_id: int, actor_id: int | None = None) -> Submission:
        """Mark a submission withdrawn (its post was deleted); the record and its history stay."""
        sub = self._get(submission_id)
        if sub.status == "withdrawn":
            return sub
        return self.store.withdraw(submission_id, actor_id, self.clock())

    async def post_deleted(self, channel_id: int, message_id: int) -> Submission | None:
        sub = self.store.submission_by_message(channel_id, message_id)
        if sub is None:
            return None
        return await self.withdraw(sub.id)

    # -- checking ------------------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            submission_id = await self._queue.get()
            try:
                self._pending.discard(submission_id)
                await self._check(submission_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("check of submission %s failed outside the verifier", submission_id)
            finally:
                self._queue.task_done()

    async def _check(self, submission_id: int) -> None:
        sub = self.store.get_submission(submission_id)
        if sub is None or sub.status not in ("queued", "checking"):
            return
        revision = sub.revision
        quote: QuoteInput | None
        try:
            # The stance check needs both; a stance without a statement is stored but not checked.
            claim = (sub.statement, sub.stance) if sub.statement and sub.stance else (None, None)
            quote = QuoteInput.parse(
                quote=sub.quote,
                url=sub.url,
                author=sub.person,
                year=sub.year,
                id=str(sub.id),
                statement=claim[0],
                stance=claim[1],
            )
            input_json: dict[str, Any] = {
                "quote": quote.quote,
                "url": quote.url,
                "author": quote.author,
                "year": quote.year,
            }
            if quote.statement:
                input_json.update(statement=quote.statement, stance=quote.stance)
        except ValueError as exc:  # InputError, or urlsplit's own errors on a stored URL
            quote, input_json = None, {"error": str(exc)}
        supplied = self.supplied_source(sub)
        if supplied is not None:
            input_json["supplied"] = {
                "id": supplied.id,
                "filename": supplied.filename,
                "sha256": supplied.sha256,
            }
        check_id = self.store.start_check(
            sub.id, revision, input_json, self.engine_version, self.clock()
        )
        error: str | None = None
        try:
            if quote is None:
                raise ValueError(input_json["error"])
            if supplied is not None:
                page = stored_page(supplied, quote.url)
                result = await self.verify(quote, supplied=page)
            else:
                result = await self.verify(quote)
            result_json = result.to_json()
            if result.verdict not in VERDICTS:
                raise ValueError(f"unknown verdict {result.verdict!r}")
        except asyncio.CancelledError:
            raise  # left 'running': the next start() marks it interrupted and checks again
        except Exception as exc:
            log.warning(
                "check of submission %s raised %s", sub.id, type(exc).__name__, exc_info=True
            )
            error = f"{type(exc).__name__}: {exc}"[:2000]
            result = failed_result(quote, sub.url, sub.id)
            result_json = result.to_json()
        current = self.store.get_submission(sub.id)
        now = self.clock()
        if current is None or current.revision != revision:
            # Edited or sent for re-checking meanwhile: keep this result, but it no longer counts.
            self.store.finish_check(
                check_id,
                outcome="superseded",
                verdict=result.verdict,
                result_json=result_json,
                error=error,
                at=now,
            )
            return
        live = current.status != "withdrawn"
        self.store.finish_check(
            check_id,
            outcome="failed" if error else "done",
            verdict=result.verdict,
            result_json=result_json,
            error=error,
            at=now,
            set_status=result.verdict if live else None,
        )
        if live and self.on_result is not None:
            done = self._get(sub.id)
            try:
                await self.on_result(done, result)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("on_result hook failed for submission %s", sub.id)

    # -- votes ---------------------------------------------------------------------------------

    async def vote(
        self, submission_id: int, member_id: int, choice: VoteChoice | None
    ) -> VoteOutcome:
        """Record a member's vote (one per member; a new vote replaces the old, None takes it back)."""
        sub = self._get(submission_id)
        if choice is not None and choice not in VOTE_CHOICES:
            raise Refused(f"A vote must be one of: {', '.join(VOTE_CHOICES)}.")
        if member_id == sub.author_id:
            raise Refused("You cannot vote on your own submission.")
        if sub.status == "withdrawn":
            raise Refused(f"Submission #{sub.id} was withdrawn; voting is closed.")
        previous = self.store.set_vote(submission_id, member_id, choice, self.clock())
        return VoteOutcome(
            tally=self.store.tally(submission_id),
            previous=previous,
            choice=choice,
            changed=previous != choice,
        )

    async def tally(self, submission_id: int) -> Tally:
        self._get(submission_id)
        return self.store.tally(submission_id)

    async def tally_from_events(self, submission_id: int) -> Tally:
        """The tally rebuilt by replaying every vote event (an audit of the stored tally)."""
        self._get(submission_id)
        current: dict[int, VoteChoice] = {}
        for event in self.store.vote_events(submission_id):
            if event.choice is None:
                current.pop(event.member_id, None)
            else:
                current[event.member_id] = event.choice
        values = list(current.values())
        return Tally(accurate=values.count("accurate"), inaccurate=values.count("inaccurate"))

    # -- moderation ----------------------------------------------------------------------------

    async def approve(
        self, submission_id: int, moderator_id: int, reason: str | None = None
    ) -> Submission:
        """A moderator confirms the quote is accurate (human verdict: verified)."""
        return self._decide(
            submission_id, moderator_id, "approve", "verified", _reason(reason, False)
        )

    async def reject(self, submission_id: int, moderator_id: int, reason: str) -> Submission:
        """A moderator rules the quote inaccurate (human verdict: disputed); a reason is required."""
        return self._decide(
            submission_id, moderator_id, "reject", "disputed", _reason(reason, True)
        )

    async def override(
        self, submission_id: int, moderator_id: int, verdict: VerdictName, reason: str
    ) -> Submission:
        """A moderator sets any verdict; it wins over the bot's. A reason is required."""
        if verdict not in VERDICTS:
            raise Refused(f"A verdict must be one of: {', '.join(VERDICTS)}.")
        return self._decide(submission_id, moderator_id, "override", verdict, _reason(reason, True))

    async def reverify(
        self, submission_id: int, moderator_id: int, reason: str | None = None
    ) -> Submission:
        """Run the check again (a new check row); a human verdict already given still wins."""
        sub = self._get(submission_id)
        if sub.status == "withdrawn":
            raise Refused(f"Submission #{sub.id} was withdrawn; it cannot be checked again.")
        now = self.clock()
        self.store.add_mod_action(
            submission_id=sub.id,
            moderator_id=moderator_id,
            action="reverify",
            reason=_reason(reason, False),
            verdict=None,
            bot_verdict=sub.bot_verdict,
            at=now,
        )
        updated = self.store.requeue(sub.id, now)
        self._enqueue(sub.id)
        return updated

    async def supply_source(
        self,
        submission_id: int,
        moderator_id: int,
        supplied: SuppliedFile,
        reason: str | None = None,
    ) -> Submission:
        """A moderator gives the source's text (a file): stored, then checked against it.

        Logged as a ``reverify`` naming the file. The file is stored for the next revision
        before the submission moves to it, so a crash in between leaves no half-made request.
        """
        sub = self._get(submission_id)
        if sub.status == "withdrawn":
            raise Refused(f"Submission #{sub.id} was withdrawn; it cannot be checked again.")
        note = f"source supplied: {supplied.filename}"
        given = _reason(reason, False)
        now = self.clock()
        self._store_supplied(sub, sub.revision + 1, supplied, "moderator", moderator_id, now)
        self.store.add_mod_action(
            submission_id=sub.id,
            moderator_id=moderator_id,
            action="reverify",
            reason=f"{note}; {given}" if given else note,
            verdict=None,
            bot_verdict=sub.bot_verdict,
            at=now,
        )
        updated = self.store.requeue(sub.id, now)
        self._enqueue(sub.id)
        return updated

    def _store_supplied(
        self,
        sub: Submission,
        revision: int,
        supplied: SuppliedFile,
        origin: SuppliedOrigin,
        supplied_by: int | None,
        now: float,
    ) -> int:
        page = supplied.page
        return self.supplied.add(
            submission_id=sub.id,
            revision=revision,
            url_key=sub.url_key,
            origin=origin,
            supplied_by=supplied_by,
            filename=supplied.filename,
            content_type=page.content_type,
            charset=page.charset,
            sha256=page.sha256,
            data=supplied.data,
            text=page.text,
            meta=page.doc_meta,
            at=now,
        )

    def supplied_source(self, sub: Submission) -> SuppliedRecord | None:
        """The supplied source a check of ``sub`` as it is now is made against, if any."""
        return self.supplied.current(sub.id, sub.revision, sub.url_key)

    def _decide(
        self,
        submission_id: int,
        moderator_id: int,
        action: Literal["approve", "reject", "override"],
        verdict: VerdictName,
        reason: str | None,
    ) -> Submission:
        sub = self._get(submission_id)
        self.store.add_mod_action(
            submission_id=sub.id,
            moderator_id=moderator_id,
            action=action,
            reason=reason,
            verdict=verdict,
            bot_verdict=sub.bot_verdict,
            at=self.clock(),
        )
        return self._get(submission_id)

    # -- records the cog keeps -----------------------------------------------------------------

    async def record_reply(
        self,
        *,
        channel_id: int,
        message_id: int,
        kind: str,
        content: str = "",
        embed: dict[str, Any] | None = None,
        submission_id: int | None = None,
    ) -> int:
        """Log a message the bot posted (result embed, help, refusal, mod log...)."""
        return self.store.add_reply(
            submission_id=submission_id,
            channel_id=channel_id,
            message_id=message_id,
            kind=kind,
            content=content,
            embed=embed,
            author_id=None,
            from_bot=True,
            at=self.clock(),
        )

    async def record_thread_message(
        self, *, thread_id: int, message_id: int, author_id: int, content: str
    ) -> int | None:
        """Log a member's message in a submission's thread; None if the thread is not one of ours."""
        sub = self.store.submission_by_thread(thread_id)
        if sub is None:
            return None
        return self.store.add_reply(
            submission_id=sub.id,
            channel_id=thread_id,
            message_id=message_id,
            kind="member_message",
            content=content,
            embed=None,
            author_id=author_id,
            from_bot=False,
            at=self.clock(),
        )

    # -- reading -------------------------------------------------------------------------------

    async def get(self, submission_id: int) -> Submission:
        return self._get(submission_id)

    def _get(self, submission_id: int) -> Submission:
        sub = self.store.get_submission(submission_id)
        if sub is None:
            raise NotFound(f"There is no submission #{submission_id}.")
        return sub

    async def history(self, submission_id: int) -> list[HistoryEvent]:
        """Everything that happened to a submission, oldest first.

        Events at the same instant keep a fixed order: submitted, edited, check, vote,
        moderation, withdrawn; then the order their rows were written.
        """
        sub = self._get(submission_id)
        keyed: list[tuple[str, int, int, HistoryEvent]] = [
            (
                sub.created_at,
                0,
                sub.id,
                _event(sub.created_at, "submitted", sub.author_id, f"submitted #{sub.id}"),
            )
        ]
        for ev in self.store.submission_events(sub.id):
            if ev.kind == "edited":
                summary, rank = "edited: " + ", ".join(sorted(ev.after or {})), 1
            else:
                summary, rank = "withdrawn", 5
            event = _event(
                ev.created_at, ev.kind, ev.actor_id, summary, before=ev.before, after=ev.after
            )
            keyed.append((ev.created_at, rank, ev.id, event))
        for check in self.store.checks_for(sub.id):
            at = check.finished_at or check.started_at
            summary = f"check {check.outcome}" + (f": {check.verdict}" if check.verdict else "")
            event = _event(
                at,
                "check",
                None,
                summary,
                check_id=check.id,
                started_at=check.started_at,
                finished_at=check.finished_at,
                outcome=check.outcome,
                verdict=check.verdict,
                revision=check.revision,
                engine_version=check.engine_version,
            )
            keyed.append((at, 2, check.id, event))
        for vote in self.store.vote_events(sub.id):
            summary = f"vote {vote.choice or 'withdrawn'}"
            if vote.previous_choice:
                summary += f" (was {vote.previous_choice})"
            event = _event(
                vote.created_at,
                "vote",
                vote.member_id,
                summary,
                choice=vote.choice,
                previous_choice=vote.previous_choice,
            )
            keyed.append((vote.created_at, 3, vote.id, event))
        for action in self.store.mod_actions_for(sub.id):
            summary = action.action + (f": {action.verdict}" if action.verdict else "")
            if action.reason:
                summary += f" ({action.reason})"
            event = _event(
                action.created_at,
                "moderation",
                action.moderator_id,
                summary,
                action=action.action,
                verdict=action.verdict,
                bot_verdict=action.bot_verdict,
                reason=action.reason,
            )
            keyed.append((action.created_at, 4, action.id, event))
        keyed.sort(key=lambda item: item[:3])
        return [item[3] for item in keyed]

    async def stats(self, guild_id: int | None = None) -> Stats:
        """Counts by status and how often moderators agreed with the bot's verdict."""
        by_status = self.store.status_counts(guild_id)
        decisions = [(bot, human) for bot, human in self.store.latest_decisions(guild_id) if bot]
        return Stats(
            by_status=by_status,
            total=sum(by_status.values()),
            checks=self.store.count("checks"),
            unparsed_posts=self.store.count("unparsed_posts"),
            decisions=len(decisions),
            agreements=sum(1 for bot, human in decisions if bot == human),
        )

    async def export(
        self, format: Literal["jsonl", "csv"] = "jsonl", guild_id: int | None = None
    ) -> bytes:
        """Every submission with its verdicts and tally, as JSON lines or CSV (UTF-8)."""
        rows = self.store.overview_rows(guild_id)
        for row in rows:
            result = row.get("result") or {}
            row["discrepancies"] = [d.get("kind") for d in result.get("discrepancies", [])]
        if format == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        if format == "csv":
            out = io.StringIO()
            columns = [c for c in (rows[0] if rows else _EXPORT_COLUMNS) if c != "result"]
            writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                row["discrepancies"] = " ".join(row["discrepancies"])
                writer.writerow({k: _csv_cell(row.get(k)) for k in columns})
            return out.getvalue().encode("utf-8")
        raise ValueError(f"unknown export format {format!r}; use 'jsonl' or 'csv'")


_EXPORT_COLUMNS = (
    "id",
    "guild_id",
    "channel_id",
    "message_id",
    "thread_id",
    "author_id",
    "quote",
    "person",
    "person_role",
    "url",
    "year",
    "statement",
    "stance",
    "status",
    "bot_verdict",
    "human_verdict",
    "effective_verdict",
    "votes_accurate",
    "votes_inaccurate",
    "checks_run",
    "created_at",
    "updated_at",
    "discrepancies",
)


def _event(
    at: str, kind: HistoryKind, actor_id: int | None, summary: str, **data: Any
) -> HistoryEvent:
    return HistoryEvent(at=at, kind=kind, actor_id=actor_id, summary=summary, data=data)


def _csv_cell(value: Any) -> Any:
    """Member text that a spreadsheet would run as a formula is prefixed with a quote mark."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _reason(reason: str | None, required: bool) -> str | None:
    text = " ".join((reason or "").split())
    if required and not text:
        raise Refused("Please give a reason.")
    if len(text) > REASON_MAX_CHARS:
        raise Refused(
            f"The reason is {len(text):,} characters; at most {REASON_MAX_CHARS:,} are allowed."
        )
    return text or None


def _duplicate_message(earlier: Submission) -> str:
    where = f" — see <#{earlier.thread_id}>" if earlier.thread_id else ""
    verdict = earlier.effective_verdict
    state = f" (verdict: {verdict})" if verdict else f" ({earlier.status})"
    return (
        f"This quote from this source was already submitted as #{earlier.id}{state}{where}. "
        "It is not checked again."
    )


__all__ = [
    "HistoryEvent",
    "InvalidPost",
    "NotFound",
    "PostRef",
    "Refused",
    "ServiceError",
    "Stats",
    "SubmissionService",
    "SubmitOutcome",
    "VoteOutcome",
    "normalise_url",
]
