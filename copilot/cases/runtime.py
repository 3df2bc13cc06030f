"""Which case directory this process consults: the store's ``cases`` table whenever it holds cases.

``COPILOT_NO_CASES=1`` (the ``--no-cases`` option sets it, so worker processes inherit it) turns the directory
off. The directory is opened once per process and database URL; ``forget()`` drops it (after an import).
A default SQLite file that does not exist yet is not created just to find out that it holds no cases.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from copilot.cases.directory import CaseDirectory

log = logging.getLogger(__name__)
ENV_OFF = "COPILOT_NO_CASES"
_lock = threading.Lock()
_cache: dict[str, CaseDirectory | None] = {}
_url: str | None = None


def disabled() -> bool:
    return os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no")


def disable() -> None:
    os.environ[ENV_OFF] = "1"


def set_url(url: str | None) -> None:
    """Consult this database (a server's or a command's ``--db``) instead of the default one."""
    global _url
    _url = url


def forget() -> None:
    with _lock:
        _cache.clear()


def _sqlite_missing(url: str) -> bool:
    if not url.startswith("sqlite:///"):
        return False
    path = url[len("sqlite:///"):]
    return path not in ("", ":memory:") and not Path(path).exists()


def active_directory() -> CaseDirectory | None:
    """The directory to consult, or None (switched off, no store, or a store without cases)."""
    if disabled():
        return None
    from copilot.db import default_db_url

    url = _url or default_db_url()
    with _lock:
        if url in _cache:
            return _cache[url]
        directory = None
        if not _sqlite_missing(url):
            try:
                from copilot.db import make_engine

                d = CaseDirectory(make_engine(url))
                directory = d if d else None
            except Exception as exc:  # noqa: BLE001 - no directory is never a reason to fail a call
                log.warning("case directory unavailable (%s): %s", url, exc)
        _cache[url] = directory
        return directory
