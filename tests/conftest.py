"""Shared test helpers: where the reference data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV = SHARED / "eval" / "dev"


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch):
    """Commands that store by default (``copilot score``) write to a test folder, never the user's data dir."""
    import os

    if not os.environ.get("COPILOT_DB_URL"):
        monkeypatch.setenv("COPILOT_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    """The labelled dev set; its absence is a failure, never a skip."""
    assert (DEV / "labels.jsonl").exists(), f"dev set missing at {DEV}"
    return DEV
