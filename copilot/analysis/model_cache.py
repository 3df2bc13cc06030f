"""What the trained text models (the need model, the conduct model) share: the TF-IDF vector of a text, and
the cache — one pickle per model and training data.

A model is trained from the phrasebook on first use and kept under the user's cache directory
(``COPILOT_CACHE_DIR`` overrides it) as ``<kind>-<key>.pkl``, where the key hashes everything it was trained
from; an edited example gives a new key, so the model is trained again. An unreadable or foreign file is
trained over with a warning; a cache that cannot be written only costs the next start its training time."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from phrasebook.gcpause import paused_gc
from phrasebook.pinyin import syllables

log = logging.getLogger(__name__)

M = TypeVar("M")
T = TypeVar("T")


@lru_cache(maxsize=512)
def feature_counts(text: str) -> dict[str, int]:
    """Feature string → count for one canonical text: character 1–3-grams (``c…``) and loosened pinyin
    syllable 1–3-grams (``p…``), in order of first occurrence. Both text models read these features (the
    conduct model after reading 你 as 您), so one utterance is taken apart once and shared (cached per text;
    treat the result as read-only)."""
    n = len(text)
    feats = ["c" + text[i:i + k] for k in (1, 2, 3) for i in range(n - k + 1)]
    syl = [s for s in syllables(text) if s]
    m = len(syl)
    feats += ["p" + s for s in syl]
    feats += [f"p{syl[i]} {syl[i + 1]}" for i in range(m - 1)]
    feats += [f"p{syl[i]} {syl[i + 1]} {syl[i + 2]}" for i in range(m - 2)]
    return Counter(feats)  # counted in C, in order of first occurrence (a dict subclass)


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


class Tfidf:
    """scikit-learn's ``TfidfVectorizer(analyzer=…, sublinear_tf=True, norm="l2")`` for training, the same
    vocabulary, IDF and matrix bit for bit (``tests/copilot/test_model_cache.py`` compares them), in a
    fraction of its time: each distinct text is taken apart once — all texts at once with numpy when
    ``ngrams`` (``ngram_rows``) is given, else text by text, counted in C (``Counter``) — and the vocabulary
    and column ids are built with dict and numpy operations instead of a Python loop over every feature of
    every text (taking the texts apart and that loop were a third of the models' training time).

    The matrix is the one ``TfidfVectorizer.fit_transform`` builds: ids by first occurrence, each row's
    entries sorted by that id, then the ids renamed to the rank of the feature string (its columns are in
    sorted order, its entries keep the first-occurrence order); the TF-IDF weighting is scikit-learn's
    ``TfidfTransformer``."""

    def __init__(self, analyzer: Callable[[str], Iterable[str]],
                 ngrams: Callable[[list[str]], tuple[list[str], Any]] | None = None) -> None:
        self.analyzer = analyzer
        self.ngrams = ngrams
        """Optional: the analyzer's features of distinct texts at once, as ``ngram_rows`` gives them (fitting only)."""
        self.vocabulary_: dict[str, int] = {}
        self.idf_: np.ndarray = np.zeros(0)
        self._tfidf: Any = None

    def _counts(self, texts: list[str]) -> list[dict[str, int]]:
        seen: dict[str, dict[str, int]] = {}
        analyzer = self.analyzer
        out = []
        for t in texts:
            c = seen.get(t)
            if c is None:
                c = seen[t] = Counter(analyzer(t))
            out.append(c)
        return out

    def fit_transform(self, texts: list[str]) -> Any:
        from sklearn.feature_extraction.text import TfidfTransformer

        if self.ngrams is not None:
            distinct = list(dict.fromkeys(texts))
            first, x = self.ngrams(distinct)
            if len(distinct) < len(texts):
                where = dict(zip(distinct, range(len(distinct)), strict=True))
                x = x[np.fromiter(map(where.__getitem__, texts), dtype=np.int64, count=len(texts))]
        else:
            counts = self._counts(texts)
            first = list(dict.fromkeys(chain.from_iterable(counts)))  # ids by first occurrence, as the vectorizer gives
            x = self._matrix(counts, dict(zip(first, range(len(first)), strict=True)), len(first))
        if not first:
            raise ValueError("empty vocabulary: no text has any feature")
        names = sorted(first)
        by_name = dict(zip(names, range(len(names)), strict=True))
        rank = np.fromiter(map(by_name.__getitem__, first), dtype=np.int32, count=len(first))
        vocab = dict(zip(first, rank.tolist(), strict=True))  # in order of first occurrence, as the vectorizer's
        x.indices = rank.take(x.indices, mode="clip")
        self.vocabulary_ = vocab
        self._tfidf = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True)
        self._tfidf.fit(x)
        self.idf_ = self._tfidf.idf_
        return self._tfidf.transform(x, copy=False)

    def transform(self, texts: list[str]) -> Any:
        """The TF-IDF matrix of other texts (features outside the vocabulary ignored)."""
        vocab = self.vocabulary_
        counts = [{f: n for f, n in c.items() if f in vocab} for c in self._counts(texts)]
        return self._tfidf.transform(self._matrix(counts, vocab, len(vocab)), copy=False)

    @staticmethod
    def _matrix(counts: list[dict[str, int]], ids: dict[str, int], width: int) -> Any:
        import scipy.sparse as sp

        lengths = np.fromiter(map(len, counts), dtype=np.int64, count=len(counts))
        indptr = np.zeros(len(counts) + 1, dtype=np.int32)
        np.cumsum(lengths, out=indptr[1:])
        total = int(indptr[-1])
        cols = np.fromiter(map(ids.__getitem__, chain.from_iterable(counts)), dtype=np.int32, count=total)
        vals = np.fromiter(chain.from_iterable(c.values() for c in counts), dtype=np.intc, count=total)
        x = sp.csr_matrix((vals, cols, indptr), shape=(len(counts), width), dtype=np.float64)
        x.sort_indices()
        return x


def ngram_rows(texts: list[str], *, drop_empty: bool = True) -> tuple[list[str], Any]:
    """The features of ``feature_counts`` (``drop_empty=False``: a character without a syllable keeps an empty
    one, as the conduct model's analyser reads it) of distinct texts, computed for all texts at once with numpy:
    (feature strings by first occurrence over the texts, CSR count matrix whose columns are those ids, each
    row's entries sorted by id) — what a vectoriser counting ``Counter(analyse(text))`` text after text builds.

    A character n-gram is coded as its code points (21 bits each), a syllable n-gram as its syllables' ids;
    only the distinct features are turned back into strings."""
    import scipy.sparse as sp

    n_docs = len(texts)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=n_docs)
    chars = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
    starts = np.zeros(n_docs, dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    pos = np.arange(len(chars), dtype=np.int64) - starts[doc]
    distinct_chars, char_of = np.unique(chars, return_inverse=True)
    syl_names = [syllables(chr(c))[0] for c in distinct_chars.tolist()]
    syl_list = list(dict.fromkeys(syl_names))
    syl_id = dict(zip(syl_list, range(len(syl_list)), strict=True))
    syl = np.fromiter(map(syl_id.__getitem__, syl_names), dtype=np.int64, count=len(syl_names))[char_of]
    s_doc, s_pos = doc, pos
    if drop_empty and "" in syl_id:
        keep = syl != syl_id[""]
        syl, s_doc = syl[keep], doc[keep]
        kept = np.bincount(s_doc, minlength=n_docs)
        s_starts = np.zeros(n_docs, dtype=np.int64)
        np.cumsum(kept[:-1], out=s_starts[1:])
        s_pos = np.arange(len(syl), dtype=np.int64) - s_starts[s_doc]
    width = int(lens.max(initial=0)) + 1
    keys, orders, codes = [], [], []  # per block (c1, c2, c3, p1, p2, p3): occurrence order, code
    for block, (units, u_doc, u_pos, bits) in enumerate([(chars, doc, pos, 21)] * 3 + [(syl, s_doc, s_pos, 21)] * 3):
        k = block % 3 + 1
        m = len(units) - k + 1
        if m <= 0:
            keys.append(np.zeros(0, dtype=np.int64))
            orders.append(np.zeros(0, dtype=np.int64))
            codes.append(np.zeros(0, dtype=np.int64))
            continue
        ok = u_doc[:m] == u_doc[k - 1:]
        code = units[:m].copy()
        for j in range(1, k):
            code = (code << bits) | units[j:m + j]
        at = np.flatnonzero(ok)
        codes.append(code[at])
        keys.append(u_doc[at])
        orders.append((u_doc[at] * 6 + block) * width + u_pos[at])
    # distinct features per block, with the order of their first occurrence over all texts
    all_names: list[str] = []
    first_seen, gid_parts = [], []
    mask = (1 << 21) - 1
    syl_names_arr = np.array(syl_list, dtype=object)
    for block, code in enumerate(codes):
        uniq, first_at, inverse = np.unique(code, return_index=True, return_inverse=True)
        first_seen.append(orders[block][first_at])
        gid_parts.append(inverse + len(all_names))
        k = block % 3 + 1
        parts = [(uniq >> (21 * (k - 1 - j))) & mask for j in range(k)]
        if block < 3:  # code points → a string array, each n-gram one string (no code point is 0)
            grams = np.stack(parts, axis=1).astype("<u4").view(f"<U{k}").ravel().tolist()
            all_names.extend(["c" + g for g in grams])
        else:
            words = [syl_names_arr[q].tolist() for q in parts]
            all_names.extend(["p" + " ".join(w) for w in zip(*words, strict=True)])
    by_first = np.argsort(np.concatenate(first_seen), kind="stable")
    rank = np.empty(len(by_first), dtype=np.int64)
    rank[by_first] = np.arange(len(by_first))
    gid = rank[np.concatenate(gid_parts)]
    n_feats = len(by_first)
    cell, count = np.unique(np.concatenate(keys) * max(1, n_feats) + gid, return_counts=True)
    rows, cols = np.divmod(cell, max(1, n_feats))
    indptr = np.zeros(n_docs + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
    x = sp.csr_matrix((count.astype(np.intc), cols.astype(np.int32), indptr), shape=(n_docs, n_feats),
                      dtype=np.float64)
    x.sort_indices()  # already sorted: marks them so, as the vectoriser's matrix is marked
    return [all_names[i] for i in by_first.tolist()], x


class FeatureIndex:
    """One id per feature string for every text model loaded in this process, and each text's feature ids.

    Each model keeps its own vocabulary; this index maps a feature string to a shared id once per text, and
    each model maps ids to its columns with one array lookup (``Columns``). A text is then looked up in one
    dictionary instead of one per model (the vocabularies hold tens of thousands of strings: their lookups
    were most of the models' prediction time), and the models' numbers are the same: the features of a
    text come in the same order (first occurrence) with the same counts."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self._texts: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}
        self._wholes: dict[str, tuple[int, np.ndarray]] = {}
        """The last few texts read whole, with the id of each of their n-grams by position."""
        self._lock = threading.Lock()

    def columns(self, vocab: dict[str, int]) -> Columns:
        """The id → column map of a model's vocabulary (its features are added to the index)."""
        with self._lock:
            ids = self.ids
            pairs = [(ids.setdefault(f, len(ids)), j) for f, j in vocab.items()]
            col = np.full(len(ids), -1, dtype=np.int64)
            if pairs:
                at, js = zip(*pairs, strict=True)
                col[list(at)] = js
        return Columns(self, col)

    def text(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, counts) of the features of a canonical text (``feature_counts``) that some loaded model knows,
        in order of first occurrence; cached per text (treat as read-only).

        A clause or window of a text read just before (the classifier and the role model read a long turn's
        parts after the whole) is cut out of that text's n-grams by position instead of being taken apart and
        looked up again: its n-grams are those lying inside it, in the same order."""
        n = len(self.ids)
        got = self._texts.get(text)
        if got is not None and got[0] == n:
            return got[1], got[2]
        ids = cnt = None
        for whole, (version, positional) in reversed(list(self._wholes.items())):  # a snapshot: threads share it
            at = whole.find(text) if version == n and text else -1
            if at >= 0:
                ids, cnt = _first_occurrences(_inside(positional, len(whole), at, at + len(text)))
                break
        if ids is None:
            positional = self._positional(text)
            if positional is not None:
                ids, cnt = _first_occurrences(positional)
                with self._lock:
                    while len(self._wholes) >= WHOLES:
                        del self._wholes[next(iter(self._wholes))]
                    self._wholes[text] = (n, positional)
            else:  # a text whose syllables do not line up with its characters: counted directly
                counts = feature_counts(text)
                k = len(counts)
                ids = np.fromiter(map(self.ids.get, counts, repeat(-1, k)), dtype=np.int64, count=k)  # in C
                cnt = np.fromiter(counts.values(), dtype=np.int64, count=k)
                known = ids >= 0
                ids, cnt = ids[known], cnt[known]
        if len(self._texts) >= TEXT_CACHE:
            self._texts.clear()
        self._texts[text] = (n, ids, cnt)
        return ids, cnt

    def _positional(self, text: str) -> np.ndarray | None:
        """The id (-1: no model knows it) of every n-gram of ``text`` in ``feature_counts`` order — character
        1-, 2-, 3-grams by start, then syllable 1-, 2-, 3-grams by start — or None when a character has no
        syllable (the syllable n-grams would not line up with the characters)."""
        syl = syllables(text)
        if not all(syl):
            return None
        n = len(text)
        feats = ["c" + text[i:i + k] for k in (1, 2, 3) for i in range(n - k + 1)]
        feats += ["p" + s for s in syl]
        feats += [f"p{syl[i]} {syl[i + 1]}" for i in range(n - 1)]
        feats += [f"p{syl[i]} {syl[i + 1]} {syl[i + 2]}" for i in range(n - 2)]
        return np.fromiter(map(self.ids.get, feats, repeat(-1, len(feats))), dtype=np.int64, count=len(feats))


def _inside(positional: np.ndarray, n: int, a: int, b: int) -> np.ndarray:
    """The n-grams of ``text[a:b]`` out of ``_positional(text)`` (``n = len(text)``), in the same order."""
    blocks = []
    start = 0
    for _kind in range(2):
        for k in (1, 2, 3):
            size = max(0, n - k + 1)
            blocks.append(positional[start + a:start + max(a, b - k + 1)])
            start += size
    return np.concatenate(blocks)


def _first_occurrences(positional: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct known ids in order of first occurrence, with their counts."""
    known = positional[positional >= 0]
    if not len(known):
        return known, known
    uniq, first, counts = np.unique(known, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return uniq[order], counts[order]


class Columns:
    """A model's view of the ``FeatureIndex``: feature ids → its columns."""

    def __init__(self, index: FeatureIndex, col: np.ndarray) -> None:
        self.index = index
        self.col = col

    def of(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, counts) of the text's features in this model's vocabulary, in order of first occurrence —
        what ``tfidf_vector`` counts from ``feature_counts(text)``."""
        ids, counts = self.index.text(text)
        col = self.col
        if len(col) < len(self.index.ids):  # another model added features since: they are not this model's
            col = self.col = np.concatenate([col, np.full(len(self.index.ids) - len(col), -1, dtype=np.int64)])
        cols = col[ids]
        keep = cols >= 0
        return cols[keep], counts[keep]

    def tfidf(self, text: str, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``tfidf_vector(feature_counts(text), vocab, idf)``, the same numbers."""
        cols, counts = self.of(text)
        if not len(cols):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        vals = (1.0 + np.log(counts.astype(float))) * idf[cols]
        return cols, vals / np.linalg.norm(vals)


TEXT_CACHE = 2048
WHOLES = 4
INDEX = FeatureIndex()
"""The process's feature index (models register their vocabularies when first used)."""


def per_text(owner: Any, slot: str, limit: int, text: str, compute: Callable[[str], T]) -> T:
    """``compute(text)``, kept in ``owner.__dict__[slot]`` (a dict cleared when it reaches ``limit`` texts). Slots
    start with ``_``, so the models' ``__getstate__`` leaves them out of the pickled cache, and each model object
    has its own."""
    cache = owner.__dict__.setdefault(slot, {})
    got = cache.get(text)
    if got is None:
        if len(cache) >= limit:
            cache.clear()
        got = cache[text] = compute(text)
    return got


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("COPILOT_CACHE_DIR") or user_cache_dir("copilot-12368"))


class PackedVocab:
    """A vocabulary (feature string → column) as its cache file holds it: the strings joined by NUL and the
    columns as one int32 array. Unpickled as two objects instead of one per string and column (a dict of 95 000
    features read back in 33 ms, this in 19), and restored to the same dict in the same order."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.names = "\x00".join(vocab)
        self.columns = np.fromiter(vocab.values(), dtype=np.int32, count=len(vocab))

    @staticmethod
    def fits(vocab: Any) -> bool:
        return (isinstance(vocab, dict) and bool(vocab) and len(vocab) < 2**31
                and all(type(f) is str and "\x00" not in f for f in vocab)
                and all(type(j) is int and 0 <= j < 2**31 for j in vocab.values()))

    def restore(self) -> dict[str, int]:
        names = self.names.split("\x00")
        if len(names) != len(self.columns):
            raise ValueError(f"packed vocabulary: {len(names)} features but {len(self.columns)} columns")
        return dict(zip(names, self.columns.tolist(), strict=True))


class PackedSparse:
    """A dense float array that is mostly zero (the need model's 48 need centroids over 95 000 features: 4.5 %
    non-zero, 36 MB) as its cache file holds it: the flat positions and values of every entry that is not +0.0,
    restored bit for bit in the same memory order (a file a fifth the size, read and copied in less time)."""

    def __init__(self, a: np.ndarray) -> None:
        self.shape = a.shape
        self.dtype = a.dtype.str
        self.order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
        flat = a.ravel(order="K")
        self.at = np.flatnonzero((flat != 0) | np.signbit(flat)).astype(np.int64)  # -0.0 and NaN kept
        self.values = flat[self.at]

    @staticmethod
    def fits(a: Any) -> bool:
        return (isinstance(a, np.ndarray) and a.ndim == 2 and a.dtype.kind == "f" and a.size >= 4096
                and (a.flags.c_contiguous or a.flags.f_contiguous) and np.count_nonzero(a) < a.size // 4)

    def restore(self) -> np.ndarray:
        a = np.zeros(self.shape, dtype=np.dtype(self.dtype), order=self.order)
        a.ravel(order="K")[self.at] = self.values  # a view: the array is contiguous in its order
        return a


def packed_state(state: dict[str, Any]) -> dict[str, Any]:
    """A model's fields for its cache file: the ``_`` slots (per-process memos) left out, the vocabulary and
    mostly-zero matrices packed (``PackedVocab``, ``PackedSparse``). ``unpacked_state`` gives the fields back."""
    out: dict[str, Any] = {}
    for k, v in state.items():
        if k.startswith("_"):
            continue
        if k == "vocab" and PackedVocab.fits(v):
            v = PackedVocab(v)
        elif PackedSparse.fits(v):
            v = PackedSparse(v)
        out[k] = v
    return out


def unpacked_state(state: dict[str, Any]) -> dict[str, Any]:
    """The fields ``packed_state`` stored, as the model had them (raises on a damaged file, which is trained over)."""
    return {k: v.restore() if isinstance(v, PackedVocab | PackedSparse) else v for k, v in state.items()}


TRAINING_SOURCES = ("copilot/analysis/model_cache.py", "copilot/analysis/need_model.py",
                    "copilot/analysis/role_model.py", "copilot/analysis/conduct_model.py",
                    "copilot/analysis/augment.py", "phrasebook/pinyin.py", "copilot/text")
"""The source files the models' features and training come from (a folder: its ``*.py``). Their bytes are part
of every model's cache key, so changed feature code never reads a model trained by other code (a model version
someone forgot to bump)."""


@cache
def source_fingerprint(root: Path | None = None) -> str:
    """A hash of :data:`TRAINING_SOURCES` under ``root`` (default: as installed; about 1 ms, once per process)."""

    root = root or Path(__file__).resolve().parents[2]
    h = hashlib.sha256()
    for rel in TRAINING_SOURCES:
        p = root / rel
        for f in sorted(p.glob("*.py")) if p.is_dir() else [p]:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


@cache
def installed_version(name: str) -> str:
    """``importlib.metadata.version(name)``, read from the first ``<name>-<version>.dist-info/METADATA`` on
    ``sys.path`` (the distribution importlib.metadata finds first), without importing importlib.metadata and the
    email parser it reads METADATA with (30–50 ms of a start whose models come from the cache). Anything else (an
    egg, a zip, no such directory) is asked of importlib.metadata."""
    want = re.sub(r"[-_.]+", "_", name).lower()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for dirname in names:
            dist, sep, _ = dirname.removesuffix(".dist-info").partition("-")
            if sep and dirname.endswith(".dist-info") and re.sub(r"[-_.]+", "_", dist).lower() == want:
                try:
                    with open(os.path.join(entry or ".", dirname, "METADATA"), encoding="utf-8") as fh:
                        for line in fh:
                            if line.startswith("Version:"):
                                return line.partition(":")[2].strip()
                            if not line.strip():
                                break
                except OSError:
                    pass
                break
        else:
            continue
        break
    from importlib.metadata import version

    return version(name)


def load_or_train(kind: str, key: str, cls: type[M], train: Callable[[], M], *, use_cache: bool = True) -> M:
    """The ``cls`` model cached under ``key`` (``from_cache`` set), else ``train()``'s, cached (``key`` set)."""
    path = cache_dir() / f"{kind}-{key}.pkl"
    if use_cache and path.is_file():
        try:
            with path.open("rb") as fh, paused_gc():
                model = pickle.load(fh)
            if isinstance(model, cls) and model.key == key:
                model.from_cache = True
                return model
        except Exception as exc:  # noqa: BLE001 - any damage to the file (truncated, bytes changed, an old layout)
            log.warning("%s cache %s unreadable (%s: %s); training again", kind, path, type(exc).__name__, exc)
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
