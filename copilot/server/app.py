"""The call-centre server: many calls at once over websockets, one shared ASR model, one shared store.

Routes (all need ``Authorization: Bearer TOKEN``, except ``/health``):

| path | kind | roles |
|---|---|---|
| ``/calls/{id}/audio`` | websocket: ingest one call (:mod:`copilot.server.ingest`) | telephony, agent |
| ``/calls/{id}/events`` | websocket: the call's events so far, then live, ending with ``call_ended`` | agent, inspector, supervisor |
| ``/calls`` | HTTP GET (or websocket, one message): active and recently ended calls, redacted | supervisor |
| ``/calls/{id}`` | HTTP GET: the stored call (export), redacted | inspector, supervisor |
| ``/asr`` | websocket: the vosk-server protocol, mono (:mod:`copilot.server.vosk_protocol`) | telephony, agent |
| ``/health`` | HTTP GET: ``ok`` | — |

Tokens are checked in the handshake (HTTP 401/403); confidential calls again while they run (close 4403).
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
import socket
import ssl
import time
from contextlib import suppress
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from copilot.events import CallEnded
from copilot.server.auth import allowed, bearer, parse_route, role_of
from copilot.server.config import OPEN_TIMEOUT_S, ServerConfig, ServerError
from copilot.server.hub import CallHub
from copilot.server.ingest import IngestSession, StreamConfig
from copilot.server.redact import redact
from copilot.server.vosk_protocol import VoskProtocolSession

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 5.0
"""Seconds a peer has to answer a close frame before the TCP connection is dropped."""


def load_recognizer(engine: str, vosk_model: str | None = None) -> Any:
    """The one shared recognizer of this process (Vosk with an explicit model folder, else the default)."""
    if engine == "vosk" and vosk_model:
        return _vosk(vosk_model)
    from copilot.recording import shared_recognizer

    return shared_recognizer(engine)


_VOSK: dict[str, Any] = {}


def _vosk(path: str) -> Any:
    if path not in _VOSK:
        from asr.vosk_engine import VoskRecognizer

        _VOSK[path] = VoskRecognizer(path)
    return _VOSK[path]


def _json_response(status: int, body: Any) -> Response:
    data = json.dumps(body, ensure_ascii=False, default=str).encode()
    headers = Headers([("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data))),
                       ("Connection", "close")])
    return Response(status, http.HTTPStatus(status).phrase, headers, data)


_WITHHELD = ("call_id", "active", "started_at", "source", "seconds", "service_type", "confidential", "subscribers",
             "end_reason", "complete", "frames", "bytes")


def _withheld(summary: dict[str, Any]) -> dict[str, Any]:
    """A listing entry of a confidential call without its content (record, flags)."""
    return {k: v for k, v in summary.items() if k in _WITHHELD} | {"withheld": True}


class CopilotServer:
    """Build with a config (and optionally an already loaded recognizer); ``async with`` runs it."""

    def __init__(self, config: ServerConfig, *, recognizer: Any = None, db: Any = None) -> None:
        self.config = config.check()
        self.recognizer = recognizer
        self.db = db
        self.rules = None
        lim = config.limits
        self.hub = CallHub(subscriber_queue=lim.subscriber_queue, recent=lim.recent_calls,
                           confidential_types=config.confidential_types, confidential_roles=config.confidential_roles)
        self.counters: dict[str, int] = {"calls": 0, "backpressure_waits": 0, "refused": 0}
        self._roles: dict[ServerConnection, str | None] = {}
        self._server: Server | None = None
        self.started = time.time()

    # ------------------------------------------------------------------ lifecycle
    def prepare(self) -> None:
        """Load the model, the phrasebook and the store (blocking; before serving)."""
        from copilot.analysis.rules import load_rules
        from copilot.db import make_engine

        if self.recognizer is None:
            self.recognizer = load_recognizer(self.config.engine, self.config.vosk_model)
        if self.db is None:
            self.db = make_engine(self.config.db)
        self.rules = load_rules()
        from copilot.server.recordings import purge

        purge(self.config.audio_dir, self.config.audio_retention_days)

    def open_recorder(self, call_id: str, cfg: StreamConfig):
        """The call's audio recorder when ``--store-audio`` is on, else None."""
        from copilot.server.recordings import open_recorder, purge

        if self.config.audio_dir and time.time() - getattr(self, "_purged", 0.0) > 86400:
            self._purged = time.time()
            purge(self.config.audio_dir, self.config.audio_retention_days)
        return open_recorder(self.config.audio_dir, call_id, cfg)

    def _ssl(self) -> ssl.SSLContext | None:
        if not self.config.certfile:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(self.config.certfile, self.config.keyfile)
        except (OSError, ssl.SSLError) as exc:
            raise ServerError(f"cannot load TLS certificate: {exc}", where=self.config.certfile) from exc
        return ctx

    async def start(self) -> CopilotServer:
        await asyncio.to_thread(self.prepare)
        cfg = self.config
        if not cfg.loopback:
            log.warning("listening on %s, not loopback%s", cfg.host, "" if cfg.certfile else " and without TLS")
        lim = cfg.limits
        try:
            self._server = await serve(
                self._handle, cfg.host, cfg.port, process_request=self._process_request, compression=None,
                max_size=lim.max_frame_bytes, write_limit=lim.write_limit, close_timeout=CLOSE_TIMEOUT,
                open_timeout=OPEN_TIMEOUT_S,
                ping_interval=None,  # backpressure stops reading an ingest socket, which would starve pongs
                ssl=self._ssl(), server_header="copilot-12368")
        except OSError as exc:
            raise ServerError(f"cannot listen: {exc.strerror or exc}", where=f"{cfg.host}:{cfg.port}") from exc
        log.info("serving on %s", self.url)
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            return self.config.port
        return self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        scheme = "wss" if self.config.certfile else "ws"
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        return f"{scheme}://{host}:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        await self._server.serve_forever()

    async def __aenter__(self) -> CopilotServer:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # ------------------------------------------------------------------ pipeline
    def make_pipeline(self, call_id: str, cfg: StreamConfig):
        """A call's pipeline with the shared recognizer, its own monitor and a store writer (worker thread)."""
        from asr.monitor import CallMonitor
        from copilot.pipeline import CallPipeline
        from copilot.store import CallWriter

        writer = CallWriter(self.db, call_id, started_at=cfg.started_at, source="websocket")
        return CallPipeline(call_id, rules=self.rules, recognizer=self.recognizer, monitor=CallMonitor(),
                            writer=writer, ring_seconds=cfg.ring_seconds, started_at=cfg.started_at)

    def listing(self, role: str | None = None) -> dict[str, Any]:
        """Active and recent calls; a confidential call's content is withheld from roles not cleared for it."""
        body = self.hub.listing()
        if role is not None and role not in self.config.confidential_roles:
            for key in ("active", "recent"):
                body[key] = [_withheld(c) if c["confidential"] else c for c in body[key]]
        body["server"] = {"engine": getattr(self.recognizer, "name", self.config.engine),
                          "cpu_seconds": round(time.process_time(), 3), "uptime": round(time.time() - self.started, 1),
                          **self.counters, **self.hub.counters}
        return redact(body) if self.config.redact else body

    def export(self, call_id: str, role: str | None = None) -> dict[str, Any] | None:
        """The stored call (redacted by default); raises PermissionError for a confidential call and a role
        not cleared for it."""
        from copilot.store import load_call

        data = load_call(self.db, call_id)
        if data is None:
            return None
        if role is not None and role not in self.config.confidential_roles and self._confidential(data["call"]):
            raise PermissionError(f"confidential call (complaint): role {role} may not see it")
        return redact(data) if self.config.redact else data

    def _confidential(self, call: dict[str, Any]) -> bool:
        kinds = {call.get("service_type")}
        with suppress(ValueError, TypeError):
            kinds |= set(json.loads(call.get("service_types") or "[]"))
        return bool(kinds & set(self.config.confidential_types))

    # ------------------------------------------------------------------ HTTP stage
    async def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        route = parse_route(request.path)
        if route is None:
            return _json_response(404, {"error": f"no such path {request.path.split('?')[0]}"})
        if route.kind == "health":
            return _json_response(200, {"status": "ok"})
        role = role_of(self.config.tokens, bearer(request.headers.get("Authorization")))
        if role is None:
            self.counters["refused"] += 1
            resp = _json_response(401, {"error": "missing or unknown bearer token"})
            resp.headers["WWW-Authenticate"] = 'Bearer realm="copilot"'
            return resp
        if not allowed(route, role):
            self.counters["refused"] += 1
            return _json_response(403, {"error": f"role {role} may not use {route.kind}"})
        is_ws = "websocket" in request.headers.get("Upgrade", "").lower()
        if route.kind == "calls" and not is_ws:
            return _json_response(200, self.listing(role))
        if route.kind == "export":
            try:
                data = await asyncio.to_thread(self.export, route.call_id, role)
            except PermissionError as exc:
                self.counters["refused"] += 1
                return _json_response(403, {"error": str(exc)})
            if data is None:
                return _json_response(404, {"error": f"no stored call {route.call_id}"})
            return _json_response(200, data)
        if not is_ws:
            return _json_response(426, {"error": "this path needs a websocket"})
        self._roles[conn] = role
        return None

    # ------------------------------------------------------------------ websocket stage
    async def _handle(self, ws: ServerConnection) -> None:
        route = parse_route(ws.request.path)
        role = self._roles.pop(ws, None)
        if route is None or role is None:  # cannot happen after _process_request; refuse anyway
            await ws.close(1008, "not authorised")
            return
        if route.kind == "audio":
            await IngestSession(self, ws, route.call_id).run()
        elif route.kind == "events":
            await self._events(ws, route.call_id, role)
        elif route.kind == "asr":
            await VoskProtocolSession(ws, self.recognizer).run()
        elif route.kind == "calls":
            with suppress(ConnectionClosed):
                await ws.send(json.dumps(self.listing(role), ensure_ascii=False, default=str))
                await ws.close(1000, "listing sent")

    async def _events(self, ws: ServerConnection, call_id: str, role: str) -> None:
        self._bound_send_buffer(ws)
        sub, history = self.hub.subscribe(call_id, role)
        try:
            if sub.closed is not None:
                await ws.close(*sub.closed)
                return
            for ev in history:
                if not await self._send_or_cut(ws, sub, ev):
                    return
            if history and isinstance(history[-1], CallEnded):
                await ws.close(1000, "call ended")
                return
            closed = asyncio.ensure_future(ws.wait_closed())
            try:
                while True:
                    get = asyncio.ensure_future(sub.queue.get())
                    wake = asyncio.ensure_future(sub.wake.wait())
                    await asyncio.wait({get, wake, closed}, return_when=asyncio.FIRST_COMPLETED)
                    wake.cancel()
                    if not get.done():
                        get.cancel()
                        if sub.closed is not None:
                            await ws.close(*sub.closed)
                        return
                    ev = get.result()
                    if not await self._send_or_cut(ws, sub, ev):
                        return
                    if isinstance(ev, CallEnded):
                        await ws.close(1000, "call ended")
                        return
            finally:
                closed.cancel()
        except ConnectionClosed:
            return
        finally:
            self.hub.unsubscribe(call_id, sub)

    def _bound_send_buffer(self, ws: ServerConnection) -> None:
        """Keep the kernel's send buffer of a subscriber small (about ``write_limit``), so a subscriber that
        stops reading fills its bounded queue and is cut off, instead of parking megabytes in the kernel."""
        sock = ws.transport.get_extra_info("socket")
        if sock is not None:
            with suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.config.limits.write_limit)

    async def _send_or_cut(self, ws: ServerConnection, sub, ev) -> bool:
        """Send one event unless the hub cuts the subscriber off meanwhile; False when the subscriber is gone."""
        send = asyncio.ensure_future(ws.send(json.dumps(ev.to_dict(), ensure_ascii=False)))
        wake = asyncio.ensure_future(sub.wake.wait())
        await asyncio.wait({send, wake}, return_when=asyncio.FIRST_COMPLETED)
        wake.cancel()
        if send.done():
            send.result()  # re-raises ConnectionClosed
            if sub.closed is None:
                return True
        else:
            send.cancel()
        with suppress(ConnectionClosed):
            await ws.close(*sub.closed)
        return False
