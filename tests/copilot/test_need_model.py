"""The need model: trained from the phrasebook's example files, cached by their hash, and its fast
scorer agrees with scikit-learn."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from copilot.analysis import need_model as nm
from copilot.analysis.rules import load_rules
from copilot.text import normalize


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture()
def small_pb(rules):
    """The shipped phrasebook with 12 examples per group at most: trains in about a second."""
    groups = tuple(replace(g, examples=g.examples[:12], lines=g.lines[:12]) for g in rules.pb.examples)
    return replace(rules.pb, examples=groups)


def test_model_trains_from_the_example_files_and_caches(small_pb, rules, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path))
    first = nm.load_model(small_pb, rules.dialect_map)
    assert not first.from_cache
    assert set(first.labels) == {"contact_judge", "info_query", "consultation", "appointment", "complaint",
                                 "out_of_scope", "none"}
    cached = list(tmp_path.glob("need-model-*.pkl"))
    assert [p.name for p in cached] == [f"need-model-{first.key}.pkl"]
    second = nm.load_model(small_pb, rules.dialect_map)
    assert second.from_cache and second.key == first.key  # the fast path: unpickled, not trained
    text = normalize("我想找一下承办法官").text
    assert second.predict(text) == pytest.approx(first.predict(text))
    # editing an example changes the key: the next load trains again
    g0 = small_pb.examples[0]
    edited = replace(small_pb, examples=(replace(g0, examples=(*g0.examples[:-1], "麻烦帮我找下庭长。")),
                                         *small_pb.examples[1:]))
    third = nm.load_model(edited, rules.dialect_map)
    assert not third.from_cache and third.key != first.key


def test_an_unreadable_cache_file_is_trained_again(small_pb, rules, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path))
    key = nm.cache_key(small_pb, rules.dialect_map)
    (tmp_path / f"need-model-{key}.pkl").write_bytes(b"not a pickle")
    model = nm.load_model(small_pb, rules.dialect_map)
    assert not model.from_cache
    with (tmp_path / f"need-model-{key}.pkl").open("rb") as fh:
        assert isinstance(pickle.load(fh), nm.NeedModel)


def test_fast_scorer_equals_scikit_learn(small_pb, rules) -> None:
    texts, labels, _ = nm.training_set(small_pb, rules.dialect_map, copies=1)
    vec, head, _x = nm.fit(texts, labels)
    model = nm.NeedModel(labels=tuple(head.classes_), vocab={f: int(i) for f, i in vec.vocabulary_.items()},
                         idf=vec.idf_, coef=head.coef_, intercept=head.intercept_, needs=(),
                         need_coef=np.zeros((0, len(vec.idf_))), need_intercept=np.zeros(0))
    probe = [normalize(s).text for s in ("执行款什么时候能到账", "我要投诉书记员", "喂你好", "公积金怎么提取")]
    expected = head.predict_proba(vec.transform(probe))
    for text, row in zip(probe, expected, strict=True):
        got = model.predict(text, temperature=1.0)
        assert [got[c] for c in head.classes_] == pytest.approx(row.tolist(), abs=1e-9)
    many = model.predict_many(probe, temperature=1.0)
    got_many = np.array([[m[c] for c in head.classes_] for m in many])
    assert np.allclose(got_many, expected, atol=1e-9)


@pytest.mark.parametrize(("sentence", "label"), [
    ("我那个官司判下来没有啊？", "info_query"),
    ("侬帮我寻一寻审我案子的法官好伐？", "contact_judge"),
    ("打官司大概要花多少钞票？", "consultation"),
    ("我老娘脚骨勿灵光，出勿了门，法院能派人到屋里来立案伐？", "appointment"),
    ("你们法官态度太差了，我要讨个说法。", "complaint"),
    ("公积金里的钱怎么取出来？", "out_of_scope"),
    ("好的，晓得了，谢谢侬。", "none"),
])
def test_full_model_reads_paraphrases_it_was_not_given(rules, sentence, label) -> None:
    for g in rules.pb.examples:  # the probes are not examples themselves
        assert sentence not in g.examples
    probs = rules.need_model().predict(normalize(sentence, dialect=rules.dialect_map).text)
    assert max(probs, key=probs.get) == label, probs


def test_a_phrasebook_without_examples_is_a_clear_error(rules, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="no example sentences"):
        nm.load_model(replace(rules.pb, examples=()), rules.dialect_map)
