"""Fixtures: a real SQLite file per test and a helper that writes CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from copilot.store.db import make_engine


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'copilot.store.db'}"


@pytest.fixture()
def engine(db_url: str):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def session(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture()
def write(tmp_path: Path):
    """``write(name, *lines)`` → the path of a UTF-8 CSV made of ``lines``."""

    def _write(name: str, *lines: str, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(("\n".join(lines) + "\n").encode(encoding) if lines else b"")
        return p

    return _write
