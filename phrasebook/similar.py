"""Example-based phrase rules: how closely a text says one of a rule's examples, over characters and pinyin.

A rule (a banned-phrase group, an A.4 wording pair, a call-level check such as "the judge cannot be
reached") is a set of **positive** examples — the phrase and paraphrases people really say — and
**negative** examples, look-alikes that must not count (「不知道您现在方便吗」 for 「不知道」).

Similarity of an example to a text: the example is aligned with the best stretch of the text over its
toneless, loosened pinyin syllables (so an ASR homophone still counts) by longest common subsequence,
which lets a few words sit in between (「不归我们这边管」 still says 「不归我们管」):

    score = (matched + 0.5·near − 0.1·(matched − same characters) − 0.35·gaps) / len(example)

``matched`` syllables of the example found in order, ``near`` substituted syllables that keep their initial
(telephone ASR: 连续不上 for 联系不上), ``same characters`` matched syllables also written the same, ``gaps``
extra characters inside the matched stretch (allowed from six characters on). Examples of three
characters or fewer must occur as one unbroken run (homophones allowed): 「不太清楚」 is not 「不清楚」.

A positive match counts when its score reaches ``min_score`` and no negative example of the same rule,
matching the same stretch with at least ``neg_min_score``, explains more characters of it (score ×
length, by ``MARGIN``): the nearest, most specific example wins. Candidates come from an inverted index of syllable
bigrams, so a text costs a few dictionary lookups per character plus one alignment per candidate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import LCSseq

from .pinyin import syllables

MIN_SCORE = 0.85
"""Similarity at which a positive example counts as said."""
NEG_MIN_SCORE = 0.85
"""Similarity at which a negative example (look-alike) can overrule a positive one: said as closely as a
positive must be (a look-alike missing its own distinguishing words proves nothing)."""
CROSS_MIN_LEN = 6
"""Shorter examples never match across a clause break (punctuation): 「开会，电话」 does not say 回电."""
GAP = 0.35
"""Cost of one extra character inside the matched stretch, in example characters."""
GAP_MIN_LEN = 6
"""Shorter examples must be said without words in between: 「我不太清楚」 is not 「我不清楚」."""
MARGIN = 0.5
"""A look-alike overrules a positive match when it explains this many more characters of the text."""
NEGATIONS = frozenset("不没别勿未无非甭莫")
"""An example's negation must be heard: a match missing one says the opposite."""
EXTEND_SHARE = 0.75
"""A look-alike reaching past the positive's stretch overrules it when it explains this share as much."""
SHORT = 3
"""Examples this short must occur unbroken (no words in between)."""
MATCH_CACHE = 4096
"""Texts whose matches an example set keeps (a set is read-only once built: the same text gives the same matches)."""

_codes: dict[str, str] = {}


def _code(syl: str) -> str:
    c = _codes.get(syl)
    if c is None:
        c = _codes[syl] = chr(0xE000 + len(_codes))
    return c


@lru_cache(maxsize=2048)
def syllable_string(text: str) -> str:
    """One private-use character per loosened syllable of ``text`` (same length as ``text``)."""
    return "".join(_code(s) for s in syllables(text, loose=True))


@dataclass(frozen=True)
class Match:
    """One example found in a text."""

    rule: str
    example: str
    negative: bool
    score: float
    """0..1 similarity (1.0: said exactly)."""
    start: int
    end: int
    """Span in the text (``text[start:end]`` is what was heard)."""

    @property
    def mass(self) -> float:
        """Characters of the example the text explains (score × length): the more specific match wins."""
        return self.score * len(self.example)


_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z",
             "c", "s", "y", "w")


@lru_cache(maxsize=4096)
def _initial_code(syl: str) -> str:
    """The private-use character of a syllable's initial (a vowel-initial syllable stands for itself)."""
    return _code("^" + next((i for i in _INITIALS if syl.startswith(i) and len(syl) > len(i)), syl))


@lru_cache(maxsize=2048)
def initials(text: str) -> str:
    """One private-use character per syllable initial of ``text`` (a vowel-initial syllable stands for itself).
    Per character, like the syllables, so the initials of a stretch are the stretch of the text's initials."""
    return "".join(_initial_code(s) for s in syllables(text, loose=True))


@dataclass(frozen=True)
class _Entry:
    rule: str
    text: str
    syl: str
    negative: bool
    init: str = ""


class ExampleSet:
    """Positive and negative examples of many rules in one index; ``find`` returns each rule's best hit."""

    def __init__(self, rules: Iterable[tuple[str, Iterable[str], Iterable[str]]], *,
                 min_score: float = MIN_SCORE, neg_min_score: float = NEG_MIN_SCORE, exclusive: bool = True) -> None:
        """``exclusive``: one rule per stretch of text, and a look-alike of any rule overrules them all (banned
        groups: a courteous wording is courteous for every group); False for independent rules, each deciding
        on its own (call-level checks: the same words may say the judge is away and promise a call)."""
        self.exclusive = exclusive
        self.min_score = min_score
        self.neg_min_score = neg_min_score
        self._entries: list[_Entry] = []
        self._need: list[int] = []
        """Bigram hits an example needs before it is aligned (see ``_best``)."""
        self._index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.rules: list[str] = []
        seen: set[tuple[str, str, bool]] = set()
        for rule, positives, negatives in rules:
            self.rules.append(rule)
            for negative, texts in ((False, positives), (True, negatives)):
                for text in texts:
                    if len(text) < 2 or (rule, text, negative) in seen:
                        continue
                    seen.add((rule, text, negative))
                    idx = len(self._entries)
                    syl = syllable_string(text)
                    self._entries.append(_Entry(rule, text, syl, negative, initials(text)))
                    n = len(text)
                    self._need.append(n - 1 if n <= SHORT else max(2, (n + 1) // 2) - 1)
                    for p in range(len(syl) - 1):
                        self._index[syl[p:p + 2]].append((idx, p))

    def __len__(self) -> int:
        return len(self._entries)

    # ------------------------------------------------------------------ scoring
    def matches(self, text: str, syl: str | None = None) -> list[Match]:
        """Every example (positive or negative) said in ``text`` at or above its threshold (cached per text:
        scripted wording — greetings, closings, the standard answers — recurs in call after call)."""
        if len(text) < 2 or not self._entries:
            return []
        if syl is None or syl == syllable_string(text):
            cache = self.__dict__.setdefault("_match_cache", {})
            found = cache.get(text)
            if found is None:
                if len(cache) >= MATCH_CACHE:
                    cache.clear()
                found = cache[text] = self._matches(text, syllable_string(text))
            return list(found)
        return self._matches(text, syl)

    def _matches(self, text: str, s: str) -> list[Match]:
        starts: dict[int, list[int]] = defaultdict(list)
        index = self._index
        for i in range(len(s) - 1):
            for idx, p in index.get(s[i:i + 2], ()):
                starts[idx].append(i - p)
        out: list[Match] = []
        need = self._need
        for idx, ds in starts.items():
            if len(ds) < need[idx]:
                continue
            e = self._entries[idx]
            m = self._best(e, text, s, ds, len(e.text))
            if m is not None:
                out.append(m)
        return out

    def _best(self, e: _Entry, text: str, s: str, ds: list[int], n: int) -> Match | None:
        floor = self.neg_min_score if e.negative else self.min_score
        if n <= SHORT:
            best = None
            for d in set(ds):
                if d < 0 or ds.count(d) < n - 1 or s[d:d + n] != e.syl:
                    continue
                same = sum(1 for a, b in zip(text[d:d + n], e.text, strict=True) if a == b)
                score = (n - 0.1 * (n - same)) / n
                if score >= floor and (best is None or score > best.score):
                    best = Match(e.rule, e.text, e.negative, round(score, 3), d, d + n)
            return best
        slack = max(2, n // 2)
        # every window aligned below lies inside this one, and a window's LCS is at most its superset's: one
        # call in C rules out most candidates before the clusters are built (same result, less Python)
        if LCSseq.similarity(e.syl, s[max(0, min(ds) - slack):max(ds) + n + slack]) * 10 < n * 7:
            return None
        need = max(2, (n + 1) // 2) - 1  # bigram votes: half the example's syllables, in pairs
        ds.sort()
        best = None
        i = 0
        while i < len(ds):  # clusters of nearby start offsets (gaps shift the offset)
            j = i
            while j + 1 < len(ds) and ds[j + 1] - ds[i] <= slack:
                j += 1
            if j - i + 1 >= need:
                lo = max(0, ds[i] - slack)
                hi = min(len(s), ds[j] + n + slack)
                m = self._align(e, text, s, lo, hi, n)
                if m is not None and m.score >= floor and (best is None or m.score > best.score):
                    best = m
            i = j + 1
        return best

    @staticmethod
    def _align(e: _Entry, text: str, s: str, lo: int, hi: int, n: int) -> Match | None:
        w = s[lo:hi]
        if LCSseq.similarity(e.syl, w) * 10 < n * 7:  # the test below, before the costlier edit script
            return None
        inserted = set()
        for tag, src_pos, dest_pos in LCSseq.editops(e.syl, w).as_list():
            if tag == "insert":
                inserted.add(dest_pos)
            elif e.text[src_pos] in NEGATIONS:
                return None  # 「属于法院管辖」 does not say 「不属于法院管辖」
        matched = [j for j in range(len(w)) if j not in inserted]
        lcs = len(matched)
        if lcs * 10 < n * 7:
            return None
        a, b = matched[0], matched[-1] + 1
        # an LCS alignment is not the tightest one (管 … 官 both say guan): shrink while the LCS holds
        while b - a > lcs and LCSseq.similarity(e.syl, w[a:b - 1]) == lcs:
            b -= 1
        while b - a > lcs and LCSseq.similarity(e.syl, w[a + 1:b]) == lcs:
            a += 1
        extra = (b - a) - lcs  # characters inside the stretch that match nothing
        subs = min(extra, n - lcs)  # ... as many as the example misses are substitutions, the rest insertions
        gaps = extra - subs
        near = 0
        if subs:  # a substituted syllable that keeps its initial (连续不上 for 联系不上) earns half
            near = min(subs, max(0, LCSseq.similarity(e.init, initials(text)[lo + a:lo + b]) - lcs))
        same = LCSseq.similarity(e.text, text[lo + a:lo + b])
        gap_cost = GAP if n >= GAP_MIN_LEN else 1.0
        score = (lcs + 0.5 * near - 0.1 * max(0, lcs - same) - gap_cost * gaps) / n
        return Match(e.rule, e.text, e.negative, round(score, 3), lo + a, lo + b)

    # ------------------------------------------------------------------ decisions
    def find(self, text: str, syl: str | None = None, breaks: frozenset[int] = frozenset()) -> list[Match]:
        """Each rule's best positive match that no look-alike overrules; non-overlapping, best first.

        ``breaks``: positions ``i`` of ``text`` with a clause break (punctuation) between ``i - 1`` and ``i``."""
        return self.decide(self.matches(text, syl), breaks)

    def decide(self, found: list[Match], breaks: frozenset[int] = frozenset()) -> list[Match]:
        """``find`` on matches already computed (``matches``): clause breaks, look-alikes, one per rule."""
        if breaks:
            found = [m for m in found
                     if len(m.example) >= CROSS_MIN_LEN or not any(m.start < b < m.end for b in breaks)]
        negatives = [m for m in found if m.negative]
        kept: list[Match] = []
        # said (nearly) word for word first, then the match explaining most of the words
        for m in sorted((m for m in found if not m.negative), key=lambda m: (m.score < 0.95, -m.mass, -m.score, m.start)):
            if any(k.rule == m.rule or (self.exclusive and _overlap(k, m)) for k in kept):
                continue
            if any((self.exclusive or x.rule == m.rule) and _covers(x, m) and _outweighs(x, m) for x in negatives):
                continue
            kept.append(m)
        return kept

    def best(self, text: str, rule: str | None = None, syl: str | None = None,
             breaks: frozenset[int] = frozenset()) -> Match | None:
        """The strongest accepted positive match (of ``rule`` if given), or None."""
        for m in self.find(text, syl, breaks):
            if rule is None or m.rule == rule:
                return m
        return None


def _overlap(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def _outweighs(neg: Match, pos: Match) -> bool:
    """The look-alike explains more of the words (MARGIN more characters), or it reaches past the positive's
    stretch (it adds the words that make the difference: 「处理不了的事项」) and explains most as much."""
    if neg.mass >= pos.mass + MARGIN:
        return True
    extends = neg.start < pos.start or neg.end > pos.end
    return extends and neg.mass >= EXTEND_SHARE * pos.mass


def _covers(neg: Match, pos: Match) -> bool:
    """The look-alike's stretch holds most of the positive's stretch."""
    inter = min(neg.end, pos.end) - max(neg.start, pos.start)
    return inter * 2 >= pos.end - pos.start
