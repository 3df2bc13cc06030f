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


MAX_LISTED = 50
"""Bad rows listed on stderr by :func:`report_import`; the count covers all."""


def report_import(do_import: Callable[[], Any], summary: Callable[[Any], str]) -> int:
    """The import commands' report (``cdr``, ``outcomes``, ``cases import``): run ``do_import``, list bad rows
    as ``file:row: field: reason`` on stderr, print ``summary(result)``; exit code 0 done, 1 some rows were
    bad (the good ones were imported), 2 nothing was done (file rejected, ``--strict``, database error)."""
    import sys

    from copilot.errors import CopilotError

    def err(msg: str) -> None:
        print(msg, file=sys.stderr)

    try:
        result = do_import()
    except ImportRejected as exc:
        err(f"错误 error: {exc.where}: 文件被拒绝，未导入任何行 file rejected, nothing imported (--strict)")
        for e in exc.errors[:MAX_LISTED]:
            err(f"  {exc.where}:{e.row}: {e.field or '-'}: {e.reason}")
        return 2
    except CopilotError as exc:
        err(f"错误 error: {exc}")
        return 2
    for e in result.errors[:MAX_LISTED]:
        err(f"  {result.path}:{e.row}: {e.field or '-'}: {e.reason}")
    if len(result.errors) > MAX_LISTED:
        err(f"  … {len(result.errors) - MAX_LISTED} more bad row(s)")
    print(summary(result))
    if result.errors:
        err(f"警告 warning: {result.bad_rows} 行有错，已跳过；其余行已导入 "
            f"{result.bad_rows} bad row(s) skipped, the good rows were imported")
        return 1
    return 0
