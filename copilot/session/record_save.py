"""Save the agent's (possibly edited) call record at the end of a live call.

Unlike :class:`copilot.store.CallWriter`, this never deletes a call's rows: it creates the call row if it
is missing (the writer may have failed to start) and upserts the record, marked as edited by the agent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from copilot.errors import StoreError
from copilot.record import CallRecord
from copilot.store import CallRow, RecordRow

log = logging.getLogger(__name__)


def save_record(engine: Engine, call_id: str, record: dict[str, Any], *, resolved: bool,
                service_type: str | None = None, edited: bool = False) -> None:
    """Upsert the record of ``call_id`` (one transaction); raises StoreError naming the call."""
    try:
        with Session(engine) as s:
            call = s.get(CallRow, call_id)
            if call is None:
                call = CallRow(call_id=call_id, source="tui", complete=False)
            if service_type:
                call.service_type = service_type
            call.updated_at = datetime.now(UTC)
            s.add(call)
            s.flush()
            rec = CallRecord.from_dict(record)
            fields = {**rec.store_fields(), "resolved": bool(resolved), "callback_required": rec.callback_required}
            s.merge(RecordRow(call_id=call_id, edited_by_agent=edited, updated_at=datetime.now(UTC),
                              **fields))
            s.commit()
    except Exception as exc:
        raise StoreError(f"cannot save the call record: {exc}", where=call_id) from exc
    log.info("record of %s saved (resolved=%s)", call_id, resolved)
    save_ticks_as_outcome(engine, call_id, callback_required=bool(record.get("callback_required")),
                          resolved=bool(resolved), service_type=service_type or record.get("service_type"))


REPLY_DUE_DAYS_DEFAULT = 2.0
"""Days within which a reply the agent promised (「需回复」) is due. The standard says only 「在规定的时间内」;
each court sets its own: ``COPILOT_REPLY_DUE_DAYS``."""


def reply_due_days() -> float:
    import os

    text = os.environ.get("COPILOT_REPLY_DUE_DAYS")
    try:
        days = float(text) if text else REPLY_DUE_DAYS_DEFAULT
    except ValueError as exc:
        raise StoreError(f"COPILOT_REPLY_DUE_DAYS must be a number of days, got {text!r}",
                         where="COPILOT_REPLY_DUE_DAYS") from exc
    if not days > 0:
        raise StoreError("COPILOT_REPLY_DUE_DAYS must be above 0", where="COPILOT_REPLY_DUE_DAYS")
    return days


def save_ticks_as_outcome(engine: Engine, call_id: str, *, callback_required: bool, resolved: bool,
                          service_type: str | None) -> None:
    """The agent's 「需回复」/「已办结」 ticks as the call's outcome row (``call_outcome``), which the reply and
    completion indicators of ``copilot report`` read. A reply owed is due ``reply_due_days()`` after the call
    began; a reply time or satisfaction recorded later (``copilot outcomes import``) is kept."""
    from datetime import timedelta

    from copilot.indicators.outcomes import SERVICE_TYPES, save_outcome
    from copilot.store.matters import OutcomeRow

    try:
        with Session(engine) as s:
            call = s.get(CallRow, call_id)
            began = None
            if call is not None and call.started_at:
                try:
                    began = datetime.fromisoformat(call.started_at)
                except ValueError:
                    log.warning("call %s: started_at %r is not ISO 8601", call_id, call.started_at)
            if began is None or began.tzinfo is None:
                began = datetime.now(UTC)
            before = s.get(OutcomeRow, call_id)
            save_outcome(s, call_id, service_type=service_type if service_type in SERVICE_TYPES else None,
                         reply_due_at=began + timedelta(days=reply_due_days()) if callback_required else None,
                         replied_at=before.replied_at if before is not None else None,
                         completed=resolved, satisfaction=before.satisfaction if before is not None else None,
                         entered_at=began)
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"cannot save the call's outcome: {exc}", where=call_id) from exc
    log.info("outcome of %s saved (reply owed=%s, completed=%s)", call_id, callback_required, resolved)
