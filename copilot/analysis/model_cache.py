"""What the trained text models (the need model, the conduct model) share: the TF-IDF vector of a text, and
the cache — one pickle per model and training data.

A model is trained from the phrasebook on first use and kept under the user's cache directory
(``COPILOT_CACHE_DIR`` overrides it) as ``<kind>-<key>.pkl``, where the key hashes everything it was trained
from; an edited example gives a new key, so the model is trained again. An unreadable or foreign file is
trained over with a warning; a cache that cannot be written only costs the next start its training time."""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np

from phrasebook.pinyin import syllables

log = logging.getLogger(__name__)

M = TypeVar("M")


@lru_cache(maxsize=512)
def feature_counts(text: str) -> dict[str, int]:
    """Feature string → count for one canonical text: character 1–3-grams (``c…``) and loosened pinyin
    syllable 1–3-grams (``p…``), in order of first occurrence. Both text models read these features (the
    conduct model after reading 你 as 您), so one utterance is taken apart once and shared (cached per text;
    treat the result as read-only)."""
    counts: dict[str, int] = {}
    get = counts.get
    n = len(text)
    for k in (1, 2, 3):
        for i in range(n - k + 1):
            f = "c" + text[i:i + k]
            counts[f] = get(f, 0) + 1
    syl = [s for s in syllables(text) if s]
    for k in (1, 2, 3):
        for i in range(len(syl) - k + 1):
            f = "p" + " ".join(syl[i:i + k])
            counts[f] = get(f, 0) + 1
    return counts


def tfidf_vector(features: list[str] | dict[str, int], vocab: dict[str, int],
                 idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The l2-normalised sublinear TF-IDF vector of a text's feature strings (a list, or counts from
    ``feature_counts``) as (columns, values); features outside ``vocab`` are ignored, and a text with none
    gives two empty arrays."""
    counts: dict[int, int] = {}
    if isinstance(features, dict):
        for f, c in features.items():
            j = vocab.get(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + c
    else:
        for f in features:
            j = vocab.get(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
    vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[cols]
    return cols, vals / np.linalg.norm(vals)


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("COPILOT_CACHE_DIR") or user_cache_dir("copilot-12368"))


def load_or_train(kind: str, key: str, cls: type[M], train: Callable[[], M], *, use_cache: bool = True) -> M:
    """The ``cls`` model cached under ``key`` (``from_cache`` set), else ``train()``'s, cached (``key`` set)."""
    path = cache_dir() / f"{kind}-{key}.pkl"
    if use_cache and path.is_file():
        try:
            with path.open("rb") as fh:
                model = pickle.load(fh)
            if isinstance(model, cls) and model.key == key:
                model.from_cache = True
                return model
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError) as exc:
            log.warning("%s cache %s unreadable (%s); training again", kind, path, exc)
    model = train()
    model.key = key
    if use_cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two processes training at once never share a file
            with tmp.open("wb") as fh:
                pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError as exc:
            log.warning("cannot cache the %s in %s: %s", kind, path, exc)
    return model
