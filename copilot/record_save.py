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
from copilot.store import RECORD_FIELDS, CallRow, RecordRow

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
            fields = {k: record.get(k) for k in RECORD_FIELDS if record.get(k) is not None}
            fields["resolved"] = bool(resolved)
            fields["callback_required"] = bool(record.get("callback_required"))
            s.merge(RecordRow(call_id=call_id, edited_by_agent=edited, updated_at=datetime.now(UTC),
                              **fields))
            s.commit()
    except Exception as exc:
        raise StoreError(f"cannot save the call record: {exc}", where=call_id) from exc
    log.info("record of %s saved (resolved=%s)", call_id, resolved)
