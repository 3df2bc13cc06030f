"""Redaction of personal numbers as callers say them and ASR writes them (issue 17, defect 13): grouped with
spaces or hyphens, after +86, in Chinese numerals, spaced ID-card numbers — also inside the record summary."""

from __future__ import annotations

import json

import pytest

from copilot.server.redact import redact, redact_text

PHONE_FORMS = ["15968203472", "159 6820 3472", "159-6820-3472", "+86 159 6820 3472", "+8615968203472",
               "008615968203472", "幺五九六八二零三四七二", "一五九 六八二零 三四七二", "１５９６８２０３４７２"]
ID_FORMS = ["33050219800101123X", "330502 19800101 123X", "3305 0219 8001 0112 3X", "330502-19800101-123X"]


@pytest.mark.parametrize("phone", PHONE_FORMS)
def test_phone_forms_are_masked(phone):
    out = redact_text(f"我的电话是{phone}，谢谢")
    masked = out[len("我的电话是"):-len("，谢谢")]
    assert "*" in masked and masked.count("*") >= 4
    for hidden in ("6820", "六八二零", "６８２０"):
        assert hidden not in masked.replace(" ", "").replace("-", "")
    assert masked.endswith(phone[-4:]), "the last four digits stay for the agent to confirm"


@pytest.mark.parametrize("card", ID_FORMS)
def test_spaced_id_card_numbers_are_masked(card):
    masked = redact_text(f"身份证{card}。")[3:-1]
    compact = masked.replace(" ", "").replace("-", "")
    assert "19800101" not in compact and "0101" not in compact[6:-4]
    assert compact.startswith("3305") and compact.endswith("123X")


@pytest.mark.parametrize("text", ["案号（2024）浙0503民初1234号", "您好！12368！", "2024年3月5日", "两个人一起来",
                                  "一九八零年一月一日", "圆周率3.14159265", "请拨打12368转3"])
def test_ordinary_numbers_are_left_alone(text):
    assert redact_text(text) == text


def test_two_numbers_in_a_row_are_both_masked():
    assert redact_text("电话 13905723318 14705723318") == "电话 139****3318 147****3318"


def test_record_summary_and_every_field_are_redacted():
    record = {"phone": "159 6820 3472", "summary": "来电人李美芳（电话幺五九六八二零三四七二，身份证3305 0219 8001 0112 3X）"
              "反映执行款未到账，要求回电159-6820-3472"}
    out = json.dumps(redact({"record": record}), ensure_ascii=False)
    for leaked in ("6820", "六八二零", "19800101", "0219 8001"):
        assert leaked not in out, leaked
