"""Case-directory classes found on the fifth round of unseen recordings, as text written for these tests (no sentence,
name or number of an evaluation set):

- the court named by its place (「兰溪法院」, heard as the same or a near sound) is evidence for the cases of that court
  and, said as the same sound, against cases of another city; with the serial and type code read exactly it
  corroborates a garbled head; said instead of the court code, its code completes a head of the year alone. A word
  said before 法院 (上级法院, 基层法院, 普通法院) names no court;
- the first part of a number that runs on into the speaker's next turn is no number by itself (its own split of the
  digits read the court code's end as a serial);
- a digit said twice in a row and heard once (三三九二 → 392) is the likeliest of the dropped digits;
- a one-character type code heard as a digit and run into the serial (执 as 一: 「0781 1633号」) is read as that code
  when the call's words name the kind of case (执行) — never on the digits alone;
- a judge's surname heard with the nasal coda added (周 zhou as 中 zhong: ``phonetic.NEAR_FINALS`` ou/ong, like
  ao/ang) is the judge's surname heard, not a judge who speaks against the case;
- a correction with the serial said again without 号 (「不对不对，是5316」), in the same turn or the next one, replaces the
  serial of the number said before and withdraws that number; digits followed by a sum word, or a year, are no
  such correction;
- the judge's full name heard as a homophone with a word the name rules leave out at its end (「孙利和法官」: 和 is
  also a particle before 法官) gives the judge when the case itself is not known.

The directory: a few invented cases among 20,000 generated distractors, in a real SQLite file; each call goes
through the analyzer turn by turn.
"""

from __future__ import annotations

from functools import partial

import pytest
from cases_helpers import call_record

from copilot.cases.directory import CaseDirectory, serial_variants
from copilot.cases.evidence import spans_in, spans_in_turns
from copilot.cases.generate import case_row, store_among_distractors

COURTS, YEARS = ["浙0702", "浙0781", "浙0783", "浙07"], [2023, 2024, 2025]

OURS = [
    case_row("（2024）浙0781民初5316号", "何文军", "金华某某贸易有限公司:party;林晓东:party"),
    case_row("（2024）浙0781执2633号", "葛雪平", "兰溪某某五金厂:party;方国强:party", "执行局", "执行中"),
    case_row("（2023）浙0702民初4471号", "孙立和", "吴志刚:party;严春兰:party"),
    case_row("（2023）浙0702民初3085号", "周海峰", "金华某某物业服务有限公司:party;卢美华:party"),
    case_row("（2024）浙0783民初5316号", "陶建华", "东阳某某建材有限公司:party;许明:party"),
]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    engine = store_among_distractors(tmp_path_factory.mktemp("court-digit-classes"), OURS, 20_000, seed=5150,
                                     courts=COURTS, years=YEARS)
    yield CaseDirectory(engine)
    engine.dispose()


_run = partial(call_record, call_id="T-COURT")


# -- the court named by its place ------------------------------------------------------------------------------

def test_a_place_before_fayuan_names_its_court_and_a_word_there_names_none():
    from copilot.cases.evidence import court_mentions

    assert court_mentions(["我在兰西法院有个案子"]) == {"浙0781": 1.0}  # 兰西: the same sound as 兰溪
    assert court_mentions(["东阳市人民法院"]) == {"浙0783": 1.0}
    assert court_mentions(["案子在金华中院"]) == {"浙07": 1.0}
    assert court_mentions(["上级法院", "基层法院", "普通法院", "这个法院", "中级法院"]) == {}


def test_the_court_named_corroborates_a_clean_tail_under_a_garbled_head(directory):
    """The court code's 0 lost (781 for 0781): the head only nearly fits, nothing else names the case; the court
    said by its place agrees with the group of the cleanly heard 民初5316."""
    rec = _run(directory, ("caller", "你好，我在兰西法院有个案子，案号是2024年这781民初5316号。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "开庭时间定了没有。"))
    assert rec["case_number"] == "（2024）浙0781民初5316号" and rec["case_source"] == "directory"


def test_another_court_of_the_city_named_does_not_corroborate(directory):
    """The same words with 东阳法院 (another court of the same city): nothing corroborates the garbled head, the
    case is only offered."""
    rec = _run(directory, ("caller", "你好，我在东阳法院有个案子，案号是2024年这781民初5316号。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "开庭时间定了没有。"))
    assert rec["case_source"] != "directory"


def test_the_court_named_instead_of_its_code_completes_a_head_of_the_year_alone(directory):
    """「2024年民初5316号」 with no court code: two courts of the city hold 民初5316 of 2024; the court named by its
    place (兰西法院) says which."""
    rec = _run(directory, ("caller", "你好，我在兰西法院有个案子，案号是2024年民初5316号。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "开庭时间定了没有。"))
    assert rec["case_number"] == "（2024）浙0781民初5316号" and rec["case_source"] == "directory"
    rec = _run(directory, ("caller", "你好，我有个案子，案号是2024年民初5316号。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "开庭时间定了没有。"))
    assert rec["case_source"] != "directory"


# -- a number running on into the next turn --------------------------------------------------------------------

def test_the_first_part_of_a_number_running_on_is_no_number_by_itself():
    found = spans_in_turns([(1, "caller", "有个何法官，办2024年这0781"), (2, "caller", "民初5316号那个案子的。")])
    assert found[1] == []
    assert any(h.serial == "5316" and h.type_code == "民初" for sp in found[2] for h in sp.hypotheses)


# -- a digit said twice heard once -----------------------------------------------------------------------------

def test_a_repeated_digit_heard_once_is_the_likeliest_dropped_digit():
    v = serial_variants("392")
    assert v[3392] > v[3920] and v[3392] > v[1392] and v[3392] < v[392]
    assert serial_variants("921")[9921] > serial_variants("921")[9201]


# -- a type code heard as a digit ------------------------------------------------------------------------------

def test_a_type_code_heard_as_a_digit_is_read_when_the_words_name_the_kind(directory):
    hyps = [h for sp in spans_in("案号2024年这0781 12633号") for h in sp.hypotheses]
    assert any(h.type_code == "执" and h.type_digit and h.head == "20240781" and h.serial == "2633" for h in hyps)
    rec = _run(directory, ("caller", "我有个执行的案子，案号2024年这0781 12633号，钱一直没执行到。"),
               ("agent", "好的，我帮您看一下。"))
    assert rec["case_number"] == "（2024）浙0781执2633号" and rec["case_source"] == "directory"


def test_a_digit_is_no_type_code_without_the_words_for_the_kind(directory):
    rec = _run(directory, ("caller", "我想问问我的案子，案号2024年这0781 12633号，什么时候开庭。"),
               ("agent", "好的，我帮您看一下。"))
    assert rec["case_source"] != "directory"


# -- the judge's full name heard as a homophone ----------------------------------------------------------------

def test_the_judges_full_name_heard_as_a_homophone_gives_the_judge_alone(directory):
    """No case number; 「孙利和法官」 ends with 和, which the name rules leave out as a particle (「和法官说」), so only
    the surname 孙 was a mention — one of many judges. The full name heard as the same sound names one."""
    rec = _run(directory, ("caller", "我想找一下法官，这个案子是孙利和法官承办的。"),
               ("agent", "孙法官今天在开庭，我帮您留言。"))
    assert rec["judge_name"] == "孙立和"
    assert rec["case_number"] is None


# -- a surname heard with a nasal coda added ---------------------------------------------------------------------

def test_a_surname_heard_with_a_nasal_coda_added_is_that_judge(directory):
    """周 (zhou) heard as 中 (zhong), the court code with a digit lost (072 for 0702): the judge's surname, heard as a
    near sound, corroborates the clean 民初3085 instead of speaking against it."""
    from copilot.cases.phonetic import char_similarity

    assert char_similarity("中", "周", True) >= 0.75 and char_similarity("中", "李", True) < 0.5
    rec = _run(directory, ("caller", "我要反映一下，有个中法官，办2023年这072民初3085号那个案子的。"),
               ("agent", "好的，您请讲。"))
    assert rec["case_number"] == "（2023）浙0702民初3085号" and rec["judge_name"] == "周海峰"


# -- a correction without 号 -----------------------------------------------------------------------------------

def test_a_correction_in_the_next_turn_without_hao_replaces_the_serial(directory):
    rec = _run(directory, ("caller", "案号是2024年浙0781民初5361号。"), ("agent", "好的。"),
               ("caller", "不对不对，是5316，我刚才念错了。"))
    assert rec["case_number"] == "（2024）浙0781民初5316号" and rec["case_source"] == "directory"


def test_digits_after_a_correction_that_are_a_sum_or_a_year_correct_no_serial():
    found = spans_in_turns([(1, "caller", "案号是2024年浙0781民初5361号"), (2, "caller", "不对，是5316元")])
    assert [h.serial for sp in found[1] for h in sp.hypotheses] == ["5361"] and found[2] == []
    found = spans_in_turns([(1, "caller", "案号是2024年浙0781民初5361号"), (2, "caller", "不是，是2023")])
    assert [h.serial for sp in found[1] for h in sp.hypotheses] == ["5361"]
    assert not any(h.head == "20240781" for sp in found[2] for h in sp.hypotheses)


def test_a_name_that_sounds_like_a_judges_away_from_fayuan_is_no_judge(directory):
    """A guard: a person said in another sentence whose name sounds like a judge's full name (孙丽荷 / 孙立和), with
    only 「孙法官」 said next to 法官 — three syllables far from the title match some judge's name by chance."""
    rec = _run(directory, ("caller", "孙法官在吗？"), ("agent", "请问您是哪个案子？"),
               ("caller", "我跟孙丽荷说好了一起过来找孙法官问问。"))
    assert rec["judge_name"] != "孙立和"
