"""How fast Verbatim checks, stage by stage, against the obvious alternatives, and under load.

Run from the project root: ``python -m bench.speed [--corpus DIR] [--json FILE] [--plot FILE.png]``.

1. Per stage over the corpus pages: extraction, tokenisation, matching, the whole network-free
   check (``bot.verify.check_page`` on a page held in memory), peak memory; the same jobs done with
   trafilatura + htmldate, difflib and rapidfuzz in the same run, reported as ratios.
2. A size ladder from 1 KB to 2 MB: a "book" made by concatenating the corpus's ground-truth
   article bodies, to see how the cost grows with the length of the source.
3. Throughput: the real CLI (``python -m bot verify --batch``, a subprocess) against a local server
   that answers each page after a seeded random 50-500 ms, at several concurrencies.

CPU timings run pinned to one core where the system allows it. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import hashlib
import html as htmllib
import json
import logging
import math
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bench.cases import DEFAULT_SEED, generate_cases, swap_word
from bench.corpus import (
    DEFAULT_CORPUS,
    REPO_ROOT,
    CorpusError,
    Page,
    load_corpus,
    machine_info,
    pick,
    serve_corpus,
)
from bot import extract as extract_module
from bot.config import MatchConfig, parse_config
from bot.decode import decode_text
from bot.extract import extract
from bot.extractcache import ExtractionCache
from bot.fetch import FetchedPage, Fetcher, FetchFailure, utf8_body
from bot.matcher import match_quote
from bot.models import QuoteInput
from bot.textnorm import tokenize
from bot.verify import check_page

SIZES = (1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000, 2_000_000)
CONCURRENCIES = (1, 4, 16, 64, 256)
QUOTE_TYPES = ("verbatim", "word_swap", "inner_cut")  # three kinds of work for the matcher
WHOLE_CHECK_GOAL_RATIO = 20.0
MEDIAN_CHECK_GOAL_MS = 10.0
SLOPE_GOAL = 1.1  # "no faster than linear", with room for timing noise
LATENCY = (0.05, 0.5)

log = logging.getLogger("bench.speed")


# --------------------------------------------------------------------------- measuring


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median and 95th percentile (nearest rank) of ``values``."""
    if not values:
        return {"median": math.nan, "p95": math.nan, "n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": statistics.median(ordered), "p95": p95, "n": len(ordered)}


def timed(
    fn: Callable[..., object],
    *args: Any,
    repeat: int = 1,
    setup: Callable[[], object] | None = None,
) -> float:
    """Seconds per call of ``fn(*args)``, the best of ``repeat`` (the least disturbed by the
    machine); ``setup`` runs untimed before each call."""
    best = math.inf
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb(fn: Callable[..., object], *args: Any) -> float:
    """Peak Python memory (MB) allocated while ``fn(*args)`` runs (tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn(*args)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@contextlib.contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU while timing, where the system lets us."""
    getter = getattr(os, "sched_getaffinity", None)
    setter = getattr(os, "sched_setaffinity", None)
    if getter is None or setter is None:
        yield "not pinned (no sched_setaffinity)"
        return
    before = getter(0)
    cpu = min(before)
    try:
        setter(0, {cpu})
    except OSError:
        yield "not pinned"
        return
    try:
        yield f"pinned to CPU {cpu}"
    finally:
        setter(0, before)


def loglog_slope(sizes: Sequence[float], times: Sequence[float]) -> float:
    """Least-squares slope of log(time) against log(size): 1.0 is linear growth."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else math.nan


# --------------------------------------------------------------------------- the alternatives

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences_of(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def difflib_locate(text: str, quote: str) -> object:
    """Where the quote sits, the difflib way: longest common block, then all matching blocks."""
    sm = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    sm.find_longest_match(0, len(text), 0, len(quote))
    return sm.get_matching_blocks()


def partial_ratio_whole(text: str, quote: str) -> float:
    return float(fuzz.partial_ratio(quote, text))


def partial_ratio_sentences(sentences: Sequence[str], quote: str) -> float:
    return max((fuzz.partial_ratio(quote, s) for s in sentences), default=0.0)


def trafilatura_extract(html: str, url: str | None) -> str:
    """trafilatura's text with its metadata (title, author, and the date via htmldate)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    text = getattr(doc, "text", None) if doc is not None else None
    return text or ""


def trafilatura_check(html: str, url: str | None, quote: str) -> float:
    """The alternative whole check: trafilatura extraction, then partial_ratio on its text."""
    return partial_ratio_whole(trafilatura_extract(html, url), quote)


def _quiet_libraries() -> None:
    for name in ("trafilatura", "htmldate", "readability", "justext", "courlan"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


# --------------------------------------------------------------------------- 1. per stage


@dataclass
class StageTimes:
    ms: dict[str, list[float]] = field(default_factory=dict)
    mb: dict[str, list[float]] = field(default_factory=dict)
    aeb_check_ms: list[float] = field(default_factory=list)

    def add(self, stage: str, seconds: float) -> None:
        self.ms.setdefault(stage, []).append(seconds * 1000)


STAGES = {
    "fetch": "fetch per page: bot.fetch over local HTTP, no latency",
    "extract": "extraction per page: bot.extract.extract",
    "extract_traf": "extraction per page: trafilatura + htmldate",
    "tokenize": "tokenisation of a page's text",
    "match": "matching per quote: match_quote, pre-tokenised",
    "difflib": "locating per quote: difflib SequenceMatcher",
    "pr_whole": "per quote: partial_ratio on the whole text",
    "pr_sentences": "per quote: partial_ratio on each sentence",
    "check": "whole check per quote: check_page",
    "check_cached": "whole check, a further quote on the page (ExtractionCache)",
    "check_traf": "whole check per quote: trafilatura + partial_ratio",
}


# What the extractor memoises across pages (facts of class and id values, tags, block marks).
_MEMOS: tuple[dict[Any, Any], ...] = (
    extract_module._VALUE_FACTS,
    extract_module._TAG_INFO,
    extract_module._BLOCK_INFO,
    extract_module._POPUP_INFO,
)


def memos_before_page() -> Callable[[], None]:
    """A function that puts the extractor's memos back as they stood before this page.

    Every timed repetition on a page starts from it, so no repetition runs with what an earlier
    one learnt about this page's own class and id values: a first check on a page never has
    that. What earlier pages taught stays, as it would in a long-running bot.
    """
    saved = [dict(memo) for memo in _MEMOS]

    def restore() -> None:
        for memo, copy in zip(_MEMOS, saved, strict=True):
            memo.clear()
            memo.update(copy)

    return restore


def page_quotes(pages: Sequence[Page], seed: int) -> dict[str, list[str]]:
    """Quotes to time on each page: a verbatim span, a changed word, an unmarked cut."""
    quotes: dict[str, list[str]] = {}
    for case in generate_cases(pages, seed, dead_links=0).cases:
        if case.type in QUOTE_TYPES and case.path == f"/page/{case.page}":
            quotes.setdefault(case.page, []).append(case.quote)
    return quotes


def in_memory(page_html: str, url: str) -> FetchedPage:
    """A fetched page built in memory, as the fetcher would hand it over for the body the
    corpus server sends (the page in UTF-8): decoded text, digest and, where the text is the
    body's exact decoding, the body for the parser (``bot.fetch.utf8_body``)."""
    raw = page_html.encode("utf-8", "surrogatepass")
    charset, text = decode_text(raw, "text/html", "text/html; charset=utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    return FetchedPage(
        url,
        url,
        200,
        "text/html",
        charset,
        text,
        digest,
        time.time(),
        utf8=utf8_body(raw, charset, text),
    )


def _check(
    quote: str, page: FetchedPage, config: MatchConfig, cache: ExtractionCache | None = None
) -> object:
    return check_page(QuoteInput(quote=quote, url=page.url), page, config, cache=cache)


def _tokenize_and_match(quote: str, text: str) -> object:
    return match_quote(quote, tokenize(text))


def bench_page(page: Page, quotes: Sequence[str], times: StageTimes, repeat: int) -> None:
    """Time every stage, and its alternatives, on one page and its quotes."""
    config = MatchConfig()
    html = page.html()
    url = page.url or f"http://127.0.0.1{page.path}"
    fetched = in_memory(html, url)
    before = memos_before_page()
    times.add(
        "extract",
        timed(extract, fetched.text, "text/html", url, fetched.utf8, repeat=repeat, setup=before),
    )
    started = time.perf_counter()
    traf_text = trafilatura_extract(html, url)
    traf_seconds = time.perf_counter() - started
    times.add("extract_traf", traf_seconds)
    text = extract(html, "text/html", url).full_text
    times.add("tokenize", timed(tokenize, text, repeat=repeat))
    tokens = tokenize(text)
    sentences = sentences_of(text)
    for quote in quotes:
        times.add("match", timed(match_quote, quote, tokens, repeat=repeat))
        times.add("difflib", timed(difflib_locate, text, quote))
        times.add("pr_whole", timed(partial_ratio_whole, text, quote, repeat=repeat))
        times.add("pr_sentences", timed(partial_ratio_sentences, sentences, quote))
        check = timed(_check, quote, fetched, config, repeat=repeat, setup=before)
        times.add("check", check)
        if page.collection == "aeb":
            times.aeb_check_ms.append(check * 1000)
        times.add("check_traf", traf_seconds + timed(partial_ratio_whole, traf_text, quote))
    if quotes:
        cache = ExtractionCache()
        before()
        _check(quotes[0], fetched, config, cache)  # the first quote fills the cache
        for quote in quotes:
            times.add("check_cached", timed(_check, quote, fetched, config, cache, repeat=repeat))
    times.mb.setdefault("extract", []).append(peak_mb(extract, html, "text/html", url))
    if quotes:
        times.mb.setdefault("check", []).append(peak_mb(_check, quotes[0], fetched, config))


async def fetch_times(pages: Sequence[Page], times: StageTimes) -> None:
    """What the fetcher costs per page (HTTP, decoding, checks on the body) with no latency added.

    The local server runs in the same process, so its (small) cost of serving is included.
    """
    config = parse_config({"fetch": {"allow_private_networks": True, "retries": 0}})
    async with serve_corpus(pages) as site:  # a Fetcher alone has no archive fallback
        fetcher = Fetcher(config.fetch)
        try:
            for page in pages:
                started = time.perf_counter()
                with contextlib.suppress(FetchFailure):
                    await fetcher.fetch(site.url(page.path))
                times.add("fetch", time.perf_counter() - started)
        finally:
            await fetcher.close()


def bench_pages(
    pages: Sequence[Page], quotes: dict[str, list[str]], *, repeat: int, say: Callable[[str], None]
) -> StageTimes:
    times = StageTimes()
    asyncio.run(fetch_times(pages, times))
    for n, page in enumerate(pages, 1):
        if n % 50 == 0:
            say(f"  stage timings: {n}/{len(pages)} pages")
        bench_page(page, quotes.get(page.id, []), times, repeat)
    return times


# --------------------------------------------------------------------------- 2. size ladder


def book_text(pages: Sequence[Page], size: int) -> tuple[str, bool]:
    """Ground-truth article bodies joined until ``size`` UTF-8 bytes; True if it had to cycle."""
    bodies = [p.truth.strip() for p in pages if p.truth.strip()]
    if not bodies:
        raise CorpusError("the corpus has no ground-truth text to build the long document from")
    parts: list[str] = []
    total = 0
    cycled = False
    i = 0
    while total < size:
        if i == len(bodies):
            i, cycled = 0, True
        parts.append(bodies[i])
        total += len(bodies[i].encode("utf-8")) + 2
        i += 1
    text = "\n\n".join(parts)
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore"), cycled


def as_html(text: str) -> str:
    paragraphs = "".join(
        f"<p>{htmllib.escape(p.strip())}</p>\n" for p in text.split("\n") if p.strip()
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>A long document</title>"
        f"</head><body><article>\n{paragraphs}</article></body></html>"
    )


ABSENT_QUOTE = (
    "The harbour commission voted on Thursday to close the northern pier for repairs until the "
    "end of the summer season, citing storm damage."
)


def ladder_quotes(text: str, rng: random.Random) -> list[str]:
    """Three sentences of the document (start, middle, end), one with a word changed, one absent."""
    found: list[str] = []
    for where in (0.1, 0.5, 0.9):
        start = int(len(text) * where)
        m = re.search(r"(?<=[.!?]\s)([A-Z][^\n]{60,240}?[.!?])(?=\s)", text[start:])
        if m is None:
            m = re.search(r"(?<=[.!?]\s)([A-Z][^\n]{60,240}?[.!?])(?=\s)", text)
        if m is not None and m.group(1) not in found:
            found.append(m.group(1))
    quotes = list(found)
    if found:
        swapped = swap_word(found[len(found) // 2], rng)
        if swapped:
            quotes.append(swapped[0])
    quotes.append(ABSENT_QUOTE)
    return quotes


@dataclass
class Rung:
    size: int
    words: int
    ms: dict[str, float] = field(default_factory=dict)  # medians over the rung's quotes
    mb: dict[str, float] = field(default_factory=dict)


def _median_ms(fn: Callable[..., object], first: Any, quotes: Sequence[str], repeat: int) -> float:
    return statistics.median(timed(fn, first, q, repeat=repeat) * 1000 for q in quotes)


def bench_rung(text: str, quotes: Sequence[str], size: int) -> Rung:
    """Every stage on one document of the ladder; ms are medians over its quotes."""
    config = MatchConfig()
    doc = as_html(text)
    url = f"http://127.0.0.1/book/{size}"
    fetched = in_memory(doc, url)
    repeat = max(1, min(20, 200_000 // size))
    tokens = tokenize(text)
    rung = Rung(size, len(tokens))
    rung.ms["tokenize"] = timed(tokenize, text, repeat=repeat) * 1000
    rung.ms["match"] = statistics.median(
        timed(match_quote, q, tokens, repeat=repeat) * 1000 for q in quotes
    )
    rung.ms["extract"] = (
        timed(extract, fetched.text, "text/html", url, fetched.utf8, repeat=repeat) * 1000
    )
    rung.ms["check"] = statistics.median(
        timed(_check, q, fetched, config, repeat=repeat) * 1000 for q in quotes
    )
    few = quotes if size <= 256_000 else quotes[1:2]  # difflib takes seconds on long texts
    rung.ms["difflib"] = _median_ms(difflib_locate, text, few, 1)
    rung.ms["pr_whole"] = _median_ms(partial_ratio_whole, text, quotes, repeat)
    rung.ms["pr_sentences"] = _median_ms(partial_ratio_sentences, sentences_of(text), quotes, 1)
    rung.ms["check_traf"] = timed(trafilatura_extract, doc, url) * 1000 + rung.ms["pr_whole"]
    rung.mb["tokenize+match"] = peak_mb(_tokenize_and_match, quotes[0], text)
    rung.mb["extract"] = peak_mb(extract, doc, "text/html", url)
    rung.mb["check"] = peak_mb(_check, quotes[0], fetched, config)
    return rung


def bench_ladder(
    pages: Sequence[Page], sizes: Sequence[int], seed: int, say: Callable[[str], None]
) -> tuple[list[Rung], bool]:
    book, cycled = book_text(pages, max(sizes))
    rungs = []
    for size in sizes:
        say(f"  size ladder: {size:,} bytes")
        text = book.encode("utf-8")[:size].decode("utf-8", errors="ignore")
        quotes = ladder_quotes(text, random.Random(f"{seed}:{size}"))
        rungs.append(bench_rung(text, quotes, size))
    return rungs, cycled


# --------------------------------------------------------------------------- 3. throughput


@dataclass
class Throughput:
    concurrency: int
    checks: int
    seconds: float
    verdicts: dict[str, int]
    cpu_seconds: float = math.nan  # user + system time of the CLI process

    @property
    def rate(self) -> float:
        return self.checks / self.seconds if self.seconds else math.nan

    @property
    def cpu_share(self) -> float:
        """The CLI's CPU time over the wall time: near 1.0, one core is the limit."""
        return self.cpu_seconds / self.seconds if self.seconds else math.nan


def _config_toml(database: Path, archive: dict[str, str]) -> str:
    """The CLI's config: defaults, but local fetches allowed, no page cache, a local archive."""
    lines = [
        "[fetch]",
        "allow_private_networks = true",
        "retries = 0",
        "cache_ttl = 0",
        "",
        "[database]",
        f"path = {json.dumps(str(database))}",
        "",
        "[archive]",
        *(f"{key} = {json.dumps(value)}" for key, value in archive.items()),
    ]
    return "\n".join(lines) + "\n"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _run_cli(batch: Path, config: Path, concurrency: int) -> tuple[float, list[str], float]:
    """Wall seconds, output lines and CPU seconds of one ``verify --batch`` run."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "verify",
        "--config",
        str(config),
        "--batch",
        str(batch),
        "--concurrency",
        str(concurrency),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(REPO_ROOT),
    )
    out, err = await proc.communicate()
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before  # the child is reaped by now
    if proc.returncode != 0:
        raise RuntimeError(
            f"python -m bot verify --batch exited with {proc.returncode}: "
            f"{err.decode(errors='replace')[-500:]}"
        )
    return seconds, out.decode("utf-8").splitlines(), cpu


async def bench_throughput(
    pages: Sequence[Page],
    quotes: dict[str, list[str]],
    *,
    checks: int,
    concurrencies: Sequence[int],
    seed: int,
    workdir: Path,
    say: Callable[[str], None],
) -> tuple[list[Throughput], float, int]:
    """Checks per second through the real CLI; returns the runs, the CLI's start-up seconds and
    the number of loopback hosts the pages were spread over."""
    usable = [p for p in pages if quotes.get(p.id)]
    chosen = random.Random(f"{seed}:throughput").sample(usable, min(checks, len(usable)))
    runs = []
    async with serve_corpus(chosen, latency=LATENCY, seed=seed, hosts=max(concurrencies)) as site:
        lines = [
            json.dumps({"id": p.id, "url": site.url(p.path, i), "quote": quotes[p.id][0]})
            for i, p in enumerate(chosen)
        ]
        batch = workdir / "batch.jsonl"
        batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
        empty = workdir / "empty.jsonl"
        empty.write_text("", encoding="utf-8")
        config = workdir / "bench.toml"
        config.write_text(
            _config_toml(workdir / "speed.db", site.archive_settings()), encoding="utf-8"
        )
        startup, _, _ = await _run_cli(empty, config, 1)
        for c in concurrencies:
            say(f"  throughput: {len(lines)} checks at concurrency {c}")
            seconds, out, cpu = await _run_cli(batch, config, c)
            verdicts = Counter(json.loads(line).get("verdict") or "error" for line in out)
            runs.append(Throughput(c, len(lines), seconds, dict(verdicts), cpu))
        hosts = len(site.bases)
    return runs, startup, hosts


# --------------------------------------------------------------------------- reporting


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def format_stages(times: StageTimes) -> list[str]:
    lines = [f"{'stage':<52} {'median ms':>10} {'p95 ms':>9} {'n':>6}"]
    for key, title in STAGES.items():
        s = summary(times.ms.get(key, []))
        lines.append(f"{title:<52} {s['median']:>10.2f} {s['p95']:>9.2f} {s['n']:>6}")
    for key, title in (("extract", "extraction"), ("check", "whole check")):
        s = summary(times.mb.get(key, []))
        lines.append(
            f"{'peak memory, ' + title + ' (MB)':<52} {s['median']:>10.2f} {s['p95']:>9.2f} "
            f"{s['n']:>6}"
        )
    return lines


def stage_ratios(times: StageTimes) -> dict[str, float]:
    med = {k: summary(v)["median"] for k, v in times.ms.items()}
    match_total = med["match"] + med["tokenize"]
    return {
        "extraction: trafilatura+htmldate / Verbatim": med["extract_traf"] / med["extract"],
        "locating: difflib / match_quote": med["difflib"] / med["match"],
        "locating: difflib / (tokenise + match_quote)": med["difflib"] / match_total,
        "partial_ratio whole text / match_quote": med["pr_whole"] / med["match"],
        "partial_ratio each sentence / match_quote": med["pr_sentences"] / med["match"],
        "whole check: trafilatura-based / Verbatim": med["check_traf"] / med["check"],
    }


def format_ladder(rungs: Sequence[Rung]) -> list[str]:
    cols = ("tokenize", "match", "extract", "check", "difflib", "pr_whole", "pr_sentences")
    head = f"{'bytes':>10} {'words':>8} " + " ".join(f"{c:>12}" for c in cols)
    head += f" {'MB tok+match':>13} {'MB extract':>11} {'MB check':>9}"
    lines = [head]
    for r in rungs:
        row = f"{r.size:>10,} {r.words:>8,} " + " ".join(f"{r.ms[c]:>12.3f}" for c in cols)
        row += f" {r.mb['tokenize+match']:>13.2f} {r.mb['extract']:>11.2f} {r.mb['check']:>9.2f}"
        lines.append(row)
    return lines


def plot(path: Path, rungs: Sequence[Rung], runs: Sequence[Throughput]) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install -e '.[bench]')"
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    sizes = [r.size for r in rungs]
    for key, name in (
        ("match", "match_quote"),
        ("tokenize", "tokenize"),
        ("check", "check_page"),
        ("check_traf", "trafilatura + partial_ratio"),
        ("difflib", "difflib"),
        ("pr_whole", "partial_ratio (whole text)"),
    ):
        left.plot(sizes, [r.ms[key] for r in rungs], marker="o", label=name)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("document size (bytes)")
    left.set_ylabel("ms per quote")
    left.set_title("Cost against document length")
    left.legend(fontsize=8)
    if runs:
        right.plot([r.concurrency for r in runs], [r.rate for r in runs], marker="o")
        right.set_xscale("log", base=2)
        right.set_xlabel("concurrency (--concurrency)")
        right.set_ylabel("checks per second")
        right.set_title("python -m bot verify --batch, 50-500 ms per page")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return f"plot written to {path}"


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed for quotes and latency")
    p.add_argument("--limit", type=int, help="use at most N pages for the stage timings")
    p.add_argument("--repeat", type=int, default=3, help="best of N for the fast timings")
    p.add_argument("--checks", type=int, default=200, help="checks per throughput run")
    p.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=list(CONCURRENCIES),
        help="concurrencies for the throughput runs",
    )
    p.add_argument("--skip-throughput", action="store_true", help="CPU measurements only")
    p.add_argument("--json", type=Path, help="also write the figures as JSON here")
    p.add_argument("--plot", type=Path, help="draw the size ladder and throughput (matplotlib)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeat < 1 or args.checks < 1 or any(c < 1 or c > 256 for c in args.concurrency):
        print(
            "speed: --repeat and --checks must be at least 1, --concurrency 1 to 256",
            file=sys.stderr,
        )
        return 2
    try:
        corpus = load_corpus(args.corpus)
        pages = pick(corpus, args.limit, args.seed)
    except CorpusError as exc:
        print(f"speed: {exc}", file=sys.stderr)
        return 2
    _quiet_libraries()

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    machine = machine_info()
    say(f"speed: {len(pages)} pages from {args.corpus}")
    quotes = page_quotes(pages, args.seed)
    with one_core() as pinned:
        times = bench_pages(pages, quotes, repeat=args.repeat, say=say)
        rungs, cycled = bench_ladder(corpus, SIZES, args.seed, say)
    runs: list[Throughput] = []
    startup: float = math.nan
    hosts = 0
    if not args.skip_throughput:
        with tempfile.TemporaryDirectory(prefix="verbatim-speed-") as tmp:
            runs, startup, hosts = asyncio.run(
                bench_throughput(
                    corpus,
                    page_quotes(corpus, args.seed) if len(pages) < len(corpus) else quotes,
                    checks=args.checks,
                    concurrencies=args.concurrency,
                    seed=args.seed,
                    workdir=Path(tmp),
                    say=say,
                )
            )

    print(
        f"machine: {machine['cpu']}, {machine['cpus']} CPUs, Python {machine['python']}; "
        f"engine at {machine['engine']}; CPU timings {pinned}"
    )
    n_quotes = sum(len(v) for v in quotes.values())
    print(
        f"corpus: {len(pages)} pages; {n_quotes} quotes ({', '.join(QUOTE_TYPES)}; one of each "
        "per page); fast timings are the best of "
        f"{args.repeat} runs, trafilatura and difflib run once\n"
    )
    print("1. Per stage over the corpus pages")
    for line in format_stages(times):
        print("  " + line)
    ratios = stage_ratios(times)
    print("\n  ratios of medians (alternative / Verbatim; above 1 means Verbatim is faster):")
    for name, value in ratios.items():
        print(f"    {name:<48} {value:>8.1f}x")

    check_all = summary(times.ms["check"])["median"]
    check_aeb = summary(times.aeb_check_ms)["median"]
    whole_ratio = ratios["whole check: trafilatura-based / Verbatim"]
    slope = loglog_slope([r.size for r in rungs], [r.ms["match"] for r in rungs])
    slope_tok = loglog_slope([r.size for r in rungs], [r.ms["tokenize"] for r in rungs])
    slope_check = loglog_slope([r.size for r in rungs], [r.ms["check"] for r in rungs])
    upper = [r for r in rungs if r.size >= 64_000]
    slope_upper = loglog_slope([r.size for r in upper], [r.ms["match"] for r in upper])
    print(
        "\n2. Size ladder (ms per quote, medians; a 'book' of ground-truth article bodies joined "
        f"up to 2 MB{', cycled once through the corpus to reach it' if cycled else ''}; the HTML "
        "form wraps each paragraph in <p>)"
    )
    for line in format_ladder(rungs):
        print("  " + line)
    print(
        f"  log-log slopes over 1 KB..2 MB: match_quote {slope:.2f}, tokenize {slope_tok:.2f}, "
        f"check_page {slope_check:.2f} (1.00 = linear); match_quote over 64 KB..2 MB, where "
        f"fixed costs no longer dominate: {slope_upper:.2f}"
    )

    if runs:
        base = runs[0].rate
        print(
            f"\n3. Throughput: python -m bot verify --batch (subprocess), {runs[0].checks} checks "
            f"on distinct pages, each answered after {LATENCY[0] * 1000:.0f}-"
            f"{LATENCY[1] * 1000:.0f} ms (seeded), pages spread over {hosts} loopback "
            f"host{'s' if hosts != 1 else ''}; page cache off; CLI start-up {startup:.2f} s "
            "included; CPU = the CLI's user + system time over the wall time (100% = one core, "
            "the CLI's limit: it runs on one event loop)"
        )
        print(
            f"  {'concurrency':>11} {'seconds':>8} {'checks/s':>9} {'speed-up':>9} {'CPU':>6}"
            f" {'CPU ms/check':>13}   verdicts"
        )
        for r in runs:
            verdicts = ", ".join(f"{n} {k}" for k, n in sorted(r.verdicts.items()))
            print(
                f"  {r.concurrency:>11} {r.seconds:>8.2f} {r.rate:>9.2f} {r.rate / base:>8.1f}x"
                f" {r.cpu_share:>6.0%} {r.cpu_seconds * 1000 / r.checks:>13.1f}   {verdicts}"
            )

    goals = {
        "whole check >= 20x faster than trafilatura-based": (
            f"{whole_ratio:.1f}x",
            whole_ratio >= WHOLE_CHECK_GOAL_RATIO,
        ),
        "median whole check < 10 ms, article pages (article-extraction-benchmark)": (
            f"{check_aeb:.2f} ms",
            check_aeb < MEDIAN_CHECK_GOAL_MS,
        ),
        "median whole check < 10 ms, all corpus pages": (
            f"{check_all:.2f} ms",
            check_all < MEDIAN_CHECK_GOAL_MS,
        ),
        f"matching grows no faster than linearly (log-log slope <= {SLOPE_GOAL})": (
            f"{slope:.2f}",
            slope <= SLOPE_GOAL,
        ),
    }
    print("\nGoals:")
    for name, (shown, ok) in goals.items():
        print(f"  {name:<75} {shown:>10}  {_mark(ok)}")

    if args.plot:
        print(plot(args.plot, rungs, runs))
    if args.json:
        report = {
            "machine": machine,
            "pinned": pinned,
            "pages": len(pages),
            "quotes": n_quotes,
            "stages": {k: summary(v) for k, v in times.ms.items()},
            "stages_aeb_check": summary(times.aeb_check_ms),
            "memory_mb": {k: summary(v) for k, v in times.mb.items()},
            "ratios": ratios,
            "ladder": [{"bytes": r.size, "words": r.words, "ms": r.ms, "mb": r.mb} for r in rungs],
            "book_cycled": cycled,
            "slopes": {
                "match": slope,
                "tokenize": slope_tok,
                "check": slope_check,
                "match_64k_2m": slope_upper,
            },
            "throughput": [
                {
                    "concurrency": r.concurrency,
                    "checks": r.checks,
                    "seconds": r.seconds,
                    "rate": r.rate,
                    "verdicts": r.verdicts,
                    "cpu_seconds": r.cpu_seconds,
                }
                for r in runs
            ],
            "cli_startup_s": startup,
            "hosts": hosts,
            "goals": {k: {"value": shown, "pass": ok} for k, (shown, ok) in goals.items()},
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
