"""Readable text of an analysis result (Chinese labels first)."""

from __future__ import annotations

from typing import Any

from copilot.labels import CASE_SOURCE_ZH, FLAG_ZH, RECORD_ZH, ROLE_ZH, SERVICE_TYPE_ZH


def _value(key: str, v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if key == "caller_role":
        return f"{ROLE_ZH.get(v, v)} ({v})"
    if key == "case_source":
        return f"{CASE_SOURCE_ZH.get(v, v)} ({v})"
    return str(v)


def format_result(r: dict[str, Any]) -> str:
    st = r.get("service_type")
    lines = [f"通话 {r['call_id']}",
             f"  服务类型: {SERVICE_TYPE_ZH.get(st, st)} ({st})  置信度 {r.get('confidence', 0):.2f}"]
    others = [s for s in r.get("service_types", []) if s != st]
    if others:
        lines.append("  其他需求: " + "、".join(SERVICE_TYPE_ZH.get(s, s) for s in others))
    flags = r.get("flags", [])
    lines.append(f"  标记 flags ({len(flags)}):" if flags else "  标记 flags: 无")
    for f in flags:
        where = f"第{f['turn'] + 1}轮 " if f.get("turn") is not None else ""
        at = f"{f['start']:.1f}s " if f.get("start") is not None else ""
        said = f"「{f['phrase']}」 " if f.get("phrase") else ""
        lines.append(f"    [{FLAG_ZH.get(f['code'], f['code'])}] {where}{at}{said}→ {f.get('suggestion', '')}")
        if f.get("explanation"):
            lines.append(f"      为什么: {f['explanation']}")
    lines.append("  通话记录 record:")
    for k, v in (r.get("record") or {}).items():
        lines.append(f"    {RECORD_ZH.get(k, k)}: {_value(k, v)}")
    score = r.get("score")
    if score:
        lines.append(f"  评分 score: {score['total']:g}/{score['max']}")
        for it in score["items"]:
            why = "；".join(it.get("reasons", []))
            lines.append(f"    {it.get('name_zh', it['id'])} {it['score']:g}/{it['max']}" + (f"  {why}" if why else ""))
    return "\n".join(lines)


def summary_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        rec = r.get("record") or {}
        rows.append({
            "call_id": r["call_id"], "service_type": r.get("service_type"),
            "flags": " ".join(f["code"] for f in r.get("flags", [])),
            "score": (r.get("score") or {}).get("total"),
            "caller_role": rec.get("caller_role"), "case_number": rec.get("case_number"),
            "phone": rec.get("phone"), "judge_name": rec.get("judge_name"),
        })
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(无)"
    head = ["call_id", "service_type", "score", "flags"]
    lines = [f"{'通话 call_id':<20}{'服务类型':<14}{'评分':>6}  标记 flags"]
    for row in rows:
        st = SERVICE_TYPE_ZH.get(row["service_type"], row["service_type"] or "")
        lines.append(f"{row[head[0]]:<20}{st:<14}{row['score'] if row['score'] is not None else '—':>6}  {row['flags']}")
    return "\n".join(lines)
