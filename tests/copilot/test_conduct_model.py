"""The conduct model (issue 16, round 2): banned phrases and outcome promises in wording no phrasebook example
has, by class of rudeness; courteous look-alikes; who speaks; the explanation; the cache.

Every sentence here is written for the test and is checked not to be a training example."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from copilot.analysis import analyze_transcript
from copilot.analysis import conduct_model as cm
from copilot.analysis.rules import Rules, load_rules
from copilot.text import normalize
from copilot.transcript import parse_transcript
from phrasebook.loader import load_phrasebook

GREET = ("agent", "您好！12368！请问有什么可以帮助您？")
ASK = ("caller", "您好，我的案子一直没消息，想问问进展。")
CLOSE = ("agent", "请问还有什么可以为您服务的吗？感谢您的来电，再见！")

# one line per class of rudeness: none of these is a phrasebook example (checked below)
RUDE = {
    "impatience": ["您这一个问题来回问，我这儿还有别的电话呢", "讲重点行吗，别东拉西扯的"],
    "blame_shifting": ["当初您自个儿没把材料交全，现在怨谁", "这是法官那边的事，跟我们这儿一点关系都没有"],
    "refusal": ["这个我不给您查，您别再问了", "没这个义务帮你弄"],
    "sending_away": ["您别在这儿问了，去法院当面问吧", "您爱上哪告上哪告去"],
    "contempt": ["就您这点事还值得打官司", "这么简单的道理您都不懂"],
    "sarcasm": ["您这么懂法，还打电话来问我们干什么", "现在才想起来着急，之前干啥去了"],
    "ignorance": ["我上哪儿知道去啊", "您问我，我去问谁"],
    "not_my_job": ["我就是个接电话的，这事不归我操心", "这不是我分内的活儿"],
    "look_it_up": ["网上一搜全有，您自己看去", "自个儿翻翻法条就知道了"],
    "northern_wu": ["甭问了，没戏", "侬自家去寻律师问"],
}
OUTCOME = ["您放心，这场官司您赢面非常大", "照这个证据，对方这回输定了", "您这个情况法院一准判离", "上诉也改不了，别折腾了"]
COURTEOUS = [
    "您好，请您慢慢说，我这边记录一下。",
    "我理解您着急，我马上帮您联系承办法官。",
    "这个我得先核对一下系统，麻烦您稍候片刻。",
    "判决结果要以法院依法作出的裁判为准，我们不能预测。",
    "您可以在诉讼服务网上查询进度，我把网址告诉您。",
    "请问您是本案的原告本人吗？",
    "执行款到账以后，法院会通知您来领取。",
    "不好意思让您久等了，我已经给法官留言，他会在两个工作日内回电。",
    "您说的情况我都记下了，会转给纪检监察部门处理并保密。",
    "好的，我再跟您确认一下联系电话。",
    "没关系，您先找一找判决书，找到了再打过来也可以。",
    "您不用担心，网上立案的流程很简单，我一步一步跟您讲。",
]


def analyse(turns):
    out, t = [], 0.0
    for speaker, text in turns:
        out.append({"speaker": speaker, "start": t, "end": t + 2.0, "text": text})
        t += 2.5
    return analyze_transcript(parse_transcript({"call_id": "T", "ring_seconds": 3.0, "turns": out}))


def flags_on(text, speaker="agent", before=(GREET, ASK)):
    r = analyse([*before, (speaker, text), CLOSE])
    return [f for f in r["flags"] if f["turn"] == len(before)]


@pytest.fixture(scope="module")
def training_texts():
    return {e.text for e in cm.gather(load_rules())}


def test_the_test_sentences_are_not_training_examples(training_texts):
    for text in [*sum(RUDE.values(), []), *OUTCOME, *COURTEOUS]:
        assert normalize(text).text not in training_texts, text


def test_each_class_of_rudeness_in_new_words_is_a_banned_phrase():
    """New wording of every class is found; the few misses are named here (and in docs/compliance.md)."""
    missed = [(kind, text) for kind, texts in RUDE.items() for text in texts
              if not any(f["code"] == "banned_phrase" for f in flags_on(text))]
    found = sum(len(t) for t in RUDE.values()) - len(missed)
    assert found / sum(len(t) for t in RUDE.values()) >= 0.9, missed
    assert all(any((k, t) not in missed for t in RUDE[k]) for k in RUDE), missed  # every class at least once
    # at most one miss: which one moves with the training data (round 3: the blame-shifting sentence; round 4, after
    # the new classes: 「讲重点行吗，别东拉西扯的」, whose two clauses each stay just under the threshold)
    assert len(missed) <= 1, missed


def test_an_outcome_promised_in_new_words_is_flagged():
    got = {text: [f["code"] for f in flags_on(text)] for text in OUTCOME}
    assert sum(codes == ["outcome_promised"] for codes in got.values()) >= 3, got
    assert all(set(codes) <= {"outcome_promised", "banned_phrase"} for codes in got.values()), got


@pytest.mark.parametrize("text", COURTEOUS)
def test_courteous_turns_raise_nothing(text):
    assert flags_on(text) == [], text


def test_the_caller_is_never_flagged_for_the_same_words():
    for text in ["我上哪儿知道去啊", "您放心，这场官司您赢面非常大"]:
        assert flags_on(text, speaker="caller") == []


def test_an_agent_quoting_the_caller_back_is_not_flagged():
    before = (GREET, ("caller", "那个书记员跟我说：网上一搜全有，您自己看去。我要投诉他。"))
    assert [f for f in flags_on("您是说书记员跟您说「网上一搜全有，您自己看去」，对吗？", before=before)
            if f["code"] == "banned_phrase"] == []


def test_asr_style_text_without_punctuation_with_a_homophone_is_still_flagged():
    # no punctuation, 知到 for 知道: what a recogniser writes
    codes = [f["code"] for f in flags_on("我上哪儿知到去啊 您问我我去问谁")]
    assert codes and set(codes) == {"banned_phrase"}
    assert flags_on("好的我再跟您确认一下联系电话") == []


def test_a_rude_clause_inside_a_courteous_turn_is_found():
    fs = flags_on("好的，我知道了。您这一个问题来回问，我这儿还有别的电话呢。")
    assert [f["code"] for f in fs] == ["banned_phrase"]
    assert "知道了" not in fs[0]["phrase"]  # the rude clause, not the courteous one


def test_a_model_flag_explains_itself_with_probability_and_nearest_example():
    f = flags_on("我上哪儿知道去啊")[0]
    if f["rule"] != "model":  # the rules already know this wording: try one only the model knows
        f = flags_on("就您这点事还值得打官司")[0]
    assert f["rule"] == "model"
    assert f["matched_example"] and f["matched_example"] in f["explanation"]
    assert "模型概率" in f["explanation"] and 0.0 < f["confidence"] <= 1.0
    assert f["suggestion"]


def test_model_off_by_environment(monkeypatch):
    monkeypatch.setenv("COPILOT_CONDUCT_MODEL", "0")
    assert [f for f in flags_on("就您这点事还值得打官司") if f.get("rule") == "model"] == []


# ---------------------------------------------------------------- training and cache


def test_thresholds_come_from_grouped_cross_validation():
    m = cm.model_for(load_rules())
    for label in ("banned", "outcome"):
        fig = m.cv[label]
        assert m.thresholds[label] == fig["threshold"]
        assert fig["precision"] >= cm.TARGET_PRECISION and fig["courteous_flagged"] <= cm.MAX_FPR
        # whole families held out (a floor, not the expected recall): 0.31/0.53 with 140 groups, 0.28/0.39 with
        # the 150 of round 3, whose new families (stonewalling, merit opinions …) resemble no other family
        assert fig["recall"] > 0.25, fig
    assert m.cv["groups"] >= 100 and 0.2 <= m.temperature <= 3.0


def test_the_model_is_cached_by_the_data_and_retrained_when_they_change(tmp_path, monkeypatch, caplog):
    src = Path(load_rules().pb.source_dir)
    data = tmp_path / "data"
    shutil.copytree(src, data)
    monkeypatch.setenv("COPILOT_CACHE_DIR", str(tmp_path / "cache"))
    rules = Rules(load_phrasebook(data))
    first = cm.load_model(rules)
    assert not first.from_cache and first.trained_seconds > 0
    again = cm.load_model(rules)
    assert again.from_cache and again.key == first.key
    assert again.predict("您爱上哪告上哪告去") == first.predict("您爱上哪告上哪告去")
    # a new courteous sentence changes the key: trained again
    conduct = data / cm.CONDUCT_FILE
    conduct.write_text(conduct.read_text(encoding="utf-8")
                       + '\n[[courteous]]\ngroup = "extra"\nexamples = ["您好，这边是诉讼服务热线"]\n', encoding="utf-8")
    changed = Rules(load_phrasebook(data))
    assert cm.cache_key(changed) != first.key
    # an unreadable cache file is trained again, with a warning, not an error
    path = tmp_path / "cache" / f"conduct-model-{cm.cache_key(changed)}.pkl"
    path.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING):
        model = cm.load_model(changed)
    assert not model.from_cache and "unreadable" in caplog.text


def test_a_bad_conduct_file_says_where_and_what(tmp_path):
    bad = tmp_path / "conduct.toml"
    bad.write_text('[[rude]]\ngroup = "x"\nlabel = "rude"\nexamples = ["烦死了"]\n', encoding="utf-8")
    with pytest.raises(cm.ConductDataError, match=r"conduct\.toml.*\[\[rude\]\] #1.*label"):
        cm.read_conduct(bad)
    bad.write_text("[[courteous]\n", encoding="utf-8")
    with pytest.raises(cm.ConductDataError, match=r"conduct\.toml"):
        cm.read_conduct(bad)


def test_the_plain_python_prediction_equals_the_matrix_one():
    import numpy as np

    m = cm.model_for(load_rules())
    for text in ["您爱上哪告上哪告去", "请问您是本案的原告本人吗", "您放心这场官司您赢面非常大", "嗯"]:
        c, v = m.vector(text)
        z = (m.intercept + (m.coef[:, c] @ v if len(c) else 0.0)) / m.temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        got = m.predict(text)
        assert [got[label] for label in m.labels] == pytest.approx(p.tolist(), abs=1e-9), text


def test_phrasebook_check_reports_a_bad_conduct_file_with_file_and_line(tmp_path):
    import io

    from phrasebook.cli import cmd_check

    data = tmp_path / "data"
    shutil.copytree(Path(load_rules().pb.source_dir), data)
    out = io.StringIO()
    assert cmd_check(data, out) == 0 and "conduct sentences (rude / courteous)" in out.getvalue()
    conduct = data / cm.CONDUCT_FILE
    lines = conduct.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith('label = "banned"'))
    lines[first] = 'label = "rude"'
    conduct.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert cmd_check(data, out) == 1
    assert f"{cm.CONDUCT_FILE}:" in out.getvalue() and "expected label" in out.getvalue()
