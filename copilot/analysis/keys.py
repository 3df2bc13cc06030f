"""Short key words (2–4 characters) found exactly or as exact homophones (same toneless pinyin).

Used for the words a flag definition names (留言, 回复, 记录, 转交, 反映, 久等 …): ASR writes 反应 for
反映 and 紀錄 for 记录, so the sound must count, but fuzzy ratios on two syllables would be noise.
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


class KeySet:
    def __init__(self, keys: list[str] | tuple[str, ...]) -> None:
        self.keys = tuple(k for k in keys if k)
        self._sylls = {k: syllables(k) for k in self.keys}

    def find(self, text: str, *, sylls: list[str] | None = None) -> KeyHit | None:
        for k in self.keys:
            i = text.find(k)
            if i >= 0:
                return KeyHit(k, i, i + len(k), True)
        if not text:
            return None
        s = sylls if sylls is not None else syllables(text)
        for k in self.keys:
            ks = self._sylls[k]
            n = len(ks)
            if n < 2 or not any("\u4e00" <= c <= "\u9fff" for c in k):
                continue
            for i in range(len(s) - n + 1):
                if s[i:i + n] == ks:
                    return KeyHit(k, i, i + n, False)
        return None

    def __contains__(self, text: str) -> bool:
        return self.find(text) is not None
