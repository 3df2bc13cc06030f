"""Benchmark: ``python -m copilot.indicators.bench [--rows N]``.

Generates N CDR rows (inbound calls and callbacks of missed ones, spread over 2026Q3) and one
outcome per inbound call as CSV files, imports them into a temporary SQLite file, and times the
imports and the report (computation plus terminal, JSON and HTML rendering).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import Session

CST = timezone(timedelta(hours=8))


def generate(dir_: Path, rows: int, seed: int = 12368) -> tuple[Path, Path]:
    """Write ``cdr.csv`` (``rows`` rows) and ``outcomes.csv`` into ``dir_``."""
    rnd = random.Random(seed)
    start = datetime(2026, 7, 1, 8, 0, tzinfo=CST)
    cdr_path, out_path = dir_ / "cdr.csv", dir_ / "outcomes.csv"
    with open(cdr_path, "w", newline="", encoding="utf-8") as fc, open(out_path, "w", newline="", encoding="utf-8") as fo:
        wc, wo = csv.writer(fc), csv.writer(fo)
        wc.writerow(["call_id", "direction", "entered_at", "answered_by", "ring_s", "announcement_s",
                     "transfer_wait_s", "agent_id", "ended_at", "callback_of"])
        wo.writerow(["call_id", "service_type", "reply_due_at", "replied_at", "completed", "satisfaction"])
        n = i = 0
        types = ("contact_judge", "info_query", "consultation", "appointment", "complaint", "out_of_scope")
        while n < rows:
            i += 1
            t = start + timedelta(days=rnd.randrange(92), seconds=rnd.randrange(10 * 3600))
            cid = f"IN{i:07d}"
            ans = rnd.choices(("agent", "ivr", "none"), (80, 12, 8))[0]
            ring = f"{rnd.expovariate(1 / 7):.1f}" if ans == "agent" else ""
            annc = f"{rnd.uniform(5, 24):.1f}" if rnd.random() < 0.5 else ""
            xfer = f"{rnd.uniform(5, 50):.1f}" if ans == "agent" and rnd.random() < 0.3 else ""
            agent = f"a{rnd.randrange(20):02d}" if ans == "agent" else ""
            end = (t + timedelta(seconds=rnd.randrange(30, 600))).isoformat()
            wc.writerow([cid, "inbound", t.isoformat(), ans, ring, annc, xfer, agent, end, ""])
            n += 1
            if ans == "none" and n < rows and rnd.random() < 0.7:
                cb = t + timedelta(hours=rnd.uniform(0.2, 20))
                wc.writerow([f"CB{i:07d}", "callback", cb.isoformat(), "agent", "", "", "",
                             f"a{rnd.randrange(20):02d}", (cb + timedelta(minutes=3)).isoformat(), cid])
                n += 1
            due = t + timedelta(days=rnd.choice((1, 3))) if rnd.random() < 0.4 else None
            replied = due - timedelta(hours=rnd.uniform(-3, 20)) if due is not None and rnd.random() < 0.95 else None
            wo.writerow([cid, rnd.choice(types), due.isoformat() if due else "",
                         replied.isoformat() if replied else "", "true" if rnd.random() < 0.985 else "false",
                         rnd.choices(("satisfied", "neutral", "dissatisfied", ""), (70, 10, 3, 17))[0]])
    return cdr_path, out_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m copilot.indicators.bench")
    ap.add_argument("--rows", type=int, default=100_000, help="CDR rows to generate (default 100000)")
    args = ap.parse_args(argv)

    from copilot.db import make_engine
    from copilot.indicators.cdr import import_cdr
    from copilot.indicators.compute import build_report
    from copilot.indicators.html import render_html
    from copilot.indicators.outcomes import import_outcomes
    from copilot.indicators.period import quarter
    from copilot.indicators.report import render_text, to_json

    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as d:
        dir_ = Path(d)
        t0 = time.perf_counter()
        cdr_path, out_path = generate(dir_, args.rows)
        t1 = time.perf_counter()
        engine = make_engine(f"sqlite:///{dir_ / 'bench.db'}")
        with Session(engine) as s:
            rc = import_cdr(s, cdr_path)
            t2 = time.perf_counter()
            ro = import_outcomes(s, out_path)
            t3 = time.perf_counter()
            again = import_cdr(s, cdr_path)
            t4 = time.perf_counter()
        with Session(engine) as s:
            report = build_report(s, quarter("2026Q3"), as_of=datetime(2026, 10, 1, tzinfo=UTC))
        t5 = time.perf_counter()
        text, doc, page = render_text(report), json.dumps(to_json(report), ensure_ascii=False), render_html(report)
        t6 = time.perf_counter()
        engine.dispose()
    print(f"generate   {args.rows} CDR rows + {ro.rows_read} outcomes: {t1 - t0:6.2f} s")
    print(f"cdr import      {rc.inserted} inserted, {len(rc.errors)} bad:   {t2 - t1:6.2f} s")
    print(f"outcomes import {ro.inserted} inserted:            {t3 - t2:6.2f} s")
    print(f"cdr re-import   {again.unchanged} unchanged:           {t4 - t3:6.2f} s")
    print(f"report compute  {report.inbound_calls} calls, {report.matters} matters: {t5 - t4:6.2f} s")
    print(f"report render   text {len(text)} B, json {len(doc)} B, html {len(page)} B: {t6 - t5:6.2f} s")
    print(f"report total:   {t6 - t4:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
