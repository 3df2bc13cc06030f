"""How alike two Chinese names sound: toneless pinyin, initial and final compared apart, near sounds tolerated.

The ASR swaps same- and near-sounding characters in names (姚/杨, 黄/王, 胡/吴, 陆/路, 程/成, 孙/僧). A name
heard is therefore compared with a directory's name syllable by syllable, on the usual reading of each
character (pypinyin's first reading; a surname's own reading from ``SURNAME_READINGS``), as

    similarity = W_INITIAL × initial similarity + (1 − W_INITIAL) × final similarity

where the initial and final similarities come from data: equal → 1.0, a pair listed in ``NEAR_INITIALS`` /
``NEAR_FINALS`` (the sound confusions of Mandarin speakers and of the ASR: zh/z, n/l, h/f/∅, an/ang, …) → its
value, else for finals a share of their letter similarity (iao/iang), for initials 0. A name's similarity is
the mean over its syllables (aligned; names of different lengths compare the shorter with the end or the
start of the longer one as said), so one garbled character of a three-character name still scores about 0.9.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import Levenshtein

W_INITIAL = 0.4
NEAR_INITIALS: dict[frozenset[str], float] = {
    frozenset(p): v for p, v in (
        (("zh", "z"), 0.9), (("ch", "c"), 0.9), (("sh", "s"), 0.9),  # retroflex / dental (southern speech)
        (("n", "l"), 0.85), (("r", "l"), 0.7), (("r", "y"), 0.6),
        (("h", "f"), 0.75), (("h", ""), 0.7), (("f", ""), 0.5),  # 黄/王, 胡/吴, 胡/符
        (("zh", "j"), 0.5), (("ch", "q"), 0.5), (("sh", "x"), 0.5), (("z", "j"), 0.5), (("c", "q"), 0.5),
        (("s", "x"), 0.5),
        (("s", "c"), 0.5), (("s", "z"), 0.5), (("sh", "ch"), 0.5), (("sh", "zh"), 0.5),
        (("zh", "ch"), 0.6), (("z", "c"), 0.6), (("j", "q"), 0.6), (("b", "p"), 0.6), (("d", "t"), 0.6),
        (("g", "k"), 0.6), (("k", "h"), 0.5), (("g", "h"), 0.4), (("m", "n"), 0.4), (("b", "m"), 0.3),
    )}
"""Initials (strict pinyin; the zero initial is "") that are heard for each other, with how alike they are."""
NEAR_FINALS: dict[frozenset[str], float] = {
    frozenset(p): v for p, v in (
        (("an", "ang"), 0.9), (("en", "eng"), 0.9), (("in", "ing"), 0.9), (("ian", "iang"), 0.9),
        (("uan", "uang"), 0.9), (("uen", "ueng"), 0.9), (("eng", "ong"), 0.7), (("en", "in"), 0.6),
        (("ing", "eng"), 0.6), (("o", "uo"), 0.9), (("e", "o"), 0.7), (("i", "v"), 0.6), (("u", "v"), 0.6),
        (("ie", "ve"), 0.6), (("ian", "van"), 0.6), (("in", "vn"), 0.6), (("iao", "iang"), 0.6),
        (("ao", "ang"), 0.6), (("ou", "ong"), 0.6), (("ou", "u"), 0.6), (("ong", "u"), 0.5), (("uei", "ei"), 0.7),
    )}
"""Finals (strict pinyin, ü as v) that are heard for each other, with how alike they are."""
FINAL_LETTERS = 0.6
"""Finals not listed: this share of their letter similarity (normalised edit similarity)."""
SURNAME_READINGS = {"曾": "zēng", "单": "shàn", "解": "xiè", "仇": "qiú", "区": "ōu", "朴": "piáo", "查": "zhā",
                    "盖": "gě", "乐": "yuè", "覃": "qín", "尉": "yù", "繁": "pó", "种": "chóng", "缪": "miào",
                    "翟": "zhái", "召": "shào", "洗": "xiǎn", "员": "yùn", "隗": "wěi", "万": "wàn", "任": "rén",
                    "华": "huà", "费": "fèi", "秘": "bì", "长": "cháng", "重": "chóng", "大": "dà"}
"""Surnames read otherwise than the character's usual reading (曾 céng → zēng as a surname)."""


@lru_cache(maxsize=16384)
def syllable(ch: str, surname: bool = False) -> tuple[str, str] | None:
    """(initial, final) of a character's usual toneless reading, strict pinyin; None for a non-Han character."""
    from pypinyin.contrib.tone_convert import to_finals, to_initials
    from pypinyin.pinyin_dict import pinyin_dict

    raw = SURNAME_READINGS.get(ch) if surname else None
    if raw is None:
        entry = pinyin_dict.get(ord(ch)) if len(ch) == 1 else None
        if not entry:
            return None
        raw = entry.split(",")[0]
    return to_initials(raw, strict=True), to_finals(raw, strict=True).replace("ü", "v")


def _part(a: str, b: str, table: dict[frozenset[str], float], letters: float) -> float:
    if a == b:
        return 1.0
    near = table.get(frozenset((a, b)))
    if near is not None:
        return near
    return letters * Levenshtein.normalized_similarity(a, b) if letters and a and b else 0.0


@lru_cache(maxsize=65536)
def char_similarity(heard: str, name: str, surname: bool = False) -> float:
    """How alike one heard character sounds to one character of a name (1.0 the same character or reading)."""
    if heard == name:
        return 1.0
    return syllable_similarity(syllable(heard), syllable(name, surname))


def syllable_similarity(a: tuple[str, str] | None, b: tuple[str, str] | None) -> float:
    """How alike two (initial, final) syllables sound (``char_similarity`` of their characters)."""
    if a is None or b is None:
        return 0.0
    if a == b:
        return 1.0
    return (W_INITIAL * _part(a[0], b[0], NEAR_INITIALS, 0.0)
            + (1 - W_INITIAL) * _part(a[1], b[1], NEAR_FINALS, FINAL_LETTERS))


@lru_cache(maxsize=512)
def word_syllables(word: str) -> tuple[tuple[str, str] | None, ...]:
    """(initial, final) of each character of a word as the word is read (pypinyin's phrase readings: 乐清 is
    yuè qīng, not lè qīng), for place names whose characters are read otherwise than usual."""
    from pypinyin import Style, pinyin
    from pypinyin.contrib.tone_convert import to_finals, to_initials

    out: list[tuple[str, str] | None] = []
    for ch, (raw,) in zip(word, pinyin(word, style=Style.TONE, errors=lambda s: [[""] for _ in s]), strict=True):
        out.append((to_initials(raw, strict=True), to_finals(raw, strict=True).replace("ü", "v"))
                   if raw and "\u4e00" <= ch <= "\u9fff" else None)
    return tuple(out)


def word_similarity(heard: str, word: str) -> float:
    """Mean syllable similarity of heard characters to a word of the same length read as a word
    (``word_syllables``); 0 when the lengths differ."""
    if not heard or len(heard) != len(word):
        return 0.0
    return sum(1.0 if h == w else syllable_similarity(syllable(h), s)
               for h, w, s in zip(heard, word, word_syllables(word), strict=True)) / len(word)


def name_similarity(heard: str, name: str, *, surname_first: bool = True) -> float:
    """Mean syllable similarity of a heard name and a directory name of the same length (0 when lengths differ)."""
    if not heard or len(heard) != len(name):
        return 0.0
    return sum(char_similarity(h, n, surname_first and i == 0)
               for i, (h, n) in enumerate(zip(heard, name, strict=True))) / len(name)


def surname_similarity(heard: str, name: str) -> float:
    """The heard surname (one character) against a name's surname."""
    return char_similarity(heard[:1], name[:1], True) if heard and name else 0.0


def evidence(similarity: float, floor: float = 0.6) -> float:
    """A similarity as evidence: 0 at or below ``floor`` (unrelated syllables share letters by chance), 1 for the
    same sound, linear between."""
    return max(0.0, (similarity - floor) / (1.0 - floor))
