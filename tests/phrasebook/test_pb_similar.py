"""phrasebook.similar: example rules matched over characters and pinyin, overruled by look-alikes; and the
validator's check that every example says its rule and no look-alike does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from phrasebook import DATA_DIR, check_phrasebook
from phrasebook.similar import ExampleSet

RULES = ExampleSet([
    ("know", ["不知道", "我哪知道"], ["不知道您", "您知道不知道"]),
    ("scope", ["不归我们管", "不属于法院管辖"], []),
    ("reach", ["联系不上"], []),
    ("clear", ["我不清楚"], ["我不太清楚"]),
])


def rules(text, breaks=frozenset()):
    return [(m.rule, m.example) for m in RULES.find(text, breaks=breaks)]


def test_exact_homophone_and_near_initial_hits():
    assert rules("这个我不知道") == [("know", "不知道")]
    assert rules("这个我不知到") == [("know", "不知道")]  # ASR homophone
    m = RULES.best("法官现在连续不上")  # telephone ASR keeps the initials: 连续 for 联系
    assert m is not None and m.rule == "reach" and m.score < 1.0


def test_short_examples_need_an_unbroken_run_long_ones_allow_words_in_between():
    assert rules("我不太清楚") == []  # 太 inserted: the courteous form, not 我不清楚
    assert rules("那不属于我们法院管辖") == [("scope", "不属于法院管辖")]


def test_a_negation_in_the_example_must_be_heard():
    assert rules("这个属于法院管辖") == []


def test_the_nearest_look_alike_overrules():
    assert rules("不知道您现在方便吗") == []
    assert rules("请问您知道不知道案号") == []
    assert rules("不知道") == [("know", "不知道")]  # the look-alike's own words are missing


def test_no_short_match_across_a_clause_break():
    text = "他在开会电话打不通"  # 开会，电话 is not 回电
    es = ExampleSet([("callback", ["回电"], [])])
    assert es.find(text, breaks=frozenset({4})) == []
    assert [m.rule for m in es.find(text)] == ["callback"]  # ASR text has no punctuation to tell


def test_exclusive_sets_keep_one_rule_per_stretch_independent_ones_each_decide():
    a = ExampleSet([("x", ["联系不上"], []), ("y", ["联系不上法官"], [])])
    assert [m.rule for m in a.find("联系不上法官")] == ["y"]
    b = ExampleSet([("x", ["联系不上"], []), ("y", ["联系不上法官"], [])], exclusive=False)
    assert sorted(m.rule for m in b.find("联系不上法官")) == ["x", "y"]


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "pb"
    shutil.copytree(DATA_DIR, target)
    return target


def line_of(path: Path, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if needle in line)


def test_the_validator_reports_a_look_alike_that_still_fires(data):
    f = data / "banned.toml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace('not_when = ["如果您不知道"', 'not_when = ["我不知道", "如果您不知道"', 1), encoding="utf-8")
    errors = check_phrasebook(data)
    assert len(errors) == 1, [str(e) for e in errors]
    assert errors[0].line == line_of(f, '"我不知道", "如果您不知道"') and "look-alike '我不知道'" in errors[0].message


def test_the_validator_reports_an_example_its_rule_does_not_recognise(data):
    f = data / "rules.toml"
    text = f.read_text(encoding="utf-8")
    at = text.index("negative = [", text.index('id = "judge_unreachable"')) + len("negative = [")
    f.write_text(text[:at] + '"联系不上", ' + text[at:], encoding="utf-8")
    errors = check_phrasebook(data)
    assert errors and all(Path(e.file).name == "rules.toml" for e in errors)
    assert any("look-alike '联系不上'" in e.message for e in errors)


def test_an_unknown_rule_id_and_a_missing_rule_are_reported(data):
    f = data / "rules.toml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace('id = "hands_free"', 'id = "handsfree"', 1), encoding="utf-8")
    messages = [e.message for e in check_phrasebook(data)]
    assert any("unknown rule id 'handsfree'" in m for m in messages)
    assert any("no [[rule]] with id 'hands_free'" in m for m in messages)


def test_matches_are_kept_per_text_and_each_caller_gets_its_own_list():
    first = RULES.matches("这个我不知道，联系不上")
    first.clear()  # a caller changing what it got does not change what the next one gets
    again = RULES.matches("这个我不知道，联系不上")
    assert {(m.rule, m.example) for m in again} >= {("know", "不知道"), ("reach", "联系不上")}
    assert again == RULES.matches("这个我不知道，联系不上") and again is not RULES.matches("这个我不知道，联系不上")
    # a syllable string given for another text is read as given (never the cached matches of this text)
    assert RULES.matches("这个我不知道", syl="") == []
