"""How Whisper breaks case numbers apart, as classes (text level, strings written for these tests in the ways
Whisper base writes them): digit strings cut by separators and words, a number said in two parts (two turns, a
pause, the agent asking for the rest, a self-correction), type codes heard as another code's homophone, a misheard
serial with the caller's full name, and the judge alone from a head that fits only loosely.

The directory: a few invented cases among 20,000 generated distractors of the same courts and years, in a real
SQLite file; each call goes through the analyzer turn by turn (the hook that reads each new turn).
"""

from __future__ import annotations

from functools import partial

import pytest
from cases_helpers import call_record

from copilot.cases.directory import CaseDirectory
from copilot.cases.generate import case_row, store_among_distractors
from copilot.cases.phonetic import surname_similarity

COURTS, YEARS = ["浙0302", "浙0381", "浙03"], [2023, 2024, 2025]


OURS = [
    case_row("（2023）浙0302民初1567号", "潘志强", "吕晓燕:party;贺建军:party"),
    case_row("（2024）浙0381民初2764号", "魏海燕", "程丽:party;范国强:party"),
    case_row("（2023）浙0381民初2764号", "钱丽华", "俞建明:party"),
    case_row("（2024）浙0381民初15号", "章敏", "马超:party"),  # serials that are also a date and a house number
    case_row("（2024）浙0381民初88号", "袁平", "凌霞:party"),
    case_row("（2024）浙0381执保312号", "柏雪琴", "甘立新:party;浙江某某科技有限公司:party", "执行局"),
    case_row("（2024）浙0302民初4413号", "鲍春梅", "卜建国:party"),
    case_row("（2024）浙0302民初4431号", "祁文辉", "邝秀英:party"),
    case_row("（2025）浙0302刑初88号", "石国平", "童浩然:party", "刑事审判庭"),
    case_row("（2025）浙0302行初88号", "欧阳丽", "浙江某某物业服务有限公司:party", "行政审判庭"),
    case_row("（2023）浙0381执保575号", "柴美玲", "詹伟:party;武桂兰:party", "执行局"),
    case_row("（2023）浙0381执保17号", "毕洋", "卢海峰:party", "执行局"),
    case_row("（2025）浙0302执保312号", "曹雪", "韩立:party", "执行局"),
    case_row("（2023）浙0381执保312号", "严华", "孔杰:party", "执行局"),
    case_row("（2025）浙0302民初3301号", "白立新", "葛丽:party"),  # a judge of another court who sounds like 柏
]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    engine = store_among_distractors(tmp_path_factory.mktemp("asr-breaks"), OURS, 20_000, seed=303,
                                     courts=COURTS, years=YEARS)
    yield CaseDirectory(engine)
    engine.dispose()


_run = partial(call_record, call_id="T-ASR")


# -- (a) digit strings broken apart -------------------------------------------------------------------------

def test_a_year_written_as_12_and_serial_digits_cut_by_dots(directory):
    """二零二四 written 12.04 (二零 run together into 12, a 二 lost), 零 heard as 里, the type code lost in words
    (年中 for 民初), the serial cut by dots; the caller's name confirms it."""
    rec = _run(directory, ("caller", "你好，案号是12.04年这里381年中2.7.6.4号，我叫程丽。"))
    assert rec["case_number"] == "（2024）浙0381民初2764号"


def test_words_heard_between_the_year_and_the_court_code(directory):
    """年 + the province + 零 heard as three words (four characters between the year and the court digits)."""
    rec = _run(directory, ("caller", "案号是2023年就领复302民初1567号，我叫吕晓燕，是原告。"),
               ("agent", "吕女士您好，这个案子是潘法官承办的。"))
    assert (rec["case_number"], rec["judge_name"]) == ("（2023）浙0302民初1567号", "潘志强")


def test_a_spoken_bracket_is_not_the_end_of_the_number(directory):
    """括号 read aloud from the paper and heard as 过好: the 好 (hao, like 号) must not end the number before the
    court code (the same serial exists in 2023 too)."""
    rec = _run(directory, ("caller", "案号是过好2024过好这0381民初2764号。"))
    assert rec["case_number"] == "（2024）浙0381民初2764号"


# -- (b) a number in two parts ------------------------------------------------------------------------------

def test_the_caller_reads_half_the_agent_answers_then_the_rest(directory):
    rec = _run(directory, ("caller", "我想问一下案子的进度，案号是2024年这零381民初"),
               ("agent", "嗯，您慢慢说。"), ("caller", "2764号，我姓程。"))
    assert rec["case_number"] == "（2024）浙0381民初2764号"


def test_the_agent_asks_for_the_serial_and_the_caller_says_it_in_a_later_turn(directory):
    rec = _run(directory, ("caller", "案号是2024年这0381民初"), ("caller", "等一下我看看"),
               ("agent", "民初后面是几号？"), ("caller", "二七六四号。"))
    assert rec["case_number"] == "（2024）浙0381民初2764号"


def test_the_agents_read_back_completes_the_head_the_caller_said(directory):
    """执保312号 exists in other courts and years too: only the head the caller said tells which."""
    rec = _run(directory, ("caller", "案号是2024年这零381之宝，后面的数字我看不清了。"),
               ("agent", "您好，是执保312号吗？"), ("caller", "对，就是这个。"))
    assert rec["case_number"] == "（2024）浙0381执保312号"


def test_a_self_correction_of_the_serial_wins(directory):
    """Both numbers exist with other judges and people: the one said after 不对 is the caller's."""
    rec = _run(directory, ("caller", "案号是2024年这0302民初4413号，不对，是4431号。"))
    assert rec["case_number"] == "（2024）浙0302民初4431号"


# -- (c) type codes heard as another code's homophone -------------------------------------------------------

def test_a_type_code_heard_as_a_homophone_of_two_codes_is_looked_up_as_both(directory):
    """行出 sounds like 行初 and 刑初 alike; both (2025)浙0302 …88号 exist: the judge named decides."""
    rec = _run(directory, ("caller", "我是辩护律师，案号2025年这0302行出88号，想找一下石法官。"))
    assert (rec["case_number"], rec["judge_name"]) == ("（2025）浙0302刑初88号", "石国平")


# -- a misheard serial and the caller's full name ------------------------------------------------------------

def test_a_misheard_serial_is_found_by_the_callers_name_in_the_group_heard(directory):
    """The year, court and type code heard well, the serial 575 heard as 17 (五百七十五 → 十七: another case of
    the group): the caller's full name is a party of one case of that group."""
    rec = _run(directory, ("caller", "案号是2023年这0381执保17号，我叫詹伟，是申请人。"))
    assert rec["case_number"] == "（2023）浙0381执保575号"


# -- (d) the judge alone from a loosely fitting head ---------------------------------------------------------

def test_the_judge_alone_is_not_taken_from_a_court_the_digits_only_loosely_point_at(directory):
    """No number parsed or resolved: a head that fits 浙0381 only loosely (the year one edit away, three of the four
    court digits, the type code lost) and 柏法官, who sounds like one judge of 浙0381 and one of 浙0302. Taking
    浙0381's judge would be a guess on weak digits: the spoken form stays (before: 柏雪琴)."""
    sounding = [j for js in directory.judges().values() for j in js if surname_similarity("柏", j) >= 0.98]
    assert len({c for c, js in directory.judges().items() for j in js if j in sounding}) > 1
    rec = _run(directory, ("caller", "案号是2015年381年中2764号，我找柏法官。"))
    assert rec["case_source"] != "directory"
    assert rec["judge_name"] in (None, "柏法官")


# -- negatives -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("turns", [
    [("caller", "我2024年3月15号去过你们法院"), ("agent", "好的，您说。"), ("caller", "1528号那个窗口没人。")],
    [("caller", "我的电话是13857201846"), ("agent", "好的。"), ("caller", "我住在人民路88号。")],
    [("caller", "我是2024年起诉的"), ("caller", "欠款是3万5千块"), ("caller", "他住在和平路168号")],
])
def test_parts_that_are_no_case_number_make_none(directory, turns):
    rec = _run(directory, *turns)
    assert rec["case_number"] is None and not rec.get("case_candidates")


def test_judge_heard_as_a_homophone_of_its_title_still_names_the_judge(directory):
    """法官 written 法关 (「潘法关主审」): the judge of the resolved case is named, not left out."""
    rec = _run(directory, ("caller", "案号是2023年浙0302民初1567号，我叫吕晓燕。"),
               ("agent", "吕女士，这个案子是潘法关主审的。"))
    assert (rec["case_number"], rec["judge_name"]) == ("（2023）浙0302民初1567号", "潘志强")


def test_a_role_word_heard_as_a_homophone_names_no_judge(directory):
    """承办法官 heard as 城办法官 / 成半法官 says that a judge handles the case, not which: the resolved case's judge
    is not put in the record as if the call had named him."""
    rec = _run(directory, ("caller", "案号是2023年浙0302民初1567号，我叫吕晓燕。"),
               ("agent", "吕女士，您的案子已经分给城办法官了，成半法官会联系您。"))
    assert rec["case_number"] == "（2023）浙0302民初1567号"
    assert rec["judge_name"] is None


def test_a_whole_number_then_a_date_or_an_address_stays_one_case(directory):
    """「15号」 and 「88号」 said after a whole number are a date and an address, not its serial corrected."""
    rec = _run(directory, ("caller", "案号是2024年浙0381民初2764号。"),
               ("agent", "好的，请讲。"), ("caller", "我15号去过法院，住在人民路88号。"))
    assert rec["case_number"] == "（2024）浙0381民初2764号" and rec["case_source"] == "directory"


# -- session 13: four more classes (two-digit year, 号 heard as 后/衡, the judge's name after 法官, a correction
# with nothing after it) ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("said", ["案号是24年这0381民初2764号，我叫程丽。", "案号是二四年浙0381民初2764号，我叫程丽。"])
def test_a_year_said_with_two_digits_is_the_20xx_year(directory, said):
    rec = _run(directory, ("caller", said))
    assert rec["case_number"] == "（2024）浙0381民初2764号"


def test_a_two_digit_year_in_a_date_makes_no_case(directory):
    rec = _run(directory, ("caller", "我24年3月15号去法院立的案，想问问进度。"),
               ("agent", "请问您的案号是多少？"), ("caller", "案号我忘了。"))
    assert rec["case_number"] is None


@pytest.mark.parametrize("end", ["衡", "后"])
def test_hao_heard_as_another_word_still_ends_the_serial(directory, end):
    """号 written 衡 or 后 right after the serial; the caller corrects it and comes back (the correction needs
    the tail to be seen)."""
    rec = _run(directory, ("caller", f"案号是2024年的0302名除4413{end}，我不对是4431{end}。"))
    assert rec["case_number"] == "（2024）浙0302民初4431号"


def test_a_generation_word_after_digits_is_no_case(directory):
    rec = _run(directory, ("caller", "我是90后，以后开庭要注意什么？"), ("agent", "您有案号吗？"), ("caller", "没有。"))
    assert rec["case_number"] is None


@pytest.mark.parametrize("said", ["您的案子承办法官钱丽华，下周开庭。", "法官叫钱丽华，下周开庭。"])
def test_the_judges_name_said_after_the_title(directory, said):
    """No case number said: the judge alone, from the name said after 法官."""
    rec = _run(directory, ("caller", "我想问一下开庭时间。"), ("agent", said))
    assert rec["case_number"] is None
    assert rec["judge_name"] == "钱丽华"


def test_a_word_after_the_title_names_no_judge(directory):
    rec = _run(directory, ("caller", "我想问一下开庭的事。"), ("agent", "承办法官马上会联系您，请稍等。"))
    assert rec["case_number"] is None
    assert rec["judge_name"] is None


def test_a_correction_with_no_number_after_it_keeps_the_number(directory):
    rec = _run(directory, ("caller", "案号是2024年浙0302民初4413号，不对不对，"),
               ("agent", "您再确认一下？"), ("caller", "我叫卜建国。"))
    assert rec["case_number"] == "（2024）浙0302民初4413号"


def test_a_correction_with_no_number_in_a_call_without_one_makes_none(directory):
    rec = _run(directory, ("caller", "我说的不对不对，我重新说，我想咨询离婚的事。"), ("agent", "好的，您说。"))
    assert rec["case_number"] is None


@pytest.mark.parametrize("after", ["不对，开庭是15号吗？", "不对不对，我记得是下个月15号开庭。"])
def test_a_correction_followed_by_a_date_keeps_the_number_said(directory, after):
    """The caller says 不对 but gives no corrected number; a date said after it corrects nothing."""
    rec = _run(directory, ("caller", f"案号是2024年浙0302民初4413号，{after}"))
    assert rec["case_number"] == "（2024）浙0302民初4413号"


def test_a_last_serial_digit_heard_as_a_word_before_hao_heard_as_hou(directory):
    """七 heard as 期 and 号 as 后: the digit-like character before 后 is the serial's last digit."""
    rec = _run(directory, ("caller", "案号是2023年浙0302民初156期后，想问开庭时间。"))
    assert rec["case_number"] == "（2023）浙0302民初1567号"


def test_a_count_before_hou_is_no_case(directory):
    rec = _run(directory, ("caller", "我去了2次后就没再去了，想问问怎么起诉。"), ("agent", "您有案号吗？"),
               ("caller", "还没有立案。"))
    assert rec["case_number"] is None
