"""Masking of personal numbers in listings and exports: ID-card numbers, mobile and landline phones.

A number is a run of digits as people write and say them: ASCII or full-width digits or Chinese numerals
(零〇一二三四五六七八九, 幺 = 1, 两 = 2), with single spaces or hyphens between them (``159 6820 3472``,
``159-6820-3472``, ``3305 0219 8001 0112 3X``), optionally after a country code (``+86``, ``0086``, ``86 ``), which
is kept. The run's digits decide what it is:

- ID card (18 characters, 17 digits and a digit or X; or the old 15 digits): keeps the region code (first six)
  and the last four characters;
- mobile (11 digits, 1[3-9]…, also after 86): keeps the first three and last four digits;
- other runs of 7–19 digits (landlines, bank cards): keep the last four.

Everything between the kept parts (digits and separators alike) becomes ``*``. Shorter numbers (case numbers,
years, the 12368 hotline) are left alone. Runs longer than 19 digits are split at their spaces and each part is
judged on its own (two phone numbers in a row).
"""

from __future__ import annotations

import re
from typing import Any

_DIGIT_VALUE = {**{c: c for c in "0123456789"}, **{chr(0xFF10 + i): str(i) for i in range(10)},
                "零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
                "六": "6", "七": "7", "八": "8", "九": "9"}
_D = "".join(_DIGIT_VALUE)
_RUN = re.compile(
    rf"(?:(?P<cc>(?:\+|(?<![{_D}.])00)86[ \-]?|(?<![{_D}.])86[ \-])|(?<![{_D}.*]))"
    rf"(?P<num>[{_D}](?:[ \u3000\-]?[{_D}]){{6,}}(?:[ \u3000\-]?[Xx])?)(?![{_D}Xx])")
_SEP = re.compile(r"[ \u3000]+")


def _mask(num: str) -> str:
    """One run (no country code) masked by its kind; unchanged when it is no personal number."""
    pos = [i for i, c in enumerate(num) if c in _DIGIT_VALUE or c in "Xx"]
    digits = "".join(_DIGIT_VALUE.get(num[i], "X") for i in pos)
    n = len(digits)
    if n > 19:  # several numbers written in a row: judge each space-separated part
        return "".join(part if _SEP.fullmatch(part) else _mask(part) for part in re.split(r"([ \u3000]+)", num))
    if "X" in digits[:-1]:
        return num
    if n == 18 or (n == 15 and digits.isdigit()):
        keep_head, keep_tail = 6, 4
    elif n == 11 and digits[0] == "1" and digits[1] in "3456789":
        keep_head, keep_tail = 3, 4
    elif n == 13 and digits.startswith("86") and digits[2] == "1" and digits[3] in "3456789":
        keep_head, keep_tail = 5, 4
    elif 7 <= n <= 19 and digits.isdigit():
        keep_head, keep_tail = 0, 4
    else:
        return num
    start = pos[keep_head - 1] + 1 if keep_head else 0
    end = pos[n - keep_tail]
    return num[:start] + "*" * (end - start) + num[end:]


def redact_text(text: str) -> str:
    """``text`` with ID-card and phone numbers masked by ``*``."""
    return _RUN.sub(lambda m: (m.group("cc") or "") + _mask(m.group("num")), text)


def redact(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists, tuples) redacted; other values unchanged."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value
