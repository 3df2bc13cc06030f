"""Character error rate for Mandarin ASR: strip punctuation and spaces, traditional→simplified, edit distance."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from asr.chinese import t2s


def normalize(text: str) -> str:
    """Keep letters and digits only (no punctuation, symbols or spaces), traditional→simplified, lower case."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N"))
    return t2s().convert(kept).lower()


def edit_distance(ref: str, hyp: str) -> int:
    """Levenshtein distance between two strings (substitutions, insertions, deletions cost 1)."""
    if len(ref) < len(hyp):
        ref, hyp = hyp, ref
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        cur = [i]
        for j, h in enumerate(hyp, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


@dataclass(frozen=True)
class CerResult:
    """Errors and reference length for one or more utterances."""

    errors: int
    ref_chars: int

    @property
    def cer(self) -> float:
        """errors / reference characters (0 when the reference is empty and the hypothesis too)."""
        return self.errors / self.ref_chars if self.ref_chars else float(self.errors > 0)

    def __add__(self, other: CerResult) -> CerResult:
        return CerResult(self.errors + other.errors, self.ref_chars + other.ref_chars)


DIGITS_AS_HAN = str.maketrans("0123456789〇幺", "零一二三四五六七八九零一")
"""Arabic digits (and 〇, 幺 as said in numbers) to the Han digit characters: scoring with numerals either way."""


def cer(reference: str, hypothesis: str, *, numerals_either_way: bool = False) -> CerResult:
    """Character errors of ``hypothesis`` against ``reference`` after :func:`normalize` on both.

    ``numerals_either_way``: digits written as Han characters on both sides first, so 「一三九六七二一」 and
    「1396721」 score the same. Whisper writes the same spoken number either way depending on its context
    (the same phone number as digits in one run, as characters in another), so a difference in numeral style
    is not a difference in what was heard. Digit by digit: 「五百」 and 「500」 still differ."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if numerals_either_way:
        ref, hyp = ref.translate(DIGITS_AS_HAN), hyp.translate(DIGITS_AS_HAN)
    return CerResult(edit_distance(ref, hyp), len(ref))
