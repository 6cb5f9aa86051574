"""The public feed: a static site of verified quotes, statements and people, from the database.

Plain HTML and one CSS file: no JavaScript, relative links only (the folder works from file:// and
from any web server), every string from members escaped. The output depends only on the database
and the options, never on the clock, so two runs on the same data give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from bot.statements import STANCES, Positions, group_positions
from bot.storage.log import Statement
from bot.storage.statements import StatementStore
from bot.verified import VerifiedQuote, person_key, verified_quotes

MARKER = ".verbatim-site"
SUBDIRS = ("statements", "people", "quotes")
STANCE_LABEL = {"for": "For", "against": "Against", "abstain": "Abstain"}
STANCE_HEADING = {"for": "For", "against": "Against", "abstain": "Abstaining"}
CHECK_LABEL = {"text": "words", "author": "author", "year": "year", "stance": "vote"}
CHECK_STATE = {"pass": "pass", "fail": "fail", "unknown": "not checked"}
VIA_LABEL = {
    "direct": "Read directly",
    "cache": "Read directly",
    "archive": "Read from a web archive",
    "search": "Found via web search",
    "pasted": "From a supplied copy",
}


class SiteError(Exception):
    """The site cannot be written where asked; the message says why and what to do."""


@dataclass(frozen=True)
class SiteOptions:
    title: str = "Verbatim: verified quotes"
    licence: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"


@dataclass
class _Person:
    key: str
    name: str
    slug: str
    roles: list[str] = field(default_factory=list)
    quotes: list[VerifiedQuote] = field(default_factory=list)


@dataclass
class _Model:
    """Everything the pages are made from, with the file name of each page."""

    quotes: list[VerifiedQuote]
    statements: list[Statement]
    positions: dict[int, Positions]
    statement_files: dict[int, str]
    people: dict[str, _Person]  # by person_key
    as_of: str | None


# -- small helpers ----------------------------------------------------------------------------


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def slugify(text: str, max_chars: int = 60, fallback: str = "item") -> str:
    """ASCII words joined by hyphens, for readable and safe file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_chars:
        slug = slug[:max_chars].rsplit("-", 1)[0] or slug[:max_chars]
    return slug or fallback


def _safe_href(url: str | None) -> str | None:
    """Only http(s) links leave the site; anything else is shown as text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _ext_link(url: str | None, label: str | None = None) -> str:
    href = _safe_href(url)
    text = esc(label if label is not None else url or "")
    if href is None:
        return text
    return f'<a href="{esc(href)}" rel="nofollow noopener noreferrer">{text}</a>'


def _domain(url: str) -> str:
    """The host a link goes to, as people recognise it ("spectrum.ieee.org")."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.") or "source"


def when(text: str | None) -> str:
    """A stored time as "2024-02-09 10:00 UTC" (dates stay dates; unreadable text is kept)."""
    if not text:
        return ""
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{'<br>'.join(esc(line) for line in p.splitlines())}</p>" for p in parts)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# -- the model --------------------------------------------------------------------------------


def _build_model(quotes: list[VerifiedQuote], statements: list[Statement]) -> _Model:
    quotes = sorted(quotes, key=lambda q: q.id)
    by_statement: dict[int, list[VerifiedQuote]] = {}
    for q in quotes:
        if q.statement_id is not None:
            by_statement.setdefault(q.statement_id, []).append(q)
    # Only statements someone has a verified quote on are published: a claim typed into a post
    # that was never verified is a member's text, not a finding.
    shown = sorted((s for s in statements if s.id in by_statement), key=lambda s: s.id)
    positions = {s.id: group_positions(s, by_statement[s.id]) for s in shown}
    statement_files = {s.id: f"{s.id}-{slugify(s.text, fallback='statement')}.html" for s in shown}

    people: dict[str, _Person] = {}
    for q in quotes:
        key = person_key(q.person) or "?"
        person = people.get(key)
        if person is None:
            person = people[key] = _Person(key, q.person or "Unknown speaker", "")
        person.quotes.append(q)
        if q.person_role and q.person_role not in person.roles:
            person.roles.append(q.person_role)
    used: set[str] = set()
    for key in sorted(people):
        base = slugify(people[key].name, fallback="person")
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        people[key].slug = slug
    times = [t for q in quotes for t in (q.updated_at, q.evidence.checked_at) if t]
    return _Model(quotes, shown, positions, statement_files, people, max(times) if times else None)


# -- page parts -------------------------------------------------------------------------------


def _page(title: str, body: str, options: SiteOptions, root: str, *, heading_title: bool) -> str:
    """A whole page; ``root`` is the relative path to the site's top ("" or "../")."""
    full_title = title if heading_title else f"{title} · {options.title}"
    licence = _ext_link(options.licence_url, options.licence) if options.licence else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>{esc(full_title)}</title>
<link rel="stylesheet" href="{root}style.css">
</head>
<body>
<header class="site"><a class="home" href="{root}index.html">{esc(options.title)}</a></header>
<main>
{body}
</main>
<footer class="site">
<p>Quotes checked against their sources by Verbatim. Records published under {licence or "the site's licence"}.</p>
<p><a href="{root}index.html">All statements and people</a></p>
</footer>
</body>
</html>
"""


def _badges(q: VerifiedQuote) -> str:
    ev = q.evidence
    items: list[tuple[str, str]] = []
    if ev.decided_by == "moderator":
        items.append(("ok", "Verified by a moderator"))
    else:
        items.append(("ok ai", "AI Verified"))
    if ev.checks.get("author") == "pass":
        items.append(("pass", "Author correct"))
    elif q.person:
        items.append(("unknown", "Author not confirmed"))
    if ev.checks.get("year") == "pass":
        items.append(("pass", "Year correct"))
    elif q.year is not None:
        items.append(("unknown", "Year not confirmed"))
    if q.stance:
        stance_state = ev.checks.get("stance")
        if stance_state == "pass":
            items.append(("pass", "Vote checked"))
        elif stance_state == "fail":
            items.append(("fail", "Vote disputed"))
        else:
            items.append(("unknown", "Vote not checked"))
    if ev.via in VIA_LABEL and ev.via not in ("direct", "cache"):
        items.append(("via", VIA_LABEL[ev.via]))
    return "".join(f'<span class="badge {cls}">{esc(label)}</span>' for cls, label in items)


def _stance_badge(stance: str | None) -> str:
    if not stance:
        return ""
    return f'<span class="stance {esc(stance)}">{esc(STANCE_LABEL.get(stance, stance))}</span>'


def _quote_card(
    q: VerifiedQuote,
    model: _Model,
    root: str,
    *,
    show_person: bool = True,
    show_statement: bool = False,
) -> str:
    parts = [f'<article class="quote" id="q{q.id}">']
    if show_person:
        person = model.people[person_key(q.person) or "?"]
        role = f' <span class="role">{esc(q.person_role)}</span>' if q.person_role else ""
        parts.append(
            f'<p class="who"><a href="{root}people/{esc(person.slug)}.html">{esc(person.name)}</a>'
            f"{role}</p>"
        )
    if show_statement and q.statement_id in model.statement_files:
        parts.append(
            f'<p class="on">{_stance_badge(q.stance)} '
            f'<a href="{root}statements/{esc(model.statement_files[q.statement_id])}">'
            f"{esc(q.statement)}</a></p>"
        )
    parts.append(f"<blockquote>{_paragraphs(q.quote)}</blockquote>")
    year = f" ({q.year})" if q.year is not None else ""
    parts.append(
        f'<p class="badges">{_badges(q)}</p>'
        f'<p class="meta">Source: {_ext_link(q.url, _domain(q.url))}{esc(year)}'
        f' · <a class="how" href="{root}quotes/{q.id}.html">How this was checked</a></p>'
    )
    parts.append("</article>")
    return "".join(parts)


def _board(positions: Positions) -> str:
    counts = positions.counts
    total = sum(counts.values())
    cells = "".join(
        f'<li class="{s}"><span class="n">{counts[s]}</span> {esc(STANCE_LABEL[s])}</li>'
        for s in STANCES
    )
    bar = ""
    if total:
        segments = "".join(
            f'<span class="{s}" style="flex-grow:{counts[s]}"></span>' for s in STANCES if counts[s]
        )
        bar = f'<div class="bar" aria-hidden="true">{segments}</div>'
    return f'<div class="board"><ul class="counts">{cells}</ul>{bar}</div>'


# -- pages ------------------------------------------------------------------------------------


def _index_page(model: _Model, options: SiteOptions) -> str:
    out = [f"<h1>{esc(options.title)}</h1>"]
    out.append(
        f'<p class="lede">{_plural(len(model.quotes), "verified quote")} by '
        f"{_plural(len(model.people), 'person', 'people')} on "
        f"{_plural(len(model.statements), 'statement')}. Each quote was checked against its "
        "source: the words, the author and the year.</p>"
    )
    if model.as_of:
        out.append(f'<p class="asof">Data as of {esc(when(model.as_of))}.</p>')
    out.append("<h2>Statements</h2>")
    if model.statements:
        out.append('<ul class="statements">')
        for s in model.statements:
            counts = model.positions[s.id].counts
            summary = " · ".join(f"{counts[k]} {STANCE_LABEL[k].lower()}" for k in STANCES)
            out.append(
                f'<li><a href="statements/{esc(model.statement_files[s.id])}">{esc(s.text)}</a>'
                f'<span class="sum">{esc(summary)}</span></li>'
            )
        out.append("</ul>")
    else:
        out.append("<p>No statement has a verified quote yet.</p>")
    out.append("<h2>People</h2>")
    if model.people:
        out.append('<ul class="people">')
        for person in sorted(model.people.values(), key=lambda p: (p.name.casefold(), p.slug)):
            out.append(
                f'<li><a href="people/{esc(person.slug)}.html">{esc(person.name)}</a>'
                f'<span class="sum">{esc(_plural(len(person.quotes), "quote"))}</span></li>'
            )
        out.append("</ul>")
    else:
        out.append("<p>No verified quotes yet.</p>")
    latest = sorted(model.quotes, key=lambda q: q.id, reverse=True)[:10]
    if latest:
        out.append("<h2>Latest verified quotes</h2>")
        out.extend(_quote_card(q, model, "", show_statement=True) for q in latest)
    return _page(options.title, "\n".join(out), options, "", heading_title=True)


def _statement_page(statement: Statement, model: _Model, options: SiteOptions) -> str:
    positions = model.positions[statement.id]
    by_id = {q.id: q for q in model.quotes}
    out = [
        '<p class="kicker">Statement</p>',
        f"<h1>{esc(statement.text)}</h1>",
        _board(positions),
    ]
    groups = [(s, STANCE_HEADING[s], positions.sides.get(s, ())) for s in STANCES]
    groups.append(("none", "No vote given", positions.unstated))
    for stance, heading, people in groups:
        if not people and stance == "none":
            continue
        out.append(f'<section class="side {stance}"><h2>{esc(heading)}</h2>')
        if not people:
            out.append('<p class="empty">No verified quote yet.</p>')
        for position in people:
            for pq in position.quotes:
                out.append(_quote_card(by_id[pq.submission_id], model, "../"))
        out.append("</section>")
    return _page(statement.text, "\n".join(out), options, "../", heading_title=False)


def _person_page(person: _Person, model: _Model, options: SiteOptions) -> str:
    out = ['<p class="kicker">Person</p>', f"<h1>{esc(person.name)}</h1>"]
    if person.roles:
        out.append(f'<p class="roles">{"<br>".join(esc(r) for r in person.roles)}</p>')
    out.append(f'<p class="lede">{esc(_plural(len(person.quotes), "verified quote"))}.</p>')
    for q in sorted(person.quotes, key=lambda q: q.id):
        out.append(_quote_card(q, model, "../", show_person=False, show_statement=True))
    return _page(person.name, "\n".join(out), options, "../", heading_title=False)


def note_sentences(q: VerifiedQuote) -> list[str]:
    """The verification note in words, as the seed post's note reads (plain text, unescaped)."""
    ev = q.evidence
    out: list[str] = []
    engine = f"Verbatim {ev.engine_version}" if ev.engine_version else "Verbatim"
    how = {
        "direct": "read the source directly",
        "cache": "read the source directly (a cached copy fetched shortly before)",
        "archive": "read an archived copy of the source",
        "search": "found the source's text via web search",
        "pasted": "read a copy of the source supplied to it",
    }.get(ev.via or "", "read the source")
    when_text = f" on {when(ev.checked_at)}" if ev.checked_at else ""
    status = f" (HTTP {ev.http_status})" if ev.http_status else ""
    if ev.check_id is not None:
        found = {
            "pass": "found the quoted words in it",
            "fail": "did not find all of the quoted words in it",
        }.get(ev.checks.get("text", ""), "could not judge the quoted words")
        out.append(f"{engine} {how}{status}{when_text} and {found}.")
    if ev.via == "search" and ev.found_via_search_for:
        out.append(f"The page was found by searching for: {ev.found_via_search_for}")
    if ev.via == "archive" and ev.archived_at:
        out.append(f"The archived copy was captured on {when(ev.archived_at)}.")
    author = ev.checks.get("author")
    if q.person:
        if author == "pass":
            out.append(f"The author, {q.person}, is named by the source.")
        elif author == "fail":
            out.append(f"The source did not name {q.person} as the author.")
        else:
            out.append(f"The source did not confirm {q.person} as the author.")
    year = ev.checks.get("year")
    if q.year is not None:
        if year == "pass":
            date = f" ({ev.published})" if ev.published else ""
            out.append(f"The year {q.year} matches the source's date{date}.")
        elif year == "fail":
            out.append(f"The year {q.year} does not match the source's date.")
        else:
            out.append(f"The year {q.year} could not be confirmed from the source.")
    if q.stance and q.statement:
        stance = ev.checks.get("stance")
        justification = (ev.stance or {}).get("justification") or ""
        claim = f"The vote '{q.stance}' on the statement '{q.statement}'"
        if stance == "pass":
            out.append(f"{claim} matches the quote. {justification}".strip())
        elif stance == "fail":
            out.append(f"{claim} was not confirmed by the stance check. {justification}".strip())
        else:
            out.append(f"{claim} was not checked.")
    for d in ev.discrepancies:
        out.append(f"Note ({d['kind'].replace('_', ' ')}): {d['message']}")
    if ev.decided_by == "moderator":
        said = f" on {when(ev.moderator_at)}" if ev.moderator_at else ""
        bot = f" (the bot's verdict was {ev.bot_verdict})" if ev.bot_verdict else ""
        out.append(f"A moderator marked this quote verified{said}{bot}.")
    return out


def _quote_page(q: VerifiedQuote, model: _Model, options: SiteOptions) -> str:
    ev = q.evidence
    person = model.people[person_key(q.person) or "?"]
    out = [
        '<p class="kicker">Verification note</p>',
        _quote_card(q, model, "../", show_statement=True),
        "<h2>What was checked</h2>",
        '<ul class="note">',
        *(f"<li>{esc(s)}</li>" for s in note_sentences(q)),
        "</ul>",
    ]
    if ev.decided_by == "moderator" and ev.moderator_reason:
        out.append(
            f'<p class="modnote"><strong>Moderator\'s note:</strong> {esc(ev.moderator_reason)}</p>'
        )
    rows: list[tuple[str, str]] = [
        ("Verdict", "AI Verified" if ev.decided_by == "bot" else "Verified by a moderator"),
        ("Checked", esc(when(ev.checked_at)) or "—"),
        ("By", esc(f"Verbatim {ev.engine_version}") if ev.engine_version else "—"),
        ("Source as given", _ext_link(q.url)),
    ]
    if ev.final_url and ev.final_url != q.url:
        rows.append(("Source as read", _ext_link(ev.final_url)))
    if ev.archive_url:
        rows.append(("Archived copy", _ext_link(ev.archive_url)))
    if ev.via:
        rows.append(("Read", esc(VIA_LABEL.get(ev.via, ev.via))))
    if ev.http_status:
        rows.append(("HTTP status", esc(ev.http_status)))
    if ev.fetched_at:
        rows.append(("Fetched", esc(when(ev.fetched_at))))
    if ev.title:
        rows.append(("Page title", esc(ev.title)))
    if ev.source_authors:
        rows.append(("Page authors", esc(", ".join(ev.source_authors))))
    if ev.published:
        rows.append(("Published", esc(ev.published)))
    if ev.pdf_pages:
        rows.append(("PDF pages", esc(", ".join(str(p) for p in ev.pdf_pages))))
    if ev.sha256:
        rows.append(("Text fingerprint (SHA-256)", f'<code class="hash">{esc(ev.sha256)}</code>'))
    checks = " · ".join(
        f"{esc(CHECK_LABEL.get(k, k))}: {esc(CHECK_STATE.get(v, v))}" for k, v in ev.checks.items()
    )
    rows.append(("Checks", checks))
    rows.append(("Submitted", esc(when(q.submitted_at))))
    out.append("<h2>Details</h2>")
    out.append(
        '<dl class="details">'
        + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows)
        + "</dl>"
    )
    out.append(
        f'<p class="meta"><a href="../people/{esc(person.slug)}.html">'
        f"More quotes by {esc(person.name)}</a></p>"
    )
    title = f"{person.name}: “{_short(q.quote, 60)}”"
    return _page(title, "\n".join(out), options, "../", heading_title=False)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- rendering and writing --------------------------------------------------------------------


def render_site(
    quotes: Iterable[VerifiedQuote], statements: Iterable[Statement], options: SiteOptions
) -> dict[str, str]:
    """Every file of the site, by relative path (a pure function of its inputs)."""
    model = _build_model(list(quotes), list(statements))
    files: dict[str, str] = {
        "index.html": _index_page(model, options),
        "style.css": STYLE,
        MARKER: "This folder is written by `python -m bot site`; its pages are replaced on each run.\n",
    }
    for s in model.statements:
        files[f"statements/{model.statement_files[s.id]}"] = _statement_page(s, model, options)
    for person in model.people.values():
        files[f"people/{person.slug}.html"] = _person_page(person, model, options)
    for q in model.quotes:
        files[f"quotes/{q.id}.html"] = _quote_page(q, model, options)
    return dict(sorted(files.items()))


@dataclass(frozen=True)
class SiteReport:
    out_dir: Path
    written: int
    removed: int
    quotes: int
    statements: int
    people: int


def write_site(files: dict[str, str], out_dir: Path) -> tuple[int, int]:
    """Write ``files`` under ``out_dir``; pages of an earlier run that are gone now are removed.

    Refuses a non-empty folder that is not an earlier site (no marker file), so a typo in the
    path cannot wipe someone's files. Returns (files written, stale pages removed).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise SiteError(f"{out_dir} exists and is not a folder; give a folder for the site")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise SiteError(
            f"{out_dir} is not empty and was not written by `python -m bot site` "
            f"(no {MARKER} file); give an empty or new folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(content, encoding="utf-8", newline="\n")
        os.replace(tmp, target)
    removed = 0
    for sub in SUBDIRS:
        folder = out_dir / sub
        if not folder.is_dir():
            continue
        for page in sorted(folder.glob("*.html")):
            if f"{sub}/{page.name}" not in files:
                page.unlink()
                removed += 1
    return len(files), removed


def build_site(
    db: sqlite_utils.Database,
    out_dir: Path,
    options: SiteOptions,
    *,
    guild_id: int | None = None,
) -> SiteReport:
    """Render the verified quotes in ``db`` (one guild, or all) and write them to ``out_dir``."""
    quotes = verified_quotes(db, guild_id=guild_id)
    store = StatementStore(db)
    statements = store.all() if guild_id is None else store.in_guild(guild_id)
    files = render_site(quotes, statements, options)
    written, removed = write_site(files, out_dir)
    return SiteReport(
        out_dir=Path(out_dir),
        written=written,
        removed=removed,
        quotes=len(quotes),
        statements=sum(1 for f in files if f.startswith("statements/")),
        people=sum(1 for f in files if f.startswith("people/")),
    )


STYLE = """\
/* Verbatim public site: one column, phone first, light and dark. */
:root {
  --bg: #fbfaf7; --fg: #1d1d1f; --muted: #5f6368; --card: #ffffff; --line: #e3e0d8;
  --accent: #1f5fbf; --ok: #17663a; --ok-bg: #e3f4e8; --warn: #7a5200; --warn-bg: #fbf0d9;
  --bad: #9b1c1c; --bad-bg: #fde8e8; --for: #2e7d4f; --against: #b3403a; --abstain: #7a7f87;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121316; --fg: #ececec; --muted: #a3a7ad; --card: #1c1e22; --line: #2d3036;
    --accent: #8ab4f8; --ok: #8fd6a8; --ok-bg: #173524; --warn: #f0c674; --warn-bg: #3a2f14;
    --bad: #f28b82; --bad-bg: #3c1d1b;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  overflow-wrap: anywhere;
}
a { color: var(--accent); }
header.site, main, footer.site { max-width: 46rem; margin: 0 auto; padding: 0 1rem; }
header.site { padding-top: .9rem; padding-bottom: .9rem; border-bottom: 1px solid var(--line); }
header.site .home { font-weight: 700; text-decoration: none; color: var(--fg); }
main { padding-bottom: 2rem; }
h1 { font-size: 1.55rem; line-height: 1.25; margin: .4rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .6rem; }
.kicker { margin: 1.2rem 0 0; color: var(--muted); font-size: .8rem; letter-spacing: .06em;
  text-transform: uppercase; }
.lede { color: var(--muted); }
.asof { color: var(--muted); font-size: .85rem; }
ul.statements, ul.people { list-style: none; padding: 0; margin: 0; }
ul.statements li, ul.people li { padding: .7rem 0; border-bottom: 1px solid var(--line); }
ul.statements a, ul.people a { font-weight: 600; text-decoration: none; }
.sum { display: block; color: var(--muted); font-size: .85rem; }
.board { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: .8rem 1rem; margin: 0 0 1rem; }
.counts { display: flex; gap: 1rem; list-style: none; margin: 0 0 .6rem; padding: 0;
  flex-wrap: wrap; }
.counts li { font-weight: 600; }
.counts .n { font-size: 1.4rem; margin-right: .15rem; }
.counts .for .n { color: var(--for); }
.counts .against .n { color: var(--against); }
.counts .abstain .n { color: var(--abstain); }
.bar { display: flex; height: .55rem; border-radius: 99px; overflow: hidden; gap: 2px; }
.bar span { display: block; min-width: .5rem; }
.bar .for { background: var(--for); }
.bar .against { background: var(--against); }
.bar .abstain { background: var(--abstain); }
section.side > h2 { border-left: 4px solid var(--abstain); padding-left: .6rem; }
section.side.for > h2 { border-color: var(--for); }
section.side.against > h2 { border-color: var(--against); }
.empty { color: var(--muted); }
article.quote { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: .9rem 1rem; margin: 0 0 .9rem; }
.who { margin: 0; font-weight: 700; }
.who a { color: var(--fg); text-decoration: none; }
.role { display: block; font-weight: 400; color: var(--muted); font-size: .9rem; }
.on { margin: 0 0 .3rem; font-size: .95rem; }
blockquote { margin: .6rem 0; padding: 0 0 0 .9rem; border-left: 3px solid var(--line); }
blockquote p { margin: 0 0 .5rem; }
blockquote p:last-child { margin-bottom: 0; }
blockquote p:first-child::before { content: "\\201C"; }
blockquote p:last-child::after { content: "\\201D"; }
.badges { margin: .5rem 0 .2rem; display: flex; flex-wrap: wrap; gap: .35rem; }
.badge, .stance { display: inline-block; font-size: .78rem; font-weight: 600; line-height: 1.2;
  padding: .25rem .55rem; border-radius: 99px; background: var(--line); color: var(--fg); }
.badge.ok { background: var(--ok); color: var(--card); }
.badge.pass { background: var(--ok-bg); color: var(--ok); }
.badge.unknown, .badge.via { background: var(--warn-bg); color: var(--warn); }
.badge.fail { background: var(--bad-bg); color: var(--bad); }
.stance.for { background: var(--for); color: #fff; }
.stance.against { background: var(--against); color: #fff; }
.stance.abstain { background: var(--abstain); color: #fff; }
.meta { margin: .3rem 0 0; font-size: .9rem; color: var(--muted); }
.meta .how { white-space: nowrap; }
.note { padding-left: 1.2rem; }
.note li { margin-bottom: .4rem; }
.modnote { background: var(--warn-bg); padding: .6rem .8rem; border-radius: 8px; }
dl.details { display: grid; grid-template-columns: 1fr; gap: .1rem 1rem; font-size: .92rem; }
dl.details dt { color: var(--muted); font-weight: 600; margin-top: .5rem; }
dl.details dd { margin: 0; }
code.hash { font-size: .8rem; word-break: break-all; }
@media (min-width: 40rem) {
  h1 { font-size: 1.9rem; }
  dl.details { grid-template-columns: 12rem 1fr; }
  dl.details dt { margin-top: 0; }
  .sum { display: inline; margin-left: .6rem; }
}
footer.site { border-top: 1px solid var(--line); color: var(--muted); font-size: .85rem;
  padding-top: 1rem; padding-bottom: 2rem; }
"""
