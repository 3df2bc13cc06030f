"""Validate a whole CSV file against a column spec before anything is written.

File-level problems (not UTF-8, empty, wrong or missing header, broken quoting) raise
:class:`ImportFileError`. Row-level problems become :class:`RowError` entries naming the row
(the file's line number, the header being row 1) and the field, and the row is left out.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copilot.indicators.errors import ImportFileError

log = logging.getLogger(__name__)

Parser = Callable[[str], Any]
"""Turns a non-empty cell into a value or raises ``ValueError`` with the reason."""


@dataclass(frozen=True)
class Column:
    """One CSV column: its header name, how to parse a cell, and whether the header must have it."""

    name: str
    parse: Parser
    required: bool = False
    """The column must be in the header (its cells may still be empty unless ``not_empty``)."""
    not_empty: bool = False
    """Every row must have a value in this column."""


@dataclass(frozen=True)
class RowError:
    """A bad row: where it is and why it was left out."""

    row: int
    """Line number in the file (the header is row 1)."""
    field: str
    """Column name, or ``""`` for the row as a whole."""
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.reason}" if self.field else f"row {self.row}: {self.reason}"


@dataclass(frozen=True)
class ParsedFile:
    """The result of validating a file: its good rows and the reasons the others were left out."""

    path: str
    rows: tuple[dict[str, Any], ...]
    """Good rows, parsed, keyed by column name (absent columns are ``None``); first of duplicates."""
    errors: tuple[RowError, ...]
    rows_read: int
    """Data rows in the file (blank lines not counted)."""
    duplicates: int
    """Rows repeating an earlier row of the same file exactly (skipped)."""


# -- cell parsers ---------------------------------------------------------------------------------


def text(cell: str) -> str:
    return cell


def choice(*allowed: str) -> Parser:
    def parse(cell: str) -> str:
        v = cell.lower()
        if v not in allowed:
            raise ValueError(f"unknown value {cell!r} (expected {' | '.join(allowed)})")
        return v

    return parse


def seconds(cell: str) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise ValueError(f"not a number of seconds: {cell!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"not a finite number of seconds: {cell!r}")
    if v < 0:
        raise ValueError(f"negative duration {cell}")
    return v


def boolean(cell: str) -> bool:
    v = cell.lower()
    if v in ("true", "1", "yes"):
        return True
    if v in ("false", "0", "no"):
        return False
    raise ValueError(f"not true|false: {cell!r}")


def aware_time(cell: str) -> datetime:
    """ISO 8601 with an offset (``2026-07-01T09:15:00+08:00`` or ``…Z``); naive times are refused."""
    try:
        t = datetime.fromisoformat(cell)
    except ValueError:
        raise ValueError(f"unparseable time {cell!r} (expected ISO 8601 with offset)") from None
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"time {cell!r} has no UTC offset (write e.g. +08:00)")
    try:  # the tables store UTC: a time at the calendar's edge (0001-01-01T00:00+08:00) has no UTC instant
        t.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"time {cell!r} is out of range once converted to UTC (years 1–9999)") from None
    return t


def as_utc(t: datetime | None) -> datetime | None:
    """The same instant in UTC, the form the tables store and return."""
    return None if t is None else t.astimezone(UTC)


# -- the reader ---------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read file: {exc.strerror or exc}", where=str(path)) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError("not UTF-8 text", where=f"{path}:{line}") from exc


def _header(path: Path, header: list[str], columns: Iterable[Column]) -> list[str]:
    names = [h.strip().lower() for h in header]
    cols = list(columns)
    seen: set[str] = set()
    for n in names:
        if n and n in seen:
            raise ImportFileError(f"wrong header: column {n!r} appears twice", where=f"{path}:1")
        seen.add(n)
    missing = [c.name for c in cols if c.required and c.name not in seen]
    if missing:
        expected = ", ".join(c.name for c in cols)
        raise ImportFileError(
            f"wrong header: missing column(s) {', '.join(missing)}; expected a header row with {expected}",
            where=f"{path}:1",
        )
    return names


def read_csv(
    path: str | Path,
    columns: tuple[Column, ...],
    check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None,
    key: str = "call_id",
) -> ParsedFile:
    """Validate every row of ``path``; raise :class:`ImportFileError` if the file itself is unusable.

    ``check`` sees a row whose cells all parsed and returns ``(field, reason)`` pairs for rules
    between fields. A row repeating an earlier row's ``key`` is a duplicate when all its values are
    equal (skipped, counted), else an error naming the earlier row.
    """
    path = Path(path)
    body = _read_text(path)
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    names: list[str] | None = None
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    first_row_of: dict[Any, tuple[int, dict[str, Any]]] = {}
    rows_read = duplicates = 0
    known = {c.name: c for c in columns}
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if names is None:
                names = _header(path, record, columns)
                continue
            rows_read += 1
            if len(record) != len(names):
                errors.append(RowError(start, "", f"{len(record)} values but the header has {len(names)} columns"))
                continue
            values: dict[str, Any] = {c: None for c in known}
            problems: list[tuple[str, str]] = []
            for name, cell in zip(names, record, strict=True):
                col = known.get(name)
                if col is None:
                    continue  # extra columns are ignored
                cell = cell.strip()
                if not cell:
                    if col.not_empty:
                        problems.append((name, "empty, a value is required"))
                    continue
                try:
                    values[name] = col.parse(cell)
                except ValueError as exc:
                    problems.append((name, str(exc)))
            if not problems and check is not None:
                problems = check(values)
            if problems:
                errors.extend(RowError(start, f, r) for f, r in problems)
                continue
            k = values[key]
            if k in first_row_of:
                first, earlier = first_row_of[k]
                if earlier == values:
                    duplicates += 1
                else:
                    errors.append(RowError(start, key, f"{k!r} already on row {first} with different values"))
                continue
            first_row_of[k] = (start, values)
            rows.append(values)
    except csv.Error as exc:
        raise ImportFileError(f"broken CSV: {exc}", where=f"{path}:{reader.line_num}") from exc
    if names is None:
        raise ImportFileError("empty file: no header row and no data", where=str(path))
    if rows_read == 0:
        raise ImportFileError("empty file: a header row but no data rows", where=str(path))
    log.info("%s: %d rows read, %d good, %d bad, %d duplicates", path, rows_read, len(rows), len(errors), duplicates)
    return ParsedFile(str(path), tuple(rows), tuple(errors), rows_read, duplicates)
