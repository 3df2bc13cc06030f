"""Classes of check errors found on the blind check sets (issue 16, round 3), each fixed as a class.

Every sentence here is written for this test (none is taken from a blind set), and the model-level ones are
checked not to be training examples, so the model must generalise from the class to them."""

from __future__ import annotations

import pytest

from copilot.analysis import analyze_transcript
from copilot.analysis import conduct_model as cm
from copilot.analysis.rules import load_rules
from copilot.text import normalize
from copilot.transcript import parse_transcript

GREET = ("agent", "您好！12368！请问有什么可以帮助您？")
ASK = ("caller", "您好，我想咨询一下我的案子。")
CLOSE = ("agent", "请问还有什么可以为您服务的吗？感谢您的来电，再见！")


def turn_codes(text: str, speaker: str = "agent") -> list[str]:
    """Codes raised on the turn itself inside a minimal call."""
    out, t = [], 0.0
    for sp, tx in (GREET, ASK, (speaker, text), CLOSE):
        out.append({"speaker": sp, "start": t, "end": t + 2.0, "text": tx})
        t += 2.5
    r = analyze_transcript(parse_transcript({"call_id": "T", "ring_seconds": 3.0, "turns": out}))
    return sorted(f["code"] for f in r["flags"] if f.get("turn") == 2)


# class → sentences that must raise nothing on the agent's turn
HARMLESS = {
    "A-not-A question (知不知道/清不清楚/方不方便)": [
        "请问您知不知道被告现在住在哪里？", "您清不清楚当时一共签了几份合同？", "明天上午您方不方便来法院一趟？"],
    "polite limit with 没办法 + what and why": [
        "很抱歉，判决结果我们没有办法提前告诉您，要以法院的裁判为准。", "不好意思，能不能赢我这边没办法给您预测。",
        "能不能快点判要看法院的排期，我这边没法给您预测。"],
    "asking the caller's name": ["好的，请问您叫什么名字？"],
    "reported speech (a quote of someone else)": [
        "您说有个工作人员跟您讲“自己上网查去”，这确实不应该，我向您道歉。"],
    "A.4 form put right in the same turn": ["这个我不敢保证，但我会为您尽力争取。"],
    "你 inside a word": ["您说的是迷你仓那个案子吗？"],
    "not your fault": ["错不在您，是我们没有及时寄出通知，非常抱歉。"],
    "procedural reassurance with 没问题/肯定": ["没问题，节假日也能在网上提交立案申请。"],
    "checking a silent line": ["喂，您那边是不是没声音了？"],
    "case status (already decided) is not a prediction": ["案子上周已经宣判了，判决书这几天会寄到。"],
}


@pytest.mark.parametrize("text", [t for ts in HARMLESS.values() for t in ts])
def test_harmless_classes_raise_nothing(text):
    assert turn_codes(text) == []


def test_polite_wu_dialect_is_not_banned_only_non_mandarin():
    assert turn_codes("阿拉帮侬记下来了，侬放心。") == ["nonstandard_wording"]


# the rude / non-standard counterparts: the fix must not have switched the check off
def test_the_counterparts_still_flag():
    assert turn_codes("我也没有办法。") == ["banned_phrase"]
    assert turn_codes("自己上网查去，别问我。") == ["banned_phrase", "banned_phrase"]
    assert turn_codes("这个我不敢保证。") == ["nonstandard_wording"]
    assert turn_codes("你说的是哪个案子？") == ["nonstandard_wording"]


def test_a_unit_inside_bu_gui_guan_is_still_shirking():
    assert turn_codes("拆迁补偿的事不归我们单位管。") == ["banned_phrase"]


def test_ni_inside_a_banned_phrase_is_also_nonstandard():
    assert turn_codes("你自己去网上查吧，别问我。").count("nonstandard_wording") == 1
    assert "banned_phrase" in turn_codes("你自己去网上查吧，别问我。")


MODEL_RUDE = ["这种事情一概不予答复，您别再打了。", "投诉去吧，投诉了也没人理您。"]
MODEL_OUTCOME = ["依我判断这借条完全有效，钱他必须还您。", "我跟承办法官熟，帮您打声招呼，很快就能判。"]


@pytest.fixture(scope="module")
def training_texts():
    rules = load_rules()
    return {e.text for e in cm.gather(rules)}


def test_the_model_sentences_are_not_training_examples(training_texts):
    for t in MODEL_RUDE + MODEL_OUTCOME + [t for ts in HARMLESS.values() for t in ts]:
        assert normalize(t).text not in training_texts, t


@pytest.mark.parametrize("text", MODEL_RUDE)
def test_stonewalling_and_daring_to_complain_in_new_words_are_banned(text):
    assert turn_codes(text) == ["banned_phrase"]


@pytest.mark.parametrize("text", MODEL_OUTCOME)
def test_merit_opinions_and_promised_influence_are_outcome_promises(text):
    assert "outcome_promised" in turn_codes(text)


def test_the_caller_saying_the_same_words_is_never_flagged():
    for text in MODEL_RUDE + MODEL_OUTCOME:
        assert turn_codes(text, speaker="caller") == []


def _first_turn_codes(first: str) -> list[str]:
    turns = [{"speaker": "agent", "start": 0.0, "end": 3.0, "text": first},
             {"speaker": "caller", "start": 3.5, "end": 6.0, "text": "我想问一下怎么网上立案。"},
             {"speaker": "agent", "start": 6.5, "end": 9.0, "text": "您可以登录诉讼服务网提交材料。"},
             {"speaker": "agent", "start": 9.5, "end": 12.0, "text": CLOSE[1]}]
    r = analyze_transcript(parse_transcript({"call_id": "G", "ring_seconds": 18.0, "turns": turns}))
    return sorted(f["code"] for f in r["flags"] if f.get("turn") == 0)


def test_the_greeting_with_the_wait_apology_said_inside_it_is_the_greeting():
    assert _first_turn_codes("您好！12368！抱歉，线路一直占线，让您久等了！请问有什么可以帮助您？") == []
    assert _first_turn_codes("您好，抱歉让您久等了，12368，请问有什么可以帮助您？") == []
    # other words inside it, or the apology without the greeting, are not the standard greeting
    assert _first_turn_codes("您好！12368！我们这边人手很紧，请问有什么可以帮助您？") == ["greeting_missing"]
    assert _first_turn_codes("喂，让您久等了，什么事？") == ["greeting_missing"]
