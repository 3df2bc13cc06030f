"""Additive schema migration: columns added to a table model since a database file was created.

``SQLModel.metadata.create_all`` creates missing tables but never alters an existing one, so a database
written by an earlier version would lack a new column and every query naming it would fail. For each
table that exists, each model column missing from it is added with ``ALTER TABLE … ADD COLUMN`` (with the
column's scalar default, so old rows read as if written now). Nothing is dropped, renamed or rewritten.
"""

from __future__ import annotations

import logging

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

log = logging.getLogger(__name__)


def _default_sql(column) -> str:
    default = column.default.arg if column.default is not None and not callable(column.default.arg) else None
    if default is None:
        return ""
    if isinstance(default, bool):  # TRUE/FALSE: PostgreSQL refuses 0/1 for a boolean; SQLite ≥ 3.23 takes both
        return " DEFAULT TRUE" if default else " DEFAULT FALSE"
    if isinstance(default, int | float):
        return f" DEFAULT {default}"
    if isinstance(default, str):
        return " DEFAULT '" + default.replace("'", "''") + "'"
    return ""


def add_missing_columns(engine: Engine) -> list[str]:
    """Add every model column missing from an existing table; returns ``table.column`` of each added."""
    insp = inspect(engine)
    existing = set(insp.get_table_names())
    added: list[str] = []
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in existing:
                continue
            have = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name in have or col.primary_key:
                    continue
                kind = col.type.compile(dialect=engine.dialect)
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" {kind}{_default_sql(col)}'))
                added.append(f"{table.name}.{col.name}")
    if added:
        log.warning("database upgraded: added column(s) %s", ", ".join(added))
    return added
