"""End to end through HTTP: a local server plays the publisher; the verdicts the issue asks for."""

from __future__ import annotations

import asyncio
import html
import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import Config, parse_config
from bot.models import QuoteInput, VerificationResult
from bot.verify import Verifier
from tests.sample_texts import ARTICLE_BLOCKS, OTHER_ARTICLE_TEXT, article_html

SHARED = Path(__file__).resolve().parents[2] / "shared" / "seeds"
ROOT = Path(__file__).resolve().parent.parent


def make_config(tmp_path: Path) -> Config:
    return parse_config(
        {
            "fetch": {"allow_private_networks": True, "retries": 0, "total_timeout": 5},
            "database": {"path": str(tmp_path / "verbatim.db")},
        }
    )


def text_page(title: str, lines: list[str], *, author: str | None, date: str | None) -> str:
    """A publisher-style page: title, byline, date, paragraphs and headings."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if author:
        parts.append(
            f'<div class="byline">By <a rel="author" href="/people/x">{html.escape(author)}</a></div>'
        )
    if date:
        parts.append(f'<time datetime="{date}">{date}</time>')
    for line in lines:
        tag = "h2" if line and line[-1] not in '.”"?!:)' and len(line) < 90 else "p"
        parts.append(f"<{tag}>{html.escape(line)}</{tag}>")
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    return (
        f"<html><head><title>{html.escape(title)} - IEEE Spectrum</title>{meta}</head><body>"
        "<header><nav><a href='/'>Home</a></nav></header>"
        f"<main><article>{''.join(parts)}</article></main>"
        "<footer>Subscribe to our newsletter</footer></body></html>"
    )


PAGES: dict[str, Callable[[], str]] = {
    "/article": lambda: article_html(),
    "/no-byline": lambda: article_html(author=None, date=None),
    "/other": lambda: f"<html><body><article><p>{OTHER_ARTICLE_TEXT}</p></article></body></html>",
    "/empty": lambda: "<html><body><div id='app'></div><script>render()</script></body></html>",
}


@pytest.fixture
async def site() -> AsyncIterator[str]:
    async def handler(request: web.Request) -> web.Response:
        path = request.path
        if path.startswith("/seed/") and SHARED.exists():
            name = path.removeprefix("/seed/")
            lines = (SHARED / name).read_text().splitlines()
            body = text_page(lines[0], lines[1:], author="Ben Brooks", date="2024-03-01")
            return web.Response(text=body, content_type="text/html")
        if path in PAGES:
            return web.Response(text=PAGES[path](), content_type="text/html")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def check(
    tmp_path: Path, url: str, quote: str, author: str | None = None, year: int | None = None
) -> VerificationResult:
    async with Verifier(make_config(tmp_path)) as verifier:
        return await verifier.verify(
            QuoteInput.parse(quote=quote, url=url, author=author, year=year)
        )


SEED_LIKE = (
    "Since the first allotments opened after the war, planners have argued about whether vacant "
    "lots should be sold or shared. However our councils choose to manage land, we need to keep a "
    "diverse food system: from large farms supplying supermarkets to everyday growers "
    "experimenting on rooftops. Community gardens are the bedrock for local resilience in cities. "
    "Eventually, these fees may lead to closures in ways that erode the culture of sharing, which "
    "made the gardens possible in the first place and helps keep them safe. Gardens play a vital "
    "role in helping to build health and trust in a neighbourhood.[...] In short, gardens will "
    "become civic infrastructure."
)


async def test_sample_article_verified_with_unmarked_cuts_as_warnings(
    site: str, tmp_path: Path
) -> None:
    result = await check(tmp_path, f"{site}/article", SEED_LIKE, "Priya Raman", 2024)
    assert result.verdict == "verified", result.discrepancies
    assert [d.kind for d in result.discrepancies] == ["unmarked_omission"] * 3
    assert all(d.severity == "warning" for d in result.discrepancies)
    assert result.checks.to_json() == {
        "text": "pass",
        "author": "pass",
        "year": "pass",
        "stance": "unknown",
    }
    assert result.source.title and "Community Gardens" in result.source.title
    assert result.source.authors == ["Priya Raman"]
    assert result.source.published and result.source.published.startswith("2024")
    assert result.source.via == "direct" and result.source.sha256


@pytest.mark.parametrize(
    ("change", "kwargs", "kind"),
    [
        (lambda q: q.replace("bedrock", "foundation"), {}, "altered_wording"),
        (lambda q: q.replace("gardens are the", "gardens are not the"), {}, "altered_wording"),
        (
            lambda q: q + " Shopkeepers fear losing parking, while riders point to safer streets.",
            {},
            "quote_not_found",
        ),
        (lambda q: q, {"author": "Sam Altman"}, "author_mismatch"),
        (lambda q: q, {"year": 2019}, "year_mismatch"),
    ],
)
async def test_sample_article_doctored_is_disputed(
    site: str, tmp_path: Path, change: Callable[[str], str], kwargs: dict[str, object], kind: str
) -> None:
    args: dict[str, object] = {"author": "Priya Raman", "year": 2024, **kwargs}
    result = await check(tmp_path, f"{site}/article", change(SEED_LIKE), **args)  # type: ignore[arg-type]
    assert result.verdict == "disputed"
    assert kind in result.kinds()
    assert any(d.kind == kind and d.severity == "error" for d in result.discrepancies)


async def test_reported_speech_speaker_counts_as_author(site: str, tmp_path: Path) -> None:
    quote = "We are asking to be left alone on land nobody else wants."
    result = await check(tmp_path, f"{site}/article", quote, "Jonas Whitfield")
    assert result.verdict == "verified" and result.checks.author == "pass"


async def test_page_without_byline_or_date_gives_warnings(site: str, tmp_path: Path) -> None:
    quote = "Community gardens are the bedrock for local resilience in cities."
    result = await check(tmp_path, f"{site}/no-byline", quote, "Someone Else", 2024)
    assert result.verdict == "verified"
    assert sorted(result.kinds()) == ["author_unconfirmed", "year_unconfirmed"]
    assert result.checks.author == "unknown" and result.checks.year == "unknown"


async def test_wrong_page_is_disputed(site: str, tmp_path: Path) -> None:
    result = await check(tmp_path, f"{site}/other", ARTICLE_BLOCKS[3])
    assert result.verdict == "disputed"
    assert result.kinds() == ["quote_not_found"] * len(result.kinds())


async def test_page_without_text_is_unverifiable(site: str, tmp_path: Path) -> None:
    result = await check(
        tmp_path, f"{site}/empty", "Community gardens are the bedrock for local resilience."
    )
    assert result.verdict == "unverifiable"
    assert result.kinds() == ["source_unsupported"]


async def test_dead_link_is_unverifiable(site: str, tmp_path: Path) -> None:
    result = await check(
        tmp_path, f"{site}/missing", "Community gardens are the bedrock for local resilience."
    )
    assert result.verdict == "unverifiable"
    assert result.kinds() == ["source_gone"]
    assert result.source.status == 404


async def test_second_check_reads_the_cache(site: str, tmp_path: Path) -> None:
    quote = "Community gardens are the bedrock for local resilience in cities."
    async with Verifier(make_config(tmp_path)) as verifier:
        first = await verifier.verify(QuoteInput.parse(quote=quote, url=f"{site}/article"))
        second = await verifier.verify(QuoteInput.parse(quote=quote, url=f"{site}/article"))
    assert first.source.via == "direct" and second.source.via == "cache"
    assert first.source.sha256 == second.source.sha256
    assert second.verdict == "verified"


# --- the seed post itself (needs ../shared; the sample article above covers the same ground) ----

seed_only = pytest.mark.skipif(not SHARED.exists(), reason="../shared/seeds is not present")


def seed_quote() -> str:
    post = (SHARED / "000_27d8e834ac8f48ab.txt").read_text()
    line = next(line for line in post.splitlines() if line.startswith("Since the launch"))
    return line.split(" AI Verified source")[0]


@seed_only
async def test_seed_post_is_verified_with_its_three_unmarked_cuts(
    site: str, tmp_path: Path
) -> None:
    url = f"{site}/seed/001_e84d6b4561e97263.txt"
    result = await check(tmp_path, url, seed_quote(), "Ben Brooks", 2024)
    assert result.verdict == "verified"
    assert [(d.kind, d.severity) for d in result.discrepancies] == [
        ("unmarked_omission", "warning")
    ] * 3
    skipped = [d.source_excerpt for d in result.discrepancies]
    assert skipped[0].startswith("The debate is surfacing")  # a paragraph
    assert skipped[1].startswith("I serve as head of public policy")  # a paragraph's opening
    assert skipped[2] == "Open models promote transparency and competition"  # a heading
    assert result.checks.to_json() == {
        "text": "pass",
        "author": "pass",
        "year": "pass",
        "stance": "unknown",
    }


@seed_only
@pytest.mark.parametrize(
    ("change", "kwargs", "kind"),
    [
        (lambda q: q.replace("bedrock", "cornerstone"), {}, "altered_wording"),
        (
            lambda q: q.replace("Open models are the bedrock", "Open models are not the bedrock"),
            {},
            "altered_wording",
        ),
        (lambda q: q + " " + seed_other_sentence(), {}, "quote_not_found"),
        (lambda q: q, {"author": "Sam Altman"}, "author_mismatch"),
        (lambda q: q, {"year": 2019}, "year_mismatch"),
    ],
)
async def test_seed_post_doctored_is_disputed(
    site: str, tmp_path: Path, change: Callable[[str], str], kwargs: dict[str, object], kind: str
) -> None:
    url = f"{site}/seed/001_e84d6b4561e97263.txt"
    args: dict[str, object] = {"author": "Ben Brooks", "year": 2024, **kwargs}
    result = await check(tmp_path, url, change(seed_quote()), **args)  # type: ignore[arg-type]
    assert result.verdict == "disputed"
    assert any(d.kind == kind and d.severity == "error" for d in result.discrepancies), (
        result.discrepancies
    )


def seed_other_sentence() -> str:
    text = (SHARED / "003_ff17c7b9154992da.txt").read_text()
    return next(s.strip() + "." for s in text.split(". ") if len(s) > 80 and "\n" not in s)


# --- the command line contract --------------------------------------------------------------


async def run_cli(tmp_path: Path, *args: str, extra: str = "") -> tuple[int, str, str]:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[fetch]\nallow_private_networks = true\nretries = 0\n[database]\npath = "{tmp_path / "v.db"}"\n'
        "[archive]\nenabled = false\n"  # the subprocess has no loopback guard: keep it local
        + extra
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "verify",
        "--config",
        str(cfg),
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_json_and_exit_codes(site: str, tmp_path: Path) -> None:
    quote = "Community gardens are the bedrock for local resilience in cities."
    code, out, _ = await run_cli(
        tmp_path,
        "--url",
        f"{site}/article",
        "--quote",
        quote,
        "--author",
        "Priya Raman",
        "--year",
        "2024",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "verified"
    assert set(data) == {
        "id",
        "verdict",
        "checks",
        "discrepancies",
        "source",
        "matches",
        "elapsed_ms",
    }
    contract = {"url", "final_url", "status", "via", "title", "authors", "published", "sha256"}
    assert contract <= set(data["source"])
    assert set(data["source"]) - contract == {"fetched_at"}  # additions only, never renames
    assert set(data["matches"][0]) == {
        "quote_start",
        "quote_end",
        "source_start",
        "source_end",
        "score",
    }
    code, out, _ = await run_cli(
        tmp_path, "--url", f"{site}/article", "--quote", quote.replace("bedrock", "basis")
    )
    assert code == 1 and "DISPUTED" in out and "basis" in out and "bedrock" in out
    code, _, _ = await run_cli(tmp_path, "--url", f"{site}/gone", "--quote", quote)
    assert code == 2
    code, _, err = await run_cli(tmp_path, "--url", "ftp://x", "--quote", quote)
    assert code == 64 and "--url" in err and "http" in err
    code, _, err = await run_cli(tmp_path, "--url", f"{site}/article", "--quote", "short")
    assert code == 64 and "--quote" in err


async def test_cli_batch_keeps_order_and_survives_bad_lines(site: str, tmp_path: Path) -> None:
    quote = "Community gardens are the bedrock for local resilience in cities."
    lines = [
        json.dumps(
            {
                "id": "a",
                "url": f"{site}/article",
                "quote": quote,
                "author": "Priya Raman",
                "year": 2024,
            }
        ),
        "{not json",
        json.dumps(
            {"id": "c", "url": f"{site}/article", "quote": quote.replace("bedrock", "basis")}
        ),
        json.dumps({"id": "d", "url": "mailto:x@y", "quote": quote}),
        json.dumps({"id": "e", "url": f"{site}/missing", "quote": quote}),
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    code, out, err = await run_cli(tmp_path, "--batch", str(batch), "--concurrency", "3")
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["id"] for r in results] == ["a", None, "c", "d", "e"]
    assert [r["verdict"] for r in results] == ["verified", None, "disputed", None, "unverifiable"]
    assert results[1]["error"]["field"] == "line" and results[3]["error"]["field"] == "url"
    assert "5/5" in err


# --- the stance check wired through the verify command (issue 6) -------------------------------


async def test_cli_stance_check_against_a_fake_model(site: str, tmp_path: Path) -> None:
    from bot.fakellm import FakeLLM, stance_rule

    quote = "Community gardens are the bedrock for local resilience in cities."
    statement = "Cities should sell vacant lots to developers"
    async with FakeLLM(stance_rule(relevant="yes", position="against")) as llm:
        extra = f'[llm]\nbase_url = "{llm.base_url}"\nmodel = "fake"\ntimeout = 5\n'
        cfg_args = (
            "--url",
            f"{site}/article",
            "--quote",
            quote,
            "--statement",
            statement,
            "--json",
        )
        code, out, _ = await run_cli(tmp_path, *cfg_args, "--stance", "against", extra=extra)
        data = json.loads(out)
        assert code == 0 and data["checks"]["stance"] == "pass"
        assert data["stance"]["found"] == "against"
        code, out, _ = await run_cli(tmp_path, *cfg_args, "--stance", "for", extra=extra)
        data = json.loads(out)
        assert code == 1 and data["checks"]["stance"] == "fail"
        assert [d["kind"] for d in data["discrepancies"]] == ["stance_mismatch"]
        # The model never saw what was claimed: both runs sent identical requests.
        bodies = sorted(json.dumps(r.json, sort_keys=True) for r in llm.requests)
        assert len(bodies) == 4 and bodies[0::2] == bodies[1::2]


async def test_cli_stance_without_model_is_not_checked(site: str, tmp_path: Path) -> None:
    quote = "Community gardens are the bedrock for local resilience in cities."
    code, out, _ = await run_cli(
        tmp_path,
        "--url",
        f"{site}/article",
        "--quote",
        quote,
        "--statement",
        "Gardens help",
        "--stance",
        "for",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["checks"]["stance"] == "unknown"
    assert "no model configured" in data["stance"]["justification"]
    code, _, err = await run_cli(
        tmp_path, "--url", f"{site}/article", "--quote", quote, "--stance", "maybe"
    )
    assert code == 64 and "--stance" in err
