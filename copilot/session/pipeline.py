"""One pipeline for every source: transcript, recording, device or websocket stream.

Audio chunks go through the acoustic monitor and one ASR session per channel; final utterances (or a
transcript's turns) go to the :class:`~copilot.analysis.CallAnalyzer`; every event goes, in order, to the
sinks (event log, store, TUI, websocket subscribers). A failing sink or stage becomes an ``error`` event and
the call goes on; the store writer commits each utterance and flag as it happens, so a crash loses nothing
already recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from asr.pacing import Pacer
from copilot.analysis import CallAnalyzer
from copilot.analysis.rules import Rules, load_rules
from copilot.errors import CopilotError
from copilot.events import (
    Acoustic,
    AcousticEvent,
    AudioChunk,
    CallEnded,
    ErrorEvent,
    Event,
    FlagRaised,
    LevelEvent,
    RecordUpdated,
    Suggestion,
    Utterance,
    UtteranceEvent,
)
from copilot.session.heard import agent_final, agent_finals
from copilot.standard import SILENT_STEP_S
from copilot.transcript import Transcript

log = logging.getLogger(__name__)
Sink = Callable[[Event], None]

# SILENT_STEP_S (copilot.standard): the k-th report of the caller's silence suggests the silent-call script's step k.
LEVEL_EVERY_S = 1.0
"""Seconds of a channel's audio between two ``level`` events (the live screen's meter)."""


@dataclass(frozen=True)
class StoreSink:
    """Commits final utterances, flags and the record to the store as they happen."""

    writer: Any  # copilot.store.CallWriter

    def __call__(self, ev: Event) -> None:
        if isinstance(ev, UtteranceEvent) and ev.final:
            self.writer.add_utterance(ev.turn, ev.speaker, ev.start, ev.end, ev.text, ev.confidence, ev.words)
        elif isinstance(ev, FlagRaised):
            self.writer.add_flag(ev.flag)
        elif isinstance(ev, RecordUpdated):
            self.writer.update_record(ev.record)


class CallPipeline:
    def __init__(self, call_id: str, *, rules: Rules | None = None, ring_seconds: float | None = None,
                 started_at: str | None = None, sinks: Iterable[Sink] = (), recognizer: Any = None,
                 monitor: Any = None, writer: Any = None, session_opts: dict[str, Any] | None = None) -> None:
        self.rules = rules or load_rules()
        self.call_id = call_id
        self.analyzer = CallAnalyzer(call_id, rules=self.rules, ring_seconds=ring_seconds, started_at=started_at)
        self.sinks: list[Sink] = list(sinks)
        self.writer = writer
        if writer is not None:
            self.sinks.append(StoreSink(writer))
        self.recognizer = recognizer
        self.sessions: dict[str, Any] = {}
        self.session_opts = dict(session_opts or {})
        """Per-session engine overrides (e.g. ``partial_interval=0`` when nobody watches partials)."""
        self.monitor = monitor
        self._level_due = {"agent": LEVEL_EVERY_S, "caller": LEVEL_EVERY_S}
        self.events: list[Event] = []
        self.ended = False
        self._low_volume = 0
        """How often the caller was too quiet (the second time, the A.3 script's second step)."""
        from copilot.analysis.closing import ClosingWatcher

        self.closing = ClosingWatcher(getattr(c, "text", "") for c in getattr(self.rules.pb, "closings", ()))
        """Suggests the closing when the caller signals the end (a ``suggestion`` event like the others)."""

    # ------------------------------------------------------------------ plumbing
    def emit(self, events: Iterable[Event]) -> list[Event]:
        out = []
        for ev in events:
            out.append(ev)
            self.events.append(ev)
            for sink in self.sinks:
                try:
                    sink(ev)
                except Exception as exc:  # a sink must never end the call
                    log.exception("sink failed on %s", ev.type)
                    err = ErrorEvent(t=ev.t, message=str(exc), where=getattr(sink, "__name__", type(sink).__name__))
                    self.events.append(err)
                    out.append(err)
                    for other in self.sinks:
                        if other is not sink:
                            try:
                                other(err)
                            except Exception:  # noqa: BLE001 - already reporting a failure
                                log.exception("sink failed while reporting an error")
        return out

    def start(self, source: str = "transcript") -> list[Event]:
        return self.emit(self.analyzer.start(source=source))

    def utterance(self, utt: Utterance) -> list[Event]:
        """A final utterance (from ASR or a transcript) or a partial one (display only)."""
        if not utt.final:
            return self.emit([UtteranceEvent(t=utt.end, speaker=utt.speaker, final=False, start=utt.start,
                                             end=utt.end, text=utt.text, turn=None, confidence=utt.confidence,
                                             stable=utt.stable)])
        if not utt.text.strip():
            return []
        try:
            evs = self.analyzer.add_turn(utt.speaker, utt.start, utt.end, utt.text, confidence=utt.confidence,
                                         words=utt.words)
        except CopilotError as exc:
            return self.emit([ErrorEvent(t=utt.end, message=str(exc), where="analysis")])
        closing = self.closing.utterance(utt.speaker, utt.text, utt.end)
        return self.emit(evs + ([closing] if closing is not None else []))

    # ------------------------------------------------------------------ audio
    def audio(self, chunk: AudioChunk) -> list[Event]:
        out: list[Event] = []
        if self.monitor is not None:
            for a in self.monitor.feed(chunk):
                out += self.acoustic(a)
            end = chunk.start + chunk.seconds
            if chunk.speaker in self._level_due and end >= self._level_due[chunk.speaker]:
                self._level_due[chunk.speaker] = end + LEVEL_EVERY_S
                channel = self.monitor.agent if chunk.speaker == "agent" else self.monitor.caller
                level = channel.speech_db
                out += self.emit([LevelEvent(t=round(end, 3), speaker=chunk.speaker,
                                             level_db=None if level is None else round(level, 1))])
        if self.recognizer is not None:
            session = self.sessions.get(chunk.speaker)
            if session is None:
                session = self.sessions[chunk.speaker] = self.recognizer.open_session(chunk.speaker,
                                                                                     **self.session_opts)
            try:
                utts = session.accept(chunk.pcm)
            except Exception as exc:  # an engine failure is reported, the call goes on
                log.exception("ASR failed")
                return out + self.emit([ErrorEvent(t=chunk.start, message=str(exc), where=f"asr:{chunk.speaker}")])
            for u in utts:
                out += self.utterance(self._heard(u))
        return out

    def _heard(self, utt: Utterance) -> Utterance:
        """A recognised agent final with its set lines written as said (``copilot.session.heard``)."""
        return agent_final(utt, self.rules.pb)

    def acoustic(self, a: AcousticEvent) -> list[Event]:
        evs: list[Event] = [Acoustic(t=a.t, speaker=a.speaker, kind=a.kind, seconds=a.seconds, level_db=a.level_db)]
        r = self.rules
        if a.kind == "silence" and a.speaker == "caller":
            text = silent_step_text(r, a.seconds)
            if text:
                evs.append(Suggestion(t=a.t, kind="script", text=text, reason=f"来电人无声 {a.seconds:.0f} 秒"))
        elif a.kind == "low_volume":
            # A.3: first 「…声音大一点，好吗？」; still too quiet after it → 「…请您换一部电话打来，好吗？」
            self._low_volume += 1
            repeat = self._low_volume > 1 and r.script_text("low_volume_repeat")
            evs.append(Suggestion(t=a.t, kind="script",
                                  text=r.script_text("low_volume_repeat") if repeat else r.script_text("low_volume"),
                                  reason="提醒后来电人声音仍太小" if repeat else "来电人声音太小"))
        elif a.kind == "noise":
            evs.append(Suggestion(t=a.t, kind="script", text=r.script_text("noise"), reason="电话杂音太大"))
        return self.emit(evs)

    def finish(self, *, reason: str = "eof", complete: bool = True) -> list[Event]:
        if self.ended:
            return []
        out: list[Event] = []
        if self.monitor is not None:
            for a in self.monitor.finish():
                out += self.acoustic(a)
        flushed: list[Utterance] = []
        for speaker, session in list(self.sessions.items()):
            try:
                flushed.extend(session.finish())
            except Exception as exc:
                log.exception("ASR finish failed")
                out += self.emit([ErrorEvent(t=0.0, message=str(exc), where=f"asr:{speaker}")])
        # what each channel still held (all of it for an offline session), in the order it was said
        for u in agent_finals(sorted(flushed, key=lambda u: (u.start, u.end)), self.rules.pb):
            out += self.utterance(u)
        self.ended = True
        evs = self.analyzer.finish(reason=reason, complete=complete)
        out += self.emit(evs)
        if self.writer is not None:
            try:
                self.writer.end(reason=reason, complete=complete, result=self.result())
            except CopilotError as exc:
                out += self.emit([ErrorEvent(t=evs[-1].t if evs else 0.0, message=str(exc), where="store")])
        return out

    def result(self) -> dict[str, Any]:
        r = self.analyzer.result()
        ended = next((e for e in reversed(self.events) if isinstance(e, CallEnded)), None)
        r["complete"] = ended.complete if ended else False
        return r


def silent_step_text(rules: Rules, seconds: float) -> str:
    """The silent-call script's step due after ``seconds`` of the caller's silence ("" when none is due)."""
    scripts = rules.scripts.get("silent_call") or []
    if not scripts:
        return ""
    steps = tuple(getattr(scripts[0], "steps", ()) or ()) or (getattr(scripts[0], "text", ""),)
    k = int(round(seconds / SILENT_STEP_S))
    if len(steps) == 1:
        return steps[0] if k >= 2 else ""
    return steps[k] if 1 <= k < len(steps) else ""


# ---------------------------------------------------------------------- drivers
def run_transcript(tr: Transcript, pipeline: CallPipeline, *, pace: str = "whole", speed: float = 10.0,
                   ) -> Iterator[Event]:
    """Replay a transcript's turns as final utterances at the given pace; yields events as they happen."""
    pacer = Pacer(pace, speed if pace == "fast" else None, where="run_transcript")
    yield from pipeline.start(source="transcript")
    for turn in tr.turns:
        pacer.wait(turn.end)
        yield from pipeline.utterance(Utterance(turn.speaker, turn.text, turn.start, turn.end, final=True,
                                                words=turn.words,
                                                confidence=1.0 if turn.confidence is None else turn.confidence))
    yield from pipeline.finish(reason="eof", complete=True)


def run_audio(chunks: Iterable[AudioChunk], pipeline: CallPipeline, *, source: str = "file") -> Iterator[Event]:
    """Feed audio chunks (already paced by their source) through monitor and ASR; yields events."""
    yield from pipeline.start(source=source)
    reason, complete = "eof", True
    try:
        for chunk in chunks:
            yield from pipeline.audio(chunk)
    except CopilotError as exc:
        reason, complete = "error", False
        yield from pipeline.emit([ErrorEvent(t=0.0, message=str(exc), where=source)])
    except Exception as exc:  # the source failed (device gone, corrupt stream): keep what we have
        log.exception("audio source failed")
        reason, complete = "disconnect", False
        yield from pipeline.emit([ErrorEvent(t=0.0, message=f"{type(exc).__name__}: {exc}", where=source)])
    yield from pipeline.finish(reason=reason, complete=complete)
