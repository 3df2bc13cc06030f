"""Vosk (Kaldi) behind the streaming recognizer interface: partials, finals and word times.

One :class:`VoskRecognizer` loads a model folder once; each session has its own ``KaldiRecognizer``
(16 kHz, words and partial words on). Vosk finds utterance ends itself: when ``AcceptWaveform``
returns True the utterance is final and the recogniser starts the next one; its word times run on
from the start of the stream, so they only need the session's ``start`` offset added.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

from asr.errors import ModelError
from asr.models import default_models_dir, missing_files
from asr.types import SAMPLE_RATE, Utterance, Word

log = logging.getLogger(__name__)

VOSK_REQUIRED = ("am/final.mdl", "conf/model.conf")
FEED_BYTES = 2 * SAMPLE_RATE // 5
"""Bytes fed to Kaldi per call (0.2 s): small enough that an endpoint is never skipped inside a chunk."""


def resolve_model_path(model: str | Path, models_dir: Path | None = None) -> Path:
    """A Vosk model given as a folder path or as a name under ``models_dir``; checks the folder is complete."""
    root = Path(models_dir) if models_dir else default_models_dir()
    candidates = [Path(model)] if Path(model).is_dir() else []
    candidates.append(root / str(model))
    path = next((p for p in candidates if p.is_dir()), None)
    if path is None:
        raise ModelError(
            f"Vosk model {str(model)!r} not found; unpack it (e.g. vosk-model-small-cn-0.22 from "
            f"https://alphacephei.com/vosk/models) into {root}/",
            where=str(candidates[-1]),
        )
    missing = missing_files(path, VOSK_REQUIRED)
    if missing:
        raise ModelError(f"incomplete Vosk model folder: missing {', '.join(missing)}", where=str(path / missing[0]))
    return path


def _grammar_json(grammar: list[str] | None) -> str | None:
    return json.dumps(list(grammar), ensure_ascii=False) if grammar else None


class VoskRecognizer:
    """One loaded Vosk model shared by many sessions (each session owns its KaldiRecognizer)."""

    name = "vosk"
    decodes_whole_channel = False
    """Vosk streams only: its sessions take no ``offline`` option."""

    def __init__(self, model: str | Path, *, models_dir: Path | None = None, log_level: int = -1,
                 max_alternatives: int = 0, grammar: list[str] | None = None) -> None:
        import vosk

        vosk.SetLogLevel(log_level)
        self.model_path = resolve_model_path(model, models_dir)
        try:
            self.model = vosk.Model(str(self.model_path))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise ModelError(f"cannot load Vosk model: {exc}", where=str(self.model_path)) from exc
        self.max_alternatives = max_alternatives
        self.grammar = _grammar_json(grammar)
        """Phrases the decoder may output (Vosk runtime grammar, dynamic-graph models only); None = full LM."""
        log.info("loaded Vosk model %s", self.model_path)

    def with_grammar(self, grammar: list[str] | None) -> VoskRecognizer:
        """The same loaded model restricted to ``grammar`` (phrases; include "[unk]" for out-of-grammar speech)."""
        clone = copy.copy(self)
        clone.grammar = _grammar_json(grammar)
        return clone

    def open_session(self, speaker: str, *, start: float = 0.0, partials: bool = True) -> VoskSession:
        """A new streaming session; times are offset by ``start`` seconds."""
        return VoskSession(self, speaker, start=start, partials=partials)


class VoskSession:
    """One channel's Kaldi recogniser: :meth:`accept` PCM, :meth:`finish` to flush."""

    def __init__(self, recognizer: VoskRecognizer, speaker: str, *, start: float = 0.0,
                 partials: bool = True) -> None:
        import vosk

        self.speaker = speaker
        self.start = start
        self.partials = partials
        if recognizer.grammar:
            self._rec = vosk.KaldiRecognizer(recognizer.model, SAMPLE_RATE, recognizer.grammar)
        else:
            self._rec = vosk.KaldiRecognizer(recognizer.model, SAMPLE_RATE)
        self._rec.SetWords(True)
        self._rec.SetPartialWords(True)
        self._fed = 0          # samples fed so far
        self._utt_start = 0    # sample index where the current utterance began (estimate)
        self._last_partial = ""

    def accept(self, pcm: bytes) -> list[Utterance]:
        """Feed 16-bit 16 kHz mono PCM; returns new partial and final utterances."""
        out: list[Utterance] = []
        ended = False
        for i in range(0, len(pcm), FEED_BYTES):
            piece = pcm[i : i + FEED_BYTES]
            self._fed += len(piece) // 2
            ended = self._rec.AcceptWaveform(piece)
            if ended:
                out.extend(self._final(self._rec.Result()))
        if self.partials and pcm and not ended:  # one partial per call: partial word alignment is not free
            out.extend(self._partial(self._rec.PartialResult()))
        return out

    def finish(self) -> list[Utterance]:
        """Flush the last utterance and reset the recogniser."""
        out = self._final(self._rec.FinalResult())
        self._rec.Reset()
        return out

    def _partial(self, raw: str) -> list[Utterance]:
        res = json.loads(raw)
        text = res.get("partial", "").strip()
        if not text or text == self._last_partial:
            return []
        self._last_partial = text
        words = res.get("partial_result") or []
        start = float(words[0]["start"]) if words else self._utt_start / SAMPLE_RATE
        end = self._fed / SAMPLE_RATE
        return [Utterance(self.speaker, text, self.start + start, self.start + end, final=False)]

    def _final(self, raw: str) -> list[Utterance]:
        res = json.loads(raw)
        text = res.get("text", "").strip()
        utt_start = self._utt_start
        self._utt_start = self._fed
        self._last_partial = ""
        if not text:
            return []
        words = tuple(
            Word(w["word"], self.start + float(w["start"]), self.start + float(w["end"]), float(w.get("conf", 1.0)))
            for w in res.get("result", [])
        )
        if words:
            start, end = words[0].start, words[-1].end
            conf = sum(w.confidence for w in words) / len(words)
        else:
            start, end, conf = self.start + utt_start / SAMPLE_RATE, self.start + self._fed / SAMPLE_RATE, 1.0
        return [Utterance(self.speaker, text, start, end, final=True, words=words, confidence=conf)]
