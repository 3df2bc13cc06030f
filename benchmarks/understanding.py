"""Understanding benchmark: service type, record fields and calibration on every evaluation set at once.

    PYTHONPATH=$PWD python benchmarks/understanding.py                      # dev + /work/blind/set1
    PYTHONPATH=$PWD python benchmarks/understanding.py --set fresh=/work/blind/fresh1 -v

A set is a folder holding any of:
  calls/ + labels.jsonl          clean transcripts (formats.md §1) and their labels
  asr/                           the same calls as ASR-style text (same labels)
  whisper/ + audio-labels.jsonl  real Whisper transcripts (labels of the calls that have audio)
  sentences.jsonl                single caller sentences, each {"text"/"sentence": …, "service_type": …};
                                 each is analysed as a one-turn caller call after the standard greeting

Printed: one row per measure, one column per set (dev / blind / fresh-blind), then JSON.
Calibration: expected calibration error (ECE, 10 equal-width bins) of the reported service-type
confidence against whether the service type was right, over all calls and sentences of a set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

DEV = Path("/work/shared/eval/dev")
BLIND = Path("/work/blind/set1")
FIELDS = ("judge_name", "caller_role", "case_number", "phone")
GREETING = "您好！12368！请问有什么可以帮助您？"


def _labels(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out[d["call_id"]] = d
    return out


def ece(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error: Σ over confidence bins of |accuracy − mean confidence| × share."""
    if not pairs:
        return float("nan")
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if (lo < c <= hi) or (b == 0 and c == 0.0)]
        if inside:
            acc = sum(ok for _, ok in inside) / len(inside)
            conf = sum(c for c, _ in inside) / len(inside)
            total += abs(acc - conf) * len(inside) / len(pairs)
    return total


def _calls(folder: Path, labels: dict[str, dict[str, Any]], verbose: bool, tag: str) -> dict[str, Any]:
    from copilot.analysis import analyze_transcript
    from copilot.evaluation.evaluate import find_call_file
    from copilot.transcript import load_transcript

    n = ok = 0
    conf: list[tuple[float, bool]] = []
    fields = {f: [0, 0] for f in FIELDS}
    for call_id, label in sorted(labels.items()):
        path = find_call_file(folder, call_id)
        if not path.exists():
            continue
        res = analyze_transcript(load_transcript(path))
        n += 1
        right = res["service_type"] == label["service_type"]
        ok += right
        conf.append((float(res.get("confidence") or 0.0), right))
        if not right and verbose:
            print(f"  [{tag}] {call_id}: {res['service_type']} (expected {label['service_type']})"
                  f" conf {res.get('confidence')}", file=sys.stderr)
        rec = res.get("record") or {}
        for f in FIELDS:
            if f in (label.get("record") or {}):
                fields[f][1] += 1
                if rec.get(f) == label["record"][f]:
                    fields[f][0] += 1
                elif verbose:
                    print(f"  [{tag}] {call_id}: {f} {rec.get(f)!r} (expected {label['record'][f]!r})",
                          file=sys.stderr)
    out: dict[str, Any] = {"n": n, "service_type": ok / n if n else None, "conf": conf}
    for f, (a, b) in fields.items():
        out[f] = a / b if b else None
    return out


def _sentences(path: Path, verbose: bool, tag: str) -> dict[str, Any]:
    from copilot.analysis import analyze_transcript
    from copilot.transcript import Transcript, Turn

    n = ok = 0
    conf: list[tuple[float, bool]] = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        d = json.loads(line)
        text = d.get("text") or d.get("sentence") or d.get("caller") or ""
        gold = d.get("service_type")
        tr = Transcript(call_id=str(d.get("id", f"S{i}")), turns=(
            Turn("agent", 0.0, 3.0, GREETING), Turn("caller", 3.5, 8.0, text)))
        res = analyze_transcript(tr)
        n += 1
        right = res["service_type"] == gold
        ok += right
        conf.append((float(res.get("confidence") or 0.0), right))
        if not right and verbose:
            print(f"  [{tag}] {res['service_type']} (expected {gold}) conf {res.get('confidence')}: {text}",
                  file=sys.stderr)
    return {"n": n, "service_type": ok / n if n else None, "conf": conf}


def run_set(name: str, root: Path, verbose: bool) -> dict[str, Any]:
    res: dict[str, Any] = {}
    if (root / "labels.jsonl").exists():
        labels = _labels(root / "labels.jsonl")
        for copy in ("calls", "asr"):
            if (root / copy).is_dir():
                res[copy] = _calls(root / copy, labels, verbose, f"{name}/{copy}")
    if (root / "whisper").is_dir() and (root / "audio-labels.jsonl").exists():
        res["whisper"] = _calls(root / "whisper", _labels(root / "audio-labels.jsonl"), verbose, f"{name}/whisper")
    if (root / "sentences.jsonl").exists():
        res["sentences"] = _sentences(root / "sentences.jsonl", verbose, f"{name}/sentences")
    pairs = [p for r in res.values() for p in r.get("conf", [])]
    res["ece"] = ece(pairs)
    res["ece_n"] = len(pairs)
    return res


ROWS = (
    ("service type, clean calls", "calls", "service_type"),
    ("service type, ASR-style", "asr", "service_type"),
    ("service type, Whisper", "whisper", "service_type"),
    ("service type, single sentences", "sentences", "service_type"),
    ("judge name, clean", "calls", "judge_name"),
    ("caller role, clean", "calls", "caller_role"),
    ("case number, clean", "calls", "case_number"),
    ("phone, clean", "calls", "phone"),
    ("judge name, ASR-style", "asr", "judge_name"),
    ("caller role, ASR-style", "asr", "caller_role"),
    ("case number, ASR-style", "asr", "case_number"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", default=[], metavar="NAME=DIR",
                    help="an extra evaluation set (e.g. fresh=/work/blind/fresh1)")
    ap.add_argument("--no-default", action="store_true", help="skip dev and set1")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every mistake on stderr")
    ap.add_argument("--json", action="store_true", help="print only JSON")
    ap.add_argument("--fit-calibration", action="store_true",
                    help="fit the Platt scaling of the confidence (classifier.CALIBRATION) on the chosen sets")
    args = ap.parse_args(argv)
    if args.fit_calibration:
        import copilot.analysis.classifier as classifier

        classifier.CALIBRATION = (1.0, 0.0)
    sets: list[tuple[str, Path]] = []
    if not args.no_default:
        sets.append(("dev", DEV))
        if BLIND.is_dir():
            sets.append(("blind", BLIND))
    for s in args.set:
        name, _, d = s.partition("=")
        sets.append((name, Path(d)))
    t = time.perf_counter()
    from copilot.analysis.rules import load_rules

    load_rules()
    results = {name: run_set(name, root, args.verbose) for name, root in sets}
    elapsed = time.perf_counter() - t
    if args.fit_calibration:
        return _fit(results)
    if not args.json:
        head = f"{'measure':<34}" + "".join(f"{name:>16}" for name, _ in sets)
        print(head)
        print("-" * len(head))
        for label, copy, key in ROWS:
            cells = []
            for name, _ in sets:
                r = results[name].get(copy)
                v = r.get(key) if r else None
                cells.append(f"{v:.3f} ({r['n']})" if v is not None else "—")
            if any(c != "—" for c in cells):
                print(f"{label:<34}" + "".join(f"{c:>16}" for c in cells))
        print(f"{'ECE of confidence (calls+sent.)':<34}"
              + "".join(f"{results[n]['ece']:>10.3f} ({results[n]['ece_n']})" for n, _ in sets))
        print(f"({elapsed:.1f} s)")
    slim = {n: {c: ({k: v for k, v in r.items() if k != "conf"} if isinstance(r, dict) else r)
                for c, r in res.items()} for n, res in results.items()}
    print(json.dumps(slim, ensure_ascii=False))
    return 0


def _fit(results: dict[str, Any]) -> int:
    """Platt scaling: logistic regression of 'service type right' on logit(raw confidence)."""
    import math

    import numpy as np
    from sklearn.linear_model import LogisticRegression

    pairs = [p for res in results.values() for r in res.values() if isinstance(r, dict) for p in r.get("conf", [])]
    x = np.array([[math.log(min(max(c, 1e-3), 1 - 1e-3) / (1 - min(max(c, 1e-3), 1 - 1e-3)))] for c, _ in pairs])
    y = np.array([int(ok) for _, ok in pairs])
    m = LogisticRegression(C=1.0).fit(x, y)
    a, b = float(m.coef_[0][0]), float(m.intercept_[0])
    fitted = [(1 / (1 + math.exp(-(a * xi[0] + b))), bool(ok)) for xi, ok in zip(x, y, strict=True)]
    print(f"{len(y)} calls and sentences, {len(y) - y.sum()} wrong; ECE raw {ece(pairs):.3f} → fitted {ece(fitted):.3f}")
    print(f"CALIBRATION = ({a:.3f}, {b:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
