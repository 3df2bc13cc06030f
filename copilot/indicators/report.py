"""A computed report as JSON, as a terminal table (Chinese labels first), and as an indicator CSV."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any

from copilot.indicators.compute import COPILOT_SCALAR_KEYS, STANDARD_KEYS, Report
from copilot.indicators.definitions import BY_KEY, FLAG_ZH, LIMITS, SERVICE_TYPE_ZH, Limit

DASH = "—"
JSON_KEYS = (*STANDARD_KEYS, *COPILOT_SCALAR_KEYS, "flag_rates", "service_type_mix",
             "limits", "pass", "daily", "monthly", "per_agent")
"""Top-level keys of ``--json``, exactly."""

TREND_KEYS = ("total_connection_rate", "average_answer_s", "timely_response_rate", "timely_reply_rate",
              "effective_completion_rate", "satisfaction_rate", "greeting_compliance_rate", "average_score")
AGENT_KEYS = ("calls_answered", "average_answer_s", "timely_response_rate", "matters", "timely_reply_rate",
              "effective_completion_rate", "satisfaction_rate", "calls_analysed", "greeting_compliance_rate",
              "banned_phrases_per_100_calls", "average_score")
AGENT_LABELS = {"calls_answered": ("接听数", "Answered"), "matters": ("事项数", "Matters"),
                "calls_analysed": ("分析数", "Analysed")}
SHORT = {
    "average_answer_s": ("平均应答", "Avg answer"), "total_connection_rate": ("总接通率", "Connection"),
    "timely_response_rate": ("及时响应", "Response"), "timely_reply_rate": ("及时回复", "Reply"),
    "effective_completion_rate": ("有效办结", "Completion"), "satisfaction_rate": ("满意率", "Satisfaction"),
    "greeting_compliance_rate": ("问候语", "Greeting"), "banned_phrases_per_100_calls": ("禁语/百通", "Banned/100"),
    "average_score": ("平均分", "Score"),
}


def fmt(key: str, value: object) -> str:
    """A value for people: ``—`` when absent, rates as percentages."""
    if value is None:
        return DASH
    unit = BY_KEY[key].unit if key in BY_KEY else "count"
    if unit in ("rate", "mix"):
        return f"{float(value) * 100:.1f}%"
    if unit == "seconds":
        return f"{float(value):.1f} s"
    if unit in ("per100", "score"):
        return f"{float(value):.1f}"
    return str(value)


def fmt_limit(key: str, limit: Limit | None) -> str:
    if limit is None:
        return DASH
    op = {"<": "<", "<=": "≤", ">=": "≥"}[limit.op]
    return f"{op} {fmt(key, limit.bound)}"


def fmt_pass(ok: bool | None) -> str:
    return DASH if ok is None else ("达标 pass" if ok else "未达标 FAIL")


def to_json(report: Report) -> dict[str, Any]:
    """The ``--json`` document: indicator keys (rates as fractions, null when no denominator) and tables."""
    out: dict[str, Any] = {k: report.measures[k].value for k in (*STANDARD_KEYS, *COPILOT_SCALAR_KEYS)}
    out["flag_rates"] = dict(report.flag_rates)
    out["service_type_mix"] = dict(report.service_type_mix)
    out["limits"] = {k: lim.as_json() for k, lim in LIMITS.items()}
    out["pass"] = dict(report.passed)
    out["daily"] = [{"date": d.pop("day"), **d} for d in (asdict(r) for r in report.daily)]
    out["monthly"] = [{"month": g.name, **g.values} for g in report.monthly]
    out["per_agent"] = {g.name: dict(g.values) for g in report.per_agent}
    out["analysed_calls"] = report.analysed_calls
    out["reviewed_calls"] = report.reviewed_calls  # calls whose flags and score are the reviewed set
    return out


# -- terminal -----------------------------------------------------------------------------------


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if i in right else cell + pad)
        return "  ".join(parts).rstrip()

    return [line(header), "  ".join("─" * w for w in widths), *(line(r) for r in rows)]


def indicator_rows(report: Report) -> list[dict[str, str]]:
    """The indicator table (shared by the terminal, HTML and CSV outputs)."""
    rows = []
    for key in (*STANDARD_KEYS, *COPILOT_SCALAR_KEYS):
        ind, m = BY_KEY[key], report.measures[key]
        rows.append({
            "key": key, "zh": ind.zh, "en": ind.en, "value": fmt(key, m.value), "limit": fmt_limit(key, ind.limit),
            "pass": fmt_pass(report.passed.get(key)), "n": str(m.n), "source": ind.source,
        })
    return rows


def render_text(report: Report) -> str:
    """A readable plain-text report for the terminal."""
    p = report.period
    out = [
        f"12368诉讼服务热线服务质量报告  Service-quality report  {p.label}  ({p.start} … {p.end})",
        f"来电 inbound calls {report.inbound_calls} · 服务事项 matters {report.matters} · "
        f"系统分析通话 analysed calls {report.analysed_calls}",
        *([f"其中 {report.reviewed_calls} 通经质检复核：标记与评分按复核结果（驳回的不扣分，补充的扣分） "
           f"{report.reviewed_calls} reviewed by inspectors: flags and scores as reviewed"]
          if report.reviewed_calls else []),
        "",
    ]
    rows = [[f"{r['zh']} {r['en']}", r["value"], r["limit"], r["pass"], r["n"]] for r in indicator_rows(report)]
    out += _table(["指标 Indicator", "数值 Value", "标准 Limit", "结果 Result", "样本 n"], rows, right={1, 4})
    out += ["", "各类标记发生率 Flag rates"]
    out += _table(["标记 Flag", "发生率 Rate"],
                  [[f"{FLAG_ZH.get(k, k)} {k}", fmt("flag_rates", v)] for k, v in report.flag_rates.items()], {1})
    out += ["", "服务类型构成 Service-type mix"]
    out += _table(["类型 Type", "占比 Share"],
                  [[f"{SERVICE_TYPE_ZH.get(k, k)} {k}", fmt("service_type_mix", v)]
                   for k, v in report.service_type_mix.items()], {1})
    trend_head = ["月份 Month", *(f"{SHORT[k][0]} {SHORT[k][1]}" for k in TREND_KEYS)]
    out += ["", "月度趋势 Monthly trend"]
    out += _table(trend_head, [[g.name, *(fmt(k, g.values[k]) for k in TREND_KEYS)] for g in report.monthly],
                  set(range(1, len(trend_head))))
    out += ["", "每日 Daily (有来电的日子 days with inbound calls)"]
    out += _table(["日期 Date", "来电 Inbound", "接通 Connected", "总接通率 Connection", "平均应答 Avg answer"],
                  [[d.day, str(d.inbound), str(d.connected), fmt("total_connection_rate", d.total_connection_rate),
                    fmt("average_answer_s", d.average_answer_s)] for d in report.daily if d.inbound], {1, 2, 3, 4})
    out += ["", "座席 Per agent"]
    head = ["座席 Agent", *(" ".join(AGENT_LABELS.get(k) or SHORT[k]) for k in AGENT_KEYS)]
    out += _table(head, [[g.name, *(fmt(k, g.values[k]) for k in AGENT_KEYS)] for g in report.per_agent],
                  set(range(1, len(head))))
    return "\n".join(out) + "\n"


def write_csv(report: Report, path: str | Path) -> None:
    """The indicator table as CSV (UTF-8 with BOM so spreadsheets show the Chinese); rates as fractions."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "indicator_zh", "indicator_en", "value", "limit_op", "limit_value", "pass", "n", "source"])
        for key in (*STANDARD_KEYS, *COPILOT_SCALAR_KEYS):
            ind, m = BY_KEY[key], report.measures[key]
            ok = report.passed.get(key)
            w.writerow([key, ind.zh, ind.en, "" if m.value is None else repr(m.value),
                        ind.limit.op if ind.limit else "", ind.limit.bound if ind.limit else "",
                        "" if ok is None else str(ok).lower(), m.n, ind.source])
        for code, v in report.flag_rates.items():
            w.writerow([f"flag_rates.{code}", FLAG_ZH.get(code, code), code, "" if v is None else repr(v),
                        "", "", "", report.analysed_calls, "copilot"])
