"""Issue 15, record: a judge's surname across a pause. A recogniser's word gap between a surname and 法官
(「找，李，法官」) still names the judge, but a character that ends the words before the pause is theirs, not a
surname: 「对方有车有房，法官就是不查」 names nobody (old code, 584cd4b: 房法官 / 钱法官 / 车法官). Sentences written for
these tests (no evaluation set's wording)."""

from __future__ import annotations

import pytest

from copilot.analysis import analyze_transcript
from copilot.analysis.extractor import Extractor, _with_pauses, canon_judge_titles
from copilot.transcript import Transcript, Turn

GREETING = "您好！12368！请问有什么可以帮助您？"


def judge(text: str) -> str | None:
    return Extractor._judge_in(canon_judge_titles(_with_pauses(text)))


@pytest.mark.parametrize("text", [
    "被执行人名下有车有房，法官就是不去查封",
    "我们刚签了合同买房，法官说房子要拍卖",
    "他们公司明明有钱，法官却说执行不到",
    "人家开的是豪车，法官连看都不看一眼",
])
def test_a_word_ending_before_a_pause_is_no_surname(text: str) -> None:
    assert judge(text) is None


@pytest.mark.parametrize("text, name", [
    ("我想找，李，法官", "李法官"),     # the surname a piece of its own between two gaps
    ("我要找 陈 法官 问一下", "陈法官"),   # ASR-style word gaps
    ("麻烦转一下王，法官", "王法官"),     # after 转 (a word that asks for someone) the surname stands alone
    ("承办人是李建国，法官说下周开庭", "李建国"),  # a full name before the pause
])
def test_a_surname_across_a_gap_still_names_the_judge(text: str, name: str) -> None:
    assert judge(text) == name


def test_a_complaint_call_about_a_judge_who_does_nothing_has_no_judge_name() -> None:
    turns, t = [], 0.0
    for speaker, text in (("agent", GREETING),
                          ("caller", "我要投诉，执行拖了快两年一分钱没拿到。对方名下有车有房，法官就是不去查封！"),
                          ("agent", "您的意见我已经记录，会转交相关部门核实处理。"),
                          ("caller", "好的，谢谢。")):
        turns.append(Turn(speaker, t, t + 3.0, text))
        t += 3.5
    res = analyze_transcript(Transcript(call_id="T-pause", turns=tuple(turns)), cases=None)
    assert res["service_type"] == "complaint"
    assert res["record"]["judge_name"] is None
