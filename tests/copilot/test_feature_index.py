"""The shared feature index (model_cache.FeatureIndex): the need, role and conduct models give the same numbers,
bit for bit, as the per-model vocabulary lookups and the plain-Python conduct scorer they replaced."""

from __future__ import annotations

import math

import numpy as np
import pytest

from copilot.analysis import conduct_model as cm
from copilot.analysis.classifier import clause_parts
from copilot.analysis.model_cache import FeatureIndex, feature_counts, tfidf_vector
from copilot.analysis.need_model import analyse
from copilot.analysis.role_model import mask_digits
from copilot.analysis.rules import load_rules
from copilot.analysis.turns import make_turn
from copilot.text import normalize
from copilot.transcript import load_transcript
from tests.conftest import DEV


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def texts(rules) -> list[str]:
    """Canonical texts of every kind the models read: example sentences, the dev sample's turns (clean and ASR,
    with their clauses), texts with 你 and digits, and texts that share no feature with any model."""
    out = [normalize(e, dialect=rules.dialect_map).text for g in rules.pb.examples for e in g.examples[::7]]
    for folder in ("calls", "asr"):
        for path in sorted((DEV / folder).glob("*.json")):
            for i, t in enumerate(load_transcript(path).turns):
                turn = make_turn(i, t.speaker, t.start, t.end, t.text, rules.dialect_map)
                out.append(turn.plain)
                out += clause_parts(turn)
    out += ["你自己上网查去", "我的案号是2024浙0502执1735号", "你你你你你你", "ＡＢＣ", "", "嗯"]
    return out


def _tfidf_equal(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    return a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


def test_need_vectors_are_those_of_the_models_own_vocabulary(rules, texts) -> None:
    m = rules.need_model()
    for text in texts:
        assert _tfidf_equal(m._vector(text), tfidf_vector(feature_counts(text), m.vocab, m.idf)), text


def test_need_logits_of_several_texts_are_those_of_the_former_lookup(rules, texts) -> None:
    m = rules.need_model()
    coef_t = np.ascontiguousarray(m.coef.T)
    for k in range(0, len(texts) - 3, 3):
        group = texts[k:k + 3]
        rows, cols, counts = [], [], []
        for i, t in enumerate(group):  # the former per-text counting of analyse(t) in the model's vocabulary
            found: dict[int, int] = {}
            for f in analyse(t):
                j = m.vocab.get(f)
                if j is not None:
                    found[j] = found.get(j, 0) + 1
            rows += [i] * len(found)
            cols += found
            counts += found.values()
        want = np.tile(m.intercept, (len(group), 1))
        if cols:
            r, c = np.array(rows), np.array(cols)
            v = (1.0 + np.log(np.array(counts, dtype=float))) * m.idf[c]
            v /= np.sqrt(np.bincount(r, v * v, minlength=len(group)))[r]
            np.add.at(want, r, v[:, None] * coef_t[c])
        assert m.logits_many(group).tolist() == want.tolist(), group


def test_role_probabilities_are_those_of_the_models_own_vocabulary(rules, texts) -> None:
    m = rules.role_model()
    m.predict("")  # its feature-major coefficients
    coef_t = m.__dict__["_coef_t"]
    for text in texts:
        cols, vals = tfidf_vector(analyse(mask_digits(text)), m.vocab, m.idf)
        z = m.intercept + (vals @ coef_t[cols] if len(cols) else 0.0)
        z = np.exp(z - z.max())
        want: dict[str, float] = {}
        for label, p in zip(m.labels, (z / z.sum()).tolist(), strict=True):
            role = label.split("|", 1)[0]
            want[role] = want.get(role, 0.0) + p
        assert m.predict(text) == want, text


def _conduct_loop(m: cm.ConductModel, text: str, cols: list[list[float]], idf: list[float]) -> dict[str, float]:
    """The conduct model's former scorer: a plain Python loop over the features, in order of first occurrence."""
    z = m.intercept.tolist()
    a0 = a1 = a2 = norm = 0.0
    for f, n in feature_counts(text.replace("你", "您")).items():
        j = m.vocab.get(f)
        if j is None:
            continue
        c0, c1, c2 = cols[j]
        v = idf[j] if n == 1 else (1.0 + math.log(n)) * idf[j]
        norm += v * v
        a0 += c0 * v
        a1 += c1 * v
        a2 += c2 * v
    if norm > 0.0:
        norm = math.sqrt(norm)
        z = [z[0] + a0 / norm, z[1] + a1 / norm, z[2] + a2 / norm]
    top = max(z)
    e = [math.exp((x - top) / m.temperature) for x in z]
    total = sum(e)
    return {lab: x / total for lab, x in zip(m.labels, e, strict=True)}


def test_conduct_probabilities_are_those_of_the_plain_loop_bit_for_bit(rules, texts) -> None:
    m = cm.model_for(rules)
    cols, idf = m.coef.T.tolist(), m.idf.tolist()
    for text in texts:
        assert m.predict(text) == _conduct_loop(m, text, cols, idf), text
        assert _tfidf_equal(m.vector(text), tfidf_vector(feature_counts(text.replace("你", "您")), m.vocab, m.idf))


def test_a_model_registered_after_a_text_was_read_still_sees_all_its_features() -> None:
    index = FeatureIndex()
    first = index.columns({"c我": 0, "c法": 1})
    assert first.of("我找法官")[0].tolist() == [0, 1]
    second = index.columns({"c官": 0, "c法官": 1, "c我": 2})  # features the index did not hold when it read the text
    cols, counts = second.of("我找法官法官")
    assert cols.tolist() == [2, 0, 1] and counts.tolist() == [1, 2, 2]
    assert first.of("我找法官法官")[0].tolist() == [0, 1]  # the earlier model's columns are unchanged
    assert index.columns({}).of("我")[0].tolist() == []


def test_feature_counts_are_the_training_analysers_features_in_order(texts) -> None:
    for text in texts:
        want: dict[str, int] = {}
        for f in analyse(text):
            want[f] = want.get(f, 0) + 1
        got = feature_counts(text)
        assert list(got.items()) == list(want.items()), text


def test_the_nearest_example_search_is_scipys_product_bit_for_bit(rules, texts) -> None:
    from scipy.sparse import csc_matrix

    m = cm.model_for(rules)
    pm = m.positive_matrix
    assert isinstance(pm, cm.SparseColumns)  # stored as numpy arrays: loading the cache needs no scipy
    matrix = csc_matrix((pm.data, pm.indices, pm.indptr), shape=(pm.rows, len(pm.indptr) - 1))
    for text in texts[::3]:
        c, v = m.vector(text)
        assert pm.dot(c, v).tolist() == np.asarray(matrix[:, c] @ v).ravel().tolist(), text


def test_a_cache_written_with_scipys_matrix_still_loads(rules) -> None:
    import pickle

    from scipy.sparse import csc_matrix

    m = cm.model_for(rules)
    pm = m.positive_matrix
    state = m.__getstate__()
    state["positive_matrix"] = csc_matrix((pm.data, pm.indices, pm.indptr), shape=(pm.rows, len(pm.indptr) - 1))
    old = cm.ConductModel.__new__(cm.ConductModel)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert isinstance(old.positive_matrix, cm.SparseColumns)
    assert old.nearest("您自己上网查去", "banned") == m.nearest("您自己上网查去", "banned")


def test_predictions_kept_per_text_are_the_models_and_each_caller_gets_its_own(rules) -> None:
    from copilot.analysis.extractor import canon_role_words

    role, conduct = rules.role_model(), cm.model_for(rules)
    for model in (role, conduct):
        text = "您自己上网查去我是原告的代理律师"
        first = model.predict(text)
        assert first == model._predict(text)
        first.clear()  # what one caller does with its result is not what the next one gets
        assert model.predict(text) == model._predict(text) != {}
    assert canon_role_words("我事原告的律诗") == "我是原告的律师" == canon_role_words("我事原告的律诗")


def test_a_part_of_a_text_read_before_has_the_features_it_has_alone(rules, texts) -> None:
    m = rules.need_model()
    cols = m.columns()
    whole = normalize("您好，我是原告，案号是2024浙0502民初1735号，我想问问上诉要交多少钱，多久能开庭？").text
    cols.of(whole)  # read whole first: its parts are then cut out of its n-grams
    fresh = FeatureIndex()  # another index holding the same vocabulary reads each part alone
    fresh_cols = fresh.columns(m.vocab)
    for a in range(0, len(whole), 3):
        for b in (a + 1, a + 5, a + 12, len(whole)):
            part = whole[a:b]
            got = cols.of(part)
            fresh._wholes.clear()
            fresh._texts.clear()
            alone = fresh_cols.of(part)
            assert got[0].tolist() == alone[0].tolist() and got[1].tolist() == alone[1].tolist(), part


def test_threads_reading_texts_at_once_get_the_same_features(rules, texts) -> None:
    from concurrent.futures import ThreadPoolExecutor

    m = rules.need_model()
    want = {t: tfidf_vector(feature_counts(t), m.vocab, m.idf) for t in texts[:300]}
    index = FeatureIndex()
    cols = index.columns(m.vocab)

    def read(k: int) -> bool:
        return all(_tfidf_equal(cols.tfidf(t, m.idf), want[t]) for t in list(want)[k::4])

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(read, range(4)))
