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
_override: CaseDirectory | None = None
DEMO_CSV = Path(__file__).resolve().parent / "data" / "demo_cases.csv"
"""The small directory ``copilot demo`` ships: the fixture calls' cases among 160 generated ones."""


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


def use(directory: CaseDirectory | None) -> None:
    """Consult ``directory`` in this process, whatever the store holds (None: back to the store's)."""
    global _override
    _override = directory


def use_demo_directory() -> CaseDirectory | None:
    """For ``copilot demo``: the store's directory when it holds cases, else the bundled demo directory
    (imported into a temporary SQLite file, never into the user's store)."""
    if disabled():
        return None
    found = active_directory()
    if found is not None:
        return found
    import tempfile

    from copilot.cases.importing import import_cases
    from copilot.store.db import make_engine

    folder = Path(tempfile.mkdtemp(prefix="copilot-demo-cases-"))
    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    import_cases(engine, DEMO_CSV)
    directory = CaseDirectory(engine)
    use(directory)
    return directory


def _sqlite_missing(url: str) -> bool:
    if not url.startswith("sqlite:///"):
        return False
    path = url[len("sqlite:///"):]
    return path not in ("", ":memory:") and not Path(path).exists()


def active_directory() -> CaseDirectory | None:
    """The directory to consult, or None (switched off, no store, or a store without cases)."""
    if disabled():
        return None
    if _override is not None:
        return _override
    from copilot.store.db import default_db_url

    url = _url or default_db_url()
    with _lock:
        if url in _cache:
            return _cache[url]
        directory = None
        if not _sqlite_missing(url):
            try:
                from copilot.store.db import make_engine

                d = CaseDirectory(make_engine(url))
                directory = d if d else None
            except Exception as exc:  # noqa: BLE001 - no directory is never a reason to fail a call
                log.warning("case directory unavailable (%s): %s", url, exc)
        _cache[url] = directory
        return directory
