"""The check itself: fetch the source, read it, find the quote, judge words, author and year.

``judge`` is pure (no network, no clock) so tests, benchmarks and the bot share one verdict path;
``Verifier`` adds fetching and caching around it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.archive import ARCHIVE_NAME, Archive, ArchiveMiss
from bot.config import Config, MatchConfig
from bot.extract import ExtractedPage, extract
from bot.extractcache import ExtractionCache
from bot.fetch import FetchedPage, Fetcher, FetchFailure
from bot.matcher import MatchResult, match_quote, prepare_quote
from bot.models import (
    Checks,
    CheckState,
    Discrepancy,
    QuoteInput,
    SourceInfo,
    Verdict,
    VerificationResult,
)
from bot.names import matches_any_author, named_in, split_author_list
from bot.pdf import PDF_MIME, pdf_document
from bot.search import SearchMiss, WebSearch
from bot.stance import StanceChecker, StanceResult
from bot.storage import open_database
from bot.storage.pages import PageCache
from bot.textnorm import tokenize

TEXT_KINDS = frozenset({"quote_not_found", "altered_wording", "unmarked_omission", "reordered"})


@dataclass
class TextJudgement:
    match: MatchResult
    text: str  # the text the quote was matched in (main article or full page)
    region: str  # the main article or "page"


def _rank(m: MatchResult) -> tuple[int, int, float]:
    return (m.error_count, len(m.discrepancies), -m.coverage)


def judge_text(quote: str, page: ExtractedPage) -> TextJudgement:
    """Match in the main article first, then the whole visible page (blockquotes, captions)."""
    main = page.main_text
    prepared = prepare_quote(quote)  # tokenised once for both texts
    best: TextJudgement | None = None
    if main.strip():
        # The page keeps its tokens: the next quote on a cached page skips tokenising.
        best = TextJudgement(match_quote(prepared, page.tokens(main=True)), main, "article")
        if best.match.coverage == 1.0 and best.match.error_count == 0:
            return best
    full = page.full_text
    if full.strip() and full != main:
        other = TextJudgement(match_quote(prepared, page.tokens(main=False)), full, "page")
        if best is None or _rank(other.match) < _rank(best.match):
            best = other
    if best is None:
        best = TextJudgement(match_quote(prepared, tokenize("")), "", "page")
    return best


def _near_quote(judgement: TextJudgement, window: int) -> str:
    matches = judgement.match.matches
    if not matches:
        return ""
    start = max(0, min(m.source_start for m in matches) - window)
    end = max(m.source_end for m in matches) + window
    return judgement.text[start:end]


def judge_author(
    person: str | None, page: ExtractedPage, judgement: TextJudgement, config: MatchConfig
) -> tuple[CheckState, Discrepancy | None]:
    if not person:
        return "unknown", None
    authors = [name for a in page.meta.authors for name in split_author_list(a)]
    if authors and matches_any_author(person, authors):
        return "pass", None
    near = _near_quote(judgement, config.author_window)
    if near and named_in(person, near, surname_only=True):
        return "pass", None  # the quoted speaker of a reported quote ("…," Brooks said)
    if authors:
        names = ", ".join(authors[:5]) + (" and others" if len(authors) > 5 else "")
        return "fail", Discrepancy(
            "author_mismatch",
            "error",
            f"The page names {names} as author; {person} is neither an author nor named near "
            "the quote.",
            person,
            names,
        )
    if named_in(person, page.full_text) or named_in(person, page.meta.title or ""):
        return "pass", None
    return "unknown", Discrepancy(
        "author_unconfirmed",
        "warning",
        f"The page names no author and does not mention {person}.",
        person,
        "",
    )


def judge_year(year: int | None, page: ExtractedPage) -> tuple[CheckState, Discrepancy | None]:
    if year is None:
        return "unknown", None
    published = page.meta.published_year
    if published is None:
        return "unknown", Discrepancy(
            "year_unconfirmed",
            "warning",
            f"The page shows no publication date, so the year {year} could not be confirmed.",
            str(year),
            "",
        )
    if published != year:
        return "fail", Discrepancy(
            "year_mismatch",
            "error",
            f"The page was published in {published}, not {year}.",
            str(year),
            page.meta.published or str(published),
        )
    return "pass", None


def judge(
    inp: QuoteInput, page: ExtractedPage, source: SourceInfo, config: MatchConfig
) -> VerificationResult:
    """The verdict on ``inp`` given the source's extracted text. Never 'verified' if words differ."""
    source.title = page.meta.title
    source.authors = list(page.meta.authors)
    source.published = page.meta.published
    canonical = page.meta.canonical_url
    if canonical and _url_key(canonical) not in {_url_key(source.url), _url_key(source.final_url)}:
        source.canonical_url = canonical
    judgement = judge_text(inp.quote, page)
    match = judgement.match
    text_chars = len(page.full_text.strip())
    if not match.found and text_chars < config.min_source_chars:
        disc = Discrepancy(
            "source_unsupported",
            "error",
            f"The page holds too little text to judge ({text_chars} characters); it may need "
            "JavaScript or a login to show its content.",
        )
        return VerificationResult(inp.id, "unverifiable", Checks(), [disc], source)
    discrepancies = list(match.discrepancies)
    text_errors = any(d.severity == "error" for d in discrepancies)
    checks = Checks(text="fail" if text_errors or not match.found else "pass")
    checks.author, author_disc = judge_author(inp.author, page, judgement, config)
    checks.year, year_disc = judge_year(inp.year, page)
    discrepancies += [d for d in (author_disc, year_disc) if d is not None]
    any_error = any(d.severity == "error" for d in discrepancies)
    verdict: Verdict = "disputed" if any_error or checks.text != "pass" else "verified"
    return VerificationResult(inp.id, verdict, checks, discrepancies, source, match.matches)


def _url_key(url: str | None) -> str:
    return (url or "").split("#", 1)[0].rstrip("/")


def too_little_text(result: VerificationResult) -> bool:
    """The page was read but shows too little text to judge (JavaScript-only, a stub)."""
    return result.verdict == "unverifiable" and bool(result.source.sha256)


def failure_result(inp: QuoteInput, failure: FetchFailure) -> VerificationResult:
    source = SourceInfo(url=inp.url, final_url=failure.final_url, status=failure.status)
    disc = Discrepancy(failure.kind, "error", failure.message, "", "")
    return VerificationResult(inp.id, "unverifiable", Checks(), [disc], source)


def source_info(page: FetchedPage) -> SourceInfo:
    return SourceInfo(
        url=page.url,
        final_url=page.final_url,
        status=page.status,
        via=page.via,
        sha256=page.sha256,
        fetched_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(page.fetched_at)),
    )


def _search_rank(result: VerificationResult) -> tuple[int, int, int]:
    return (
        result.checks.text != "pass",
        len(result.errors),
        len(result.discrepancies),
    )


def check_page(
    inp: QuoteInput,
    page: FetchedPage,
    config: MatchConfig,
    *,
    cache: ExtractionCache | None = None,
) -> VerificationResult:
    """Judge ``inp`` against an already fetched page (the network-free half of a check).

    ``cache`` keeps the page's extraction and tokens for the next quote on the same page.
    """
    if page.content_type == PDF_MIME:
        return _check_pdf(inp, page, config)
    if cache is not None:
        extracted = cache.extract(page)
    else:
        extracted = extract(page.text, page.content_type, page.final_url, page.utf8)
    result = judge(inp, extracted, source_info(page), config)
    _mark_supplied(result, page)
    return result


def _check_pdf(inp: QuoteInput, page: FetchedPage, config: MatchConfig) -> VerificationResult:
    """A PDF: judged like any text, and the result says on which pages the quote sits."""
    doc = pdf_document(page.text, page.doc_meta)
    result = judge(inp, doc.page, source_info(page), config)
    result.source.pages = doc.pages_of(result.matches) or None
    _mark_supplied(result, page)
    # A PDF's Author field is often a program or a typist, so it may confirm the author but
    # never contradict one.
    author = dict(page.doc_meta).get("author")
    if (
        author
        and inp.author
        and result.checks.author == "unknown"
        and matches_any_author(inp.author, split_author_list(author))
    ):
        result.checks.author = "pass"
        result.discrepancies = [d for d in result.discrepancies if d.kind != "author_unconfirmed"]
    return result


def _mark_supplied(result: VerificationResult, page: FetchedPage) -> None:
    if page.via == "pasted":
        result.source.final_url = None
        result.source.status = None
        result.source.supplied_name = dict(page.doc_meta).get("file")


def apply_stance(result: VerificationResult, stance: StanceResult) -> None:
    """Add the stance check to a judged result; a mismatch is an error like any other."""
    result.checks.stance = stance.state
    result.stance = stance.to_json()
    if stance.discrepancy is not None and result.verdict != "unverifiable":
        result.discrepancies.append(stance.discrepancy)
        if stance.discrepancy.severity == "error":
            result.verdict = "disputed"


class Verifier:
    """Fetches sources (with the page cache) and judges quotes; one per process or bot."""

    def __init__(
        self,
        config: Config,
        *,
        fetcher: Fetcher | None = None,
        stance: StanceChecker | None = None,
        archive: Archive | None = None,
        search: WebSearch | None = None,
    ) -> None:
        self.config = config
        self._own_fetcher = fetcher is None
        self._own_stance = stance is None
        # One database for the page cache and the model's call budget.
        db = (
            open_database(Path(config.database.path)) if fetcher is None or stance is None else None
        )
        if fetcher is None:
            cache = (
                PageCache(db, config.fetch.cache_ttl) if db and config.fetch.cache_ttl > 0 else None
            )
            fetcher = Fetcher(config.fetch, cache=cache)
        self.fetcher = fetcher
        # The bot checks many quotes against the same few pages: keep their extraction.
        self.extractions = ExtractionCache()
        self.stance = stance or StanceChecker(config.llm, config.secret(config.llm.api_key_env), db)
        self.archive = archive or Archive(config.archive, fetcher)
        self.search = search or WebSearch(config.search, fetcher)

    async def verify(
        self,
        inp: QuoteInput,
        *,
        supplied: FetchedPage | None = None,
        fresh: bool = False,
        archive_near: float | None = None,
    ) -> VerificationResult:
        """Check ``inp`` against its source: ``supplied`` text when given (nothing is fetched),
        else the URL, then the archive and the search fallbacks when the URL yields nothing.

        ``fresh`` bypasses the page cache; ``archive_near`` (epoch seconds) asks the archive for
        the capture closest to that time rather than the newest (re-checks of dead sources).
        """
        started = time.perf_counter()
        stance_task = None
        if inp.statement and inp.stance:
            # The stance does not depend on the source: ask while the page is fetched.
            stance_task = asyncio.ensure_future(
                self.stance.check(inp.quote, inp.author, inp.statement, inp.stance)
            )
        if supplied is not None:
            result = check_page(inp, supplied, self.config.match, cache=self.extractions)
            result.source.url = inp.url
        else:
            try:
                page = await self.fetcher.fetch(inp.url, fresh=fresh)
            except FetchFailure as failure:
                result = await self.fallback(inp, failure, archive_near=archive_near)
            else:
                result = await self.check_fetched(inp, page)
        if stance_task is not None:
            apply_stance(result, await stance_task)
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    async def check_fetched(self, inp: QuoteInput, page: FetchedPage) -> VerificationResult:
        """Judge a fetched page; when it holds too little text but names a canonical address,
        judge that page instead (a stub or an app shell pointing at the real article)."""
        result = check_page(inp, page, self.config.match, cache=self.extractions)
        canonical = result.source.canonical_url
        if canonical is None or not too_little_text(result):
            return result
        try:
            other = await self.fetcher.fetch(canonical)
        except FetchFailure:
            return result
        better = check_page(inp, other, self.config.match, cache=self.extractions)
        if better.verdict == "unverifiable":
            return result
        better.source.url = inp.url
        better.source.canonical_url = canonical
        return better

    async def fallback(
        self, inp: QuoteInput, failure: FetchFailure, *, archive_near: float | None = None
    ) -> VerificationResult:
        """The URL gave no page: try the archive's copy, then a web search, else say why not."""
        notes: list[str] = []
        archived: VerificationResult | None = None
        if self.archive.enabled and failure.archivable:
            try:
                hit = await self.archive.fetch(inp.url, near=archive_near)
            except ArchiveMiss as miss:
                notes.append(miss.message)
            else:
                archived = check_page(inp, hit.page, self.config.match, cache=self.extractions)
                src = archived.source
                src.url = inp.url
                src.final_url = failure.final_url or inp.url
                src.status = failure.status
                src.via = "archive"
                src.archive_url = hit.snapshot.view_url
                src.archived_at = hit.snapshot.archived_at
                src.direct_failure = failure.to_json()
                if archived.verdict != "unverifiable" or not self.search.enabled:
                    return archived
                notes.append(f"{ARCHIVE_NAME}'s copy of {hit.snapshot.day} holds too little text")
        if self.search.enabled:
            found = await self._search(inp, failure, notes)
            if found is not None:
                return found
        if archived is not None:
            return archived
        return failure_result(inp, failure.extended("".join(f"; {n}" for n in notes)))

    async def _search(
        self, inp: QuoteInput, failure: FetchFailure, notes: list[str]
    ) -> VerificationResult | None:
        exclude = [inp.url] + ([failure.final_url] if failure.final_url else [])
        try:
            finds = await self.search.find(inp.quote, exclude=exclude)
        except SearchMiss as miss:
            notes.append(miss.message)
            return None
        best: VerificationResult | None = None
        for page in finds.pages:
            result = check_page(inp, page, self.config.match, cache=self.extractions)
            if result.verdict == "unverifiable" or "quote_not_found" in result.kinds():
                continue
            if best is None or _search_rank(result) < _search_rank(best):
                best = result
        if best is None:
            notes.append(
                f'a web search for "{finds.phrase}" found {len(finds.pages)} page(s), '
                "none carrying the quote"
            )
            return None
        best.source.via = "search"
        best.source.url = inp.url
        best.source.found_via_search_for = finds.phrase
        best.source.direct_failure = failure.extended("".join(f"; {n}" for n in notes)).to_json()
        return best

    async def close(self) -> None:
        if self._own_fetcher:
            await self.fetcher.close()
        if self._own_stance:
            await self.stance.close()

    async def __aenter__(self) -> Verifier:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
