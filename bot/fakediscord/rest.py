"""HTTP routing for the fake REST API: auth, body parsing (JSON or multipart with payload_json and
files[n]), Discord-shaped errors, and one BotAction logged per request."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from . import errors
from .core import BotAction, Core
from .errors import ApiError

API_PREFIX = r"/api/v{api_version:\d+}"
INVALID_JSON = 50109


class NoContent:
    """Marker result: answer 204 with no body."""


NO_CONTENT = NoContent()


@dataclass
class Ctx:
    request: web.Request
    action: BotAction
    body: Any
    files: list[tuple[str, str, bytes]] = field(default_factory=list)

    def id(self, name: str) -> int:
        raw = self.request.match_info.get(name, "")
        if not raw.isdigit():
            raise ApiError(404, errors.GENERAL_ERROR, "404: Not Found")
        return int(raw)

    def text(self, name: str) -> str:
        return self.request.match_info.get(name, "")

    def query_int(self, name: str, default: int | None = None) -> int | None:
        raw = self.request.query.get(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, errors.INVALID_FORM_BODY, "Invalid Form Body") from None

    def json_body(self) -> dict[str, Any]:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, errors.INVALID_FORM_BODY, "Invalid Form Body")
        return self.body


Handler = Callable[[Ctx], Awaitable[Any]]


def json_response(status: int, payload: Any) -> web.Response:
    # discord.py only decodes JSON when the content type is exactly "application/json".
    return web.Response(
        status=status,
        body=json.dumps(payload, separators=(",", ":")).encode(),
        headers={"Content-Type": "application/json"},
    )


async def read_body(request: web.Request) -> tuple[Any, list[tuple[str, str, bytes]]]:
    """JSON body, or multipart/form-data with `payload_json` and `files[n]` parts."""
    files: list[tuple[str, str, bytes]] = []
    if request.content_type.startswith("multipart/"):
        body: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read(decode=False)
            if name == "payload_json":
                body = _parse_json(bytes(data))
            elif part.filename is not None:
                ctype = part.headers.get("Content-Type", "application/octet-stream")
                files.append((part.filename, ctype, bytes(data)))
        return body, files
    raw = await request.read()
    if not raw:
        return None, files
    return _parse_json(raw), files


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, INVALID_JSON, "The request body contains invalid JSON.") from None


class Router:
    """Registers handlers under /api/v{n} and wraps each one with auth, errors and logging."""

    def __init__(self, core: Core, app: web.Application) -> None:
        self.core = core
        self.app = app

    def add(
        self, method: str, template: str, handler: Handler, *, auth: bool = True, api: bool = True
    ) -> None:
        path = (API_PREFIX + template) if api else template

        async def wrapped(request: web.Request) -> web.StreamResponse:
            action = BotAction(
                method=method,
                route=template,
                path=request.path,
                params=dict(request.match_info),
                query=dict(request.query),
                json=None,
            )
            action.params.pop("api_version", None)
            status: int
            payload: Any
            try:
                if auth:
                    self._check_auth(request)
                body, files = await read_body(request)
                action.json = body
                action.files = files
                result = await handler(Ctx(request, action, body, files))
                if isinstance(result, NoContent):
                    status, payload = 204, None
                elif isinstance(result, web.StreamResponse):
                    action.status = result.status
                    self.core.record(action)
                    return result
                else:
                    status, payload = 200, result
            except ApiError as exc:
                status, payload = exc.status, exc.body()
            action.status = status
            action.response = payload
            self.core.record(action)
            if status == 204:
                return web.Response(status=204)
            return json_response(status, payload)

        self.app.router.add_route(method, path, wrapped)

    def _check_auth(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bot ") or header[4:] not in self.core.tokens:
            raise ApiError(401, errors.GENERAL_ERROR, "401: Unauthorized")

    def add_fallback(self) -> None:
        """Any other path: Discord's 404, logged as kind "unimplemented" so a test can tell that
        the bot called a route this server does not serve (rather than a missing object)."""

        async def fallback(request: web.Request) -> web.StreamResponse:
            body = {"message": "404: Not Found", "code": 0}
            action = BotAction(
                method=request.method,
                route=request.path,
                path=request.path,
                params={},
                query=dict(request.query),
                json=None,
                kind="unimplemented",
                status=404,
                response=body,
            )
            self.core.record(action)
            return json_response(404, body)

        self.app.router.add_route("*", "/{tail:.*}", fallback)
