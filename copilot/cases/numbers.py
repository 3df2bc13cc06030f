"""Canonical case numbers and their parts (year, court code, type code, serial)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.text.case_codes import PROVINCES, SUPREME, resolve_type_code

_CANON = re.compile(r"^（(\d{4})）(最高法|[\u4e00-\u9fff]\d{0,4})(知?[\u4e00-\u9fff]{1,4}?)([1-9]\d{0,7})(?:-(\d+))?号(之.+)?$")
_BRACKETS = str.maketrans({"(": "（", ")": "）", "〔": "（", "〕": "）", "[": "（", "]": "）", "［": "（", "］": "）",
                           "【": "（", "】": "）"})


@dataclass(frozen=True)
class CaseKey:
    """The parts of one case number."""

    case_number: str
    year: int
    court: str
    """``浙0503``, ``浙05``, ``浙``, ``最高法``."""
    type_code: str
    serial: int

    @property
    def court_digits(self) -> str:
        return "".join(c for c in self.court if c.isdigit())

    @property
    def province(self) -> str:
        return SUPREME if self.court == SUPREME else self.court[:1]


def parse_case_number(text: str) -> CaseKey:
    """The parts of a written case number; raises ``ValueError`` with the reason.

    Half-width or other brackets and surrounding blanks are accepted; the value returned is canonical.
    """
    s = "".join(text.split()).translate(_BRACKETS)
    m = _CANON.match(s)
    if not m:
        raise ValueError(f"not a case number like （2024）浙0503民初4127号: {text!r}")
    year, court, code, serial, upto, _suffix = m.groups()
    if not 1980 <= int(year) <= 2099:
        raise ValueError(f"year {year} out of range in {text!r}")
    if court != SUPREME and court[0] not in PROVINCES:
        raise ValueError(f"unknown court code {court!r} in {text!r} (expected a province such as 浙 and 0, 2 or 4 digits)")
    if len(court) - 1 not in (0, 2, 4) and court != SUPREME:
        raise ValueError(f"court code {court!r} must have 0, 2 or 4 digits in {text!r}")
    match = resolve_type_code(code)
    if match is None or match.confidence < 1.0:
        raise ValueError(f"unknown case type code {code!r} in {text!r}")
    if upto is not None and int(upto) <= int(serial):
        raise ValueError(f"range {serial}-{upto} does not ascend in {text!r}")
    return CaseKey(s, int(year), court, match.code, int(serial))
