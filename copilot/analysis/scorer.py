"""The score card: the phrasebook's rubric (default 100 points), each item with its reasons."""

from __future__ import annotations

from typing import Any

from copilot.analysis.rules import Rules
from phrasebook.registry import flag_names

FLAG_NAMES = flag_names()
"""code → Chinese name (the flag registry flags.toml); score_call uses its phrasebook's own registry."""
NEED_CONFIDENCE_MIN = 0.5
"""Below this classifier confidence the need counts as not clearly identified."""


def counted_flags(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flags that cost points: all but those an inspector dismissed (added ones count like any other)."""
    return [f for f in flags if f.get("review") != "dismissed"]


def score_call(rules: Rules, flags: list[dict[str, Any]], *, confidence: float, silent: bool) -> dict[str, Any]:
    dismissed = {f["code"] for f in flags if f.get("review") == "dismissed" and f.get("turn") is None}
    flags = counted_flags(flags)
    rubric = rules.pb.rubric
    items = {i.id: {"id": i.id, "name_zh": i.name_zh, "score": float(i.max), "max": i.max, "reasons": []}
             for i in rubric.items}
    deductions = {d.code: d for d in rubric.deductions}
    names = {f.code: f.name_zh for f in rules.pb.flags} or FLAG_NAMES
    counted: set[str] = set()
    codes = [f["code"] for f in flags]
    if not silent and confidence < NEED_CONFIDENCE_MIN and "service_type_unclear" not in dismissed:
        codes.append("service_type_unclear")
    for f, code in zip(flags + [{}] * (len(codes) - len(flags)), codes, strict=True):
        d = deductions.get(code)
        if d is None or d.item not in items or (d.per == "call" and code in counted):
            continue
        counted.add(code)
        item = items[d.item]
        item["score"] = max(0.0, item["score"] - d.points)
        where = f"（第{f['turn'] + 1}轮）" if f.get("turn") is not None else ""
        said = f"「{f.get('phrase')}」" if f.get("phrase") and code in ("banned_phrase", "nonstandard_wording", "outcome_promised") else ""
        item["reasons"].append(f"{names.get(code, code)}{said}{where} −{d.points}")
    total = sum(i["score"] for i in items.values())
    return {"total": round(total, 1), "max": rubric.total, "items": list(items.values())}
