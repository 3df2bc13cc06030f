"""Tables for telephony call records (CDRs) and the outcomes of the matters raised in calls.

Times are stored and read back as UTC (SQLModel's aware datetime column); ``local_date`` keeps the calendar day in the caller's own offset
(the offset written in ``entered_at``), which is the day the standard's daily values use.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class CdrRow(SQLModel, table=True):
    """One call as the telephony system recorded it (inbound call or a callback of a missed one)."""

    __tablename__ = "cdr"

    call_id: str = Field(primary_key=True)
    direction: str = Field(index=True)
    """``inbound`` or ``callback``."""
    entered_at: datetime
    """UTC: when the call entered the call centre."""
    utc_offset_min: int
    """Offset of the original ``entered_at`` in minutes (480 for +08:00)."""
    local_date: str = Field(index=True)
    """``YYYY-MM-DD`` in the offset of ``entered_at``."""
    answered_by: str
    """``agent``, ``ivr`` or ``none`` (missed / abandoned)."""
    ring_s: float | None = None
    """Seconds from ringback to the agent's answer; only when ``answered_by == 'agent'``."""
    announcement_s: float | None = None
    """Seconds of information played before the IVR menu."""
    transfer_wait_s: float | None = None
    """Seconds waited between asking the IVR for a human and an agent answering."""
    agent_id: str | None = Field(default=None, index=True)
    ended_at: datetime | None = None
    """UTC."""
    callback_of: str | None = Field(default=None, index=True)
    """For a callback: the ``call_id`` of the missed inbound call."""


class OutcomeRow(SQLModel, table=True):
    """The outcome of the matter (服务事项) raised in one call."""

    __tablename__ = "call_outcome"

    call_id: str = Field(primary_key=True)
    service_type: str | None = None
    """A docs/formats.md §3 service type code."""
    reply_due_at: datetime | None = None
    """UTC: when a reply to the caller is due; ``None`` if no reply is owed."""
    replied_at: datetime | None = None
    """UTC."""
    completed: bool = False
    satisfaction: str | None = None
    """``satisfied``, ``neutral``, ``dissatisfied`` or ``None`` (not rated)."""
    local_date: str | None = Field(default=None, index=True)
    """``YYYY-MM-DD`` of the call when known without a CDR (optional ``entered_at`` column)."""
