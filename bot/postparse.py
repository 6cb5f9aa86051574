"""Reading a member's free-form post into the fields of a quote check.

Members type posts by hand, so the parser is forgiving: quotes with or without quotation marks,
any dash (or "by") before the attribution, labels in any case, bare or ``<angle-bracketed>`` links,
a whole post inside a code block. It never raises: whatever it cannot read becomes a line in
``problems`` that :func:`format_help` turns into a reply the member can act on.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from bot.models import (
    AUTHOR_MAX_CHARS,
    InputError,
    QuoteInput,
    validate_url,
    validate_year,
)

Stance = Literal["for", "against", "abstain"]

MAX_POST_CHARS = 20_000
STATEMENT_MAX_CHARS = 500
ROLE_MAX_CHARS = 300
ATTRIBUTION_MAX_CHARS = 400

STANCE_WORDS: dict[str, Stance] = {
    "for": "for",
    "support": "for",
    "supports": "for",
    "agree": "for",
    "agrees": "for",
    "yes": "for",
    "pro": "for",
    "aye": "for",
    "yea": "for",
    "against": "against",
    "oppose": "against",
    "opposes": "against",
    "opposed": "against",
    "disagree": "against",
    "disagrees": "against",
    "no": "against",
    "con": "against",
    "nay": "against",
    "abstain": "abstain",
    "abstains": "abstain",
    "neutral": "abstain",
    "undecided": "abstain",
    "unsure": "abstain",
}

# Label words people use, mapped to the field they fill.
_LABELS: dict[str, str] = {
    "quote": "quote",
    "quotation": "quote",
    "text": "quote",
    "author": "author",
    "speaker": "author",
    "person": "author",
    "said by": "author",
    "who": "author",
    "name": "author",
    "role": "role",
    "title": "role",
    "affiliation": "role",
    "year": "year",
    "date": "year",
    "when": "year",
    "source": "url",
    "link": "url",
    "url": "url",
    "src": "url",
    "statement": "statement",
    "claim": "statement",
    "motion": "statement",
    "vote": "stance",
    "stance": "stance",
    "position": "stance",
}
_LABEL_RE = re.compile(
    r"^[\s>*_~`|]*("
    + "|".join(sorted((re.escape(k) for k in _LABELS), key=len, reverse=True))
    + r")[\s*_`]*[:=][\s*_`]*(.*)$",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"<?(https?://[^\s<>\"'`]+)>?", re.IGNORECASE)
_ANY_SCHEME_RE = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://\S+", re.IGNORECASE)
_BARE_DOMAIN_RE = re.compile(
    r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?$", re.I
)
_DASHES = "-–—―~‒−"
_ATTRIBUTION_RE = re.compile(rf"^\s*(?:[{_DASHES}]+\s*|by\s+)(\S.*)$", re.IGNORECASE)
_YEAR_ONLY_RE = re.compile(r"^\s*[(\[]?\s*(\d{4})\s*[)\]]?\s*\.?\s*$")
_TRAILING_YEAR_RES = (
    # "(2024)", "(March 2024)", "(2024-03-01)", "[2024]"
    re.compile(r"\s*[(\[]([^()\[\]]*?\b(\d{4})\b[^()\[\]]*)[)\]]\s*[.,;]?\s*$"),
    # ", 2024" / " 2024" / ", March 2024" / " in 2024"
    re.compile(
        r"(?:\s*,\s*|\s+in\s+|\s+)((?:[A-Za-z]{3,9}\.?\s+)?(?:\d{1,2},?\s+)?(\d{4}))\s*\.?\s*$"
    ),
)
_NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d."}
_CODE_FENCE_RE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n?")

# Opening quotation mark -> the marks accepted as its closing partner.
_QUOTE_PAIRS: dict[str, str] = {
    '"': '"”“',
    "“": '”"“',
    "”": '”"',
    "„": '“”"',
    "«": "»",
    "»": "«",
    "「": "」",
    "『": "』",
    "‹": "›",
}


@dataclass
class ParsedPost:
    """What was read from a post; ``problems`` lists, in plain words, everything that blocks a check."""

    quote: str | None = None
    author: str | None = None
    author_role: str | None = None
    year: int | None = None
    url: str | None = None
    statement: str | None = None
    stance: Stance | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Ready to check: quote, author and source present and valid, and nothing else wrong."""
        return bool(self.quote and self.author and self.url) and not self.problems

    def to_quote_input(self, id: str | None = None) -> QuoteInput:
        """The check's input; raises InputError if the post is not ``ok``."""
        return QuoteInput.parse(
            quote=self.quote, url=self.url, author=self.author, year=self.year, id=id
        )


def parse_post(text: str) -> ParsedPost:
    """Read ``text`` (a Discord message) into a ParsedPost; never raises."""
    post = ParsedPost()
    if not isinstance(text, str):
        post.problems.append("the post has no text")
        text = ""
    if len(text) > MAX_POST_CHARS:
        post.problems.append(
            f"the post is {len(text):,} characters; only the first {MAX_POST_CHARS:,} are read"
        )
        text = text[:MAX_POST_CHARS]
    sections = _split(_normalise(text))
    attribution = sections.attribution
    inline = _read_quote(post, sections.labelled, sections.body)
    if attribution is None and not sections.labelled.get("author"):
        attribution = inline
    years = list(sections.years)
    _read_attribution(post, attribution, years)
    _read_author(post, sections.labelled)
    _read_year(post, sections.labelled, years)
    _read_url(post, sections.labelled, sections.urls or sections.other_urls[:1])
    _read_statement(post, sections.labelled)
    _read_stance(post, sections.labelled)
    _check_required(post)
    post.problems = list(dict.fromkeys(post.problems))
    return post


@dataclass
class _Sections:
    labelled: dict[str, list[str]] = field(default_factory=dict)
    body: list[str] = field(default_factory=list)
    attribution: str | None = None
    urls: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    other_urls: list[str] = field(default_factory=list)  # ftp://, javascript: ... (to explain)


class _QuoteTracker:
    """Whether the text so far is inside an unclosed quotation mark, updated line by line."""

    def __init__(self) -> None:
        self.has_text = False
        self.inside = False
        self._closers = ""

    def add(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if not self.has_text:
            self.has_text = True
            self._closers = _QUOTE_PAIRS.get(text[0], "")
            self.inside = bool(self._closers) and not any(c in text[1:] for c in self._closers)
        elif self.inside and any(c in text for c in self._closers):
            self.inside = False


def _split(text: str) -> _Sections:
    """Sort the post's lines into labelled values, the quote body, the attribution, links, years."""
    out = _Sections()
    in_quote_label = False
    body = _QuoteTracker()
    labelled_quote = _QuoteTracker()
    for raw_line in text.split("\n"):
        line = raw_line.strip()
        m = _LABEL_RE.match(line)
        if m and not (in_quote_label and _LABELS[m.group(1).lower()] == "quote"):
            name = _LABELS[m.group(1).lower()]
            value = _strip_emphasis(m.group(2))
            out.labelled.setdefault(name, []).append(value)
            in_quote_label = name == "quote"
            if in_quote_label:
                labelled_quote = _QuoteTracker()
                labelled_quote.add(value)
            continue
        if in_quote_label:
            if out.attribution is None and _is_attribution(line, labelled_quote):
                out.attribution = _ATTRIBUTION_RE.match(line).group(1)  # type: ignore[union-attr]
                in_quote_label = False
            else:
                out.labelled["quote"].append(line)
                labelled_quote.add(line)
            continue
        urls, rest = _take_urls(line)
        out.urls.extend(urls)
        other = _ANY_SCHEME_RE.search(rest)
        if other and not urls:
            out.other_urls.append(other.group(0).rstrip(">"))
            if not rest.replace(other.group(0), "").strip(" \t<>()"):
                continue
        if urls and not rest.strip(" \t.,;:()[]<>-–—*_|"):
            continue
        line = rest.strip()
        year = _YEAR_ONLY_RE.match(line)
        if year and (out.attribution is not None or body.has_text):
            out.years.append(year.group(1))
        elif out.attribution is None and _is_attribution(line, body):
            out.attribution = _ATTRIBUTION_RE.match(line).group(1)  # type: ignore[union-attr]
        elif out.attribution is None:
            out.body.append(line)
            body.add(line)
        # Lines after the attribution are commentary; the raw post is kept by the caller.
    return out


def _is_attribution(line: str, before: _QuoteTracker) -> bool:
    """A dash or "by" line after some quote text, unless that text has an unclosed quotation mark."""
    m = _ATTRIBUTION_RE.match(line)
    if not m:
        return False
    if not before.has_text:
        # No quote yet: only a long dash is surely an attribution ("-" may be a list bullet).
        return line.lstrip()[0] in "—–―~"
    if re.match(r"(?i)\s*by\s", line) and not (m.group(1)[0].isupper() or m.group(1)[0] == "@"):
        return False
    return not before.inside


_SAID_RE = re.compile(
    r"^(?P<who>[^\"“„«\n]{2,160}?)\s{0,3}(?:\b(?:said|says|wrote|writes|stated|states)\b\s{0,3}[:,]?|:)\s{0,3}"
    r"(?P<q>[\"“„«].*)$",
    re.DOTALL | re.IGNORECASE,
)


def _read_quote(post: ParsedPost, labelled: dict[str, list[str]], body: list[str]) -> str | None:
    """Set the quote; return an attribution found beside it (``"..." — Name``, ``Name said: "..."``)."""
    from_label = bool(labelled.get("quote"))
    text = _join_lines(labelled["quote"] if from_label else body)
    if not text:
        return None
    attribution: str | None = None
    said = None if from_label else _SAID_RE.match(text)
    if said:
        text, attribution = said.group("q"), said.group("who")
    quote, rest = _unquote(_strip_emphasis(text))
    if rest and attribution is None and not from_label:
        am = _ATTRIBUTION_RE.match(rest) or re.match(r"^\s*[,:]\s*(\S.*)$", rest, re.DOTALL)
        if am:
            attribution = am.group(1)
        elif text.find("\n", len(text) - len(rest) - 1) >= 0 and rest[0].isupper():
            attribution = rest
    quote = _strip_emphasis(quote).strip()
    if quote:
        post.quote = quote
        try:
            QuoteInput.parse(quote=quote, url="https://example.org/")
        except InputError as exc:
            post.problems.append(f"quote {exc.message}")
    return attribution


def _read_attribution(post: ParsedPost, attribution: str | None, years: list[str]) -> None:
    if not attribution:
        return
    # Attributions are short; the cap also keeps every pattern below cheap on hostile input.
    text = _strip_emphasis(" ".join(attribution.split())[:ATTRIBUTION_MAX_CHARS])
    for pattern in _TRAILING_YEAR_RES:
        m = pattern.search(text)
        if m:
            years.insert(0, m.group(2))
            text = text[: m.start()].rstrip(" ,;")
            break
    # A role in parentheses: "Ben Brooks (Stability AI)".
    role: str | None = None
    pm = re.match(r"^(.*?)\s*\(([^()]+)\)\s*(.*)$", text)
    if pm and pm.group(1).strip():
        role = ", ".join(p for p in (pm.group(2).strip(), pm.group(3).strip(" ,")) if p)
        text = pm.group(1)
    name, _, rest = text.partition(",")
    parts = [p.strip() for p in rest.split(",")] if rest else []
    while parts and parts[0].lower() in _NAME_SUFFIXES:
        name = f"{name}, {parts.pop(0)}"
    if parts:
        role = ", ".join(p for p in [*parts, role or ""] if p)
    # "Ben Brooks of Stability AI" / "Ben Brooks at Stability AI"
    if role is None:
        om = re.match(r"^(.{2,80}?)\s+(?:of|at|from)\s+(\S.*)$", name)
        if om:
            name, role = om.group(1), om.group(2)
    name = _clean_name(name)
    if name:
        post.author = name
    if role:
        post.author_role = role.strip()[:ROLE_MAX_CHARS] or None


def _read_author(post: ParsedPost, labelled: dict[str, list[str]]) -> None:
    values = [v for v in labelled.get("author", []) if v.strip()]
    if values:
        label_value = values[-1]
        saved_role = post.author_role
        post.author = None
        years_sink: list[str] = []
        _read_attribution(post, label_value, years_sink)
        if years_sink and not labelled.get("year"):
            labelled["year"] = [years_sink[0]]
        if post.author_role is None:
            post.author_role = saved_role
    roles = [v for v in labelled.get("role", []) if v.strip()]
    if roles:
        post.author_role = " ".join(roles[-1].split())[:ROLE_MAX_CHARS]
    if post.author and len(post.author) > AUTHOR_MAX_CHARS:
        post.problems.append(f"author is longer than {AUTHOR_MAX_CHARS} characters")


def _read_year(post: ParsedPost, labelled: dict[str, list[str]], years: list[str]) -> None:
    labelled_years = [v for v in labelled.get("year", []) if v.strip()]
    if labelled_years:
        value = labelled_years[-1].strip().strip("().[]")
        found = re.findall(r"\b(\d{4})\b", value)
        if len(found) == 1:
            value = found[0]
        try:
            post.year = validate_year(value)
        except InputError as exc:
            post.problems.append(f"year {exc.message}")
            return
    elif years:
        try:
            post.year = validate_year(years[0])
        except InputError as exc:
            post.problems.append(f"year {exc.message}")
            return
    this_year = _dt.datetime.now(_dt.UTC).year
    if post.year is not None and post.year > this_year:
        post.problems.append(f"year {post.year} is in the future")


def _read_url(post: ParsedPost, labelled: dict[str, list[str]], bare_urls: list[str]) -> None:
    labelled_urls = [v for v in labelled.get("url", []) if v.strip()]
    candidate: str | None = None
    if labelled_urls:
        value = labelled_urls[-1]
        urls, _ = _take_urls(value)
        if urls:
            candidate = urls[0]
        else:
            other = _ANY_SCHEME_RE.search(value)
            candidate = (other.group(0) if other else value.strip().strip("<>")) or None
            if candidate and _BARE_DOMAIN_RE.match(candidate):
                # "Source: example.org/page": the member meant a web address.
                candidate = "https://" + candidate
    else:
        distinct = list(dict.fromkeys(bare_urls))
        if len(distinct) > 1:
            post.problems.append(
                f"the post has {len(distinct)} different links; put the source on a line "
                "starting with 'Source:'"
            )
            return
        if distinct:
            candidate = distinct[0]
    if candidate is None:
        return
    try:
        post.url = validate_url(candidate)
    except InputError as exc:
        post.problems.append(f"source {exc.message}")
    except ValueError:  # urlsplit's own errors, e.g. "http://[" (an unclosed IPv6 bracket)
        post.problems.append(f"source {candidate[:60]!r} is not a valid web address")


def _read_statement(post: ParsedPost, labelled: dict[str, list[str]]) -> None:
    values = [v for v in labelled.get("statement", []) if v.strip()]
    if not values:
        return
    statement = " ".join(values[-1].split()).strip('"“”')
    if len(statement) > STATEMENT_MAX_CHARS:
        post.problems.append(
            f"statement is {len(statement):,} characters; at most {STATEMENT_MAX_CHARS} are allowed"
        )
        return
    post.statement = statement or None


def _read_stance(post: ParsedPost, labelled: dict[str, list[str]]) -> None:
    values = [v for v in labelled.get("stance", []) if v.strip()]
    if not values:
        return
    value = values[-1]
    for word in re.findall(r"[a-z]+", value.casefold()):
        if word in STANCE_WORDS:
            post.stance = STANCE_WORDS[word]
            return
    post.problems.append(
        f"vote {value.strip()[:30]!r} is not understood; use for, against or abstain"
    )


def _check_required(post: ParsedPost) -> None:
    if not post.quote:
        post.problems.insert(0, "quote is missing: put the quoted words in quotation marks")
    if not post.author:
        post.problems.append("author is missing: add a line like '— Name, role (year)'")
    if not post.url and not any(p.startswith(("source", "the post has")) for p in post.problems):
        post.problems.append("source is missing: add a line like 'Source: https://…'")


# -- helpers ----------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    if "```" in text:
        text = _CODE_FENCE_RE.sub("", text).replace("```", "")
    # Discord block quotes ("> line") and list bullets are decoration, not content.
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(">>> "):
            stripped = stripped[4:]
        elif stripped.startswith("> ") or stripped == ">":
            stripped = stripped[1:]
        lines.append(stripped)
    return "\n".join(lines).strip()


def _take_urls(line: str) -> tuple[list[str], str]:
    """The http(s) links in ``line`` (trailing punctuation trimmed) and the line without them."""
    urls: list[str] = []

    def grab(m: re.Match[str]) -> str:
        url = m.group(1)
        opens, closes = url.count("("), url.count(")")
        while url and url[-1] in ".,;:!?'\"”’)]}*_|":
            if url[-1] == ")":
                if opens >= closes:  # balanced: part of the URL, as in Wikipedia's "Foo_(bar)"
                    break
                closes -= 1
            url = url[:-1]
        tail = m.group(1)[len(url) :]
        urls.append(url)
        return tail.lstrip(")]}*_|") if m.group(0).endswith(">") else tail

    rest = _URL_RE.sub(grab, line)
    # A Markdown link "[text](url)" leaves "[text]()" behind; drop the empty parentheses.
    rest = rest.replace("()", "")
    rest = re.sub(r"(?i)\b(?:source|link|url|via)\s*:?\s*$", "", rest)
    return urls, rest


def _unquote(text: str) -> tuple[str, str]:
    """Split ``"quoted words" rest`` into the words and what follows the closing mark."""
    stripped = text.strip()
    if not stripped:
        return "", ""
    opener = stripped[0]
    closers = _QUOTE_PAIRS.get(opener)
    if closers is None:
        if opener in "'‘" and len(stripped) > 2 and stripped[-1] in "'’":
            return stripped[1:-1].strip(), ""
        return stripped, ""
    end = max(stripped.rfind(c) for c in closers)
    if end <= 0:
        return stripped[1:].strip(), ""
    return stripped[1:end].strip(), stripped[end + 1 :].strip()


def _join_lines(lines: list[str]) -> str:
    text = "\n".join(line.strip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _strip_emphasis(text: str) -> str:
    """Markdown bold/italic/code marks wrapped around a whole value."""
    text = text.strip()
    for mark in ("***", "**", "__", "*", "_", "`"):
        if len(text) > 2 * len(mark) and text.startswith(mark) and text.endswith(mark):
            text = text[len(mark) : -len(mark)].strip()
    return text


def _clean_name(name: str) -> str:
    name = _strip_emphasis(name)
    name = name.strip(" \t\"'“”‘’,;:-–—*_")
    last = name.rsplit(" ", 1)[-1].rsplit(",", 1)[-1].strip().lower()
    if name.endswith(".") and last not in _NAME_SUFFIXES and len(last.rstrip(".")) > 1:
        name = name[:-1]
    name = re.sub(r"^@", "", name)
    return " ".join(name.split())


# -- the reply to a post that could not be read -----------------------------------------------

EXPECTED_FORMAT = (
    '"The quoted words, exactly as said or written."\n'
    "— Name, role or organisation (year)\n"
    "Source: https://link-to-the-source\n"
    "Statement: the statement it bears on (optional)\n"
    "Vote: for | against | abstain (optional)"
)


def format_help(parsed: ParsedPost) -> str:
    """A short reply: what was understood, what is missing or wrong, and the expected format."""
    understood: list[str] = []
    if parsed.quote:
        understood.append(
            f"quote: “{_safe(_shorten(parsed.quote, 90))}” ({len(parsed.quote):,} characters)"
        )
    if parsed.author:
        who = _safe(_shorten(parsed.author, 80))
        if parsed.author_role:
            who += f" — {_safe(_shorten(parsed.author_role, 80))}"
        understood.append(f"author: {who}")
    if parsed.year is not None:
        understood.append(f"year: {parsed.year}")
    if parsed.url:
        understood.append(f"source: <{_safe(_shorten(parsed.url, 120))}>")
    if parsed.statement:
        understood.append(f"statement: {_safe(_shorten(parsed.statement, 90))}")
    if parsed.stance:
        understood.append(f"vote: {parsed.stance}")

    out: list[str] = []
    if parsed.ok:
        out.append("I read this post as:")
    else:
        out.append("I could not check this post yet.")
        if understood:
            out.append("What I understood:")
    out.extend(f"• {line}" for line in understood)
    if parsed.problems:
        out.append("What is missing or wrong:")
        out.extend(f"• {_safe(_shorten(p, 200))}" for p in parsed.problems[:8])
    if not parsed.ok:
        out.append("Please edit your post to follow this format:")
        out.append(f"```\n{EXPECTED_FORMAT}\n```")
    return "\n".join(out)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe(text: str) -> str:
    """Echoed member text must not ping anyone or break out of the reply's formatting."""
    return text.replace("@", "@\u200b").replace("```", "`\u200b``")
