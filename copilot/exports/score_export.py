"""Scores of many calls for the trainer: gather them (files or the store) and export CSV / HTML."""

from __future__ import annotations

import csv
import html
import io
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from copilot.errors import CopilotError, user_errors
from copilot.labels import FLAG_ZH, SERVICE_TYPE_ZH

log = logging.getLogger(__name__)


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the call files (transcripts, recordings) of folders named, in order."""
    from copilot.session.source import call_files

    return call_files(paths)


def analyse_file(path: Path, *, engine: str = "auto") -> dict[str, Any]:
    """The docs/formats.md §2 result of one transcript or recording (raises a user error on bad input)."""
    from copilot.session.files import analyse_file as analyse

    return analyse(path, engine=engine)[0]


def collect_calls(paths: Iterable[str | Path], *, engine: str = "auto"
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Analyse every file; returns (results, calls as ``copilot.evaluation.batch`` gives them, error messages)."""
    from copilot.evaluation.batch import score_one

    results, calls, errors = [], [], []
    for p in expand(paths):
        item = score_one(str(p), engine)
        if item["ok"]:
            results.append(item["result"] | {"agent_id": item["call"].get("agent_id"),
                                             "started_at": item["call"].get("started_at")})
            calls.append(item["call"])
        else:
            errors.append(item["error"] if item["error"].startswith(str(p)) else f"{p}: {item['error']}")
    return results, calls, errors


def collect_results(paths: Iterable[str | Path], *, engine: str = "auto") -> tuple[list[dict[str, Any]], list[str]]:
    """Analyse every file; returns (results, error messages) — one bad file does not stop the rest."""
    results, errors = [], []
    for p in expand(paths):
        try:
            results.append(analyse_file(p, engine=engine))
        except user_errors() as exc:
            errors.append(str(exc))
    return results, errors


def stored_results(store: Any) -> list[dict[str, Any]]:
    """The analysis results kept in the store (calls without a result are skipped), with their reviews
    (the reviewed score and flags, ``copilot.store.reviews``), agent and start time."""
    from copilot.store import list_calls

    try:
        rows = list_calls(store)
    except Exception as exc:
        raise CopilotError(f"cannot read calls: {exc}", where="store") from exc
    return [json.loads(r.result_json) | {"agent_id": r.agent_id, "started_at": r.started_at}
            for r in rows if r.result_json]


def store_results(store: Any, results: list[dict[str, Any]], calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store scored calls (``copilot score`` without ``--no-store``) so they reach ``copilot report``;
    returns each result as stored — with any earlier reviews and adjustments of the same call applied."""
    from copilot.store import load_call, save_result
    from copilot.transcript import Transcript, Turn

    out = []
    for result, call in zip(results, calls, strict=True):
        tr = Transcript(call_id=result["call_id"], turns=tuple(Turn(*t) for t in call.get("turns", [])),
                        started_at=call.get("started_at"), ring_seconds=call.get("ring_seconds"),
                        source=call.get("file", ""), extra={"agent_id": call.get("agent_id")})
        save_result(store, tr, result, source=call.get("file", ""))
        out.append(json.loads(load_call(store, result["call_id"])["call"]["result_json"]))
    return out


def item_names(results: list[dict[str, Any]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for r in results:
        for it in (r.get("score") or {}).get("items", []):
            seen.setdefault(it["id"], it.get("name_zh", it["id"]))
    return list(seen.items())


def to_csv(results: list[dict[str, Any]]) -> str:
    items = item_names(results)
    buf = io.StringIO()
    w = csv.writer(buf)
    from copilot.evaluation.batch import flag_details

    w.writerow(["call_id", "service_type", "score", "max", *[i for i, _ in items], "flags", "agent_id", "reviewed",
                "adjustment", "flag_details"])
    for r in results:
        score = r.get("score") or {}
        by_id = {it["id"]: it["score"] for it in score.get("items", [])}
        counted = [f for f in r.get("flags", []) if f.get("review") != "dismissed"]
        w.writerow([r["call_id"], r.get("service_type"), score.get("total"), score.get("max"),
                    *[by_id.get(i) for i, _ in items], " ".join(f["code"] for f in counted), r.get("agent_id") or "",
                    bool(score.get("reviewed")), score.get("adjustment") or 0, flag_details(r.get("flags", []))])
    return buf.getvalue()


def to_html(results: list[dict[str, Any]]) -> str:
    """A self-contained page: the table of calls, then one score card per call."""
    e = html.escape
    rows, cards = [], []
    for r in results:
        score = r.get("score") or {}
        st = r.get("service_type")
        rows.append(f"<tr><td>{e(r['call_id'])}</td><td>{e(SERVICE_TYPE_ZH.get(st, str(st)))}</td>"
                    f"<td>{score.get('total', '')}</td><td>{len(r.get('flags', []))}</td></tr>")
        items = "".join(f"<tr><td>{e(it.get('name_zh', it['id']))}</td><td>{it['score']:g}/{it['max']}</td>"
                        f"<td>{e('；'.join(it.get('reasons', [])))}</td></tr>" for it in score.get("items", []))
        from copilot.store.reviews import REVIEW_ZH, describe

        flags = "、".join(
            FLAG_ZH.get(f["code"], f["code"]) + ("" if f.get("turn") is None else f"（第{f['turn'] + 1}轮）")
            + (f"[{REVIEW_ZH.get('added' if f.get('origin') == 'inspector' else f.get('review'))}]"
               if f.get("review") else "") for f in r.get("flags", [])) or "无"
        how = describe(score)
        notes = "".join(f"<li>{e(a.get('by', ''))}：{e(format(a['points'], '+g')) + ' 分 ' if a.get('points') else ''}"
                        f"{e(a.get('reason', ''))} {e(a.get('comment', ''))}</li>" for a in score.get("adjustments") or [])
        cards.append(f"<h2>{e(r['call_id'])} — {score.get('total', '—')}/{score.get('max', '')}</h2>"
                     + (f"<p>{e(how)}</p>" if how else "")
                     + f"<p>标记：{e(flags)}</p><table><tr><th>项目</th><th>得分</th><th>原因</th></tr>{items}</table>"
                     + (f"<p>培训意见</p><ul>{notes}</ul>" if notes else ""))
    style = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:3px 8px}")
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>通话评分</title>'
            f"<style>{style}</style></head><body><h1>通话评分</h1><table><tr><th>通话</th><th>服务类型</th>"
            f"<th>得分</th><th>标记数</th></tr>{''.join(rows)}</table>{''.join(cards)}</body></html>")


def write_scores(results: list[dict[str, Any]], out_dir: str | Path) -> tuple[Path, Path]:
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    c, h = d / "scores.csv", d / "scores.html"
    c.write_text(to_csv(results), encoding="utf-8")
    h.write_text(to_html(results), encoding="utf-8")
    return c, h
