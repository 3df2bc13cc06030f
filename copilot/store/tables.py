"""The store's tables (SQLModel): calls, utterances, flags, records, score items, adjustments, review log.

Only table definitions live here, so the services (``calls``: save a call; ``reviews``: inspectors'
verdicts and rescoring) can both import them without importing each other in a circle.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel

from copilot.record import STORED_FIELDS


def _now() -> datetime:
    return datetime.now(UTC)


class CallRow(SQLModel, table=True):
    __tablename__ = "calls"
    call_id: str = Field(primary_key=True)
    started_at: str | None = None
    ring_seconds: float | None = None
    source: str = ""
    agent_id: str | None = Field(default=None, index=True)
    service_type: str | None = Field(default=None, index=True)
    service_types: str = "[]"
    """JSON list."""
    complete: bool = True
    """False when the call ended by disconnect or error before its end."""
    end_reason: str | None = None
    score_total: float | None = None
    score_max: float | None = None
    result_json: str | None = None
    """The full docs/formats.md §2 analysis result, when the call was analysed."""
    audio_path: str | None = None
    """The call's stored audio (stereo WAV, agent on channel 0), when the server kept it."""
    updated_at: datetime = Field(default_factory=_now)


class UtteranceRow(SQLModel, table=True):
    __tablename__ = "utterances"
    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(foreign_key="calls.call_id", index=True)
    turn: int
    speaker: str
    start: float
    end: float
    text: str
    confidence: float = 1.0
    """The recogniser's estimate 0..1 (1.0 for a transcript's turn, which carries none)."""
    words_json: str | None = None
    """The recogniser's words as JSON, ``[{"text", "start", "end", "confidence"}, …]`` (seconds since the
    answer); None when it gave none (a transcript, a live Whisper final)."""


class FlagRow(SQLModel, table=True):
    __tablename__ = "flags"
    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(foreign_key="calls.call_id", index=True)
    code: str = Field(index=True)
    turn: int | None = None
    speaker: str = "agent"
    start: float | None = None
    text: str = ""
    phrase: str = ""
    suggestion: str = ""
    confidence: float = 1.0
    review: str | None = None
    """Inspector's verdict: ``confirmed`` or ``dismissed`` (None = not reviewed)."""
    review_comment: str | None = None
    reviewed_at: datetime | None = None
    reviewer: str | None = None
    """Who reviewed (or added) the flag."""
    origin: str = "analysis"
    """``analysis`` (raised by the copilot) or ``inspector`` (a flag the copilot missed, added in review)."""
    stale: bool = False
    """A reviewed flag that the latest analysis of the call no longer raises (kept with its review)."""


class RecordRow(SQLModel, table=True):
    __tablename__ = "records"
    call_id: str = Field(foreign_key="calls.call_id", primary_key=True)
    caller_role: str | None = None
    caller_name: str | None = None
    phone: str | None = None
    case_number: str | None = None
    judge_name: str | None = None
    summary: str | None = None
    callback_required: bool = False
    referral: str | None = None
    dialect: bool = False
    resolved: bool = False
    edited_by_agent: bool = False
    updated_at: datetime = Field(default_factory=_now)


class ScoreItemRow(SQLModel, table=True):
    __tablename__ = "score_items"
    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(foreign_key="calls.call_id", index=True)
    item_id: str
    score: float
    max: float
    reasons: str = "[]"
    """JSON list of strings."""


class ScoreAdjustmentRow(SQLModel, table=True):
    """A trainer's comment and score adjustment on one call (append-only: the audit trail)."""

    __tablename__ = "score_adjustments"
    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(foreign_key="calls.call_id", index=True)
    points: float = 0.0
    """Added to the reviewed score (negative: taken off); 0 for a comment alone."""
    reason: str = ""
    comment: str = ""
    by: str = ""
    at: datetime = Field(default_factory=_now)


class ReviewLogRow(SQLModel, table=True):
    """Every review action (confirm, dismiss, add) as it happened (append-only: the audit trail)."""

    __tablename__ = "review_log"
    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(index=True)
    code: str
    turn: int | None = None
    action: str
    """``confirmed``, ``dismissed`` or ``added``."""
    note: str = ""
    by: str = ""
    at: datetime = Field(default_factory=_now)


RECORD_FIELDS = STORED_FIELDS
"""The ``records`` columns a call record fills (copilot.record.STORED_FIELDS)."""
