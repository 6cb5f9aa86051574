"""What a fetched body is (HTML, text, PDF, binary) and how to turn its bytes into text:
charset from the header, a BOM or <meta>, else detection."""

from __future__ import annotations

import re
import unicodedata

from charset_normalizer import from_bytes as detect_charsets
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

SNIFF_MIMES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "unknown/unknown",
    }
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "an image"),
    (b"GIF87a", "an image"),
    (b"GIF89a", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"RIFF", "a media file"),
    (b"OggS", "a media file"),
    (b"ID3", "a media file"),
    (b"\x1a\x45\xdf\xa3", "a media file"),
    (b"PK\x03\x04", "an archive or office document"),
    (b"\x1f\x8b", "a compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "an archive"),
    (b"Rar!", "an archive"),
    (b"%!PS", "a PostScript document"),
    (b"\xd0\xcf\x11\xe0", "an office document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
)
# WHATWG mime sniffing: bytes that never occur in text.
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
HTML_START = re.compile(
    rb"\s*(?:<!doctype\s+html|<html|<head|<body|<title|<script|<!--|<p[\s>]|<div|<meta|<h1|<table)",
    re.IGNORECASE,
)


def mostly_binary(raw: bytes, content_type: str | None) -> bool:
    """Bytes that no text holds make up over 5% of the start (a few strays are common)."""
    head = raw[:4096]
    if not head or read_bom(raw)[0] is not None or "utf-16" in (content_type or "").lower():
        return False
    return len(BINARY_BYTES.findall(head)) > len(head) // 20


def is_text_mime(mime: str) -> bool:
    return (
        mime.startswith("text/")
        or mime in ("application/xhtml+xml", "application/xml")
        or (mime.startswith("application/") and mime.endswith("+xml"))
    )


def is_markup(mime: str) -> bool:
    return mime in ("text/html", "application/xhtml+xml") or mime.endswith("xml")


def describe_mime(mime: str) -> str:
    major = mime.split("/", 1)[0]
    if mime == "application/pdf":
        return "a PDF document"
    if major == "image":
        return "an image"
    if major in ("audio", "video"):
        return "a media file"
    if mime in ("application/json", "application/ld+json"):
        return "JSON data"
    return "a file"


def magic_kind(raw: bytes) -> str | None:
    if raw.startswith(b"\x00\x00\x00") and raw[4:8] == b"ftyp":
        return "a media file"
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    return None


def mime_of(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


# --- charset ------------------------------------------------------------------------------------

_UNSAFE_CODECS = frozenset(
    {"undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape", "utf_7"}
)
_NON_ASCII_WORD = re.compile(rb"[^\s<>\"'=]*[\x80-\xff][^\s<>\"'=]*")
# How far windows-1252 may trail the detector's favourite (chaos and language coherence, 0..1)
# and still win: ties between Latin code pages go to the web's default.
_CP1252_MARGIN = 0.05


def _usable(name: str | None) -> str | None:
    """A decodable text codec name, or None (blocks base64, rot13, utf-7 and the like)."""
    if not name:
        return None
    try:
        b"a".decode(name, "replace")
    except (LookupError, UnicodeError):
        return None
    return None if name.replace("-", "_").lower() in _UNSAFE_CODECS else name


def _strict_ok(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(raw: bytes) -> bool:
    """Valid UTF-8, or UTF-8 with a few stray bytes (kept: one bad byte must not garble a page)."""
    if _strict_ok(raw, "utf-8"):
        return True
    text = raw.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - bad >= 2 * bad


def _detect(raw: bytes) -> str:
    """Charset of an undeclared (or wrongly declared) body.

    UTF-8 if it reads as UTF-8; else charset-normalizer on the non-ASCII words, except that
    windows-1252, the web's default for Western pages, wins near-ties: detectors alone misjudge
    short Latin pages (French in cp1252 comes out as Baltic cp1257).
    """
    if _mostly_utf8(raw):
        return "utf-8"
    words = b" ".join(m.group() for m in _NON_ASCII_WORD.finditer(raw, 0, 1_000_000))[:32_768]
    results = detect_charsets(words)
    best = results.best()
    if best is None:
        return "cp1252"
    western = next((r for r in results if "cp1252" in r.could_be_from_charset), None)
    if (
        western is not None
        and western.chaos <= best.chaos + _CP1252_MARGIN
        and western.coherence >= best.coherence - _CP1252_MARGIN
    ):
        return "cp1252"
    if _latin_only(str(best)) and _reads_as_western(words):
        return "cp1252"  # e.g. short French read as Baltic: every letter fits Western Europe
    return _usable(resolve_encoding(best.encoding)) or "cp1252"


# Non-ASCII characters Western European text in windows-1252 is made of (letters used by
# French, German, Spanish, Portuguese, Italian, Dutch, Nordic languages, and typography).
_WESTERN = frozenset(
    "àâäçéèêëîïôöùûüÿñáíóúãõœæøåßÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÑÁÍÓÚÃÕŒÆØÅ‘’“”„–—…€«»©®°·•™¡¿\xa0"
)


def _latin_only(text: str) -> bool:
    """Every non-ASCII letter of ``text`` is a Latin letter (another Latin code page's reading)."""
    return all("LATIN" in unicodedata.name(ch, "") for ch in text if ord(ch) > 127 and ch.isalpha())


def _reads_as_western(words: bytes) -> bool:
    try:
        text = words.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch in _WESTERN for ch in text if ord(ch) > 127)


def decode_text(raw: bytes, mime: str, content_type: str | None) -> tuple[str, str]:
    """(charset, text): BOM, then the header's charset, then <meta>/XML declaration, then detection.

    Labels follow the WHATWG mapping (iso-8859-1 means windows-1252). A body that claims UTF-8
    but is not valid UTF-8 (a common server default over legacy files) is detected instead.
    """
    bom_codec, bom = read_bom(raw)
    if bom_codec is not None and bom is not None:
        return bom_codec, to_unicode(raw[len(bom) :], bom_codec)
    codec = _usable(http_content_type_encoding(content_type))
    if codec is None and is_markup(mime):
        codec = _usable(html_body_declared_encoding(raw))
        if codec is not None and codec.startswith(("utf-16", "utf-32")):
            codec = "utf-8"  # an ASCII-readable <meta> cannot be in UTF-16 (WHATWG rule)
    elif codec in ("utf-16", "utf-32"):
        codec += "-le"  # WHATWG: a bare "utf-16" label means little-endian
    if codec is None or (codec == "utf-8" and not _mostly_utf8(raw)):
        codec = _detect(raw)
    return codec, to_unicode(raw, codec)
