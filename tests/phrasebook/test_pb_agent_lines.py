"""The agent's set lines as ASR mishears them (phrasebook.agent_lines): near-sound renderings of an inventory line
are written as the line; what the agent said in a non-standard way stays non-standard; nothing is added, so a
missing greeting stays missing; an ambiguous or distant stretch is left alone."""

from __future__ import annotations

import shutil

import pytest

from phrasebook import DATA_DIR, check_phrasebook
from phrasebook.agent_lines import correct, court_names, find_fixes, inventory, syllable_cost
from phrasebook.pinyin import syllable


@pytest.mark.parametrize(("heard", "said"), [
    ("喂湖州中原请讲", "喂湖州中院请讲"),          # a court's short name heard with a homophone (中原/中院)
    ("您好，吴星法院，请讲", "您好，吴兴法院，请讲"),  # punctuation and spacing of the heard text kept
    ("感谢您的来订，再见", "感谢您的来电，再见"),      # a closing: 电/订 share the initial d and differ in -n/-ng
    ("请问 还有 什么 可已 为您服务 的 吗", "请问 还有 什么 可以 为您服务 的 吗"),
    ("不好意思，请问现再能听清楚吗", "不好意思，请问现在能听清楚吗"),  # a script line (A.3)
    # a long line inside an unpunctuated clause (live text): 为民服务 is Whisper's set phrase for 为您服务
    ("明天不开庭应该在办公室请问还有什么可疑为民服务的吗", "明天不开庭应该在办公室请问还有什么可以为您服务的吗"),
])
def test_a_near_sound_rendering_of_a_line_is_written_as_the_line(pb, heard, said):
    assert correct(heard, pb) == said


def test_the_telephone_greeting_class(pb):
    """An opening said instead of the standard one (greeting.toml ``said_instead``: 喂 + the court's name + 请讲),
    heard at 8 kHz with 为 for 喂 and near sounds for the name and 请讲: written as said — still 喂, not 您好."""
    assert correct("为南行法院新疆", pb) == "喂南浔法院请讲"
    assert correct("为 南行法院 庆祥", pb) == "喂 南浔法院 请讲"


@pytest.mark.parametrize("text", [
    "你好12368请问有什么可以帮助您",   # 你好 for 您好: non-standard (A.4), kept — the greeting check reads it
    "你好，12368，请问有什么可以帮您？",
    "你好，长兴法院",
    "您好12368请问有什么可以帮助您",   # lines as written
    "喂，南浔法院，请讲。",
    "12368请问有什么可以帮助您",       # no 您好: nothing is added, the greeting stays missing
    "请问有什么可以帮您",
    "喂你好", "喂", "请讲", "再见",       # too short to be told from other speech
    "新疆那边的法院",                  # not near any line
    "我们这边查不到您的案子",
    "我们是为人民服务的单位有什么可以帮你",  # a line's words inside other speech, not near enough to any line
])
def test_what_was_said_stays(pb, text):
    assert correct(text, pb) == text


def test_a_non_standard_line_never_becomes_a_standard_one(pb):
    """For every non-standard variant of a line (A.4: 你 for 您), heard with one homophone elsewhere, the text is
    written as that variant or left alone — never as the standard line."""
    lines = inventory(pb)
    standard = {x.plain for x in lines if x.standard}
    checked = 0
    for line in lines:
        if line.standard or "你" not in line.plain:
            continue
        for i, ch in enumerate(line.plain):
            if ch in "你您" or not ("\u4e00" <= ch <= "\u9fff"):
                continue
            other = next((c for c in "为位未卫味伟委喂以已意义一衣医" if c != ch and syllable(c) == syllable(ch)), None)
            if other is None:
                continue
            heard = line.plain[:i] + other + line.plain[i + 1:]
            got = correct(heard, pb)
            assert got not in standard, (heard, got)
            assert got in (heard, line.plain), (heard, got)
            checked += 1
    assert checked >= 5


def test_an_ambiguous_stretch_is_left_alone(pb):
    """A sound as near to 您 as to 你 (乃: nai) where the standard greeting and its A.4 variant differ: the stretch is
    as near to the standard line as to the non-standard one, so neither is chosen (the margin)."""
    for heard in ("乃好12368请问有什么可以帮助您", "感谢乃的来电"):
        assert correct(heard, pb) == heard
        assert find_fixes(heard, pb) == []
    assert correct("拟好12368请问有什么可以帮助您", pb) == "你好12368请问有什么可以帮助您"  # 拟 = ni: 你, not 您


def test_sound_costs():
    assert syllable_cost("喂", "喂") == 0.0
    assert syllable_cost("为", "喂") == pytest.approx(0.1)    # homophone
    assert syllable_cost("新", "请") == pytest.approx(0.45)   # x/q (telephone) + -n/-ng
    assert syllable_cost("长", "南") > 0.5                    # unrelated enough to be no rendering
    assert syllable_cost("1", "一") == 1.0


def test_the_inventory_comes_from_the_phrasebook(pb):
    lines = {x.plain: x for x in inventory(pb)}
    assert lines["您好12368请问有什么可以帮助您"].standard
    assert not lines["你好12368请问有什么可以帮助您"].standard                 # A.4 variant
    for court in court_names(pb):
        assert not lines[f"喂{court}请讲"].standard                          # said_instead × the court's names
    assert "湖州中院" in court_names(pb) and "南浔法院" in court_names(pb)


def test_said_instead_is_validated_with_file_and_line(tmp_path):
    target = tmp_path / "pb"
    shutil.copytree(DATA_DIR, target)
    path = target / "greeting.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"喂{court}请讲"', '"喂，{court}，请讲"', 1), encoding="utf-8")
    errors = check_phrasebook(target)
    assert len(errors) == 1, [str(e) for e in errors]
    line = next(i + 1 for i, x in enumerate(path.read_text(encoding="utf-8").splitlines()) if "喂，{court}" in x)
    assert errors[0].line == line and "said_instead" in str(errors[0]) and "punctuation" in str(errors[0])
