"""Shared test helpers: where the reference data lives (inside the repository, under tests/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
DEV = DATA / "dev"
"""A labelled sample of the dev set (tests/data/README.md); the whole dev set is a benchmark (`copilot eval`)."""
MANDARIN = DATA / "mandarin"
REFERENCE = DATA / "reference"


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch):
    """Commands that store by default (``copilot score``) write to a test folder, never the user's data dir."""
    import os

    if not os.environ.get("COPILOT_DB_URL"):
        monkeypatch.setenv("COPILOT_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    """The labelled dev sample; its absence is a failure, never a skip."""
    assert (DEV / "labels.jsonl").exists(), f"dev sample missing at {DEV}"
    return DEV
