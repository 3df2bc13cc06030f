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


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    """The labelled dev sample; its absence is a failure, never a skip."""
    assert (DEV / "labels.jsonl").exists(), f"dev sample missing at {DEV}"
    return DEV
