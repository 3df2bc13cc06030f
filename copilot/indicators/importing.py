"""The shared import flow: validate the whole file, then write all good rows in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session

from copilot.indicators.csvio import ParsedFile, RowError
from copilot.indicators.errors import ImportRejected
from copilot.indicators.upsert import upsert_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    """What an import read and wrote."""

    path: str
    rows_read: int
    """Data rows in the file."""
    inserted: int
    updated: int
    """Rows whose key was stored already with other values (the file's values win)."""
    unchanged: int
    """Rows stored already with the same values (re-import changes nothing)."""
    duplicates: int
    """Rows repeated verbatim within the file (skipped)."""
    errors: tuple[RowError, ...]
    """Bad rows, left out; empty when every row was good."""

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors


def run_import(
    session: Session,
    parsed: ParsedFile,
    table: Table,
    to_record: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    strict: bool = False,
) -> ImportResult:
    """Write ``parsed``'s good rows (all or none); with ``strict``, write nothing if any row is bad."""
    if strict and parsed.errors:
        n = len({e.row for e in parsed.errors})
        raise ImportRejected(
            f"{n} bad row(s), nothing imported (--strict): " + "; ".join(str(e) for e in parsed.errors[:5])
            + (" …" if len(parsed.errors) > 5 else ""),
            where=parsed.path,
            errors=parsed.errors,
        )
    counts = upsert_rows(session, table, "call_id", [to_record(r) for r in parsed.rows])
    result = ImportResult(
        path=parsed.path,
        rows_read=parsed.rows_read,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        duplicates=parsed.duplicates,
        errors=parsed.errors,
    )
    log.info("imported %s into %s: %s", Path(parsed.path).name, table.name, result)
    return result
