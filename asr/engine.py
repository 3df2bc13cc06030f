"""The recognizer interface every ASR engine implements, engine choice, and a whole-file helper.

A :class:`Recognizer` holds one loaded model and is shared; each channel of each call opens its own
:class:`RecognizerSession`, feeds it 16-bit 16 kHz mono PCM and gets partial and final utterances back.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from asr.errors import ModelError
from asr.types import SAMPLE_RATE, Utterance

log = logging.getLogger(__name__)

ENGINES = ("auto", "whisper", "vosk")


@runtime_checkable
class RecognizerSession(Protocol):
    """One channel's streaming recognition; not shared between threads."""

    def accept(self, pcm: bytes) -> list[Utterance]:
        """Feed 16-bit 16 kHz mono PCM; returns partial (``final=False``) and final utterances."""
        ...

    def finish(self) -> list[Utterance]:
        """Flush: the remaining final utterance(s)."""
        ...


@runtime_checkable
class Recognizer(Protocol):
    """One loaded model, shared; thread-safe to open many sessions at once."""

    name: str
    """The engine's name, for logs and the server's listing only — never for deciding what it can do."""
    decodes_whole_channel: bool
    """Capability: ``open_session(..., offline=True)`` gives a session that keeps the channel's audio and
    decodes it whole at ``finish()`` (offline whole-channel decoding: fewer model passes, more context for a
    recorded call). An engine without it (Vosk, which streams only) must not be passed ``offline``; use
    :func:`offline_options`."""

    def open_session(self, speaker: str, *, start: float = 0.0, partials: bool = True) -> RecognizerSession:
        """A new session for ``speaker``; times are offset by ``start`` s; ``partials=False`` = finals only.
        Engines with :attr:`decodes_whole_channel` also take ``offline=True``."""
        ...


def decodes_whole_channel(recognizer: object) -> bool:
    """Whether ``recognizer`` can decode a whole channel offline (its :attr:`Recognizer.decodes_whole_channel`)."""
    return bool(getattr(recognizer, "decodes_whole_channel", False))


def offline_options(recognizer: object, *, whole_channel: bool) -> dict[str, bool]:
    """The ``open_session`` option asking for whole-channel decoding, when wanted and the engine can do it."""
    return {"offline": True} if whole_channel and decodes_whole_channel(recognizer) else {}


def choose_engine(requested: str = "auto", models_dir: Path | None = None) -> tuple[str, str]:
    """Pick the engine: a Vosk Mandarin model in ``models_dir`` → Vosk, else the embedded Whisper base.

    Returns ``(engine name, reason text)``; an explicit ``whisper``/``vosk`` request is honoured.
    """
    from asr.models import default_models_dir, find_vosk_mandarin

    root = Path(models_dir) if models_dir else default_models_dir()
    if requested not in ENGINES:
        raise ModelError(f"unknown engine {requested!r}; expected one of {', '.join(ENGINES)}", where="engine")
    if requested == "whisper":
        return "whisper", "Whisper base requested"
    found = find_vosk_mandarin(root)
    if requested == "vosk":
        if found is None:
            return "vosk", f"Vosk requested; no Vosk Mandarin model in {root} (a model path must be given)"
        return "vosk", f"Vosk requested; model {found.name} found in {root}"
    if found is not None:
        return "vosk", f"Vosk model {found.name} found in {root}"
    return "whisper", f"no Vosk Mandarin model in {root}; using the embedded Whisper base"


def make_recognizer(
    engine: str = "auto",
    *,
    models_dir: Path | None = None,
    language: str = "zh",
    prompt: str | None = None,
    hotwords: str | None = None,
    **opts,
) -> Recognizer:
    """Load the chosen engine's model and return a shared :class:`Recognizer`.

    ``opts`` go to the engine: Vosk takes ``model`` (path or name); Whisper takes ``cpu_threads``,
    ``beam_size``, ``partial_interval``, ``vad`` and the endpointer settings of
    :class:`asr.whisper_engine.WhisperConfig`.
    """
    name, reason = choose_engine(engine, models_dir)
    log.info("ASR engine %s: %s", name, reason)
    if name == "vosk":
        from asr.vosk_engine import VoskRecognizer

        model = opts.pop("model", None)
        if model is None:
            from asr.models import default_models_dir, find_vosk_mandarin

            model = find_vosk_mandarin(Path(models_dir) if models_dir else default_models_dir())
            if model is None:
                raise ModelError(reason, where="engine=vosk")
        return VoskRecognizer(model, models_dir=models_dir, **opts)
    from asr.whisper_engine import WhisperRecognizer

    return WhisperRecognizer(models_dir=models_dir, language=language, prompt=prompt, hotwords=hotwords, **opts)


def transcribe_channel(
    recognizer: Recognizer,
    samples_int16_16k: np.ndarray,
    speaker: str,
    *,
    chunk_ms: int = 100,
    start: float = 0.0,
) -> list[Utterance]:
    """Run a whole channel through a fresh session in ``chunk_ms`` blocks; returns the final utterances."""
    samples = np.asarray(samples_int16_16k, dtype=np.int16)
    step = max(1, SAMPLE_RATE * chunk_ms // 1000)
    session = recognizer.open_session(speaker, start=start, partials=False)
    finals: list[Utterance] = []
    for i in range(0, len(samples), step):
        finals.extend(u for u in session.accept(samples[i : i + step].astype("<i2").tobytes()) if u.final)
    finals.extend(u for u in session.finish() if u.final)
    return finals
