"""Straightforward reference implementations that the fast code in bot/ must equal exactly.

They are the code as it stood before it was made fast (one regex call per token, a translate
table), kept here as test oracles only.
"""

from __future__ import annotations

import unicodedata

from bot.textnorm import _APOSTROPHES, _INVISIBLE, _THOUSANDS_RE, TOKEN_RE

_STRIP_TABLE: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
_STRIP_TABLE.update({ord(c): "'" for c in _APOSTROPHES})


def reference_normalize(words: list[str]) -> list[str]:
    if not words:
        return []
    joined = "\x00".join(words)
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined).translate(_STRIP_TABLE)
    joined = joined.casefold()
    if "," in joined:
        joined = _THOUSANDS_RE.sub("", joined)
    return joined.split("\x00")


def reference_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """(words, starts, ends) of ``text``, token by token with finditer."""
    raw: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in TOKEN_RE.finditer(text):
        raw.append(m.group())
        starts.append(m.start())
        ends.append(m.end())
    words = reference_normalize(raw)
    keep = [i for i, w in enumerate(words) if w]
    return [words[i] for i in keep], [starts[i] for i in keep], [ends[i] for i in keep]
