"""The one factory of a call: a :class:`~copilot.session.source.SourceSpec` and an engine in, the call's
:class:`~copilot.session.pipeline.CallPipeline` (and, for sources that produce their own chunks or turns, the
running call) out. The TUI, the CLI (``copilot analyze|transcribe|demo|live|replay|score``), batch scoring and
the server all build their pipelines here.

- :func:`make_pipeline`: the pipeline alone — the recognizer (``spec.engine``, one shared model per engine and
  process, or one given), its session options (partials; whole-channel decoding when the spec asks for it *and*
  the recognizer has the capability ``decodes_whole_channel``), the acoustic monitor for audio, the store writer.
  The server's ingest feeds it chunk by chunk.
- :func:`open_call`: the source (transcript, recording, device) and its pipeline; :meth:`Call.events` runs it at
  the spec's pace and yields every event (``stop`` hangs up: the call is finished with reason ``hangup``).
- :func:`call_events`: the same as a blocking producer ``produce(stop)``, for a thread (the TUI's streams).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from asr.engine import offline_options
from copilot.errors import CopilotError
from copilot.events import CallStarted, ErrorEvent, Event
from copilot.session.pipeline import CallPipeline, Sink, run_audio, run_transcript
from copilot.session.source import SourceSpec, call_id_of

log = logging.getLogger(__name__)

AUDIO_KINDS = ("audio", "device", "ingest")
"""Source kinds whose pipeline hears audio (monitor and recognizer); a transcript's has neither."""


def agent_opening(rules: Any) -> str:
    """What the live decoder of the agent's channel hears as earlier text before the call's first words
    (``WhisperConfig.agent_opening``): the phrasebook's standard greeting. With it Whisper base writes the
    agents' opening 您好 (not 你好) on the fixture calls. The court's names were tried too and are not
    given: Whisper base copied the list into the first final (docs/live-asr.md)."""
    return rules.greeting_text


@lru_cache(maxsize=2)
def shared_recognizer(engine: str = "auto") -> Any:
    """One loaded model per engine, shared by every call of this process."""
    from asr.engine import choose_engine, make_recognizer

    name, reason = choose_engine(engine)
    log.warning("ASR: %s (%s)", name, reason)
    # No initial prompt: measured on the fixtures FX-01/02 (file mode, beam 5), Whisper base gets CER 11.4 %
    # without one, 15.3 % with domain_prompt() and 16.5 % with the earlier case-code prompt (README).
    # No live hotwords either (live_hotwords(): the greeting and the court's names): on the fixtures CER 14.6 %
    # with them vs 14.5 % without, on the 9 Mandarin clips (16 kHz) 29.2 % vs 23.4 % (they pull unrelated speech toward
    # the hotline's words); only the court's name in an agent's opening came out better (docs/live-asr.md).
    # The agent channel's first utterance is decoded after the phrasebook's standard greeting as earlier text
    # (agent_opening, replaced by the first final): fixtures 334 → 328 errors, 你好 → 您好 in the agents'
    # openings (docs/live-asr.md, session 13).
    if name == "whisper":
        from copilot.analysis.rules import load_rules

        return make_recognizer(engine, agent_opening=agent_opening(load_rules()))
    return make_recognizer(engine)


def session_options(spec: SourceSpec, recognizer: Any) -> dict[str, Any]:
    """The options every recognizer session of the call opens with: ``partials=False`` when nobody watches
    partials, ``offline=True`` when the spec wants whole-channel decoding and the engine has the capability."""
    opts: dict[str, Any] = {} if spec.partials else {"partials": False}
    return opts | offline_options(recognizer, whole_channel=spec.whole_channel)


def make_pipeline(spec: SourceSpec, *, call_id: str | None = None, recognizer: Any = None, writer: Any = None,
                  sinks: Iterable[Sink] = (), rules: Any = None, monitor: bool = True,
                  ring_seconds: float | None = None, started_at: str | None = None) -> CallPipeline:
    """The pipeline of one call from ``spec``.

    Audio kinds get ``recognizer`` (default: the shared model of ``spec.engine``; none for engine ``none``) and,
    unless ``monitor=False``, a fresh acoustic monitor. ``call_id``, ``ring_seconds`` and ``started_at`` default to
    the spec's (a transcript passes its own)."""
    cid = call_id or spec.call_id or (call_id_of(spec.path) if spec.path else None)
    if not cid:
        raise CopilotError("a call needs an id", where=f"source {spec.kind}")
    ring = spec.ring_seconds if ring_seconds is None else ring_seconds
    started = started_at or spec.started_at
    if spec.kind not in AUDIO_KINDS:
        return CallPipeline(cid, rules=rules, ring_seconds=ring, started_at=started, sinks=sinks, writer=writer)
    from asr.monitor import CallMonitor

    if recognizer is None and spec.engine != "none":
        recognizer = shared_recognizer(spec.engine)
    opts = session_options(spec, recognizer) if recognizer is not None else {}
    return CallPipeline(cid, rules=rules, recognizer=recognizer, monitor=CallMonitor() if monitor else None,
                        sinks=sinks, writer=writer, ring_seconds=ring, started_at=started, session_opts=opts)


def store_writer(store: Any, call_id: str, started_at: str | None, source: str) -> tuple[Any, list[Event]]:
    """A :class:`copilot.store.CallWriter` on ``store`` (a SQLAlchemy engine), or none with an ``error`` event to
    show (in Chinese) when the store cannot take the call; ``(None, [])`` without a store."""
    if store is None:
        return None, []
    from copilot.store import CallWriter

    try:
        return CallWriter(store, call_id, started_at=started_at, source=source), []
    except CopilotError as exc:
        log.warning("store unavailable: %s", exc)
        return None, [ErrorEvent(t=0.0, message=f"通话记录无法写入数据库 {exc}", where="store")]


@dataclass
class Call:
    """A call ready to run: its source, its pipeline and what to do on a hang-up."""

    spec: SourceSpec
    pipeline: CallPipeline
    where: str
    """``transcript``, ``file``, ``device`` — the ``source`` of ``call_started`` and of source errors."""
    transcript: Any = None
    """The transcript of a ``transcript`` call."""
    chunks: Iterable[Any] | None = None
    """The audio chunks of an audio call (already paced by their source)."""
    pending: list[Event] = field(default_factory=list)
    """Events to show right after ``call_started`` (a store that could not take the call)."""
    close: Callable[[], None] | None = None
    """Stops the source on a hang-up (a device)."""

    @property
    def call_id(self) -> str:
        return self.pipeline.call_id

    def _run(self) -> Iterator[Event]:
        if self.transcript is not None:
            return run_transcript(self.transcript, self.pipeline, pace=self.spec.pace, speed=self.spec.speed or 10.0)
        return run_audio(self.chunks or (), self.pipeline, source=self.where)

    def events(self, stop: threading.Event | None = None) -> Iterator[Event]:
        """Run the call; every event as it happens. When ``stop`` is set the source is closed and the pipeline
        finished with reason ``hangup`` (its call-level flags, score and ``call_ended`` still come)."""
        gen = self._run()
        for ev in gen:
            yield ev
            if isinstance(ev, CallStarted) and self.pending:
                yield from self.pending
            if stop is not None and stop.is_set():
                if self.close is not None:
                    self.close()
                gen.close()
                yield from self.pipeline.finish(reason="hangup", complete=True)
                return

    def result(self) -> dict[str, Any]:
        """The call's docs/formats.md §2 result (a transcript's adds its ``agent_id`` and ``started_at``)."""
        r = self.pipeline.result()
        if self.transcript is not None:
            r |= {"agent_id": self.transcript.extra.get("agent_id"), "started_at": self.transcript.started_at}
        return r


def open_call(spec: SourceSpec, *, store: Any = None, writer: Any = None, recognizer: Any = None,
              sinks: Iterable[Sink] = (), rules: Any = None) -> Call:
    """The call of a transcript, recording or device (``ingest`` calls are fed by their owner: use
    :func:`make_pipeline`). A bad file or device fails here, before any model is loaded. ``store`` (a SQLAlchemy
    engine) gets a writer unless ``writer`` is given."""
    if spec.kind == "transcript":
        from copilot.transcript import load_transcript

        tr = load_transcript(spec.path)
        pending: list[Event] = []
        if writer is None:
            writer, pending = store_writer(store, tr.call_id, tr.started_at, str(spec.path))
        pipeline = make_pipeline(spec, call_id=tr.call_id, writer=writer, sinks=sinks, rules=rules,
                                 ring_seconds=tr.ring_seconds, started_at=tr.started_at)
        return Call(spec, pipeline, "transcript", transcript=tr, pending=pending)
    if spec.kind == "audio":
        from asr.sources import FileSource

        p = Path(spec.path or "")
        src: Any = FileSource(p, agent_channel=spec.agent_channel, speaker_for_mono=spec.speaker,
                              pace=spec.pace, speed=spec.speed if spec.pace == "fast" else None)
        src.load()  # a missing or corrupt file fails here, before the model loads
        call_id, where, close = spec.call_id or call_id_of(p), "file", None
    elif spec.kind == "device":
        from asr.devices import DeviceSource

        src = DeviceSource(spec.device, agent_channel=spec.agent_channel, backend=spec.backend)
        call_id = spec.call_id or time.strftime("LIVE-%Y%m%d-%H%M%S")
        where, close = "device", src.close
    else:
        raise CopilotError(f"a {spec.kind!r} source is not opened as a call here "
                           f"({'make_pipeline' if spec.kind == 'ingest' else 'a websocket subscription'})",
                           where="source")
    pending = []
    if writer is None:
        writer, pending = store_writer(store, call_id, None, spec.path or where)
    pipeline = make_pipeline(spec, call_id=call_id, recognizer=recognizer, writer=writer, sinks=sinks, rules=rules)
    return Call(spec, pipeline, where, chunks=src, pending=pending, close=close)


def call_events(spec: SourceSpec, store: Any = None, on_result: Callable[[dict[str, Any]], None] | None = None,
                *, recognizer: Any = None) -> Callable[[threading.Event], Iterator[Event]]:
    """The blocking producer ``produce(stop)`` of a transcript, recording or device call (run it in a thread):
    the call is opened when the producer starts. ``on_result`` gets the call's formats.md §2 result once it has
    ended."""

    def produce(stop: threading.Event) -> Iterator[Event]:
        call = open_call(spec, store=store, recognizer=recognizer)
        yield from call.events(stop)
        if on_result is not None:
            on_result(call.result())

    return produce
