"""Canonical text for matching (normaliser) and extraction of case numbers and phone numbers."""

from copilot.text.errors import TextError
from copilot.text.normalize import Normalized, normalize
from copilot.text.numbers import CaseNumberHit, PhoneHit, find_case_numbers, find_phones, pick_best

__all__ = [
    "CaseNumberHit",
    "Normalized",
    "PhoneHit",
    "TextError",
    "find_case_numbers",
    "find_phones",
    "normalize",
    "pick_best",
]
