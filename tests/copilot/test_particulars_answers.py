"""Issue 15, Whisper class: the caller's opening request is garbled by the recogniser, the agent asks for particulars
(「请问承办法官是哪位？」「案号是多少？」) and the caller's clear answer — a judge's name with its title, a number — read
alone sounds like 找法官 (contact_judge). Such an answer states no need and the question that asked for it gives no
service: the call is decided by what the agent goes on to do. Calls written for these tests (no blind item, no phrasebook
example); each says what the old code (622bb30) did."""

from __future__ import annotations

from copilot.analysis import analyze_transcript
from copilot.analysis.classifier import _particulars_only
from copilot.transcript import Transcript

GREETING = "您好！12368！请问有什么可以帮助您？"


def service_type(*turns: tuple[str, str]) -> str:
    tr = Transcript.from_lines("T-particulars", (("agent", GREETING), *turns))
    return analyze_transcript(tr, cases=None)["service_type"]


def test_a_judges_name_given_after_a_garbled_opening_does_not_make_it_contact_judge() -> None:
    # the opening (「想约见一下承办法官」) heard as nonsense; the caller then only names the judge the agent asked for; the
    # agent books a day (old code: contact_judge, from the answer 「…法官」)
    got = service_type(
        ("caller", "喂你好我是原告的代理律氏想一夜一下承半的那个"),
        ("agent", "好的，请问案号是多少？"),
        ("caller", "二零二五年民初三三一号"),
        ("agent", "好的，请问承办法官是哪位？"),
        ("caller", "承办是柯法官。"),
        ("agent", "柯法官周二和周四下午可以安排，请问您预约哪一天？"),
        ("caller", "周四下午两点"),
        ("agent", "好的，周四下午两点给您登记预约了。"),
    )
    assert got == "appointment"


def test_a_clear_wish_to_reach_the_judge_stays_contact_judge() -> None:
    # guard: the request is clear; the agent's question for the case number and the caller's number change nothing
    # (passes on the old code too)
    got = service_type(
        ("caller", "你好，我想找一下我案子的承办法官，一直联系不上他。"),
        ("agent", "好的，请问案号是多少？"),
        ("caller", "二零二五年民初三三一号。"),
        ("agent", "好的，我帮您记下来，转告承办法官尽快给您回电。"),
    )
    assert got == "contact_judge"


def test_an_answer_naming_only_particulars_is_recognised() -> None:
    assert _particulars_only("承办是柯法官")
    assert _particulars_only("2025年民初331号")
    assert not _particulars_only("我想找一下柯法官问问开庭的事")
    assert not _particulars_only("下周四下午两点")


def test_an_address_read_back_while_collecting_particulars_is_no_referral() -> None:
    # the opening (「老年人能不能上门立案」) heard as nonsense; the caller's address and a story of the debt read as out of
    # scope; the agent reads the address back (a 街道 in it) while asking the caller's name and phone, then books a home
    # filing: the 街道 is no unit the caller is sent to (old code: out_of_scope)
    got = service_type(
        ("caller", "喂法认罚我想问问老年人毫无好听你们上的来"),
        ("agent", "可以的，对年老体弱、行动不便的当事人，我们可以提供上门立案服务。请问您今年多大年纪？"),
        ("caller", "我七十九了"),
        ("caller", "隔壁邻居问我借了八万块钞票讲好半年还的到现在一分也没还电话也不接"),
        ("caller", "他儿子讲这个钱跟他屋里没关系，欠条上是他爸签的字"),
        ("agent", "好的，请问您住在哪里？"),
        ("caller", "住在东门那边新桥小区五幢三零一"),
        ("caller", "就是菜场后面物业边上那幢"),
        ("caller", "靠马路那边，楼下是超市"),
        ("agent", "是东门街道新桥小区五幢三零一，请问您怎么称呼，联系电话是多少？"),
        ("caller", "姓吴，电话一三九零五七一二二三四"),
        ("agent", "好的，上门立案的预约我已经帮您登记了，工作人员两个工作日内给您打电话约上门的时间。"),
        ("caller", "好的好的谢谢"),
    )
    assert got == "appointment"


def test_the_agent_saying_it_is_not_done_at_the_court_refers_out() -> None:
    # the agent says where the matter is done and that it is 不是在法院办, the unit's name garbled by the recogniser
    # (等级 for 登记); the caller's follow-up on what to bring is that unit's business (old code: consultation)
    got = service_type(
        ("caller", "喂，我离婚官司老早判好了，房子判给我的，现在要去过户，过户到哪里弄？"),
        ("agent", "好的，判决生效以后房屋过户要到不动产等级中心办理，不是在法院办。"),
        ("caller", "要带啥东西去？"),
        ("agent", "一般带生效判决书、生效证明和身份证，具体按那边的要求准备。"),
        ("caller", "晓得了，谢谢你。"),
    )
    assert got == "out_of_scope"
