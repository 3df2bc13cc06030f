"""One analysed turn: the text as said, its canonical form, and helpers to find phrases in it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from asr.types import Word
from copilot.text import Normalized, normalize

FILLERS = set("喂嗯啊哦呃唉哎诶嘿哈")


@dataclass(frozen=True)
class TurnView:
    index: int
    speaker: str
    start: float
    end: float
    text: str
    """As said (or as the ASR wrote it)."""
    norm: Normalized
    """Canonical text: simplified, no spaces/punctuation, digits; dialect words mapped for callers."""
    has_content: bool = True
    """True when the turn holds more than fillers such as 喂/嗯/啊."""
    confidence: float = 1.0
    """The recogniser's estimate, 0..1 (1.0 for a transcript's turn)."""
    words: tuple[Word, ...] = ()
    """The recogniser's word times, when it gave them."""

    @property
    def plain(self) -> str:
        return self.norm.text

    @cached_property
    def breaks(self) -> frozenset[int]:
        """Positions ``i`` of ``plain`` with punctuation between ``plain[i - 1]`` and ``plain[i]`` in what was
        said (clause breaks; spaces between ASR words are not breaks)."""
        n = self.norm
        if not n.ends:
            return frozenset()
        return frozenset(i for i in range(1, len(n.text))
                         if any(unicodedata.category(c)[0] == "P" for c in n.source[n.ends[i - 1]:n.index[i]]))

    @property
    def is_agent(self) -> bool:
        return self.speaker == "agent"

    def said(self, start: int, end: int) -> str:
        """The original words behind a span of the canonical text."""
        return self.norm.source_text(start, end)


def make_turn(index: int, speaker: str, start: float, end: float, text: str,
              dialect: dict[str, str] | None, *, confidence: float = 1.0, words: tuple[Word, ...] = ()) -> TurnView:
    norm = normalize(text, dialect=dialect if speaker == "caller" else None)
    return TurnView(index, speaker, start, end, text, norm, any(ch not in FILLERS for ch in norm.text),
                    confidence, tuple(words))


def any_regex(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None
