"""The copilot's own analysis of calls, read from the store as plain ``AnalysedCall`` values."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from copilot.errors import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysedCall:
    """One analysed call, as the indicators need it."""

    call_id: str
    agent_id: str | None
    started_at: str | None
    """ISO 8601 as the transcript gave it (local time with offset); its first 10 characters are the day."""
    service_type: str | None
    greeting_ok: bool
    """No (undismissed) ``greeting_missing`` flag."""
    flag_codes: tuple[str, ...] = field(default=())
    """One entry per flag (a code repeats when raised several times)."""
    score_total: float | None = None
    """The reviewed score (``copilot.store.reviews``) when an inspector or trainer has been at the call."""
    reviewed: bool = False
    """An inspector reviewed a flag of the call (confirmed, dismissed or added one)."""

    @property
    def day(self) -> str | None:
        return self.started_at[:10] if self.started_at else None


def load_analysis(session: Session, start: date, end: date) -> list[AnalysedCall]:
    """Analysed calls whose ``started_at`` falls on ``start`` … ``end`` (inclusive, the call's own day).

    Flags an inspector dismissed are left out; flags an inspector added are counted.
    """
    from copilot.store import CallRow, FlagRow

    lo, hi = start.isoformat(), (end + timedelta(days=1)).isoformat()
    calls = CallRow.__table__.c
    flags = FlagRow.__table__.c
    in_period = (calls.started_at >= lo) & (calls.started_at < hi)
    try:
        rows = session.execute(
            select(calls.call_id, calls.agent_id, calls.started_at, calls.service_type, calls.score_total)
            .where(in_period).order_by(calls.started_at)
        ).all()
        codes: dict[str, list[str]] = defaultdict(list)
        q = (
            select(flags.call_id, flags.code)
            .join(CallRow.__table__, calls.call_id == flags.call_id)
            .where(in_period, or_(flags.review.is_(None), flags.review != "dismissed"))
            .order_by(flags.id)
        )
        for call_id, code in session.execute(q):
            codes[call_id].append(code)
        reviewed = set(session.execute(
            select(flags.call_id).join(CallRow.__table__, calls.call_id == flags.call_id)
            .where(in_period, flags.review.is_not(None)).distinct()).scalars())
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read analysed calls: {exc}", where="calls") from exc
    out = [
        AnalysedCall(
            call_id=r.call_id,
            agent_id=r.agent_id,
            started_at=r.started_at,
            service_type=r.service_type,
            greeting_ok="greeting_missing" not in codes[r.call_id],
            flag_codes=tuple(codes[r.call_id]),
            score_total=r.score_total,
            reviewed=r.call_id in reviewed,
        )
        for r in rows
    ]
    log.info("%d analysed calls %s … %s", len(out), start, end)
    return out
