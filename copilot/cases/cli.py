"""``copilot cases import FILE.csv [--strict]`` and ``copilot cases find TEXT``.

Exit codes of the import, as for ``copilot cdr import``: 0 done; 1 some rows were bad (the good ones were
imported); 2 nothing was done (file rejected, ``--strict`` rejection, database error).
"""

from __future__ import annotations

import argparse
import json
import sys


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from copilot.cases.importing import import_cases
    from copilot.indicators.importing import report_import
    from copilot.store.db import make_engine

    return report_import(
        lambda: import_cases(make_engine(args.db), args.file, strict=args.strict),
        lambda r: (f"cases: 读取 read {r.rows_read} · 新增 inserted {r.inserted} · 替换 replaced {r.replaced}"
                   f" · 重复 duplicates {r.duplicates} · 错误行 bad rows {r.bad_rows} · {r.seconds:.1f} s"))


def cmd_find(args: argparse.Namespace) -> int:
    from copilot.cases.directory import CaseDirectory
    from copilot.cases.resolve import TurnText, resolve, score_cases
    from copilot.store.db import make_engine
    from copilot.text import normalize

    directory = CaseDirectory(make_engine(args.db))
    if not directory:
        _err("错误 error: 案件库为空 the case directory is empty (copilot cases import FILE.csv)")
        return 2
    turns = [TurnText(i, "caller", normalize(t).text) for i, t in enumerate(args.text)]
    scored = score_cases(directory, turns)[: args.limit]
    res = resolve(directory, turns)
    if args.json:
        print(json.dumps({"status": res.status, "case_number": res.case.case_number if res.case else None,
                          "candidates": [s.to_dict() for s in scored]}, ensure_ascii=False, indent=2))
        return 0 if scored else 1
    verdict = {"resolved": "确定 resolved", "ambiguous": "待核对 pick list", "none": "无 none"}[res.status]
    print(f"结果 result: {verdict}" + (f" → {res.case.case_number}" if res.case else ""))
    if not scored:
        print("没有候选案件 no candidates")
        return 1
    print(f"{'score':>6} {'digits':>6} {'judge':>5} {'party':>5}  case_number / judge / department / status")
    for s in scored:
        c = s.case
        print(f"{s.total:6.3f} {s.digits:6.3f} {s.judge:5.2f} {s.party:5.2f}  {c.case_number}  {c.judge_name or '—'}"
              f"  {c.department or '—'}  {c.status or '—'}")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cases", help="the court's case directory: import the case list, look cases up")
    ps = p.add_subparsers(dest="cases_cmd", required=True)
    i = ps.add_parser("import", help="load the case list (CSV) into the store, replacing rows by case number")
    i.add_argument("file")
    i.add_argument("--strict", action="store_true", help="import nothing if any row is bad")
    i.add_argument("--db", default=None, help="database URL (default: COPILOT_DB_URL or the SQLite file)")
    i.set_defaults(func=cmd_import)
    f = ps.add_parser("find", help="the directory's candidate cases for any text (ASR text too), with scores")
    f.add_argument("text", nargs="+", help="one or more turns of text")
    f.add_argument("--limit", type=int, default=8)
    f.add_argument("--json", action="store_true")
    f.add_argument("--db", default=None, help="database URL (default: COPILOT_DB_URL or the SQLite file)")
    f.set_defaults(func=cmd_find)
