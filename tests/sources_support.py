"""Fixtures for the 'sources that fight back' tests: hand-made PDFs, a fake web archive (the
Wayback availability API and its raw snapshots) and a fake SearxNG, all on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.config import Config, parse_config
from bot.netguard import AddressPolicy, IPAddress

# --- PDFs -----------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(
    pages: list[list[str]],
    *,
    title: str | None = None,
    author: str | None = None,
    compress: bool = True,
) -> bytes:
    """A valid PDF with one line of Helvetica text per list item, one list per page.

    Written by hand (objects, cross-reference table, trailer) so tests need no PDF writer.
    """
    objects: list[bytes] = []  # object n is objects[n - 1]
    font = 3
    first_page = 4
    kids = []
    for i, lines in enumerate(pages):
        page_id = first_page + 2 * i
        kids.append(f"{page_id} 0 R".encode())
        ops = [b"BT /F1 11 Tf 14 TL 72 760 Td"]
        for line in lines:
            ops.append(_pdf_string(line) + b" Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects_for_page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_id + 1} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>"
        ).encode()
        if compress:
            body = zlib.compress(stream)
            content = (
                f"<< /Length {len(body)} /Filter /FlateDecode >>\nstream\n".encode()
                + body
                + b"\nendstream"
            )
        else:
            content = f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
        objects.append(objects_for_page)
        objects.append(content)
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(k.decode() for k in kids)}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    objects = head + objects
    info_id = None
    if title or author:
        parts = []
        if title:
            parts.append(b"/Title " + _pdf_string(title))
        if author:
            parts.append(b"/Author " + _pdf_string(author))
        objects.append(b"<< " + b" ".join(parts) + b" >>")
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R"
    if info_id:
        trailer += f" /Info {info_id} 0 R"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def scanned_pdf() -> bytes:
    """A PDF whose pages hold no text (as a scan without OCR would)."""
    return make_pdf([[], []])


# --- config ---------------------------------------------------------------------------------------


def sources_config(tmp_path: Any, **sections: dict[str, Any]) -> Config:
    data: dict[str, Any] = {
        "fetch": {"allow_private_networks": True, "retries": 0, "total_timeout": 5},
        "database": {"path": str(tmp_path / "verbatim.db")},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return parse_config(data)


# --- a fake web archive ---------------------------------------------------------------------------


@dataclass
class FakeArchive:
    """The Wayback availability API and raw (``id_``) snapshots, from an in-memory table."""

    # original url -> list of (timestamp, body, content type)
    snapshots: dict[str, list[tuple[str, bytes, str]]] = field(default_factory=dict)
    asked: list[dict[str, str]] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    broken_api: bool = False
    base: str = ""  # set once the server runs: http://127.0.0.1:PORT

    def add(
        self, url: str, timestamp: str, body: str | bytes, content_type: str = "text/html"
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.snapshots.setdefault(url, []).append((timestamp, data, content_type))

    def config(self) -> dict[str, Any]:
        return {
            "enabled": True,
            "availability_url": f"{self.base}/wayback/available",
            "snapshot_base": f"{self.base}/web",
        }

    def app(self) -> web.Application:
        async def available(request: web.Request) -> web.Response:
            self.asked.append(dict(request.query))
            if self.broken_api:
                return web.Response(status=503, text="down for maintenance")
            url = request.query.get("url", "")
            want = request.query.get("timestamp", "99999999999999")
            found = self.snapshots.get(url, [])
            if not found:
                return web.json_response({"url": url, "archived_snapshots": {}})
            ts, _, _ = min(found, key=lambda s: abs(int(s[0]) - int(want.ljust(14, "0"))))
            closest = {
                "status": "200",
                "available": True,
                "url": f"http://web.archive.org/web/{ts}/{url}",
                "timestamp": ts,
            }
            return web.json_response({"url": url, "archived_snapshots": {"closest": closest}})

        async def snapshot(request: web.Request) -> web.Response:
            tail = request.match_info["tail"]
            stamp, _, original = tail.partition("/")
            if request.query_string:
                original += "?" + request.query_string
            self.served.append(tail)
            ts = stamp.removesuffix("id_")
            for when, body, content_type in self.snapshots.get(original, []):
                if when == ts:
                    return web.Response(body=body, content_type=content_type)
            return web.Response(status=404, text="not in the archive")

        app = web.Application()
        app.router.add_get("/wayback/available", available)
        app.router.add_get("/web/{tail:.*}", snapshot)
        return app


# --- a fake SearxNG -------------------------------------------------------------------------------


@dataclass
class FakeSearx:
    results: list[str] = field(default_factory=list)
    queries: list[dict[str, str]] = field(default_factory=list)
    json_allowed: bool = True

    def app(self) -> web.Application:
        async def search(request: web.Request) -> web.Response:
            self.queries.append(dict(request.query))
            if not self.json_allowed or request.query.get("format") != "json":
                return web.Response(status=403, text="Forbidden")
            body = {
                "query": request.query.get("q", ""),
                "results": [{"url": u, "title": "t", "content": "c"} for u in self.results],
            }
            return web.Response(text=json.dumps(body), content_type="application/json")

        app = web.Application()
        app.router.add_get("/search", search)
        return app


class LoopbackIsPublic(AddressPolicy):
    """Treats 127.0.0.1 as a public site, so redirects from it to private addresses can be tested."""

    def __init__(self) -> None:
        super().__init__(allow_private=False)

    def reason(self, ip: IPAddress) -> str | None:
        return None if ip == ipaddress.ip_address("127.0.0.1") else super().reason(ip)


def replace_config(config: Config, section: str, **changes: Any) -> Config:
    return dataclasses.replace(
        config, **{section: dataclasses.replace(getattr(config, section), **changes)}
    )
