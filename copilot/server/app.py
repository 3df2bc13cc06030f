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

Tokens are checked in the handshake (HTTP 401/403, 400 for a request with two ``Authorization`` headers);
confidential calls again while they run (close 4403; the agent handling the call keeps it). Every refusal,
confidential access and cut-off is written to the audit log (:mod:`copilot.server.audit`). See docs/server.md for
the protocol: call-id reuse, time-outs, limits, storage faults.
"""

from __future__ import annotations

import asyncio
import hashlib
import http
import json
import logging
import socket
import ssl
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers, MultipleValuesError
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from copilot.events import CallEnded
from copilot.server.audit import AuditLog, peer_of
from copilot.server.auth import allowed, bearer, parse_route, role_of
from copilot.server.config import ServerConfig, ServerError
from copilot.server.hub import CLOSE_FORBIDDEN, CallHub
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
    from copilot.session.factory import shared_recognizer

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


CLOSE_IDLE = 4408
"""Close code of a subscriber idle too long (nothing to send) and of a stalled ingest."""


def fingerprint(token: str | None) -> str | None:
    """A token's identity for the hub (the handling agent), never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else None


def _data_dir() -> Path:
    import os

    from platformdirs import user_data_dir

    return Path(os.environ.get("COPILOT_DATA_DIR") or user_data_dir("copilot-12368", appauthor=False))


class CopilotServer:
    """Build with a config (and optionally an already loaded recognizer); ``async with`` runs it."""

    def __init__(self, config: ServerConfig, *, recognizer: Any = None, db: Any = None) -> None:
        self.config = config.check()
        self.recognizer = recognizer
        self.db = db
        self.rules = None
        lim = config.limits
        self.hub = CallHub(subscriber_queue=lim.subscriber_queue, recent=lim.recent_calls,
                           confidential_types=config.confidential_types, confidential_roles=config.confidential_roles,
                           audit=self._audit)
        self.counters: dict[str, int] = {"calls": 0, "backpressure_waits": 0, "refused": 0, "not_stored": 0}
        self._server: Server | None = None
        self.started = time.time()
        self.audit: AuditLog | None = None
        self.health = None
        self.spool_dir: Path | None = None
        self.unstored: list[Any] = []
        """Writers of ended calls the database did not take yet (retried every few seconds)."""
        self._retry_task: asyncio.Task | None = None

    # ------------------------------------------------------------------ lifecycle
    def prepare(self) -> None:
        """Load the model, the phrasebook and the store (blocking; before serving)."""
        from copilot.analysis.rules import load_rules
        from copilot.store.db import make_engine

        if self.recognizer is None:
            self.recognizer = load_recognizer(self.config.engine, self.config.vosk_model)
        from copilot.server.storage import StoreHealth, mark_interrupted, replay_spool, sqlite_path

        if self.db is None:
            self.db = make_engine(self.config.db)
        self.rules = load_rules()
        self.health = StoreHealth(self.db)
        db_file = sqlite_path(self.db)
        base = Path(f"{db_file}.spool") if db_file else _data_dir() / "spool"
        self.spool_dir = Path(self.config.spool_dir) if self.config.spool_dir else base
        audit = self.config.audit_log or (db_file.parent / "audit.jsonl" if db_file else _data_dir() / "audit.jsonl")
        self.audit = AuditLog(audit)
        replay_spool(self.db, self.spool_dir)
        mark_interrupted(self.db)
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
                open_timeout=lim.handshake_seconds,
                ping_interval=None,  # backpressure stops reading an ingest socket, which would starve pongs
                ssl=self._ssl(), server_header="copilot-12368")
        except OSError as exc:
            raise ServerError(f"cannot listen: {exc.strerror or exc}", where=f"{cfg.host}:{cfg.port}") from exc
        log.info("serving on %s", self.url)
        self._retry_task = asyncio.create_task(self._retry_unstored())
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
        if self._retry_task is not None:
            self._retry_task.cancel()
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

    def _audit(self, event: str, **fields: Any) -> None:
        if self.audit is not None:
            self.audit.write(event, **fields)

    async def _retry_unstored(self) -> None:
        """Write ended calls the database refused, once it takes them again."""
        from copilot.server.storage import RETRY_S

        while True:
            await asyncio.sleep(RETRY_S)
            for writer in list(self.unstored):
                if await asyncio.to_thread(writer.retry):
                    self.unstored.remove(writer)
                    log.warning("call %s: stored after the database came back", writer.call_id)

    # ------------------------------------------------------------------ pipeline
    def make_pipeline(self, call_id: str, cfg: StreamConfig):
        """A call's pipeline with the shared recognizer, its own monitor and a spooling store writer (worker
        thread): a database fault never ends the call; the call is spooled and written when the database returns.
        Built by the call factory (an ``ingest`` source: the call's worker feeds it the converted chunks)."""
        from copilot.server.storage import SpoolingWriter
        from copilot.session.factory import make_pipeline
        from copilot.session.source import SourceSpec

        writer = SpoolingWriter(self.health, call_id, spool_dir=self.spool_dir, started_at=cfg.started_at,
                                source="websocket")
        spec = SourceSpec(kind="ingest", call_id=call_id, engine="none" if self.recognizer is None else "auto",
                          ring_seconds=cfg.ring_seconds, started_at=cfg.started_at)
        return make_pipeline(spec, recognizer=self.recognizer, rules=self.rules, writer=writer)

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
        if role is not None and self.confidential(call_id, data):
            if role not in self.config.confidential_roles:
                raise PermissionError(f"confidential call (complaint): role {role} may not see it")
            self._audit("confidential_access", role=role, route="export", call_id=call_id, reason="cleared role")
        return redact(data) if self.config.redact else data

    def confidential(self, call_id: str, data: dict[str, Any] | None) -> bool:
        """Is the call confidential now? Decided from the live classification (a running call), the stored
        classification, and a classification of the stored utterances by the configured rules — never from a
        stored field alone, which is missing while a call runs, after a crash or after a failed end."""
        kinds: set[str] = set()
        state = self.hub.calls.get(call_id)
        if state is not None and state.confidential:
            return True
        if data is not None:
            call = data["call"]
            kinds.add(call.get("service_type"))
            with suppress(ValueError, TypeError):
                kinds |= set(json.loads(call.get("service_types") or "[]"))
            kinds |= self._classify(data["utterances"])
        return bool(kinds & set(self.config.confidential_types))

    def _classify(self, utterances: list[dict[str, Any]]) -> set[str]:
        from copilot.analysis.classifier import Classifier
        from copilot.analysis.turns import make_turn

        if not utterances or self.rules is None:
            return set()
        turns = [make_turn(i, u["speaker"], u["start"], u["end"], u["text"], self.rules.dialect_map)
                 for i, u in enumerate(utterances)]
        cls = Classifier(self.rules).classify(turns)
        return {cls.service_type, *cls.service_types}

    # ------------------------------------------------------------------ HTTP stage
    def _refuse(self, conn: ServerConnection, status: int, error: str, *, role: str | None = None,
                route: Any = None) -> Response:
        self.counters["refused"] += 1
        self._audit("refused", role=role, route=getattr(route, "kind", None), call_id=getattr(route, "call_id", None),
                    status=status, reason=error, peer=peer_of(conn))
        return _json_response(status, {"error": error})

    async def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        route = parse_route(request.path)
        if route is None:
            return self._refuse(conn, 404, f"no such path {request.path.split('?')[0]}"[:200])
        if route.kind == "health":
            return _json_response(200, {"status": "ok"})
        if self._server is not None and len(self._server.handler_tasks) > self.config.limits.max_connections:
            return self._refuse(conn, 503, f"too many connections (at most {self.config.limits.max_connections})",
                                route=route)
        try:
            header = request.headers.get("Authorization")
        except MultipleValuesError:
            return self._refuse(conn, 400, "more than one Authorization header", route=route)
        role = role_of(self.config.tokens, bearer(header))
        if role is None:
            resp = self._refuse(conn, 401, "missing or unknown bearer token", route=route)
            resp.headers["WWW-Authenticate"] = 'Bearer realm="copilot"'
            return resp
        if not allowed(route, role):
            return self._refuse(conn, 403, f"role {role} may not use {route.kind}", role=role, route=route)
        is_ws = "websocket" in request.headers.get("Upgrade", "").lower()
        if route.kind == "calls" and not is_ws:
            return _json_response(200, self.listing(role))
        if route.kind == "export":
            try:
                data = await asyncio.to_thread(self.export, route.call_id, role)
            except PermissionError as exc:
                return self._refuse(conn, 403, str(exc), role=role, route=route)
            except Exception as exc:  # noqa: BLE001 - a store fault is the server's, answered as such
                log.warning("export of %s failed: %s", route.call_id, exc)
                return _json_response(503, {"error": f"the store cannot be read now: {type(exc).__name__}"})
            if data is None:
                return _json_response(404, {"error": f"no stored call {route.call_id}"})
            return _json_response(200, data)
        if not is_ws:
            return self._refuse(conn, 426, "this path needs a websocket", role=role, route=route)
        return None

    # ------------------------------------------------------------------ websocket stage
    async def _handle(self, ws: ServerConnection) -> None:
        # The role is read again from the request (checked in _process_request): nothing is kept per handshake,
        # so a handshake that fails after the token check leaves nothing behind (it used to leak ~10 KB each).
        route = parse_route(ws.request.path)
        try:
            token = bearer(ws.request.headers.get("Authorization"))
        except MultipleValuesError:
            token = None
        role = role_of(self.config.tokens, token)
        if route is None or role is None or not allowed(route, role):  # cannot happen; refuse anyway
            await ws.close(1008, "not authorised")
            return
        who = fingerprint(token)
        if route.kind == "audio":
            await IngestSession(self, ws, route.call_id, handler=who if role == "agent" else None).run()
        elif route.kind == "events":
            await self._events(ws, route.call_id, role, who)
        elif route.kind == "asr":
            await VoskProtocolSession(ws, self.recognizer,
                                      idle_seconds=self.config.limits.ingest_idle_seconds).run()
        elif route.kind == "calls":
            with suppress(ConnectionClosed):
                await ws.send(json.dumps(self.listing(role), ensure_ascii=False, default=str))
                await ws.close(1000, "listing sent")

    async def _stored_replay(self, ws: ServerConnection, call_id: str, role: str) -> bool:
        """A call this server does not run or remember but the store holds (ended, or interrupted by a crash):
        send its stored events, ending with ``call_ended``; True when it did (or refused it)."""
        from copilot.server.storage import load_stored, stored_events

        data = await asyncio.to_thread(load_stored, self.db, call_id)
        if data is None or self.hub.known(call_id):
            return False
        if await asyncio.to_thread(self.confidential, call_id, data):
            if role not in self.config.confidential_roles:
                reason = self.hub.forbidden_reason(role)
                self._audit("refused", role=role, route="events", call_id=call_id, status=CLOSE_FORBIDDEN,
                            reason=reason, peer=peer_of(ws))
                await ws.close(CLOSE_FORBIDDEN, reason)
                return True
            self._audit("confidential_access", role=role, route="events", call_id=call_id, reason="stored call")
        with suppress(ConnectionClosed):
            for ev in stored_events(data):
                await ws.send(json.dumps(ev.to_dict(), ensure_ascii=False))
            await ws.close(1000, "call ended")
        return True

    async def _events(self, ws: ServerConnection, call_id: str, role: str, who: str | None = None) -> None:
        self._bound_send_buffer(ws)
        if not self.hub.known(call_id) and await self._stored_replay(ws, call_id, role):
            return
        sub, history = self.hub.subscribe(call_id, role, who)
        idle = self.config.limits.subscriber_idle_seconds
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
                    await asyncio.wait({get, wake, closed}, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
                    wake.cancel()
                    if not get.done():
                        get.cancel()
                        if sub.closed is None and not closed.done():  # nothing to send for `idle` seconds
                            reason = f"idle: no event for {idle:g} s"
                            self._audit("cut_off", role=role, route="events", call_id=call_id, status=CLOSE_IDLE,
                                        reason=reason, peer=peer_of(ws))
                            await ws.close(CLOSE_IDLE, reason)
                        elif sub.closed is not None:
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
