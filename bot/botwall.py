"""Bot walls: pages a site serves instead of the article to readers it takes for robots.

Such a page arrives with status 200 (or 403/503) and would otherwise be judged as the source
("the quote is not on the page"). Recognising it turns a false dispute into "blocked", which the
archive fallback can then work around. Detection is by the markers the common walls carry, and
only on pages with little visible text, so an article that merely mentions a captcha is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from selectolax.lexbor import LexborHTMLParser

_MAX_CHARS = 400_000  # walls are small; a bigger page is never taken for one
_FEW_CHARS = 2000  # visible characters a page with a vendor's bot-check marker stays under
_VERY_FEW_CHARS = 300  # ... and one with only a generic captcha or "Access Denied" marker

# (pattern searched in the raw HTML, what to call the wall), strongest first. The vendors'
# challenge markers come first; the generic ones (a captcha widget, which short real pages may
# carry in a comment form) need a page with almost no text of its own.
_STRONG: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"<title>\s*just a moment\.\.\.\s*</title>", "a Cloudflare bot check"),
        (r"/cdn-cgi/challenge-platform/", "a Cloudflare bot check"),
        (r"<title>[^<]*attention required[^<]*cloudflare", "a Cloudflare block page"),
        (r"cf-turnstile", "a Cloudflare captcha"),
        (r"captcha-delivery\.com|datadome", "a DataDome bot check"),
        (r"px-captcha|_pxhd|perimeterx", "a PerimeterX bot check"),
        (r"incapsula incident id|_incapsula_resource", "an Imperva (Incapsula) block page"),
        (r"sucuri website firewall", "a Sucuri firewall page"),
        (r"ddos-guard", "a DDoS-Guard bot check"),
        (r"awswaf|aws-waf-token", "an AWS WAF bot check"),
    )
)
_WEAK: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"g-recaptcha|grecaptcha|h-captcha|hcaptcha\.com", "a captcha page"),
        (r"<title>\s*access denied\s*</title>", 'an "Access Denied" page'),
        (
            r"verify (?:that )?you are (?:a )?human|are you a robot|unusual traffic from your"
            r"|checking your browser before accessing|enable javascript and cookies to continue",
            "a bot check",
        ),
    )
)


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
    strong = next((name for pattern, name in _STRONG if pattern.search(html)), None)
    weak = None if strong else next((n for pattern, n in _WEAK if pattern.search(html)), None)
    if strong is None and weak is None:
        return None
    shown = visible_chars(html)
    if strong is not None and shown < _FEW_CHARS:
        return strong
    if weak is not None and shown < _VERY_FEW_CHARS:
        return weak
    return None
