"""Read the rows a report needs from the store as small frozen facts (one query per kind)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from copilot.errors import StoreError
from copilot.indicators.period import Period
from copilot.store.matters import CdrRow, OutcomeRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallFact:
    """One inbound call of the period."""

    call_id: str
    day: str
    """``YYYY-MM-DD`` local to the call's own offset."""
    answered_by: str
    ring_s: float | None
    """Seconds."""
    announcement_s: float | None
    """Seconds."""
    transfer_wait_s: float | None
    """Seconds."""
    agent_id: str | None
    called_back: bool
    """Missed (``answered_by == 'none'``) and some callback names it in ``callback_of``, on any day."""


@dataclass(frozen=True, slots=True)
class MatterFact:
    """The outcome of one call's matter, dated by its call."""

    call_id: str
    day: str
    agent_id: str | None
    reply_due: bool
    """A reply to the caller is owed."""
    replied_in_time: bool
    """Replied at or before the due time."""
    pending: bool
    """Not replied, and the due time is after the report's ``as_of``: not judged yet."""
    completed: bool
    satisfaction: str | None


def load_calls(session: Session, period: Period) -> list[CallFact]:
    """Inbound calls entered on the period's days, with whether each missed one got a callback."""
    c = CdrRow.__table__.c
    lo, hi = period.start.isoformat(), period.end.isoformat()
    in_period = and_(c.direction == "inbound", c.local_date >= lo, c.local_date <= hi)
    missed = select(c.call_id).where(in_period, c.answered_by == "none")
    try:
        called_back = set(
            session.execute(
                select(c.callback_of).where(c.direction == "callback", c.callback_of.in_(missed)).distinct()
            ).scalars()
        )
        rows = session.execute(
            select(c.call_id, c.local_date, c.answered_by, c.ring_s, c.announcement_s, c.transfer_wait_s, c.agent_id)
            .where(in_period)
        ).all()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read call records: {exc}", where="cdr") from exc
    out = [CallFact(*r, called_back=r[0] in called_back) for r in rows]
    log.info("%d inbound calls, %d called back, %s", len(out), len(called_back), period.label)
    return out


def load_matters(session: Session, period: Period, as_of: datetime) -> list[MatterFact]:
    """Outcomes whose call (by its CDR, else the outcome's own ``entered_at``) is in the period.

    Times are compared in SQL (no per-row datetime parsing); ``as_of`` is an aware time.
    """
    o, c = OutcomeRow.__table__.c, CdrRow.__table__.c
    day = func.coalesce(c.local_date, o.local_date)
    in_time = and_(o.replied_at.is_not(None), o.reply_due_at.is_not(None), o.replied_at <= o.reply_due_at)
    pending = and_(o.replied_at.is_(None), o.reply_due_at.is_not(None), o.reply_due_at > as_of)
    q = (
        select(o.call_id, day, c.agent_id, o.reply_due_at.is_not(None), in_time, pending, o.completed,
               o.satisfaction)
        .select_from(OutcomeRow.__table__.outerjoin(CdrRow.__table__, c.call_id == o.call_id))
        .where(day >= period.start.isoformat(), day <= period.end.isoformat())
    )
    try:
        out = [
            MatterFact(cid, d, agent, bool(due), bool(ok), bool(wait), bool(done), sat)
            for cid, d, agent, due, ok, wait, done, sat in session.execute(q)
        ]
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read outcomes: {exc}", where="call_outcome") from exc
    log.info("%d matters, %s", len(out), period.label)
    return out
