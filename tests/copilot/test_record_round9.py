"""Issue 15, round 9 classes (found on an unseen set, fixed as classes): whose matter the caller speaks of — a spouse
who is "just her husband" in the answer to the agent's question, a caller who offers to go to court *for* a relative,
an employee the boss asked to ring, a relative who is the other side of the caller's own dispute, an elderly caller
calling themself 老头子; a caller's opening cut into two turns; talk about hiring a lawyer. Case numbers in ASR text:
a serial said twice, 年的 before the court, a court code said without its leading zero, 是 misheard after a correction.
Judge names the recogniser cut at a word gap. Calls and sentences written for these tests; each says what the old
code (c379472) did."""

from __future__ import annotations

from copilot.analysis import analyze_transcript
from copilot.analysis.extractor import (
    STATED,
    Extractor,
    _with_pauses,
    _with_statements,
    canon_judge_titles,
    canon_role_words,
)
from copilot.analysis.role_model import call_role
from copilot.analysis.rules import load_rules
from copilot.text import normalize
from copilot.text.numbers import find_case_numbers, find_phones, unrepeated
from copilot.transcript import Transcript

GREETING = "您好！12368！请问有什么可以帮助您？"


def record(*turns: tuple[str, str]) -> dict:
    call = Transcript.from_lines("T-r9", (("agent", GREETING), *turns))
    return analyze_transcript(call, cases=None)["record"]


def role(*turns: tuple[str, str]) -> str:
    return record(*turns)["caller_role"]


def judge(asr: str) -> str | None:
    return Extractor._judge_in(canon_judge_titles(_with_pauses(asr)))


def stated(text: str) -> set[str]:
    """The roles a caller's words state in so many words (the precise patterns)."""
    return {k[len(STATED):] for k in _with_statements({}, normalize(text).text) if k.startswith(STATED)}


def cases(text: str) -> list[str]:
    return [h.value for h in find_case_numbers(normalize(text).text)]


# ------------------------------------------------------------------ caller role: whose matter it is

def test_just_her_husband_is_said_in_so_many_words() -> None:
    # 我就是她老公 / 我只是他儿子: 就 or 只 between 我 and 是 hid the relative from the pattern; in an answer to the
    # agent's identity question the model alone decided, and heard the wife's case as the caller's (old code: nothing
    # stated)
    assert stated("我就是她老公，人家告的她。") == {"other"}
    assert stated("我只是他儿子，不是代理人。") == {"other"}
    assert role(("caller", "喂，我替我媳妇问问她那个官司，她上夜班在睡觉。"),
                ("agent", "请问您是当事人的委托代理人吗？"),
                ("caller", "代理人……没办过这个手续。我就是她老公，人家告的她，说是欠了货款。")) == "other"


def test_offering_to_go_to_court_for_a_relative_is_other() -> None:
    # 我能不能替她去 / 我可不可以帮他去: the caller acts for the relative (old code: party, the model's reading of
    # the father's dispute was not clear)
    assert role(("caller", "请问一下，我爸的铺子租给人家开饭店，房租拖了大半年，这种能告伐？"),
                ("agent", "可以起诉，租赁合同纠纷向房屋所在地法院起诉。"),
                ("caller", "他腿脚不好，要他本人到场吗？我能不能替他去？")) == "other"


def test_an_employee_the_boss_asked_to_ring_is_other() -> None:
    # the company is the party; an employee sent to ask, without its authority, speaks for someone else
    # (old code: party, both calls)
    assert role(("caller", "你好，我是城东一家五金厂的会计，厂长让我问问，春节放假能不能去法院申请执行，对方判了一直不给钱。"),
                ("agent", "好的，请问您有厂里的授权委托书吗？"),
                ("caller", "还没有，厂长就是口头让我先问一声。")) == "other"
    assert role(("caller", "我在一家贸易公司做文员，老板叫我问一下，我们要告一个不付钱的客户，周六能不能立案？")) == "other"
    assert stated("不是，我就是前台，帮经理问问。") == {"other"}
    # ASR: 老版 for 老板 is put back like the other role words before the patterns read the turn
    assert stated(canon_role_words(normalize("我 是 公私 的 出纳 老版 叫 我 打 个 电话 问 一下").text)) == {"other"}
    # a caller who says they are a party themself is one, whoever told them to ring (old code: the same)
    assert stated("我是被告，我们老板让我问问怎么上诉，他是担保人。") == {"party"}


def test_an_employee_the_company_authorised_is_still_an_agent() -> None:
    # guards the authority reading against the employee class: the company gave the letter (old code: the same)
    assert role(("caller", "你好，我是一家装饰公司的行政，老板让我打电话，公司给我开了授权委托书，"
                           "想问一下我们那个工程款的案子什么时候开庭。")) == "litigation_agent"


def test_a_relative_on_the_other_side_of_my_own_dispute_in_asr_text_is_a_party() -> None:
    # no punctuation: 我 + a relative + … + 告 ran across the whole clause, though the relative is the one the caller
    # sues (我外甥 … 骗了我 … 我想告他) (old code: other)
    assert role(("caller", "喂 法院 伐 我 今年 七十五 了 我 外甥 骗 了 我 的 养老 钱 我 想 告 他 可是 我 走 勿动")) \
        == "party"


def test_an_elderly_caller_who_calls_himself_old_man_is_a_party() -> None:
    # 我是…的老头子: an old man describing himself, not a relative (old code: other)
    assert role(("caller", "喂 我 是 塘下 的 老头子 今年 八十 了 隔壁 人家 欠 我 钞票 勿 还 我 想 告 伊")) == "party"


def test_my_husband_old_man_is_still_a_relative() -> None:
    # guards: 我家老头子 is a husband, and his case is someone else's (old code: the same)
    assert role(("caller", "我家老头子跟人家打官司，他耳朵不好，我来问问开庭的事。")) == "other"


def test_an_opening_cut_into_two_caller_turns() -> None:
    # the caller's first account in two turns before the agent replies: the second counts as the opening, not as a
    # later fragment the model must read at LATER_CLEAR (old code: the party read in a later turn won)
    model = load_rules().role_model()
    turns = [(True, {}), (False, {"none": 0.6, "party": 0.3}), (False, {"other": 0.64, "none": 0.2}), (True, {}),
             (False, {"party": 0.51, "none": 0.3})]
    assert call_role(model, turns, "consultation")[0] == "other"
    # after the agent has spoken, the same reading is a later fragment: not clear enough (the rule of LATER_CLEAR)
    later = [(True, {}), (False, {"none": 0.6, "party": 0.3}), (True, {}), (False, {"other": 0.64, "none": 0.2}),
             (True, {}), (False, {"party": 0.51, "none": 0.3})]
    assert call_role(model, later, "consultation")[0] == "party"


def test_weighing_whether_to_hire_a_lawyer_is_no_lawyer() -> None:
    # 我是自己写还是要请律师: 我是 … 律师 in one clause said the caller was a lawyer (old code: litigation_agent stated)
    assert "litigation_agent" not in stated("那上诉状我是自己写还是要请律师？")
    assert "litigation_agent" not in stated("我是想问要不要找律师。")
    assert stated("我是原告请的律师。") >= {"litigation_agent"}
    assert role(("caller", "我是被告，判决我不服，想上诉。"),
                ("agent", "上诉期限是十五天。"),
                ("caller", "那上诉状我是自己写还是要请律师？")) == "party"


# ------------------------------------------------------------------ case numbers in ASR text

def test_a_serial_said_twice_after_a_correction() -> None:
    # 「不对，是3718，3718号」 without the comma: 37183718 (old code: 37183718)
    assert record(("caller", "案 号 是 二 零 二四 浙零三 零二 民出 三 一七 八号 哦 不 对 是 三七 一八 三七 一八 号"))[
        "case_number"] == "（2024）浙0302民初3718号"
    assert unrepeated("37183718") == "3718"
    assert unrepeated("1212") == "1212"  # a plausible serial is kept as said
    assert unrepeated("123456") == "123456"  # not one group twice


def test_a_short_year_with_de_before_the_court() -> None:
    # 「二四年的，浙0302民初…」 (old code: no case number)
    assert cases("瑞安法院的，二四年的，浙0381民初2207号，我是原告。") == ["（2024）浙0381民初2207号"]
    assert cases("瑞安 法院 的 二 四年 的 浙零三 八一 民出 二二 零 七号") == ["（2024）浙0381民初2207号"]


def test_a_court_code_without_its_leading_zero() -> None:
    # 浙 七民终 (浙07): the leading zero not said (old code: no case number)
    assert cases("二零 二五 浙 七民 终三 四一 号 案件") == ["（2025）浙07民终341号"]
    assert cases("（2025）浙381民初2207号") == []  # three digits: the lost zero may be any of them (0381, 3081 …)
    assert cases("（2025）浙07民终341号") == ["（2025）浙07民终341号"]  # a full code is kept


def test_a_dot_inside_the_serial_and_a_filler_after_a_short_year() -> None:
    # Whisper writes groups of digits with a dot (「民初4.72号」) and a filler after the year (「二四年啊，这…」; 这 for
    # 浙) (old code: no case number; with the filler read but not the dot: a wrong serial, 4)
    assert cases("案号二四年啊，这03.02，民初4.72号。") == ["（2024）浙0302民初472号"]


def test_a_correction_with_shi_misheard() -> None:
    # 「不对不对，事2716号」: the recogniser wrote 是 as 事 (old code: the first serial)
    assert record(("caller", "案号 是 二零 二五 浙零 四八二 执二 七六 一号 不 对 不 对 事 二 七一 六号 我 看 错 了"))[
        "case_number"] == "（2025）浙0482执2716号"


# ------------------------------------------------------------------ judge names cut at ASR word gaps

def test_a_full_name_cut_between_surname_and_given_name() -> None:
    # 「宋 志刚 法官」 (old code: none)
    assert judge("承办 的 是 宋 志刚 法官 电话 一直 打 不通") == "宋志刚"
    assert judge("找 王 一下 法官") is None  # a frequent word after a surname is no given name


def test_a_title_cut_with_the_surname_glued_to_its_first_syllable() -> None:
    # 「有个 吴发 官办 的 案子」 for 有个吴法官办的案子 (old code: none)
    assert judge("龙湾 法院 有个 吴发 官办 的 案子") == "吴法官"
    assert judge("我 想 问 用 什么 方法 官司 能 打赢") is None  # a frequent word before the cut, and 官司


# ------------------------------------------------------------------ phones in real recogniser output

def test_yao_heard_as_yao_want_before_a_mobile() -> None:
    # 幺 (the spoken 1) written 要 before the other ten digits: 「要三九五七，二六八，一四零」 (old code: no phone)
    assert record(("agent", "请问您的联系电话？"), ("caller", "电话是要三九五七，二六八，一四零。"))["phone"] == "13957268140"
    assert [h.value for h in find_phones("手机要3957268140")] == ["13957268140"]
    assert [h.value for h in find_phones("我要两千块")] == []  # no ten digits: nothing


def test_a_mobile_read_in_groups_across_turns_of_one_speaker() -> None:
    # the recogniser cut 「我手机138，2759，4016」 into three turns (old code: no phone)
    assert record(("agent", "您的手机号码是多少？"), ("caller", "我手机138，"), ("caller", "2759，"),
                  ("caller", "4016。"))["phone"] == "13827594016"
    # the agent's turn between the groups: two numbers, not one (nothing is joined across speakers)
    assert record(("agent", "您的手机号码是多少？"), ("caller", "我手机138，"), ("agent", "好的。"),
                  ("caller", "2759，4016。"))["phone"] is None
