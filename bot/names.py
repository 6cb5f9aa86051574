"""Matching a person's name against bylines and text, tolerant of how names get written.

"Ben Brooks", "Benjamin Brooks", "B. Brooks", "Ben J. Brooks", "BROOKS, Ben" and "Bén Brooks"
are one person; "Ben Brooke" is not. The surname decides; given names must be compatible
(equal, an initial of, or a short form of one another).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "la",
        "le",
        "st",
        "bin",
        "al",
        "ibn",
    ]
)
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "hon",
        "sen",
        "senator",
        "rep",
        "president",
        "ceo",
        "cto",
    ]
)
_SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"])
_SPLIT_AUTHORS_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\|)\s*", re.IGNORECASE)


def fold(text: str) -> str:
    """Case- and accent-free form, punctuation to spaces: for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("đ", "d").replace("ł", "l")
    return " ".join(re.sub(r"[^\w]+", " ", stripped.casefold()).split())


def name_parts(name: str) -> tuple[list[str], str] | None:
    """(given names, surname) of a person's name, or None if it has no usable words."""
    text = name.strip()
    if "," in text and text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        if last and first and " " not in last:  # "Brooks, Ben"
            text = f"{first} {last}"
    words = [w for w in fold(text).split() if w not in _TITLES and w not in _SUFFIXES]
    if text.lower().startswith("by "):
        words = words[1:]
    if not words:
        return None
    surname_words = [words[-1]]
    i = len(words) - 2
    while i >= 1 and words[i] in _PARTICLES:
        surname_words.insert(0, words[i])
        i -= 1
    given = words[: i + 1]
    return given, " ".join(surname_words)


def _given_compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and long_.startswith(short)


def same_person(a: str, b: str) -> bool:
    pa, pb = name_parts(a), name_parts(b)
    if pa is None or pb is None:
        return False
    (ga, sa), (gb, sb) = pa, pb
    # Surnames must agree, though particles may be dropped ("van Gogh" / "Gogh").
    if sa != sb and sa.split()[-1] != sb.split()[-1]:
        return False
    if not ga or not gb:
        return True
    return _given_compatible(ga[0], gb[0])


def split_author_list(byline: str) -> list[str]:
    """'By A and B', 'A, B & C' -> ['A', 'B', 'C'] (a 'Surname, Given' pair stays one name)."""
    text = re.sub(r"^\s*by\s+", "", byline.strip(), flags=re.IGNORECASE)
    parts = [p for p in _SPLIT_AUTHORS_RE.split(text) if p and p.strip()]
    if len(parts) == 2 and all(len(p.split()) == 1 for p in parts) and "," in text:
        return [text]
    return [p.strip() for p in parts]


def matches_any_author(person: str, authors: Iterable[str]) -> bool:
    return any(
        same_person(person, name) for author in authors for name in split_author_list(author)
    )


def _name_pattern(person: str, *, surname_only: bool) -> re.Pattern[str] | None:
    parts = name_parts(person)
    if parts is None:
        return None
    given, surname = parts
    sur = r"\s+".join(re.escape(w) for w in surname.split())
    if surname_only or not given:
        return re.compile(rf"\b{sur}\b")
    first = given[0]
    first_re = re.escape(first[0]) + (
        r"(?:\w*)" if len(first) == 1 else re.escape(first[1:3]) + r"\w*"
    )
    return re.compile(rf"\b{first_re}(?:\s+\w+\.?){{0,2}}\s+{sur}\b")


def named_in(person: str, text: str, *, surname_only: bool = False) -> bool:
    """Whether ``text`` names ``person`` (full name, or the surname when ``surname_only``)."""
    pattern = _name_pattern(person, surname_only=surname_only)
    return bool(pattern and pattern.search(fold(text)))
