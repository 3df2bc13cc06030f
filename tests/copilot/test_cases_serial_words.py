"""Case-directory classes found on the sixth round of recordings, as text written for these tests (no sentence, name
or number of an evaluation set):

- the serial said after a sure type code with every digit heard as a word (「名出巴就哎期」 for 民初八九?七): no digit
  is written, so the span used to stop at the code; the characters that sound like digits are read as the serial
  (``evidence._serial_as_words``), each possible end of it tried, since a word after it may sound like a digit too;
- the court named by its place as the same sound, with the year and court code read exactly, and the judge's surname
  heard as a near sound, corroborate a case whose serial was partly heard (a wildcard): three independent readings
  agree — never one of them alone.

The directory: a few invented cases among 20,000 generated distractors, in a real SQLite file; each call goes through
the analyzer turn by turn.
"""

from __future__ import annotations

from functools import partial

import pytest
from cases_helpers import call_record

from copilot.cases.directory import CaseDirectory
from copilot.cases.evidence import spans_in
from copilot.cases.generate import case_row, store_among_distractors

COURTS, YEARS = ["浙0702", "浙0781", "浙07"], [2023, 2024]

OURS = [
    case_row("（2023）浙0702民初8917号", "黄志强", "金华某某贸易有限公司:party;郑晓梅:party"),
    case_row("（2023）浙0702民初8927号", "周丽君", "方国强:party;杨春华:party"),
]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    engine = store_among_distractors(tmp_path_factory.mktemp("serial-words"), OURS, 20_000, seed=6160,
                                     courts=COURTS, years=YEARS)
    yield CaseDirectory(engine)
    engine.dispose()


_run = partial(call_record, call_id="T-SERIAL-WORDS")


def test_a_serial_heard_as_words_after_the_code_is_read():
    serials = {h.serial for s in spans_in("2023年浙0702名出巴就益期是王法官办的") for h in s.hypotheses
               if h.type_code == "民初" and h.head == "20230702"}
    assert "8917" in serials


def test_words_after_the_code_that_do_not_sound_like_digits_are_no_serial():
    assert not [h for s in spans_in("2023年浙0702民初的案子现在怎么样了") for h in s.hypotheses if h.serial]


def test_the_court_named_and_a_near_surname_corroborate_a_partly_heard_serial(directory):
    """The head read exactly, 民初 as 名出, the serial's digits as words with one not understood (89?7); the court
    named as the same sound (婺城) and the judge 黄 heard as 王 (a near sound) tell 8917 from its neighbours."""
    rec = _run(directory, ("caller", "我在婺城法院有个案子，2023年浙0702名出巴就哎期，是王法官承办的。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "什么时候开庭。"))
    assert rec["case_number"] == "（2023）浙0702民初8917号" and rec["case_source"] == "directory"


def test_without_the_judge_the_court_named_alone_leaves_a_pick_list(directory):
    rec = _run(directory, ("caller", "我在婺城法院有个案子，2023年浙0702名出巴就哎期。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "什么时候开庭。"))
    assert rec.get("case_source") != "directory"
    assert "（2023）浙0702民初8917号" in [c["case_number"] if isinstance(c, dict) else c
                                      for c in rec.get("case_candidates") or []]


def test_without_the_court_named_the_near_surname_alone_does_not_resolve(directory):
    rec = _run(directory, ("caller", "我有个案子，2023年浙0702名出巴就哎期，是王法官承办的。"),
               ("agent", "好的，请问您想了解什么？"), ("caller", "什么时候开庭。"))
    assert rec.get("case_source") != "directory"
