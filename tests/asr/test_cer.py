"""asr.cer: the character error rate every ASR figure in the README is scored with."""

from __future__ import annotations

from asr.cer import CerResult, cer


def test_punctuation_spaces_and_traditional_characters_do_not_count():
    assert cer("好的，请讲。", "好的 請講") == CerResult(0, 4)
    assert cer("喂南浔法院请讲", "为南行法院新疆") == CerResult(4, 7)


def test_numerals_either_way_scores_a_number_the_same_in_digits_or_characters():
    """Whisper wrote caller U13-001's phone number as 「十一三九六七二一八八三四」 in one run and as digits in another."""
    ref, said = "我电话是13967218834。", "我电话十一三九六七二一八八三四"
    assert cer(ref, said).errors == 12  # as written: 是 heard as 十 and every digit a substitution
    assert cer(ref, said, numerals_either_way=True).errors == 1  # 是 heard as 十
    assert cer("幺三九", "139", numerals_either_way=True).errors == 0
    assert cer("五百元", "500元", numerals_either_way=True).errors == 2  # digit by digit: a quantity still differs
    assert cer("五百元", "五百元", numerals_either_way=True) == cer("五百元", "五百元")
