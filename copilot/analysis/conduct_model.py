"""The conduct model: does an agent's turn say a banned phrase or promise an outcome, in words no example has?

Nearest-example similarity (phrasebook.similar) needs an example close to each wording; a new paraphrase of
the same kind of rudeness is missed. This classifier learns the *classes* (impatience, blame-shifting,
refusal, sending the caller away, contempt, sarcasm, claimed ignorance, "not my job", "look it up
yourself", promising or predicting the outcome) from the phrasebook's examples against courteous agent
speech, and is combined with the example rules in ``Checker`` (a turn flags when the rules match OR the
model's probability reaches the threshold below; the look-alike, quote-back and caller gates still apply).

Data (all phrasebook files, no sentence in code):
- positives: banned.toml ``phrases``/``examples`` (label ``banned``), rules.toml ``outcome_promised``
  positives (``outcome``), conduct.toml ``[[rude]]`` groups;
- negatives (``none``): banned.toml ``not_when``, outcome_promised's negatives, replacements.toml (A.4
  wording is non-standard, not banned: that check has its own rule), scripts, greeting and closings, the
  positives of the other agent rules of rules.toml, conduct.toml ``[[courteous]]`` groups.

Features: TF-IDF (sublinear) over character 1–3-grams of the canonical text plus loosened toneless pinyin
syllable 1–3-grams, so that a homophone the recogniser wrote still hits the syllables of the word said.
Augmentation: ASR-style copies (homophones swapped in, a character dropped) and each example said inside a
courteous sentence (a rude clause in a polite turn is still rude; two courteous clauses stay courteous).
Classifier: logistic regression (scikit-learn, fitted by SGD, one-vs-rest; softmax over its logits); then, at training time, 5-fold cross-validation
grouped by example family (whole groups of paraphrases held out: the figures say how the model does on new
wording) chooses a temperature that calibrates the probabilities (least held-out log-loss) and, per label,
the lowest threshold at which the held-out precision is ≥ ``TARGET_PRECISION``.

The fitted numbers are cached in the user cache directory under a hash of the data and ``MODEL_VERSION``;
prediction applies the vocabulary, IDF and coefficients directly with numpy (no scikit-learn at run time).
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from copilot.analysis.model_cache import (
    INDEX,
    Columns,
    Tfidf,
    feature_counts,
    installed_version,
    load_or_train,
    ngram_rows,
    packed_state,
    per_text,
    source_fingerprint,
    unpacked_state,
)
from phrasebook.conduct import CONDUCT_FILE, ConductDataError, read_conduct
from phrasebook.pinyin import syllables

__all__ = ["CONDUCT_FILE", "ConductDataError", "ConductModel", "Verdict", "load_model", "model_for", "read_conduct"]

log = logging.getLogger(__name__)

MODEL_VERSION = "conduct-4"
"""Change when features, augmentation, classifier or the cache file's layout change: the cache key includes it
(need-6, role-8, conduct-4: packed vocabularies and matrices, model_cache.packed_state)."""
PREDICT_CACHE = 2048
STORAGE = "numpy-columns"
"""How the fitted numbers are stored (part of the cache key: a cache of another storage is not read)."""
LABELS = ("banned", "none", "outcome")
ASR_COPIES = 2
COMPOSED = 2
ALPHA = 2e-5
"""L2 regularisation of the logistic regression (SGD)."""
FOLDS = 5
TARGET_PRECISION = 0.9
"""Thresholds are the lowest at which the grouped cross-validation precision of the label is at least this."""
MAX_FPR = 0.02
"""... and at which at most this share of the held-out courteous examples (label none) reaches it: an agent says
far more courteous sentences than rude ones, so precision on the example set (about one rude example per
courteous one) overstates the precision on real turns; the false-positive rate does not depend on the mix."""
MIN_THRESHOLD = 0.5
SEED = 12368
CHUNK = 15
"""A positive list longer than 2×CHUNK (rules.toml's outcome_promised) is split into families of CHUNK
consecutive examples for the grouped cross-validation (its examples are written family by family)."""
FRAGMENTS = 2
FRAGMENTED = ("courteous:", "scripts", "greeting", "rule:")
"""Groups whose sentences are cut into fragments (labelled none) in training; not the look-alike lists, whose
fragments may well be the banned words they are look-alikes of."""
PAIR_CHARS = 12
"""Neighbouring clauses of at most this many characters each are also read as one stretch."""
NOT_NEGATIVES = ("need_declined", "case_detail")
"""Agent rules whose positives are not courteous examples for the model: 「不归我们管」 declines a need AND is
banned; case_detail's bare results (判了两年, 诉讼请求被驳回) are what an outcome prediction says too — said as a
case's status they are courteous, and conduct.toml's ``case_status`` group holds them as whole sentences.
Held out as one family they read as outcome and set its threshold by chance (0.61 → 0.88 with a dozen of them)."""
MIN_CHARS = 4
"""A clause the model reads has at least this many characters of the agent's own words (shorter ones, 烦死了,
are the example rules' business: three characters are too little context for a classifier)."""


def analyse(text: str) -> list[str]:
    """Feature strings of one canonical text: character 1–3-grams and loosened pinyin syllable 1–3-grams.

    你 is read as 您: saying 你 for 您 is A.4 non-standard wording, a check of its own; the model must find
    rudeness in what is said, not in the pronoun (「你换个电话吧」 is non-standard, not banned)."""
    text = text.replace("你", "您")
    n = len(text)
    feats = ["c" + ch for ch in text]
    feats += ["c" + text[i:i + 2] for i in range(n - 1)]
    feats += ["c" + text[i:i + 3] for i in range(n - 2)]
    syl = syllables(text)
    feats += ["p" + s for s in syl]
    feats += [f"p{a} {b}" for a, b in zip(syl, syl[1:], strict=False)]
    feats += [f"p{a} {b} {c}" for a, b, c in zip(syl, syl[1:], syl[2:], strict=False)]
    return feats


_SUBLINEAR = np.array([0.0] + [1.0 + math.log(n) for n in range(1, 65)])
"""1 + log(n) as ``math.log`` gives it (``_SUBLINEAR[1]`` is exactly 1.0: a feature said once weighs its idf)."""


def _counts(text: str) -> dict[str, int]:
    """``Counter(analyse(text))``, from the features the need model reads too (one pass per utterance)."""
    return feature_counts(text.replace("你", "您"))


@dataclass(frozen=True)
class Example:
    text: str
    """Canonical (normalised) text."""
    label: str
    group: str
    """The family of paraphrases it belongs to (held out together in cross-validation)."""
    family: str = ""
    """The Chinese family name shown in explanations (推诿, 不耐烦 …) and the banned group whose replacement
    is suggested (``B03``; empty for conduct.toml groups)."""
    rule: str = ""


@dataclass
class Verdict:
    """The model's reading of one stretch of a turn."""

    label: str
    probability: float
    start: int
    end: int
    """Span of the canonical text the probability belongs to."""


@dataclass
class SparseColumns:
    """A sparse matrix by column (scipy's CSC arrays) and its product with a sparse vector, in numpy."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    rows: int

    @classmethod
    def of(cls, matrix: Any) -> SparseColumns:
        m = matrix.tocsc()
        return cls(np.asarray(m.data, dtype=float), np.asarray(m.indices, dtype=np.int64),
                   np.asarray(m.indptr, dtype=np.int64), int(m.shape[0]))

    def dot(self, cols: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """``matrix[:, cols] @ vals``, the same numbers as scipy's: each row's products are added in the order of
        ``cols`` (``np.add.at`` adds in order, as scipy's column loop does)."""
        out = np.zeros(self.rows)
        starts = self.indptr[cols]
        lens = self.indptr[cols + 1] - starts
        total = int(lens.sum())
        if total:
            at = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
            np.add.at(out, self.indices[at], self.data[at] * np.repeat(vals, lens))
        return out


@dataclass
class ConductModel:
    labels: tuple[str, ...]
    vocab: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float
    thresholds: dict[str, float]
    positives: tuple[Example, ...]
    """The original positive examples (for the nearest example named in an explanation)."""
    positive_matrix: Any
    """Their l2-normalised tf-idf rows, stored by column (``SparseColumns``: numpy arrays only, so loading the
    cached model does not import scipy)."""
    cv: dict[str, Any] = field(default_factory=dict)
    """Grouped cross-validation figures at the chosen thresholds."""
    key: str = ""
    trained_seconds: float = 0.0
    from_cache: bool = False

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        # tfidf_vector(_counts(text), vocab, idf), through the features shared with the other models
        return self.columns().tfidf(text.replace("你", "您"), self.idf)

    def columns(self) -> Columns:
        """This model's view of the process's feature index (model_cache.INDEX)."""
        cols = self.__dict__.get("_columns")
        if cols is None:
            cols = self.__dict__["_columns"] = INDEX.columns(self.vocab)
            self.__dict__["_coef_t"] = np.ascontiguousarray(self.coef.T)
        return cols

    def __getstate__(self) -> dict[str, Any]:
        return packed_state(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(unpacked_state(state))
        if not isinstance(self.positive_matrix, SparseColumns):  # a cache written with scipy's matrix
            self.positive_matrix = SparseColumns.of(self.positive_matrix)

    def predict(self, text: str) -> dict[str, float]:
        """Calibrated probability of each label (three: ``LABELS``) for one canonical text (kept per text,
        bounded; each caller gets its own dict)."""
        return dict(per_text(self, "_predicted", PREDICT_CACHE, text, self._predict))

    def _predict(self, text: str) -> dict[str, float]:
        """``predict`` without the cache.

        The sublinear tf-idf vector, its norm and the three dot products are summed feature by feature in the
        order the features first occur (``np.add.accumulate`` adds in order, as a Python loop does), so the
        numbers are those of the plain loop over ``_counts(text)`` this replaced, bit for bit."""
        cols, counts = self.columns().of(text.replace("你", "您"))
        z = self.intercept.tolist()
        if len(cols):
            idf = self.idf[cols]
            if counts.max() < len(_SUBLINEAR):
                v = _SUBLINEAR[counts] * idf
            else:  # a feature said more than 64 times in one clause
                v = np.array([1.0 + math.log(n) for n in counts.tolist()]) * idf
            norm = math.sqrt(float(np.add.accumulate(v * v)[-1]))
            a = np.add.accumulate(self.__dict__["_coef_t"][cols] * v[:, None], axis=0)[-1].tolist()
            z = [z[0] + a[0] / norm, z[1] + a[1] / norm, z[2] + a[2] / norm]
        t = self.temperature
        top = max(z)
        e = [math.exp((x - top) / t) for x in z]
        total = sum(e)
        return {lab: x / total for lab, x in zip(self.labels, e, strict=True)}

    def nearest(self, text: str, label: str) -> tuple[Example | None, float]:
        """The positive example of ``label`` closest to ``text`` (cosine of tf-idf vectors) and the cosine."""
        c, v = self.vector(text)
        if not len(c):
            return None, 0.0
        sims = self.positive_matrix.dot(c, v)
        best, best_s = None, -1.0
        for i in np.argsort(-sims)[:50]:
            ex = self.positives[int(i)]
            if ex.label == label:
                best, best_s = ex, float(sims[i])
                break
        return best, best_s

    def passes(self, p: dict[str, float]) -> bool:
        """Some label reaches its threshold."""
        return any(p[label] >= t for label, t in self.thresholds.items())

    def read(self, plain: str, breaks: frozenset[int] = frozenset(),
             masked: frozenset[int] = frozenset(), whole: dict[str, float] | None = None) -> list[Verdict]:
        """Verdicts above threshold on the clauses of a turn (split at punctuation): a clause counts when it
        and the whole turn both reach the label's threshold (the model was trained on examples said inside
        courteous sentences too, so a rude clause keeps the turn above it). Masked characters (words a look-alike, an A.4 form or a quote
        already explain) are left out of what the model reads. Best first, at most one per label."""
        cuts = [0, *sorted(b for b in breaks if 0 < b < len(plain)), len(plain)]
        clauses = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            text = "".join(plain[i] for i in range(a, b) if i not in masked)
            if len(text) >= MIN_CHARS:
                clauses.append((a, b, text))
        if not clauses:
            return []
        # the turn as said, look-alike words included: they are the context that makes a clause courteous.
        # It is read first: a turn below every threshold has no verdict, whatever its clauses (one prediction
        # for most turns)
        whole = whole if whole is not None else self.predict(plain)
        if not self.passes(whole):
            return []
        best: dict[str, Verdict] = {}
        # two short neighbouring clauses read together too: one rude act is often said across a comma
        # (「这种事跟我们不沾边，您换个部门打听去」), each half just under the threshold
        pairs = [(a, d, t1 + t2) for (a, _, t1), (_, d, t2) in zip(clauses, clauses[1:], strict=False)
                 if len(t1) <= PAIR_CHARS and len(t2) <= PAIR_CHARS]
        for a, b, text in clauses + pairs:
            p = whole if text == plain else self.predict(text)
            for label, t in self.thresholds.items():
                # the clause, and the turn it is said in: 「我听着呢」 alone may be curt, 「您慢慢说，我听着呢」 is not
                if p[label] >= t and whole[label] >= t and (
                        label not in best or p[label] > best[label].probability):
                    best[label] = Verdict(label, p[label], a, b)
        return sorted(best.values(), key=lambda v: -v.probability)


# ---------------------------------------------------------------- data


def _chunks(texts: list[str], size: int = CHUNK) -> list[list[str]]:
    if len(texts) <= 2 * size:
        return [texts]
    return [texts[i:i + size] for i in range(0, len(texts), size)]


def gather(rules: Any) -> list[Example]:
    """Every labelled example of the phrasebook (canonical texts; a text keeps its first, positive label)."""
    from copilot.text import normalize

    def canon(t: str) -> str:
        return normalize(t).text

    pb = rules.pb
    out: list[Example] = []

    def add(texts: Any, label: str, group: str, family: str = "", rule: str = "") -> None:
        for t in texts:
            c = canon(t)
            if len(c) >= 2:
                out.append(Example(c, label, group, family, rule))

    for b in pb.banned:
        bid, fam = b.id, getattr(b, "family", "") or ""
        add(tuple(b.phrases) + tuple(getattr(b, "examples", ()) or ()), "banned", f"banned:{bid}", fam, bid)
    conduct = read_conduct(Path(pb.source_dir) / CONDUCT_FILE, missing_ok=True)
    for g in conduct.get("rude", ()):
        add(g["examples"], g["label"], f"rude:{g['group']}", g.get("family", ""))
    rules_ = tuple(getattr(pb, "rules", ()) or ())
    for r in rules_:
        if r.id == "outcome_promised":
            for i, chunk in enumerate(_chunks(list(r.positive))):
                add(chunk, "outcome", f"outcome:{i}", "预测结果", r.id)
    # negatives
    for b in pb.banned:
        add(getattr(b, "not_when", ()) or (), "none", f"not_when:{b.id}")
    for r in rules_:
        if r.id == "outcome_promised":
            add(r.negative, "none", "not_when:outcome")
        elif r.speaker == "agent" and r.id not in NOT_NEGATIVES:
            add(r.positive, "none", f"rule:{r.id}")
    for r in pb.replacements:
        add(tuple(r.instead_of) + tuple(getattr(r, "examples", ()) or ()) + tuple(getattr(r, "not_when", ()) or ()),
            "none", f"a4:{r.id}")
    add([getattr(s, "text", "") for s in pb.scripts], "none", "scripts")
    add(list(rules.greeting_forms) + [getattr(c, "text", "") for c in pb.closings], "none", "greeting")
    for g in conduct.get("courteous", ()):
        add(g["examples"], "none", f"courteous:{g['group']}")
    seen: dict[str, Example] = {}
    for e in out:
        if e.text not in seen:
            seen[e.text] = e
        elif seen[e.text].label == "none" and e.label != "none":
            seen[e.text] = e
    return list(seen.values())


# ---------------------------------------------------------------- augmentation


def homophones(texts: list[str]) -> dict[str, list[str]]:
    """Loosened syllable → the characters of ``texts`` read that way (the recogniser's likely substitutes)."""
    by: dict[str, set[str]] = defaultdict(set)
    for t in texts:
        for ch, s in zip(t, syllables(t), strict=True):
            if "\u4e00" <= ch <= "\u9fff":
                by[s].add(ch)
    return {s: sorted(v) for s, v in by.items() if len(v) > 1}


def asr_copy(text: str, rng: random.Random, homo: dict[str, list[str]]) -> str:
    """One ASR-style copy: about one character in six swapped for a homophone, sometimes one dropped."""
    chars = list(text)
    syl = syllables(text)
    for i, s in enumerate(syl):
        if s in homo and rng.random() < 0.17:
            chars[i] = rng.choice(homo[s])
    if len(chars) > 4 and rng.random() < 0.3:
        del chars[rng.randrange(len(chars))]
    return "".join(chars)


def augment(examples: list[Example], *, seed: int = SEED) -> tuple[list[str], list[str], list[int]]:
    """(texts, labels, index of the original example) with ASR copies and courteous contexts."""
    rng = random.Random(seed)
    homo = homophones([e.text for e in examples])
    context = [e.text for e in examples if e.label == "none" and 4 <= len(e.text) <= 20]
    texts, labels, origin = [], [], []
    for i, e in enumerate(examples):
        if e.label == "none" and e.group.startswith(FRAGMENTED) and len(e.text) >= 6:
            # a clause cut out of a courteous sentence is courteous too: the model must not take any short
            # stretch for rude because the rude examples are short (我们这边 of 不归我们这边管)
            for _ in range(FRAGMENTS):
                n = rng.randint(MIN_CHARS, min(8, len(e.text) - 2))
                a = rng.randrange(len(e.text) - n + 1)
                texts.append(e.text[a:a + n])
                labels.append("none")
                origin.append(i)
        variants = [e.text] + [asr_copy(e.text, rng, homo) for _ in range(ASR_COPIES)]
        for _ in range(COMPOSED if context else 0):
            other = rng.choice(context)
            variants.append(other + e.text if rng.random() < 0.5 else e.text + other)
        for v in variants:
            texts.append(v)
            labels.append(e.label)
            origin.append(i)
    return texts, labels, origin


# ---------------------------------------------------------------- training


def _vectorizer() -> Tfidf:
    """``TfidfVectorizer(analyzer=analyse, sublinear_tf=True, norm="l2")``, its numbers bit for bit (model_cache.Tfidf)."""
    return Tfidf(analyse, _ngram_rows)


def _ngram_rows(texts: list[str]) -> tuple[list[str], Any]:
    """``analyse``'s features of distinct texts, all at once (model_cache.ngram_rows)."""
    return ngram_rows([t.replace("你", "您") for t in texts], drop_empty=False)


def _classifier() -> Any:
    """Logistic regression fitted by stochastic gradient descent (one-vs-rest; a tenth of the time of the
    batch solvers on these few thousand sparse rows, the same held-out figures)."""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=ALPHA, class_weight="balanced", max_iter=50, tol=1e-4,
                         random_state=0)


def _logits(clf: Any, x: Any) -> np.ndarray:
    order = [list(clf.classes_).index(lab) for lab in LABELS]
    return clf.decision_function(x)[:, order]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_validate(examples: list[Example], *, folds: int = FOLDS, seed: int = SEED,
                   data: tuple[Any, list[str], list[int]] | None = None) -> np.ndarray:
    """Held-out logits (in ``LABELS`` order) of every example: grouped k-fold, a family of paraphrases is
    held out whole, with its ASR copies and composed sentences. ``data``: the augmented tf-idf matrix,
    labels and origins if already computed (the vocabulary is shared across folds; labels are not)."""
    from sklearn.model_selection import GroupKFold

    if data is None:
        texts, labels, origin = augment(examples, seed=seed)
        data = (_vectorizer().fit_transform(texts), labels, origin)
    x, labels, origin = data
    lab = np.array(labels)
    org = np.array(origin)
    first = {o: i for i, o in reversed(list(enumerate(origin)))}
    own = np.array([first[i] for i in range(len(examples))])
    groups = [e.group for e in examples]
    logits = np.zeros((len(examples), len(LABELS)))
    for train_i, test_i in GroupKFold(n_splits=folds).split(np.arange(len(examples)), groups=groups):
        rows = np.flatnonzero(np.isin(org, train_i))
        clf = _classifier().fit(x[rows], lab[rows])
        logits[test_i] = _logits(clf, x[own[test_i]])
    return logits


def choose(logits: np.ndarray, examples: list[Example]) -> tuple[float, dict[str, float], dict[str, Any]]:
    """(temperature, thresholds, figures) from held-out logits."""
    y = np.array([LABELS.index(e.label) for e in examples])
    best_t, best_loss = 1.0, math.inf
    for t in np.arange(0.2, 3.01, 0.05):
        p = _softmax(logits / t)
        loss = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))
        if loss < best_loss:
            best_t, best_loss = float(t), float(loss)
    p = _softmax(logits / best_t)
    thresholds: dict[str, float] = {}
    figures: dict[str, Any] = {"temperature": round(best_t, 2), "log_loss": round(best_loss, 4),
                               "examples": len(examples), "groups": len({e.group for e in examples})}
    for label in ("banned", "outcome"):
        j = LABELS.index(label)
        gold = y == j
        chosen = None
        for t in np.arange(MIN_THRESHOLD, 0.991, 0.01):
            pred = p[:, j] >= t
            if pred.sum() == 0:
                break
            prec = float((pred & gold).sum() / pred.sum())
            fpr = float((pred & (y == LABELS.index("none"))).sum() / max(1, int((y == LABELS.index("none")).sum())))
            if prec >= TARGET_PRECISION and fpr <= MAX_FPR:
                chosen = float(t)
                break
        thr = chosen if chosen is not None else 0.99
        pred = p[:, j] >= thr
        tp = int((pred & gold).sum())
        thresholds[label] = round(thr, 2)
        figures[label] = {"threshold": round(thr, 2), "precision": round(tp / max(1, int(pred.sum())), 3),
                          "recall": round(tp / max(1, int(gold.sum())), 3), "positives": int(gold.sum()),
                          "false_positives": int(pred.sum()) - tp,
                          "courteous_flagged": round(float((pred & (y == LABELS.index("none"))).sum())
                                                     / max(1, int((y == LABELS.index("none")).sum())), 4)}
    none = y == LABELS.index("none")
    flagged = np.zeros(len(y), dtype=bool)
    for label, thr in thresholds.items():
        flagged |= p[:, LABELS.index(label)] >= thr
    figures["negatives_flagged"] = round(float((flagged & none).sum() / max(1, int(none.sum()))), 4)
    return best_t, thresholds, figures


def train(rules: Any, *, cv: bool = True) -> ConductModel:
    t0 = time.perf_counter()
    examples = gather(rules)
    texts, labels, origin = augment(examples)
    vec = _vectorizer()
    x = vec.fit_transform(texts)
    if cv:
        logits = cross_validate(examples, data=(x, labels, origin))
        temperature, thresholds, figures = choose(logits, examples)
    else:
        temperature, thresholds, figures = 1.0, {"banned": 0.5, "outcome": 0.5}, {}
    clf = _classifier().fit(x, labels)
    order = [list(clf.classes_).index(lab) for lab in LABELS]
    vocab = {f: int(i) for f, i in vec.vocabulary_.items()}
    positives = tuple(e for e in examples if e.label != "none")
    pm = SparseColumns.of(vec.transform([e.text for e in positives]))
    return ConductModel(labels=LABELS, vocab=vocab, idf=vec.idf_.astype(float), coef=clf.coef_[order].astype(float),
                        intercept=clf.intercept_[order].astype(float), temperature=temperature,
                        thresholds=thresholds, positives=positives, positive_matrix=pm, cv=figures,
                        trained_seconds=round(time.perf_counter() - t0, 2))


# ---------------------------------------------------------------- cache


def cache_key(rules: Any) -> str:
    """Hash of everything the model is trained from (the phrasebook's data files) and of the settings."""

    h = hashlib.sha256()
    h.update(STORAGE.encode())
    h.update(f"{MODEL_VERSION}|{source_fingerprint()}|{installed_version('scikit-learn')}|{ASR_COPIES}|{COMPOSED}|{ALPHA}|{FOLDS}|"
             f"{TARGET_PRECISION}|{MAX_FPR}|{SEED}|{CHUNK}|{FRAGMENTS}|{FRAGMENTED}|{MIN_CHARS}|{NOT_NEGATIVES}".encode())
    src = Path(rules.pb.source_dir)
    for name in ("banned.toml", "rules.toml", "replacements.toml", "scripts.toml", "greeting.toml", CONDUCT_FILE):
        p = src / name
        h.update(name.encode())
        h.update(p.read_bytes() if p.is_file() else b"")
    return h.hexdigest()[:20]


def load_model(rules: Any, *, use_cache: bool = True) -> ConductModel:
    """The conduct model of this phrasebook: from the cache when its data are unchanged, else trained."""

    def fresh() -> ConductModel:
        model = train(rules)
        log.info("conduct model trained in %.2f s (%d features)", model.trained_seconds, len(model.vocab))
        return model

    return load_or_train("conduct-model", cache_key(rules), ConductModel, fresh, use_cache=use_cache)


@lru_cache(maxsize=4)
def _for(rules: Any) -> ConductModel:
    return load_model(rules)


def model_for(rules: Any) -> ConductModel:
    """One model per compiled phrasebook in this process."""
    return _for(rules)
