"""The score card: the phrasebook's rubric (default 100 points), each item with its reasons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from copilot.analysis.rules import Rules
from copilot.flags import Flag
from phrasebook.registry import flag_names

FLAG_NAMES = flag_names()
"""code → Chinese name (the flag registry flags.toml); score_call uses its phrasebook's own registry."""
NEED_CONFIDENCE_MIN = 0.5
"""Below this classifier confidence the need counts as not clearly identified."""


def counted_flags(flags: Iterable[Flag]) -> list[Flag]:
    """The flags that cost points: all but those an inspector dismissed (added ones count like any other)."""
    return [f for f in flags if f.review != "dismissed"]


def score_call(rules: Rules, flags: Iterable[Flag | Mapping[str, Any]], *, confidence: float,
               silent: bool) -> dict[str, Any]:
    """The score card over ``flags`` (a stored flag's dict is read with ``Flag.from_dict``, its review kept)."""
    given = [f if isinstance(f, Flag) else Flag.from_dict(f) for f in flags]
    dismissed = {f.code for f in given if f.review == "dismissed" and f.turn is None}
    counted_list = counted_flags(given)
    rubric = rules.pb.rubric
    items = {i.id: {"id": i.id, "name_zh": i.name_zh, "score": float(i.max), "max": i.max, "reasons": []}
             for i in rubric.items}
    deductions = {d.code: d for d in rubric.deductions}
    names = {f.code: f.name_zh for f in rules.pb.flags} or FLAG_NAMES
    counted: set[str] = set()
    codes = [f.code for f in counted_list]
    if not silent and confidence < NEED_CONFIDENCE_MIN and "service_type_unclear" not in dismissed:
        codes.append("service_type_unclear")
    for f, code in zip(counted_list + [None] * (len(codes) - len(counted_list)), codes, strict=True):
        d = deductions.get(code)
        if d is None or d.item not in items or (d.per == "call" and code in counted):
            continue
        counted.add(code)
        item = items[d.item]
        item["score"] = max(0.0, item["score"] - d.points)
        where = f"（第{f.turn + 1}轮）" if f is not None and f.turn is not None else ""
        said = f"「{f.phrase}」" if f is not None and f.phrase and code in (
            "banned_phrase", "nonstandard_wording", "outcome_promised") else ""
        item["reasons"].append(f"{names.get(code, code)}{said}{where} −{d.points}")
    total = sum(i["score"] for i in items.values())
    return {"total": round(total, 1), "max": rubric.total, "items": list(items.values())}
