"""The trained-model cache (model_cache.load_or_train): a file damaged in any way is trained over with a warning,
never an error; another key (an edited phrasebook) is never read from an older file."""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass, field

import numpy as np

from copilot.analysis.model_cache import load_or_train


@dataclass
class Tiny:
    vocab: dict[str, int]
    coef: np.ndarray
    key: str = ""
    from_cache: bool = False
    trained: list[int] = field(default_factory=list)


def _train(calls: list[int]):
    def train() -> Tiny:
        calls.append(1)
        return Tiny({f"c{i}": i for i in range(200)}, np.arange(600, dtype=float).reshape(3, 200))
    return train


def test_a_cached_model_is_read_back_and_another_key_trains(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path))
    calls: list[int] = []
    first = load_or_train("tiny", "k1", Tiny, _train(calls))
    again = load_or_train("tiny", "k1", Tiny, _train(calls))
    assert (first.from_cache, again.from_cache, len(calls)) == (False, True, 1)
    assert again.coef.tolist() == first.coef.tolist() and again.vocab == first.vocab
    edited = load_or_train("tiny", "k2", Tiny, _train(calls))  # the phrasebook changed: a new key
    assert not edited.from_cache and len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny-k1.pkl", "tiny-k2.pkl"]


def _damaged(good: bytes) -> list[bytes]:
    out = [b"", b"not a pickle", good[: len(good) // 2], good[:-1], pickle.dumps({"key": "k"}),
           pickle.dumps(Tiny({}, np.zeros(1), key="other-key"))]
    for at in range(2, len(good), max(1, len(good) // 40)):  # one byte changed, all along the file
        out.append(good[:at] + bytes([good[at] ^ 0xFF]) + good[at + 1:])
    return out


def test_a_damaged_cache_file_is_trained_over_with_a_warning(tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path))
    calls: list[int] = []
    load_or_train("tiny", "k", Tiny, _train(calls))
    path = tmp_path / "tiny-k.pkl"
    good = path.read_bytes()
    for bad in _damaged(good):
        path.write_bytes(bad)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            model = load_or_train("tiny", "k", Tiny, _train(calls))
        assert isinstance(model, Tiny) and model.key == "k"
        if not model.from_cache:  # trained again, and the cache is whole again
            assert path.read_bytes() == good
        else:  # a changed byte that still reads back (inside a number): the model is still one of this class
            assert model.coef.shape == (3, 200)


def test_a_conduct_cache_whose_state_cannot_be_read_back_is_trained_again(tmp_path, monkeypatch, caplog) -> None:
    from copilot.analysis import conduct_model as cm
    from copilot.analysis.rules import load_rules

    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path))
    rules = load_rules()
    key = cm.cache_key(rules)
    broken = cm.ConductModel.__new__(cm.ConductModel)
    broken.__dict__.update({"key": key, "positive_matrix": "not a matrix"})
    (tmp_path / f"conduct-model-{key}.pkl").write_bytes(pickle.dumps(broken))
    with caplog.at_level(logging.WARNING):
        model = cm.load_model(rules)
    assert not model.from_cache and "unreadable" in caplog.text
    assert cm.load_model(rules).from_cache


def test_tfidf_is_sklearns_vectorizer_bit_for_bit():
    """model_cache.Tfidf (training's vectoriser: text by text, or all texts at once with ngram_rows, as the need
    and conduct models fit it) gives TfidfVectorizer's vocabulary, IDF and matrix — the same entries in the same
    order, the same bits — on the phrasebook's real training texts (repeated texts included, and odd characters),
    and the same matrix for texts it was not fitted on."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from copilot.analysis import conduct_model, need_model
    from copilot.analysis.model_cache import Tfidf
    from copilot.analysis.rules import load_rules

    rules = load_rules()
    texts, _labels, _needs = need_model.training_set(rules.pb, rules.dialect_map, copies=1)
    conduct_texts, _l, _o = conduct_model.augment(conduct_model.gather(rules))
    assert len(set(texts)) < len(texts)  # repeated texts: each is counted once and its row repeated
    unseen = ["我想问一下那个案子现在到哪一步了", "", "ＡＢＣ１２３", texts[0]]
    unseen_chars = ["你说的那个𠀀字，ａｂ１２", "嗯", "您您您您"]  # a character outside the BMP, one without pinyin, repeats
    for analyzer, docs, ours in ((need_model.analyse, texts, need_model.vectorizer()),
                                 (need_model.analyse, texts + unseen_chars, Tfidf(need_model.analyse)),
                                 (conduct_model.analyse, conduct_texts + unseen_chars, conduct_model._vectorizer()),
                                 (need_model.analyse, unseen_chars + texts, need_model.vectorizer())):
        ref = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=1, norm="l2")
        a, b = ref.fit_transform(docs), ours.fit_transform(docs)
        assert list(ours.vocabulary_.items()) == list(ref.vocabulary_.items())  # its order too
        assert ours.idf_.tobytes() == ref.idf_.tobytes()
        for m, n in ((a, b), (ref.transform(unseen), ours.transform(unseen))):
            assert type(m) is type(n) and m.shape == n.shape
            assert m.indptr.tobytes() == n.indptr.tobytes()
            assert m.indices.tobytes() == n.indices.tobytes()  # the entries' order within a row too
            assert m.data.tobytes() == n.data.tobytes()


def test_a_packed_vocabulary_and_sparse_matrix_come_back_bit_for_bit() -> None:
    from copilot.analysis.model_cache import PackedSparse, PackedVocab, packed_state, unpacked_state

    vocab = {"p shi": 7, "c你好": 0, "c您": 3, "pni hao ma": 1}  # not in column order: the order is kept too
    dense = np.zeros((6, 1000), order="F")
    dense[1, 5], dense[4, 999], dense[0, 0], dense[5, 17] = 0.25, -3.5, -0.0, np.nan
    state = {"vocab": vocab, "need_coef": dense, "coef": np.arange(12.0).reshape(3, 4), "_memo": {"x": 1}}
    packed = packed_state(state)
    assert isinstance(packed["vocab"], PackedVocab) and isinstance(packed["need_coef"], PackedSparse)
    assert "_memo" not in packed and packed["coef"] is state["coef"]  # small or dense arrays stay as they are
    back = unpacked_state(pickle.loads(pickle.dumps(packed)))
    assert list(back["vocab"].items()) == list(vocab.items())
    got = back["need_coef"]
    assert got.flags.f_contiguous and got.dtype == dense.dtype and got.shape == dense.shape
    assert got.tobytes(order="A") == dense.tobytes(order="A")  # -0.0 and NaN included
    assert not PackedVocab.fits({"a\x00b": 1}) and not PackedSparse.fits(np.ones((100, 100)))


def test_the_models_read_back_from_their_cache_files_are_the_models_written() -> None:
    from copilot.analysis import conduct_model
    from copilot.analysis.rules import load_rules

    rules = load_rules()
    for model in (rules.need_model(), rules.role_model(), conduct_model.model_for(rules)):
        back = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        fields = {k: v for k, v in model.__dict__.items() if not k.startswith("_")}
        assert sorted(back.__dict__) == sorted(fields)
        for name, value in fields.items():
            other = back.__dict__[name]
            if isinstance(value, np.ndarray):
                assert other.dtype == value.dtype and other.tobytes(order="A") == value.tobytes(order="A"), name
                assert other.flags.c_contiguous == value.flags.c_contiguous, name
            elif name == "vocab":
                assert list(other.items()) == list(value.items())
            elif name == "positive_matrix":
                assert all(np.array_equal(getattr(other, a), getattr(value, a)) for a in ("data", "indices", "indptr"))
            else:
                assert other == value, name
    assert len(pickle.dumps(rules.need_model(), protocol=pickle.HIGHEST_PROTOCOL)) < 15_000_000  # was 44 MB


def test_installed_version_reads_what_importlib_metadata_reads() -> None:
    import importlib.metadata

    import pytest

    from copilot.analysis.model_cache import installed_version

    for name in ("scikit-learn", "scikit_learn", "jieba", "numpy", "platformdirs", "copilot-12368"):
        assert installed_version(name) == importlib.metadata.version(name), name
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        installed_version("no-such-distribution-anywhere")


def test_source_fingerprint_follows_the_training_code(tmp_path):
    """A model trained by other feature code is never read: the sources' bytes are in every cache key."""
    from pathlib import Path

    from copilot.analysis import model_cache

    root = Path(model_cache.__file__).resolve().parents[2]
    for rel in model_cache.TRAINING_SOURCES:
        src = root / rel
        for f in sorted(src.glob("*.py")) if src.is_dir() else [src]:
            dst = tmp_path / f.relative_to(root)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(f.read_bytes())
    same = model_cache.source_fingerprint(tmp_path)
    assert same == model_cache.source_fingerprint(root)
    numbers = tmp_path / "copilot" / "text" / "numbers.py"
    numbers.write_text(numbers.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    model_cache.source_fingerprint.cache_clear()
    assert model_cache.source_fingerprint(tmp_path) != same
