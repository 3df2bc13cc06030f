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


def default_db_url() -> str:
    """``COPILOT_DB_URL`` if set, else ``sqlite:///<user data dir>/copilot.db``."""
    url = os.environ.get("COPILOT_DB_URL")
    if url:
        return url
    from platformdirs import user_data_dir

    d = Path(os.environ.get("COPILOT_DATA_DIR") or user_data_dir("copilot-12368", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'copilot.db'}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """Create the engine and every table (all table modules are imported first)."""
    url = url or default_db_url()
    kwargs: dict = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    try:
        engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_pragmas)
        import copilot.store  # noqa: F401  (registers tables)

        try:
            import copilot.indicators.models  # noqa: F401
        except ImportError:
            pass
        import copilot.cases.models  # noqa: F401  (the case directory)
        SQLModel.metadata.create_all(engine)
    except Exception as exc:  # SQLAlchemy raises many kinds; users need one clear message
        raise StoreError(f"cannot open database: {exc}", where=url) from exc
    log.info("database %s", url)
    return engine
