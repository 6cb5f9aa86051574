"""Search fallback: when a quote's own URL yields nothing, find another page that carries it.

Off unless ``[search] searxng_url`` names a SearxNG instance (its JSON API must be enabled:
``search.formats`` includes ``json``). The query is a distinctive stretch of the quote in double
quotes; the top results are fetched through the same guarded Fetcher as any source, and the
verifier keeps the one where the quote matches best.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass

from yarl import URL

from bot.config import SearchConfig
from bot.fetch import FetchedPage, Fetcher, FetchFailure

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# Editorial marks cut a quote into stretches that are contiguous in the source.
_CUTS = re.compile(r"\[[^\]]*\]|\.{3}|…")
_STOP_TEXT = """a an and are as at be but by for from had has have he her his i if in into is it its
me my no not of on or our she so than that the their them then there these they this to was we
were what when which who will with would you your"""
_STOPWORDS = frozenset(_STOP_TEXT.split())
PHRASE_MIN_WORDS = 8
PHRASE_MAX_WORDS = 12
_PHRASE_WORDS = 10


class SearchMiss(Exception):
    """No page found; ``message`` continues a failure's sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SearchFinds:
    phrase: str  # what was searched for (without the quotation marks)
    pages: list[FetchedPage]  # candidates that could be read, in the engine's order


def search_phrase(quote: str) -> str:
    """A distinctive stretch of 8 to 12 consecutive words of ``quote`` (fewer if it is shorter).

    Taken from one uncut stretch (never across "[...]" or an ellipsis) and chosen for words that
    are long and not stopwords, which makes an exact-phrase search most specific.
    """
    best: tuple[int, list[str]] = (-1, [])
    for stretch in _CUTS.split(quote):
        words = _WORD.findall(stretch)
        if not words:
            continue
        size = min(len(words), _PHRASE_WORDS)
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            score = sum(len(w) + 3 for w in window if w.casefold() not in _STOPWORDS)
            if (len(window), score) > (len(best[1]), best[0]):
                best = (score, window)
    return " ".join(best[1])


def _url_key(url: str) -> str:
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return url
    host = (parsed.host or "").lower().removeprefix("www.")
    return f"{host}{parsed.path.rstrip('/')}?{parsed.query_string}"


def result_urls(answer: object, exclude: Iterable[str], limit: int) -> list[str]:
    """Distinct http(s) result addresses of a SearxNG JSON answer, minus ``exclude``."""
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        return []
    seen = {_url_key(u) for u in exclude}
    out: list[str] = []
    for item in answer["results"]:
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            continue
        key = _url_key(url)
        if key in seen:
            continue
        seen.add(key)
        out.append(url)
        if len(out) >= limit:
            break
    return out


class WebSearch:
    """Asks the configured SearxNG instance for pages carrying a quote and fetches the top few."""

    def __init__(self, config: SearchConfig, fetcher: Fetcher) -> None:
        self.config = config
        self.fetcher = fetcher

    @property
    def enabled(self) -> bool:
        return bool(self.config.searxng_url.strip())

    def query_url(self, phrase: str) -> str:
        base = URL(self.config.searxng_url.strip().rstrip("/") + "/search")
        return str(base.with_query({"q": f'"{phrase}"', "format": "json"}))

    async def find(self, quote: str, *, exclude: Iterable[str] = ()) -> SearchFinds:
        """Candidate pages for ``quote``; raises SearchMiss when there are none to read."""
        phrase = search_phrase(quote)
        if not phrase:
            raise SearchMiss("the quote has no words to search for")
        try:
            answer = await self.fetcher.fetch_json(self.query_url(phrase))
        except (FetchFailure, ValueError) as failure:
            why = failure.message if isinstance(failure, FetchFailure) else str(failure)
            if isinstance(failure, FetchFailure) and failure.status == 403:
                why += " (the SearxNG instance must allow the json format)"
            raise SearchMiss(f"the web search could not be asked ({why})") from None
        urls = result_urls(answer, exclude, self.config.candidates)
        if not urls:
            raise SearchMiss(f'a web search for "{phrase}" found no other page')
        fetched = await asyncio.gather(
            *(self.fetcher.fetch(u) for u in urls), return_exceptions=True
        )
        pages = [p for p in fetched if isinstance(p, FetchedPage)]
        for problem in fetched:
            if isinstance(problem, BaseException) and not isinstance(problem, FetchFailure):
                raise problem
        if not pages:
            raise SearchMiss(
                f'a web search for "{phrase}" found {len(urls)} page(s), none of which could be read'
            )
        return SearchFinds(phrase, pages)
