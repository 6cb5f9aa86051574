"""The benchmark plumbing on a tiny corpus the tests write themselves (never ../shared).

Covers the case generator (every case type with its label, determinism, the oracle filter), the
scoring of answers, and smoke runs of the accuracy loop and the speed harness. No timings are
asserted.
"""

from __future__ import annotations

import gzip
import html
import json
import random
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench import accuracy, speed
from bench.cases import (
    CASE_TYPES,
    FILLER,
    Case,
    PageOracle,
    generate_cases,
    oracle_words,
    sentence_ranges,
    speech_quotes,
)
from bench.corpus import CorpusError, Page, byline_names, load_corpus, pick, serve_corpus

# --------------------------------------------------------------------------- a tiny corpus

SYLLABLES = [
    "ba",
    "ko",
    "ri",
    "mel",
    "tan",
    "su",
    "vor",
    "li",
    "den",
    "ga",
    "po",
    "zu",
    "ren",
    "thi",
    "mo",
    "ca",
    "fel",
    "du",
]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def _sentences(seed: int, n: int) -> list[str]:
    """Sentences of made-up words, each page with its own vocabulary (so pages share no text)."""
    rng = random.Random(seed)
    vocab = [_word(rng) for _ in range(80)]
    out = []
    for _ in range(n):
        words = [rng.choice(vocab) for _ in range(rng.randint(14, 20))]
        words.insert(rng.randint(2, 5), rng.choice(["has", "will", "was", "can"]))
        words.insert(rng.randint(8, 12), str(rng.randint(12, 950)))
        out.append(" ".join(words).capitalize() + ".")
    return out


def _paragraphs(seed: int) -> list[str]:
    sentences = _sentences(seed, 24)
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, 24, 4)]
    place, storm = _sentences(seed + 100, 1)[0].split()[:2]
    paragraphs.append(
        f"“We will rebuild the old {place.lower()} walls before the {storm} storms arrive,” "
        f"said Maria Lopez, who leads the project."
    )
    return paragraphs


def _page_html(title: str, paragraphs: list[str], author: str | None, date: str | None) -> str:
    head = f"<title>{html.escape(title)}</title>"
    byline = ""
    if author:
        head += f'<meta name="author" content="{html.escape(author)}">'
        byline = f'<p class="byline">By <a rel="author" href="/a">{html.escape(author)}</a></p>'
    if date:
        head += f'<meta property="article:published_time" content="{date}">'
        byline += f'<time datetime="{date}">{date}</time>'
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{byline}{body}</article>"
        "<footer>Copyright. All rights reserved.</footer></body></html>"
    )


MISSING = "This sentence is in the ground truth but nowhere on the page at all, sadly."


def write_corpus(root: Path) -> Path:
    """Three news pages and two readability pages (bylines, dates), a few KB each."""
    aeb = root / "article-extraction-benchmark"
    (aeb / "html").mkdir(parents=True)
    truth: dict[str, Any] = {}
    for n in range(3):
        paragraphs = _paragraphs(n)
        page = _page_html(f"Story {n}", paragraphs, None, None)
        key = f"{n:064x}"
        (aeb / "html" / f"{key}.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
        body = list(paragraphs)
        if n == 0:
            body.append(MISSING)  # the oracle must drop it
        truth[key] = {"articleBody": "\n".join(body), "url": f"https://news.example/{n}"}
    (aeb / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")

    rdb = root / "readability-test-pages"
    people = [("Agnes Whitcombe", "2016-04-02T10:00:00Z"), ("Bartholomew Quince", None)]
    for n, (author, date) in enumerate(people):
        folder = rdb / f"site-{n}"
        folder.mkdir(parents=True)
        paragraphs = _paragraphs(10 + n)
        page = _page_html(f"Report {n}", paragraphs, author, date)
        (folder / "source.html").write_text(page, encoding="utf-8")
        expected = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        (folder / "expected.html").write_text(f"<div>{expected}</div>", encoding="utf-8")
        meta = {"title": f"Report {n}", "byline": f"By {author}", "publishedTime": date}
        (folder / "expected-metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return root


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


# --------------------------------------------------------------------------- loading


def test_load_corpus_reads_both_collections(corpus_dir: Path) -> None:
    pages = load_corpus(corpus_dir)
    assert [p.collection for p in pages] == ["aeb"] * 3 + ["rdb"] * 2
    rdb = {p.id: p for p in pages if p.collection == "rdb"}
    assert rdb["rdb/site-0"].authors == ("Agnes Whitcombe",)
    assert rdb["rdb/site-0"].year == 2016
    assert rdb["rdb/site-1"].year is None
    assert "said Maria Lopez" in rdb["rdb/site-1"].truth
    assert pages[0].html().startswith("<!doctype html>")


def test_limit_takes_a_seeded_sample(corpus_dir: Path) -> None:
    pages = load_corpus(corpus_dir)
    some = pick(pages, 3, seed=9)
    assert len(some) == 3 and [p.id for p in some] == [p.id for p in pick(pages, 3, seed=9)]
    assert pick(pages, None, seed=9) == pages and pick(pages, 99, seed=9) == pages
    with pytest.raises(CorpusError):
        pick(pages, 0, seed=9)


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="--corpus"):
        load_corpus(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no pages"):
        load_corpus(tmp_path / "empty")


def test_accuracy_cli_reports_a_missing_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert accuracy.main(["--corpus", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Brenda  Goodman, MA\n   WebMD Health News", ("Brenda Goodman",)),
        ("By\n\t\tScott Cunningham", ("Scott Cunningham",)),
        ("by Lucas Nolan22 Dec 2016651", ("Lucas Nolan",)),
        ("Martin Untersinger (avec Damien Leloup et Morgane Tual)", ("Martin Untersinger",)),
        ("Laura June Topolsky", ("Laura June Topolsky",)),
        ("Stella Kim, Jennifer Jett", ("Stella Kim", "Jennifer Jett")),
        ("April 28, 2019 at 6:01 am Updated April 29", ()),
        ("BBC News", ()),
        (None, ()),
    ],
)
def test_byline_names(byline: str | None, names: tuple[str, ...]) -> None:
    assert byline_names(byline) == names


async def test_server_serves_pages_and_dead_links(corpus_dir: Path) -> None:
    pages = load_corpus(corpus_dir)
    async with serve_corpus(pages) as site, aiohttp.ClientSession() as session:
        async with session.get(site.url(pages[0].path)) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/html")
            assert "Story 0" in await resp.text()
        async with session.get(site.url("/gone/anything")) as resp:
            assert resp.status == 404
        wayback = site.archive_settings()["availability_url"]
        assert wayback.startswith("http://127.0.0.1:")
        async with session.get(wayback, params={"url": "http://x.test/"}) as resp:
            assert await resp.json() == {"url": "http://x.test/", "archived_snapshots": {}}


# --------------------------------------------------------------------------- the oracle


def test_oracle_reads_text_not_markup() -> None:
    page = (
        "<html><body><p>The <b>quick</b> brown&nbsp;fox &mdash; it&rsquo;s fast.</p>"
        "<script>var hidden = 'words only in a script';</script>"
        '<script type="application/ld+json">{"articleBody": "Text carried only in JSON-LD here."}'
        "</script><p>Next para\u00adgraph.</p></body></html>"
    )
    oracle = PageOracle(page)
    assert oracle.holds("the quick brown fox — it's fast")
    assert oracle.holds("Text carried only in JSON-LD")
    assert oracle.holds("next paragraph")
    assert not oracle.holds("words only in a script")
    assert not oracle.holds("quick fox")


def test_oracle_sees_near_copies() -> None:
    oracle = PageOracle(
        "<p>Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod.</p>"
    )
    near = "Lorem ipsum dolor sit amet, consectetur adipiscing elit."
    assert not oracle.holds(near) and oracle.nearly_holds(near)
    assert not oracle.nearly_holds("Ut enim ad minim veniam, quis nostrud exercitation ullamco.")
    assert FILLER.search("Ut enim ad minim veniam, quis nostrud exercitation ullamco.")
    assert not FILLER.search("The council approved the new bridge on Monday.")


def test_spans_with_cut_marks_get_no_cut_cases(tmp_path: Path) -> None:
    """A span that already holds "..." would read as marked where the page has it."""
    sentences = [s[:-1] + " ... and so on." for s in _sentences(42, 12)]
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, 12, 3)]
    path = tmp_path / "dots.html"
    path.write_text(_page_html("Dots", paragraphs, None, None), encoding="utf-8")
    page = Page("aeb/dots", path, "\n".join(paragraphs))
    kinds = {c.type for c in generate_cases([page], seed=1, dead_links=0).cases}
    assert "verbatim" in kinds
    assert not kinds & {"marked_cut", "inner_cut", "sentence_cut"}


def test_oracle_words_ignore_typography() -> None:
    assert oracle_words("“It’s — FINE,”\nshe said") == oracle_words('"it\'s - fine," she said')


def test_sentence_ranges_skip_abbreviations_and_initials() -> None:
    text = 'Mr. Smith met J. Doe in the U.S. capital. He left. "Then what?" she asked. Done.'
    got = [text[a:b] for a, b in sentence_ranges(text)]
    assert got == [
        "Mr. Smith met J. Doe in the U.S. capital.",
        "He left.",
        '"Then what?" she asked.',
        "Done.",
    ]


def test_speech_quotes_find_the_speaker_full_name() -> None:
    truth = (
        "Officials met Jane Ortega on Monday.\n"
        "“The bridge will be finished long before the first snow falls,” Ortega said.\n"
        "“Nobody expected the river to rise quite this fast this year,” he said."
    )
    assert speech_quotes(truth) == [
        ("The bridge will be finished long before the first snow falls", "Jane Ortega")
    ]


# --------------------------------------------------------------------------- the generator


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def test_every_case_type_is_generated_with_its_label(corpus_dir: Path) -> None:
    pages = load_corpus(corpus_dir)
    case_set = generate_cases(pages, seed=7)
    by_type: dict[str, list[Case]] = {}
    for case in case_set.cases:
        by_type.setdefault(case.type, []).append(case)
        assert case.label == CASE_TYPES[case.type][0]
        assert 12 <= len(case.quote) <= 5000
    assert set(by_type) == set(CASE_TYPES)
    ids = [c.id for c in case_set.cases]
    assert len(ids) == len(set(ids))

    for case in by_type["verbatim"]:
        assert case.quote == case.span
    for case in by_type["typography"]:
        assert case.quote != case.span and oracle_words(case.quote) == oracle_words(case.span)
    for case in by_type["marked_cut"]:
        assert re.search(r"\[\.\.\.\]|\[…\]|…|\.\.\.|\(\.\.\.\)", case.quote)
    for case in by_type["sentence_cut"]:
        left_out = case.note.removeprefix("left out ")[1:-1]
        assert _words(case.quote) + _words(left_out) != _words(case.span)
        assert sorted(_words(case.quote) + _words(left_out)) == sorted(_words(case.span))
    for case in by_type["inner_cut"]:
        q, s = case.quote.split(), case.span.split()
        cut = len(s) - len(q)
        assert 4 <= cut <= 7
        start = next(i for i, (a, b) in enumerate(zip(q, s, strict=False)) if a != b)
        assert q == s[:start] + s[start + cut :]
    for kind in ("word_swap", "number_change"):
        for case in by_type[kind]:
            q, s = _words(case.quote), _words(case.span)
            assert len(q) == len(s) and sum(a != b for a, b in zip(q, s, strict=True)) == 1
    for case in by_type["negation"]:
        assert " not " in case.quote and case.quote.replace("not ", "", 1) == case.span
    for case in by_type["appended_sentence"]:
        assert case.quote.startswith(case.span + " ") and len(case.quote) > len(case.span)
    for case in by_type["wrong_page"]:
        assert not case.id.startswith(f"wrong_page/{case.page}/")
    page_by_id = {p.id: p for p in pages}
    for case in by_type["right_author"]:
        assert case.author in page_by_id[case.page].authors
    for case in by_type["wrong_author"]:
        assert case.author not in page_by_id[case.page].authors
        assert case.author is not None
        assert case.author.split()[-1] not in page_by_id[case.page].html()
    for case in by_type["right_year"] + by_type["wrong_year"]:
        published = page_by_id[case.page].year
        assert published is not None and case.year is not None
        assert abs(case.year - published) == (0 if case.type == "right_year" else 3)
    for case in by_type["dead_link"]:
        assert case.path.startswith("/gone/")
    assert {c.author for c in by_type["speech"]} == {"Maria Lopez"}


def test_generation_is_deterministic(corpus_dir: Path) -> None:
    pages = load_corpus(corpus_dir)
    first = [c.to_json() for c in generate_cases(pages, seed=3).cases]
    again = [c.to_json() for c in generate_cases(load_corpus(corpus_dir), seed=3).cases]
    other = [c.to_json() for c in generate_cases(pages, seed=4).cases]
    assert first == again
    assert first != other


def test_oracle_drops_spans_that_are_not_on_the_page(corpus_dir: Path) -> None:
    case_set = generate_cases(load_corpus(corpus_dir), seed=1)
    assert case_set.stats.spans_dropped["aeb"] >= 1
    assert case_set.stats.spans_dropped["rdb"] == 0
    assert any(MISSING in span for _, span in case_set.stats.dropped_examples)
    assert not any(MISSING in c.span or MISSING in c.quote for c in case_set.cases)
    assert "dropped as not on the page" in case_set.stats.describe()


# --------------------------------------------------------------------------- scoring


def _case(kind: str) -> Case:
    return Case(f"{kind}/x/0", kind, "x", "/page/x", "some quoted words here", CASE_TYPES[kind][0])


def _result(verdict: str, *kinds: tuple[str, str], **checks: str) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "checks": {"text": "pass", "author": "unknown", "year": "unknown", **checks},
        "discrepancies": [
            {"kind": k, "severity": s, "message": "", "quote_excerpt": "", "source_excerpt": ""}
            for k, s in kinds
        ],
    }


def test_assess_scores_answers_against_labels() -> None:
    swap = _case("word_swap")
    good = accuracy.assess(swap, _result("disputed", ("altered_wording", "error")))
    assert good.labelled and good.detected and not good.false_badge
    badge = accuracy.assess(swap, _result("verified"))
    assert not badge.labelled and badge.false_badge and badge.detected is False
    assert "verdict verified" in badge.why

    cut = _case("sentence_cut")
    assert accuracy.assess(cut, _result("verified", ("unmarked_omission", "warning"))).labelled
    wrong_severity = accuracy.assess(cut, _result("disputed", ("unmarked_omission", "error")))
    assert not wrong_severity.labelled and not wrong_severity.false_badge

    verbatim = _case("verbatim")
    noisy = accuracy.assess(verbatim, _result("verified", ("reordered", "warning")))
    assert not noisy.labelled and "unexpected reordered" in noisy.why

    author = _case("right_author")
    assert accuracy.assess(author, _result("verified", author="pass")).labelled
    assert not accuracy.assess(author, _result("verified")).labelled


def test_summary_counts_false_badges_clean_passes_and_detection() -> None:
    cases = [_case("verbatim"), _case("typography"), _case("word_swap"), _case("inner_cut")]
    results = [
        _result("verified"),
        _result("disputed", ("altered_wording", "error")),
        _result("verified"),
        _result("disputed", ("unmarked_omission", "error")),
    ]
    s = accuracy.summarise(cases, results)
    assert s["false_badges"] == {"count": 1, "of": 2, "goal": 0, "pass": False}
    assert (s["clean_pass"]["count"], s["clean_pass"]["verified"]) == (2, 1)
    assert s["detection"]["altered_wording (error)"]["rate"] == 0.0
    assert s["detection"]["unmarked_omission (error)"]["pass"] is True
    assert s["types"]["typography"]["labelled"] == 0
    report = accuracy.format_report(s)
    assert "MISS" in report and "false badges" in report


# --------------------------------------------------------------------------- smoke runs


async def test_accuracy_loop_runs_end_to_end(corpus_dir: Path, tmp_path: Path) -> None:
    pages = load_corpus(corpus_dir)
    out = tmp_path / "results" / "misses.jsonl"
    summary, case_set = await accuracy.run_accuracy(
        pages, seed=5, out=out, workdir=tmp_path, quiet=True
    )
    assert summary["cases"] == len(case_set.cases) > 0
    assert set(summary["types"]) == set(CASE_TYPES)
    assert sum(t["count"] for t in summary["types"].values()) == summary["cases"]
    assert summary["oracle"]["spans_dropped"] >= 1
    assert out.exists()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == summary["misses"] == summary["cases"] - summary["labelled"]
    for line in lines:
        record = json.loads(line)
        assert {"case", "type", "quote", "label", "engine", "why"} <= set(record)
    dead = [c for c in case_set.cases if c.type == "dead_link"]
    assert summary["types"]["dead_link"]["count"] == len(dead)


async def test_dead_links_ask_the_local_archive(corpus_dir: Path, tmp_path: Path) -> None:
    """The archive fallback stays on but asks the local server, never the Wayback Machine."""
    pages = load_corpus(corpus_dir)
    async with serve_corpus(pages) as site:
        config = accuracy.make_config(tmp_path / "db.sqlite", site)
        assert config.archive.availability_url.startswith(site.bases[0])
        case = Case(
            "d", "dead_link", "x", "/gone/x", "some quoted words", CASE_TYPES["dead_link"][0]
        )
        [result] = await accuracy.check_cases([case], site, config)
        assert result["verdict"] == "unverifiable"
        assert site.requests == 2  # the dead link, then the archive lookup


def test_miss_record_is_readable() -> None:
    case = _case("number_change")
    result = _result("verified")
    a = accuracy.assess(case, result)
    record = accuracy.miss_record(case, result, a, None, "/page/x")
    assert record["false_badge"] is True
    assert record["label"]["kind"] == "altered_wording"
    assert record["engine"]["verdict"] == "verified"
    json.dumps(record)


def test_speed_helpers() -> None:
    sizes = [1_000, 10_000, 100_000]
    assert speed.loglog_slope(sizes, [s * 2e-6 for s in sizes]) == pytest.approx(1.0)
    assert speed.loglog_slope(sizes, [(s * 1e-6) ** 2 for s in sizes]) == pytest.approx(2.0)
    s = speed.summary([float(x) for x in range(1, 101)])
    assert (s["median"], s["p95"], s["n"]) == (50.5, 95.0, 100)


def test_book_text_reaches_the_size_and_says_when_it_cycles(corpus_dir: Path) -> None:
    pages = load_corpus(corpus_dir)
    text, cycled = speed.book_text(pages, 50_000)
    assert len(text.encode("utf-8")) == 50_000 and cycled
    quotes = speed.ladder_quotes(text, random.Random(1))
    assert quotes[-1] == speed.ABSENT_QUOTE and all(q in text for q in quotes[:3])


def test_stage_timings_run_on_a_page(corpus_dir: Path) -> None:
    pytest.importorskip("trafilatura")
    pages = load_corpus(corpus_dir)
    quotes = speed.page_quotes(pages, 1)
    times = speed.StageTimes()
    speed.bench_page(pages[0], quotes[pages[0].id], times, repeat=1)
    assert set(times.ms) == set(speed.STAGES) - {"fetch"}
    assert len(times.ms["check"]) == len(quotes[pages[0].id]) == len(speed.QUOTE_TYPES)


async def test_fetch_timings_go_through_the_fetcher(corpus_dir: Path) -> None:
    pages = load_corpus(corpus_dir)
    times = speed.StageTimes()
    await speed.fetch_times(pages, times)
    assert len(times.ms["fetch"]) == len(pages)


async def test_throughput_runs_the_real_cli(corpus_dir: Path, tmp_path: Path) -> None:
    pages = load_corpus(corpus_dir)
    quotes = speed.page_quotes(pages, 1)
    runs, startup, hosts = await speed.bench_throughput(
        pages,
        quotes,
        checks=3,
        concurrencies=[1, 2],
        seed=1,
        workdir=tmp_path,
        say=lambda _: None,
    )
    assert [r.concurrency for r in runs] == [1, 2]
    assert all(sum(r.verdicts.values()) == 3 for r in runs)
    assert all("error" not in r.verdicts for r in runs)
    assert startup > 0 and hosts >= 1
