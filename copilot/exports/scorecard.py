"""An HTML scorecard per agent over a period, for trainers: the agent's score trend, the flags raised most
often (with example sentences said in the agent's calls), and each call's score.

Scores and flags are the reviewed ones (``copilot.store.reviews``): dismissed flags are left out, inspector-added
ones counted. The page is self-contained (inline CSS and SVG, no scripts, nothing fetched).
"""

from __future__ import annotations

import html
import logging
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from copilot.errors import CopilotError, StoreError
from copilot.labels import FLAG_ZH, SERVICE_TYPE_ZH

log = logging.getLogger(__name__)
EXAMPLES_PER_FLAG = 3
TOP_FLAGS = 8
NO_AGENT = "（未注明座席）"


def agent_cards(engine: Engine, start: date, end: date, agent: str | None = None) -> list[dict[str, Any]]:
    """One card per agent with analysed calls in ``start`` … ``end`` (the calls' own days)."""
    from copilot.indicators.analysis import load_analysis
    from copilot.store import FlagRow

    with Session(engine) as s:
        calls = load_analysis(s, start, end)
        if agent is not None:
            calls = [c for c in calls if (c.agent_id or NO_AGENT) == agent]
        ids = [c.call_id for c in calls]
        f = FlagRow.__table__.c
        try:
            rows = s.execute(select(f.call_id, f.code, f.turn, f.text, f.phrase, f.origin, f.review_comment)
                             .where(f.call_id.in_(ids), or_(f.review.is_(None), f.review != "dismissed"))
                             .order_by(f.id)).all() if ids else []
        except Exception as exc:
            raise StoreError(f"cannot read flags: {exc}", where="flags") from exc
    examples: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        examples[r.call_id].append(r)
    by_agent: dict[str, list[Any]] = defaultdict(list)
    for c in calls:
        by_agent[c.agent_id or NO_AGENT].append(c)
    cards = []
    for name in sorted(by_agent):
        cs = sorted(by_agent[name], key=lambda c: c.started_at or "")
        scored = [c.score_total for c in cs if c.score_total is not None]
        per_day: dict[str, list[float]] = defaultdict(list)
        for c in cs:
            if c.score_total is not None and c.day:
                per_day[c.day].append(c.score_total)
        codes = Counter(code for c in cs for code in set(c.flag_codes))
        top = []
        for code, n in codes.most_common(TOP_FLAGS):
            said = []
            for c in cs:
                for r in examples[c.call_id]:
                    if r.code == code and (r.phrase or r.text) and len(said) < EXAMPLES_PER_FLAG:
                        said.append({"call_id": c.call_id, "turn": r.turn, "text": r.text, "phrase": r.phrase,
                                     "added": r.origin == "inspector", "note": r.review_comment})
            top.append({"code": code, "calls": n, "share": n / len(cs), "examples": said})
        cards.append({
            "agent": name, "calls": len(cs), "reviewed": sum(1 for c in cs if c.reviewed),
            "average": sum(scored) / len(scored) if scored else None,
            "trend": [(day, sum(v) / len(v)) for day, v in sorted(per_day.items())],
            "top_flags": top,
            "table": [{"call_id": c.call_id, "day": c.day, "service_type": c.service_type, "score": c.score_total,
                       "reviewed": c.reviewed, "flags": len(c.flag_codes)} for c in cs],
        })
    return cards


_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:980px;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
td.num{text-align:right}.chart{width:100%;height:auto}.lbl{font-size:11px;fill:#333}.grid{stroke:#ddd}
.series{stroke:#4a78b5;fill:none;stroke-width:2}.dot{fill:#4a78b5}.bar{fill:#c0504d}.axis{stroke:#999}
.limit{stroke:#999;stroke-dasharray:4 3}.lim{font-size:10px;fill:#666}q{color:#8b1a1a}
section{page-break-after:always;border-top:2px solid #4a78b5;margin-top:2em}"""


def render_scorecards(cards: list[dict[str, Any]], *, start: date, end: date) -> str:
    from copilot.indicators.svg import bar_chart, line_chart

    e = html.escape
    body = []
    for c in cards:
        avg = "—" if c["average"] is None else f"{c['average']:.1f}"
        trend = line_chart([(d[5:], v / 100) for d, v in c["trend"]], limit=None, title=f"{c['agent']} 每日平均分")
        bars = bar_chart([(FLAG_ZH.get(t["code"], t["code"]), t["share"]) for t in c["top_flags"]],
                         title=f"{c['agent']} 标记出现率")
        flags = []
        for t in c["top_flags"]:
            said = "".join(
                f"<li>{e(x['call_id'])} 第{'' if x['turn'] is None else x['turn'] + 1}轮："
                f"<q>{e(x['text'] or x['phrase'])}</q>"
                + (f"（质检补充：{e(x['note'] or '')}）" if x["added"] else "") + "</li>" for x in t["examples"])
            flags.append(f"<tr><td>{e(FLAG_ZH.get(t['code'], t['code']))}</td><td class=num>{t['calls']}</td>"
                         f"<td class=num>{t['share'] * 100:.0f}%</td><td><ul>{said}</ul></td></tr>")
        rows = "".join(
            f"<tr><td>{e(r['call_id'])}</td><td>{e(r['day'] or '')}</td>"
            f"<td>{e(SERVICE_TYPE_ZH.get(r['service_type'], r['service_type'] or '—'))}</td>"
            f"<td class=num>{'—' if r['score'] is None else format(r['score'], 'g')}</td>"
            f"<td>{'已复核' if r['reviewed'] else ''}</td><td class=num>{r['flags']}</td></tr>" for r in c["table"])
        body.append(
            f"<section><h2>座席 {e(c['agent'])}</h2><p>{c['calls']} 通电话，平均分 <b>{avg}</b>"
            f"（{c['reviewed']} 通经质检复核：驳回的标记不扣分，补充的扣分）</p>"
            f"<h3>评分趋势 Score trend</h3>{trend}<h3>最常见的标记 Most frequent flags</h3>{bars}"
            f"<table><tr><th>标记</th><th>通数</th><th>占比</th><th>例句</th></tr>{''.join(flags)}</table>"
            f"<h3>通话 Calls</h3><table><tr><th>通话</th><th>日期</th><th>服务类型</th><th>评分</th><th>复核</th>"
            f"<th>标记</th></tr>{rows}</table></section>")
    empty = "" if cards else "<p>这段时间没有已分析的通话。No analysed calls in this period.</p>"
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>座席评分卡 {start} … {end}</title>'
            f"<style>{_CSS}</style></head><body><h1>座席评分卡 Agent scorecards</h1>"
            f"<p>{start} … {end} · {len(cards)} 位座席</p>{empty}{''.join(body)}</body></html>")


def write_scorecards(engine: Engine, out: str | Path, *, start: date, end: date, agent: str | None = None) -> int:
    """Write the page; returns the number of agents on it."""
    if end < start:
        raise CopilotError("the period ends before it starts", where=f"{start} … {end}")
    cards = agent_cards(engine, start, end, agent)
    try:
        Path(out).write_text(render_scorecards(cards, start=start, end=end), encoding="utf-8")
    except OSError as exc:
        raise CopilotError(f"cannot write: {exc.strerror or exc}", where=str(out)) from exc
    return len(cards)
