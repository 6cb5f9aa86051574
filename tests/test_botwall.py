"""The bot-wall markers are found as the plain search over every needle found them.

``bot_wall`` looks for a word several markers share ("captcha", "verify", ...) before those
markers; here it is compared with the former search, needle by needle, on generated pages.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import botwall
from bot.botwall import bot_wall


def _former_find(
    low: str,
    title: str,
    titles: tuple[tuple[str, str], ...],
    markers: tuple[tuple[tuple[str, ...], str], ...],
) -> str | None:
    for wanted, name in titles:
        if title == wanted:
            return name
    for needles, name in markers:
        if any(needle in low for needle in needles):
            return name
    return None


def _former_bot_wall(html: str) -> str | None:
    """bot_wall before the shared words (no headers)."""
    if len(html) > botwall._MAX_CHARS:
        return None
    low = html.lower()
    title = botwall._title(low)
    strong = _former_find(low, title, botwall._STRONG_TITLES, botwall._STRONG)
    if strong is None and "attention required" in title and "cloudflare" in title:
        strong = "a Cloudflare block page"
    weak = None if strong else _former_find(low, title, botwall._WEAK_TITLES, botwall._WEAK)
    if strong is None and weak is None:
        return None
    shown = botwall.visible_chars(html)
    if strong is not None and shown < botwall._FEW_CHARS:
        return strong
    if weak is not None and shown < botwall._VERY_FEW_CHARS:
        return weak
    return None


NEEDLES = [n for group in (botwall._STRONG, botwall._WEAK) for needles, _ in group for n in needles]
PIECES = [
    *NEEDLES,
    *(n.upper() for n in NEEDLES[:6]),
    *botwall._SHARED,
    "capt",
    "cha",
    "verif",
    "y you are human",
    "<title>",
    "</title>",
    "Just a moment...",
    "Access Denied",
    "<p>Some words of an article.</p>",
    "<script>var x = 1;</script>",
    " ",
]


def test_every_marker_has_at_most_its_first_shared_word() -> None:
    for needle in NEEDLES:
        shared = botwall._SHARED_BY_NEEDLE[needle]
        assert shared is None or shared in needle


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@example("<p>g-recaptcha</p>")
@example("<p>please verify that you are a human</p>")
@example("<p>captcha</p>")  # the shared word alone is no marker
def test_bot_wall_equals_the_search_over_every_needle(html: str) -> None:
    assert bot_wall(html) == _former_bot_wall(html)
