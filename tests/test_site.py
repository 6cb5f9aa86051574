"""The public site: pages for statements, people and quotes; escaping; links that resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from bot.cli import main
from bot.site import MARKER, SiteError, build_site, render_site, slugify, write_site
from bot.storage.statements import StatementStore
from bot.verified import verified_quotes
from tests.site_support import OPTIONS, broken_links, build_seeded_site, links
from tests.statements_support import BROOKS_QUOTE, STATEMENT, make_seeder, seed_debate

STATEMENT_PAGE = "statements/1-open-source-ai-is-more-dangerous-than-closed-source-ai.html"


def _text(page: Path) -> str:
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    assert tree.body is not None
    return " ".join(tree.body.text(separator=" ").split())


def test_pages_exist_for_statements_people_and_verified_quotes(tmp_path: Path) -> None:
    ids = build_seeded_site(tmp_path)
    for name in ("index.html", "style.css", MARKER, STATEMENT_PAGE):
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / "statements/2-ai-labs-should-publish-their-model-weights.html").is_file()
    people = sorted(p.name for p in (tmp_path / "people").iterdir())
    assert people == [
        "ada-lovelace.html",
        "ben-brooks.html",
        "josh-hawley.html",
        "richard-blumenthal.html",
        "the-economist.html",
    ]
    quotes = {p.name for p in (tmp_path / "quotes").iterdir()}
    for shown in ("brooks", "brooks2", "economist", "senators", "hawley", "abstain", "loose"):
        assert f"{ids[shown]}.html" in quotes, shown
    for hidden in ("disputed", "withdrawn", "unchecked", "overruled"):
        assert f"{ids[hidden]}.html" not in quotes, hidden
    # Alan Turing has only unverified quotes: no page, not named anywhere.
    assert "Alan Turing" not in "".join(p.read_text() for p in tmp_path.rglob("*.html"))


def test_statement_page_shows_positions_quotes_and_badges(tmp_path: Path) -> None:
    build_seeded_site(tmp_path)
    page = tmp_path / STATEMENT_PAGE
    text = _text(page)
    assert STATEMENT in text
    assert "2 For 2 Against 1 Abstain" in text
    assert BROOKS_QUOTE in text
    assert "AI Verified" in text and "Verified by a moderator" in text
    assert "Author correct" in text and "Year correct" in text and "Vote not checked" in text
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    sides = [n.css_first("h2").text() for n in tree.css("section.side")]
    assert sides == ["For", "Against", "Abstaining"]
    against = tree.css("section.side.against article.quote")
    assert [n.css_first(".who a").text() for n in against] == [
        "Ben Brooks",
        "Ben Brooks",
        "The Economist",
    ]
    assert "Richard Blumenthal" not in tree.css_first("section.side.against").text()
    # The unsupported claim of the disputed quote is nowhere.
    assert "uniquely dangerous and must be stopped" not in text


def test_quote_page_is_a_verification_note(tmp_path: Path) -> None:
    ids = build_seeded_site(tmp_path)
    text = _text(tmp_path / f"quotes/{ids['brooks']}.html")
    assert "Verbatim 0.1.0 read the source directly (HTTP 200) on 2023-11-14" in text
    assert "found the quoted words in it" in text
    assert "The author, Ben Brooks, is named by the source." in text
    assert "The year 2024 matches the source's date (2024-02-08)." in text
    assert "was not checked" in text  # the vote
    assert "ab" * 32 in text  # the text fingerprint
    assert "Fetched 2024-02-09 10:00 UTC" in text
    moderated = _text(tmp_path / f"quotes/{ids['economist']}.html")
    assert "A moderator marked this quote verified" in moderated
    assert "the bot's verdict was unverifiable" in moderated
    assert "Read in the print edition <b>p. 13</b>" in moderated  # shown as text, not markup
    omission = _text(tmp_path / f"quotes/{ids['weights']}.html")
    assert "Note (unmarked omission): unmarked_omission note" in omission


def test_every_user_string_is_escaped(tmp_path: Path) -> None:
    ids = build_seeded_site(tmp_path)
    everything = "".join(p.read_text() for p in tmp_path.rglob("*.html"))
    assert "<script" not in everything.lower()
    assert "<i>R</i>" not in everything and "<b>p. 13</b>" not in everything
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in everything
    assert "Quote Club &lt;feed&gt;" in everything
    hawley = (tmp_path / f"quotes/{ids['hawley']}.html").read_text()
    assert 'href="https://example.org/letter?a=1&amp;b=&lt;2&gt;"' in hawley
    assert "Josh &quot;Hawley&quot;" in hawley
    tree = LexborHTMLParser(hawley)
    assert "https://example.org/letter?a=1&b=<2>" in links(
        tmp_path / f"quotes/{ids['hawley']}.html"
    )
    assert tree.css("script") == []


def test_every_link_resolves(tmp_path: Path) -> None:
    build_seeded_site(tmp_path)
    assert broken_links(tmp_path) == []
    index_links = links(tmp_path / "index.html")
    assert STATEMENT_PAGE in index_links
    assert "people/ben-brooks.html" in index_links
    assert "style.css" in index_links
    assert all(not h.startswith("/") for p in tmp_path.rglob("*.html") for h in links(p))


def test_broken_link_checker_catches_a_missing_page(tmp_path: Path) -> None:
    build_seeded_site(tmp_path)
    (tmp_path / "people/ben-brooks.html").unlink()
    assert any(href.endswith("ben-brooks.html") for _, href in broken_links(tmp_path))


def test_output_is_deterministic(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    build_seeded_site(one)
    build_seeded_site(two)
    files_one = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert files_one == files_two
    for rel in files_one:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


def test_rebuild_removes_pages_no_longer_verified(tmp_path: Path) -> None:
    seeder = make_seeder()
    ids = seed_debate(seeder)
    build_site(seeder.db, tmp_path, OPTIONS)
    assert (tmp_path / f"quotes/{ids['loose']}.html").is_file()
    seeder.store.withdraw(ids["loose"], None, seeder.tick())
    seeder.store.withdraw(ids["weights"], None, seeder.tick())
    report = build_site(seeder.db, tmp_path, OPTIONS)
    assert not (tmp_path / f"quotes/{ids['loose']}.html").exists()
    assert not (tmp_path / "statements/2-ai-labs-should-publish-their-model-weights.html").exists()
    assert report.removed == 3  # two quote pages and the statement left with no verified quote
    assert broken_links(tmp_path) == []


def test_refuses_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    (tmp_path / "thesis.txt").write_text("years of work")
    with pytest.raises(SiteError, match="not empty"):
        write_site({"index.html": "x"}, tmp_path)
    assert (tmp_path / "thesis.txt").read_text() == "years of work"
    afile = tmp_path / "thesis.txt"
    with pytest.raises(SiteError, match="not a folder"):
        write_site({"index.html": "x"}, afile)


def test_empty_database_gives_a_site_that_says_so(tmp_path: Path) -> None:
    seeder = make_seeder()
    files = render_site(verified_quotes(seeder.db), StatementStore(seeder.db).all(), OPTIONS)
    assert sorted(files) == [MARKER, "index.html", "style.css"]
    assert "No statement has a verified quote yet." in files["index.html"]


def test_people_with_the_same_slug_get_distinct_pages(tmp_path: Path) -> None:
    seeder = make_seeder()
    seeder.quote("First person said these words.", "José Núñez")
    seeder.quote("Second person said other words.", "Jose Nunez!")
    seeder.quote("A name with no latin letters at all.", "王小明")
    build_site(seeder.db, tmp_path, OPTIONS)
    names = sorted(p.name for p in (tmp_path / "people").iterdir())
    assert names == ["jose-nunez-2.html", "jose-nunez.html", "person.html"]
    assert broken_links(tmp_path) == []
    assert "王小明" in (tmp_path / "people/person.html").read_text(encoding="utf-8")


def test_slugify() -> None:
    assert slugify("Open-source AI is more dangerous!") == "open-source-ai-is-more-dangerous"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("", fallback="x") == "x"
    assert len(slugify("word " * 50)) <= 60


def test_site_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "v.db"
    seeder = make_seeder(str(db_path))
    seed_debate(seeder)
    seeder.db.conn.close()
    cfg = tmp_path / "config.toml"
    cfg.write_text('[site]\ntitle = "Our & feed"\n[export]\nlicence = "CC0 1.0"\n')
    out = tmp_path / "public"
    assert main(["site", str(out), "--db", str(db_path), "--config", str(cfg)]) == 0
    assert "8 quotes, 2 statements, 5 people" in capsys.readouterr().err
    index = (out / "index.html").read_text()
    assert "<title>Our &amp; feed</title>" in index and "CC0 1.0" in index
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "notes.md").write_text("mine")
    code = main(["site", str(tmp_path / "occupied"), "--db", str(db_path), "--config", str(cfg)])
    assert code == 64
    assert "not empty" in capsys.readouterr().err
    assert main(["site", str(out), "--db", str(tmp_path / "none.db")]) == 64
