"""Why logistic regression: 5-fold cross-validation of candidate need models on the phrasebook examples.

    PYTHONPATH=$PWD python benchmarks/need_model_choice.py

Each fold trains on the training-fold examples (with their ASR-style and composed copies, exactly as
need_model.train does) and tests on the held-out examples, as written and as ASR-style copies. Printed
per candidate: accuracy, macro-F1, expected calibration error (ECE, 10 bins) and log-loss of the
top-label probability, fit time. The last block finds the temperature T that minimises the held-out
log-loss of the chosen model (probabilities = softmax(logits / T)); need_model.TEMPERATURE is set from it.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, log_loss
    from sklearn.model_selection import StratifiedKFold
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC
    from understanding import ece

    from copilot.analysis import need_model as nm
    from copilot.analysis.augment import asr_copies
    from copilot.analysis.rules import load_rules
    from copilot.text import normalize
    from phrasebook.model import Phrasebook

    r = load_rules()
    pb: Phrasebook = r.pb
    items = [(g, ex) for g in pb.examples for ex in g.examples]
    labels = np.array([g.label for g, _ in items])
    rng = random.Random(7)
    pool = "".join(ex for _, ex in items)
    asr_test = [normalize(asr_copies(ex, 1, rng, pool=pool)[0], dialect=r.dialect_map).text for _, ex in items]
    clean_test = [normalize(ex, dialect=r.dialect_map).text for _, ex in items]

    candidates = {
        "logreg C=1": lambda: LogisticRegression(C=1, solver="saga", max_iter=3000),
        "logreg C=4": lambda: LogisticRegression(C=4, solver="saga", max_iter=3000),
        "logreg C=16": lambda: LogisticRegression(C=16, solver="saga", max_iter=3000),
        "linearSVC+sigmoid": lambda: CalibratedClassifierCV(LinearSVC(C=0.5), method="sigmoid", cv=3),
        "complementNB": lambda: ComplementNB(alpha=0.3),
    }
    folds = list(StratifiedKFold(5, shuffle=True, random_state=1).split(np.zeros(len(items)), labels))
    results: dict[str, dict[str, list]] = {k: {"y": [], "p": [], "P": [], "t": [], "logits": []} for k in candidates}
    for train_idx, test_idx in folds:
        sub = _subset(pb, {id(items[i][1]) for i in train_idx}, items)
        texts, y, _ = nm.training_set(sub, r.dialect_map)
        vec = nm.vectorizer()
        x = vec.fit_transform(texts)
        xt = vec.transform([clean_test[i] for i in test_idx] + [asr_test[i] for i in test_idx])
        yt = list(labels[test_idx]) * 2
        for name, make in candidates.items():
            t = time.perf_counter()
            clf = make().fit(x, y)
            results[name]["t"].append(time.perf_counter() - t)
            proba = clf.predict_proba(xt)
            classes = list(clf.classes_)
            results[name]["y"] += [classes.index(v) for v in yt]
            results[name]["P"].append(proba)
            if hasattr(clf, "decision_function") and name.startswith("logreg"):
                results[name]["logits"].append(clf.decision_function(xt))
    print(f"{'candidate':<20}{'acc':>7}{'macroF1':>9}{'ECE':>7}{'logloss':>9}{'fit s':>7}")
    for name, res in results.items():
        proba = np.vstack(res["P"])
        y = np.array(res["y"])
        pred = proba.argmax(1)
        pairs = [(float(proba[i, pred[i]]), bool(pred[i] == y[i])) for i in range(len(y))]
        print(f"{name:<20}{(pred == y).mean():>7.3f}{f1_score(y, pred, average='macro'):>9.3f}"
              f"{ece(pairs):>7.3f}{log_loss(y, proba, labels=range(proba.shape[1])):>9.3f}"
              f"{np.mean(res['t']):>7.2f}")
    res = results[f"logreg C={nm.C_LABEL:g}"]
    logits = np.vstack(res["logits"])
    y = np.array(res["y"])
    print(f"\ntemperature of logreg C={nm.C_LABEL:g} (held-out log-loss, ECE):")
    for temp in (1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3):
        z = logits / temp
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        pred = p.argmax(1)
        pairs = [(float(p[i, pred[i]]), bool(pred[i] == y[i])) for i in range(len(y))]
        print(f"  T={temp:<4} log-loss {log_loss(y, p, labels=range(p.shape[1])):.3f}  ECE {ece(pairs):.3f}")
    return 0


def _subset(pb, keep: set[int], items):
    from dataclasses import replace

    groups = []
    for g in pb.examples:
        ex = tuple(e for gg, e in items if gg is g and id(e) in keep)
        if ex:
            groups.append(replace(g, examples=ex))
    return replace(pb, examples=tuple(groups))


if __name__ == "__main__":
    sys.exit(main())
