"""Compliance-check benchmark: flag precision/recall on single turns, whole calls and the dev set.

    python -m benchmarks.checks [--turns TURNS.jsonl] [--calls DIR LABELS.jsonl]... [--dev DIR] [--speed DIR] [--json] [-v]

(a) ``--turns``: each line of a turns file is one utterance with the codes it must raise (empty for a
    look-alike or a caller's turn). It is analysed inside a minimal call (greeting, a caller's request,
    the turn, a closing); the flags it caused are those on its own turn plus call-level flags that the
    same call without it does not raise. Reported: precision/recall per code, the look-alike
    false-positive rate (look-alikes with any flag) and flags on caller turns (must be 0).
(b) ``--calls DIR LABELS``: the existing evaluation (``copilot eval``) — flag P/R/F1 per code.
(c) ``--dev DIR``: the dev set, ``DIR/calls`` and ``DIR/asr`` against ``DIR/labels.jsonl``.

A turns line is a JSON object; the fields read are ``text``, ``speaker`` (agent|caller, default agent),
``kind`` (positive|lookalike|caller, also ``type``/``category``), the expected codes (``codes``,
``expected``, ``expected_codes`` or ``code``: a list, a string or null) and optionally ``context``: a
list of turns ``{"speaker", "text"}`` said before it (the turn then follows them instead of the caller's
generic request).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

GREETING = "您好！12368！请问有什么可以帮助您？"
REQUEST = "你好，我想咨询一下起诉需要准备什么材料。"
CLOSING = "请问还有什么可以为您服务的吗？感谢您的来电，再见！"


def _codes(item: dict[str, Any]) -> list[str]:
    for key in ("expect", "codes", "expected", "expected_codes", "code", "flags"):
        if key in item:
            v = item[key]
            if v is None:
                return []
            if isinstance(v, str):
                return [v] if v else []
            return [c["code"] if isinstance(c, dict) else str(c) for c in v]
    return []


def _kind(item: dict[str, Any]) -> str:
    k = str(item.get("kind") or item.get("type") or item.get("category") or "").lower()
    if item.get("speaker") == "caller" or k.startswith("caller"):
        return "caller"
    if k.startswith(("look", "neg", "near")):
        return "lookalike"
    if k.startswith("pos"):
        return "positive"
    return "positive" if _codes(item) else "lookalike"


def _call(turns: list[tuple[str, str]]) -> dict[str, Any]:
    out, t = [], 0.0
    for speaker, text in turns:
        dur = max(1.0, len(text) * 0.25)
        out.append({"speaker": speaker, "start": round(t, 2), "end": round(t + dur, 2), "text": text})
        t += dur + 0.5
    return {"call_id": "BENCH", "ring_seconds": 3.0, "turns": out}


def _analyse(turns: list[tuple[str, str]]) -> dict[str, Any]:
    from copilot.analysis import analyze_transcript
    from copilot.transcript import parse_transcript

    return analyze_transcript(parse_transcript(_call(turns)))


def turn_flags(item: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The flags one utterance causes in a minimal call, and how many of them sit on a caller turn."""
    speaker = "caller" if item.get("speaker") == "caller" else "agent"
    ctx = [(c.get("speaker", "caller"), c["text"]) for c in item.get("context") or []]
    before = [("agent", GREETING)] + (ctx or [("caller", REQUEST)])
    base = _analyse(before + [("agent", CLOSING)])
    res = _analyse(before + [(speaker, item["text"]), ("agent", CLOSING)])
    idx = len(before)
    base_calls = Counter(f["code"] for f in base["flags"] if f.get("turn") is None)
    caused, on_caller = [], 0
    for f in res["flags"]:
        if f.get("turn") == idx:
            caused.append(f)
        elif f.get("turn") is None and speaker == "agent":  # a caller's words may rightly call for a call-level
            # check (a wait complaint → the apology is due); only flags on the caller's own turn count there
            if base_calls[f["code"]] > 0:
                base_calls[f["code"]] -= 1
            else:
                caused.append(f)
        if f.get("speaker") == "caller":
            on_caller += 1
    return caused, on_caller


def bench_turns(path: Path, verbose: bool) -> dict[str, Any]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    kinds: Counter = Counter()
    flagged: Counter = Counter()
    caller_flags = 0
    mistakes = []
    for n, item in enumerate(items, 1):
        kind = _kind(item)
        kinds[kind] += 1
        gold = Counter(set(_codes(item)))
        flags, on_caller = turn_flags(item)
        caller_flags += on_caller
        pred = Counter({f["code"] for f in flags})
        for extra in item.get("also_acceptable") or ():  # a defensible second code: neither raised nor missed counts
            gold[extra] = pred[extra]
        if pred:
            flagged[kind] += 1
        for c in gold | pred:
            t = min(gold[c], pred[c])
            tp[c] += t
            fp[c] += pred[c] - t
            fn[c] += gold[c] - t
        if set(+gold) != set(pred):
            why = "; ".join(f"{f['code']}「{f.get('phrase', '')}」" for f in flags)
            mistakes.append(f"{path.name}:{n} [{kind}] {item['text']!r}: expected {sorted(gold)}, got {sorted(pred)} {why}")
    codes = sorted(set(tp) | set(fp) | set(fn))
    per = {c: _prf(tp[c], fp[c], fn[c]) for c in codes}
    micro = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    out = {"items": dict(kinds), "per_code": per, "micro": micro,
           "lookalike_fp_rate": round(flagged["lookalike"] / kinds["lookalike"], 4) if kinds["lookalike"] else None,
           "positive_recall_any": round(flagged["positive"] / kinds["positive"], 4) if kinds["positive"] else None,
           "caller_flags": caller_flags, "mistakes": mistakes}
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def bench_calls(calls: Path, labels: Path, by_code: bool = False) -> dict[str, Any]:
    """The existing evaluation (the ten formats.md codes), plus the copilot's further codes when labelled.

    A label's ``optional_flags`` (code, turn) are defensible either way: raising them is not an error."""
    from copilot.analysis import analyze_transcript
    from copilot.evaluation.evaluate import evaluate, load_labels
    from copilot.transcript import load_transcript

    labels = load_labels(labels)
    optional = {cid: {(f["code"], f.get("turn")) for f in lab.get("optional_flags") or ()} for cid, lab in labels.items()}
    results: dict[str, dict[str, Any]] = {}

    texts: dict[str, list[str]] = {}

    def analyse(path: Path) -> dict[str, Any]:
        tr = load_transcript(path)
        r = analyze_transcript(tr)
        texts[r["call_id"]] = [t.text for t in tr.turns]
        opt = optional.get(r["call_id"], set())
        r["flags"] = [f for f in r["flags"] if (f["code"], f.get("turn")) not in opt]
        results[r["call_id"]] = r
        return r

    d = evaluate(calls, _write_labels(labels), by_code=by_code, analyse=analyse).to_dict()
    # further codes (identity_not_verified, outcome_promised …) when the labels carry them
    extra = {"tp": 0, "fp": 0, "fn": 0}
    for cid, lab in labels.items():
        r = results.get(cid)
        if r is None:
            continue
        for code in ("outcome_promised", "identity_not_verified"):
            g = Counter((f["code"], f.get("turn")) for f in lab.get("flags", []) if f["code"] == code)
            p = Counter((f["code"], f.get("turn")) for f in r["flags"] if f["code"] == code)
            if g and all(t is None for _, t in g):  # labels that name no turn for this code: compared per call
                p = Counter({(code, None): min(1, sum(p.values()))}) if p else Counter()
                g = Counter({(code, None): 1})
            for k in g | p:
                t = min(g[k], p[k])
                extra["tp"] += t
                extra["fp"] += p[k] - t
                extra["fn"] += g[k] - t
                if p[k] > t:
                    d["mistakes"].append(f"{cid}: extra flag {k}")
                if g[k] > t:
                    d["mistakes"].append(f"{cid}: missed flag {k}")
    d["further_codes"] = _prf(extra["tp"], extra["fp"], extra["fn"])
    d["mistakes"] = [_detail(m, texts, results) for m in d["mistakes"]]
    d["scores"] = {cid: r["score"]["total"] for cid, r in results.items() if r.get("score")}
    return d


_MISTAKE = re.compile(r"^(?P<cid>\S+): (?P<kind>extra|missed) flag \('(?P<code>\w+)', (?P<turn>\d+|None)\)")


def _detail(line: str, texts: dict[str, list[str]], results: dict[str, dict[str, Any]]) -> str:
    """A call-level mistake with the words of its turn and, for an extra flag, why it was raised (the error
    listing is for finding classes of errors)."""
    m = _MISTAKE.match(line)
    if not m or m["turn"] == "None":
        return line
    cid, turn = m["cid"], int(m["turn"])
    said = texts.get(cid, [])
    out = line + (f" {said[turn]!r}" if turn < len(said) else "")
    if m["kind"] == "extra":
        why = [f.get("explanation", "") for f in results.get(cid, {}).get("flags", [])
               if f["code"] == m["code"] and f.get("turn") == turn]
        out += f" — {why[0]}" if why and why[0] else ""
    return out


def _write_labels(labels: dict[str, dict[str, Any]]) -> Path:
    """evaluate() reads a labels file: give it the labels already parsed."""
    import tempfile

    fd = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
    with fd:
        for lab in labels.values():
            fd.write(json.dumps(lab, ensure_ascii=False) + "\n")
    return Path(fd.name)


def _print_turns(name: str, r: dict[str, Any], verbose: bool) -> None:
    print(f"== turns: {name}  items {r['items']}")
    print(f"{'code':<28}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for c, v in r["per_code"].items():
        print(f"{c:<28}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['tp']:>5}{v['fp']:>5}{v['fn']:>5}")
    m = r["micro"]
    print(f"{'micro':<28}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}")
    print(f"look-alike false-positive rate: {r['lookalike_fp_rate']}   positives with any flag: "
          f"{r['positive_recall_any']}   flags on caller turns: {r['caller_flags']}")
    if verbose:
        for m in r["mistakes"]:
            print("  " + m)


def _print_calls(name: str, d: dict[str, Any], verbose: bool) -> None:
    print(f"== calls: {name}  ({d['calls']} calls, service type accuracy {d['service_type']['accuracy']})")
    print(f"{'code':<28}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for c, v in d["flags"]["per_code"].items():
        print(f"{c:<28}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['tp']:>5}{v['fp']:>5}{v['fn']:>5}")
    m = d["flags"]["micro"]
    print(f"{'micro':<28}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}")
    fc = d.get("further_codes") or {}
    if fc.get("tp", 0) + fc.get("fp", 0) + fc.get("fn", 0):
        print(f"{'further codes (not formats.md)':<28}{fc['precision']:>7.3f}{fc['recall']:>7.3f}{fc['f1']:>7.3f}"
              f"{fc['tp']:>5}{fc['fp']:>5}{fc['fn']:>5}")
    print(f"flags on caller turns: {d['caller_flags']}")
    if verbose:
        for m in d["mistakes"]:
            if "flag" in m:
                print("  " + m)


def bench_speed(folder: Path, rounds: int = 3) -> dict[str, Any]:
    """CPU time of ``CallAnalyzer.add_turn`` per utterance over the transcripts of ``folder`` (one warm-up
    round, then ``rounds``). Process time, so other processes on a shared machine count less than in wall time."""
    import statistics
    import time

    from copilot.analysis.analyzer import CallAnalyzer
    from copilot.transcript import load_transcript

    calls = [load_transcript(p) for p in sorted(folder.glob("*.json"))]
    times: list[float] = []
    for r in range(rounds + 1):
        for c in calls:
            a = CallAnalyzer(c.call_id, ring_seconds=c.ring_seconds)
            for t in c.turns:
                t0 = time.process_time()
                a.add_turn(t.speaker, t.start, t.end, t.text)
                if r:
                    times.append(time.process_time() - t0)
            a.finish()
    times.sort()
    return {"utterances": len(times), "median_ms": round(statistics.median(times) * 1000, 3),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.checks", description=__doc__.split("\n")[0])
    ap.add_argument("--turns", action="append", default=[], help="a turns .jsonl file (repeatable)")
    ap.add_argument("--calls", nargs=2, action="append", default=[], metavar=("DIR", "LABELS"),
                    help="a folder of transcripts and its labels.jsonl (repeatable)")
    ap.add_argument("--by-code", action="store_true", help="compare call flags by code only")
    ap.add_argument("--dev", help="a dev-set folder with calls/, asr/ and labels.jsonl")
    ap.add_argument("--speed", metavar="DIR", help="CPU time per utterance over the transcripts in DIR")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    a = ap.parse_args(argv)
    out: dict[str, Any] = {}
    for t in a.turns:
        out[f"turns:{t}"] = r = bench_turns(Path(t), a.verbose)
        if not a.json:
            _print_turns(t, r, a.verbose)
    sets = [(Path(d), Path(lab)) for d, lab in a.calls]
    if a.dev:
        dev = Path(a.dev)
        sets += [(dev / "calls", dev / "labels.jsonl"), (dev / "asr", dev / "labels.jsonl")]
    for d, lab in sets:
        out[f"calls:{d}"] = r = bench_calls(d, lab, a.by_code)
        if not a.json:
            _print_calls(str(d), r, a.verbose)
    if a.speed:
        out["speed"] = r = bench_speed(Path(a.speed))
        if not a.json:
            print(f"== speed: {a.speed}  {r['utterances']} utterances, CPU time per utterance median "
                  f"{r['median_ms']} ms, p95 {r['p95_ms']} ms")
    if a.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    if not out:
        ap.print_usage()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
