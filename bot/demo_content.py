"""The demo's source: an original article written for Verbatim (a made-up town and people), served
on loopback by ``python -m bot demo`` so the whole flow runs with no network and no Discord."""

from __future__ import annotations

import html

PATH = "/2023/09/harbour-street-library-late-fees"
TITLE = "Harbour Street Library Stopped Charging Late Fees. The Readers Came Back."
AUTHOR = "Ines Carvalho"
PUBLISHED = "2023-09-12"
SITE = "The Tideline Gazette"

PARAGRAPHS = [
    "For thirty years the Harbour Street Library kept a small tin on its front desk for "
    "overdue fines. Last spring the tin went into a cupboard, and the library stopped "
    "charging anyone for returning a book late.",
    "The change was meant as a six-month trial. Six months on, the library counts more "
    "active borrowers than at any time since it moved into the old customs house, and the "
    "board voted in August to make the policy permanent.",
    "\u201cEvery fine we dropped brought a reader back through our doors,\u201d said Amara Osei, "
    "the library's director, standing beside a returns trolley that was full by mid-morning. "
    "\u201cPeople had stayed away over a few coins. That is not what a library is for.\u201d",
    "The numbers support her. Between April and August, 412 lapsed members renewed their "
    "cards, and loans of children's books rose by almost a fifth compared with the same "
    "months of the year before.",
    "Not everyone was convinced at first. Councillor Peter Lund had warned that shelves would "
    "empty as books went unreturned. He now says the worry was misplaced: the share of books "
    "returned within a month barely moved, from 91 to 89 per cent.",
    "What the fines cost to collect",
    "The library's own accounts show that fines brought in less than two thousand a year, "
    "while staff spent hours each week chasing small debts and handling complaints at the "
    "desk. Osei says that time now goes into reading groups and homework clubs.",
    "Other libraries along the coast are watching. Two neighbouring towns have asked for the "
    "trial's figures, and one plans a similar experiment in the new year.",
]

VERIFIED_QUOTE = "Every fine we dropped brought a reader back through our doors."
# The article says "That is not what a library is for."; one word turns the meaning around.
DOCTORED_QUOTE = "People had stayed away over a few coins. That is exactly what a library is for."
SPEAKER = "Amara Osei, director of the Harbour Street Library"
YEAR = 2023


def article_html() -> str:
    """The article as a news site would serve it: navigation, byline, date, headings, footer."""
    body = []
    for block in PARAGRAPHS:
        tag = "h2" if not block.endswith((".", "\u201d")) else "p"
        body.append(f"<{tag}>{html.escape(block, quote=False)}</{tag}>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(TITLE)} | {SITE}</title>"
        f'<meta name="author" content="{AUTHOR}">'
        f'<meta property="article:published_time" content="{PUBLISHED}T08:30:00Z">'
        "</head><body>"
        "<nav><a href='/'>Home</a> <a href='/local'>Local</a> <a href='/culture'>Culture</a></nav>"
        f"<article><h1>{html.escape(TITLE)}</h1>"
        f"<p class='byline'>By {AUTHOR}</p><time datetime='{PUBLISHED}'>{PUBLISHED}</time>"
        f"{''.join(body)}</article>"
        f"<footer><p>{SITE}. Written for the Verbatim demo; the town and people are invented.</p>"
        "</footer></body></html>"
    )


def post(quote: str, url: str) -> str:
    """A member's post in the plain format the bot reads."""
    return f"\u201c{quote}\u201d\n\u2014 {SPEAKER} ({YEAR})\nSource: {url}"
