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
from functools import cache
from pathlib import Path

from phrasebook.pinyin import syllable

_DIGITS = "零一二三四五六七八九"
_PUNCT = re.compile(r"[，。？！、；：,.?!;:“”\"'（）()…—\s]+")


def strip_punct(text: str) -> str:
    return _PUNCT.sub("", text)


def spoken_digits(text: str, rng: random.Random) -> str:
    """Arabic digits read one by one (1 as 幺 half of the time, as callers read phone numbers)."""
    yao = rng.random() < 0.5
    return re.sub(r"[0-9]", lambda m: "幺" if yao and m.group() == "1" else _DIGITS[int(m.group())], text)


@cache
def _homophones() -> dict[str, tuple[str, ...]]:
    """Toneless syllable → common characters with that sound, most frequent first.

    Character frequencies come from jieba's word list (already a dependency): a recogniser puts a
    frequent character for a rare one far more often than the other way round.
    """
    import jieba

    freq: dict[str, int] = {}
    path = Path(jieba.__file__).with_name("dict.txt")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ", 2)
            if len(parts) < 2:
                continue
            word, n = parts[0], int(parts[1])
            if n < 50:
                continue
            for ch in word:
                if "\u4e00" <= ch <= "\u9fff":
                    freq[ch] = freq.get(ch, 0) + n
    by_sound: dict[str, list[tuple[int, str]]] = {}
    for ch, n in freq.items():
        by_sound.setdefault(syllable(ch), []).append((n, ch))
    return {s: tuple(ch for _, ch in sorted(v, reverse=True)[:8]) for s, v in by_sound.items()}


def homophone_noise(text: str, rng: random.Random, rate: float = 1 / 12) -> str:
    """Replace about ``rate`` of the Chinese characters by another character of the same sound."""
    table = _homophones()
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


def asr_copies(text: str, n: int, rng: random.Random, *, spaces: bool = False) -> list[str]:
    """``n`` ASR-style copies of ``text``: no punctuation, spoken digits, homophones (and, with
    ``spaces``, jieba word spaces in half of them — off for training, where the canonical form drops
    spaces anyway and loading jieba's dictionary would cost seconds)."""
    out = []
    for _ in range(n):
        t = spoken_digits(strip_punct(text), rng)
        t = homophone_noise(t, rng)
        out.append(jieba_spaces(t) if spaces and rng.random() < 0.5 else t)
    return out
