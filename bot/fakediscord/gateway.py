"""The gateway websocket: HELLO, IDENTIFY/READY, RESUME/RESUMED, heartbeats, sequenced dispatches,
intent filtering and optional zlib-stream compression (what discord.py asks for by default).

Each session keeps the dispatches it was sent so a RESUME after a dropped socket replays what the
client missed, as Discord does; events dispatched while a session has no socket wait there too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

JSON = dict[str, Any]

# opcodes
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

# intents
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
GUILD_MESSAGE_TYPING = 1 << 11
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

EVENT_INTENTS: dict[str, int] = {
    "GUILD_CREATE": GUILDS,
    "GUILD_ROLE_CREATE": GUILDS,
    "CHANNEL_CREATE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "THREAD_UPDATE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_EMOJI": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_ALL": GUILD_MESSAGE_REACTIONS,
    "TYPING_START": GUILD_MESSAGE_TYPING,
}

# close codes
UNKNOWN_OPCODE = 4001
DECODE_ERROR = 4002
NOT_AUTHENTICATED = 4003
AUTHENTICATION_FAILED = 4004
ALREADY_AUTHENTICATED = 4005
DISALLOWED_INTENTS = 4014

RESUME_BUFFER = 5000


class GatewayHost(Protocol):
    """What the gateway needs from the server that owns the world."""

    def check_token(self, token: str) -> bool: ...

    def ready_payload(self, session: Session) -> JSON: ...

    def guild_create_payloads(self, session: Session) -> list[JSON]: ...

    def member_chunks(self, session: Session, request: JSON) -> list[JSON]: ...

    def record_gateway(self, op: int, data: Any) -> None: ...


@dataclass
class Session:
    session_id: str
    intents: int
    identify: JSON
    seq: int = 0
    sent: deque[JSON] = field(default_factory=lambda: deque(maxlen=RESUME_BUFFER))
    conn: Connection | None = None

    def has(self, intent: int) -> bool:
        return bool(self.intents & intent)


class Connection:
    """One websocket. Frames go out through a queue so zlib-stream chunks stay in order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.ws = ws
        self.request = request
        self.session: Session | None = None
        self.closed_by_server = False
        self._zlib = zlib.compressobj() if compress else None
        self._queue: asyncio.Queue[JSON | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_loop())

    def send(self, payload: JSON) -> None:
        self._queue.put_nowait(payload)

    async def _write_loop(self) -> None:
        while True:
            payload = await self._queue.get()
            if payload is None or self.ws.closed:
                return
            text = json.dumps(payload, separators=(",", ":"))
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int, *, abrupt: bool = False) -> None:
        """Flush what is queued (unless `abrupt`, which drops the TCP connection like a crash)."""
        self.closed_by_server = True
        self._queue.put_nowait(None)
        if abrupt:
            self._writer.cancel()
            if self.request.transport is not None:
                self.request.transport.abort()
        else:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._writer), timeout=2.0)
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.close(code=code)
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer


class Gateway:
    def __init__(
        self, host: GatewayHost, *, heartbeat_interval_ms: int, allowed_privileged: int
    ) -> None:
        self.host = host
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_privileged = allowed_privileged
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.on_identified: Callable[[Session], None] = lambda s: None
        self.on_connection_count: Callable[[int], None] = lambda n: None

    # dispatching -----------------------------------------------------------------------------
    def dispatch(
        self,
        event: str,
        data: JSON,
        *,
        transform: Callable[[Session, JSON], JSON | None] | None = None,
    ) -> None:
        """Send an event to every session whose intents cover it; `transform` may tailor or drop it."""
        need = EVENT_INTENTS.get(event)
        for session in list(self.sessions.values()):
            if need is not None and not session.has(need):
                continue
            payload = transform(session, data) if transform is not None else data
            if payload is None:
                continue
            self._send_dispatch(session, event, payload)

    def _send_dispatch(self, session: Session, event: str, data: JSON) -> None:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.conn is not None:
            session.conn.send(frame)

    def request_reconnect(self) -> None:
        for conn in list(self.connections):
            conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def kill_connections(
        self, code: int = 4000, *, abrupt: bool = False, invalidate: bool = False
    ) -> None:
        for conn in list(self.connections):
            if conn.session is not None:
                conn.session.conn = None
            await conn.close(code, abrupt=abrupt)
        if invalidate:
            self.sessions.clear()

    @property
    def connected_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.conn is not None]

    # the websocket -------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=DECODE_ERROR, message=b"only encoding=json is supported")
            return ws
        conn = Connection(ws, request, compress=request.query.get("compress") == "zlib-stream")
        self.connections.add(conn)
        self.on_connection_count(len(self.connections))
        conn.send(
            {
                "op": HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                "s": None,
                "t": None,
            }
        )
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        await conn.close(DECODE_ERROR)
                    break
                try:
                    frame = json.loads(msg.data)
                    op = frame["op"]
                except (ValueError, KeyError, TypeError):
                    await conn.close(DECODE_ERROR)
                    break
                if not await self._on_frame(conn, op, frame.get("d")):
                    break
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if not conn.closed_by_server and ws.close_code in (1000, 1001):
                    # A client closing with 1000/1001 ends its session: it cannot be resumed.
                    self.sessions.pop(session.session_id, None)
            await conn.close(1000)
            self.on_connection_count(len(self.connections))
        return ws

    async def _on_frame(self, conn: Connection, op: Any, data: Any) -> bool:
        """Handle one client frame; False ends the connection."""
        self.host.record_gateway(op, data)
        if op == HEARTBEAT:
            conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            return True
        if op == IDENTIFY:
            return await self._identify(conn, data if isinstance(data, dict) else {})
        if op == RESUME:
            return await self._resume(conn, data if isinstance(data, dict) else {})
        if conn.session is None:
            await conn.close(NOT_AUTHENTICATED)
            return False
        if op == REQUEST_GUILD_MEMBERS and isinstance(data, dict):
            for chunk in self.host.member_chunks(conn.session, data):
                self._send_dispatch(conn.session, "GUILD_MEMBERS_CHUNK", chunk)
            return True
        if op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            return True
        await conn.close(UNKNOWN_OPCODE)
        return False

    async def _identify(self, conn: Connection, data: JSON) -> bool:
        if conn.session is not None:
            await conn.close(ALREADY_AUTHENTICATED)
            return False
        if not self.host.check_token(str(data.get("token", ""))):
            await conn.close(AUTHENTICATION_FAILED)
            return False
        intents = int(data.get("intents", 0) or 0)
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged:
            await conn.close(DISALLOWED_INTENTS)
            return False
        session = Session(session_id=secrets.token_hex(16), intents=intents, identify=data)
        self.sessions[session.session_id] = session
        session.conn = conn
        conn.session = session
        self._send_dispatch(session, "READY", self.host.ready_payload(session))
        if session.has(GUILDS):
            for guild in self.host.guild_create_payloads(session):
                self._send_dispatch(session, "GUILD_CREATE", guild)
        self.on_identified(session)
        return True

    async def _resume(self, conn: Connection, data: JSON) -> bool:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        if (
            session is None
            or not self.host.check_token(str(data.get("token", "")))
            or not isinstance(seq, int)
            or seq > session.seq
            or (session.sent and seq + 1 < session.sent[0]["s"])
        ):
            conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return True
        if session.conn is not None and session.conn is not conn:
            old = session.conn
            session.conn = None
            await old.close(4000)
        session.conn = conn
        conn.session = session
        for frame in session.sent:
            if frame["s"] > seq:
                conn.send(frame)
        self._send_dispatch(session, "RESUMED", {})
        self.on_identified(session)
        return True
