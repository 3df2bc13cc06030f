"""Short key words (2–4 characters) found exactly or as exact homophones (same toneless pinyin).

Used for the words a flag definition names (留言, 回复, 记录, 转交, 反映, 久等 …): ASR writes 反应 for
反映 and 紀錄 for 记录, so the sound must count, but fuzzy ratios on two syllables would be noise.

``near=True`` also accepts, in keys of three or more syllables, one syllable that keeps its initial but
not its final: telephone-band ASR keeps consonants better than vowels and writes 连续不上 for 联系不上,
没人见 for 没人接, 听不到你的声音 for 听不到您的声音. Two syllables of a key must still match exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from phrasebook.pinyin import syllables


@dataclass(frozen=True)
class KeyHit:
    key: str
    start: int
    end: int
    exact: bool


NEAR_MIN_SYLLABLES = 3
_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z",
             "c", "s", "y", "w")


def initial(syl: str) -> str:
    """The consonant a pinyin syllable starts with ("" for a, e, o and anything not pinyin)."""
    return next((i for i in _INITIALS if syl.startswith(i) and len(syl) > len(i)), "")


def _near(a: list[str], b: list[str]) -> bool:
    """Equal but for at most one syllable, and that one with the same (non-empty) initial."""
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diff) <= 1 and all(initial(x) and initial(x) == initial(y) for x, y in diff)


class KeySet:
    def __init__(self, keys: list[str] | tuple[str, ...], *, near: bool = False) -> None:
        self.keys = tuple(k for k in keys if k)
        self.near = near
        self._sylls = {k: syllables(k) for k in self.keys}
        # the sound passes look keys up by their first (and second) syllable: one pass over a turn's syllables,
        # however many keys (was keys × positions per turn, the larger part of a 100,000-turn analysis)
        self._homophone: dict[str, list[tuple[int, str]]] = {}
        self._near_first: dict[str, list[tuple[int, str]]] = {}
        self._near_second: dict[str, list[tuple[int, str]]] = {}
        for order, k in enumerate(self.keys):
            ks = self._sylls[k]
            if len(ks) >= 2 and any("\u4e00" <= c <= "\u9fff" for c in k):
                self._homophone.setdefault(ks[0], []).append((order, k))
            if len(ks) >= NEAR_MIN_SYLLABLES and all("\u4e00" <= c <= "\u9fff" for c in k):
                self._near_first.setdefault(ks[0], []).append((order, k))
                self._near_second.setdefault(ks[1], []).append((order, k))

    def find(self, text: str, *, sylls: list[str] | None = None) -> KeyHit | None:
        """The first key (in the set's order) found in ``text``: exactly, else as a homophone, else (``near``)
        with one syllable's final changed; at the key's first place in the text."""
        for k in self.keys:
            i = text.find(k)
            if i >= 0:
                return KeyHit(k, i, i + len(k), True)
        if not text:
            return None
        s = sylls if sylls is not None else syllables(text)
        best: tuple[int, int, str] | None = None  # (key order, position, key)
        for i, syl in enumerate(s):
            for order, k in self._homophone.get(syl, ()):
                if best is not None and order >= best[0]:
                    continue
                ks = self._sylls[k]
                if s[i:i + len(ks)] == ks:
                    best = (order, i, k)
        if best is not None:
            order, i, k = best
            return KeyHit(k, i, i + len(self._sylls[k]), False)
        if not self.near:
            return None
        for i in range(len(s)):
            cands = list(self._near_first.get(s[i], ()))
            if i + 1 < len(s):
                cands += self._near_second.get(s[i + 1], ())
            for order, k in cands:
                if best is not None and order >= best[0]:
                    continue
                ks = self._sylls[k]
                n = len(ks)
                if i + n <= len(s) and _near(s[i:i + n], ks):
                    best = (order, i, k)
        if best is not None:
            order, i, k = best
            return KeyHit(k, i, i + len(self._sylls[k]), False)
        return None

    def __contains__(self, text: str) -> bool:
        return self.find(text) is not None
