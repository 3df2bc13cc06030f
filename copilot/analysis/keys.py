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
from phrasebook.similar import syllable_string


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
    def __init__(self, keys: list[str] | tuple[str, ...], *, near: bool = False, min_homophone: int = 2) -> None:
        """``min_homophone``: shortest key found through its sound; shorter keys only as written (a
        two-syllable unit name such as 公安 would otherwise be heard across words: 提供案号)."""
        self.keys = tuple(k for k in keys if k)
        self.near = near
        self.min_homophone = min_homophone
        self._sylls = {k: syllables(k) for k in self.keys}
        # each syllable as one character, so a key's sound is found by str.find (phrasebook.similar)
        self._sound = [(k, syllable_string(k)) for k in self.keys
                       if len(k) >= max(2, min_homophone) and any("\u4e00" <= c <= "\u9fff" for c in k)]
        self._near_keys = [(k, syllable_string(k)) for k in self.keys
                           if near and len(k) >= NEAR_MIN_SYLLABLES and all("\u4e00" <= c <= "\u9fff" for c in k)]

    def find(self, text: str, *, sylls: list[str] | None = None) -> KeyHit | None:
        for k in self.keys:
            i = text.find(k)
            if i >= 0:
                return KeyHit(k, i, i + len(k), True)
        if not text:
            return None
        sound = syllable_string(text)
        for k, ks in self._sound:
            i = sound.find(ks)
            if i >= 0:
                return KeyHit(k, i, i + len(ks), False)
        if self._near_keys:
            s = sylls if sylls is not None else syllables(text)
            for k, ks in self._near_keys:
                n, half = len(ks), len(ks) // 2
                if ks[:half] not in sound and ks[half:] not in sound:
                    continue  # one syllable may differ: the other half is heard exactly
                kl = self._sylls[k]
                for i in range(len(s) - n + 1):
                    if _near(s[i:i + n], kl):
                        return KeyHit(k, i, i + n, False)
        return None

    def __contains__(self, text: str) -> bool:
        return self.find(text) is not None
