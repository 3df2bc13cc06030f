"""Case-directory classes found on the seventh round of recordings, as text written for these tests (no sentence,
name or number of an evaluation set):

- a number said over two turns of one speaker, the type code 执 heard as the digit 1 right after the pause
  (「…2024年浙0522，」 | 「12716号」): the turn boundary is a pause and begins a new digit group, as a comma would;
- a type code heard as a *near* sound (明周: 周 is neither 初 nor 终) is looked up as every code whose odd syllable
  sounds at least as alike (民终 besides the frequent 民初), and the directory decides;
- the court named with 人民/市/县 heard as other words (「常兴是言民法院」 for 长兴县人民法院) and a place read as a word
  (长兴 is cháng xīng, not zhǎng xīng);
- a two-character type code whose last syllable Whisper wrote as a numeral (执异 zhí yì as 「直一」), read besides
  the numeral as the serial's first digit.

The directory: a few invented cases among 20,000 generated distractors, in a real SQLite file; each call goes through
the analyzer turn by turn.
"""

from __future__ import annotations

from functools import partial

import pytest
from cases_helpers import call_record

from copilot.cases.directory import CaseDirectory
from copilot.cases.evidence import court_mentions, spans_in, type_alternatives
from copilot.cases.generate import case_row, store_among_distractors

COURTS, YEARS = ["浙0522", "浙05", "浙0702"], [2023, 2024]

OURS = [
    case_row("（2024）浙0522执2716号", "钱永华", "韩立军:party;湖州某某建材有限公司:party"),
    case_row("（2023）浙05民终2641号", "沈国梁", "邱美玲:party;陶建新:party"),
    case_row("（2024）浙0522执异63号", "孔德明", "俞晓峰:other;姜海涛:party"),
]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    engine = store_among_distractors(tmp_path_factory.mktemp("split-code-court"), OURS, 20_000, seed=7121,
                                     courts=COURTS, years=YEARS)
    yield CaseDirectory(engine)
    engine.dispose()


_run = partial(call_record, call_id="T-SPLIT-CODE-COURT")


def test_a_code_heard_as_a_digit_after_the_turn_boundary_is_read(directory):
    """执 heard as 1 at the start of the caller's next turn, the caller says it is an enforcement case and names the
    judge: the pause between the turns begins the digit group the code is read from."""
    rec = _run(directory, ("caller", "我有个案子在你们那里执行，2024年浙0522，"),
               ("caller", "12716号，执行法官是钱法官。"), ("agent", "好的，请讲。"), ("caller", "钱什么时候能到账。"))
    assert rec["case_number"] == "（2024）浙0522执2716号" and rec["case_source"] == "directory"


def test_digits_said_in_one_turn_run_together_are_still_one_group():
    """Within one turn nothing changes: 「2024年浙052212716号」 has no pause, so no reading of 执 from its digits."""
    assert not [h for s in spans_in("2024年浙052212716号") for h in s.hypotheses if h.type_code]


def test_a_near_sound_type_code_is_looked_up_as_the_codes_it_may_be():
    assert "民终" in type_alternatives("明周", "民初")
    assert type_alternatives("名出", "民初") == ()  # a homophone of one code only: nothing else to look up


def test_an_appeal_heard_as_a_near_sound_is_found_at_the_intermediate_court(directory):
    rec = _run(directory, ("caller", "我是上诉人，案号2023年浙05明周2641号，审判长是沈法官。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "什么时候开庭。"))
    assert rec["case_number"] == "（2023）浙05民终2641号" and rec["judge_name"] == "沈国梁"


def test_the_court_named_with_its_title_heard_as_other_words():
    assert court_mentions(["常兴是言民法院，您好"]) == {"浙0522": 1.0}
    assert court_mentions(["长兴县人民法院"]) == {"浙0522": 1.0}
    # words that do not sound like 市/县/人民 between a word and 法院 name no court
    assert court_mentions(["我们去的那个人民法院", "他说要到法院来", "这个法院"]) == {}


def test_a_code_whose_last_syllable_was_written_as_a_numeral_is_read():
    hyps = {(h.head, h.serial, h.type_code) for s in spans_in("2024年浙0522直一63号") for h in s.hypotheses}
    assert ("20240522", "63", "执异") in hyps
    assert ("20240522", "163", "执") in hyps  # the numeral as the serial's first digit is still read
    # a serial said in numerals after a whole code: no code is made of the code's end and the first numeral
    assert {h.type_code for s in spans_in("2024年浙0522民初一二三四号") for h in s.hypotheses} == {"民初"}


def test_a_code_written_with_a_numeral_and_the_court_named_resolve(directory):
    rec = _run(directory, ("agent", "常兴是言民法院，您好，请问有什么可以帮您？"),
               ("caller", "我叫俞晓峰，我们是案外人，提了执行异议，2024年浙0522直一63号。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "裁定什么时候出来。"))
    assert rec["case_number"] == "（2024）浙0522执异63号" and rec["case_source"] == "directory"
