"""Case numbers (案号) and phone numbers in normalised text, robust to ASR garbles.

A case number is built as ``（收案年度）`` + 法院代字 + 类型代字 + 案件编号 + ``号``; the court code is
the provincial abbreviation (浙) plus 2 digits for an intermediate court (浙05) or 4 for a basic
court (浙0503). We anchor on a 4-digit year and read the parts in that order, accepting what ASR
does to them: no brackets, ``年`` after the year, a homophone for the province (这 for 浙) or none,
digit groups split by ``.`` or spaces (Whisper), a homophone type code (名初 for 民初), no ``号``.
Every hit is returned canonical: ``（2024）浙0503民初1288号``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from copilot.text.case_codes import PROVINCES, SUPREME, partial_type_code, resolve_province, resolve_type_code
from copilot.text.errors import TextError
from copilot.text.numerals import DIGIT_VALUE

DEFAULT_PROVINCE = "浙"
_OPEN = "（([【〔［"
_CLOSE = "）)]】〕］"
_SEPS = " .-·"
_YEAR = re.compile(r"(?<![0-9])(?:19[89]|20[0-9])[0-9]")
_YEAR_ANYWHERE = re.compile(r"(?=((?:19[89]|20[0-9])[0-9]))")
"""Every place a year may start, also right after other digits: ASR text loses the gap between two numbers said
one after the other (「是一二六零 二零二五 浙 零四八一 民初 一二六零 号」 → 12602025浙0481民初1260号)."""
_SHORT_YEAR = re.compile(r"(?<![0-9零〇一二三四五六七八九])([0-3][0-9]|[一二][二三])年")
"""A year said short, 「二四年，浙0482民初…号」 (2024): a case number's only when a province's court code follows. The
numerals keep 一二 / 二三 in Chinese (they read as approximations, 「二三年」 ≈ two or three years): before a court code
they are 2012 / 2023."""
_YAO = "要腰妖邀"
"""What a recogniser writes for 幺 (yao, the spoken 1 of phone numbers) when it does not make it a digit."""
_YEAR_FILLER = "的啊呃嗯哦吧呀嘛齁"
"""What a caller may say between a year and the court (「二五年的，浙…」, 「二五年啊，这0281…」)."""
_CHAIN = re.compile(r"\+?[0-9](?:[ .\-·]?[0-9])*")
_SUFFIX = re.compile(r"之[一二三四五六七八九十]+|之[0-9]+")
_ZERO_LIKE = "零〇令灵铃玲凌林里"
"""What ASR writes for a 零 it did not turn into a digit (浙零五零三 → 这里503: ling heard as li)."""


@dataclass(frozen=True)
class CaseNumberHit:
    """A case number found in text."""

    value: str
    """Canonical form, e.g. ``（2024）浙0503民初1288号``."""
    start: int
    """Offset of the first character in the searched text."""
    end: int
    """Offset one past the last character in the searched text."""
    confidence: float
    """0..1; lower when parts were guessed (homophones, missing province or 号)."""


@dataclass(frozen=True)
class PhoneHit:
    """A phone number found in text."""

    value: str
    """Digits only, e.g. ``13812345678`` or ``05722123456``."""
    start: int
    """Offset of the first digit in the searched text."""
    end: int
    """Offset one past the last digit in the searched text."""
    confidence: float
    """0..1; lower when the digits were split oddly or glued to other digits."""
    kind: str = "mobile"
    """``mobile`` or ``landline``."""


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _skip(text: str, i: int, chars: str) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _read_digits(text: str, i: int, limit: int, seps: str = _SEPS) -> tuple[str, int]:
    """Up to ``limit`` digits from ``i``, allowing one of ``seps`` between two digits."""
    digits = ""
    j = i
    while j < len(text) and len(digits) < limit:
        if text[j].isdigit() and text[j].isascii():
            digits += text[j]
            j += 1
        elif digits and text[j] in seps and j + 1 < len(text) and text[j + 1].isdigit():
            j += 1
        else:
            break
    return digits, j


MAX_SERIAL = 5
"""A case's serial has at most this many digits (a court's yearly count of one type: 民初12345号)."""


def unrepeated(serial: str) -> str:
    """A serial said twice in a row, which ASR text glues into one (「5530，5530号」 heard as 「五五三零 五五三零号」 →
    55305530): longer than any serial and made of one digit group twice → that group once. A serial of a plausible
    length is kept as said (1212 is a serial)."""
    half = len(serial) // 2
    if len(serial) > MAX_SERIAL and len(serial) % 2 == 0 and serial[:half] == serial[half:] and serial[0] != "0":
        return serial[:half]
    return serial


def _parse(text: str, ystart: int, yend: int, year: str = "") -> CaseNumberHit | None:
    """The case number whose year is text[ystart:yend] (``year``: the full year, when said short), or None."""
    year = year or text[ystart:yend]
    confidence = 1.0
    i = _skip(text, yend, _CLOSE + _SEPS)
    if text[i:i + 1] == "年":
        i = _skip(text, i + 1, _CLOSE + _SEPS)
        if text[i:i + 1] in _YEAR_FILLER:  # 「二五年的，浙0281民初…」, 「二五年啊，这0281…」
            i = _skip(text, i + 1, _CLOSE + _SEPS + "，,")
    province = None
    if text.startswith(SUPREME, i):
        province, i = SUPREME, i + len(SUPREME)
    elif i < len(text) and _is_cjk(text[i]):
        found = resolve_province(text[i])
        if found is None:
            # a word ASR put for the province (就0503): the digits and the type code that must follow
            # still pin the case number down
            if not re.match(r"[0-9]{4}(?![0-9])|[0-9]{2}(?![0-9])", text[i + 1:i + 6]):
                return None
            found = (DEFAULT_PROVINCE, 0.6)
        province, weight = found
        confidence *= weight
        i += 1
        if province == "浙" and text[i:i + 1] == "江":  # 浙江 said in full
            i += 1
    i = _skip(text, i, _SEPS)
    zero = ""
    if text[i:i + 1] in _ZERO_LIKE and re.match(r"[0-9]{3}(?![0-9])", text[i + 1:i + 5]):
        zero, i, confidence = "0", i + 1, confidence * 0.8
    court, i = _read_digits(text, i, 4)
    court = zero + court
    if i < len(text) and text[i].isdigit():
        return None  # too many digits for a court code
    if province is not None and not court and DIGIT_VALUE.get(text[i:i + 1], "0") != "0" and _is_cjk(text[i + 1:i + 2] or "0"):
        court, i = DIGIT_VALUE[text[i]], i + 1  # a lone numeral left in Chinese (「浙四民终」): read as a digit
    if province is not None and len(court) == 1 and court != "0":
        # an intermediate court's code said without its leading zero (浙4 for 浙04): every code of one digit is missing
        # it. Three digits are left alone: the lost zero may be any of them (104: 0104 or 1004)
        court, confidence = "0" + court, confidence * 0.8
    if province is None:
        if len(court) not in (2, 4):
            return None
        province = DEFAULT_PROVINCE
        confidence *= 0.75
    elif len(court) not in (0, 2, 4) or (court == "" and confidence < 1.0):
        return None
    if court and court[:2] == "00":
        return None
    i = _skip(text, i, _SEPS)
    j = i
    while j < len(text) and _is_cjk(text[j]) and j - i < 5:
        if text[j] in DIGIT_VALUE and text[j + 1:j + 2].isdigit():
            break  # the serial's first digit, left in Chinese (名初二188)
        j += 1
    heard = text[i:j]
    for tail in ("字第", "第", "字"):
        if heard.endswith(tail) and len(heard) > len(tail):
            heard = heard[: -len(tail)]
            break
    match = resolve_type_code(heard) or partial_type_code(heard)
    if match is None:
        return None
    confidence *= match.confidence
    j = _skip(text, j, _SEPS)
    lead = ""
    if text[j:j + 1] in DIGIT_VALUE and j + 1 < len(text) and text[j + 1].isdigit() and text[j + 1].isascii():
        lead, j = DIGIT_VALUE[text[j]], j + 1  # Whisper mixes numerals: 二188 for 2188
    serial, k = _read_digits(text, j, 12, "")
    dotted, k2 = _read_digits(text, j, 12, ".")
    if len(dotted) > len(serial) and len(dotted) <= MAX_SERIAL and text[k2:k2 + 1] == "号":
        serial, k = dotted, k2  # Whisper's dot inside a digit group (「民初8.65号」)
    serial = unrepeated(lead + serial) if serial else ""
    if not serial or (k < len(text) and text[k].isdigit()) or serial.startswith("0") or len(serial) > 8:
        return None
    if text[k:k + 1] == "-" and k + 1 < len(text) and text[k + 1].isdigit():
        upto, k2 = _read_digits(text, k + 1, 8, "")
        if int(upto) > int(serial):
            serial, k = f"{serial}-{upto}", k2
    if text[k:k + 1] == "号":
        k += 1
    else:
        confidence *= 0.9
    suffix = ""
    m = _SUFFIX.match(text, k)
    if m:
        suffix, k = m.group(), m.end()
    start = ystart - 1 if ystart and text[ystart - 1] in _OPEN else ystart
    value = f"（{year}）{province}{court}{match.code}{serial}号{suffix}"
    return CaseNumberHit(value, start, k, round(confidence, 3))


def find_case_numbers(text: str) -> list[CaseNumberHit]:
    """Every case number in ``text`` (normalised text preferred; raw clean text works too), in order."""
    if not isinstance(text, str):
        raise TextError(f"expected a str, got {type(text).__name__}", where="find_case_numbers(text)")
    hits: list[CaseNumberHit] = []
    for m in _YEAR_ANYWHERE.finditer(text):
        start, end = m.start(1), m.end(1)
        if hits and start < hits[-1].end:
            continue
        glued = start > 0 and text[start - 1].isdigit()
        if glued and not (text[end:end + 1] in PROVINCES or text[end:end + 1] == "年"):
            continue  # inside a longer number: a year only when the court's province (or 年) follows at once
        hit = _parse(text, start, end)
        if hit is not None:
            hits.append(hit)
    for m in _SHORT_YEAR.finditer(text):
        start, end = m.start(1), m.end(1)
        after = _skip(text, end + 1, _CLOSE + _SEPS)
        if text[after:after + 1] in _YEAR_FILLER:  # 「二五年的，浙…」
            after = _skip(text, after + 1, _CLOSE + _SEPS + "，,")
        if not text[after:after + 1] or resolve_province(text[after]) is None or any(h.start <= start < h.end for h in hits):
            continue
        hit = _parse(text, start, end, year="20" + "".join(DIGIT_VALUE.get(c, c) for c in m.group(1)))
        if hit is not None:
            hits.append(CaseNumberHit(hit.value, hit.start, hit.end, round(hit.confidence * 0.9, 3)))
    hits.sort(key=lambda h: h.start)
    return hits


def _phone_in(digits: str) -> tuple[str, str, float] | None:
    """(value, kind, confidence) when the digit string is one phone number."""
    if len(digits) == 13 and digits.startswith("86") and re.fullmatch(r"1[3-9][0-9]{9}", digits[2:]):
        return digits[2:], "mobile", 0.9
    if len(digits) == 11 and re.fullmatch(r"1[3-9][0-9]{9}", digits):
        return digits, "mobile", 1.0
    if re.fullmatch(r"0(?:10|2[0-9])[0-9]{8}|0[3-9][0-9]{2}[0-9]{7,8}", digits):
        return digits, "landline", 0.9
    return None


def find_phones(text: str) -> list[PhoneHit]:
    """Mobile numbers (11 digits, 1[3-9]…) and landlines with an area code in ``text``, in order.

    Digit groups split by spaces, ``-`` or ``.`` are joined (``138 1234 5678``); digits that belong
    to a case number, and short numbers such as 12368, are never phones.
    """
    if not isinstance(text, str):
        raise TextError(f"expected a str, got {type(text).__name__}", where="find_phones(text)")
    taken = [(h.start, h.end) for h in find_case_numbers(text)]
    hits: list[PhoneHit] = []
    for m in _CHAIN.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if (m.end() < len(text) and text[m.end()] in "号%") or (m.start() and text[m.start() - 1] == "第"):
            continue
        whole = re.sub(r"[^0-9]", "", m.group())
        if m.start() and text[m.start() - 1] in _YAO and len(whole) == 10 and whole[0] in "3456789":
            # 幺 heard as 要 (yao) before the other ten digits of a mobile (「手机要38，1947，3620」): ten digits
            # that start with 3–9 are no number on their own
            hits.append(PhoneHit("1" + whole, m.start() - 1, m.end(), 0.7, "mobile"))
            continue
        # tokens of the chain with their offsets; try each run of whole tokens
        tokens = [(t.start() + m.start(), t.group()) for t in re.finditer(r"[0-9]+", m.group())]
        seps_ok = len(tokens) == 1 or [len(t) for _, t in tokens] in ([3, 4, 4], [4, 7], [4, 8], [3, 8])
        def run_from(a: int, tokens: list[tuple[int, str]] = tokens) -> tuple[int, tuple[str, str, float]] | None:
            digits = ""
            for b in range(a, len(tokens)):
                digits += tokens[b][1]
                if len(digits) > 13:
                    return None
                got = _phone_in(digits)
                if got is not None:
                    return b, got
            return None

        a = 0
        while a < len(tokens):
            found = run_from(a)
            if found is not None and found[1][1] == "landline" and not (a == 0 and found[0] == len(tokens) - 1) \
                    and any((later := run_from(k)) is not None and later[1][1] == "mobile"
                            for k in range(a + 1, found[0] + 1)):
                found = None  # the end of one number and the start of a mobile (「是52，0652。139 0571 0652」)
            if found is None:
                tail = tokens[a][1][-11:]
                if len(tokens[a][1]) > 13 and a == len(tokens) - 1 and _phone_in(tail):
                    # ASR text loses the gaps between numbers said one after another (「最后是86，1286，137 7745
                    # 1286」): a mobile said last ends the run
                    end = tokens[a][0] + len(tokens[a][1])
                    hits.append(PhoneHit(tail, end - 11, end, 0.6, "mobile"))
                a += 1
                continue
            b, (value, kind, conf) = found
            if not (seps_ok and a == 0 and b == len(tokens) - 1):
                conf *= 0.8
            end = tokens[b][0] + len(tokens[b][1])
            hits.append(PhoneHit(value, tokens[a][0], end, round(conf, 3), kind))
            a = b + 1
    return hits


H = TypeVar("H", CaseNumberHit, PhoneHit)


def pick_best(hits: Sequence[H]) -> H | None:
    """The hit whose value has the largest total confidence (a number repeated back counts twice).

    Mobiles win over landlines; among equals the earliest value wins.
    """
    if not hits:
        return None
    total: dict[str, float] = defaultdict(float)
    first: dict[str, H] = {}
    for h in hits:
        total[h.value] += h.confidence
        first.setdefault(h.value, h)

    def key(value: str) -> tuple[bool, float]:
        return getattr(first[value], "kind", "mobile") == "mobile", total[value]

    return first[max(total, key=key)]
