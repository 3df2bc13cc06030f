"""Shared helpers for the phrasebook tests: dev-set access and text normalisation."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

import opencc

DEV = Path("/work/shared/eval/dev")
SHARED = Path("/work/shared")


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
