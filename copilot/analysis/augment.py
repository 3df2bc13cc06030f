"""ASR-style copies of example sentences, made in code (never written by hand).

A Mandarin ASR engine on telephone audio prints text without punctuation, with spaces between words,
numbers as spoken digits (二零二四, 幺三八) and about one homophone error in fifteen characters (名初 for
民初, 上述 for 上诉). Each example sentence of the phrasebook is copied with these changes so that the
need model learns the meaning from text as the recogniser writes it, not only as a clerk types it.
Deterministic: the same seed gives the same copies.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from phrasebook.pinyin import syllable

_DIGITS = "零一二三四五六七八九"
_PUNCT = re.compile(r"[，。？！、；：,.?!;:“”\"'（）()…—\s]+")


def strip_punct(text: str) -> str:
    return _PUNCT.sub("", text)


def spoken_digits(text: str, rng: random.Random) -> str:
    """Arabic digits read one by one (1 as 幺 half of the time, as callers read phone numbers)."""
    yao = rng.random() < 0.5
    return re.sub(r"[0-9]", lambda m: "幺" if yao and m.group() == "1" else _DIGITS[int(m.group())], text)


@lru_cache(maxsize=4)
def _homophones(pool: str) -> dict[str, tuple[str, ...]]:
    """Toneless syllable → the characters of ``pool`` with that sound, most frequent in the pool first.

    The pool is the text of the example sentences themselves: the characters callers use are the ones a
    recogniser writes, and a frequent character stands in for a rarer one far more often than the
    other way round.
    """
    freq: dict[str, int] = {}
    for ch in pool:
        if "\u4e00" <= ch <= "\u9fff":
            freq[ch] = freq.get(ch, 0) + 1
    by_sound: dict[str, list[tuple[int, str]]] = {}
    for ch, n in freq.items():
        by_sound.setdefault(syllable(ch), []).append((n, ch))
    return {s: tuple(ch for _, ch in sorted(v, reverse=True)[:8]) for s, v in by_sound.items()}


def homophone_noise(text: str, rng: random.Random, pool: str, rate: float = 1 / 12) -> str:
    """Replace about ``rate`` of the Chinese characters by another character of the same sound (from ``pool``)."""
    table = _homophones(pool)
    out = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < rate:
            alts = [c for c in table.get(syllable(ch), ()) if c != ch]
            if alts:
                ch = alts[min(int(rng.expovariate(0.7)), len(alts) - 1)]
        out.append(ch)
    return "".join(out)


def jieba_spaces(text: str) -> str:
    import jieba

    return " ".join(w for w in jieba.lcut(text) if w.strip())


def asr_copies(text: str, n: int, rng: random.Random, *, pool: str = "", spaces: bool = False) -> list[str]:
    """``n`` ASR-style copies of ``text``: no punctuation, spoken digits, homophones (and, with
    ``spaces``, jieba word spaces in half of them — off for training, where the canonical form drops
    spaces anyway and loading jieba's dictionary would cost seconds)."""
    out = []
    for _ in range(n):
        t = spoken_digits(strip_punct(text), rng)
        t = homophone_noise(t, rng, pool or text)
        out.append(jieba_spaces(t) if spaces and rng.random() < 0.5 else t)
    return out
