"""Case directory benchmark: import a million realistic cases, then time lookups from garbled speech.

``python -m benchmarks.cases [--rows 1000000] [--lookups 1000] [--keep DIR]``

Targets (issue 20): the import of 1,000,000 rows ≤ 60 s; a lookup (one caller turn's text → scored
candidates and the decision) ≤ 20 ms at the 95th percentile. The directory's one-off build per process
(the (year, court, type) summary it keeps in memory) is reported apart.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

CN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
HOMOPHONES = {"民初": ("名出", "名初", "明初", "民出"), "执": ("直", "职"), "民终": ("民中", "名中"), "刑初": ("行出", "形初")}


def garble(number: str, rng: random.Random) -> str:
    """What an ASR might write for a case number: one of the ways seen in real Whisper output."""
    year, rest = number[1:5], number[6:-1]
    court = "".join(c for c in rest[:5] if c.isdigit())
    i = len(rest[:1]) + len(court)
    code = "".join(c for c in rest[i:] if not c.isdigit())
    serial = rest[i + len(code):]
    heard_code = rng.choice(HOMOPHONES.get(code, (code,)))
    form = rng.randrange(5)
    if form == 0:  # digits with dots, homophone code
        return f"案号是{year}.{court}{heard_code}{serial}号"
    if form == 1:  # Chinese numerals read digit by digit
        return "案号是" + "".join(CN[c] for c in year) + "这" + "".join(CN[c] for c in court) + code + \
            "".join(CN[c] for c in serial) + "号"
    if form == 2:  # year and court run together, the province lost
        return f"我的案子{year}{court}{heard_code}{serial}号"
    if form == 3 and len(serial) >= 3:  # a serial digit dropped
        k = rng.randrange(len(serial))
        return f"{year}年{court}{heard_code}{serial[:k] + serial[k + 1:] or serial}号"
    return f"（{year}）浙{court}{code}{serial}号"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--lookups", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", default=None, help="keep the CSV and the store in this folder")
    ap.add_argument("--reuse", action="store_true", help="with --keep: time lookups on the store kept there")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)

    from copilot.cases.directory import CaseDirectory
    from copilot.cases.generate import generate_rows, write_csv
    from copilot.cases.importing import import_cases
    from copilot.cases.resolve import TurnText, resolve
    from copilot.store.db import make_engine
    from copilot.text import normalize

    folder = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="cases-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, db = folder / "cases.csv", folder / "store.db"
    rng = random.Random(a.seed)
    if a.reuse:
        return _lookups_only(db, a, rng)
    if db.exists():
        db.unlink()
    t0 = time.perf_counter()
    sample: list[str] = []

    def rows():
        for r in generate_rows(a.rows, seed=a.seed):
            if rng.random() < a.lookups * 2 / a.rows:
                sample.append(r["case_number"])
            yield r

    n = write_csv(csv_path, rows())
    gen_s = time.perf_counter() - t0
    engine = make_engine(f"sqlite:///{db}")
    import os
    import resource

    cpu0 = time.process_time()
    load0 = os.getloadavg()[0]
    result = import_cases(engine, csv_path)
    import_cpu = time.process_time() - cpu0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = children.ru_utime + children.ru_stime  # the import's worker processes (checking the file)
    t1 = time.perf_counter()
    directory = CaseDirectory(engine)
    build_s = time.perf_counter() - t1
    times, cpu, right = [], [], 0
    picks = rng.sample(sample, min(a.lookups, len(sample)))
    for number in picks:
        said = normalize(garble(number, rng)).text
        t, c = time.perf_counter(), time.process_time()
        res = resolve(directory, [TurnText(0, "caller", said)])
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        right += bool(res.case and res.case.case_number == number) or number in [
            c.case.case_number for c in res.candidates]
    times.sort()
    cpu.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    report = {
        "rows": n, "csv_mb": round(csv_path.stat().st_size / 1e6, 1), "generate_s": round(gen_s, 1),
        "import_s": round(result.seconds, 1), "import_cpu_s": round(import_cpu, 1),
        "import_workers_cpu_s": round(workers_cpu, 1), "load_average_at_import_start": round(load0, 1),
        "import_rows_per_s": round(n / result.seconds),
        "import_target_s": 60, "inserted": result.inserted, "bad_rows": result.bad_rows,
        "directory_build_s": round(build_s, 3), "groups": len(directory.groups),
        "lookups": len(times), "lookup_p50_ms": round(p(0.5), 2), "lookup_p95_ms": round(p(0.95), 2),
        "lookup_max_ms": round(times[-1], 2), "lookup_mean_ms": round(statistics.fmean(times), 2),
        "lookup_cpu_p50_ms": round(cpu[len(cpu) // 2], 2), "lookup_cpu_p95_ms": round(cpu[int(0.95 * len(cpu))], 2),
        "lookup_target_p95_ms": 20, "load_average_1min": round(__import__("os").getloadavg()[0], 1),
        "garbled_lookups_with_the_case_resolved_or_offered": f"{right}/{len(times)}",
        "db_mb": round(db.stat().st_size / 1e6, 1),
    }
    if a.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for k, v in report.items():
            print(f"{k:>50}: {v}")
    if not a.keep:
        csv_path.unlink()
        db.unlink()
    return 0


def _lookups_only(db: Path, a: argparse.Namespace, rng: random.Random) -> int:
    from sqlalchemy import text

    from copilot.cases.directory import CaseDirectory
    from copilot.cases.resolve import TurnText, resolve
    from copilot.store.db import make_engine
    from copilot.text import normalize

    t = time.perf_counter()
    directory = CaseDirectory(make_engine(f"sqlite:///{db}"))
    build = time.perf_counter() - t
    with directory.engine.connect() as conn:
        picks = [r[0] for r in conn.execute(text("SELECT case_number FROM cases WHERE rowid % 997 = 0"))]
    picks = rng.sample(picks, min(a.lookups, len(picks)))
    wall, cpu, right = [], [], 0
    for number in picks:
        said = normalize(garble(number, rng)).text
        t, c = time.perf_counter(), time.process_time()
        res = resolve(directory, [TurnText(0, "caller", said)])
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        right += bool(res.case and res.case.case_number == number) or number in [
            x.case.case_number for x in res.candidates]
    wall.sort()
    cpu.sort()
    n = len(wall)
    print(json.dumps({"cases": directory.size, "directory_build_s": round(build, 3), "lookups": n,
                      "lookup_p50_ms": round(wall[n // 2], 2), "lookup_p95_ms": round(wall[int(0.95 * n)], 2),
                      "lookup_cpu_p50_ms": round(cpu[n // 2], 2), "lookup_cpu_p95_ms": round(cpu[int(0.95 * n)], 2),
                      "resolved_or_offered": f"{right}/{n}",
                      "load_average_1min": round(__import__("os").getloadavg()[0], 1)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
