"""Spoken Chinese numerals -> Arabic digits, only where they are numbers.

``numeral_edits(text)`` looks at text that has no spaces or punctuation left between Chinese
characters and returns the replacements to make:

- digit strings read one by one (``二零二四`` -> ``2024``, ``幺三八`` -> ``138``, ``幺幺零`` -> ``110``),
  with 幺 = 1, 两 = 2 and 零/〇 = 0;
- quantities with 十/百/千/万/亿 (``一千八百`` -> ``1800``, ``十二万`` -> ``12万``, ``六万二千`` -> ``62000``),
  converted with cn2an;
- single numerals only before a date, time or money unit (``四月九日`` -> ``4月9日``,
  ``九点三十分`` -> ``9点30分``, ``五块钱`` -> ``5块钱``), and ``百分之五`` -> ``5%``.

Words whose numerals are not numbers stay as they are: ``一下``, ``统一``, ``十分`` (very),
``万一``, ``千万``, ``三十而立``, approximations such as ``五六遍`` or ``十几次``, ordinals (``第十二``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

DIGIT_VALUE = {
    "零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}
UNIT_CHARS = "十百千万亿"
_NUMERAL_CLASS = "零〇一幺二两三四五六七八九十百千万亿"
_RUN = re.compile(f"[{_NUMERAL_CLASS}]+")
_FRACTION = re.compile("([零〇一幺二两三四五六七八九]+)([万亿]?)")
_PERCENT = re.compile(f"百分之([{_NUMERAL_CLASS}]+)(?:点([零〇一幺二两三四五六七八九]+))?")

# Words in which numerals are not numbers. A numeral run is left alone when one of these covers it.
PROTECTED_WORDS: tuple[str, ...] = (
    "一下", "一些", "一直", "统一", "一审", "二审", "万一", "一个", "第一", "十分", "一定", "一起",
    "唯一", "一般", "一样", "三十而立", "一切", "一旦", "一边", "一律", "一致", "一向", "一再",
    "一同", "一番", "一口气", "一模一样", "一五一十", "一清二楚", "一干二净", "乱七八糟", "七七八八",
    "三三两两", "略知一二", "一一", "五一", "十一假期", "十一长假", "十一放假", "十一黄金周",
    "国庆十一", "千万", "万万", "千千万万", "百分百", "十足", "十全十美", "十字", "八九不离十",
    "三五成群", "三心二意", "四面八方", "五花八门", "一点点", "一点儿", "差一点", "有一点",
    "一会儿", "一阵", "七上八下", "一言为定", "二话不说", "不三不四", "五湖四海", "九九归一",
    "十之八九", "一心一意", "独一无二", "百分之百", "千方百计",
    "百姓", "老百姓", "成千上万", "万无一失", "二五眼",
    # a classifier after a number read digit by digit ends the digit string (…五六七八 两个工作日)
    "两个", "两天", "两次", "两年", "两位", "两人", "两种", "两份", "两遍", "一次", "一天", "一位", "一份", "一遍",
)


@lru_cache(maxsize=1)
def _protected_automaton():
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word in PROTECTED_WORDS:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Every (overlapping) occurrence of a protected word."""
    return [(end + 1 - n, end + 1) for end, n in _protected_automaton().iter(text)]

_APPROX_PAIRS = frozenset(
    {"一二", "二三", "三四", "四五", "五六", "六七", "七八", "八九", "一两", "两三"}
)
_APPROX_AFTER = frozenset("多几余来")
_SINGLE_UNITS = frozenset("月号日元岁%")
_DECIMAL_UNITS = frozenset("万亿元倍块%")
_TEN_UNITS = frozenset("月号日点岁元块")
_TIME_WORDS = ("上午", "下午", "早上", "晚上", "中午", "凌晨", "夜里", "傍晚", "今天", "明天", "后天",
               "昨天", "当天", "那天", "早", "晚", "到", "至", "从", "在", "约", "是", "前")
_AFTER_CLOCK = frozenset("半钟整前后左到至过多以之吧呢啊吗的了开")


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] by ``new``."""

    start: int
    """First character replaced (offset into the text given to ``numeral_edits``)."""
    end: int
    """One past the last character replaced."""
    new: str
    """Replacement text."""
    aligned: bool
    """True when ``new`` maps one to one onto the replaced characters."""


@lru_cache(maxsize=4096)
def _quantity(run: str) -> int | None:
    """Value of a numeral with units (``一千八百`` -> 1800), None if it is not a well-formed number."""
    import cn2an  # imported late: the import is slow and most texts have no quantity

    try:
        value = cn2an.cn2an(run, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return value


def _format_quantity(run: str, value: int) -> str:
    if run.endswith("亿") and value % 100_000_000 == 0:
        return f"{value // 100_000_000}亿"
    if run.endswith("万") and value % 10_000 == 0:
        return f"{value // 10_000}万"
    return str(value)


def _digits(run: str) -> str:
    return "".join(DIGIT_VALUE[c] for c in run)


def _is_numeral(ch: str) -> bool:
    return ch in DIGIT_VALUE or ch in UNIT_CHARS or ch.isdigit()


def _clock_context(text: str, start: int, dot: int) -> bool:
    """True when the numeral at text[start:dot] followed by 点 at ``dot`` reads as a time of day."""
    before = text[max(0, start - 2):start]
    if before and any(before.endswith(w) for w in _TIME_WORDS):
        return True
    after = text[dot + 1:dot + 2]
    if not after:
        return text[start:dot] not in ("一", "两")
    return after in _AFTER_CLOCK or _is_numeral(after)


def _minute_context(text: str, start: int) -> bool:
    """True when the numeral at ``start`` follows ``N点`` (so 分 means minutes)."""
    return start > 0 and text[start - 1] == "点" and start > 1 and _is_numeral(text[start - 2])


class _Spans:
    """Spans sorted by start, asked only about the ones near a position: the numeral scan stays linear in the
    text (a 5 MB turn has ~10⁵ numeral runs and as many protected words; asking all of them for each run was
    quadratic)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [a for a, _ in self.spans]
        self.longest = max((b - a for a, b in self.spans), default=0)

    def starting_in(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Spans with lo <= start <= hi, in order."""
        return self.spans[bisect_left(self.starts, lo):bisect_right(self.starts, hi)]

    def covering(self, start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in self.starting_in(end - self.longest, start))

    def overlapping(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in self.starting_in(start - self.longest, end - 1))


def _convert_run(text: str, start: int, end: int) -> Edit | None:
    """The edit for one maximal numeral run, or None to leave it."""
    run = text[start:end]
    prev = text[start - 1] if start else ""
    nxt = text[end] if end < len(text) else ""
    if not any(c in UNIT_CHARS for c in run):
        if len(run) >= 3:
            return Edit(start, end, _digits(run), True)
        if len(run) == 2:
            if run in _APPROX_PAIRS and nxt and nxt != "号" and not nxt.isdigit():
                return None
            if nxt == "点" and not _clock_context(text, start, end):
                return None
            return Edit(start, end, _digits(run), True)
        # a single numeral: only before a date, time or money unit, and not an ordinal (第二日)
        if prev == "第":
            return None
        if (nxt in _SINGLE_UNITS and run != "零") or (nxt == "块" and text[end + 1:end + 2] == "钱"):
            return Edit(start, end, _digits(run), True)
        if nxt == "点" and _clock_context(text, start, end):
            return Edit(start, end, _digits(run), True)
        if nxt == "分" and _minute_context(text, start):
            return Edit(start, end, _digits(run), True)
        return None
    # a quantity with units
    if not any(c in DIGIT_VALUE for c in run) and run != "十":
        return None  # 百, 千万 ... on their own are words
    if nxt in _APPROX_AFTER or prev in ("第", "几"):
        return None
    if run == "十" and nxt not in _TEN_UNITS and not _minute_context(text, start):
        return None
    if nxt == "分" and not _minute_context(text, start):
        return None
    if nxt == "点" and not _clock_context(text, start, end):
        return None
    value = _quantity(run)
    if value is None:
        return None
    return Edit(start, end, _format_quantity(run, value), False)


def numeral_edits(text: str) -> list[Edit]:
    """The replacements that turn spoken numerals in ``text`` into digits, in text order, not overlapping."""
    runs = list(_RUN.finditer(text))
    if not runs:
        return []
    protected = _Spans(_protected_spans(text))
    edits: list[Edit] = []
    done = 0  # text before this offset is already handled
    for m in _PERCENT.finditer(text):
        run = m.group(1)
        whole = _quantity(run) if any(c in UNIT_CHARS for c in run) else int(_digits(run))
        if whole is None:
            continue
        frac = f".{_digits(m.group(2))}" if m.group(2) else ""
        edits.append(Edit(m.start(), m.end(), f"{whole}{frac}%", False))
    percent_spans = _Spans([(e.start, e.end) for e in edits])
    k = 0
    while k < len(runs):
        start, end = runs[k].span()
        k += 1
        minute = _minute_context(text, start)  # 九点十分: 十分 is minutes here, not "very"
        if not minute:
            for a, b in protected.starting_in(start + 1, end - 1):  # 十二万一个 -> 十二万 + 一个
                # a word that ends the run ends a long number read digit by digit too (…二八四一 万一 有事 找我): not
                # after a quantity (三万一 is 31,000)
                ends_digits = b == end and a - start >= 7 and not any(c in UNIT_CHARS for c in text[start:a])
                if start < a < end and (end < b or ends_digits) and not (b < len(text) and _is_numeral(text[b])):
                    end = a  # but between two digit strings it is no word: 浙零八八一直八四二号 (直 for 执)
        if start < done or percent_spans.overlapping(start, end):
            continue
        if not minute and protected.covering(start, end) and text[end:end + 1] != "号":
            continue  # a word such as 一下 or 五一; but 五一号 is a case serial
        # a decimal before a money or multiplier unit: 二点五万 -> 2.5万
        if text[end:end + 1] == "点" and k < len(runs) and runs[k].start() == end + 1:
            frac = _FRACTION.fullmatch(runs[k].group())
            fend = runs[k].end()
            if frac and (frac.group(2) or text[fend:fend + 1] in _DECIMAL_UNITS):
                run = text[start:end]
                whole = _quantity(run) if any(c in UNIT_CHARS for c in run) else int(_digits(run))
                if whole is not None:
                    edits.append(Edit(start, fend, f"{whole}.{_digits(frac.group(1))}{frac.group(2)}", False))
                    done = fend
                    k += 1
                    continue
        edit = _convert_run(text, start, end)
        if edit is not None:
            edits.append(edit)
            done = end
    edits.sort(key=lambda e: e.start)
    return edits
