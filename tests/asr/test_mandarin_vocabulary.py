"""The Mandarin-only decoder vocabulary (asr.vocabulary): which tokens it keeps, that every Chinese text of the
project is still spelled with them, that the rewritten model loads and decodes as the full one does, and clear
errors on a model file it cannot rewrite. Real Whisper base (its vocabulary and weights)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from asr.audio import read_audio
from asr.errors import ModelError
from asr.models import ensure_whisper_base
from asr.types import SAMPLE_RATE
from asr.vocabulary import (
    FIRST_SPECIAL,
    VocabularyMap,
    is_mandarin_token,
    load_mandarin_decoder,
    mandarin_token_ids,
    read_vocabulary,
    restricted_model_files,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "audio_fixtures"


@pytest.fixture(scope="module")
def model_path() -> Path:
    return ensure_whisper_base()


@pytest.fixture(scope="module")
def kept(model_path) -> list[int]:
    return mandarin_token_ids(read_vocabulary(model_path))


@pytest.mark.parametrize("text, keep", [
    ("法院", True), ("，", True), ("。", True), ("12368", True), ("（", True), ("号", True), (" 您好", True),
    ("A", True), ("QQ", True), ("-20", True), ("……", True), ("——", True), ("“", True), ("×", True), ("２", True),
    (" the", False), ("ing", False), ("こんにちは", False), ("안녕", False), ("Ж", False), ("é", False),
    ("ＧＧ", False),
])
def test_a_token_is_kept_when_a_mandarin_transcript_can_use_it(text, keep):
    assert is_mandarin_token(text.encode("utf-8")) is keep


def test_fragments_of_characters_are_kept_but_not_with_latin_letters():
    char = "鑫".encode()  # three bytes
    assert is_mandarin_token(char[:2]) and is_mandarin_token(char[2:] + "法".encode()[:1])
    assert not is_mandarin_token(b"abc" + char[:1])


def test_the_kept_vocabulary_is_the_mandarin_tokens_and_every_special_token(model_path, kept):
    vocab = read_vocabulary(model_path)
    assert kept == sorted(kept) and kept[-1] == len(vocab) - 1
    assert set(range(FIRST_SPECIAL, len(vocab))) <= set(kept)
    text_tokens = [i for i in kept if i < FIRST_SPECIAL]
    assert 4000 < len(text_tokens) < 8000, len(text_tokens)  # of 50 257 text tokens


def chinese_texts() -> list[str]:
    texts = []
    for path in sorted((FIXTURES / "calls").glob("*.json")):
        texts += [t["text"] for t in json.loads(path.read_text(encoding="utf-8"))["turns"]]
    refs = (ROOT / "tests" / "data" / "mandarin" / "refs.tsv").read_text(encoding="utf-8").splitlines()[1:]
    texts += [row.split("\t")[1] for row in refs]
    for path in sorted((ROOT / "phrasebook" / "data").glob("*.toml")):
        texts += [line for line in path.read_text(encoding="utf-8").splitlines()
                  if any("\u4e00" <= ch <= "\u9fff" for ch in line)]
    return texts


def test_every_chinese_text_of_the_project_is_spelled_with_kept_tokens(model_path, kept):
    """The fixture scripts, the clips' references and the phrasebook (as Whisper's tokenizer encodes them, with
    and without a leading space as a prompt has it): no token outside the Mandarin vocabulary but in the
    phrasebook's ASCII words of three or more letters (TOML keys), which a transcript never needs."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    keep = set(kept)
    texts = chinese_texts()
    assert len(texts) > 300
    missing = []
    for text in texts:
        chinese = "".join(ch for ch in text if not ("a" <= ch.lower() <= "z"))
        for variant in (chinese, " " + chinese):
            missing += [(text, t) for t in tokenizer.encode(variant, add_special_tokens=False).ids if t not in keep]
    assert not missing, missing[:10]


def test_the_map_gives_back_the_full_model_s_ids(kept):
    vocab = VocabularyMap(tuple(kept))
    ids = [kept[5], kept[100], 50258, 50363]
    assert vocab.to_old(vocab.to_new(ids)) == ids
    english = next(i for i in range(FIRST_SPECIAL) if i not in set(kept))
    assert vocab.to_new([english, kept[5]]) == [5]


def test_the_rewritten_model_decodes_a_greeting_as_the_full_model(model_path):
    """The agent's greeting of FX-01 (beam 5, one encoder pass of the full model fed to both decoders): the same
    words from the decoder that scores 7172 tokens as from the one that scores 51 865."""
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    full = WhisperModel(str(model_path), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True)
    small, vocab = load_mandarin_decoder(model_path, cpu_threads=2)
    assert len(vocab) == 7172
    script = json.loads((FIXTURES / "calls" / "FX-01-contact-judge.json").read_text(encoding="utf-8"))
    first = script["turns"][0]
    audio = read_audio(FIXTURES / "audio" / "FX-01-contact-judge.flac").channels[0]
    clip = audio[int(max(0, first["start"] - 0.3) * SAMPLE_RATE): int((first["end"] + 0.5) * SAMPLE_RATE)]
    clip = np.concatenate([clip.astype(np.float32) / 32768.0, np.zeros(3 * SAMPLE_RATE, np.float32)])
    features = full.feature_extractor(clip)
    encoded = full.encode(np.ascontiguousarray(features[:, : features.shape[-1] - features.shape[-1] % 2]))
    tok = Tokenizer(full.hf_tokenizer, True, task="transcribe", language="zh")
    ids = list(tok.sot_sequence) + [tok.no_timestamps]
    options = dict(beam_size=5, max_length=len(ids) + 80, suppress_blank=True, suppress_tokens=[-1])
    a = full.model.generate(encoded, [ids], **options)[0].sequences_ids[0]
    b = vocab.to_old(small.generate(encoded, [vocab.to_new(ids)], **options)[0].sequences_ids[0])
    assert a == b and len(tok.decode(a)) >= 8, (tok.decode(a), tok.decode(b))


def write_model(tmp_path: Path, source: Path, data: bytes) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(data)
    for name in ("vocabulary.txt", "config.json"):
        (folder / name).write_bytes((source / name).read_bytes())
    return folder


def test_a_truncated_model_file_is_a_clear_error(tmp_path, model_path, kept):
    data = (model_path / "model.bin").read_bytes()[:4000]
    with pytest.raises(ModelError, match="ends early at byte") as err:
        restricted_model_files(write_model(tmp_path, model_path, data), kept)
    assert err.value.where.endswith("model.bin")


def test_an_unknown_binary_version_is_a_clear_error(tmp_path, model_path, kept):
    data = struct.pack("<I", 99) + (model_path / "model.bin").read_bytes()[4:200]
    with pytest.raises(ModelError, match="binary version 99"):
        restricted_model_files(write_model(tmp_path, model_path, data), kept)


def test_an_embedding_table_of_another_data_type_is_a_clear_error(tmp_path, model_path, kept):
    """An int8 model (a scale per row beside the table) is refused, not rewritten into a broken model."""
    data = bytearray((model_path / "model.bin").read_bytes())
    name = b"decoder/embeddings/weight\0"
    at = data.index(name) + len(name)
    rank = data[at]
    data[at + 1 + 4 * rank] = 1  # the data type byte after the dimensions: int8
    with pytest.raises(ModelError, match="has data type 1"):
        restricted_model_files(write_model(tmp_path, model_path, bytes(data)), kept)


def test_a_vocabulary_that_is_not_whisper_s_is_a_clear_error():
    with pytest.raises(ModelError, match="not a multilingual Whisper vocabulary"):
        mandarin_token_ids(["a", "b", "c"])


def test_live_decodes_use_the_mandarin_decoder_and_the_switch_turns_it_off(recognizer, monkeypatch):
    """A live decode goes through the Mandarin decoder by default; with ``mandarin_vocabulary`` off it never
    asks for it (the full model's decoder)."""
    from dataclasses import replace

    audio = read_audio(FIXTURES / "audio" / "FX-01-contact-judge.flac").channels[0][: 6 * SAMPLE_RATE]
    audio = audio.astype(np.float32) / 32768.0
    real = recognizer.mandarin_decoder
    calls = []
    monkeypatch.setattr(recognizer, "mandarin_decoder", lambda: calls.append(1) or real())
    on, _ = recognizer.decode(audio, beam_size=5, config=recognizer.config)
    assert calls and on
    calls.clear()
    off, _ = recognizer.decode(audio, beam_size=5, config=replace(recognizer.config, mandarin_vocabulary=False))
    assert not calls and off
