"""Database engine factory: SQLite under the user's data directory, or ``COPILOT_DB_URL``."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from copilot.errors import StoreError

log = logging.getLogger(__name__)


BUSY_TIMEOUT_S = 30.0
"""Seconds a SQLite statement waits for another process's lock before failing with ``database is locked``."""


def busy_timeout() -> float:
    """``COPILOT_DB_BUSY_TIMEOUT`` seconds if set (a positive number), else :data:`BUSY_TIMEOUT_S`."""
    raw = os.environ.get("COPILOT_DB_BUSY_TIMEOUT")
    try:
        value = float(raw) if raw else BUSY_TIMEOUT_S
    except ValueError:
        raise StoreError(f"COPILOT_DB_BUSY_TIMEOUT must be a number of seconds, got {raw!r}",
                         where="COPILOT_DB_BUSY_TIMEOUT") from None
    return value if value > 0 else BUSY_TIMEOUT_S


def default_db_url() -> str:
    """``COPILOT_DB_URL`` if set, else ``sqlite:///<user data dir>/copilot.store.db``."""
    url = os.environ.get("COPILOT_DB_URL")
    if url:
        return url
    from platformdirs import user_data_dir

    d = Path(os.environ.get("COPILOT_DATA_DIR") or user_data_dir("copilot-12368", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'copilot.store.db'}"


JOURNAL_MODE = "DELETE"
"""SQLite's rollback journal, not WAL. WAL keeps its index in a ``-shm`` file that every connection maps into
memory; when that file is truncated, replaced or made unwritable under a running server, the next access to the
mapping kills the process with SIGBUS (measured: the server died, issue 17). A rollback journal has no shared
memory: a broken database file or directory gives an ordinary error (``attempt to write a readonly database``,
``disk I/O error``) that the server reports and survives (its calls are spooled, :mod:`copilot.server.storage`).
Readers and the one writer take turns (busy timeout 30 s), which is ample for one centre's call rate."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA journal_mode={JOURNAL_MODE}")  # leaves WAL once no other process holds the file
    except Exception:  # noqa: BLE001 - a read-only or busy file keeps its mode; writes then report the error
        log.debug("cannot set journal_mode=%s now (the file is busy or read-only)", JOURNAL_MODE)
    cur.execute("PRAGMA synchronous=FULL")  # the safe level for a rollback journal
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """Create the engine and every table (all table modules are imported first)."""
    url = url or default_db_url()
    kwargs: dict = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout()}
    try:
        engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_pragmas)
        import copilot.store  # noqa: F401  (registers tables)

        try:
            import copilot.store.matters  # noqa: F401
        except ImportError:
            pass
        import copilot.cases.models  # noqa: F401  (the case directory)
        SQLModel.metadata.create_all(engine)
        from copilot.store.migrate import add_missing_columns

        add_missing_columns(engine)  # a database file from an earlier version gains the new columns
    except Exception as exc:  # SQLAlchemy raises many kinds; users need one clear message
        raise StoreError(f"cannot open database: {exc}", where=url) from exc
    log.info("database %s", url)
    return engine
