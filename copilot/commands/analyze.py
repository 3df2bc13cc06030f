"""`copilot analyze` and `copilot eval`."""

from __future__ import annotations

import csv
import json
import logging
import sys
from pathlib import Path
from typing import Any

from copilot.errors import CopilotError, user_errors
from copilot.exports.report_text import format_result, format_table, summary_rows

log = logging.getLogger(__name__)


def analyse_path(path: Path, args: Any) -> tuple[dict[str, Any], Any]:
    """Analyse one transcript JSON or one recording (the one dispatcher, copilot.session.files); returns
    (result, transcript)."""
    from copilot.session.files import analyse_file

    return analyse_file(path, engine=getattr(args, "engine", "auto"), agent_channel=getattr(args, "agent_channel", 0),
                        speaker=getattr(args, "speaker", "caller"), ring_seconds=getattr(args, "ring_seconds", None))


def out_file(out_dir: Path, call_id: str) -> Path:
    """The result file of ``call_id`` inside ``out_dir``, whatever the id holds (``/``, ``..``, NUL, …).

    Characters other than letters, digits, ``.``, ``_`` and ``-`` are percent-encoded (so two ids never share a
    file), a leading dot too (no hidden files, no ``..``); the result is checked to lie directly in ``out_dir``.
    """
    from urllib.parse import quote

    name = quote(call_id, safe="") or "%00empty"
    if name.startswith("."):
        name = "%2E" + name[1:]
    target = out_dir / f"{name}.json"
    if target.parent.resolve() != out_dir.resolve() or target.is_symlink():
        raise CopilotError(f"call_id {call_id!r} cannot be written inside {out_dir}", where=str(target))
    return target


def collect(path: Path) -> list[Path]:
    if path.is_dir():
        from copilot.session.source import accepted_text, call_files

        files = call_files([path])
        if not files:
            raise CopilotError(f"no call files in folder; expected {accepted_text()}", where=str(path))
        return files
    if not path.exists():
        raise CopilotError("no such file or folder", where=str(path))
    return [path]


def cmd_analyze(args: Any) -> int:
    target = Path(args.path)
    files = collect(target)
    engine = None
    if args.save:
        from copilot.store.db import make_engine

        engine = make_engine(args.db)
    out_dir = Path(args.out) if args.out else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    results, failed = [], 0
    written: dict[Path, Path] = {}
    for i, f in enumerate(files, 1):
        if len(files) > 1:
            print(f"[{i}/{len(files)}] {f.name}", file=sys.stderr)
        try:
            result, tr = analyse_path(f, args)
        except user_errors() as exc:
            failed += 1
            print(f"错误 error: {exc}", file=sys.stderr)
            continue
        if out_dir:
            try:
                target = out_file(out_dir, str(result["call_id"]))
                if target in written:
                    raise CopilotError(f"call_id {result['call_id']!r} was written already from "
                                       f"{written[target].name}; not overwritten", where=str(f))
                target.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
                written[target] = f
            except CopilotError as exc:
                failed += 1
                print(f"错误 error: {exc}", file=sys.stderr)
                continue
            except OSError as exc:
                failed += 1
                print(f"错误 error: {f}: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
                continue
        results.append(result)
        if engine is not None:
            from copilot.store import save_result

            save_result(engine, tr, result, source=str(f))
        if args.json and len(files) == 1:
            print(json.dumps(result, ensure_ascii=False, indent=2))
        elif not out_dir and not args.json:
            print(format_result(result))
            print()
    rows = summary_rows(results)
    if args.json and len(files) > 1 and not out_dir:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    if len(files) > 1 and not args.json:
        print(format_table(rows))
    if out_dir and rows:
        with open(out_dir / "summary.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"{len(results)} results and summary.csv written to {out_dir}", file=sys.stderr)
    if failed:
        print(f"{failed} of {len(files)} file(s) failed", file=sys.stderr)
        return 1
    return 0


def cmd_eval(args: Any) -> int:
    from copilot.evaluation.evaluate import evaluate

    def progress(i: int, n: int, call_id: str) -> None:
        print(f"\r[{i + 1}/{n}] {call_id} ", end="", file=sys.stderr, flush=True)

    rep = evaluate(args.calls_dir, args.labels, by_code=args.by_code, engine=args.engine,
                   progress=progress if sys.stderr.isatty() or args.verbose else None)
    if sys.stderr.isatty() or args.verbose:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(rep.table())
        if args.verbose and rep.mistakes:
            print("\nmistakes:")
            print("\n".join(f"  {m}" for m in rep.mistakes))
    return 1 if rep.errors else 0
