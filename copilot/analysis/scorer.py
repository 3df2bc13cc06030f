"""The score card: the phrasebook's rubric (default 100 points), each item with its reasons."""

from __future__ import annotations

from typing import Any

from copilot.analysis.rules import Rules

FLAG_NAMES = {
    "greeting_missing": "未使用标准问候语",
    "answer_late": "超过15秒接听",
    "banned_phrase": "使用禁止用语",
    "nonstandard_wording": "使用不规范用语",
    "wait_apology_missing": "来电人久等未致歉",
    "silent_call_script_missing": "无声电话未按规范话术处理",
    "referral_missing": "范围外事项未告知其他单位及联系方式",
    "judge_callback_missing": "法官联系不上时未留言并承诺回复",
    "complaint_not_forwarded": "投诉举报未告知记录并转交",
    "closing_missing": "未使用结束语",
    "service_type_unclear": "未能明确来电需求",
}
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
        said = f"「{f.get('phrase')}」" if f.get("phrase") and code in ("banned_phrase", "nonstandard_wording") else ""
        item["reasons"].append(f"{FLAG_NAMES.get(code, code)}{said}{where} −{d.points}")
    total = sum(i["score"] for i in items.values())
    return {"total": round(total, 1), "max": rubric.total, "items": list(items.values())}
