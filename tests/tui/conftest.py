"""Fixtures for driving the real TUI with Pilot (anyio runs the async tests on asyncio)."""

from __future__ import annotations

import pytest

from copilot.store.db import make_engine


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def store(tmp_path):
    """A real SQLite store in tmp_path."""
    engine = make_engine(f"sqlite:///{tmp_path / 'copilot.store.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def messages():
    """Every message the app handled (for run_test(message_hook=...))."""
    seen: list = []
    return seen


@pytest.fixture(autouse=True)
def _demo_case_directory_does_not_leak():
    """``copilot demo`` switches this process to the bundled case directory; later tests must not inherit it."""
    yield
    from copilot.cases import runtime

    runtime.use(None)
