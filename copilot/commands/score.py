"""`copilot score` without the TUI: batch scoring of many recordings or transcripts.

Batch mode runs when any of ``--csv --html --json --no-tui --workers --ray`` is given or stdout is not a
terminal; otherwise ``copilot score`` opens the Textual scoring screen (``copilot.commands.app``).
A progress bar goes to stderr, the table (or ``--json``) to stdout. A file that cannot be scored is
named with the reason on stderr and in the table, the others are scored, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from copilot.errors import CopilotError

BATCH_OPTIONS = ("csv", "html", "json", "no_tui", "workers", "ray")


def add_batch_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("batch scoring (no TUI)")
    g.add_argument("--no-tui", action="store_true", help="print the table instead of opening the screen")
    g.add_argument("--csv", metavar="OUT", help="write one row per call (score items, flags) as CSV")
    g.add_argument("--html", metavar="OUT", help="write an HTML report with a score histogram and flag rates")
    g.add_argument("--json", action="store_true", help="print the scores as JSON instead of the table")
    g.add_argument("--workers", type=int, metavar="N",
                   help="worker processes (default: one per core, at most one per 4 files); with --ray: CPUs "
                        "of the local Ray instance")
    g.add_argument("--ray", metavar="ADDRESS|auto",
                   help="run on Ray: a cluster address, or auto (RAY_ADDRESS if set, else a local instance on "
                        "127.0.0.1); needs the ray extra")
    g.add_argument("--task-timeout", type=float, metavar="SECONDS",
                   help="with --ray: when no file has finished for this long, cancel the rest and report them "
                        "as failures (default: wait)")


def batch_requested(args: Any, stdout: Any = None) -> bool:
    """True when the command should score in batch (no TUI)."""
    if any(getattr(args, k, None) for k in BATCH_OPTIONS):
        return True
    out = stdout or sys.stdout
    return not (hasattr(out, "isatty") and out.isatty())


def default_workers(n_files: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_files // 4))


def _stored(args: Any) -> Any:
    """The analysed calls of the store as a batch result (``copilot score --no-tui`` without paths)."""
    from copilot.commands import open_store
    from copilot.evaluation.batch import BatchResult, result_row
    from copilot.exports.score_export import stored_results

    res = BatchResult(backend="store")
    res.results = stored_results(open_store(args))
    res.rows = [result_row(r["call_id"], r) for r in res.results]
    return res


def _store_batch(args: Any, res: Any) -> None:
    """Store the scored calls unless ``--no-store``; the results become the stored (reviewed) ones."""
    from copilot.commands import open_store
    from copilot.evaluation.batch import result_row
    from copilot.exports.score_export import store_results

    engine = open_store(args)
    if engine is None or not res.results:
        return
    res.results = store_results(engine, res.results, res.calls)
    res.rows = [result_row(row["file"], r, row["agent_id"]) for row, r in zip(res.rows, res.results, strict=True)]
    print(f"已存入数据库 stored {len(res.results)} 通 call(s) (--no-store to skip)", file=sys.stderr)


def to_json(res: Any) -> dict[str, Any]:
    return {
        "scored": len(res.rows), "failed": len(res.failures), "seconds": round(res.seconds, 3),
        "backend": res.backend, "workers": res.workers, "audio_seconds": round(res.audio_seconds, 3),
        "calls": res.rows,
        "failures": [{"file": f, "error": why} for f, why in res.failures],
        "results": res.results,
    }


def cmd_batch(args: Any) -> int:
    from copilot.evaluation.batch import Progress, expand, format_table, score_files, write_csv, write_html

    if args.workers is not None and args.workers < 1:
        raise CopilotError("--workers must be at least 1", where="--workers")
    if not args.paths:
        if args.ray or args.workers:
            raise CopilotError("--ray and --workers score files: name transcripts, recordings or folders")
        res = _stored(args)
    else:
        files = expand(args.paths)
        workers = args.workers or ((os.cpu_count() or 1) if args.ray else default_workers(len(files)))
        if args.task_timeout is not None and (not args.ray or args.task_timeout <= 0):
            raise CopilotError("--task-timeout needs --ray and a number of seconds above 0", where="--task-timeout")
        res = score_files(files, workers=workers, engine=args.engine, ray_address=args.ray,
                          progress=Progress(len(files), stream=sys.stderr), task_timeout=args.task_timeout)
        _store_batch(args, res)
    if args.json:
        print(json.dumps(to_json(res), ensure_ascii=False, indent=2))
    else:
        print(format_table(res) if (res.rows or res.failures) else "(无 none)")
    for f, why in res.failures:
        print(f"错误 error: {why if why.startswith(f) else f'{f}: {why}'}", file=sys.stderr)
    if res.failures:
        print(f"{len(res.failures)} 个文件未能评分 file(s) could not be scored", file=sys.stderr)
    written = []
    try:
        if args.csv:
            write_csv(res, args.csv)
            written.append(args.csv)
        if args.html:
            write_html(res, args.html)
            written.append(args.html)
        if getattr(args, "out", None):
            from copilot.exports.score_export import write_scores

            written += [str(x) for x in write_scores(res.results, args.out)]
    except OSError as exc:
        raise CopilotError(f"cannot write: {exc.strerror or exc}", where=str(exc.filename or "")) from exc
    for path in written:
        print(f"已写入 wrote {path}", file=sys.stderr)
    return 1 if res.failures else 0
