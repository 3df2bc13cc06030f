"""Call-level understanding on small named calls: first request is primary, out of scope with a referral
suggestion, a call without evidence says so, and the record's names, roles and corrections."""

from __future__ import annotations

from copilot.analysis import analyze_transcript
from copilot.analysis.analyzer import CallAnalyzer
from copilot.transcript import Transcript

GREETING = "您好！12368！请问有什么可以帮助您？"


def call(*turns: tuple[str, str], call_id: str = "T-1") -> Transcript:
    return Transcript.from_lines(call_id, (("agent", GREETING), *turns))


def test_first_in_scope_request_is_primary_and_later_needs_are_listed() -> None:
    res = analyze_transcript(call(
        ("caller", "你好，我想问问我那个案子啥辰光开庭？"),
        ("agent", "好的，请您报一下案号。"),
        ("caller", "还有，上次那个书记员对我态度很差，我要投诉她。"),
    ))
    assert res["service_type"] == "info_query"
    assert res["service_types"][:2] == ["info_query", "complaint"]
    assert 0.5 < res["confidence"] <= 1.0


def test_out_of_scope_need_gets_a_referral_suggestion() -> None:
    a = CallAnalyzer("T-oos")
    a.start()
    events = []
    for speaker, text in (("agent", GREETING), ("caller", "我想把住房公积金里的钱取出来，要怎么弄？")):
        events += a.add_turn(speaker, 0.0, 1.0, text)
    events += a.add_turn("agent", 2.0, 3.0, "这个不属于12368热线的服务范围。")
    events += a.finish()
    res = a.result()
    assert res["service_type"] == "out_of_scope"
    assert "12329" in (res["record"]["referral_suggested"] or "")
    suggestions = [e for e in events if getattr(e, "kind", None) == "referral"]
    assert suggestions and "12329" in suggestions[0].text
    assert res["record"]["caller_role"] == "other"  # no court case of their own


def test_agent_saying_not_court_business_is_evidence_for_out_of_scope() -> None:
    base = (("caller", "我家楼下那个事情到底谁来管？"),)
    vague = analyze_transcript(call(*base))
    told = analyze_transcript(call(*base, ("agent", "您说的这个不属于法院的受理范围，建议您拨打12345政务服务便民热线。")))
    assert told["service_type"] == "out_of_scope"
    assert told["confidence"] > vague["confidence"] or vague["service_type"] != "out_of_scope"


def test_a_call_without_evidence_has_low_confidence_and_says_so() -> None:
    res = analyze_transcript(call(("caller", "喂，你好。"), ("agent", "您好，请讲。"), ("caller", "嗯，好的。")))
    assert res["service_type"] == "out_of_scope"  # the fallback of formats.md §2 …
    assert res["confidence"] <= 0.3  # … but not a confident one
    assert "诉求不明" in res["record"]["summary"]


def test_silent_call_is_out_of_scope_and_other() -> None:
    res = analyze_transcript(call(("agent", "您好，请问能听到吗？")))
    assert res["service_type"] == "out_of_scope" and res["record"]["caller_role"] == "other"


def record(*caller: str, agent: tuple[str, ...] = ()) -> dict:
    turns = [("caller", c) for c in caller] + [("agent", a) for a in agent]
    return analyze_transcript(call(*turns))["record"]


def test_names_stop_at_punctuation_and_keywords() -> None:
    rec = record("我叫李明，电话13812345678，想问问我的案子什么时候开庭。")
    assert rec["caller_name"] == "李明" and rec["phone"] == "13812345678"
    assert record("我叫张伟电话是13900001111，想查一下案子。")["caller_name"] == "张伟"


def test_compound_surnames_and_full_judge_names() -> None:
    rec = record("你好，我叫欧阳丽华，想找一下司马倩法官。")
    assert rec["caller_name"] == "欧阳丽华" and rec["judge_name"] == "司马倩"
    assert record("我想找李建国法官，我是原告。")["judge_name"] == "李建国"
    assert record("麻烦帮我联系民一庭的陆法官。")["judge_name"] == "陆法官"
    assert record("承办法官是诸葛明，我想跟他约个时间。")["judge_name"] == "诸葛明"
    assert record("李建国 法官 那边 我 想 找 一下")["judge_name"] == "李建国"  # ASR word gap


def test_a_lawyer_is_not_the_judge_and_lawyers_are_agents() -> None:
    rec = record("我是王建国的代理律师，姓周，想查一下开庭时间。")
    assert rec["judge_name"] is None
    assert rec["caller_role"] == "litigation_agent"
    assert rec["caller_name"] == "周律师"
    assert record("我是代理被告的律师，想联系承办法官。")["caller_role"] == "litigation_agent"
    assert record("您好 我 事 湖州 明理 律诗 事务所 的 钱 律诗 想 查 一下 开庭")["caller_role"] == "litigation_agent"


def test_roles_from_self_description() -> None:
    assert record("我是原告，想问问我的案子判了没有。")["caller_role"] == "party"
    assert record("我是申请执行人，执行款到了没有？")["caller_role"] == "party"
    assert record("我是被告人的辩护律师，想约个时间阅卷。")["caller_role"] == "defender"
    assert record("我上个月递了信访材料，想问问处理得怎么样了。")["caller_role"] == "petitioner"
    assert record("我爸年纪大了要跟人家打官司，他走不动路，法院能上门立案吗？")["caller_role"] == "other"
    assert record("我是原告的哥哥，想问问开庭的事。")["caller_role"] == "other"


def test_no_role_is_forced_by_the_service_type() -> None:
    res = analyze_transcript(call(("caller", "我是原告，案子早判完了，现在想问问公积金怎么提取？"),
                                  ("agent", "公积金提取不属于法院热线的服务范围，请拨打12329。")))
    assert res["service_type"] == "out_of_scope"
    assert res["record"]["caller_role"] == "party"


def test_a_callers_correction_keeps_the_corrected_case_number() -> None:
    rec = record("案号是（2024）浙0421民初2207号……哦不对，是2270号。")
    assert rec["case_number"] == "（2024）浙0421民初2270号"
    assert record("案号是（2024）浙0421民初2207号。")["case_number"] == "（2024）浙0421民初2207号"


def test_every_case_type_code_family_is_read() -> None:
    for said, value in (("2025浙1082诉前调5512号", "（2025）浙1082诉前调5512号"),
                        ("（2025）浙0503民诉前调112号", "（2025）浙0503民诉前调112号"),
                        ("（2016）浙0503执保417号", "（2016）浙0503执保417号"),
                        ("（2024）浙05刑更12号", "（2024）浙05刑更12号"),
                        ("（2024）浙05司救民3号", "（2024）浙05司救民3号")):
        assert record(f"我的案号是{said}，想问问进展。")["case_number"] == value


def test_a_landline_is_the_phone_when_there_is_no_mobile() -> None:
    assert record("我家里座机是0572-2345678，想问问开庭的事。")["phone"] == "05722345678"
