"""The report as one self-contained HTML file: tables, definitions and inline SVG charts; prints well."""

from __future__ import annotations

from html import escape
from pathlib import Path

from copilot.indicators import svg
from copilot.indicators.compute import COPILOT_SCALAR_KEYS, STANDARD_KEYS, Report
from copilot.indicators.definitions import BY_KEY, FLAG_ZH
from copilot.indicators.report import AGENT_KEYS, AGENT_LABELS, SHORT, TREND_KEYS, fmt, indicator_rows
from copilot.standard import ANSWER_LIMIT_S

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:60em;
 color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}th{background:#eef1f5}
.fail{color:#b00020;font-weight:bold}.pass{color:#1b6e20}.def{color:#555;font-size:.85em}
.chart{width:100%;height:auto;max-height:22em}.chart .lbl{font-size:11px;fill:#333}
.chart .lim{font-size:11px;fill:#b00020}.chart .grid{stroke:#ddd;stroke-width:1}
.chart .axis{stroke:#888}.chart .series{fill:none;stroke:#1f5fa8;stroke-width:2}
.chart .dot{fill:#1f5fa8}.chart .bar{fill:#4f86c6}
.chart .limit{stroke:#b00020;stroke-dasharray:6 4;stroke-width:1.5}
figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}figcaption{font-size:.9em;color:#444}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{page-break-after:avoid;break-after:avoid}
 tr,figure{page-break-inside:avoid;break-inside:avoid}th{background:#eee !important;
 -webkit-print-color-adjust:exact;print-color-adjust:exact}a{color:inherit;text-decoration:none}
 .chart .bar,.chart .dot{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _e(s: object) -> str:
    return escape(str(s))


def _table(head: list[str], rows: list[list[str]], cls: str = "", num_from: int = 1) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_e(c)}</td>' if i >= num_from else f"<td>{_e(c)}</td>"
                         for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _indicator_table(report: Report) -> str:
    rows = []
    for r in indicator_rows(report):
        ind = BY_KEY[r["key"]]
        ok = report.passed.get(r["key"])
        cls = "" if ok is None else ("pass" if ok else "fail")
        rows.append(
            f'<tr id="ind-{r["key"]}"><td><b>{_e(r["zh"])}</b> {_e(r["en"])}<div class="def">{_e(ind.definition_zh)}'
            f'<br>{_e(ind.definition_en)}</div></td><td class="num">{_e(r["value"])}</td>'
            f'<td class="num">{_e(r["limit"])}</td><td class="{cls}">{_e(r["pass"])}</td>'
            f'<td class="num">{_e(r["n"])}</td></tr>'
        )
    head = "".join(f"<th>{h}</th>" for h in ("指标 Indicator", "数值 Value", "标准 Limit", "结果 Result", "样本 n"))
    return f'<table class="indicators"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _charts(report: Report) -> str:
    line = svg.line_chart([(d.day[5:], d.total_connection_rate) for d in report.daily], limit=0.90,
                          title="总接通率（日） Total connection rate by day")
    bins = [(f"{b.lo:g}–{b.hi:g}" if b.hi is not None else f"≥{b.lo:g}", b.count) for b in report.answer_histogram]
    limit_index = next((i for i, b in enumerate(report.answer_histogram) if b.lo >= ANSWER_LIMIT_S), None)
    hist = svg.histogram(bins, limit_index=limit_index, title="应答时长分布（秒） Answer-time distribution (s)",
                         limit_label=f"{ANSWER_LIMIT_S:g} s")
    bars = svg.bar_chart([(f"{FLAG_ZH.get(k, k)}", v) for k, v in report.flag_rates.items()],
                         title="各类标记发生率 Flag rates")
    return (
        f'<figure id="chart-connection">{line}<figcaption>总接通率（日） Total connection rate by day; '
        "虚线为标准 90% — dashed: the 90 % limit; 无来电之日留空 — days without calls are gaps.</figcaption></figure>"
        f'<figure id="chart-answer">{hist}<figcaption>应答时长分布 Answer-time distribution of agent-answered calls '
        f"({sum(b.count for b in report.answer_histogram)} calls).</figcaption></figure>"
        f'<figure id="chart-flags">{bars}<figcaption>各类标记发生率 Flag rates over {report.analysed_calls} '
        "analysed calls.</figcaption></figure>"
    )


def render_html(report: Report) -> str:
    """The whole report as one HTML document (no scripts, no external resources)."""
    p = report.period
    trend_head = ["月份 Month", *(f"{SHORT[k][0]} {SHORT[k][1]}" for k in TREND_KEYS)]
    monthly = _table(trend_head, [[g.name, *(fmt(k, g.values[k]) for k in TREND_KEYS)] for g in report.monthly])
    daily = _table(
        ["日期 Date", "来电 Inbound", "接通 Connected", "总接通率 Connection", "人工接听 Agent-answered",
         "平均应答 Avg answer", "及时响应 Response"],
        [[d.day, d.inbound, d.connected, fmt("total_connection_rate", d.total_connection_rate), d.agent_answered,
          fmt("average_answer_s", d.average_answer_s), fmt("timely_response_rate", d.timely_response_rate)]
         for d in report.daily if d.inbound],
    )
    agent_head = ["座席 Agent", *(" ".join(AGENT_LABELS.get(k) or SHORT[k]) for k in AGENT_KEYS)]
    agents = _table(agent_head, [[g.name, *(fmt(k, g.values[k]) for k in AGENT_KEYS)] for g in report.per_agent])
    n_std = len(STANDARD_KEYS)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>12368诉讼服务热线服务质量报告 {_e(p.label)}</title><style>{_CSS}</style></head><body>"
        f"<h1>12368诉讼服务热线服务质量报告</h1><p>Service-quality report · {_e(p.label)} · {p.start} … {p.end}"
        f" · 生成 generated {report.as_of:%Y-%m-%d %H:%M} UTC</p>"
        f"<p>来电 inbound calls <b>{report.inbound_calls}</b> · 服务事项 matters <b>{report.matters}</b> · "
        f"系统分析通话 analysed calls <b>{report.analysed_calls}</b>"
        f"{f'（其中 <b>{report.reviewed_calls}</b> 通经质检复核，标记与评分按复核结果 reviewed by inspectors: flags and scores as reviewed）' if report.reviewed_calls else ''}"
        f". 依据 DB330503/T02.3—2018 §6.2、§7；"
        f"前 {n_std} 项为标准指标，其余 {len(COPILOT_SCALAR_KEYS)} 项来自本系统的通话分析。"
        "“—” 表示没有可计算的样本 (no data).</p>"
        f"<h2>指标 Indicators</h2>{_indicator_table(report)}"
        f"<h2>图表 Charts</h2>{_charts(report)}"
        f"<h2>月度趋势 Monthly trend</h2>{monthly}"
        f"<h2>座席 Per agent</h2>{agents}"
        f"<h2>每日 Daily</h2>{daily}"
        "</body></html>\n"
    )


def write_html(report: Report, path: str | Path) -> None:
    Path(path).write_text(render_html(report), encoding="utf-8")
