"""The conduct model's held-out figures: grouped 5-fold cross-validation on the phrasebook's examples.

Whole families of paraphrases (a banned group, a conduct.toml class, a chunk of outcome promises, a group of
courteous sentences) are held out together, so the figures say how the model does on wording it has not seen.

    python -m benchmarks.conduct_model [--json]      # CV figures, the precision/recall curve, train/cached time
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import os

    from copilot.analysis import conduct_model as cm
    from copilot.analysis.rules import load_rules

    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COPILOT_CACHE_DIR"] = tmp
        t = time.perf_counter()
        model = cm.load_model(rules)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        again = cm.load_model(rules)
        cached = time.perf_counter() - t
        assert again.from_cache
    examples = cm.gather(rules)
    logits = cm.cross_validate(examples)
    p = cm._softmax(logits / model.temperature)
    y = np.array([cm.LABELS.index(e.label) for e in examples])
    curve = {}
    for label in ("banned", "outcome"):
        j = cm.LABELS.index(label)
        rows = []
        for thr in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
            pred = p[:, j] >= thr
            tp = int((pred & (y == j)).sum())
            rows.append((thr, round(tp / max(1, int(pred.sum())), 3), round(tp / max(1, int((y == j).sum())), 3)))
        curve[label] = rows
    out = {"cv": model.cv, "thresholds": model.thresholds, "curve": curve, "train_seconds_cold": round(cold, 2),
           "load_seconds_cached": round(cached, 3), "features": len(model.vocab)}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(f"examples {model.cv.get('examples')} in {model.cv.get('groups')} groups; temperature {model.temperature}")
    for label in ("banned", "outcome"):
        f = model.cv[label]
        print(f"{label:8s} threshold {f['threshold']:.2f}  held-out P {f['precision']:.3f}  R {f['recall']:.3f} "
              f"({f['positives']} positives, {f['false_positives']} false positives)")
        print("   threshold  P      R")
        for thr, pr, rc in curve[label]:
            print(f"   {thr:.2f}      {pr:.3f}  {rc:.3f}")
    print(f"courteous examples flagged (held out): {model.cv['negatives_flagged']:.2%}")
    print(f"train (cold, incl. CV and scikit-learn import) {cold:.2f} s; load cached {cached * 1000:.0f} ms; "
          f"{len(model.vocab)} features")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
