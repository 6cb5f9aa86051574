"""Bot walls: pages a site serves instead of the article to readers it takes for robots.

Such a page arrives with status 200 (or 403/503) and would otherwise be judged as the source
("the quote is not on the page"). Recognising it turns a false dispute into "blocked", which the
archive fallback can then work around. Detection is by the markers the common walls carry, and
only on pages with little visible text, so an article that merely mentions a captcha is read.
"""

from __future__ import annotations

from collections.abc import Mapping

from selectolax.lexbor import LexborHTMLParser

_MAX_CHARS = 400_000  # walls are small; a bigger page is never taken for one
_FEW_CHARS = 2000  # visible characters a page with a vendor's bot-check marker stays under
_VERY_FEW_CHARS = 300  # ... and one with only a generic captcha or "Access Denied" marker

# Markers searched in the lower-cased HTML, strongest first: the vendors' challenge markers,
# then the generic ones (a captcha widget, which short real pages may carry in a comment form),
# which need a page with almost no text of its own. Plain substring tests: a dozen
# case-insensitive regular expressions over a whole page cost more than the whole check.
_STRONG_TITLES: tuple[tuple[str, str], ...] = (("just a moment...", "a Cloudflare bot check"),)
_STRONG: tuple[tuple[tuple[str, ...], str], ...] = (
    (("/cdn-cgi/challenge-platform/",), "a Cloudflare bot check"),
    (("cf-turnstile",), "a Cloudflare captcha"),
    (("captcha-delivery.com", "datadome"), "a DataDome bot check"),
    (("px-captcha", "_pxhd", "perimeterx"), "a PerimeterX bot check"),
    (("incapsula incident id", "_incapsula_resource"), "an Imperva (Incapsula) block page"),
    (("sucuri website firewall",), "a Sucuri firewall page"),
    (("ddos-guard",), "a DDoS-Guard bot check"),
    (("awswaf", "aws-waf-token"), "an AWS WAF bot check"),
)
_WEAK_TITLES: tuple[tuple[str, str], ...] = (("access denied", 'an "Access Denied" page'),)
_WEAK: tuple[tuple[tuple[str, ...], str], ...] = (
    (("g-recaptcha", "grecaptcha", "h-captcha", "hcaptcha.com"), "a captcha page"),
    (
        (
            "verify you are human",
            "verify you are a human",
            "verify that you are human",
            "verify that you are a human",
            "are you a robot",
            "unusual traffic from your",
            "checking your browser before accessing",
            "enable javascript and cookies to continue",
        ),
        "a bot check",
    ),
)


def _title(low: str) -> str:
    start = low.find("<title>")
    if start < 0:
        return ""
    end = low.find("<", start + 7)
    return low[start + 7 : end if end >= 0 else len(low)].strip()


# Words several markers share: a page without one holds none of those markers, so each is looked
# for once before the markers that hold it (a whole page is read once per search, about 40 us).
_SHARED = ("captcha", "verify", "incapsula", "waf")


_SHARED_BY_NEEDLE = {
    needle: next((word for word in _SHARED if word in needle), None)
    for group in (_STRONG, _WEAK)
    for needles, _ in group
    for needle in needles
}


def _find(
    low: str,
    title: str,
    titles: tuple[tuple[str, str], ...],
    markers: tuple[tuple[tuple[str, ...], str], ...],
    seen: dict[str, bool],
) -> str | None:
    """The first marker group with a needle in ``low``; ``seen`` remembers which shared words
    the page holds."""
    for wanted, name in titles:
        if title == wanted:
            return name
    for needles, name in markers:
        for needle in needles:
            shared = _SHARED_BY_NEEDLE.get(needle)
            if shared is not None:
                held = seen.get(shared)
                if held is None:
                    held = seen[shared] = shared in low
                if not held:
                    continue
            if needle in low:
                return name
    return None


def visible_chars(html: str) -> int:
    """Characters of text a reader would see, spaces not counted (scripts and styles left out)."""
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "noscript", "template", "svg"])
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return 0
    return len("".join((root.text(separator=" ") or "").split()))


def bot_wall(html: str, headers: Mapping[str, str] | None = None) -> str | None:
    """What kind of bot wall ``html`` is (e.g. "a Cloudflare bot check"), or None for a real page."""
    if headers is not None and headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return "a Cloudflare bot check"
    if len(html) > _MAX_CHARS:
        return None
    low = html.lower()
    title = _title(low)
    seen: dict[str, bool] = {}
    strong = _find(low, title, _STRONG_TITLES, _STRONG, seen)
    if strong is None and "attention required" in title and "cloudflare" in title:
        strong = "a Cloudflare block page"
    weak = None if strong else _find(low, title, _WEAK_TITLES, _WEAK, seen)
    if strong is None and weak is None:
        return None
    shown = visible_chars(html)
    if strong is not None and shown < _FEW_CHARS:
        return strong
    if weak is not None and shown < _VERY_FEW_CHARS:
        return weak
    return None
