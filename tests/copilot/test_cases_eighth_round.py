"""Case-directory classes found on the eighth round of recordings, as text written for these tests (no sentence,
name or number of an evaluation set):

- the title 法官 heard with its first syllable's initial changed (「樊法官」 as 「凡趴关」: 法 fǎ as 趴 pā): the judge
  of the case resolved from other evidence is named when the surname before it is the same sound; such a loose
  title never names a judge as free text, and two characters that are a word (严把关) are that word;
- a head said alone with no type code (「2026年浙0726」) and a one-digit serial said apart by the same speaker
  (「4号，…」), the kind of case named in words (破产): read as that kind's serial and offered in the pick list, never
  filled — a court numbers its serials in a row, so every one-digit serial of a kind is in a real directory, and
  「4号」 may be a date;
- a serial digit dropped (a repeated digit heard once: 三三七一 → 371) with the neighbours a digit away in the directory:
  digits alone or a judge's surname shared by a neighbour leave a pick list; a party's name (as written or a
  homophone) or the agent's read-back tells which case it is.

The directory: a few invented cases among 20,000 generated distractors, in a real SQLite file; each call goes through
the analyzer turn by turn.
"""

from __future__ import annotations

from functools import partial

import pytest
from cases_helpers import call_record

from copilot.cases.directory import CaseDirectory
from copilot.cases.generate import case_row, store_among_distractors

COURTS, YEARS = ["浙0603", "浙0782", "浙0726"], [2024, 2025, 2026]

OURS = [
    case_row("（2025）浙0603执保417号", "樊建平", "郑秋云:party;绍兴某某纺织有限公司:party"),
    case_row("（2024）浙0782民初2586号", "严立群", "方海涛:party;楼晓东:party"),
    case_row("（2026）浙0726破4号", "章国强", "浦江某某水晶制品有限公司:party"),
    case_row("（2026）浙0726民初1588号", "黄晓明", "钟丽萍:party;俞志强:party"),
    # a repeated digit heard once (三三七一 → 371): the true case and its neighbours a digit away, all in the directory
    case_row("（2024）浙0782民初3371号", "蒋文斌", "卢秀英:party;何建峰:party"),
    case_row("（2024）浙0782民初3471号", "蒋丽华", "金志远:party;潘玉梅:party"),
    case_row("（2024）浙0782民初1371号", "俞海峰", "吴志刚:party;徐晓红:party"),
    case_row("（2024）浙0782民初3071号", "汪建军", "林美华:party;赵国平:party"),
]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    engine = store_among_distractors(tmp_path_factory.mktemp("eighth-round"), OURS, 20_000, seed=8123,
                                     courts=COURTS, years=YEARS)
    yield CaseDirectory(engine)
    engine.dispose()


_run = partial(call_record, call_id="T-EIGHTH-ROUND")


def test_the_resolved_cases_judge_is_named_by_a_near_title(directory):
    rec = _run(directory, ("caller", "我叫郑秋云，我申请了财产保全，案号2025年浙0603执保417号。"),
               ("caller", "我打电话给凡趴关那边，一直没人回。"), ("agent", "好的，我记录一下。"))
    assert rec["case_number"] == "（2025）浙0603执保417号" and rec["case_source"] == "directory"
    assert rec["judge_name"] == "樊建平"


def test_a_word_that_sounds_like_the_title_names_no_judge(directory):
    """严把关: 把关 sounds as near to 法官 as 趴关, but it is a word; the case's judge 严 is not named."""
    rec = _run(directory, ("caller", "我叫方海涛，案号2024年浙0782民初2586号。"),
               ("caller", "这个材料你们要严把关啊。"), ("agent", "好的。"))
    assert rec["case_number"] == "（2024）浙0782民初2586号" and rec["case_source"] == "directory"
    assert rec["judge_name"] is None


def test_a_near_title_is_no_judge_without_a_resolved_case(directory):
    rec = _run(directory, ("caller", "我想问一下凡趴关那边的案子什么时候开庭。"), ("agent", "请问案号是多少？"),
               ("caller", "我不记得了。"))
    assert rec["case_number"] is None and rec["judge_name"] is None


_BANKRUPT = ("caller", "我以前那个厂要破产了，工资还欠着，通知上写的案号是2026年浙0726")


def test_a_one_digit_serial_said_apart_is_offered_with_the_kind_named(directory):
    rec = _run(directory, _BANKRUPT, ("agent", "好的，职工的工资不用申报。"), ("caller", "4号，管理人是谁？"),
               ("agent", "管理人的联系方式在公告里。"))
    assert rec["case_source"] != "directory"
    assert rec["case_candidates"][0] == "（2026）浙0726破4号"


def test_a_one_digit_tail_without_the_kind_named_is_no_serial(directory):
    rec = _run(directory, ("caller", "我的案子，通知上写的是2026年浙0726"), ("agent", "好的。"),
               ("caller", "4号，我什么时候去法院？"))
    assert "（2026）浙0726破4号" not in (rec.get("case_candidates") or [])


def test_a_one_digit_tail_of_the_other_speaker_is_no_serial(directory):
    rec = _run(directory, _BANKRUPT, ("agent", "4号之前您先去登记。"), ("caller", "好的。"))
    assert "（2026）浙0726破4号" not in (rec.get("case_candidates") or [])


def test_a_one_digit_tail_does_not_use_up_the_head(directory):
    """「8号」 after a head may be a date: the serial said later still completes the head."""
    rec = _run(directory, ("caller", "我的案子，案号是2026年浙0726"), ("caller", "8号那天我去过法院。"),
               ("agent", "案号后面是多少？"), ("caller", "民初1588号。"))
    assert rec["case_number"] == "（2026）浙0726民初1588号" and rec["case_source"] == "directory"


_DROPPED = ("caller", "我问一下我的案子，2024年浙0782民初371号，调解结案了。")


def test_a_dropped_digit_with_nothing_else_stays_a_pick_list(directory):
    """The true case tops the list (a repeated digit heard once is the likeliest drop) but the neighbours a digit
    away are as plausible on digits alone: nothing is filled."""
    rec = _run(directory, _DROPPED, ("agent", "好的，请问您想了解什么？"), ("caller", "社保的事。"))
    assert rec["case_source"] == "parsed" and "（2024）浙0782民初3371号" in rec["case_candidates"]


@pytest.mark.parametrize("said", [
    ("caller", "我叫卢秀英。"),  # the caller's full name is a party's
    ("caller", "我叫卢秀映。"),  # the same, one character a homophone
    ("agent", "您说的是2024年浙0782民初3371号吗？"),  # the agent's read-back
])
def test_a_dropped_digit_is_resolved_by_a_party_or_the_read_back(directory, said):
    rec = _run(directory, _DROPPED, said, ("caller", "对，社保的事。"))
    assert rec["case_number"] == "（2024）浙0782民初3371号" and rec["case_source"] == "directory"


def test_a_dropped_digit_and_another_cases_party_resolves_that_case_only_when_it_fits(directory):
    """The caller's name is a party of a neighbour (3071, a 0 dropped): the name tells which of the readings."""
    rec = _run(directory, _DROPPED, ("caller", "我叫林美华。"), ("agent", "好的。"))
    assert rec["case_number"] == "（2024）浙0782民初3071号"


def test_a_judges_surname_shared_by_a_neighbour_does_not_decide(directory):
    """蒋 is the judge of the true case and of the neighbour a digit away (3471): still a pick list."""
    rec = _run(directory, _DROPPED, ("caller", "承办的是蒋法官。"), ("agent", "好的。"))
    assert rec["case_source"] == "parsed" and "（2024）浙0782民初3371号" in rec["case_candidates"]
