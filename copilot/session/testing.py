"""A stage test harness: scripted speech through the real call pipeline, events out, with the audio time
each event appeared at.

In the style of pipecat's frame tests (frames in, frames out of a real pipeline): a call is written as a
script of lines ``(speaker, start, end, text)``; :func:`run_script` turns it into two-channel audio
(band-limited noise at speech level where a line is spoken, line hiss elsewhere), feeds that audio in
100 ms chunks through the real :class:`~copilot.session.pipeline.CallPipeline` with the real acoustic monitor and
a :class:`ScriptedRecognizer` in place of an ASR engine, and returns every event with the position of the
audio the pipeline had consumed when the event came out. Tests can then say *when* the analysis reacts
(a flag right after the agent's first line, the silent-call script 5 s and 10 s after the greeting),
in milliseconds, with no model and no real time.

Only the speech recogniser is replaced; it implements the recogniser protocol of ``asr.engine``: each
channel's session returns its speaker's lines as finals once the audio fed to it has passed a line's end
plus ``latency`` (and a partial of the first half of the text at the line's middle).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asr.types import SAMPLE_RATE, AudioChunk, Utterance, Word
from copilot.events import Event
from copilot.session.pipeline import CallPipeline, run_audio

SPEAKERS = ("agent", "caller")


@dataclass(frozen=True)
class Line:
    """One scripted utterance: who says what, from when to when (seconds since the call was answered)."""

    speaker: str
    start: float
    end: float
    text: str

    def __post_init__(self) -> None:
        if self.speaker not in SPEAKERS:
            raise ValueError(f"speaker must be agent or caller, got {self.speaker!r}")
        if not 0.0 <= self.start < self.end:
            raise ValueError(f"a line needs 0 <= start < end, got {self.start}..{self.end}: {self.text!r}")


def as_lines(script: Iterable[Line | tuple[str, float, float, str]]) -> list[Line]:
    """Lines from ``Line`` objects or ``(speaker, start, end, text)`` tuples, in order of their end."""
    lines = [x if isinstance(x, Line) else Line(*x) for x in script]
    return sorted(lines, key=lambda x: (x.end, x.start))


class ScriptedSession:
    """One channel's recognition: the script's lines of this speaker, released as the audio clock passes."""

    def __init__(self, lines: Sequence[Line], *, start: float, latency: float, partials: bool,
                 offline: bool = False) -> None:
        self.pending = list(lines)
        self.offline = offline
        """Whole-channel decoding: nothing comes out before :meth:`finish` (as Whisper's file sessions)."""
        self.clock = start
        self.latency = latency
        self.partials = partials
        self._partial_sent: set[int] = set()

    def accept(self, pcm: bytes) -> list[Utterance]:
        self.clock += len(pcm) / 2 / SAMPLE_RATE
        out: list[Utterance] = []
        if self.offline:
            return out
        for line in list(self.pending):
            middle = (line.start + line.end) / 2
            if self.partials and id(line) not in self._partial_sent and self.clock >= middle:
                self._partial_sent.add(id(line))
                out.append(Utterance(line.speaker, line.text[: max(1, len(line.text) // 2)], line.start,
                                     round(middle, 3), final=False, confidence=0.5))
            if self.clock >= line.end + self.latency:
                self.pending.remove(line)
                out.append(_final(line))
        return out

    def finish(self) -> list[Utterance]:
        out = [_final(line) for line in self.pending]
        self.pending = []
        return out


FINAL_CONFIDENCE = 0.9
"""The confidence a scripted final carries (an engine's estimate is below 1.0; a transcript's turn has none)."""


def line_words(line: Line) -> tuple[Word, ...]:
    """The line's words as an engine reports them: one per space-separated word, or per character for Chinese
    written without spaces, the line's time shared out evenly, each at :data:`FINAL_CONFIDENCE`."""
    tokens = line.text.split() if " " in line.text.strip() else [ch for ch in line.text if not ch.isspace()]
    step = (line.end - line.start) / max(len(tokens), 1)
    return tuple(Word(tok, round(line.start + i * step, 3), round(line.start + (i + 1) * step, 3), FINAL_CONFIDENCE)
                 for i, tok in enumerate(tokens))


def _final(line: Line) -> Utterance:
    return Utterance(line.speaker, line.text, line.start, line.end, final=True, confidence=FINAL_CONFIDENCE,
                     words=line_words(line))


class ScriptedRecognizer:
    """Stands in for an ASR engine (``asr.engine.Recognizer``): recognises exactly what the script says."""

    name = "scripted"

    def __init__(self, script: Iterable[Line | tuple[str, float, float, str]], *, latency: float = 0.3,
                 partials: bool = True, decodes_whole_channel: bool = False) -> None:
        self.lines = as_lines(script)
        self.latency = latency
        self.partials = partials
        self.decodes_whole_channel = decodes_whole_channel
        """The recognizer capability (``asr.engine.Recognizer``): with it, ``offline=True`` sessions hold every
        line until ``finish()``; without it an ``offline`` option is refused, as a streaming-only engine would."""
        self.opened: list[tuple[str, dict[str, Any]]] = []
        """(speaker, options) of every session opened, so a test can see what the pipeline asked for."""

    def open_session(self, speaker: str, *, start: float = 0.0, partials: bool | None = None,
                     **engine_options: Any) -> ScriptedSession:
        self.opened.append((speaker, {"partials": partials, **engine_options}))
        offline = bool(engine_options.pop("offline", False))
        if offline and not self.decodes_whole_channel:
            raise TypeError("open_session() got an unexpected keyword argument 'offline'")
        mine = [line for line in self.lines if line.speaker == speaker]
        return ScriptedSession(mine, start=start, latency=self.latency,
                               partials=self.partials if partials is None else partials, offline=offline)


def _band_noise(seconds: float, rng: np.random.Generator, lo: float = 300.0, hi: float = 3400.0) -> np.ndarray:
    """Unit-RMS noise in the telephone speech band (a stand-in for the sound of speech)."""
    n = int(seconds * SAMPLE_RATE)
    spec = np.fft.rfft(rng.normal(size=n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spec[(freqs < lo) | (freqs > hi)] = 0
    x = np.fft.irfft(spec, n)
    return x / x.std()


def script_audio(script: Iterable[Line | tuple[str, float, float, str]], *, duration: float | None = None,
                 chunk_ms: int = 100, speech_db: float = -20.0, hiss_db: float = -60.0,
                 seed: int = 12368) -> Iterator[AudioChunk]:
    """The script as two channels of 16 kHz audio, in chunks interleaved agent, caller (as a stereo file is
    read): speech-band noise at ``speech_db`` dBFS while a speaker's line lasts, hiss at ``hiss_db`` otherwise.
    ``duration`` defaults to one second after the last line."""
    lines = as_lines(script)
    total = duration if duration is not None else (max((x.end for x in lines), default=0.0) + 1.0)
    rng = np.random.default_rng(seed)
    pool = {"speech": _band_noise(8.192, rng), "hiss": _band_noise(8.192, rng, 100.0, 7000.0)}
    gain = {"speech": 32768 * 10 ** (speech_db / 20), "hiss": 32768 * 10 ** (hiss_db / 20)}
    n_total = int(round(total * SAMPLE_RATE))
    step = SAMPLE_RATE * chunk_ms // 1000
    for i in range(0, n_total, step):
        n = min(step, n_total - i)
        t = np.arange(i, i + n) / SAMPLE_RATE
        for speaker in SPEAKERS:
            voiced = np.zeros(n, dtype=bool)
            for line in lines:
                if line.speaker == speaker:
                    voiced |= (t >= line.start) & (t < line.end)
            idx = np.arange(i, i + n) % len(pool["speech"])
            x = np.where(voiced, pool["speech"][idx] * gain["speech"], pool["hiss"][idx] * gain["hiss"])
            yield AudioChunk(speaker, np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes(), i / SAMPLE_RATE)


@dataclass(frozen=True)
class Timed:
    """An event and the audio time (s since the answer) the pipeline had consumed when it came out."""

    at: float
    event: Event


@dataclass
class StageRun:
    """What a scripted call produced: every event in order, with its audio time, and the pipeline."""

    pipeline: CallPipeline
    timed: list[Timed] = field(default_factory=list)

    @property
    def events(self) -> list[Event]:
        return [x.event for x in self.timed]

    def of(self, event_type: str, /, **match: Any) -> list[Timed]:
        """The events of one ``type`` (``flag``, ``service_type``, ``suggestion``…) whose fields equal ``match``."""
        return [x for x in self.timed if x.event.type == event_type
                and all(getattr(x.event, k) == v for k, v in match.items())]

    def first(self, event_type: str, /, **match: Any) -> Timed:
        """The first such event; an AssertionError naming what was seen when there is none."""
        found = self.of(event_type, **match)
        if not found:
            seen = sorted({x.event.type for x in self.timed})
            raise AssertionError(f"no {event_type} event with {match} (event types seen: {', '.join(seen)})")
        return found[0]


def run_script(script: Iterable[Line | tuple[str, float, float, str]], *, duration: float | None = None,
               latency: float = 0.3, partials: bool = True, monitor: bool = True, call_id: str = "SCRIPTED",
               ring_seconds: float | None = None, rules: Any = None, sinks: Iterable[Any] = (),
               writer: Any = None, whole_channel: bool = False,
               recognizer: ScriptedRecognizer | None = None) -> StageRun:
    """Run a scripted call through the real pipeline (real analysis, real monitor unless ``monitor=False``),
    built by the call factory as an ``ingest`` source (the harness feeds the chunks). ``whole_channel`` asks for
    whole-channel decoding, which a ``recognizer`` with ``decodes_whole_channel`` gives (nothing before the end)."""
    from copilot.session.factory import make_pipeline
    from copilot.session.source import SourceSpec

    lines = as_lines(script)
    spec = SourceSpec(kind="ingest", call_id=call_id, ring_seconds=ring_seconds, partials=partials,
                      whole_channel=whole_channel)
    rec = recognizer or ScriptedRecognizer(lines, latency=latency, partials=partials)
    pipeline = make_pipeline(spec, recognizer=rec, rules=rules, sinks=sinks, writer=writer, monitor=monitor)
    run = StageRun(pipeline)
    clock = [0.0]

    def chunks() -> Iterator[AudioChunk]:
        for chunk in script_audio(lines, duration=duration):
            clock[0] = round(chunk.start + chunk.seconds, 3)  # the pipeline has consumed up to here
            yield chunk

    for ev in run_audio(chunks(), pipeline, source="script"):
        run.timed.append(Timed(clock[0], ev))
    return run
