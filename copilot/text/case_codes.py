"""Vocabularies of Chinese case numbers (案号) and homophone-tolerant lookup in them.

Type codes (类型代字) are those of the 2016 standard 《人民法院案件类型及其代字标准》
(phrasebook-sources.md §5c); court prefixes are the provincial abbreviations (高院 代字).
ASR writes homophones (名初 for 民初, 直 for 执, 这 for 浙), so lookups compare "fuzzy" pinyin:
pypinyin readings without tones, with the usual southern-Mandarin mergers z/zh, c/ch, s/sh,
n/l and -n/-ng (the fuzzy-pinyin options of Chinese input methods).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TYPE_CODES: tuple[str, ...] = (
    # in rough order of how often a 12368 caller reads them; used to break ties between homophones
    "民初", "执", "民终", "刑初", "执保", "刑终", "行初", "破", "执恢", "执异", "执复", "民特", "民督",
    "民申", "民再", "民破", "行终", "财保", "刑申", "行审", "民撤", "民监", "民抗", "民催", "民算", "民他",
    "民辖", "民辖终", "民辖监", "民特监", "民督监",
    "刑辖", "刑监", "刑抗", "刑再", "刑没", "刑核", "刑医", "刑医解", "刑医复", "刑医监", "刑止", "刑止调",
    "刑止核", "刑更", "刑更监", "刑更备", "刑他",
    "行辖", "行辖终", "行监", "行申", "行抗", "行再", "行审复", "行他", "行赔初", "行赔终", "行赔监", "行赔申",
    "行赔抗", "行赔再", "赔辖", "赔辖终",
    "法赔", "委赔", "委赔监", "委赔提", "委赔再", "赔他",
    "司救刑", "司救民", "司救行", "司救赔", "司救执", "司救访", "司救他",
    "认台", "认港", "认澳", "认复", "认他", "请台送", "请港送", "请澳送", "台请送", "港请送", "澳请送",
    "请台调", "请港调", "请澳调", "台请调", "港请调", "澳请调", "请移管", "助移管", "请移赃", "助移赃",
    "协外认", "协他", "协外送", "请外送", "协外调", "请外调", "请外移", "协外移", "请外引", "协外引",
    "司惩", "司惩复", "行保", "行保复", "证保",
    "执监", "执协", "执他",
    # pre-suit mediation and preservation (诉前调解 since 2019; not in the 2016 table, but on court papers)
    "民诉前调", "诉前调", "民诉前保", "诉前保",
)
_RANK = {code: i for i, code in enumerate(TYPE_CODES)}
_PREFIXES = frozenset(code[:n] for code in TYPE_CODES for n in range(2, len(code))) - frozenset(TYPE_CODES)
"""Proper beginnings of type codes that are not codes themselves (司救, 行赔, 刑医, 请台 …)."""

# 专门审判代字 (2018 amendment): one character before the type code, e.g. 知 for IP courts
SPECIAL_CODES = frozenset("知")

PROVINCES = frozenset("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼兵")
SUPREME = "最高法"

_FINAL_NG = ("iang", "uang", "ing", "eng", "ang")


def _fuzz(syllable: str) -> str:
    s = syllable
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(a):
            s = b + s[2:]
            break
    if s.startswith("n"):
        s = "l" + s[1:]
    if s.endswith(_FINAL_NG):
        s = s[:-1]
    return s


@lru_cache(maxsize=8192)
def readings(ch: str) -> frozenset[str]:
    """Fuzzy toneless pinyin readings of one character (the character itself if it has none)."""
    # pypinyin's per-character dictionary; importing it alone skips the slow phrase dictionary
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch)) if len(ch) == 1 else None
    if not raw:
        return frozenset((ch,))
    return frozenset(_fuzz(_toneless(r)) for r in raw.split(","))


def _toneless(syllable: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


def _sounds_like(a: str, b: str) -> bool:
    return len(a) == len(b) and all(x == y or readings(x) & readings(y) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class CodeMatch:
    """A resolved type code."""

    code: str
    """The canonical type code, e.g. ``民初``."""
    confidence: float
    """1.0 for an exact match, lower for a homophone or a near sound."""


@lru_cache(maxsize=4096)
def resolve_type_code(heard: str) -> CodeMatch | None:
    """The type code that ``heard`` is, or sounds like, or None."""
    if not heard:
        return None
    if heard in _RANK:
        return CodeMatch(heard, 1.0)
    if heard[0] in SPECIAL_CODES and heard[1:] in _RANK:
        return CodeMatch(heard, 1.0)
    best: tuple[int, int, str] | None = None
    for code in TYPE_CODES:
        if _sounds_like(heard, code):
            shared = sum(x == y for x, y in zip(heard, code, strict=True))
            key = (shared, -_RANK[code], code)
            if best is None or key > best:
                best = key
    if best is not None:
        return CodeMatch(best[2], 0.9 if best[0] else 0.8)
    if len(heard) < 2 or any(_sounds_like(heard, p) for p in _PREFIXES):
        # the first characters of longer codes (司救 of 司救民, 司救刑 …), or their sound (行陪 for 行赔), are a code said or
        # heard only in part: which one is unknown, and a near-sounding short code (司惩, 刑初) is a different kind of case
        return None
    # a near sound: every syllable but one sounds alike and the first one matches
    for code in TYPE_CODES:
        if len(code) == len(heard) and readings(heard[0]) & readings(code[0]):
            misses = sum(not (x == y or readings(x) & readings(y)) for x, y in zip(heard, code, strict=True))
            if misses <= 1 and len(code) >= 2:
                return CodeMatch(code, 0.6)
    return None


PARTIAL_CONFIDENCE = 0.7
"""Confidence of a type code's family beginning said as such (``partial_type_code``); 0.9 of it when only heard near."""


@lru_cache(maxsize=1024)
def partial_type_code(heard: str) -> CodeMatch | None:
    """The beginning of a family of type codes, said or heard as such (司救 of 司救民 / 司救刑 …, 行赔 of 行赔初 …: a
    court's text message or an older paper may print 「司救12号」; a recogniser writes 私救): kept as that beginning,
    at lower confidence. Which code of the family is meant is unknown, so none is put in its place — and no other
    code that sounds near it (司惩, 刑初: ``resolve_type_code``)."""
    if heard in _PREFIXES:
        return CodeMatch(heard, PARTIAL_CONFIDENCE)
    if len(heard) >= 2:
        alike = sorted(p for p in _PREFIXES if _sounds_like(heard, p))
        if len(alike) == 1:
            return CodeMatch(alike[0], PARTIAL_CONFIDENCE * 0.9)
    return None


@lru_cache(maxsize=1024)
def resolve_province(heard: str) -> tuple[str, float] | None:
    """The provincial court prefix that the character ``heard`` is or sounds like (unambiguously)."""
    if heard in PROVINCES:
        return heard, 1.0
    if len(heard) != 1 or not ("\u4e00" <= heard <= "\u9fff"):
        return None
    alike = [p for p in PROVINCES if readings(heard) & readings(p)]
    if len(alike) == 1:
        return alike[0], 0.9
    return None
