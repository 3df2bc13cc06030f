"""Compliance checks on small named calls: paraphrases, look-alikes, who speaks, explanations, triggers,
the two new codes and the score (issue 16). Every sentence here is written for the test."""

from __future__ import annotations

import pytest

from asr.types import AcousticEvent
from copilot.analysis import CallAnalyzer, analyze_transcript
from copilot.analysis.rules import load_rules
from copilot.events import FlagRaised, Suggestion
from copilot.session.pipeline import CallPipeline
from copilot.transcript import parse_transcript

GREET = ("agent", "您好！12368！请问有什么可以帮助您？")
CONSULT = ("caller", "您好，我想咨询一下起诉离婚要准备哪些材料。")
CLOSE = ("agent", "请问还有什么可以为您服务的吗？感谢您的来电，再见！")


def analyse(turns, ring=3.0):
    out, t = [], 0.0
    for speaker, text in turns:
        out.append({"speaker": speaker, "start": t, "end": t + 2.0, "text": text})
        t += 2.5
    return analyze_transcript(parse_transcript({"call_id": "T", "ring_seconds": ring, "turns": out}))


def flags_on(turn_text, speaker="agent", before=(GREET, CONSULT)):
    r = analyse([*before, (speaker, turn_text), CLOSE])
    idx = len(before)
    return [f for f in r["flags"] if f["turn"] == idx]


def codes(r):
    return {f["code"] for f in r["flags"]}


# ---------------------------------------------------------------- banned phrases in other words
@pytest.mark.parametrize("text", [
    "这个事我哪里知道啊。",            # 不知道, rhetorically
    "那个不归我们这边管的。",          # 不归我们管, with words in between
    "我都跟您讲过好几遍了。",          # 我已经说过了
    "烦死人了，您到底要问什么。",       # 烦不烦
    "您自己上网查去吧。",              # 你自己看, with 您 (the 你-rule cannot catch it)
    "这种事我们这边处理不了。",         # 没办法
])
def test_a_banned_phrase_in_other_words_is_flagged_and_explains_itself(text):
    fs = [f for f in flags_on(text) if f["code"] == "banned_phrase"]
    assert len(fs) == 1, fs
    f = fs[0]
    assert f["rule"].startswith("B") and f["matched_example"] and 0.85 <= f["similarity"] <= 1.0
    assert f["phrase"] in text and f["phrase"] in f["explanation"] and f["rule"] in f["explanation"]


@pytest.mark.parametrize("text", [
    "不知道您明天上午方便接电话吗？",
    "请问您知道不知道对方的住址？",
    "不清楚的话，您可以再拨打12368。",
    "您要是没办法亲自过来，可以委托代理人。",
    "这个情况我暂时还不清楚，我去问一下同事再给您回电。",
    "我们这边处理不了的问题，也会帮您转给相关部门。",
    "您好，我们这里提供案号查询，请您报一下案号。",
    "很高兴为您服务，请讲。",
    "请您不要挂机，我帮您转接。",
    "根据规定，上诉期是十五天。",
])
def test_look_alikes_are_not_flagged(text):
    assert flags_on(text) == []


POLITE_AGENT_TURNS = [
    "您好，请问您是当事人本人吗？",
    "好的，我帮您查一下，请您稍等。",
    "您别着急，慢慢说，我在听。",
    "这个问题我需要核实一下，请您稍等，我帮您查询。",
    "对不起，这个问题我不太清楚，请您稍等一下，我帮您问问。",
    "不好意思，刚才因为线路忙，让您久等了！很高兴为您服务，请讲。",
    "您的意见我会如实记录并转交有关部门处理。",
    "法官现在正在开庭，我帮您留言，法官会在规定时间内给您回电。",
    "这个事情不属于法院的受理范围，建议您拨打12345市民热线。",
    "您可以登录浙江法院网查询案件进度。",
    "如果您没空过来，也可以委托代理人办理。",
    "材料如果不齐全的话，您可以先把缺的补上再来。",
    "您说的情况我都记录下来了，请问还有其他需要补充的吗？",
    "没关系，您慢慢想，不着急。",
    "上诉期是十五天，从判决书送达的第二天开始算。",
    "诉讼费以法院的缴费通知为准。",
    "您放心，您的信息我们会严格保密。",
    "我再跟您核对一遍您的手机号码。",
    "请问您还有什么需要帮助的吗？",
    "好的，那我先帮您登记，有结果了我们会通知您。",
    "您说得对，不过这个需要按程序办理。",
    "这个我们暂时无法办到，我会尽力为您协调。",
    "您可以随便选一个工作日过来，窗口都可以办。",
    "如果网上弄不了的话，您可以到诉讼服务中心窗口办理。",
    "您先别挂机，我帮您转接到立案庭。",
    "法官这会儿忙着呢，我先帮您留个言。",
    "请您把案号再说一遍好吗？刚才没听清楚。",
    "请问现在能听清楚吗？",
    "您可以先问一下您的代理律师。",
    "我理解，真的很抱歉给您造成不便。",
    "关于案件结果，要以法院的判决为准，我们这边不能预测。",
    "您要是不清楚案号，报一下当事人姓名也可以。",
    "这类问题一般是到派出所报案，电话是110。",
    "您好，我听不到您的声音，请您换一部电话再打来好吗？感谢来电，再见！",
    "我就按您说的帮您转告法官。",
    "您的诉求我已经记下了，会尽快转给承办法官。",
    "请您拿起话筒说话好吗？您那边声音有点小。",
    "执行款到账后，法院会通知您来领取。",
    "这个情况很常见，您不用太担心，我给您说一下流程。",
    "感谢您的耐心等待，现在帮您查到了。",
]
"""Courteous agent turns sharing words with banned and A.4 forms (written for this test)."""


@pytest.mark.parametrize("text", POLITE_AGENT_TURNS)
def test_courteous_agent_turns_raise_nothing(text):
    assert flags_on(text) == []


def test_the_caller_is_never_flagged_even_for_the_same_words():
    rude = "你们烦不烦啊，我哪知道，不归我管，有什么问题你找领导去！"
    assert flags_on(rude, speaker="caller") == []
    assert {f["code"] for f in flags_on(rude)} == {"banned_phrase", "nonstandard_wording"}


def test_an_agent_quoting_the_caller_back_to_confirm_is_not_flagged():
    before = (GREET, ("caller", "我要投诉，那个工作人员跟我说不归他们管，让我找别人去。"))
    assert flags_on("您是说工作人员跟您说不归他们管，对吗？", before=before) == []
    assert flags_on("他说「不归我们管」，是吗？我记录一下。", before=before) == []


def test_two_shirking_phrases_in_one_turn_are_one_flag():
    fs = flags_on("这个不归我们管，您去问别人吧。")
    assert [f["code"] for f in fs] == ["banned_phrase"]


# ---------------------------------------------------------------- A.4, dialect
def test_a4_paraphrase_and_a_dialect_answer_are_nonstandard_with_the_standard_form():
    f = flags_on("请问您还有什么问题吗？")[0]
    assert (f["code"], f["rule"], f["suggestion"]) == ("nonstandard_wording", "R04", "我还有什么可以为您服务的")
    d = flags_on("侬稍等一歇，我帮侬查。")[0]
    assert d["code"] == "nonstandard_wording" and d["rule"] == "dialect" and "普通话" in d["suggestion"]
    assert "您" in d["suggestion"] or "你" in d["suggestion"]


def test_a_reply_opening_with_en_en_is_nonstandard():
    assert [f["code"] for f in flags_on("嗯嗯，您接着说。")] == ["nonstandard_wording"]
    assert flags_on("好的，您接着说。") == []


# ---------------------------------------------------------------- call-level checks in other words
JUDGE = [GREET, ("caller", "你好，我是原告，想找一下周法官，案号是2025浙0502民初88号。")]


def test_judge_away_in_other_words_needs_a_callback_a_promise_in_other_words_is_one():
    away = ("agent", "周法官今天下乡开庭去了，电话也打不通。")
    r = analyse([*JUDGE, away, ("agent", "您过两天再自己打过来吧。"), CLOSE])
    f = next(f for f in r["flags"] if f["code"] == "judge_callback_missing")
    assert f["rule"] == "judge_unreachable" and f["phrase"] and "联系不上" in f["explanation"]
    r = analyse([*JUDGE, away, ("agent", "我把您的事记下来，等他回来让他回头打给您。"), CLOSE])
    assert "judge_callback_missing" not in codes(r)
    r = analyse([*JUDGE, away, ("agent", "这个问题我没法回复您。"), CLOSE])
    assert "judge_callback_missing" in codes(r)


COMPLAINT = [GREET, ("caller", "我要投诉，立案窗口那个工作人员态度太差了，对我大吼大叫。")]


def test_a_deflected_complaint_is_not_forwarded_a_registered_one_is():
    r = analyse([*COMPLAINT, ("agent", "那您自己去纪委那边反映吧。"), CLOSE])
    assert "complaint_not_forwarded" in codes(r)
    r = analyse([*COMPLAINT, ("agent", "我帮您登记下来，转交院里的纪检监察部门处理，我们会严格保密。"), CLOSE])
    assert "complaint_not_forwarded" not in codes(r)
    r = analyse([*COMPLAINT, ("agent", "您反映的问题我知道了。"), CLOSE])  # heard, but not passed on
    assert "complaint_not_forwarded" in codes(r)


def test_waiting_in_other_words():
    wait = ("caller", "我打了一上午才打进来，你们这电话怎么这么难打。")
    r = analyse([GREET, wait, ("agent", "不好意思让您等了这么久，请问有什么可以帮您？"), CLOSE])
    assert "wait_apology_missing" not in codes(r)
    r = analyse([GREET, wait, ("agent", "请问有什么可以帮您？"), CLOSE])
    f = next(f for f in r["flags"] if f["code"] == "wait_apology_missing")
    assert f["rule"] == "wait_apology" and "久等" in f["explanation"]
    judge_phone = ("caller", "我打法官的电话一直没人接，所以打到这里。")
    assert "wait_apology_missing" not in codes(analyse([GREET, judge_phone, ("agent", "好的，我帮您联系。"), CLOSE]))


def test_a_case_number_is_not_a_referral_unit_and_handled_needs_no_referral():
    rules = load_rules()
    from copilot.analysis.checker import Checker
    from copilot.analysis.turns import make_turn

    chk = Checker(rules)
    assert chk.names_referral(make_turn(1, "agent", 0, 1, "请您提供案号，我帮您查询。", None)) is None
    assert chk.names_referral(make_turn(1, "agent", 0, 1, "您可以去派出所报案。", None)) == "派出所"


# ---------------------------------------------------------------- the two new codes
def test_outcome_promised():
    f = flags_on("您放心，这种情况法院肯定会支持您，这官司您赢定了。")[0]
    assert f["code"] == "outcome_promised" and f["matched_example"]
    assert flags_on("判决结果要以法院判决为准，我们不能预测。") == []


def test_case_details_before_the_caller_is_established_as_a_party():
    detail = ("agent", "查到了，这个案子已经立案了，开庭时间定在下个月三号。")
    stranger = [GREET, ("caller", "帮我朋友问一下他的案子，案号是2025浙0502民初88号。"), ("agent", "好的，请稍等。")]
    r = analyse([*stranger, detail, CLOSE])
    f = next(f for f in r["flags"] if f["code"] == "identity_not_verified")
    assert f["turn"] == 3 and f["rule"] == "case_detail"
    party = [GREET, ("caller", "我是原告，想问一下我的案子，案号是2025浙0502民初88号。"), ("agent", "好的，请稍等。")]
    assert "identity_not_verified" not in codes(analyse([*party, detail, CLOSE]))
    checked = [*stranger, ("agent", "为了核实身份，麻烦您报一下当事人的身份证号后四位。"), ("caller", "3021。")]
    assert "identity_not_verified" not in codes(analyse([*checked, detail, CLOSE]))


def test_every_raised_code_is_registered_with_one_chinese_name():
    from copilot.analysis.scorer import FLAG_NAMES
    from copilot.indicators.definitions import FLAG_ZH as INDICATOR_ZH
    from copilot.labels import FLAG_ZH

    pb = load_rules().pb
    registered = {f.code for f in pb.flags}
    assert {"identity_not_verified", "outcome_promised"} <= registered
    assert FLAG_ZH["greeting_missing"] == INDICATOR_ZH["greeting_missing"] == FLAG_NAMES["greeting_missing"]
    from copilot.evaluation.evaluate import FLAG_CODES

    assert len(FLAG_CODES) == 10 and "outcome_promised" not in FLAG_CODES


# ---------------------------------------------------------------- A.3 triggers
def _suggestions(turns):
    a = CallAnalyzer("T")
    evs = a.start(source="test")
    for i, (speaker, text) in enumerate(turns):
        evs += a.add_turn(speaker, 3.0 * i, 3.0 * i + 2, text)
    return [e for e in evs if isinstance(e, Suggestion) and e.kind == "script"]


def test_hands_free_and_cannot_hear_trigger_their_scripts():
    s = _suggestions([GREET, ("caller", "喂，我这边开着免提呢，你说吧。")])
    assert any("拿起话筒" in x.text and "免提" in x.reason for x in s)
    s = _suggestions([GREET, ("caller", "喂？你说什么，我听不清。")])
    assert any("现在能听清楚吗" in x.text for x in s)
    assert not _suggestions([GREET, ("caller", "我听清楚了，谢谢。")])


def test_silent_call_steps_five_seconds_apart_and_the_quiet_callers_second_step():
    p = CallPipeline("T")
    p.start(source="test")

    def script(kind, seconds):
        evs = p.acoustic(AcousticEvent("caller", kind, seconds, seconds, -60.0))
        return [e.text for e in evs if isinstance(e, Suggestion)]

    assert script("silence", 5.0) == ["您好！12368！请问有什么可以帮您？"]
    assert "听不到您的声音" in script("silence", 10.0)[0]
    assert script("silence", 15.0) == []
    assert "声音大一点" in script("low_volume", 3.0)[0]
    assert "换一部电话" in script("low_volume", 9.0)[0]


# ---------------------------------------------------------------- scores follow the flags
POLITE = [GREET, CONSULT, ("agent", "好的，起诉离婚需要起诉状、身份证复印件和结婚证，您可以到诉讼服务中心递交。"),
          ("caller", "好的，谢谢。"), CLOSE]


def test_scores_follow_the_flags():
    polite = analyse(POLITE)
    assert polite["flags"] == [] and polite["score"]["total"] >= 95
    one = POLITE[:2] + [("agent", "这个我哪知道，您自己上网查去。")] + POLITE[2:]
    no_closing = POLITE[:-1]
    two = POLITE[:2] + [("agent", "烦死了，说了多少遍了。"), ("agent", "这事不归我们管。")] + POLITE[2:]
    s_one, s_closing, s_two = (analyse(t)["score"]["total"] for t in (one, no_closing, two))
    assert 100 - s_one > 100 - s_closing > 0
    assert s_two < 80


def test_flag_events_carry_the_explanation():
    a = CallAnalyzer("T")
    a.start(source="test")
    evs = a.add_turn("agent", 0, 2, "我哪知道。")
    f = next(e for e in evs if isinstance(e, FlagRaised) and e.code == "banned_phrase")
    assert f.rule and f.matched_example and f.similarity and f.explanation
    assert f.as_flag()["explanation"] == f.explanation


def test_a_script_read_aloud_and_written_with_ni_by_the_recogniser_is_not_nonstandard():
    """Whisper writes the 您 of A.3 wording as 你 (FX-08: 「我听不到你的声音」); a 你 of the agent's own is still one."""
    assert flags_on("我听不到你的声音，请您换一部电话再打来好吗？") == []
    assert [f["code"] for f in flags_on("你的声音我听不到，你换个电话吧。")] == ["nonstandard_wording"]


def test_a_closing_in_other_words_counts_and_the_summary_says_why_a_flag_fired():
    ends = [GREET, CONSULT, ("agent", "起诉状和身份证复印件就可以了。")]
    assert "closing_missing" not in codes(analyse([*ends, ("agent", "好的，谢谢您打电话来，祝您生活愉快。")]))
    r = analyse([*ends, ("agent", "好的，就这样。")])
    assert "closing_missing" in codes(r)
    from copilot.exports.report_text import format_result

    assert "为什么: 最后两句没有结束语" in format_result(r)
