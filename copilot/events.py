"""The one event vocabulary of a call (docs/formats.md §4).

Every stage downstream of a source sees an ordered stream of these frozen dataclasses. ``to_dict``
is the wire form (JSON lines, websocket messages): always ``type`` and ``t``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from asr.types import AcousticEvent, AudioChunk, Utterance, Word  # re-exported
from copilot.flags import Flag

__all__ = [
    "AcousticEvent", "AudioChunk", "Utterance", "Word", "Flag",
    "Event", "CallStarted", "UtteranceEvent", "Acoustic", "LevelEvent", "ServiceTypeChanged", "FlagRaised",
    "Suggestion", "RecordUpdated", "CaseCard", "ErrorEvent", "CallEnded", "event_from_dict",
]


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = "event"
    t: float
    """Seconds since the call was answered."""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {"type": self.type, **d}


@dataclass(frozen=True)
class CallStarted(Event):
    type: ClassVar[str] = "call_started"
    call_id: str = ""
    started_at: str | None = None
    source: str = "transcript"
    """``transcript``, ``file``, ``device``, ``websocket``."""


@dataclass(frozen=True)
class UtteranceEvent(Event):
    type: ClassVar[str] = "utterance"
    speaker: str = "caller"
    final: bool = True
    start: float = 0.0
    end: float = 0.0
    text: str = ""
    turn: int | None = None
    """0-based index into the call's final turns; None for partial text."""
    confidence: float = 1.0
    """0..1, the recogniser's own estimate (1.0 for a transcript's turn, which carries none)."""
    stable: int = 0
    """Partial text: leading characters two consecutive decodes agreed on (settled); 0 for finals."""
    words: tuple[Word, ...] = ()
    """The recogniser's word times (seconds since the answer) and confidences, when it gives them."""

    def to_dict(self) -> dict[str, Any]:
        """The §4 fields; ``words`` (``[{"text", "start", "end", "confidence"}, …]``) only when there are any."""
        d = super().to_dict()
        if not self.words:
            d.pop("words")
        return d


@dataclass(frozen=True)
class Acoustic(Event):
    type: ClassVar[str] = "acoustic"
    speaker: str = "caller"
    kind: str = "silence"
    seconds: float = 0.0
    level_db: float = 0.0


@dataclass(frozen=True)
class LevelEvent(Event):
    """A channel's speech level, once a second of its audio (docs/formats.md §4 welcomes further types): the live
    screen's level meter. Not a situation; ``acoustic`` events report those."""

    type: ClassVar[str] = "level"
    speaker: str = "caller"
    level_db: float | None = None
    """dBFS, the active speech level over the last 3 s of voiced audio; None before the speaker has spoken."""


@dataclass(frozen=True)
class ServiceTypeChanged(Event):
    type: ClassVar[str] = "service_type"
    service_type: str = "out_of_scope"
    confidence: float = 0.0
    service_types: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    referral: str | None = None
    """For out_of_scope: the unit and number to suggest."""


@dataclass(frozen=True)
class FlagRaised(Event):
    """A flag raised during the call: it carries the one :class:`~copilot.flags.Flag` (the checker's, the
    scorer's, the store's); its fields read through (``ev.code``, ``ev.turn``, ``ev.span`` …)."""

    type: ClassVar[str] = "flag"
    flag: Flag = field(default_factory=lambda: Flag(""))

    def __getattr__(self, name: str) -> Any:  # only for names the event itself lacks: the flag's fields
        if name.startswith("__") or name == "flag":
            raise AttributeError(name)
        return getattr(self.flag, name)

    def to_dict(self) -> dict[str, Any]:
        """``type``, ``t`` and the flag's §2 fields with its ``span`` (formats.md §4 ``flag``)."""
        return {"type": self.type, "t": self.t, **self.flag.to_dict(span=True)}

    def as_flag(self) -> dict[str, Any]:
        """The flag's dict with its span (``self.flag.to_dict(span=True)``)."""
        return self.flag.to_dict(span=True)


@dataclass(frozen=True)
class Suggestion(Event):
    type: ClassVar[str] = "suggestion"
    kind: str = "script"
    """``greeting``, ``script``, ``referral``, ``checklist``, ``closing``, ``replacement``."""
    text: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RecordUpdated(Event):
    type: ClassVar[str] = "record"
    record: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "t": self.t, **self.record}


@dataclass(frozen=True)
class CaseCard(Event):
    """The caller's case from the court's case directory (copilot.cases), for the agent's screen only: sent once the
    case is resolved and the caller has given a name or role that matches it; never stored with the record."""

    type: ClassVar[str] = "case_card"
    case_number: str = ""
    judge_name: str = ""
    department: str = ""
    status: str = ""
    next_hearing: str | None = None
    filed_on: str | None = None


@dataclass(frozen=True)
class ErrorEvent(Event):
    type: ClassVar[str] = "error"
    message: str = ""
    where: str = ""


@dataclass(frozen=True)
class StoreStatus(Event):
    """Whether the call is being stored (server): ``stored=False`` when the database cannot be written (the call
    is spooled to disk meanwhile), ``stored=True`` once everything so far was written after such a fault."""

    type: ClassVar[str] = "store"
    stored: bool = True
    reason: str = ""


@dataclass(frozen=True)
class CallEnded(Event):
    type: ClassVar[str] = "call_ended"
    call_id: str = ""
    reason: str = "eof"
    """``eof``, ``hangup``, ``disconnect``, ``error``."""
    complete: bool = True


_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (CallStarted, UtteranceEvent, Acoustic, LevelEvent, ServiceTypeChanged, FlagRaised, Suggestion,
                RecordUpdated, CaseCard, ErrorEvent, StoreStatus, CallEnded)
}


def event_from_dict(d: dict[str, Any]) -> Event:
    """Inverse of ``to_dict`` (for subscribers on the wire)."""
    d = dict(d)
    cls = _TYPES[d.pop("type")]
    if cls is RecordUpdated:
        t = d.pop("t")
        return RecordUpdated(t=t, record=d)
    if cls is FlagRaised:
        return FlagRaised(t=d.pop("t"), flag=Flag.from_dict(d))
    if cls is UtteranceEvent and d.get("words"):
        d["words"] = tuple(w if isinstance(w, Word) else Word(**w) for w in d["words"])
    for key in ("service_types", "evidence", "span"):
        if isinstance(d.get(key), list):
            d[key] = tuple(d[key])
    return cls(**d)
