"""``copilot cases import``: the court's case list (CSV) into the store, replacing rows by case number.

Like the CDR import (:mod:`copilot.indicators.importing`): the whole file is validated, bad rows are reported
by line (the header is line 1) and left out, the good rows are written in one transaction, and ``strict``
writes nothing when any row is bad. The file is streamed (a million rows do not sit in memory as dicts) and
written with ``executemany`` in batches inside that one transaction.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from copilot.cases.models import CaseRow
from copilot.cases.numbers import parse_case_number
from copilot.errors import StoreError
from copilot.indicators.csvio import RowError
from copilot.indicators.errors import ImportFileError, ImportRejected

log = logging.getLogger(__name__)

ROLES = ("party", "litigation_agent", "defender", "petitioner", "other")
"""Caller roles of formats.md §3, the roles a party may have."""
COLUMNS = ("case_number", "judge_name", "department", "clerk_name", "status", "filed_on", "next_hearing", "parties")
REQUIRED = ("case_number", "judge_name")
"""Columns the header must have; the others may be left out."""
DB_COLUMNS = ("case_number", "year", "court", "type_code", "serial", *COLUMNS[1:])
BATCH = 20_000
MAX_ERRORS_KEPT = 10_000


@dataclass(frozen=True)
class CaseImportResult:
    path: str
    rows_read: int
    inserted: int
    """Case numbers new to the store."""
    replaced: int
    """Case numbers already stored, replaced by the file's row."""
    duplicates: int
    """Rows repeating an earlier row of the file exactly (skipped)."""
    errors: tuple[RowError, ...]
    bad_rows: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.errors


# -- cell parsers (raise ValueError with the reason) ----------------------------------------------

def parse_date(cell: str) -> str:
    try:
        return date.fromisoformat(cell).isoformat()
    except ValueError:
        raise ValueError(f"not a date YYYY-MM-DD: {cell!r}") from None


def parse_datetime(cell: str) -> str:
    try:
        t = datetime.fromisoformat(cell.replace(" ", "T", 1) if len(cell) > 10 else cell)
    except ValueError:
        raise ValueError(f"not an ISO date-time (2024-05-09T09:30 or with +08:00): {cell!r}") from None
    return t.isoformat(timespec="minutes")


def parse_parties(cell: str) -> str:
    """``name:role;name:role`` → the same, canonical (``：`` and ``；`` accepted, blanks dropped)."""
    out = []
    for item in cell.replace("；", ";").replace("：", ":").split(";"):
        item = item.strip()
        if not item:
            continue
        name, sep, role = item.rpartition(":")
        name, role = name.strip(), role.strip().lower()
        if not sep or not name:
            raise ValueError(f"party {item!r} is not name:role")
        if role not in ROLES:
            raise ValueError(f"party {name!r}: unknown role {role!r} (expected {' | '.join(ROLES)})")
        out.append(f"{name}:{role}")
    return ";".join(out)


def split_parties(parties: str) -> list[tuple[str, str]]:
    return [tuple(p.rsplit(":", 1)) for p in parties.split(";") if ":" in p]  # type: ignore[misc]


_PARSERS = {"filed_on": parse_date, "next_hearing": parse_datetime, "parties": parse_parties}


# -- reading -------------------------------------------------------------------------------------

def _lines(path: Path) -> Iterator[str]:
    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ImportFileError(f"cannot read file: {exc.strerror or exc}", where=str(path)) from exc
    line = 0
    with fh:
        try:
            for line, s in enumerate(fh, 1):  # noqa: B007 - line is used in the error
                yield s
        except UnicodeDecodeError as exc:
            raise ImportFileError("not UTF-8 text", where=f"{path}:{line + 1}") from exc


def read_rows(path: str | Path, stats: dict[str, Any]) -> Iterator[tuple]:
    """Good rows of the file as tuples in ``DB_COLUMNS`` order; counts and bad rows go into ``stats``."""
    path = Path(path)
    reader = csv.reader(_lines(path), strict=True)
    names: list[str] | None = None
    seen: dict[str, tuple[int, int]] = {}
    errors: list[RowError] = stats.setdefault("errors", [])
    stats.setdefault("bad_rows", 0)
    stats.setdefault("rows_read", 0)
    stats.setdefault("duplicates", 0)
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in record):
                continue
            if names is None:
                names = [h.strip().lower() for h in record]
                dup = {n for n in names if n and names.count(n) > 1}
                if dup:
                    raise ImportFileError(f"wrong header: column {sorted(dup)[0]!r} appears twice", where=f"{path}:1")
                missing = [c for c in REQUIRED if c not in names]
                if missing:
                    raise ImportFileError(f"wrong header: missing column(s) {', '.join(missing)}; expected a header "
                                          f"row with {', '.join(COLUMNS)}", where=f"{path}:{start}")
                idx = [names.index(c) if c in names else None for c in COLUMNS]
                continue
            stats["rows_read"] += 1
            problems: list[tuple[str, str]] = []
            if len(record) != len(names):
                problems.append(("", f"{len(record)} values but the header has {len(names)} columns"))
            else:
                vals: list[Any] = []
                for col, i in zip(COLUMNS, idx, strict=True):
                    cell = record[i].strip() if i is not None else ""
                    parse = _PARSERS.get(col)
                    if cell and parse is not None:
                        try:
                            cell = parse(cell)
                        except ValueError as exc:
                            problems.append((col, str(exc)))
                    vals.append(cell or (None if col in ("filed_on", "next_hearing") else ""))
                key = None
                if not vals[0]:
                    problems.append(("case_number", "empty, a value is required"))
                else:
                    try:
                        key = parse_case_number(vals[0])
                    except ValueError as exc:
                        problems.append(("case_number", str(exc)))
            if not problems:
                fp = hash(tuple(vals[1:]))
                earlier = seen.get(key.case_number)
                if earlier is not None:
                    if earlier[1] == fp:
                        stats["duplicates"] += 1
                    else:
                        problems.append(("case_number", f"{key.case_number} already on line {earlier[0]} "
                                                        "with different values"))
                else:
                    seen[key.case_number] = (start, fp)
                    yield (key.case_number, key.year, key.court, key.type_code, key.serial, *vals[1:])
                    continue
            if problems:
                stats["bad_rows"] += 1
                if len(errors) < MAX_ERRORS_KEPT:
                    errors.extend(RowError(start, f, r) for f, r in problems)
    except csv.Error as exc:
        raise ImportFileError(f"broken CSV: {exc}", where=f"{path}:{reader.line_num}") from exc
    if names is None:
        raise ImportFileError("empty file: no header row and no data", where=str(path))
    if stats["rows_read"] == 0:
        raise ImportFileError("empty file: a header row but no data rows", where=str(path))


# -- writing -------------------------------------------------------------------------------------

def _count(conn) -> int:
    return int(conn.execute(select(func.count()).select_from(CaseRow.__table__)).scalar_one())


def _write_batch(conn, rows: list[tuple]) -> None:
    if conn.dialect.name == "sqlite":
        marks = ",".join("?" * len(DB_COLUMNS))
        conn.exec_driver_sql(f"INSERT OR REPLACE INTO cases ({','.join(DB_COLUMNS)}) VALUES ({marks})", rows)
        return
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    stmt = pg_insert(CaseRow.__table__)
    stmt = stmt.on_conflict_do_update(index_elements=["case_number"],
                                      set_={c: stmt.excluded[c] for c in DB_COLUMNS[1:]})
    conn.execute(stmt, [dict(zip(DB_COLUMNS, r, strict=True)) for r in rows])


def import_cases(engine: Engine, path: str | Path, *, strict: bool = False) -> CaseImportResult:
    """Validate ``path`` and write its good rows in one transaction (nothing at all with ``strict`` and a bad row)."""
    t0 = time.perf_counter()
    stats: dict[str, Any] = {}
    rows = read_rows(path, stats)
    try:
        with engine.connect() as conn:
            big = Path(path).stat().st_size > 5_000_000
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size=-131072")  # 128 MB page cache for this connection
                conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
                conn.commit()
            trans = conn.begin()
            before = _count(conn)
            if big and conn.dialect.name == "sqlite":  # a large file: rebuild the secondary indexes once at the end
                conn.exec_driver_sql("DROP INDEX IF EXISTS ix_cases_key")
                conn.exec_driver_sql("DROP INDEX IF EXISTS ix_cases_serial")
            written = 0
            batch: list[tuple] = []
            for r in rows:
                batch.append(r)
                if len(batch) >= BATCH:
                    _write_batch(conn, batch)
                    written += len(batch)
                    batch = []
            if batch:
                _write_batch(conn, batch)
                written += len(batch)
            if strict and stats["bad_rows"]:
                trans.rollback()
                errs = tuple(stats["errors"])
                raise ImportRejected(f"{stats['bad_rows']} bad row(s), nothing imported (--strict): "
                                     + "; ".join(str(e) for e in errs[:5]) + (" …" if len(errs) > 5 else ""),
                                     where=str(path), errors=errs)
            if big and conn.dialect.name == "sqlite":
                for ix in CaseRow.__table__.indexes:
                    ix.create(conn, checkfirst=True)
            after = _count(conn)
            trans.commit()
    except ImportRejected:
        raise
    except ImportFileError:
        raise
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write the case directory: {exc.__class__.__name__}: {exc}", where=str(path)) from exc
    inserted = after - before
    from copilot.cases.runtime import forget

    forget()  # this process's cached directory is stale now
    result = CaseImportResult(str(path), stats["rows_read"], inserted, written - inserted, stats["duplicates"],
                              tuple(stats["errors"]), stats["bad_rows"], time.perf_counter() - t0)
    log.info("cases imported from %s: %s", path, result)
    return result


def count_cases(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
