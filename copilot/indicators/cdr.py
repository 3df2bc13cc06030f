"""Telephony call records (CDRs): the CSV contract, its row rules, and ``import_cdr``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from copilot.indicators.csvio import Column, as_utc, aware_time, choice, read_csv, seconds, text
from copilot.indicators.importing import ImportResult, run_import
from copilot.store.matters import CdrRow

CDR_COLUMNS: tuple[Column, ...] = (
    Column("call_id", text, required=True, not_empty=True),
    Column("direction", choice("inbound", "callback"), required=True, not_empty=True),
    Column("entered_at", aware_time, required=True, not_empty=True),
    Column("answered_by", choice("agent", "ivr", "none"), required=True, not_empty=True),
    Column("ring_s", seconds),
    Column("announcement_s", seconds),
    Column("transfer_wait_s", seconds),
    Column("agent_id", text),
    Column("ended_at", aware_time),
    Column("callback_of", text),
)
"""Header names; ``required`` columns must be in the header, the others may be left out."""


def check_cdr(v: dict[str, Any]) -> list[tuple[str, str]]:
    """Rules between the fields of one CDR row."""
    problems: list[tuple[str, str]] = []
    if v["ring_s"] is not None and v["answered_by"] != "agent":
        problems.append(("ring_s", f"must be empty unless answered_by=agent (answered_by={v['answered_by']})"))
    if v["ring_s"] is None and v["answered_by"] == "agent" and v["direction"] == "inbound":
        problems.append(("ring_s", "required for an inbound call answered by an agent"))
    if v["direction"] == "callback" and not v["callback_of"]:
        problems.append(("callback_of", "required for a callback (the missed inbound call_id)"))
    if v["direction"] == "inbound" and v["callback_of"]:
        problems.append(("callback_of", "must be empty for an inbound call"))
    if v["callback_of"] and v["callback_of"] == v["call_id"]:
        problems.append(("callback_of", "a call cannot be a callback of itself"))
    if v["ended_at"] is not None and v["ended_at"] < v["entered_at"]:
        problems.append(("ended_at", "before entered_at"))
    return problems


def cdr_record(v: dict[str, Any]) -> dict[str, Any]:
    """A validated row as a ``cdr`` table record."""
    t = v["entered_at"]
    offset = t.utcoffset() or timedelta(0)
    return {
        "call_id": v["call_id"],
        "direction": v["direction"],
        "entered_at": as_utc(t),
        "utc_offset_min": int(offset.total_seconds() // 60),
        "local_date": t.date().isoformat(),
        "answered_by": v["answered_by"],
        "ring_s": v["ring_s"],
        "announcement_s": v["announcement_s"],
        "transfer_wait_s": v["transfer_wait_s"],
        "agent_id": v["agent_id"],
        "ended_at": as_utc(v["ended_at"]),
        "callback_of": v["callback_of"],
    }


def import_cdr(session: Session, path: str | Path, *, strict: bool = False) -> ImportResult:
    """Validate ``path`` whole, then store its good rows in one transaction (commits ``session``).

    Raises :class:`~copilot.indicators.errors.ImportFileError` for an unusable file and, with
    ``strict``, :class:`~copilot.indicators.errors.ImportRejected` if any row is bad.
    """
    parsed = read_csv(path, CDR_COLUMNS, check_cdr)
    return run_import(session, parsed, CdrRow.__table__, cdr_record, strict=strict)
