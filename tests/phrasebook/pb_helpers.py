"""Shared helpers for the phrasebook tests: the dev sample, the reference texts and text normalisation."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

import opencc

DATA = Path(__file__).resolve().parents[1] / "data"
DEV = DATA / "dev"
"""The labelled dev sample (12 calls, tests/data/README.md)."""
REFERENCE = DATA / "reference"
"""The standard and the core banned-phrase list the phrasebook follows."""
FORMATS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


@cache
def _cc() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def norm(text: str) -> str:
    """What the caller of the matcher does: simplified characters, no spaces or punctuation."""
    text = _cc().convert(text)
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c)[0] in "PZ"))


@cache
def labels() -> dict[str, dict]:
    rows = [
        json.loads(line) for line in (DEV / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    return {r["call_id"]: r for r in rows}


def turns(copy: str, call_id: str) -> list[dict]:
    return json.loads((DEV / copy / f"{call_id}.json").read_text(encoding="utf-8"))["turns"]
