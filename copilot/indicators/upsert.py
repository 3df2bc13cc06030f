"""Write validated rows in one transaction: insert new keys, update changed rows, skip equal ones."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from copilot.errors import StoreError

log = logging.getLogger(__name__)

_CHUNK = 500
"""Keys per ``IN (…)`` lookup; stays well under SQLite's bound-parameter limit."""


@dataclass(frozen=True)
class WriteCounts:
    """What one write did to the table."""

    inserted: int
    updated: int
    unchanged: int


def upsert_rows(session: Session, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> WriteCounts:
    """Insert or update ``rows`` (dicts of every column) by primary key ``key`` and commit once.

    Either every row is written or, on a database error, none is (rolled back, :class:`StoreError`).
    """
    cols = [c.name for c in table.columns]
    existing: dict[Any, dict[str, Any]] = {}
    keycol = table.c[key]
    try:
        keys = [r[key] for r in rows]
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            for rec in session.execute(select(table).where(keycol.in_(chunk))).mappings():
                existing[rec[key]] = dict(rec)
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for r in rows:
            full = {c: r.get(c) for c in cols}
            old = existing.get(r[key])
            if old is None:
                new.append(full)
            elif old != full:
                changed.append({("b_" + c): v for c, v in full.items()})
        if new:
            session.execute(insert(table), new)
        if changed:
            stmt = (
                update(table)
                .where(keycol == bindparam("b_" + key))
                .values({c: bindparam("b_" + c) for c in cols if c != key})
            )
            session.connection().execute(stmt, changed)
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        raise StoreError(f"cannot write {table.name}: {exc}", where=table.name) from exc
    counts = WriteCounts(len(new), len(changed), len(rows) - len(new) - len(changed))
    log.info("%s: %s", table.name, counts)
    return counts
