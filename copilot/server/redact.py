"""Masking of personal numbers in listings and exports: ID-card numbers, mobile and landline phones.

ID cards (18 characters, 17 digits and a digit or X) keep their region code and last four characters;
mobile numbers keep the first three and last four digits; other runs of 7–12 digits (landlines) keep
the last four. Shorter numbers (case numbers, years, the 12368 hotline) are left alone.
"""

from __future__ import annotations

import re
from typing import Any

_ID_CARD = re.compile(r"(?<![0-9])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])")
_OTHER = re.compile(r"(?<![0-9*])(?:0\d{2,3}[- ]?)?\d{3,8}(\d{4})(?![0-9])")


def redact_text(text: str) -> str:
    """``text`` with ID-card and phone numbers masked by ``*``."""
    text = _ID_CARD.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)

    def other(m: re.Match[str]) -> str:
        digits = sum(c.isdigit() for c in m.group(0))
        if digits < 7 or digits > 12:
            return m.group(0)
        return "*" * (len(m.group(0)) - 4) + m.group(1)

    return _OTHER.sub(other, text)


def redact(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists, tuples) redacted; other values unchanged."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value
