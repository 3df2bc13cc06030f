"""Batch scoring of many recordings or transcripts: local worker processes, or a Ray cluster.

A failing file is reported (file and reason) and skipped, never silently. Results come as rows for a
table, CSV and an HTML report with charts. Ray is optional (``pip install '.[ray]'``).
"""

from __future__ import annotations

import csv
import html
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copilot.errors import CopilotError, user_errors
from copilot.labels import FLAG_ZH, SERVICE_TYPE_ZH

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(file, reason) of every file that could not be scored."""
    seconds: float = 0.0
    audio_seconds: float = 0.0
    workers: int = 1
    backend: str = "local"
    calls: list[dict[str, Any]] = field(default_factory=list)
    """Per result (same order): the call's turns, started_at, ring_seconds, agent_id and file (for the store)."""


def expand(paths: Iterable[str | Path]) -> list[Path]:
    from copilot.session.source import accepted_text, call_files

    out = call_files(paths)  # a missing or unsupported file is reported by score_one, with the others scored
    if not out:
        raise CopilotError(f"nothing to score: no call files; expected {accepted_text()}")
    return out


def score_one(path: str, engine: str = "auto") -> dict[str, Any]:
    """Analyse one file (in a worker process or a Ray task); errors come back as data."""
    p = Path(path)
    if not p.is_file():
        return {"ok": False, "file": str(p), "error": "no such file"}
    try:
        from copilot.session.files import analyse_file
        from copilot.session.source import kind_of

        result, tr = analyse_file(p, engine=engine)  # the one dispatcher: its error names the accepted types
        audio_s = 0.0
        if kind_of(p) == "audio":
            import soundfile

            audio_s = soundfile.info(str(p)).duration
        call = {"file": str(p), "started_at": getattr(tr, "started_at", None),
                "ring_seconds": getattr(tr, "ring_seconds", None),
                "agent_id": (getattr(tr, "extra", None) or {}).get("agent_id"),
                "turns": [[t.speaker, t.start, t.end, t.text] for t in getattr(tr, "turns", ())]}
        return {"ok": True, "file": str(p), "result": result, "audio_seconds": audio_s, "call": call}
    except user_errors() as exc:
        return {"ok": False, "file": str(p), "error": str(exc)}
    except Exception as exc:  # a worker must report, not die silently
        log.exception("scoring %s failed", p)
        return {"ok": False, "file": str(p), "error": f"{type(exc).__name__}: {exc}"}


def _lost(file: str, exc: BaseException) -> dict[str, Any]:
    """The item of a file whose worker (process or Ray task) died before it could report."""
    return {"ok": False, "file": file, "error": f"worker failed: {type(exc).__name__}: {exc}"}


def flag_details(flags: list[dict[str, Any]]) -> str:
    """Every flag as ``code|turn (1-based)|words|review state``, ``; ``-separated (CSV cells)."""
    out = []
    for f in flags:
        turn = "" if f.get("turn") is None else str(f["turn"] + 1)
        words = f.get("phrase") or f.get("text") or ""
        state = "added" if f.get("origin") == "inspector" else (f.get("review") or "unreviewed")
        out.append(f"{f['code']}|{turn}|{words}|{state}")
    return "; ".join(out)


def result_row(file: str, r: dict[str, Any], agent_id: str | None = None) -> dict[str, Any]:
    """One row of the score table (file, call id, agent, service type, total, flags, each rubric item) of a result."""
    score = r.get("score") or {}
    counted = [f for f in r.get("flags", []) if f.get("review") != "dismissed"]
    row = {"file": Path(file).name, "call_id": r["call_id"], "agent_id": agent_id or r.get("agent_id"),
           "service_type": r["service_type"], "score": score.get("total"), "max": score.get("max"),
           "reviewed": bool(score.get("reviewed")), "flags": " ".join(f["code"] for f in counted),
           "flag_details": flag_details(r.get("flags", []))}
    for item in score.get("items", []):
        row[item["id"]] = item["score"]
    return row


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.done, self.stream, self.t0 = total, 0, stream, time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, item: dict[str, Any]) -> None:
        self.done += 1
        width = 30
        fill = int(width * self.done / self.total)
        status = "ok" if item.get("ok") else "FAILED"
        line = (f"[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} "
                f"{time.monotonic() - self.t0:.0f}s {Path(item['file']).name} {status}")
        if self.tty:
            self.stream.write("\r" + line + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def score_files(paths: Iterable[str | Path], *, workers: int = 1, engine: str = "auto", ray_address: str | None = None,
                progress: Callable[[dict[str, Any]], None] | None = None,
                task_timeout: float | None = None) -> BatchResult:
    """Score every file of ``paths`` (folders give their .json/.wav/.flac files).

    ``ray_address``: ``None`` for local work (``workers`` processes; 1 runs in this process), ``"local"``
    for a Ray instance started here on loopback with ``workers`` CPUs, ``"auto"`` for ``RAY_ADDRESS`` when it
    is set and else the same local instance, or the address of a running Ray cluster.
    ``task_timeout`` (Ray only): when no file has finished for this many seconds, the files still pending are
    cancelled and reported as failures (a cluster whose workers never start must not hang the batch).
    """
    files = [str(p) for p in expand(paths)]
    res = BatchResult(workers=workers)
    t0 = time.perf_counter()
    if ray_address:
        items, res.backend = _run_ray(files, engine, ray_address, progress, num_cpus=max(1, workers),
                                      task_timeout=task_timeout)
    elif workers <= 1:
        items = []
        for f in files:
            item = score_one(f, engine)
            items.append(item)
            if progress:
                progress(item)
    else:
        items = []
        with ProcessPoolExecutor(max_workers=min(workers, len(files))) as pool:
            futures = {pool.submit(score_one, f, engine): f for f in files}
            for fut in as_completed(futures):
                try:
                    item = fut.result()
                except Exception as exc:  # a crashed worker process: report every file it took down
                    item = _lost(futures[fut], exc)
                items.append(item)
                if progress:
                    progress(item)
    res.seconds = time.perf_counter() - t0
    for item in sorted(items, key=lambda i: i["file"]):
        if item["ok"]:
            res.results.append(item["result"])
            res.calls.append(item.get("call") or {"file": item["file"], "turns": []})
            res.rows.append(result_row(item["file"], item["result"], (item.get("call") or {}).get("agent_id")))
            res.audio_seconds += item.get("audio_seconds", 0.0)
        else:
            res.failures.append((item["file"], item["error"]))
    return res


AGENT_TIMEOUT_S = 300
"""Seconds a local Ray node waits for its agents and its worker processes to start (see start_local_ray)."""


def start_local_ray(num_cpus: int = 1) -> None:
    """A Ray instance of this machine only: every Ray process binds and dials 127.0.0.1, no dashboard.

    The workers inherit this process's environment; the project's folder is put on their PYTHONPATH so a
    checkout that is not pip-installed works too.
    """
    import ray

    repo = str(Path(__file__).resolve().parents[2])  # copilot/evaluation/batch.py → the repository
    paths = [x for x in os.environ.get("PYTHONPATH", "").split(os.pathsep) if x]
    if repo not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([repo, *paths])
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # How long the raylet waits for its agents (dashboard agent, runtime-env agent) to come up. Their start is
    # mostly `import ray`, which takes 3-30 s on a starved 2-core machine; Ray's default gives up sooner.
    # Ray 2.60 ignores this for the dashboard agent's port file (a fixed 15 s), hence ray==2.44.1 in .ci/constraints.txt.
    os.environ.setdefault("RAY_agent_register_timeout_ms", str(AGENT_TIMEOUT_S * 1000))
    # The same for a worker process: its start is `import ray` plus this project. Ray's default is 60 s; past
    # it the raylet gives the worker up, and a clean ray 2.44.1 on one starved core then never started another
    # one (the batch waited for ever). 300 s covers the slowest start measured here (README, Ray section).
    os.environ.setdefault("RAY_worker_register_timeout_seconds", str(AGENT_TIMEOUT_S))
    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, log_to_driver=False,
                     _node_ip_address="127.0.0.1", configure_logging=False)
            return
        except Exception:
            # Ray 2.60's raylet waits a fixed 15 s for its dashboard agent to write its port files, then
            # aborts the node; on a CPU-starved machine the agent can miss that window. Stop what did start and
            # try again; a later attempt often wins the race.
            ray.shutdown()
            _stop_ray_children()
            if attempt == attempts:
                raise
            log.warning("local Ray instance did not start (attempt %d of %d); trying again", attempt, attempts,
                        exc_info=True)


def _stop_ray_children() -> None:
    """Kill the Ray processes (GCS server …) this process started for an instance that failed to come up.

    ``ray.shutdown`` does not know them when ``ray.init`` failed half-way, and they would keep this process
    from exiting. Only direct children of this process whose command line names Ray are touched (Linux /proc).
    """
    import signal

    me = os.getpid()
    for d in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == me and b"ray" in (d / "cmdline").read_bytes():
                os.kill(int(d.name), signal.SIGKILL)
                log.info("stopped Ray process %s left by a failed start", d.name)
        except (OSError, ValueError, IndexError):
            continue


def _run_ray(files: list[str], engine: str, address: str, progress, *,
             num_cpus: int = 1, task_timeout: float | None = None) -> tuple[list[dict[str, Any]], str]:
    try:
        import ray
    except ImportError as exc:
        raise CopilotError("Ray is not installed: pip install 'copilot-12368[ray]'", where="--ray") from exc
    started_here = not ray.is_initialized()
    if address == "auto" and os.environ.get("RAY_ADDRESS"):
        address = os.environ["RAY_ADDRESS"]
    backend = f"ray ({address})"
    if started_here:
        try:
            if address in ("auto", "local"):
                start_local_ray(num_cpus)
                backend = f"ray (local instance on 127.0.0.1, {num_cpus} CPU)"
            else:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
        except Exception as exc:
            try:
                ray.shutdown()  # stop whatever part of a local instance did start
            except Exception:  # noqa: BLE001 - the error below is the one to report
                log.debug("ray.shutdown after a failed start", exc_info=True)
            _stop_ray_children()
            raise CopilotError(f"cannot start or reach Ray: {type(exc).__name__}: {exc}",
                               where=f"--ray {address}") from exc
    try:
        remote = ray.remote(score_one)
        task_file = {remote.remote(f, engine): f for f in files}
        pending = list(task_file)
        items = []
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=task_timeout)
            if not done:  # nothing finished within task_timeout: give the rest up, loudly
                for ref in pending:
                    ray.cancel(ref, force=True)
                    item = {"ok": False, "file": task_file[ref],
                            "error": f"no result from Ray within {task_timeout:g} s (its worker did not start "
                                     f"or the task stalled); cancelled"}
                    items.append(item)
                    if progress:
                        progress(item)
                break
            try:
                item = ray.get(done[0])
            except Exception as exc:  # the task's worker died (RayTaskError, WorkerCrashedError …)
                item = _lost(task_file[done[0]], exc)
            items.append(item)
            if progress:
                progress(item)
        return items, backend
    finally:
        if started_here:
            ray.shutdown()


# ---------------------------------------------------------------------- output
def write_csv(res: BatchResult, path: str | Path) -> None:
    if not res.rows:
        raise CopilotError("no call could be scored; nothing to write", where=str(path))
    keys: list[str] = []
    for r in res.rows:
        keys += [k for k in r if k not in keys]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(res.rows)


def format_table(res: BatchResult) -> str:
    lines = [f"{'文件 file':<34}{'服务类型':<12}{'评分':>7}  标记 flags"]
    for r in res.rows:
        st = SERVICE_TYPE_ZH.get(r["service_type"], r["service_type"])
        lines.append(f"{r['file'][:33]:<34}{st:<12}{r['score']:>7.1f}  {r['flags']}")
    for f, why in res.failures:
        lines.append(f"{Path(f).name[:33]:<34}{'失败 FAILED':<12}{'—':>7}  {why}")
    if res.rows:
        avg = sum(r["score"] for r in res.rows) / len(res.rows)
        lines.append(f"\n{len(res.rows)} 通 scored, {len(res.failures)} failed, 平均分 mean score {avg:.1f}; "
                     f"{res.seconds:.1f} s ({res.backend}, {res.workers} worker(s))")
    return "\n".join(lines)


def render_html(res: BatchResult) -> str:
    from copilot.indicators.svg import bar_chart, histogram

    scores = [r["score"] for r in res.rows]
    bins = [(f"{lo}–{lo + 9}", sum(1 for s in scores if lo <= s < lo + 10 or (lo == 90 and s == 100)))
            for lo in range(0, 100, 10)]
    flags = Counter(code for r in res.results for code in {f["code"] for f in r.get("flags", [])})
    n = len(res.results) or 1
    flag_items = [(FLAG_ZH.get(c, c), flags[c] / n) for c in FLAG_ZH]
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(r['file'])}</td><td>{e(SERVICE_TYPE_ZH.get(r['service_type'], r['service_type']))}</td>"
        f"<td class=num>{r['score']:g}</td><td>{e(' '.join(FLAG_ZH.get(c, c) for c in r['flags'].split()))}</td></tr>"
        for r in res.rows)
    fails = "".join(f"<tr><td>{e(Path(f).name)}</td><td colspan=3>{e(w)}</td></tr>" for f, w in res.failures)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>批量评分 Batch scores</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 8px}}td.num{{text-align:right}}.chart{{width:100%;height:auto}}
.lbl{{font-size:11px;fill:#333}}.grid{{stroke:#ddd}}.bar{{fill:#4a78b5}}.line{{stroke:#4a78b5;fill:none;stroke-width:2}}
@media print{{body{{margin:0}}.chart{{page-break-inside:avoid}}}}</style></head><body>
<h1>批量评分 Batch scores</h1>
<p>{len(res.rows)} 通电话已评分，{len(res.failures)} 个文件失败；平均分 {sum(scores) / max(1, len(scores)):.1f}。</p>
<h2>评分分布 Score distribution</h2>{histogram(bins, limit_index=None, title="评分分布")}
<h2>各类标记出现率 Flag rates (share of calls)</h2>{bar_chart(flag_items, title="标记出现率")}
<h2>明细 Calls</h2><table><tr><th>文件</th><th>服务类型</th><th>评分</th><th>标记</th></tr>{rows}</table>
{"<h2>失败 Failed files</h2><table>" + fails + "</table>" if fails else ""}
</body></html>"""


def write_html(res: BatchResult, path: str | Path) -> None:
    Path(path).write_text(render_html(res), encoding="utf-8")
