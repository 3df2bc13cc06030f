"""``copilot cdr import``, ``copilot outcomes import`` and ``copilot report``.

Exit codes: 0 done; 1 some rows were bad (the good ones were imported); 2 nothing was done
(file rejected, ``--strict`` rejection, bad arguments, database error).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from copilot.errors import CopilotError
from copilot.indicators.errors import PeriodError

log = logging.getLogger(__name__)



def _engine(args: argparse.Namespace):
    from copilot.store.db import make_engine

    return make_engine(args.db)


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _import(kind: str, importer: Callable) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from copilot.indicators.importing import report_import

        def do_import():
            with Session(_engine(args)) as session:
                return importer(session, args.file, strict=args.strict)

        return report_import(do_import, lambda r: (
            f"{kind}: 读取 read {r.rows_read} · 新增 inserted {r.inserted} · 更新 updated {r.updated}"
            f" · 未变 unchanged {r.unchanged} · 重复 duplicates {r.duplicates} · 错误行 bad rows {r.bad_rows}"))

    return run


def _cdr_import(args: argparse.Namespace) -> int:
    from copilot.indicators.cdr import import_cdr

    return _import("cdr", import_cdr)(args)


def _outcomes_import(args: argparse.Namespace) -> int:
    from copilot.indicators.outcomes import import_outcomes

    return _import("outcomes", import_outcomes)(args)


def _period(args: argparse.Namespace):
    from copilot.indicators.period import date_range, quarter

    if args.quarter:
        if args.date_from or args.date_to:
            raise PeriodError("use either --quarter or --from/--to", where="--quarter")
        return quarter(args.quarter)
    if not (args.date_from and args.date_to):
        raise PeriodError("give --quarter 2026Q3, or both --from DATE and --to DATE", where="report")
    return date_range(args.date_from, args.date_to)


def _as_of(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"not an ISO 8601 time: {text!r}", where="--as-of") from None
    if t.tzinfo is None:
        raise PeriodError("--as-of needs a UTC offset", where="--as-of")
    return t


def _report(args: argparse.Namespace) -> int:
    from copilot.indicators.compute import build_report
    from copilot.indicators.html import write_html
    from copilot.indicators.report import render_text, to_json, write_csv

    try:
        period = _period(args)
        as_of = _as_of(args.as_of)
        engine = _engine(args)
        with Session(engine) as session:
            report = build_report(session, period, as_of=as_of)
        if args.html:
            write_html(report, args.html)
        if args.csv:
            write_csv(report, args.csv)
    except CopilotError as exc:
        _err(f"错误 error: {exc}")
        return 2
    except OSError as exc:
        _err(f"错误 error: cannot write {exc.filename}: {exc.strerror}")
        return 2
    if args.json:
        print(json.dumps(to_json(report), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_text(report))
    return 0


def _help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return run


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", default=None,
                   help="database URL (default: COPILOT_DB_URL or the SQLite file in the user data dir)")


def _import_parser(parent, name: str, help_: str, func) -> None:
    top = parent.add_parser(name, help=help_)
    top.set_defaults(func=_help(top))
    sub = top.add_subparsers(dest=f"{name}_command", metavar="import")
    p = sub.add_parser("import", help=f"import a {name} CSV file")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--strict", action="store_true", help="reject the whole file when any row is bad")
    _db(p)
    p.set_defaults(func=func)


def add_parsers(subparsers) -> None:
    """Add ``cdr``, ``outcomes`` and ``report`` to an argparse subparsers object."""
    _import_parser(subparsers, "cdr", "telephony call records 话单", _cdr_import)
    _import_parser(subparsers, "outcomes", "outcomes of matters 服务事项办理结果", _outcomes_import)
    p = subparsers.add_parser("report", help="service-quality report 服务质量报告")
    p.add_argument("--quarter", metavar="YYYYQn", help="e.g. 2026Q3")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (included), YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print the indicators as JSON")
    p.add_argument("--html", metavar="OUT", help="write a self-contained HTML report")
    p.add_argument("--csv", metavar="OUT", help="write the indicator table as CSV")
    p.add_argument("--as-of", metavar="TIME",
                   help="judge pending replies at this ISO time with offset (default: now)")
    _db(p)
    p.set_defaults(func=_report)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m copilot.commands.indicators``) until the main CLI wires ``add_parsers``."""
    parser = argparse.ArgumentParser(prog="copilot")
    subs = parser.add_subparsers(dest="command", required=True)
    add_parsers(subs)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
