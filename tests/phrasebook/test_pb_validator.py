"""Validator and CLI: broken copies of the data report the right file and line."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from phrasebook import DATA_DIR, PhrasebookError, check_phrasebook, load_phrasebook
from phrasebook.cli import cmd_check, cmd_find


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "pb"
    shutil.copytree(DATA_DIR, target)
    return target


def line_of(path: Path, needle: str, nth: int = 0) -> int:
    """1-based line of the nth line containing ``needle``."""
    found = [i + 1 for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if needle in line]
    return found[nth]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def only_error(directory: Path):
    errors = check_phrasebook(directory)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_copy_of_the_data_is_valid(data):
    assert check_phrasebook(data) == []


def test_toml_syntax_error_reports_its_line(data):
    f = data / "banned.toml"
    edit(f, 'phrases = ["有完没完"]', 'phrases = ["有完没完"')
    e = only_error(data)
    assert Path(e.file).name == "banned.toml" and "syntax" in e.message
    assert line_of(f, '"有完没完"') <= e.line <= line_of(f, '"有完没完"') + 3


def test_banned_entry_without_replacement(data):
    f = data / "banned.toml"
    edit(
        f, 'replacement = "您看您方便怎么处理，我可以为您介绍几种办法。"\nfamily = "推诿"', 'family = "推诿"'
    )
    e = only_error(data)
    assert (Path(e.file).name, e.line) == ("banned.toml", line_of(f, "[[banned]]", 4))
    assert "replacement" in e.message


def test_empty_phrase(data):
    f = data / "banned.toml"
    edit(f, '["不清楚", "我不清楚"]', '["不清楚", "", "我不清楚"]')
    e = only_error(data)
    assert e.line == line_of(f, '"我不清楚"]') and "empty phrase" in e.message


def test_phrase_with_punctuation(data):
    f = data / "banned.toml"
    edit(f, '"有完没完"', '"有完，没完"')
    e = only_error(data)
    assert e.line == line_of(f, "有完，没完") and "punctuation" in e.message


def test_duplicate_id(data):
    f = data / "banned.toml"
    edit(f, 'id = "B07"', 'id = "B06"')
    e = only_error(data)
    assert e.line == line_of(f, 'id = "B06"', 1) and "duplicate" in e.message


def test_wrong_type(data):
    f = data / "dialect.toml"
    edit(
        f,
        'dialect = "侬"\nmandarin = "你"\narea = "shanghai"\nreplace = true',
        'dialect = "侬"\nmandarin = "你"\narea = "shanghai"\nreplace = "yes"',
    )
    e = only_error(data)
    assert (Path(e.file).name, e.line) == ("dialect.toml", line_of(f, 'replace = "yes"'))


def test_dialect_entry_without_mandarin(data):
    f = data / "dialect.toml"
    edit(f, 'dialect = "覅"\nmandarin = "不要"\n', 'dialect = "覅"\n')
    e = only_error(data)
    assert e.line == line_of(f, 'dialect = "覅"') - 1 and "mandarin" in e.message


def test_unknown_service_type_code(data):
    f = data / "service_types.toml"
    edit(f, 'code = "appointment"', 'code = "appointments"')
    errors = check_phrasebook(data)
    lines = {(Path(e.file).name, e.line) for e in errors}
    assert ("service_types.toml", line_of(f, 'code = "appointments"')) in lines
    assert any("unknown service-type code" in e.message for e in errors)
    assert any("no [[service_type]] with code 'appointment'" in e.message for e in errors)


def test_cue_weight_out_of_range(data):
    f = data / "service_types.toml"
    edit(f, '{ text = "上门立案", weight = 3.0 }', '{ text = "上门立案", weight = 5.0 }')
    e = only_error(data)
    assert e.line == line_of(f, '"上门立案", weight = 5.0') and "out of range" in e.message


def test_cue_caller_only_must_be_a_boolean(data):
    f = data / "service_types.toml"
    edit(f, '{ text = "找法官", weight = 2.0, caller_only = true }', '{ text = "找法官", weight = 2.0, caller_only = "yes" }')
    e = only_error(data)
    assert e.line == line_of(f, 'caller_only = "yes"') and "caller_only must be true or false" in e.message


def test_bad_cue_regex(data):
    f = data / "service_types.toml"
    edit(f, '{ regex = "', '{ regex = "((')
    e = only_error(data)
    assert e.line == line_of(f, '{ regex = "((') and "compile" in e.message


def test_rubric_maxima_must_sum_to_total(data):
    f = data / "rubric.toml"
    edit(f, "max = 30", "max = 35")
    e = only_error(data)
    assert (Path(e.file).name, e.line) == ("rubric.toml", line_of(f, "total = 100")) and "105" in e.message


def test_flag_naming_an_unknown_rubric_item(data):
    f = data / "flags.toml"
    edit(f, 'item = "closing"', 'item = "ending"')
    e = only_error(data)
    assert Path(e.file).name == "flags.toml" and e.line == line_of(f, 'item = "ending"')
    assert "unknown rubric item 'ending'" in e.message


def test_flag_points_above_the_item_maximum(data):
    f = data / "flags.toml"
    edit(f, "points = 16", "points = 40")
    e = only_error(data)
    assert e.line == line_of(f, "points = 40") and "out of range" in e.message


def test_every_formats_code_is_registered(data):
    f = data / "flags.toml"
    edit(f, 'code = "closing_missing"', 'code = "closing_absent"')
    errors = check_phrasebook(data)
    assert any("no [[flag]] with code 'closing_missing'" in e.message for e in errors)
    assert any("'closing_absent' is not in formats.md" in e.message for e in errors)


def test_deductions_left_in_the_rubric_are_reported(data):
    f = data / "rubric.toml"
    f.write_text(f.read_text(encoding="utf-8") + '\n[deductions]\nbanned_phrase = { item = "courtesy", points = 5 }\n',
                 encoding="utf-8")
    e = only_error(data)
    assert e.line == line_of(f, "[deductions]") and "flags.toml" in e.message


def test_unknown_field_is_reported(data):
    f = data / "replacements.toml"
    edit(f, 'use = "我想请您再次"', 'uses = "我想请您再次"')
    errors = check_phrasebook(data)
    assert {e.line for e in errors} >= {line_of(f, 'uses = "我想请您再次"')}
    assert any("unknown field 'uses'" in e.message for e in errors)
    assert any("missing field 'use'" in e.message for e in errors)


def test_key_phrase_must_occur_in_the_script(data):
    f = data / "scripts.toml"
    edit(f, 'key_phrases = ["让您久等了"]', 'key_phrases = ["让您久候了"]')
    e = only_error(data)
    assert e.line == line_of(f, "让您久候了") and "does not occur" in e.message


def test_banned_phrase_may_not_also_be_an_a4_form(data):
    f = data / "banned.toml"
    edit(f, '"做不到", "办不到"', '"做不到", "办不到", "不可能"')
    e = only_error(data)
    assert e.line == line_of(f, '"不可能"') and "replacements.toml" in e.message


def test_missing_file(data):
    (data / "referrals.toml").unlink()
    e = only_error(data)
    assert (Path(e.file).name, e.line) == ("referrals.toml", 0)


def test_bad_matcher_threshold(data):
    f = data / "matcher.toml"
    edit(f, "pinyin_ratio = 90", "pinyin_ratio = 190")
    e = only_error(data)
    assert e.line == line_of(f, "pinyin_ratio = 190")


def test_load_raises_the_first_problem_and_counts_the_rest(data):
    edit(data / "banned.toml", 'id = "B07"', 'id = "B06"')
    edit(data / "dialect.toml", 'dialect = "覅"\nmandarin = "不要"\n', 'dialect = "覅"\n')
    with pytest.raises(PhrasebookError) as info:
        load_phrasebook(data)
    assert info.value.file.endswith("banned.toml") and info.value.line > 0
    assert "1 more problem" in info.value.message


def test_load_is_cached_until_a_file_changes(data):
    first = load_phrasebook(data)
    assert load_phrasebook(data) is first
    f = data / "greeting.toml"
    edit(f, 'text = "再见"', 'text = "再会"')
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime + 5))
    second = load_phrasebook(data)
    assert second is not first and "再会" in {c.text for c in second.closings}


def test_cmd_check_prints_file_line_message_and_exits_1(data):
    edit(data / "banned.toml", 'id = "B07"', 'id = "B06"')
    out = io.StringIO()
    assert cmd_check(data, out=out) == 1
    first = out.getvalue().splitlines()[0]
    line = line_of(data / "banned.toml", 'id = "B06"', 1)
    assert first.startswith(f"{data / 'banned.toml'}:{line}: ")


def test_cmd_check_prints_counts_when_ok(data):
    out = io.StringIO()
    assert cmd_check(data, out=out) == 0
    assert "phrasebook OK" in out.getvalue() and "banned phrases: " in out.getvalue()


def test_cmd_find_normalises_and_prints_hits():
    out = io.StringIO()
    assert cmd_find("這不規我們管，你去問別人吧！", out=out) == 0
    text = out.getvalue()
    assert "text: 这不规我们管你去问别人吧" in text
    assert "banned\tB03\t[1:6]\t不规我们管" in text and "pinyin" in text
    assert "banned\tB04" in text


def test_cmd_find_on_a_broken_phrasebook_exits_1(data):
    (data / "greeting.toml").write_text("[greeting\n", encoding="utf-8")
    out = io.StringIO()
    assert cmd_find("不知道", data, out=out) == 1
    assert "greeting.toml:1:" in out.getvalue()
