"""An inspector's reviewed call as a JSON document and a self-contained HTML page."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from copilot.labels import FLAG_ZH, RECORD_ZH, ROLE_ZH, SERVICE_TYPE_ZH

REVIEW_ZH = {"confirmed": "确认", "dismissed": "驳回", None: "未审核"}


def review_document(call_id: str, utterances: list[dict[str, Any]], flags: list[dict[str, Any]],
                    record: dict[str, Any] | None, result: dict[str, Any] | None = None) -> dict[str, Any]:
    """The reviewed call: turns, flags with the inspector's verdicts and comments, record and score."""
    keep = ("id", "code", "turn", "speaker", "start", "text", "phrase", "suggestion", "review", "review_comment",
            "reviewer", "reviewed_at", "origin", "stale")
    return {
        "call_id": call_id,
        "service_type": (result or {}).get("service_type"),
        "turns": [{k: u.get(k) for k in ("speaker", "start", "end", "text")} for u in utterances],
        "flags": [{k: f.get(k) for k in keep} for f in flags],
        "record": {k: v for k, v in (record or {}).items() if k in RECORD_ZH or k == "resolved"},
        "score": (result or {}).get("score"),
    }


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str)


_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:left}
.agent{color:#1a4f8b}.caller{color:#6b3d00}.confirmed{background:#fde2e2}.dismissed{color:#888}
.flagged{background:#fff4d6}"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def to_html(doc: dict[str, Any]) -> str:
    """A self-contained page (inline CSS, no scripts or external files)."""
    flagged = {f.get("turn") for f in doc["flags"]}
    st = doc.get("service_type")
    rows = "".join(
        f'<tr class="{"flagged" if i in flagged else ""}"><td>{t["start"]:.1f}s</td>'
        f'<td class="{_e(t["speaker"])}">{"座席员" if t["speaker"] == "agent" else "来电人"}</td>'
        f"<td>{_e(t['text'])}</td></tr>" for i, t in enumerate(doc["turns"]))
    flags = "".join(
        f'<tr class="{_e(f.get("review"))}"><td>{_e(FLAG_ZH.get(f["code"], f["code"]))}</td>'
        f'<td>{"" if f.get("turn") is None else f["turn"] + 1}</td><td>{_e(f.get("phrase") or f.get("text"))}</td>'
        f"<td>{_e(f.get('suggestion'))}</td><td>{_e(REVIEW_ZH.get(f.get('review'), f.get('review')))}"
        f"{'（补充）' if f.get('origin') == 'inspector' else ''}{'（不再触发）' if f.get('stale') else ''}"
        f"{' ' + _e(f.get('reviewer')) if f.get('reviewer') else ''}</td>"
        f"<td>{_e(f.get('review_comment'))}</td></tr>" for f in doc["flags"])
    rec = "".join(f"<tr><th>{_e(RECORD_ZH.get(k, k))}</th><td>{_e(ROLE_ZH.get(v, v) if k == 'caller_role' else v)}"
                  f"</td></tr>" for k, v in doc["record"].items())
    score = doc.get("score") or {}
    items = "".join(f"<tr><td>{_e(i.get('name_zh', i['id']))}</td><td>{i['score']:g}/{i['max']}</td>"
                    f"<td>{_e('；'.join(i.get('reasons', [])))}</td></tr>" for i in score.get("items", []))
    total = f"<p>总分 {score['total']:g}/{score['max']}</p>" if score else ""
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>质检 {_e(doc["call_id"])}</title>'
            f"<style>{_CSS}</style></head><body><h1>通话质检 {_e(doc['call_id'])}</h1>"
            f"<p>服务类型：{_e(SERVICE_TYPE_ZH.get(st, st))}</p>"
            f"<h2>标记</h2><table><tr><th>类型</th><th>轮次</th><th>原话</th><th>建议</th><th>审核</th><th>意见</th></tr>"
            f"{flags}</table><h2>通话记录</h2><table>{rec}</table>"
            f"<h2>评分</h2>{total}<table>{items}</table>"
            f"<h2>通话内容</h2><table>{rows}</table></body></html>")


def write_review(doc: dict[str, Any], out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``<call_id>.review.json`` and ``<call_id>.review.html``; returns both paths."""
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    j, h = d / f"{doc['call_id']}.review.json", d / f"{doc['call_id']}.review.html"
    j.write_text(to_json(doc), encoding="utf-8")
    h.write_text(to_html(doc), encoding="utf-8")
    return j, h
