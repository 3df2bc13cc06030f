"""The need model: what a caller's turn asks for, learnt from the phrasebook's example sentences.

Features: TF-IDF over character 1–3-grams of the canonical text (simplified, no punctuation, digits,
Wu words mapped) plus toneless "loose" pinyin syllable 1–3-grams (zh/z, n/l, -ng/-n merged), so that a
homophone written by the recogniser (上述 for 上诉) still hits the features of the word that was said.
Classifier: multinomial logistic regression (scikit-learn), its logits divided by a temperature chosen
by cross-validation so that the probabilities are calibrated (docs/understanding.md gives the numbers
and the comparison with a calibrated linear SVM and naive Bayes).

Labels: the six service codes and ``none`` (greetings, identity statements, agent speech). A second
head over the same features (nearest centroid of each example group) names the need within the type
(催办, 查开庭, 上门立案 …) and, for out-of-scope turns, the referral unit.

Training takes a few seconds (the examples plus three ASR-style copies of each) and happens at the
first use; the fitted parameters are cached in the user cache directory under a key made of the
example files, the referral table and ``MODEL_VERSION``. Prediction does not use scikit-learn: the
vocabulary, IDF weights and coefficients are applied directly (the same numbers, a fraction of the
time; ``tests/copilot/test_need_model.py`` checks both agree).
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from copilot.analysis.model_cache import (
    INDEX,
    Columns,
    Tfidf,
    installed_version,
    load_or_train,
    ngram_rows,
    packed_state,
    per_text,
    source_fingerprint,
    unpacked_state,
)
from phrasebook.model import Phrasebook
from phrasebook.pinyin import syllables

log = logging.getLogger(__name__)

MODEL_VERSION = "need-6"
"""Change when features, augmentation, classifier or the cache file's layout change: the cache key includes it
(need-6, role-8, conduct-4: packed vocabularies and matrices, model_cache.packed_state)."""
ASR_COPIES = 3
COMPOSED = 2
"""Copies of each need example joined to a greeting or an identity statement (FILLER_NEEDS groups of none)."""
FILLER_NEEDS = ("问候与寒暄", "报身份与号码")
C_LABEL = 4.0
"""Inverse regularisation of the service-type head (chosen by cross-validation, see docs/understanding.md)."""
TEMPERATURE = 0.5
"""Probabilities = softmax(logits / TEMPERATURE): the temperature that minimised the held-out log-loss in
5-fold cross-validation on the examples (benchmarks/need_model_choice.py: ECE 0.171 at T=1 → 0.032)."""
SEED = 12368
VECTOR_CACHE = 512


def analyse(text: str) -> list[str]:
    """Feature strings of one canonical text: character 1–3-grams and pinyin syllable 1–3-grams."""
    return list(_analyse(text))


@lru_cache(maxsize=2048)
def _analyse(text: str) -> tuple[str, ...]:
    """Cached: the need model and the role model read the same turns and clauses."""
    n = len(text)
    feats = ["c" + text[i:i + k] for k in (1, 2, 3) for i in range(n - k + 1)]
    syl = [s for s in syllables(text) if s]
    m = len(syl)
    feats += ["p" + s for s in syl]
    feats += [f"p{syl[i]} {syl[i + 1]}" for i in range(m - 1)]
    feats += [f"p{syl[i]} {syl[i + 1]} {syl[i + 2]}" for i in range(m - 2)]
    return tuple(feats)


@dataclass
class NeedModel:
    labels: tuple[str, ...]
    vocab: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    """(labels, features)."""
    intercept: np.ndarray
    needs: tuple[tuple[str, str, str], ...]
    """(label, need, referral) of every row of ``need_coef``."""
    need_coef: np.ndarray
    need_intercept: np.ndarray
    key: str = ""
    trained_seconds: float = 0.0
    from_cache: bool = False

    def __getstate__(self) -> dict[str, Any]:
        return packed_state(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(unpacked_state(state))

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, l2-normalised sublinear tf-idf values) of ``text`` (the last few hundred cached:
        the type head and the need head read the same turn)."""
        return per_text(self, "_vectors", VECTOR_CACHE, text, self._vector)

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        # tfidf_vector(feature_counts(text), vocab, idf): the features are shared with the role and conduct models
        return self.columns().tfidf(text, self.idf)

    def columns(self) -> Columns:
        """This model's view of the process's feature index (model_cache.INDEX)."""
        cols = self.__dict__.get("_columns")
        if cols is None:
            cols = self.__dict__["_columns"] = INDEX.columns(self.vocab)
        return cols

    def logits_many(self, texts: list[str]) -> np.ndarray:
        """Label logits of several texts, (texts, labels): one set of array operations for all of them."""
        coef_t = self.__dict__.get("_coef_t")
        if coef_t is None:  # feature-major copy: gathering the rows of a few features is contiguous
            coef_t = self.__dict__["_coef_t"] = np.ascontiguousarray(self.coef.T)
        if len(texts) == 1:
            c, v = self.vector(texts[0])
            return (self.intercept + (v @ coef_t[c] if len(c) else 0.0))[None, :]
        # each text's columns and counts in order of first occurrence (what counting analyse(t) per column gives)
        found = [self.columns().of(t) for t in texts]
        logits = np.tile(self.intercept, (len(texts), 1))
        if any(len(c) for c, _n in found):
            r = np.repeat(np.arange(len(texts)), [len(c) for c, _n in found])
            c = np.concatenate([c for c, _n in found])
            v = (1.0 + np.log(np.concatenate([n for _c, n in found]).astype(float))) * self.idf[c]
            v /= np.sqrt(np.bincount(r, v * v, minlength=len(texts)))[r]
            np.add.at(logits, r, v[:, None] * coef_t[c])
        return logits

    def probabilities(self, logits: np.ndarray, temperature: float = TEMPERATURE) -> list[dict[str, float]]:
        if len(logits) == 1:  # one turn (the usual case): plain Python is several times faster than numpy here
            z = [x / temperature for x in logits[0].tolist()]
            top = max(z)
            e = [math.exp(x - top) for x in z]
            total = sum(e)
            return [{lab: x / total for lab, x in zip(self.labels, e, strict=True)}]
        z = logits / temperature
        z = np.exp(z - z.max(axis=1, keepdims=True))
        p = z / z.sum(axis=1, keepdims=True)
        return [dict(zip(self.labels, row.tolist(), strict=True)) for row in p]

    def predict(self, text: str, temperature: float = TEMPERATURE) -> dict[str, float]:
        """Probability of each label (service codes and ``none``) for one canonical text.

        The default temperature gives calibrated probabilities; ``temperature=1`` gives the softer
        ones of the fitted model, which the call-level decision rules were tuned on."""
        return self.probabilities(self.logits_many([text]), temperature)[0]

    def predict_many(self, texts: list[str], temperature: float = TEMPERATURE) -> list[dict[str, float]]:
        """``predict`` of several texts."""
        return self.probabilities(self.logits_many(texts), temperature) if texts else []

    def need_scores(self, text: str) -> np.ndarray:
        """Scores of every (label, need, referral) row of ``needs`` for one canonical text."""
        cols, vals = self.vector(text)
        return self.need_coef[:, cols] @ vals + self.need_intercept

    def predict_need(self, text: str, label: str) -> tuple[str, str]:
        """The most likely (need, referral) within ``label`` for one canonical text ("", "" if none)."""
        scores = self.need_scores(text)
        best, best_s = ("", ""), -math.inf
        for (lab, need, ref), s in zip(self.needs, scores.tolist(), strict=True):
            if lab == label and s > best_s:
                best, best_s = (need, ref), s
        return best


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


# ---------------------------------------------------------------- training


def training_set(pb: Phrasebook, dialect: dict[str, str] | None, *, copies: int = ASR_COPIES,
                 seed: int = SEED) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """(canonical texts, labels, (label, need, referral)) of every example and its ASR-style copies."""
    from copilot.analysis.augment import asr_copies
    from copilot.text import normalize

    rng = random.Random(seed)
    texts, labels, needs = [], [], []
    fillers = [ex for g in pb.examples if g.label == "none" and g.need in FILLER_NEEDS for ex in g.examples]
    pool = "".join(ex for g in pb.examples for ex in g.examples)
    for g in pb.examples:
        for ex in g.examples:
            variants = [ex, *asr_copies(ex, copies, rng, pool=pool)]
            if g.label != "none" and fillers:
                # a request said together with a greeting, a name or a case number is still that request
                for _ in range(COMPOSED):
                    other = rng.choice(fillers)
                    composed = f"{other}{ex}" if rng.random() < 0.6 else f"{ex}{other}"
                    variants.append(composed if rng.random() < 0.5 else asr_copies(composed, 1, rng, pool=pool)[0])
            for variant in variants:
                texts.append(normalize(variant, dialect=dialect).text)
                labels.append(g.label)
                needs.append((g.label, g.need, g.referral))
    return texts, labels, needs


def vectorizer() -> Tfidf:
    """``TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=1, norm="l2")``, its numbers bit for bit
    (model_cache.Tfidf: each distinct text taken apart once, counted in C)."""
    return Tfidf(_analyse.__wrapped__, ngram_rows)


def classifier(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="saga", max_iter=3000, tol=1e-3, random_state=0)


def need_centroids(x: Any, names: list[str]) -> tuple[list[str], np.ndarray]:
    """The need head only ranks needs within the predicted type: the l2-normalised mean tf-idf vector of
    each (label, need, referral) group; a text's score for a group is its cosine with the centroid."""
    order = sorted(set(names))
    index = {n: i for i, n in enumerate(order)}
    rows = np.array([index[n] for n in names])
    cent = np.zeros((len(order), x.shape[1]))
    for i in range(len(order)):
        cent[i] = np.asarray(x[rows == i].mean(axis=0)).ravel()
    cent /= np.linalg.norm(cent, axis=1, keepdims=True)
    return order, cent


def fit(texts: list[str], labels: list[str]) -> tuple[Any, Any, Any]:
    """(fitted vectoriser (model_cache.Tfidf), fitted LogisticRegression, tf-idf matrix) of canonical texts."""
    vec = vectorizer()
    x = vec.fit_transform(texts)
    return vec, classifier(C_LABEL).fit(x, labels), x


def train(pb: Phrasebook, dialect: dict[str, str] | None) -> NeedModel:
    t = time.perf_counter()
    texts, labels, needs = training_set(pb, dialect)
    vec, head, x = fit(texts, labels)
    need_names = [f"{a}|{b}|{c}" for a, b, c in needs]
    order, centroids = need_centroids(x, need_names)
    rows = tuple(tuple(name.split("|", 2)) for name in order)
    vocab = {f: int(i) for f, i in vec.vocabulary_.items()}
    return NeedModel(
        labels=tuple(head.classes_), vocab=vocab, idf=vec.idf_.astype(float), coef=head.coef_.astype(float),
        intercept=head.intercept_.astype(float), needs=rows,  # type: ignore[arg-type]
        need_coef=centroids, need_intercept=np.zeros(len(order)),
        trained_seconds=round(time.perf_counter() - t, 2))


# ---------------------------------------------------------------- cache


def cache_key(pb: Phrasebook, dialect: dict[str, str] | None) -> str:
    """Hash of everything the model is trained from: examples, referral units, dialect map, versions."""

    h = hashlib.sha256()
    h.update(f"{MODEL_VERSION}|{source_fingerprint()}|{installed_version('scikit-learn')}|{ASR_COPIES}|{COMPOSED}|{FILLER_NEEDS}|{C_LABEL}|{SEED}".encode())
    for g in pb.examples:
        h.update(repr((g.label, g.need, g.referral, g.examples)).encode())
    h.update(repr(sorted((dialect or {}).items())).encode())
    return h.hexdigest()[:20]


def load_model(pb: Phrasebook, dialect: dict[str, str] | None = None, *, use_cache: bool = True) -> NeedModel:
    """The need model of this phrasebook: from the cache when the examples are unchanged, else trained."""
    if not pb.examples:
        raise ValueError(f"the phrasebook at {pb.source_dir} has no example sentences (examples/*.toml)")

    def fresh() -> NeedModel:
        model = train(pb, dialect)
        log.info("need model trained in %.2f s (%d features)", model.trained_seconds, len(model.vocab))
        return model

    return load_or_train("need-model", cache_key(pb, dialect), NeedModel, fresh, use_cache=use_cache)


@lru_cache(maxsize=4)
def _cached(pb: Phrasebook, dialect_items: tuple[tuple[str, str], ...]) -> NeedModel:
    return load_model(pb, dict(dialect_items))


def model_for(pb: Phrasebook, dialect: dict[str, str] | None) -> NeedModel:
    """One model per phrasebook in this process."""
    return _cached(pb, tuple(sorted((dialect or {}).items())))

