"""Helpers for the site tests: build a seeded site, and follow every link in it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from bot.site import SiteOptions, build_site
from tests.statements_support import make_seeder, seed_debate

OPTIONS = SiteOptions(title="Quote Club <feed>", licence="CC BY 4.0")


def build_seeded_site(out_dir: Path) -> dict[str, int]:
    seeder = make_seeder()
    ids = seed_debate(seeder)
    build_site(seeder.db, out_dir, OPTIONS)
    return ids


def links(page: Path) -> list[str]:
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    out: list[str] = []
    for node in tree.css("a[href], link[href]"):
        out.append(node.attributes.get("href") or "")
    for node in tree.css("[src]"):
        out.append(node.attributes.get("src") or "")
    return out


def broken_links(site: Path) -> list[tuple[str, str]]:
    """(page, href) for every relative link whose target file is missing or leaves the site,
    and every absolute link that is not http(s)."""
    problems: list[tuple[str, str]] = []
    root = site.resolve()
    for page in sorted(site.rglob("*.html")):
        for href in links(page):
            parts = urlsplit(href)
            if parts.scheme:
                if parts.scheme not in ("http", "https"):
                    problems.append((str(page.relative_to(site)), href))
                continue
            if not parts.path or href.startswith("/"):
                problems.append((str(page.relative_to(site)), href))
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file() or root not in target.parents:
                problems.append((str(page.relative_to(site)), href))
    return problems
