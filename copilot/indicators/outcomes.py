"""Outcomes of the matters raised in calls: the CSV contract, ``import_outcomes`` and ``save_outcome``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from copilot.indicators.csvio import Column, as_utc, aware_time, boolean, choice, read_csv, text
from copilot.indicators.errors import IndicatorsError
from copilot.indicators.importing import ImportResult, run_import
from copilot.indicators.upsert import upsert_rows
from copilot.store.matters import OutcomeRow

SERVICE_TYPES = ("contact_judge", "info_query", "consultation", "appointment", "complaint", "out_of_scope")
"""docs/formats.md §3 service type codes."""
SATISFACTION = ("satisfied", "neutral", "dissatisfied")

OUTCOME_COLUMNS: tuple[Column, ...] = (
    Column("call_id", text, required=True, not_empty=True),
    Column("service_type", choice(*SERVICE_TYPES), required=True),
    Column("reply_due_at", aware_time, required=True),
    Column("replied_at", aware_time, required=True),
    Column("completed", boolean, required=True, not_empty=True),
    Column("satisfaction", choice(*SATISFACTION), required=True),
    Column("entered_at", aware_time),
)
"""``entered_at`` (optional) dates a matter whose call has no CDR."""


def check_outcome(v: dict[str, Any]) -> list[tuple[str, str]]:
    """Rules between the fields of one outcome."""
    if v["replied_at"] is not None and v["entered_at"] is not None and v["replied_at"] < v["entered_at"]:
        return [("replied_at", "before entered_at")]
    return []


def outcome_record(v: dict[str, Any]) -> dict[str, Any]:
    """A validated row as a ``call_outcome`` table record."""
    return {
        "call_id": v["call_id"],
        "service_type": v["service_type"],
        "reply_due_at": as_utc(v["reply_due_at"]),
        "replied_at": as_utc(v["replied_at"]),
        "completed": v["completed"],
        "satisfaction": v["satisfaction"],
        "local_date": v["entered_at"].date().isoformat() if v["entered_at"] is not None else None,
    }


def import_outcomes(session: Session, path: str | Path, *, strict: bool = False) -> ImportResult:
    """Validate ``path`` whole, then store its good rows in one transaction (commits ``session``)."""
    parsed = read_csv(path, OUTCOME_COLUMNS, check_outcome)
    return run_import(session, parsed, OutcomeRow.__table__, outcome_record, strict=strict)


def _aware(name: str, call_id: str, t: datetime | None) -> datetime | None:
    if t is not None and (t.tzinfo is None or t.utcoffset() is None):
        raise IndicatorsError(f"{name} needs a UTC offset", where=f"outcome {call_id}: {name}")
    return t


def save_outcome(
    session: Session,
    call_id: str,
    *,
    service_type: str | None = None,
    reply_due_at: datetime | None = None,
    replied_at: datetime | None = None,
    completed: bool = False,
    satisfaction: str | None = None,
    entered_at: datetime | None = None,
) -> None:
    """Store (insert or replace) one call's outcome, as the TUI records it; commits ``session``.

    Times must be timezone-aware. Raises :class:`IndicatorsError` naming the bad field.
    """
    where = f"outcome {call_id}"
    if not call_id:
        raise IndicatorsError("call_id is empty", where="outcome: call_id")
    if service_type is not None and service_type not in SERVICE_TYPES:
        raise IndicatorsError(f"unknown service_type {service_type!r}", where=f"{where}: service_type")
    if satisfaction is not None and satisfaction not in SATISFACTION:
        raise IndicatorsError(f"unknown satisfaction {satisfaction!r}", where=f"{where}: satisfaction")
    values = {
        "call_id": call_id,
        "service_type": service_type,
        "reply_due_at": _aware("reply_due_at", call_id, reply_due_at),
        "replied_at": _aware("replied_at", call_id, replied_at),
        "completed": bool(completed),
        "satisfaction": satisfaction,
        "entered_at": _aware("entered_at", call_id, entered_at),
    }
    problems = check_outcome(values)
    if problems:
        field, reason = problems[0]
        raise IndicatorsError(reason, where=f"{where}: {field}")
    upsert_rows(session, OutcomeRow.__table__, "call_id", [outcome_record(values)])
