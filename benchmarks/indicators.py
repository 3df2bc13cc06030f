"""Benchmark: ``python -m benchmarks.indicators [--rows N] [--transcripts N] [--audio N] [--no-ray]``.

Report: generates N CDR rows (inbound calls and callbacks of missed ones, spread over 2026Q3) and one
outcome per inbound call as CSV files, imports them into a temporary SQLite file, and times the
imports and the report (computation plus terminal, JSON and HTML rendering).

Batch scoring (``copilot score``): transcripts per second over copies of the bundled fixture
transcripts, and audio hours scored per hour per core over the fixture recordings (the real ASR
pipeline), each locally (in this process; and a process pool) and on a local Ray instance on 127.0.0.1.
The in-process run is timed after a warm-up; pool and Ray times include starting their workers (and Ray).
CPU counts this process and its child processes (not the Ray workers, which are not its children).
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


FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures"


def _batch_run(label: str, files: list[Path], *, workers: int, ray_address: str | None = None) -> None:
    import os
    import resource

    from copilot.evaluation.batch import score_files

    c0 = time.process_time()
    ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = score_files(files, workers=workers, ray_address=ray_address)
    ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + (ch1.ru_utime - ch0.ru_utime) + (ch1.ru_stime - ch0.ru_stime)
    cores = workers if workers > 1 or ray_address else 1
    n = len(res.rows)
    line = f"{label:<44} {n:5d} files {res.seconds:8.2f} s wall  {n / res.seconds:8.2f} files/s"
    if not ray_address:  # Ray's workers are not children of this process: their CPU time is not seen here
        line += f" ({cpu:.2f} s CPU, {n / cpu:.2f} files per CPU-s)"
    if res.audio_seconds:
        hours = res.audio_seconds / 3600
        line += (f"  {res.audio_seconds / res.seconds:6.2f} audio h/h wall, "
                 f"{res.audio_seconds / res.seconds / cores:6.2f} audio h/h per core")
        if not ray_address:
            line += f" ({hours / (cpu / 3600):.2f} audio h per CPU-hour)"
    if res.failures:
        line += f"  ({len(res.failures)} FAILED: {res.failures[0][1]})"
    print(line, f"[{res.backend}; {os.cpu_count()} cores on this machine]", flush=True)


def bench_batch(transcripts: int, audio: int, ray: bool, workers: int) -> None:
    import shutil

    sources = sorted((FIXTURES / "calls").glob("*.json"))
    with tempfile.TemporaryDirectory(prefix="copilot-bench-batch-") as d:
        files = []
        for i in range(transcripts):
            src = sources[i % len(sources)]
            dst = Path(d) / f"{i:05d}-{src.name}"
            shutil.copy(src, dst)
            files.append(dst)
        recordings = sorted((FIXTURES / "audio").glob("*.flac"))[:audio]
        runs: list[tuple[str, list[Path], int, str | None]] = []
        if files:
            runs += [("transcripts, local, 1 process", files, 1, None),
                     (f"transcripts, local, {workers} worker processes", files, workers, None)]
            if ray:
                runs.append((f"transcripts, Ray local instance, {workers} CPUs", files, workers, "local"))
        if recordings:
            runs.append((f"audio ({len(recordings)} fixture calls), local, 1 process", recordings, 1, None))
            if ray:
                runs.append((f"audio, Ray local instance, {workers} CPUs", recordings, workers, "local"))
        if files or recordings:
            from copilot.evaluation.batch import score_one

            score_one(str((files or recordings)[0]))  # warm-up: rules, jieba, the ASR model (not timed)
        for label, fs, w, addr in runs:
            _batch_run(label, fs, workers=w, ray_address=addr)


def main(argv: list[str] | None = None) -> int:
    import os

    ap = argparse.ArgumentParser(prog="python -m benchmarks.indicators")
    ap.add_argument("--rows", type=int, default=100_000, help="CDR rows to generate (default 100000; 0: no report)")
    ap.add_argument("--transcripts", type=int, default=400, help="transcripts to batch-score (default 400; 0: none)")
    ap.add_argument("--audio", type=int, default=2, help="fixture recordings to batch-score (default 2; 0: none)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="local processes / Ray CPUs")
    ap.add_argument("--no-ray", action="store_true", help="skip the runs on a local Ray instance")
    args = ap.parse_args(argv)
    if args.rows:
        bench_report(args.rows)
    if args.transcripts or args.audio:
        ray = not args.no_ray
        if ray:
            import importlib.util

            if importlib.util.find_spec("ray") is None:
                print("ray is not installed (pip install '.[ray]'): no Ray runs", flush=True)
                ray = False
        bench_batch(args.transcripts, args.audio, ray, args.workers)
    return 0


def bench_report(rows: int) -> None:

    from copilot.indicators.cdr import import_cdr
    from copilot.indicators.compute import build_report
    from copilot.indicators.html import render_html
    from copilot.indicators.outcomes import import_outcomes
    from copilot.indicators.period import quarter
    from copilot.indicators.report import render_text, to_json
    from copilot.store.db import make_engine

    def step(label: str, fn):
        c, t = time.process_time(), time.perf_counter()
        out = fn()
        print(f"{label:<48} {time.perf_counter() - t:8.2f} s wall {time.process_time() - c:8.2f} s CPU", flush=True)
        return out

    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as d:
        dir_ = Path(d)
        cdr_path, out_path = step(f"generate {rows} CDR rows + outcomes", lambda: generate(dir_, rows))
        engine = make_engine(f"sqlite:///{dir_ / 'bench.db'}")
        with Session(engine) as s:
            rc = step("cdr import", lambda: import_cdr(s, cdr_path))
            ro = step("outcomes import", lambda: import_outcomes(s, out_path))
            again = step("cdr re-import (nothing changes)", lambda: import_cdr(s, cdr_path))
        print(f"  cdr: {rc.inserted} inserted, {len(rc.errors)} bad; outcomes: {ro.inserted} inserted; "
              f"re-import: {again.unchanged} unchanged", flush=True)
        with Session(engine) as s:
            report = step("report: load + compute 2026Q3",
                          lambda: build_report(s, quarter("2026Q3"), as_of=datetime(2026, 10, 1, tzinfo=UTC)))
        step("report: render text + JSON + HTML",
             lambda: (render_text(report), json.dumps(to_json(report), ensure_ascii=False), render_html(report)))
        print(f"  {report.inbound_calls} inbound calls, {report.matters} matters, "
              f"{len(report.per_agent)} agents", flush=True)
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
