"""Event streams for the screens: every source is ONE interface, an async iterator of :class:`Event`.

What a source is and how its call is built belong to :mod:`copilot.session` (``SourceSpec``, the call factory);
this module only carries the events to the screens. Blocking sources (a transcript or recording replayed through
the pipeline, a live device) run in a thread (``copilot.session.factory.call_events``) and hand each event over an
asyncio queue (``call_soon_threadsafe``); a websocket subscription (``copilot.server.client.follow``) is natively
async. ``stop()`` ends a call early (hang-up): the pipeline is finished with reason ``hangup`` so its call-level
flags, score and ``call_ended`` still come.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from copilot.errors import CopilotError
from copilot.events import Event
from copilot.session.pacing import Pacer
from copilot.session.source import SourceSpec

log = logging.getLogger(__name__)
_END = object()


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


def open_stream(spec: SourceSpec, store: Any = None) -> ThreadStream | AsyncStream:
    """The event stream of ``spec``; ``store`` is a SQLAlchemy engine (or None: nothing is stored)."""
    if spec.kind == "connect":
        try:
            from copilot.server.client import follow  # provided by the server package
        except ImportError as exc:
            raise CopilotError(f"websocket client is not available ({exc})", where="copilot.server.client") from exc
        return AsyncStream(follow(spec.url, spec.call_id, spec.token).__aiter__())
    from copilot.session.factory import call_events

    stream = ThreadStream(lambda stop: iter(()), name=f"{spec.kind}:{spec.path or spec.device}")
    stream._produce = call_events(spec, store, on_result=lambda r: setattr(stream, "result", r))
    return stream


def list_stream(events: list[Event], interval: float = 0.0, *, ready: threading.Event | None = None) -> ThreadStream:
    """Given events, one every ``interval`` seconds (benchmarks, tests of the UI alone).

    With ``ready``, nothing is sent before ``ready`` is set (a benchmark sets it once the screen is up,
    so start-up is not timed)."""

    def produce(stop: threading.Event) -> Iterator[Event]:
        while ready is not None and not ready.wait(0.1):
            if stop.is_set():
                return
        pacer = Pacer("realtime").start()  # event i is due i × interval after the first
        for i, ev in enumerate(events):
            if stop.is_set():
                return
            pacer.wait(i * interval)
            yield ev

    return ThreadStream(produce, name="list")
