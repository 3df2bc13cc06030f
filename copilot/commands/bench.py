"""`copilot bench`: analysis speed and memory on one core (targets: ≤ 2 ms per utterance median,
≤ 50 ms per 30-turn call). Prints a table and JSON; no assertions — the numbers are the result."""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]  # copilot/commands/bench.py → the repository


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _calls(folder: Path) -> list[Any]:
    from copilot.transcript import load_transcript

    return [load_transcript(p) for p in sorted(folder.glob("*.json"))]


def _thirty_turns(calls: list[Any]) -> list[tuple[str, float, float, str]]:
    """A 30-turn call made of real turns (the fixtures are shorter)."""
    turns = [t for c in calls for t in c.turns]
    out, t0 = [], 0.0
    for i in range(30):
        t = turns[i % len(turns)]
        out.append((t.speaker, t0, t0 + (t.end - t.start), t.text))
        t0 += (t.end - t.start) + 0.5
    return out


def main(args: Any) -> int:
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        core = "1 core (pinned)"
    except (AttributeError, OSError):
        core = "unpinned"
    folder = Path(args.calls) if args.calls else REPO / "audio_fixtures" / "calls"
    calls = _calls(folder)
    if not calls:
        print(f"no transcripts in {folder}")
        return 1
    t = time.perf_counter()
    from phrasebook.loader import load_phrasebook

    pb = load_phrasebook()
    load_ms = (time.perf_counter() - t) * 1000
    from copilot.analysis.analyzer import CallAnalyzer
    from copilot.analysis.rules import Rules

    t = time.perf_counter()
    rules = Rules(pb)
    compile_ms = (time.perf_counter() - t) * 1000
    per_utt: list[float] = []
    per_call: list[float] = []
    thirty = _thirty_turns(calls)
    t = time.perf_counter()
    warm = CallAnalyzer("warm-up", rules=rules)  # first use loads opencc, cn2an and the pinyin tables
    for sp, s, e, text in thirty:
        warm.add_turn(sp, s, e, text)
    warm.finish()
    warm_ms = (time.perf_counter() - t) * 1000
    for _ in range(max(1, args.repeat)):
        for c in calls:
            a = CallAnalyzer(c.call_id, rules=rules, ring_seconds=c.ring_seconds)
            a.start()
            for turn in c.turns:
                t = time.perf_counter()
                a.add_turn(turn.speaker, turn.start, turn.end, turn.text)
                per_utt.append((time.perf_counter() - t) * 1000)
            a.finish()
        t = time.perf_counter()
        a = CallAnalyzer("bench-30", rules=rules, ring_seconds=5.0)
        a.start()
        for sp, s, e, text in thirty:
            a.add_turn(sp, s, e, text)
        a.finish()
        a.result()
        per_call.append((time.perf_counter() - t) * 1000)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res = {
        "core": core, "calls": len(calls), "utterances_timed": len(per_utt),
        "phrasebook_load_ms": round(load_ms, 1), "rules_compile_ms": round(compile_ms, 1),
        "first_call_warmup_ms": round(warm_ms, 1),
        "utterance_ms_median": round(statistics.median(per_utt), 3), "utterance_ms_p95": round(_pct(per_utt, 0.95), 3),
        "call30_ms_median": round(statistics.median(per_call), 2), "call30_ms_p95": round(_pct(per_call, 0.95), 2),
        "peak_rss_mb": round(peak_mb, 1),
    }
    print(f"analysis benchmark ({core}; {len(calls)} calls from {folder}, {len(per_utt)} utterances)")
    print(f"  phrasebook load          {res['phrasebook_load_ms']:>8} ms   (+ compile {res['rules_compile_ms']} ms)")
    print(f"  first call (lazy loads)  {res['first_call_warmup_ms']:>8} ms")
    print(f"  per utterance  median    {res['utterance_ms_median']:>8} ms   p95 {res['utterance_ms_p95']} ms  (target ≤ 2 ms median)")
    print(f"  30-turn call   median    {res['call30_ms_median']:>8} ms   p95 {res['call30_ms_p95']} ms  (target ≤ 50 ms)")
    print(f"  peak memory (RSS)        {res['peak_rss_mb']:>8} MB")
    print(json.dumps(res))
    return 0
