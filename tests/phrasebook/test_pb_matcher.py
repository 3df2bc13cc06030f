"""Table tests for the matcher on clean and ASR-style text, and its homophone properties."""

from __future__ import annotations

from functools import cache

import pytest
from pb_helpers import DEV

from phrasebook import FuzzyConfig, Hit, Matcher, find_all
from phrasebook.pinyin import _table, loosen, syllable, syllables


@cache
def _homophones() -> dict[str, list[str]]:
    """Toneless reading → characters with that default reading, common ones (the dev set's) first."""
    common: list[str] = []
    for path in sorted(DEV.glob("calls/*.json")):
        common.extend(c for c in path.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fa5")
    pool = list(dict.fromkeys(common)) + [chr(c) for c in range(0x4E00, 0x9FA6) if c in _table()]
    by_reading: dict[str, list[str]] = {}
    for ch in dict.fromkeys(pool):
        by_reading.setdefault(syllable(ch), []).append(ch)
    return by_reading


def homophone(ch: str) -> str:
    """Another character with exactly the same toneless default reading."""
    for other in _homophones().get(syllable(ch), []):
        if other != ch:
            return other
    return ""


def _matcher(*phrases: str, pid: str = "P") -> Matcher:
    return Matcher.from_phrases([(pid, p) for p in phrases])


# -- exact hits -----------------------------------------------------------------------------


def test_exact_hit_has_span_and_full_confidence():
    hits = _matcher("不归我们管").find("这个不归我们管的")
    assert hits == [Hit("P", "不归我们管", 2, 7, "不归我们管", 1.0, "exact")]


def test_overlapping_variants_of_one_id_keep_the_longest():
    hits = _matcher("不知道", "我不知道").find("这个我不知道啊")
    assert [(h.phrase, h.start, h.end) for h in hits] == [("我不知道", 2, 6)]


def test_different_ids_are_all_reported():
    m = Matcher.from_phrases([("A", "不知道"), ("B", "知道")])
    assert {h.phrase_id for h in m.find("我不知道")} == {"A", "B"}


def test_empty_inputs():
    assert _matcher("不知道").find("") == []
    assert Matcher.from_phrases([]).find("不知道") == []


# -- homophone (pinyin) and fuzzy hits --------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "text", "span"),
    [
        ("不归我们管", "这不规我们管等案子到了法院再说", (1, 6)),  # 归→规
        ("不知道", "具体多久我布知道", (5, 8)),  # 不→布
        ("不清楚", "这个不清处系统里没显示", (2, 5)),  # 楚→处
        ("不是告诉你了吗", "不是告诉你了嘛", (0, 7)),  # 吗→嘛 (ASR)
        ("急什么", "集什么执行款发放是有流程的", (0, 3)),  # 急→集
        ("这是规定", "这事规定合同里写了哪里就得去哪里", (0, 4)),  # 是→事
        ("感谢您的来电", "感谢您的来店再见", (0, 6)),  # 电→店
        ("让您久等了", "让您九等了查到了", (0, 5)),  # 久→九
        ("我就这态度", "我就这太度您要是觉得不对", (0, 5)),  # 态→太
        ("没看我正忙着吗", "没看我正忙着嘛", (0, 7)),
        ("不知道", "不自到", (0, 3)),  # zhi/zi: loose initials
    ],
)
def test_homophones_are_found(phrase, text, span):
    hits = _matcher(phrase).find(text)
    assert [(h.start, h.end) for h in hits] == [span]
    assert hits[0].kind == "pinyin" and 0.5 < hits[0].confidence < 1.0
    assert hits[0].matched == text[span[0] : span[1]]


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("不清楚", "请问现在能听清楚吗"),
        ("不清楚", "好的那我清楚了"),
        ("不知道", "好的我知道了"),
        ("很荣幸为您服务", "很高兴为您服务请讲"),  # A.3 script, not the A.4 form
        ("我建议你", "我建议您直接网上立案"),  # 您 is the courteous form itself
        ("如果你不挂机我就无法帮你处理问题", "请您不要挂机我现在为您转接"),
        ("这不是我们的问题", "的确是我们的疏失给您造成困扰"),
        ("这不是我们管的", "这不是我们的问题"),
        ("有完没完", "有没有完成"),
        ("随便你", "随便您"),
        ("再见", "在建"),  # two characters: exact only
    ],
)
def test_courteous_look_alikes_are_not_found(phrase, text):
    assert _matcher(phrase).find(text) == []


def test_exact_only_when_fuzzy_is_off():
    assert _matcher("不归我们管").find("不规我们管", fuzzy=False) == []


def test_fuzzy_hit_overlapping_an_exact_hit_of_the_same_phrase_is_dropped():
    hits = _matcher("不知道").find("不知道布知道")
    assert [(h.kind, h.start) for h in hits] == [("exact", 0), ("pinyin", 3)]
    hits = _matcher("不知道").find("不知道")
    assert [h.kind for h in hits] == ["exact"]


def test_near_homophone_syllable_in_a_longer_phrase():
    # gao → kao is near (one letter), allowed once in a phrase of 4+ characters
    hits = _matcher("不是告诉你了吗").find("不是靠诉你了吗")
    assert len(hits) == 1 and hits[0].kind == "fuzzy" and 0.8 < hits[0].confidence < 1.0
    assert _matcher("不知道").find("不知淘") == []  # but not in a 3-character phrase


def test_one_dissimilar_character_in_a_long_phrase():
    phrase = "如果你不挂机我就无法帮你处理问题"
    text = "如果你不挂机我就无法帮你办理问题"  # 处→办, not a homophone
    hits = _matcher(phrase).find(text)
    assert len(hits) == 1 and hits[0].kind == "fuzzy" and hits[0].confidence > 0.85


def test_one_inserted_or_dropped_character_in_a_long_phrase():
    hits = _matcher("没看我正忙着吗").find("你没看我在正忙着吗")
    assert [(h.start, h.end, h.kind) for h in hits] == [(1, 9, "fuzzy")]
    hits = _matcher("没看我正忙着吗").find("你没看我正着吗")
    assert [(h.start, h.end, h.kind) for h in hits] == [(1, 7, "fuzzy")]


def test_digits_only_match_themselves():
    m = _matcher("您好12368请问有什么可以帮您")
    assert m.find("您好12369请问有什么可以帮您")  # one dissimilar in a long phrase
    assert _matcher("拨打110").find("拨打119") == []


def test_min_len_is_configurable():
    m = Matcher.from_phrases([("P", "不知道")], FuzzyConfig(min_len=4))
    assert m.find("布知道") == []


def test_pinyin_is_per_character_and_loose():
    assert syllables("中国", loose=False) == ["zhong", "guo"]
    assert syllables("知识", loose=True) == ["zi", "si"]
    assert loosen("ning") == "lin" and loosen("zhong") == "zong" and loosen("n") == "n"


def test_per_character_pinyin_agrees_with_pypinyin():
    from pypinyin import lazy_pinyin

    sample = "不归我们管急什么有完没完听不懂吗你问我我问谁还行了长重和得嗯绿女"
    assert syllables(sample, loose=False) == [lazy_pinyin(c)[0] for c in sample]


# -- properties over every banned phrase and every A.4 form --------------------------------


def _wording(pb):
    for b in pb.banned:
        for p in b.phrases:
            yield "banned", b.id, p
    for r in pb.replacements:
        for p in r.instead_of:
            yield "replacement", r.id, p


def test_every_phrase_is_found_inside_a_sentence(pb):
    for table, pid, phrase in _wording(pb):
        if table == "replacement" and pid == "R03":
            text = phrase + "您稍等"  # 嗯/啊 count only opening a turn
        else:
            text = "好的" + phrase + "这个情况"
        found = [(t, h) for t, h, _ in find_all(pb, text) if t == table and h.phrase_id == pid]
        assert found, (pid, phrase)
        assert any(text[h.start : h.end] == phrase or phrase in text[h.start : h.end] for _, h in found)


def test_every_phrase_is_found_with_one_homophone(pb):
    checked = 0
    for table, pid, phrase in _wording(pb):
        if len(phrase) < pb.matcher_config.min_len:
            continue
        for k, ch in enumerate(phrase):
            other = homophone(ch)
            if not other:
                continue
            garbled = phrase[:k] + other + phrase[k + 1 :]
            text = "好的" + garbled + "这个情况"
            hits = [h for t, h, _ in find_all(pb, text) if t == table and h.phrase_id == pid]
            assert hits, (pid, phrase, garbled)
            # the hit covers the garbled phrase, or is an exact hit of a shorter variant inside it
            assert any(h.start < 2 + len(phrase) and h.end > 2 for h in hits), (pid, garbled, hits)
            checked += 1
    assert checked > 300


def test_hits_are_kept_per_text_and_mode_and_each_caller_gets_its_own_list():
    m = Matcher.from_phrases([("J", "联系法官"), ("C", "承办法官")])
    fuzzy = m.find("我想连系法官")
    assert [h.phrase_id for h in fuzzy] == ["J"] and fuzzy[0].kind == "pinyin"
    assert m.find("我想连系法官", fuzzy=False) == []  # the exact-only reading is kept apart
    fuzzy.clear()
    assert [h.phrase_id for h in m.find("我想连系法官")] == ["J"]
