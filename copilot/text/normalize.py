"""The text normaliser: one canonical form for clean transcripts, ASR output and Whisper output.

Steps, in order, each keeping a map from every output character back to the source:

1. full-width ASCII letters, digits and ``％`` -> half-width; every kind of blank -> a space;
2. traditional -> simplified Chinese (OpenCC ``t2s``);
3. spaces dropped, except one between two Latin/digit tokens; punctuation dropped unless
   ``keep_punct`` (``.``, ``:``, ``-``, ``/`` between digits and ``%`` after a digit are kept;
   a thousands comma is dropped);
4. Wu dialect forms -> Mandarin (longest match first), recorded in ``Normalized.dialect``;
5. spoken Chinese numerals -> Arabic digits where they are numbers (see ``copilot.text.numerals``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from asr.chinese import t2s
from copilot.text.errors import TextError
from copilot.text.numerals import numeral_edits

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Normalized:
    """Canonical text plus the way back to what was said."""

    text: str
    """Canonical text."""
    source: str
    """The original text."""
    index: tuple[int, ...]
    """``len(text) + 1`` offsets into ``source``: ``index[i]`` is where the source stretch that produced
    ``text[i]`` starts; the last entry is ``len(source)``."""
    dialect: tuple[tuple[str, str], ...] = ()
    """(dialect form as said, Mandarin meaning) for each replacement, in text order."""
    ends: tuple[int, ...] = ()
    """``len(text)`` offsets into ``source``: where the stretch that produced ``text[i]`` ends (exclusive)."""

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` that produced ``text[start:end]``."""
        n = len(self.text)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= n):
            raise TextError(f"span {start!r}..{end!r} is not within 0..{n}", where="Normalized.source_span")
        if start == end:
            return self.index[start], self.index[start]
        stop = self.ends[end - 1] if self.ends else self.index[end]
        return self.index[start], stop

    def source_text(self, start: int, end: int) -> str:
        """What was actually said for ``text[start:end]``."""
        a, b = self.source_span(start, end)
        return self.source[a:b]


_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)}
_WIDTH.update({0xFF21 + i: 0x41 + i for i in range(26)})
_WIDTH.update({0xFF41 + i: 0x61 + i for i in range(26)})
_WIDTH.update({0xFF05: ord("%"), 0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20,
               0x200B: 0x20, 0x09: 0x20, 0x0A: 0x20, 0x0D: 0x20})

_SPACE, _PUNCT, _DIGIT, _LATIN, _OTHER = range(5)
_KIND: dict[str, int] = {}
_BETWEEN_DIGITS = frozenset(".:-/")


def _kind(ch: str) -> int:
    k = _KIND.get(ch)
    if k is None:
        if ch.isspace():
            k = _SPACE
        elif "0" <= ch <= "9":
            k = _DIGIT
        elif ch.isascii() and ch.isalpha():
            k = _LATIN
        elif unicodedata.category(ch)[0] in "PS":
            k = _PUNCT
        else:
            k = _OTHER
        _KIND[ch] = k
    return k


@lru_cache(maxsize=32)
def _dialect_pattern(items: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    for form, meaning in items:
        if not isinstance(form, str) or not isinstance(meaning, str) or not form:
            raise TextError(f"entry {form!r} -> {meaning!r} must map a non-empty string to a string",
                            where="normalize(dialect=...)")
    if not items:
        return None
    forms = sorted({f for f, _ in items}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms)))


def _to_simplified(text: str) -> str:
    if text.isascii():
        return text
    conv = t2s()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # a phrase rule changed the length: convert char by char so the index stays one to one
    log.debug("t2s changed the length of %r; converting per character", text)
    chars = [conv.convert(c) for c in text]
    return "".join(c if len(c) == 1 else o for c, o in zip(chars, text, strict=True))


def _strip(text: str, keep_punct: bool) -> tuple[list[str], list[int], list[int]]:
    """Drop spaces and (unless ``keep_punct``) punctuation; return chars with source starts and ends."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    gap = -1  # offset of a dropped space/separator since the last kept char, -1 if none
    n = len(text)
    for i, ch in enumerate(text):
        k = _kind(ch)
        if k == _SPACE:
            if gap < 0:
                gap = i
            continue
        if k == _PUNCT:
            prev_digit = bool(chars) and _kind(chars[-1]) == _DIGIT and gap < 0
            next_digit = i + 1 < n and _kind(text[i + 1]) == _DIGIT
            if keep_punct:
                pass
            elif ch in _BETWEEN_DIGITS and prev_digit and next_digit:
                pass
            elif ch == "%" and prev_digit:
                pass
            elif ch == "," and prev_digit and next_digit and re.match(r"\d{3}(?!\d)", text[i + 1:i + 5]):
                continue  # thousands separator: 80,000 -> 80000
            else:
                if gap < 0:
                    gap = i  # punctuation separates tokens as a space would
                continue
        if gap >= 0 and chars and k in (_DIGIT, _LATIN) and _kind(chars[-1]) in (_DIGIT, _LATIN):
            chars.append(" ")
            starts.append(gap)
            ends.append(gap + 1)
        gap = -1
        chars.append(ch)
        starts.append(i)
        ends.append(i + 1)
    return chars, starts, ends


def _apply(text: str, starts: list[int], ends: list[int], edits) -> tuple[str, list[int], list[int]]:
    """Apply non-overlapping, ordered edits (objects with start, end, new, aligned) and carry the offsets."""
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for e in edits:
        out.append(text[pos:e.start])
        new_starts.extend(starts[pos:e.start])
        new_ends.extend(ends[pos:e.start])
        out.append(e.new)
        if e.aligned and len(e.new) == e.end - e.start:
            new_starts.extend(starts[e.start:e.end])
            new_ends.extend(ends[e.start:e.end])
        else:
            a, b = starts[e.start], ends[e.end - 1]
            new_starts.extend([a] * len(e.new))
            new_ends.extend([b] * len(e.new))
        pos = e.end
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends


@dataclass(frozen=True)
class _DialectEdit:
    start: int
    end: int
    new: str
    aligned: bool


NORMALIZED_CACHE = 4096
"""Results kept without a dialect map (texts up to ``CACHED_CHARS`` long): the agent's scripted wording (greetings,
closings, the standard answers) recurs in call after call, and a turn is read again with its pauses kept. With a
dialect map (a caller's turn, training texts) nothing is kept: building a key from the map cost more than it saved."""
CACHED_CHARS = 2000
_normalized: dict[tuple[str, tuple[()], bool], Normalized] = {}


def normalize(text: str, *, dialect: Mapping[str, str] | None = None, keep_punct: bool = False) -> Normalized:
    """Canonical form of ``text`` (see the module docstring), with a map back to ``text``."""
    if not isinstance(text, str):
        raise TextError(f"expected a str, got {type(text).__name__}", where="normalize(text)")
    if dialect is not None and not isinstance(dialect, Mapping):
        raise TextError(f"expected a mapping, got {type(dialect).__name__}", where="normalize(dialect)")
    if dialect or len(text) > CACHED_CHARS:  # a caller's words with the dialect map are read once per turn anyway
        return _normalize(text, dialect, keep_punct)
    key = (text, (), keep_punct)
    got = _normalized.get(key)
    if got is None:
        got = _normalize(text, dialect, keep_punct)
        if len(_normalized) >= NORMALIZED_CACHE:
            _normalized.clear()
        _normalized[key] = got
    return got


def _normalize(text: str, dialect: Mapping[str, str] | None, keep_punct: bool) -> Normalized:
    folded = _to_simplified(text.translate(_WIDTH))
    chars, starts, ends = _strip(folded, keep_punct)
    canon = "".join(chars)
    found: list[tuple[str, str]] = []
    if dialect:
        pattern = _dialect_pattern(tuple(dialect.items()))
        if pattern is not None:
            edits = []
            for m in pattern.finditer(canon):
                new = dialect[m.group()]
                found.append((m.group(), new))
                edits.append(_DialectEdit(m.start(), m.end(), new, False))
            if edits:
                canon, starts, ends = _apply(canon, starts, ends, edits)
    edits = numeral_edits(canon)
    if edits:
        canon, starts, ends = _apply(canon, starts, ends, edits)
    return Normalized(
        text=canon,
        source=text,
        index=(*starts, len(text)),
        dialect=tuple(found),
        ends=tuple(ends),
    )
