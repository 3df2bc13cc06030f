"""Call transcripts (docs/formats.md §1): the typed model and a strict loader with clear errors."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asr.types import Word
from copilot.errors import TranscriptError

SPEAKERS = ("agent", "caller")
MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024
"""A 30-minute call is well under 1 MB of JSON; anything above 20 MB is not a call transcript."""


@dataclass(frozen=True)
class Turn:
    speaker: str
    """``agent`` (座席员) or ``caller`` (来电人)."""
    start: float
    """Seconds since the call was answered."""
    end: float
    """Seconds since the call was answered."""
    text: str
    confidence: float | None = None
    """The recogniser's estimate 0..1 (optional ``confidence``; None for a written transcript)."""
    words: tuple[Word, ...] = ()
    """The recogniser's word times (optional ``words``: ``[{"text", "start", "end", "confidence"}]``)."""

    def to_dict(self) -> dict[str, Any]:
        """The §1 turn object; ``confidence`` and ``words`` only when the turn has them."""
        d: dict[str, Any] = {"speaker": self.speaker, "start": self.start, "end": self.end, "text": self.text}
        if self.confidence is not None:
            d["confidence"] = round(self.confidence, 3)
        if self.words:
            d["words"] = [{"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3),
                           "confidence": round(w.confidence, 3)} for w in self.words]
        return d


@dataclass(frozen=True)
class Transcript:
    call_id: str
    turns: tuple[Turn, ...]
    started_at: str | None = None
    ring_seconds: float | None = None
    """Seconds it rang before it was answered (from telephony), if known."""
    source: str = ""
    """Where it came from (a path), for messages."""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_lines(cls, call_id: str, lines: Iterable[tuple[str, str]], *, seconds: float = 3.0,
                   pause: float = 0.5) -> Transcript:
        """A transcript of ``(speaker, text)`` lines said one after another, each ``seconds`` long with ``pause``
        between them (examples, tests, a script typed in)."""
        turns, t = [], 0.0
        for speaker, text in lines:
            turns.append(Turn(speaker, t, t + seconds, text))
            t += seconds + pause
        return cls(call_id=call_id, turns=tuple(turns))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"call_id": self.call_id}
        if self.started_at is not None:
            d["started_at"] = self.started_at
        if self.ring_seconds is not None:
            d["ring_seconds"] = self.ring_seconds
        d["turns"] = [t.to_dict() for t in self.turns]
        return d


def _number(value: Any, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TranscriptError(f"field '{name}' must be a number of seconds, got {value!r}", where=where)
    if value < 0:
        raise TranscriptError(f"field '{name}' must not be negative, got {value!r}", where=where)
    return float(value)


def _words(raw: Any, where: str) -> tuple[Word, ...]:
    """A turn's optional ``words``: ``[{"text": str, "start": s, "end": s, "confidence": 0..1 (optional)}]``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TranscriptError(f"field 'words' must be a list of word objects, got {type(raw).__name__}", where=where)
    out = []
    for j, w in enumerate(raw):
        at = f"{where}.words[{j}]"
        if not isinstance(w, dict) or not isinstance(w.get("text"), str):
            raise TranscriptError("expected an object with 'text', 'start' and 'end'", where=at)
        start, end = _number(w.get("start"), at, "start"), _number(w.get("end"), at, "end")
        conf = 1.0 if w.get("confidence") is None else _number(w.get("confidence"), at, "confidence")
        out.append(Word(w["text"], start, end, conf))
    return tuple(out)


def parse_transcript(data: Any, *, source: str = "<transcript>") -> Transcript:
    """Validate a decoded JSON object against docs/formats.md §1."""
    if not isinstance(data, dict):
        raise TranscriptError(f"expected a JSON object with 'call_id' and 'turns', got {type(data).__name__}",
                              where=source)
    call_id = data.get("call_id")
    if not isinstance(call_id, str) or not call_id.strip():
        raise TranscriptError("field 'call_id' is missing or not a non-empty string", where=source)
    turns_raw = data.get("turns")
    if not isinstance(turns_raw, list):
        raise TranscriptError("field 'turns' is missing or not a list", where=source)
    started_at = data.get("started_at")
    if started_at is not None and not isinstance(started_at, str):
        raise TranscriptError(f"field 'started_at' must be an ISO 8601 string, got {started_at!r}", where=source)
    ring = data.get("ring_seconds")
    ring_seconds = None if ring is None else _number(ring, source, "ring_seconds")
    turns: list[Turn] = []
    prev_start = -1.0
    for i, raw in enumerate(turns_raw):
        where = f"{source}: turns[{i}]"
        if not isinstance(raw, dict):
            raise TranscriptError(f"expected an object, got {type(raw).__name__}", where=where)
        speaker = raw.get("speaker")
        if speaker not in SPEAKERS:
            raise TranscriptError(f"field 'speaker' must be 'agent' or 'caller', got {speaker!r}", where=where)
        start = _number(raw.get("start"), where, "start")
        end = _number(raw.get("end"), where, "end")
        if end < start:
            raise TranscriptError(f"'end' ({end}) is before 'start' ({start})", where=where)
        if start < prev_start:
            raise TranscriptError(f"times go backwards: 'start' {start} is before the previous turn's {prev_start}",
                                  where=where)
        text = raw.get("text")
        if not isinstance(text, str):
            raise TranscriptError(f"field 'text' must be a string, got {type(text).__name__}", where=where)
        if not text.strip():
            raise TranscriptError("field 'text' is empty", where=where)
        prev_start = start
        conf = raw.get("confidence")
        if conf is not None:
            conf = _number(conf, where, "confidence")
            if conf > 1:
                raise TranscriptError(f"field 'confidence' must be between 0 and 1, got {conf!r}", where=where)
        turns.append(Turn(speaker=speaker, start=start, end=end, text=text, confidence=conf,
                          words=_words(raw.get("words"), where)))
    known = {"call_id", "turns", "started_at", "ring_seconds"}
    return Transcript(call_id=call_id, turns=tuple(turns), started_at=started_at, ring_seconds=ring_seconds,
                      source=source, extra={k: v for k, v in data.items() if k not in known})


def load_transcript(path: str | Path) -> Transcript:
    """Read and validate one transcript file; every error names the file and the field."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise TranscriptError(f"cannot read file: {exc.strerror or exc}", where=str(p)) from exc
    if size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(
            f"file is {size / 1e6:.0f} MB; a call transcript is expected to be under "
            f"{MAX_TRANSCRIPT_BYTES // (1024 * 1024)} MB", where=str(p))
    try:
        raw = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"not UTF-8 text (byte {exc.start})", where=str(p)) from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                              where=str(p)) from exc
    except RecursionError as exc:  # [[[[…]]]]: Python's parser gives up; a transcript is two levels deep
        raise TranscriptError("JSON nested too deeply to be a call transcript (expected an object with a list "
                              "of turn objects)", where=str(p)) from exc
    return parse_transcript(data, source=str(p))
