"""Audio and transcript types produced by the ``asr`` package (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field

SAMPLE_RATE = 16000
"""Hertz: every channel is converted to mono 16-bit PCM at this rate at ingress."""


@dataclass(frozen=True)
class AudioChunk:
    """A block of mono 16-bit little-endian PCM for one speaker's channel."""

    speaker: str
    """``agent`` or ``caller``."""
    pcm: bytes
    """Mono signed 16-bit little-endian samples at :data:`SAMPLE_RATE`."""
    start: float
    """Seconds since the call was answered, of the first sample."""

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.pcm) / 2 / SAMPLE_RATE


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    """Seconds since the call was answered."""
    end: float
    """Seconds since the call was answered."""
    confidence: float = 1.0
    """0..1"""


@dataclass(frozen=True)
class Utterance:
    """Recognised speech on one channel: partial (provisional) or final (authoritative)."""

    speaker: str
    text: str
    start: float
    """Seconds since the call was answered."""
    end: float
    """Seconds since the call was answered."""
    final: bool = True
    words: tuple[Word, ...] = field(default_factory=tuple)
    confidence: float = 1.0
    """0..1, the engine's own estimate."""
    stable: int = 0
    """Partials: how many leading characters of ``text`` two consecutive decodes agreed on (local
    agreement): a screen may show them as settled and the rest as provisional. Finals: 0 (all settled)."""


@dataclass(frozen=True)
class AcousticEvent:
    """Something the acoustic monitor noticed on a channel (Appendix A.3 situations)."""

    speaker: str
    kind: str
    """``silence``, ``low_volume``, ``noise``, ``overtalk``, ``dead_air`` or ``clipping``."""
    t: float
    """Seconds since the call was answered, when the situation was detected."""
    seconds: float
    """How long the situation has lasted."""
    level_db: float
    """Level in dBFS (RMS) over the window that triggered the event."""
