"""Event sources for the screens: every source is ONE interface, an async iterator of :class:`Event`.

Blocking sources (a transcript or recording replayed through the pipeline, a live device) run in a
thread and hand each event over an asyncio queue (``call_soon_threadsafe``); a websocket subscription
(``copilot.server.client.subscribe``) is natively async. ``stop()`` ends a call early (hang-up): the
pipeline is finished with reason ``hangup`` so its call-level flags, score and ``call_ended`` still come.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot.errors import CopilotError
from copilot.events import CallStarted, ErrorEvent, Event

log = logging.getLogger(__name__)
_END = object()
AUDIO_EXT = (".wav", ".flac", ".ogg", ".mp3")


@dataclass(frozen=True)
class SourceSpec:
    """Where a call's events come from."""

    kind: str
    """``transcript``, ``audio``, ``device`` or ``connect``."""
    path: str | None = None
    pace: str = "realtime"
    """``whole``, ``fast`` or ``realtime`` (replays only)."""
    speed: float | None = None
    """Speed-up of pace ``fast`` (default 10)."""
    engine: str = "auto"
    """ASR engine for audio: ``auto``, ``vosk``, ``whisper``."""
    device: Any = None
    """Device index or name (live)."""
    url: str | None = None
    call_id: str | None = None
    token: str | None = None
    agent_channel: int = 0
    speaker: str = "caller"
    """Speaker of a mono recording."""
    ring_seconds: float | None = None
    """How long the call rang before it was answered (from telephony; audio starts at the answer)."""

    @staticmethod
    def for_path(path: str | Path, **kw: Any) -> SourceSpec:
        kind = "audio" if Path(path).suffix.lower() in AUDIO_EXT else "transcript"
        return SourceSpec(kind=kind, path=str(path), **kw)


class ThreadStream:
    """Runs ``produce(stop)`` (a blocking generator of events) in a thread; async-iterates its events."""

    def __init__(self, produce: Callable[[threading.Event], Iterator[Event]], *, name: str = "events") -> None:
        self._produce = produce
        self._name = name
        self._stop = threading.Event()
        self._queue: asyncio.Queue[Any] | None = None
        self._thread: threading.Thread | None = None
        self.last_sent = 0.0
        """perf_counter time at which the event last returned was produced (for latency benchmarks)."""
        self.result: dict[str, Any] | None = None
        """The call's formats.md §2 analysis result, once it has ended (pipeline sources)."""

    def stop(self) -> None:
        self._stop.set()

    def _run(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Any]) -> None:
        def put(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: the app has gone
                self._stop.set()

        try:
            for ev in self._produce(self._stop):
                put((ev, time.perf_counter()))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which reports it
            log.warning("event source %s failed: %s", self._name, exc)
            put(exc)
        put(_END)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._thread = threading.Thread(target=self._run, args=(asyncio.get_running_loop(), self._queue),
                                            name=self._name, daemon=True)
            self._thread.start()
        item = await self._queue.get()
        if item is _END:
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        ev, self.last_sent = item
        return ev


class AsyncStream:
    """Wraps a native async iterator of events (websocket subscription) with the same ``stop()``."""

    def __init__(self, inner: AsyncIterator[Event]) -> None:
        self._inner = inner
        self._stopped = False
        self.last_sent = 0.0

    def stop(self) -> None:
        self._stopped = True

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        if self._stopped:
            raise StopAsyncIteration
        ev = await self._inner.__anext__()
        self.last_sent = time.perf_counter()
        return ev


def call_id_of(path: Path) -> str:
    """A fixture's id (FX-02 for FX-02-info-query.flac) or the file's stem."""
    parts = path.stem.split("-")
    return f"{parts[0]}-{parts[1]}" if len(parts) >= 2 and parts[1].isdigit() else path.stem


def _writer(store: Any, call_id: str, started_at: str | None, source: str) -> tuple[Any, list[Event]]:
    if store is None:
        return None, []
    from copilot.store import CallWriter

    try:
        return CallWriter(store, call_id, started_at=started_at, source=source), []
    except CopilotError as exc:
        log.warning("store unavailable: %s", exc)
        return None, [ErrorEvent(t=0.0, message=f"通话记录无法写入数据库 {exc}", where="store")]


def _drive(gen: Iterator[Event], pipeline: Any, stop: threading.Event, pending: list[Event],
           on_stop: Callable[[], None] | None = None) -> Iterator[Event]:
    for ev in gen:
        yield ev
        if isinstance(ev, CallStarted) and pending:
            yield from pending
        if stop.is_set():
            if on_stop:
                on_stop()
            gen.close()
            yield from pipeline.finish(reason="hangup", complete=True)
            return


def pipeline_events(spec: SourceSpec, store: Any = None,
                    on_result: Callable[[dict[str, Any]], None] | None = None) -> Callable[[threading.Event], Iterator[Event]]:
    """The blocking producer of a transcript, recording or device call (run it in a thread).

    ``on_result`` gets the call's formats.md §2 result once the call has ended."""

    def produce(stop: threading.Event) -> Iterator[Event]:
        from copilot.session.pipeline import CallPipeline, run_audio, run_transcript

        if spec.kind == "transcript":
            from copilot.transcript import load_transcript

            tr = load_transcript(spec.path)
            writer, pending = _writer(store, tr.call_id, tr.started_at, str(spec.path))
            pipeline = CallPipeline(tr.call_id, ring_seconds=tr.ring_seconds, started_at=tr.started_at,
                                    writer=writer)
            speed = spec.speed or 10.0
            yield from _drive(run_transcript(tr, pipeline, pace=spec.pace, speed=speed), pipeline, stop, pending)
            if on_result is not None:
                on_result(pipeline.result() | {"agent_id": tr.extra.get("agent_id"), "started_at": tr.started_at})
            return
        from copilot.session.recording import make_audio_pipeline

        if spec.kind == "audio":
            from asr.sources import FileSource

            p = Path(spec.path or "")
            src: Any = FileSource(p, agent_channel=spec.agent_channel, speaker_for_mono=spec.speaker,
                                  pace=spec.pace, speed=spec.speed if spec.pace == "fast" else None)
            src.load()  # a missing or corrupt file fails here, before the model loads
            call_id, where, on_stop = call_id_of(p), "file", None
        elif spec.kind == "device":
            from asr.devices import DeviceSource

            src = DeviceSource(spec.device, agent_channel=spec.agent_channel)
            call_id = spec.call_id or time.strftime("LIVE-%Y%m%d-%H%M%S")
            where, on_stop = "device", src.close
        else:
            raise CopilotError(f"unknown source kind {spec.kind!r}", where="source")
        writer, pending = _writer(store, call_id, None, spec.path or where)
        pipeline = make_audio_pipeline(call_id, engine=spec.engine, writer=writer, ring_seconds=spec.ring_seconds)
        yield from _drive(run_audio(src, pipeline, source=where), pipeline, stop, pending, on_stop)
        if on_result is not None:
            on_result(pipeline.result())

    return produce


def open_stream(spec: SourceSpec, store: Any = None) -> ThreadStream | AsyncStream:
    """The event stream of ``spec``; ``store`` is a SQLAlchemy engine (or None: nothing is stored)."""
    if spec.kind == "connect":
        try:
            from copilot.server.client import follow  # provided by the server package
        except ImportError as exc:
            raise CopilotError(f"websocket client is not available ({exc})", where="copilot.server.client") from exc
        return AsyncStream(follow(spec.url, spec.call_id, spec.token).__aiter__())
    stream = ThreadStream(lambda stop: iter(()), name=f"{spec.kind}:{spec.path or spec.device}")
    stream._produce = pipeline_events(spec, store, on_result=lambda r: setattr(stream, "result", r))
    return stream


def list_stream(events: list[Event], interval: float = 0.0, *, ready: threading.Event | None = None) -> ThreadStream:
    """Given events, one every ``interval`` seconds (benchmarks, tests of the UI alone).

    With ``ready``, nothing is sent before ``ready`` is set (a benchmark sets it once the screen is up,
    so start-up is not timed)."""

    def produce(stop: threading.Event) -> Iterator[Event]:
        while ready is not None and not ready.wait(0.1):
            if stop.is_set():
                return
        t0 = time.perf_counter()
        for i, ev in enumerate(events):
            if stop.is_set():
                return
            delay = t0 + i * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            yield ev

    return ThreadStream(produce, name="list")
