"""Ingest of one live call: ``/calls/{call_id}/audio``.

Wire protocol: a first text message ``{"config": {"sample_rate": 8000, "channels": 2, "agent_channel": 0}}``
(optional ``started_at``, ``ring_seconds``, ``speaker`` for mono), then binary frames of 16-bit
little-endian PCM (interleaved for two channels), then ``{"eof": 1}``. The server answers with
``{"partial": …, "speaker": …}`` and ``{"text": …, "speaker": …, "start": …, "end": …, "turn": …}``
messages and, after eof, ``{"eof": 1, "result": {analysis result}, "frames": n, "bytes": n}``.

Frames go into a bounded queue; a per-call worker thread converts them (:class:`asr.sources.ChunkConverter`)
and runs the call's pipeline (monitor, ASR, analysis, store). When the queue is full the reader waits
before reading the next frame — the socket is not read, so TCP pushes back on the sender — and the wait
is counted. Nothing is dropped. A protocol error closes the connection with code 4400 and a reason; the
call is stored with what arrived and marked incomplete, as is a call whose client disconnects.

Call ids are never reused: a stream for an id that is streaming now is refused with 4409, one for an id this
server ran or the store holds (ended, or interrupted by a crash) with 4410 — the earlier call is kept as it is.
An ingest that sends nothing for ``ingest_idle_seconds`` (a stalled, half-open connection) ends its call (reason
``timeout``, incomplete; close 4408). More than ``max_turns`` final utterances, or one longer than
``max_turn_chars``, end the call (reason ``limit``, incomplete; close 4413 with the limit in the reason).
When the database cannot be written the client gets ``{"stored": false, "reason": …}`` (and ``{"stored": true}``
once it is written after all); the final message says ``"stored"``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed

from copilot.errors import CopilotError
from copilot.events import CallEnded, ErrorEvent, Event, StoreStatus, UtteranceEvent

log = logging.getLogger(__name__)

CLOSE_BAD_REQUEST = 4400
CLOSE_CONFLICT = 4409
CLOSE_REUSED = 4410
CLOSE_IDLE = 4408
CLOSE_LIMIT = 4413
CLOSE_INTERNAL = 1011
RATES = (8000, 48000)
"""Hertz: sample rates accepted on the wire."""
CONFIG_TIMEOUT = 10.0
"""Seconds a client has to send its config message."""
SHUTDOWN_GRACE = 30.0
"""Seconds a call gets to finish (flush ASR, store) when the server shuts down under it."""
BATCH = 32
"""Frames handed to the worker thread at once when they queue up."""


class ProtocolError(CopilotError):
    """A client broke the wire protocol; the message becomes the close reason."""


class CallLimitError(CopilotError):
    """A call went past a per-call limit (turns, turn length); the message becomes the close reason."""


@dataclass(frozen=True)
class StreamConfig:
    """The client's ``config`` message."""

    sample_rate: int
    """Hertz."""
    channels: int = 2
    agent_channel: int = 0
    speaker: str = "caller"
    """Speaker of a mono stream."""
    started_at: str | None = None
    ring_seconds: float | None = None
    """Seconds the call rang before it was answered (from telephony)."""


def parse_json(message: str | bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(message)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"malformed JSON: {exc.msg if hasattr(exc, 'msg') else exc}", where=where) from exc
    if not isinstance(data, dict):
        raise ProtocolError("expected a JSON object", where=where)
    return data


def parse_config(message: str | bytes, *, mono_only: bool = False) -> StreamConfig:
    """Validate the first message; raises ProtocolError with a reason short enough for a close frame."""
    if isinstance(message, bytes):
        raise ProtocolError("binary audio before the config message", where="config")
    data = parse_json(message, "config")
    cfg = data.get("config")
    if not isinstance(cfg, dict):
        raise ProtocolError('first message must be {"config": {...}}', where="config")
    rate = cfg.get("sample_rate")
    if isinstance(rate, float) and rate.is_integer():
        rate = int(rate)
    if not isinstance(rate, int) or isinstance(rate, bool) or not RATES[0] <= rate <= RATES[1]:
        raise ProtocolError(f"sample_rate must be an integer {RATES[0]}-{RATES[1]} Hz, got {rate!r}",
                            where="config.sample_rate")
    channels = cfg.get("channels", 1 if mono_only else 2)
    if channels not in ((1,) if mono_only else (1, 2)):
        raise ProtocolError(f"channels must be {'1' if mono_only else '1 or 2'}, got {channels!r}",
                            where="config.channels")
    agent = cfg.get("agent_channel", 0)
    if agent not in (0, 1):
        raise ProtocolError(f"agent_channel must be 0 or 1, got {agent!r}", where="config.agent_channel")
    speaker = cfg.get("speaker", "caller")
    if speaker not in ("agent", "caller"):
        raise ProtocolError(f"speaker must be agent or caller, got {speaker!r}", where="config.speaker")
    ring = cfg.get("ring_seconds")
    if ring is not None and (not isinstance(ring, (int, float)) or isinstance(ring, bool) or ring < 0):
        raise ProtocolError(f"ring_seconds must be a non-negative number, got {ring!r}",
                            where="config.ring_seconds")
    started = cfg.get("started_at")
    return StreamConfig(rate, channels, agent, speaker, str(started) if started else None,
                        float(ring) if ring is not None else None)


def reply_for(ev: Event) -> dict[str, Any] | None:
    """The message an ingest client gets for a pipeline event (utterances only)."""
    if isinstance(ev, StoreStatus):
        return {"stored": ev.stored, "reason": ev.reason}
    if isinstance(ev, UtteranceEvent):
        if not ev.final:
            return {"partial": ev.text, "speaker": ev.speaker, "t": ev.t}
        return {"text": ev.text, "speaker": ev.speaker, "start": ev.start, "end": ev.end, "turn": ev.turn}
    return None


class CallWorker:
    """A call's pipeline and converter, used only from its own single worker thread."""

    def __init__(self, call_id: str, cfg: StreamConfig, make_pipeline, recorder: Any = None, *,
                 max_turns: int = 5000, max_turn_chars: int = 2000) -> None:
        from asr.sources import ChunkConverter

        self.call_id = call_id
        self.max_turns = max_turns
        self.max_turn_chars = max_turn_chars
        self.converter = ChunkConverter(cfg.sample_rate, cfg.channels, cfg.agent_channel,
                                        speaker_for_mono=cfg.speaker)
        self.pipeline = make_pipeline(call_id, cfg)
        self.recorder = recorder
        """Writes the call's audio to a file (``copilot serve --store-audio``), or None."""
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"call-{call_id}")

    @property
    def writer(self) -> Any:
        return getattr(self.pipeline, "writer", None)

    def store_events(self) -> list[Event]:
        """The store's state changes since the last call (a database fault, its end)."""
        take = getattr(self.writer, "take_notices", None)
        if take is None:
            return []
        out: list[Event] = []
        for stored, reason in take():
            if stored:
                out.append(StoreStatus(t=0.0, stored=True, reason="written to the database"))
            else:
                out.append(StoreStatus(t=0.0, stored=False,
                                       reason=f"通话未保存 call not stored: {reason}; spooled, written when the "
                                              "database returns"))
        return out

    def start(self) -> list[Event]:
        return self.pipeline.start(source="websocket") + self.store_events()

    def feed(self, frames: list[bytes]) -> list[Event]:
        out: list[Event] = []
        for frame in frames:
            if self.recorder is not None:
                self.recorder.write(frame)
            for chunk in self.converter.convert(frame):
                out += self.pipeline.audio(chunk)
        out += self.store_events()
        self._check_limits(out)
        return out

    def _check_limits(self, events: list[Event]) -> None:
        turns = len(getattr(getattr(self.pipeline, "analyzer", None), "turns", ()))
        if turns > self.max_turns:
            raise CallLimitError(f"call has more than {self.max_turns} turns", where="limits.max_turns")
        for ev in events:
            if isinstance(ev, UtteranceEvent) and ev.final and len(ev.text) > self.max_turn_chars:
                raise CallLimitError(f"turn {ev.turn} has {len(ev.text)} characters, at most {self.max_turn_chars}",
                                     where="limits.max_turn_chars")

    def finish(self, reason: str, complete: bool) -> list[Event]:
        out: list[Event] = []
        try:
            for chunk in self.converter.flush():
                out += self.pipeline.audio(chunk)
            self.converter.check_complete(f"call {self.call_id}")
        except CopilotError as exc:
            out += self.pipeline.emit([ErrorEvent(t=0.0, message=exc.message, where=exc.where)])
            complete = False
        out += self.pipeline.finish(reason=reason, complete=complete)
        out += self.store_events()
        if self.recorder is not None:
            from copilot.store import set_audio_path

            try:
                w = self.pipeline.writer  # the store's CallWriter, or the server's SpoolingWriter
                engine = getattr(w, "engine", None) or w.health.engine
                set_audio_path(engine, self.call_id, str(self.recorder.close()))
            except Exception as exc:  # noqa: BLE001 - the call's analysis is already stored
                log.error("call %s: audio path not stored: %s", self.call_id, exc)
        return out


class IngestSession:
    """Runs one ingest connection from config to the final result."""

    def __init__(self, server: Any, ws: Any, call_id: str, *, handler: str | None = None) -> None:
        self.server = server
        self.handler = handler
        self.ws = ws
        self.call_id = call_id
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=server.config.limits.audio_queue)
        self.stats = {"frames": 0, "bytes": 0, "backpressure_waits": 0, "backpressure_seconds": 0.0}
        self.worker: CallWorker | None = None

    def _stored(self) -> bool:
        """Does the store hold this call id? (A store that cannot be read: not known; the call is spooled.)"""
        from copilot.server.storage import stored_call_known

        try:
            return stored_call_known(self.server.db, self.call_id)
        except Exception as exc:  # noqa: BLE001 - a store fault must not refuse a live call
            log.warning("call %s: cannot check the store for the id (%s)", self.call_id, exc)
            return False

    async def _refuse(self, code: int, reason: str) -> None:
        from copilot.server.audit import peer_of

        self.server._audit("refused", role=None, route="audio", call_id=self.call_id, status=code, reason=reason,
                           peer=peer_of(self.ws))
        await self.ws.close(code, reason[:120])

    async def _call(self, fn, *args):
        return await self.loop.run_in_executor(self.worker.executor, fn, *args)

    async def run(self) -> None:
        try:
            first = await asyncio.wait_for(self.ws.recv(), CONFIG_TIMEOUT)
            cfg = parse_config(first)
        except TimeoutError:
            await self.ws.close(CLOSE_BAD_REQUEST, "no config message within 10 s")
            return
        except ProtocolError as exc:
            await self.ws.close(CLOSE_BAD_REQUEST, exc.message[:120])
            return
        except ConnectionClosed:
            return
        hub = self.server.hub
        stored = await asyncio.to_thread(self._stored)
        if hub.active(self.call_id):
            await self._refuse(CLOSE_CONFLICT, f"call {self.call_id} is already streaming")
            return
        if stored or hub.known(self.call_id):
            await self._refuse(CLOSE_REUSED, f"call id {self.call_id} was used already; ids are never reused")
            return
        state = hub.begin(self.call_id, self.handler)  # claimed before any await, so a second stream gets 4409
        state.stats = self.stats
        lim = self.server.config.limits
        try:
            self.worker = await asyncio.to_thread(CallWorker, self.call_id, cfg, self.server.make_pipeline,
                                                  self.server.open_recorder(self.call_id, cfg),
                                                  max_turns=lim.max_turns, max_turn_chars=lim.max_turn_chars)
        except CopilotError as exc:
            log.error("call %s cannot start: %s", self.call_id, exc)
            hub.publish(self.call_id, [ErrorEvent(t=0.0, message=exc.message, where=exc.where),
                                       CallEnded(t=0.0, call_id=self.call_id, reason="error", complete=False)])
            hub.end(self.call_id)
            await self.ws.close(CLOSE_INTERNAL, f"cannot start call: {exc.message}"[:120])
            return
        self.server.counters["calls"] += 1
        work = asyncio.create_task(self._work())
        try:
            await self._publish(await self._call(self.worker.start))
            await self.queue.put(await self._read())
            await work
        finally:
            if not work.done():  # cancelled (server shutdown): end the call with what was processed
                waiting = 0
                while not self.queue.empty():
                    self.queue.get_nowait()
                    waiting += 1
                if waiting:
                    log.warning("call %s: server shutting down, %d queued frames not processed", self.call_id, waiting)
                self.queue.put_nowait(("disconnect", False, None))
                with suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(asyncio.shield(work), SHUTDOWN_GRACE)
            self.worker.executor.shutdown(wait=False)

    async def _read(self) -> tuple[str, bool, tuple[int, str] | None]:
        """Read frames until eof, disconnect, a stall or a protocol error; returns (reason, complete, close)."""
        idle = self.server.config.limits.ingest_idle_seconds
        try:
            while True:
                try:
                    msg = await asyncio.wait_for(self.ws.recv(), idle)
                except TimeoutError:
                    reason = f"stalled: no data for {idle:g} s"
                    log.warning("call %s: %s, ending it", self.call_id, reason)
                    self.server._audit("cut_off", role=None, route="audio", call_id=self.call_id, status=CLOSE_IDLE,
                                       reason=reason)
                    return "timeout", False, (CLOSE_IDLE, reason)
                if isinstance(msg, bytes):
                    self.stats["frames"] += 1
                    self.stats["bytes"] += len(msg)
                    if self.queue.full():
                        self.stats["backpressure_waits"] += 1
                        self.server.counters["backpressure_waits"] += 1
                        t0 = time.monotonic()
                        await self.queue.put(msg)
                        self.stats["backpressure_seconds"] += time.monotonic() - t0
                    else:
                        self.queue.put_nowait(msg)
                    continue
                try:
                    data = parse_json(msg, "message")
                    if data.get("eof"):
                        return "eof", True, None
                    raise ProtocolError('expected binary audio or {"eof": 1}', where="message")
                except ProtocolError as exc:
                    return "error", False, (CLOSE_BAD_REQUEST, exc.message[:120])
        except ConnectionClosed as exc:
            sent = getattr(exc, "sent", None)
            if sent is not None and sent.code == 1009:
                log.warning("call %s: frame too big, connection closed", self.call_id)
                return "error", False, None
        log.info("call %s: client disconnected before eof", self.call_id)
        return "disconnect", False, None

    async def _work(self) -> None:
        worker = self.worker
        while True:
            item = await self.queue.get()
            frames: list[bytes] = []
            while isinstance(item, bytes):
                frames.append(item)
                if len(frames) >= BATCH or self.queue.empty():
                    item = None
                    break
                item = self.queue.get_nowait()
            if frames:
                try:
                    await self._publish(await self._call(worker.feed, frames))
                except Exception as exc:  # a broken stream ends its own call only
                    limit = isinstance(exc, CallLimitError)
                    if limit:
                        log.warning("call %s: %s", self.call_id, exc)
                        await self._publish([ErrorEvent(t=0.0, message=exc.message, where=exc.where)])
                        await self.ws.close(CLOSE_LIMIT, exc.message[:120])
                    else:
                        log.exception("call %s failed", self.call_id)
                        await self.ws.close(CLOSE_INTERNAL, f"call failed: {exc}"[:120])
                    while isinstance(item, bytes) or item is None:  # unblock the reader until it ends
                        item = await self.queue.get()
                    await self._end("limit" if limit else "error", False, None)
                    return
            if item is not None:
                await self._end(*item)
                return

    async def _end(self, reason: str, complete: bool, close: tuple[int, str] | None) -> None:
        if close is not None:
            await self.ws.close(*close)
        try:
            events = await self._call(self.worker.finish, reason, complete)
        except Exception as exc:  # noqa: BLE001 - the call still has to end for its subscribers
            log.exception("call %s: finish failed", self.call_id)
            events = [ErrorEvent(t=0.0, message=str(exc), where="finish"),
                      CallEnded(t=0.0, call_id=self.call_id, reason="error", complete=False)]
        await self._publish(events)
        self.server.hub.end(self.call_id)
        writer = self.worker.writer
        stored = bool(getattr(writer, "stored", True))
        if not stored:
            self.server.counters["not_stored"] += 1
            self.server.unstored.append(writer)
        if close is None and reason == "eof":
            final = {"eof": 1, "result": self.worker.pipeline.result(), "frames": self.stats["frames"],
                     "bytes": self.stats["bytes"], "backpressure_waits": self.stats["backpressure_waits"],
                     "stored": stored}
            try:
                await self.ws.send(json.dumps(final, ensure_ascii=False))
                await self.ws.close(1000, "call ended")
            except ConnectionClosed:
                pass

    async def _publish(self, events: list[Event]) -> None:
        self.server.hub.publish(self.call_id, events)
        for ev in events:
            msg = reply_for(ev)
            if msg is None:
                continue
            try:
                await self.ws.send(json.dumps(msg, ensure_ascii=False))
            except ConnectionClosed:
                return
