"""Table tests of the text normaliser on clean, ASR-style and Whisper-style text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.text import Normalized, TextError, normalize

DEV = Path(__file__).resolve().parents[1] / "data" / "dev"
WU = {"侬": "你", "晓得": "知道", "勿": "不", "伐": "吗", "辰光": "时间", "困觉": "睡觉", "明朝": "明天"}


@pytest.mark.parametrize(
    ("raw", "canon"),
    [
        # greeting: clean, ASR with 幺 and with 一, Whisper (traditional, ASCII punctuation)
        ("您好！12368！请问有什么可以帮助您？", "您好12368请问有什么可以帮助您"),
        ("您好 幺二三六八 请问 有 什么 可以 帮助 您", "您好12368请问有什么可以帮助您"),
        ("您好 一二三六八 请问 有 什么 可以 帮 您", "您好12368请问有什么可以帮您"),
        ("您好12368,請問有什麼可以幫助您?", "您好12368请问有什么可以帮助您"),
        # case numbers read digit by digit
        ("案号是（2024）浙0503民初1288号。", "案号是2024浙0503民初1288号"),
        ("按号 是 二零二四 浙 零五零三 名初 一二八八 号", "按号是2024浙0503名初1288号"),
        ("二〇二三 年 得 五六七八号", "2023年得5678号"),
        ("行初 四五 号", "行初45号"),
        ("破 一二 号", "破12号"),
        # phones read in groups, with 幺
        ("幺三九 零五七二 三三幺八", "13905723318"),
        ("一三八 一九二七 四零五三", "13819274053"),
        ("13905723318。", "13905723318"),
        # hotlines
        ("拨打 幺幺零 报警", "拨打110报警"),
        ("拨打 一二三四八 公共 法律 服务 热线", "拨打12348公共法律服务热线"),
        # amounts
        ("受理费 是 一千八百元", "受理费是1800元"),
        ("欠 我 十二万 货款", "欠我12万货款"),
        ("货款 六万二千块", "货款62000块"),
        ("标的额 一万八千元", "标的额18000元"),
        ("借 了 五万块钱", "借了5万块钱"),
        ("保全费 是 两千零二十元", "保全费是2020元"),
        ("五块钱", "5块钱"),
        ("按 百分之二点五 交纳", "按2.5%交纳"),
        ("大概 二点五万", "大概2.5万"),
        ("80,000元", "80000元"),
        # dates and times
        ("四月 九日 上午", "4月9日上午"),
        ("四月 九号 上午", "4月9号上午"),
        ("九点三十分 开庭", "9点30分开庭"),
        ("九点十分", "9点10分"),
        ("当天 九点 前 到", "当天9点前到"),
        ("早上 八点半", "早上8点半"),
        ("下午 两点 三十", "下午2点30"),
        ("下午 一点", "下午1点"),
        ("去年 十一月 二十日", "去年11月20日"),
        ("今年 八十六岁 了", "今年86岁了"),
        ("宋市 路 一百二十八号", "宋市路128号"),
        ("十五日 内", "15日内"),
        # width and spacing
        ("ＡＢＣ１２３", "ABC123"),
        ("iPhone 15 坏 了", "iPhone 15坏了"),
        ("138 1234 5678", "138 1234 5678"),
        ("12333，12348", "12333 12348"),
        ("上午9.30分", "上午9.30分"),
        ("0572-2221234", "0572-2221234"),
        ("“请您不要挂机……”", "请您不要挂机"),
        ("", ""),
    ],
)
def test_canonical_text(raw: str, canon: str) -> None:
    assert normalize(raw).text == canon


@pytest.mark.parametrize(
    "word",
    [
        "一下", "一些", "一直", "统一", "一审", "二审", "万一", "一个", "第一", "十分感谢", "一定", "一起",
        "唯一", "一般", "一样", "三十而立", "千万不要", "五一放假", "十一假期", "快一点", "有两点意见",
        "打了五六遍", "三四天", "十几次", "七十多了", "几十万", "第十二", "第二日起", "二十分钟",
        "一两天", "乱七八糟", "三三两两", "略知一二", "一五一十", "一块去", "礼拜二开庭", "两个工作日",
        "一千多元", "三天", "一一对应", "零钱",
    ],
)
def test_words_that_are_not_numbers_stay(word: str) -> None:
    assert normalize(word).text == word


@pytest.mark.parametrize(
    ("raw", "canon"),
    [
        ("好的,請問您是按鍵的當事人嗎?", "好的请问您是按键的当事人吗"),
        ("麻煩您報一下案號和您的姓名。", "麻烦您报一下案号和您的姓名"),
        ("了我五萬塊錢", "了我5万块钱"),
        ("北路五十六號,他", "北路56号他"),
    ],
)
def test_traditional_to_simplified(raw: str, canon: str) -> None:
    assert normalize(raw).text == canon


def test_keep_punct_keeps_punctuation_but_drops_spaces() -> None:
    n = normalize("您好！ 12368！ 请问 有 什么 可以 帮助 您？", keep_punct=True)
    assert n.text == "您好！12368！请问有什么可以帮助您？"


@pytest.mark.parametrize(
    ("raw", "canon", "found"),
    [
        ("侬 晓得 伐", "你知道吗", (("侬", "你"), ("晓得", "知道"), ("伐", "吗"))),
        ("明朝 辰光 勿 够", "明天时间不够", (("明朝", "明天"), ("辰光", "时间"), ("勿", "不"))),
        ("我 要 困觉 了", "我要睡觉了", (("困觉", "睡觉"),)),
        ("今天 天气 好", "今天天气好", ()),
    ],
)
def test_dialect_replacement(raw: str, canon: str, found: tuple) -> None:
    n = normalize(raw, dialect=WU)
    assert n.text == canon
    assert n.dialect == found


def test_dialect_longest_match_first_and_source_span() -> None:
    n = normalize("侬 晓得 伐", dialect={"晓": "X", "晓得": "知道", "侬": "你", "伐": "吗"})
    assert n.text == "你知道吗"
    i = n.text.index("知道")
    assert n.source_text(i, i + 2) == "晓得"
    assert n.source_text(i + 1, i + 2) == "晓得"  # part of a replacement maps to all of it


def test_index_maps_numbers_back_to_what_was_said() -> None:
    n = normalize("按号 是 二零二四 浙 零五零三 名初 一二八八 号")
    i = n.text.index("1288")
    assert n.source_text(i, i + 4) == "一二八八"
    assert n.source_text(i, i + 5) == "一二八八 号"
    j = n.text.index("2024")
    assert n.source_text(j + 1, j + 2) == "零"
    m = normalize("欠 我 十二万 货款")
    k = m.text.index("12万")
    assert m.source_text(k, k + 3) == "十二万"
    assert n.source_span(0, 0) == (0, 0)
    assert n.index[-1] == len(n.source)


def test_index_through_traditional_and_punctuation() -> None:
    n = normalize("好的,請問您是按鍵的當事人嗎?")
    i = n.text.index("请问")
    assert n.source_text(i, i + 2) == "請問"
    assert n.source_text(0, len(n.text)) == "好的,請問您是按鍵的當事人嗎"


def _dev_turns() -> list[str]:
    texts = []
    for copy in ("calls", "asr", "whisper"):
        for path in sorted((DEV / copy).glob("*.json")):
            texts.extend(t["text"] for t in json.loads(path.read_text(encoding="utf-8"))["turns"])
    return texts


def test_index_invariants_on_every_dev_sample_turn() -> None:
    texts = _dev_turns()
    assert len(texts) > 300, f"dev sample missing or incomplete at {DEV}"
    for raw in texts:
        n = normalize(raw, dialect=WU)
        assert len(n.index) == len(n.text) + 1 and len(n.ends) == len(n.text)
        assert n.index[-1] == len(raw)
        assert list(n.index) == sorted(n.index), raw
        for i, ch in enumerate(n.text):
            said = n.source_text(i, i + 1)
            assert said, (raw, i)
            if ch.isascii() and ch.isalnum() and said.isascii():
                assert said == ch, (raw, i)


@pytest.mark.parametrize("bad", [None, 12, b"bytes"])
def test_non_text_is_a_typed_error(bad) -> None:
    with pytest.raises(TextError) as err:
        normalize(bad)
    assert "normalize(text)" in str(err.value)


def test_bad_dialect_and_bad_span_are_typed_errors() -> None:
    with pytest.raises(TextError, match="dialect"):
        normalize("侬好", dialect={"": "你"})
    with pytest.raises(TextError, match="dialect"):
        normalize("侬好", dialect=["侬"])  # type: ignore[arg-type]
    n = normalize("您好")
    assert isinstance(n, Normalized)
    with pytest.raises(TextError, match="source_span"):
        n.source_span(1, 5)


def test_keys_near_keep_the_initial_of_the_one_syllable_asr_changed():
    from copilot.analysis.keys import KeySet

    near = KeySet(["联系不上", "没人接", "留言"], near=True)
    assert near.find("电话没人见,连续不上") is not None  # lian xu ~ lian xi, jian ~ jie
    assert near.find("他联系上了") is None
    assert near.find("没人来") is None  # l ≠ j: another word, not a mishearing
    assert near.find("连续不断") is None  # two syllables differ
    assert near.find("留颜") is not None and near.find("流年") is None  # two syllables: exact homophones only
    assert KeySet(["联系不上"]).find("连续不上") is None  # off unless asked for


def test_results_are_kept_per_text_dialect_and_mode_never_mixed():
    from copilot.text import normalize as norm

    said = "侬好，我想问问"
    plain = norm(said)
    assert norm(said) == plain and "侬" in plain.text
    mapped = norm(said, dialect={"侬": "你"})
    assert mapped.text.startswith("你好") and mapped.dialect == (("侬", "你"),)
    assert norm(said, dialect={"侬": "您"}).text.startswith("您好")  # another map, another result
    assert norm(said, keep_punct=True).text == "侬好，我想问问"
    assert norm(said).text == plain.text  # the plain reading is unchanged by the others
    long = "一" * 3000  # long texts are not kept, and still normalised
    assert norm(long).source == long
