"""Content-encoding (gzip, deflate, brotli) undone incrementally under a size cap, so a
compression bomb stops at the cap instead of filling memory."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import Protocol

import brotli


class TooLarge(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class UnknownCoding(Exception):
    pass


class _Decoder(Protocol):
    """Incremental content decoder that never returns more than ``room`` bytes."""

    def feed(self, data: bytes, room: int) -> bytes: ...

    def flush(self, room: int) -> bytes: ...


_UNPACKS_TOO_LARGE = "it unpacks to more than"


class _Identity:
    def feed(self, data: bytes, room: int) -> bytes:
        return data

    def flush(self, room: int) -> bytes:
        return b""


def _looks_zlib(head: bytes) -> bool:
    return head[0] & 0x0F == 8 and ((head[0] << 8) | head[1]) % 31 == 0


class _Zlib:
    """gzip, or "deflate" (zlib-wrapped as the RFC says, or raw as some servers send it)."""

    def __init__(self, wbits: int | None) -> None:
        self._z = zlib.decompressobj(wbits) if wbits is not None else None
        self._head = b""

    def feed(self, data: bytes, room: int) -> bytes:
        if self._z is None:
            self._head += data
            if len(self._head) < 2:
                return b""
            data, self._head = self._head, b""
            self._z = zlib.decompressobj(zlib.MAX_WBITS if _looks_zlib(data) else -zlib.MAX_WBITS)
        out = bytearray()
        while data and not self._z.eof:
            out += self._z.decompress(data, room - len(out) + 1)
            if len(out) > room:
                raise TooLarge(_UNPACKS_TOO_LARGE)
            data = self._z.unconsumed_tail
        return bytes(out)

    def flush(self, room: int) -> bytes:
        if self._z is None:
            if not self._head:
                return b""
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.feed(self._head, room)
        out = self._z.flush()
        if len(out) > room:
            raise TooLarge(_UNPACKS_TOO_LARGE)
        return out


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        out = bytearray(self._d.process(data, output_buffer_limit=room + 1))
        while len(out) <= room and not self._d.can_accept_more_data():
            more = self._d.process(b"", output_buffer_limit=room - len(out) + 1)
            if not more:
                break
            out += more
        if len(out) > room:
            raise TooLarge(_UNPACKS_TOO_LARGE)
        return bytes(out)

    def flush(self, room: int) -> bytes:
        return self.feed(b"", room)


class _Chain:
    """Stacked codings (``Content-Encoding: gzip, br``), undone last-applied first."""

    def __init__(self, decoders: list[_Decoder]) -> None:
        self._decoders = decoders

    def feed(self, data: bytes, room: int) -> bytes:
        for decoder in self._decoders:
            data = decoder.feed(data, room)
        return data

    def flush(self, room: int) -> bytes:
        out = b""
        for decoder in self._decoders:
            out = decoder.feed(out, room) + decoder.flush(room)
        return out


def _one_decoder(coding: str) -> _Decoder:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Zlib(None)
    if coding == "br":
        return _Brotli()
    raise UnknownCoding(coding)


def make_decoder(header: str) -> _Decoder:
    codings = [c.strip().lower() for c in header.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) > 3:
        raise UnknownCoding(header)
    decoders = [_one_decoder(c) for c in reversed(codings)]
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)


CHUNK = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate, br"


async def read_capped(chunks: AsyncIterator[bytes], decoder: _Decoder, cap: int) -> bytes:
    """The decoded body; raises TooLarge as soon as the wire or decoded size passes ``cap``."""
    out = bytearray()
    wire = 0
    async for chunk in chunks:
        wire += len(chunk)
        if wire > cap:
            raise TooLarge("it is more than")
        out += decoder.feed(chunk, cap - len(out))
        if len(out) > cap:
            raise TooLarge("it is more than")
    out += decoder.flush(cap - len(out))
    return bytes(out)
