"""Toneless pinyin per character, cached, with an optional "loose" form for common confusions.

Each character is converted on its own (its default reading, the first reading of pypinyin's
single-character table, which is what ``pypinyin.lazy_pinyin`` gives for a lone character), so a
phrase and a text always give the same syllable for the same character. Only that table is
loaded: importing the ``pypinyin`` package itself loads its multi-character phrase dictionary,
which takes seconds and is not needed here. Non-Chinese characters (digits, letters) stand for
themselves, lower-cased, so they only ever match themselves.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@cache
def _table() -> dict[int, str]:
    """pypinyin's ``pinyin_dict`` (code point → "zhōng,zhòng"), loaded without the package."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.py"
    file_spec = importlib.util.spec_from_file_location("_phrasebook_pinyin_dict", path)
    if file_spec is None or file_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(file_spec)
    file_spec.loader.exec_module(module)
    return module.pinyin_dict


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=16384)
def syllable(ch: str) -> str:
    """The toneless pinyin of one character (``ch`` itself, lower-cased, if not Chinese)."""
    if not _is_cjk(ch):
        return ch.lower()
    readings = _table().get(ord(ch))
    if not readings:
        return ch
    return _toneless(readings.split(",", 1)[0])


@lru_cache(maxsize=4096)
def loosen(syl: str) -> str:
    """Merge confusable sounds: zh/z, ch/c, sh/s, n/l initials and -ng/-n finals (not -ong)."""
    for hard, soft in _INITIALS:
        if syl.startswith(hard):
            syl = soft + syl[len(hard) :]
            break
    else:
        if syl.startswith("n") and len(syl) > 1:
            syl = "l" + syl[1:]
    if syl.endswith("ng") and not syl.endswith("ong") and len(syl) > 2:
        syl = syl[:-1]
    return syl


def syllables(text: str, *, loose: bool = True) -> list[str]:
    """One syllable per character of ``text`` (same length as ``text``)."""
    return list(_syllables(text, loose))


@lru_cache(maxsize=2048)
def _syllables(text: str, loose: bool) -> tuple[str, ...]:
    """Cached per text: one turn's text is read by several checks."""
    if loose:
        return tuple(loosen(syllable(ch)) for ch in text)
    return tuple(syllable(ch) for ch in text)
