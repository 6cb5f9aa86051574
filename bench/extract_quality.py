"""How well bot.extract keeps article text and reads bylines and dates, against trafilatura.

Run from the project root: ``python -m bench.extract_quality [--corpus DIR] [--no-baseline]``.
The corpus (see ../shared/README.md) is not part of the repository; this is not a test.

1. Recall: share of ground-truth article sentences (and of quoted spans of 40+ characters) found
   in our full_text and main_text, and in trafilatura's text; plus the share of main_text
   sentences that belong to the article (a precision check, so "main" cannot just be everything).
2. Metadata: author names and published dates against Readability's expected-metadata.json.
3. Speed: seconds per page for extract_html vs trafilatura (which runs htmldate for the date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.extract import extract_html
from bot.metadata import date_from_url

T = TypeVar("T")
DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# Readability's expected bylines are the raw byline text; where that is not a plain list of names,
# this is the list of names a reader would take from it (None: no author in it at all).
GOLD_AUTHORS: dict[str, tuple[str, ...] | None] = {
    "breitbart": ("Lucas Nolan",),
    "google-sre-book-1": ("Rob Ewaschuk",),
    "iab-1": ("Scott Cunningham",),
    "lwn-1": ("Nathan Willis",),
    "medicalnewstoday": ("Ana Sandoiu",),
    "quanta-1": ("Joshua Sokol",),
    "wapo-1": ("Erin Cunningham",),
    "wapo-2": ("Steven Mufson",),
    "webmd-1": ("Brenda Goodman",),
    "webmd-2": ("Kelli Miller",),
    "yahoo-3": ("Gillian Mohney",),
    "lemonde-1": ("Martin Untersinger", "Damien Leloup", "Morgane Tual"),
    "ebb-org": ("Bradley M. Kuhn",),
    "folha": ("Bruno Rodrigues",),
    # The page's two DC.Creator tags name both authors of the draft; Readability takes the first.
    "ietf-1": ("F. Kooman", "Michiel de Jong"),
    # A blog name with the owner's handle in parentheses; the handle is no part of the name.
    "pixnet": ("史蒂文的家_藍天",),
    # Where Readability's byline belongs to another story on the page, the article's own author
    # (checked in the page: its itemprop/meta author and headline) is the gold.
    "liberation-1": ("AFP",),  # Sébastien Farcis signs a related story in the sidebar
    "salon-1": ("Richard Eskow",),  # "The sharing economy is a lie" is by Richard (R.J.) Eskow
    "herald-sun-1": ("Laurie Oakes",),  # article:author; Joe Hildebrand heads a columnist list
    "seattletimes-1": None,
    "spiceworks": None,
    "royal-road": None,
}


def _key(text: str) -> str:
    """Comparison form: NFKC, case-folded, straight quotes, no whitespace."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(str.maketrans("‘’‚‛“”„‟–—‐‑", "''''\"\"\"\"----"))
    return re.sub(r"[\s\u00ad\u200b\ufeff]+", "", text)


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


def _sentences(text: str, min_chars: int = 20) -> list[str]:
    parts = re.split(r"(?<=[.!?…])[\"'”’»)]*\s+|\n+", text)
    return [p.strip() for p in parts if len(p.strip()) >= min_chars]


def _quoted_spans(text: str, min_chars: int = 40) -> list[str]:
    spans = re.findall(rf"[“\"«]([^“”\"«»\n]{{{min_chars},}}?)[”\"»]", text)
    return [s.strip() for s in spans]


def _read(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", "replace")


@dataclass
class Tally:
    found: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.found += hit
        self.total += 1

    def __str__(self) -> str:
        share = 100.0 * self.found / self.total if self.total else 0.0
        return f"{share:6.2f}% ({self.found}/{self.total})"


@dataclass
class Timing:
    ours: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)


def _timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def _baseline(html: str, url: str | None) -> tuple[Any, float]:
    import trafilatura

    return _timed(
        trafilatura.bare_extraction, html, url=url, with_metadata=True, include_comments=False
    )


def recall_benchmark(corpus: Path, baseline: bool, timing: Timing, verbose: bool) -> None:
    root = corpus / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    tallies = {
        name: Tally()
        for name in (
            *("full", "main", "base", "q_full", "q_main", "q_base", "prec_main", "prec_base"),
            *("date", "date_near", "date_base", "date_base_near"),
        )
    }
    misses: list[tuple[str, str]] = []
    for page_id, item in sorted(truth.items()):
        path = root / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        html, url = _read(path), item.get("url")
        page, seconds = _timed(extract_html, html, url)
        timing.ours.append(seconds)
        full_key, main_key = _key(page.full_text), _key(page.main_text)
        base_key = ""
        if baseline:
            doc, seconds = _baseline(html, url)
            timing.baseline.append(seconds)
            base_key = _key(doc.text or "") if doc is not None else ""
        body = item.get("articleBody") or ""
        for sentence in _sentences(body):
            k = _key(sentence)
            tallies["full"].add(k in full_key)
            tallies["main"].add(k in main_key)
            if baseline:
                tallies["base"].add(k in base_key)
            if k not in full_key:
                misses.append((page_id[:10], sentence))
        for span in _quoted_spans(body):
            k = _key(span)
            tallies["q_full"].add(k in full_key)
            tallies["q_main"].add(k in main_key)
            if baseline:
                tallies["q_base"].add(k in base_key)
        # Pages whose URL holds the day: the page (read without its URL) should say the same day.
        url_day = date_from_url(url)
        if url_day and len(url_day) == 10:
            ours = extract_html(html).meta.published
            tallies["date"].add(ours == url_day)
            tallies["date_near"].add(_days_apart(ours, url_day) <= 1)
            if baseline:
                import htmldate

                theirs = htmldate.find_date(html, original_date=True)
                tallies["date_base"].add(theirs == url_day)
                tallies["date_base_near"].add(_days_apart(theirs, url_day) <= 1)
            if verbose and ours != url_day:
                misses.append((page_id[:10], f"date {ours}, URL says {url_day}"))
        body_key = _key(body)
        for sentence in _sentences(page.main_text):
            tallies["prec_main"].add(_key(sentence) in body_key)
        if baseline and doc is not None:
            for sentence in _sentences(doc.text or ""):
                tallies["prec_base"].add(_key(sentence) in body_key)
    print(f"article-extraction-benchmark: {len(truth)} pages")
    print(
        f"  sentence recall   full_text {tallies['full']}   main_text {tallies['main']}"
        + (f"   trafilatura {tallies['base']}" if baseline else "")
    )
    print(
        f"  quoted-span recall full_text {tallies['q_full']}   main_text {tallies['q_main']}"
        + (f"   trafilatura {tallies['q_base']}" if baseline else "")
    )
    print(
        f"  precision (sentences of the output that are article text): main_text "
        f"{tallies['prec_main']}" + (f"   trafilatura {tallies['prec_base']}" if baseline else "")
    )
    print(
        f"  published day = the day in the URL (page read without its URL): {tallies['date']}, "
        f"within a day {tallies['date_near']}"
        + (
            f"   | htmldate(original_date) {tallies['date_base']}, "
            f"within a day {tallies['date_base_near']}"
            if baseline
            else ""
        )
    )
    if verbose:
        for page_id, sentence in misses[:60]:
            print(f"    missing in full_text [{page_id}] {sentence[:150]}")


def _days_apart(found: str | None, want: str) -> int:
    if not found or len(found) != 10:
        return 10**6
    return abs((dt.date.fromisoformat(found) - dt.date.fromisoformat(want)).days)


def _gold_names(name: str, byline: str | None) -> tuple[str, ...] | None:
    if name in GOLD_AUTHORS:
        return GOLD_AUTHORS[name]
    if not byline:
        return None
    return tuple(p.strip() for p in re.split(r",\s*|\s+and\s+", byline) if p.strip())


def _names_from(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(p.strip() for p in re.split(r";\s*|,\s*|\s+and\s+", value) if p.strip())


def _score_names(got: tuple[str, ...], gold: tuple[str, ...]) -> tuple[bool, bool]:
    got_set, gold_set = {_fold(n) for n in got}, {_fold(n) for n in gold}
    return got_set == gold_set, bool(got_set & gold_set)


def metadata_benchmark(corpus: Path, baseline: bool, timing: Timing, verbose: bool) -> None:
    root = corpus / "readability-test-pages"
    names = {k: Tally() for k in ("exact", "any", "base_exact", "base_any", "spurious", "b_spur")}
    text = {k: Tally() for k in ("full", "main", "base", "prec_main", "prec_base")}
    dates = {k: Tally() for k in ("ours", "base", "htmldate")}
    lines: list[str] = []
    pages = sorted(p for p in root.iterdir() if (p / "source.html").exists())
    for page_dir in pages:
        html = (page_dir / "source.html").read_text(encoding="utf-8", errors="replace")
        expected = json.loads((page_dir / "expected-metadata.json").read_text(encoding="utf-8"))
        page, seconds = _timed(extract_html, html)
        timing.ours.append(seconds)
        doc = None
        if baseline:
            doc, seconds = _baseline(html, None)
            timing.baseline.append(seconds)
        # Readability's expected.html is the article alone; its sentences must be in our text.
        if (page_dir / "expected.html").exists():
            article = extract_html(
                (page_dir / "expected.html").read_text(encoding="utf-8")
            ).full_text
            full_key, main_key, article_key = (
                _key(page.full_text),
                _key(page.main_text),
                _key(article),
            )
            base_key = _key(getattr(doc, "text", None) or "") if doc is not None else ""
            for sentence in _sentences(article):
                k = _key(sentence)
                text["full"].add(k in full_key)
                text["main"].add(k in main_key)
                if baseline:
                    text["base"].add(k in base_key)
                if verbose and k not in full_key:
                    lines.append(f"    missing in full_text [{page_dir.name}] {sentence[:120]}")
            for sentence in _sentences(page.main_text):
                text["prec_main"].add(_key(sentence) in article_key)
            if doc is not None:
                for sentence in _sentences(getattr(doc, "text", None) or ""):
                    text["prec_base"].add(_key(sentence) in article_key)
        gold = _gold_names(page_dir.name, expected.get("byline"))
        base_names = _names_from(getattr(doc, "author", None)) if doc is not None else ()
        if gold:
            exact, anyhit = _score_names(page.meta.authors, gold)
            names["exact"].add(exact)
            names["any"].add(anyhit)
            if baseline:
                b_exact, b_any = _score_names(base_names, gold)
                names["base_exact"].add(b_exact)
                names["base_any"].add(b_any)
            if not exact:
                lines.append(
                    f"    author {page_dir.name}: got {page.meta.authors} want {gold}"
                    + (f" (trafilatura {base_names})" if baseline else "")
                )
        elif expected.get("byline") is None and page_dir.name not in GOLD_AUTHORS:
            names["spurious"].add(bool(page.meta.authors))
            if baseline:
                names["b_spur"].add(bool(base_names))
            if page.meta.authors:
                lines.append(f"    author {page_dir.name}: got {page.meta.authors}, none expected")
        want = (expected.get("publishedTime") or "")[:10]
        if want:
            dates["ours"].add(page.meta.published == want)
            if baseline:
                import htmldate

                dates["base"].add(getattr(doc, "date", None) == want)
                found = htmldate.find_date(html, original_date=True)
                dates["htmldate"].add(found == want)
            if page.meta.published != want:
                lines.append(f"    date {page_dir.name}: got {page.meta.published} want {want}")
    print(f"readability-test-pages: {len(pages)} pages")
    print(
        f"  sentence recall (expected.html)  full_text {text['full']}   main_text {text['main']}"
        + (f"   trafilatura {text['base']}" if baseline else "")
    )
    print(
        f"  precision: main_text {text['prec_main']}"
        + (f"   trafilatura {text['prec_base']}" if baseline else "")
    )
    print(
        f"  authors exact {names['exact']}   any-overlap {names['any']}"
        + (
            f"   | trafilatura exact {names['base_exact']}   any-overlap {names['base_any']}"
            if baseline
            else ""
        )
    )
    print(
        f"  authors given where the page names none: ours {names['spurious']}"
        + (f"   trafilatura {names['b_spur']}" if baseline else "")
    )
    print(
        f"  published date (day) {dates['ours']}"
        + (
            f"   | trafilatura {dates['base']}   htmldate(original_date) {dates['htmldate']}"
            if baseline
            else ""
        )
    )
    if verbose:
        print("\n".join(lines))


def _summary(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"median {1000 * statistics.median(ordered):7.2f} ms   p95 {1000 * p95:7.2f} ms   "
        f"total {sum(ordered):6.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory")
    parser.add_argument("--no-baseline", action="store_true", help="skip trafilatura/htmldate")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not (corpus / "article-extraction-benchmark").is_dir():
        print(
            f"no corpus at {corpus} (expected article-extraction-benchmark/ inside)",
            file=sys.stderr,
        )
        return 2
    baseline = not args.no_baseline
    if baseline:
        try:
            import htmldate  # noqa: F401
            import trafilatura  # noqa: F401
        except ImportError:
            print("trafilatura/htmldate not installed: pip install .[bench]", file=sys.stderr)
            return 2
    timing = Timing()
    recall_benchmark(corpus, baseline, timing, args.verbose)
    if (corpus / "readability-test-pages").is_dir():
        metadata_benchmark(corpus, baseline, timing, args.verbose)
    print(f"time per page ({len(timing.ours)} pages)")
    print(f"  bot.extract.extract_html        {_summary(timing.ours)}")
    if baseline:
        print(f"  trafilatura (+htmldate, meta)   {_summary(timing.baseline)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
