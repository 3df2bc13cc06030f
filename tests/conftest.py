"""Shared test helpers: where the reference data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV = SHARED / "eval" / "dev"


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    """The labelled dev set; its absence is a failure, never a skip."""
    assert (DEV / "labels.jsonl").exists(), f"dev set missing at {DEV}"
    return DEV
