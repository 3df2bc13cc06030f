"""A Mandarin-only output vocabulary for Whisper's decoder, derived in memory from the CTranslate2 model.

Each decoder step of Whisper base scores all 51 865 tokens: the output layer (512 x 51 865, tied to the token
embeddings) is more than half of the weights a step reads. Transcribing Mandarin needs a small part of them: CJK
characters and words, punctuation and symbols, digits, one or two Latin letters (spelled acronyms, case-number
letters), the byte fragments that spell the characters the vocabulary has no token for, and the special tokens.
The English words (about 44 000 tokens) are never the right output on a Mandarin hotline.

:func:`mandarin_token_ids` selects the tokens by that rule (a class, not a list); :func:`restricted_model_files`
rewrites the model's files with the embedding rows of those tokens only, in their original order, the special and
timestamp tokens last as before (CTranslate2 finds them by name and takes the timestamps as the vocabulary's tail).
:class:`VocabularyMap` maps token ids between the two models. The encoder is untouched, so one encoder pass of the
full model feeds either decoder. Measured in docs/live-asr.md (session 20).
"""

from __future__ import annotations

import io
import json
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr.errors import ModelError

EMBEDDINGS = "decoder/embeddings/weight"
"""The decoder's token embeddings; the output projection is an alias of them in Whisper's CTranslate2 spec."""
_SUPPORTED_BINARY = (5, 6)
_DTYPES = {0: np.float32, 4: np.float16}
"""CTranslate2 DataType ids of the embedding tables this rewrite handles. An int8 model keeps a per-row scale beside
its table, and bfloat16 has no numpy type: both raise :class:`ModelError` rather than give a broken model."""
FIRST_SPECIAL = 50257
"""``<|endoftext|>`` in the multilingual Whisper vocabulary: every id from here on is a special or timestamp token."""


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE alphabet: the printable character that stands for each byte in a token's text."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(printable, chars, strict=True)}


def _mandarin_char(ch: str) -> bool:
    """A CJK ideograph, an ASCII character, or any character that is not a letter (punctuation of any script —
    ，。「」……——“” —, symbols such as × and §, digits, spaces); letters of other scripts (kana, hangul, Cyrillic,
    accented or full-width Latin such as the runaway 「ＧＧＧ」) are not Mandarin."""
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or o < 0x80:  # CJK unified ideographs (and extension A)
        return True
    return unicodedata.category(ch)[0] in "PSNZ"


def token_bytes(token: str, decoder: dict[str, int] | None = None) -> bytes:
    """The bytes a vocabulary line stands for (byte-level BPE)."""
    decoder = decoder or _byte_decoder()
    try:
        return bytes(decoder[c] for c in token)
    except KeyError as exc:
        raise ModelError(f"vocabulary token {token!r} is not byte-level BPE", where="vocabulary.txt") from exc


def is_mandarin_token(raw: bytes) -> bool:
    """Whether a token's bytes can be part of a Mandarin transcript: text of CJK characters, punctuation, symbols,
    digits, spaces and at most two Latin letters; or a fragment of multi-byte characters (any
    character the vocabulary has no token for is spelled with those) with no Latin letter."""
    letters = sum(1 for b in raw if b < 0x80 and chr(b).isalpha())
    if letters > 2:
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return letters == 0
    return all(_mandarin_char(ch) for ch in text)


def mandarin_token_ids(vocabulary: list[str]) -> list[int]:
    """Ids of the tokens a Mandarin transcript can use, ascending: :func:`is_mandarin_token` for text tokens,
    every special and timestamp token (from ``<|endoftext|>`` on)."""
    if len(vocabulary) <= FIRST_SPECIAL or vocabulary[FIRST_SPECIAL] != "<|endoftext|>":
        raise ModelError(f"not a multilingual Whisper vocabulary (line {FIRST_SPECIAL + 1} is not <|endoftext|>)",
                         where="vocabulary.txt")
    decoder = _byte_decoder()
    return [i for i, tok in enumerate(vocabulary)
            if i >= FIRST_SPECIAL or is_mandarin_token(token_bytes(tok, decoder))]


@dataclass(frozen=True)
class VocabularyMap:
    """Token ids of the full model (``old``) and of the restricted one (``new``)."""

    kept: tuple[int, ...]
    """Old id of each new id."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_new", {old: new for new, old in enumerate(self.kept)})

    def __len__(self) -> int:
        return len(self.kept)

    def to_new(self, ids: list[int]) -> list[int]:
        """New ids of ``ids``; tokens the restricted vocabulary lacks (an English word in a prompt) are left out."""
        new = self._new  # type: ignore[attr-defined]
        return [new[i] for i in ids if i in new]

    def to_old(self, ids: list[int]) -> list[int]:
        return [self.kept[i] for i in ids]


def read_vocabulary(model_path: Path) -> list[str]:
    path = Path(model_path) / "vocabulary.txt"
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise ModelError(f"cannot read the vocabulary: {exc}", where=str(path)) from exc
    return lines[:-1] if lines and lines[-1] == "" else lines


def restricted_model_files(model_path: Path, kept: list[int]) -> dict[str, bytes]:
    """``model.bin``, ``vocabulary.txt`` and ``config.json`` of the model with only the ``kept`` tokens (ascending
    ids), for ``ctranslate2.models.Whisper(..., files=...)``. The weights are copied unchanged but the embedding
    rows; a model file laid out otherwise than CTranslate2's binary format 5-6 raises :class:`ModelError`."""
    model_path = Path(model_path)
    bin_path = model_path / "model.bin"
    data = bin_path.read_bytes()
    out = io.BytesIO()
    pos = 0

    def take(fmt: str) -> tuple:
        nonlocal pos
        try:
            values = struct.unpack_from(fmt, data, pos)
        except struct.error as exc:
            raise ModelError(f"model.bin ends early at byte {pos}", where=str(bin_path)) from exc
        pos += struct.calcsize(fmt)
        return values

    def name() -> bytes:
        nonlocal pos
        (n,) = take("<H")
        raw = data[pos: pos + n]
        pos += n
        return raw

    def put_name(raw: bytes) -> None:
        out.write(struct.pack("<H", len(raw)))
        out.write(raw)

    (version,) = take("<I")
    if version not in _SUPPORTED_BINARY:
        raise ModelError(f"model.bin has binary version {version}; expected one of {_SUPPORTED_BINARY}",
                         where=str(bin_path))
    spec = name()
    (revision,) = take("<I")
    (count,) = take("<I")
    out.write(struct.pack("<I", version))
    put_name(spec)
    out.write(struct.pack("<II", revision, count))
    rows = np.asarray(kept, dtype=np.int64)
    found = False
    for _ in range(count):
        var = name()
        (rank,) = take("<B")
        dims = take("<" + "I" * rank)
        (dtype,) = take("<B")
        (nbytes,) = take("<I")
        var_name = var.rstrip(b"\0").decode(errors="replace")
        if pos + nbytes > len(data):
            raise ModelError(f"model.bin ends early at byte {len(data)}: {var_name} needs {nbytes} bytes from "
                             f"byte {pos}", where=str(bin_path))
        payload = data[pos: pos + nbytes]
        pos += nbytes
        if var_name == EMBEDDINGS:
            np_type = _DTYPES.get(dtype)
            if np_type is None or rank != 2:
                raise ModelError(f"{EMBEDDINGS} has data type {dtype} and rank {rank}; expected a float matrix",
                                 where=str(bin_path))
            table = np.frombuffer(payload, dtype=np_type).reshape(dims)
            if rows.size and rows[-1] >= dims[0]:
                raise ModelError(f"token id {rows[-1]} beyond the {dims[0]} embeddings", where=str(bin_path))
            payload = np.ascontiguousarray(table[rows]).tobytes()
            dims = (len(rows), dims[1])
            found = True
        put_name(var)
        out.write(struct.pack("<B", rank))
        out.write(struct.pack("<" + "I" * rank, *dims))
        out.write(struct.pack("<BI", dtype, len(payload)))
        out.write(payload)
    if not found:
        raise ModelError(f"model.bin has no {EMBEDDINGS}", where=str(bin_path))
    out.write(data[pos:])  # the aliases (the output projection is one of them)

    vocabulary = read_vocabulary(model_path)
    config_path = model_path / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the model config: {exc}", where=str(config_path)) from exc
    new = {old: i for i, old in enumerate(kept)}
    for key in ("lang_ids", "suppress_ids", "suppress_ids_begin"):
        if key in config:
            config[key] = [new[i] for i in config[key] if i in new]
    return {
        "model.bin": out.getvalue(),
        "vocabulary.txt": ("\n".join(vocabulary[i] for i in kept) + "\n").encode("utf-8"),
        "config.json": json.dumps(config).encode("utf-8"),
    }


def load_mandarin_decoder(model_path: Path, *, cpu_threads: int):
    """(CTranslate2 Whisper model with the Mandarin vocabulary, :class:`VocabularyMap`), int8 on CPU."""
    import ctranslate2

    kept = mandarin_token_ids(read_vocabulary(model_path))
    files = restricted_model_files(model_path, kept)
    try:
        model = ctranslate2.models.Whisper(str(Path(model_path) / "mandarin"), device="cpu", compute_type="int8",
                                           intra_threads=cpu_threads, files=files)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(f"cannot load the Mandarin-vocabulary decoder: {exc}", where=str(model_path)) from exc
    return model, VocabularyMap(tuple(kept))
