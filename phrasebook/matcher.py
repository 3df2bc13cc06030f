"""Find phrases in normalised text: exact hits through one Aho-Corasick automaton, then
homophone-robust hits through toneless pinyin.

The input text is already normalised by the caller (no spaces or punctuation, simplified
characters). A fuzzy hit needs the text to hold the phrase or a near-homophone of it:

* every syllable equal after loosening (zh/z, ch/c, sh/s, n/l, -ng/-n) → ``kind="pinyin"``;
* or a few syllables only *near* (rapidfuzz ratio ≥ ``near_syllable``, e.g. dao/tao), allowed in
  longer phrases only, with the joined pinyin still ≥ ``pinyin_ratio`` → ``kind="fuzzy"``;
* or, in long phrases, one dissimilar syllable (character ratio ≥ ``char_ratio``) or one syllable
  inserted/dropped → ``kind="fuzzy"``.

Candidates are found by diagonal voting over an inverted index of syllables, so ``find`` costs
about one dictionary lookup per character plus a check of the few phrases that share syllables.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import ahocorasick
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from .model import FuzzyConfig
from .pinyin import syllables

log = logging.getLogger(__name__)

HitKind = Literal["exact", "pinyin", "fuzzy"]
FIND_CACHE = 4096
"""Texts whose hits a matcher keeps."""


@dataclass(frozen=True)
class Hit:
    """One phrase found in a text."""

    phrase_id: str
    phrase: str
    """The phrase as written in the phrasebook."""
    start: int
    """Offset of the first character in the text."""
    end: int
    """Offset after the last character (``text[start:end] == matched``)."""
    matched: str
    """What the text says there."""
    confidence: float
    """1.0 for exact hits; below 1.0 for pinyin and fuzzy hits."""
    kind: HitKind


@dataclass(frozen=True)
class _Entry:
    pid: str
    text: str
    loose: tuple[str, ...]
    raw: tuple[str, ...]
    joined: str


class Matcher:
    """All phrases of one list, built once; ``find`` returns every hit in a text."""

    def __init__(self, phrases: Iterable[tuple[str, str]], config: FuzzyConfig | None = None) -> None:
        self.config = config or FuzzyConfig()
        pairs = list(dict.fromkeys((pid, text) for pid, text in phrases if text))
        self._entries: list[_Entry] = []
        self._automaton = ahocorasick.Automaton()
        by_text: dict[str, list[int]] = defaultdict(list)
        self._index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._distinct = {frozenset(p) for p in self.config.distinct}
        loose = self.config.loose_pinyin
        for idx, (pid, text) in enumerate(pairs):
            lo = tuple(syllables(text, loose=loose))
            raw = tuple(syllables(text, loose=False))
            self._entries.append(_Entry(pid, text, lo, raw, "".join(lo)))
            by_text[text].append(idx)
            if len(text) >= self.config.min_len:
                for pos, syl in enumerate(lo):
                    self._index[syl].append((idx, pos))
        # per entry, what ``_fuzzy`` asks of every vote (computed once here, not once per vote)
        cfg = self.config
        self._len = [len(e.text) for e in self._entries]
        self._same_need = [n - _max_near(n, cfg) for n in self._len]
        self._can_indel = [n >= cfg.indel_min_len for n in self._len]
        for text, idxs in by_text.items():
            self._automaton.add_word(text, tuple(idxs))
        if by_text:
            self._automaton.make_automaton()
        self._empty = not by_text

    @classmethod
    def from_phrases(cls, phrases: Iterable[tuple[str, str]], config: FuzzyConfig | None = None) -> Matcher:
        """Build a matcher from ``(phrase_id, phrase_text)`` pairs (ids may repeat for variants)."""
        return cls(phrases, config)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, text: str, *, fuzzy: bool = True) -> list[Hit]:
        """Every hit in ``text``, ordered by start; overlapping hits of one phrase id are merged (cached per
        text: a matcher is read-only once built, and scripted wording recurs in call after call)."""
        if self._empty or not text:
            return []
        cache = self.__dict__.setdefault("_found", {})
        found = cache.get((text, fuzzy))
        if found is None:
            if len(cache) >= FIND_CACHE:
                cache.clear()
            hits = self._exact(text)
            if fuzzy:
                hits.extend(self._fuzzy(text))
            found = cache[(text, fuzzy)] = _merge(hits)
        return list(found)

    def _exact(self, text: str) -> list[Hit]:
        out = []
        for last, idxs in self._automaton.iter(text):
            for idx in idxs:
                e = self._entries[idx]
                start = last - len(e.text) + 1
                out.append(Hit(e.pid, e.text, start, last + 1, e.text, 1.0, "exact"))
        return out

    def _fuzzy(self, text: str) -> list[Hit]:
        cfg = self.config
        syl = syllables(text, loose=cfg.loose_pinyin)
        votes: dict[tuple[int, int], int] = defaultdict(int)
        index = self._index
        for i, s in enumerate(syl):
            for idx, pos in index.get(s, ()):
                votes[(idx, i - pos)] += 1
        out: list[Hit] = []
        size = len(text)
        lens, same_need, indel = self._len, self._same_need, self._can_indel
        for (idx, d), v in votes.items():
            if d < 0:  # both kinds of hit start inside the text
                continue
            n = lens[idx]
            if v >= same_need[idx] and d >= 0 and d + n <= size:
                hit = self._same_length(text, syl, self._entries[idx], d)
                if hit:
                    out.append(hit)
            if indel[idx]:
                e = self._entries[idx]
                if v + votes.get((idx, d + 1), 0) >= n and d >= 0 and d + n + 1 <= size:
                    hit = self._indel(text, syl, e, d, n + 1)
                    if hit:
                        out.append(hit)
                if v + votes.get((idx, d - 1), 0) >= n - 1 and d >= 0 and d + n - 1 <= size:
                    hit = self._indel(text, syl, e, d, n - 1)
                    if hit:
                        out.append(hit)
        return out

    def _same_length(self, text: str, syl: list[str], e: _Entry, d: int) -> Hit | None:
        cfg = self.config
        n = len(e.text)
        window = text[d : d + n]
        if window == e.text:
            return None
        near = dis = 0
        for k in range(n):
            a, b = syl[d + k], e.loose[k]
            if a == b:
                continue
            if frozenset((_raw(text[d + k]), e.raw[k])) in self._distinct:
                dis += 1
            elif fuzz.ratio(a, b) >= cfg.near_syllable:
                near += 1
            else:
                dis += 1
        if near + dis > _max_near(n, cfg) or dis > _max_dis(n, cfg):
            return None
        py = fuzz.ratio("".join(syl[d : d + n]), e.joined)
        ch = fuzz.ratio(window, e.text)
        if near + dis and py < cfg.pinyin_ratio:
            return None
        if dis and ch < cfg.char_ratio:
            return None
        kind: HitKind = "fuzzy" if near + dis else "pinyin"
        return Hit(e.pid, e.text, d, d + n, window, _confidence(py, ch), kind)

    def _indel(self, text: str, syl: list[str], e: _Entry, d: int, length: int) -> Hit | None:
        win = syl[d : d + length]
        if win[0] != e.loose[0] or win[-1] != e.loose[-1]:
            return None
        if Indel.distance(win, list(e.loose)) != 1:
            return None
        window = text[d : d + length]
        py = fuzz.ratio("".join(win), e.joined)
        ch = fuzz.ratio(window, e.text)
        if py < self.config.pinyin_ratio or ch < self.config.char_ratio:
            return None
        return Hit(e.pid, e.text, d, d + length, window, _confidence(py, ch), "fuzzy")


def _raw(ch: str) -> str:
    return syllables(ch, loose=False)[0]


def _max_near(n: int, cfg: FuzzyConfig) -> int:
    if n < cfg.near_min_len:
        return 0
    return 1 if n < cfg.near2_min_len else 2


def _max_dis(n: int, cfg: FuzzyConfig) -> int:
    return 1 if n >= cfg.dissimilar_min_len else 0


def _confidence(py: float, ch: float) -> float:
    """Mostly the pinyin agreement, partly the characters; never 1.0 (reserved for exact hits)."""
    return min(0.99, round((0.6 * py + 0.4 * ch) / 100, 3))


def _merge(hits: list[Hit]) -> list[Hit]:
    """Keep the best of overlapping hits of one phrase id: exact first, then confidence, then length."""
    ranked = sorted(hits, key=lambda h: (h.kind != "exact", -h.confidence, -(h.end - h.start), h.start))
    kept: list[Hit] = []
    # per phrase id, the kept spans (disjoint) sorted by start: only the neighbours of a new hit can overlap it,
    # so a long text with many hits is merged in n·log n, not n² (a 5 MB turn)
    starts: dict[str, list[int]] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for h in ranked:
        st = starts.setdefault(h.phrase_id, [])
        sp = spans.setdefault(h.phrase_id, [])
        j = bisect_right(st, h.start)
        if (j > 0 and sp[j - 1][1] > h.start) or (j < len(st) and st[j] < h.end):
            continue
        st.insert(j, h.start)
        sp.insert(j, (h.start, h.end))
        kept.append(h)
    kept.sort(key=lambda h: (h.start, -(h.end - h.start), h.phrase_id))
    return kept
