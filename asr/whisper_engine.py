"""faster-whisper (CTranslate2) behind the streaming recognizer interface: the embedded default engine.

Whisper is not a streaming model, so each session cuts utterances with Silero VAD (the model that
faster-whisper ships) run frame by frame: an utterance ends after ``end_silence`` seconds of non-speech
or at ``max_utterance`` seconds. While an utterance grows, the audio after its settled words (local agreement
on a bounded window, ``partial_window``) is decoded cheaply (beam 1) every ``partial_interval`` seconds of new
audio and the text is emitted as a partial; when it ends it is
decoded with ``beam_size`` and emitted as the final. Each live decode encodes the utterance plus
``window_pad`` seconds of silence rather than a full 30 s window (see :class:`WhisperConfig`).
Partials are provisional, finals are what the analysis needs: when a partial decode costs more than
half the audio it covers (a slow or busy CPU), the interval stretches to twice the measured partial
cost, so partials never starve the finals.
Whisper base often writes Mandarin in traditional characters; Chinese text leaves the engine in
simplified characters (OpenCC t2s), as agents read it.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from asr.audio import pcm_to_array
from asr.chinese import t2s
from asr.errors import ModelError
from asr.memory import keep_freed_memory
from asr.models import WHISPER_BASE, default_models_dir, ensure_whisper_base, missing_files
from asr.types import SAMPLE_RATE, Utterance, Word

log = logging.getLogger(__name__)

VAD_FRAME = 512
"""Samples per Silero VAD frame (32 ms at 16 kHz)."""
_VAD_CONTEXT = 64
WHISPER_REQUIRED = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class WhisperConfig:
    """Decoding and endpointing settings of the Whisper engine."""

    language: str = "zh"
    beam_size: int = 5
    """Beam for final decodes."""
    partial_beam_size: int = 1
    """Beam for the provisional re-decodes."""
    partial_interval: float = 1.0
    """Seconds of new audio between partial re-decodes (at least; see ``partial_budget``); 0 disables partials."""
    partial_budget: float = 0.5
    """Largest share of real time that partial re-decodes may take: the interval between partials is
    at least ``partial cost / partial_budget`` seconds of audio (cost = wall seconds of the recent partial
    decodes, shared by all sessions of the recognizer). On a fast CPU (a partial in 0.2 s) the interval
    stays at ``partial_interval``; here (15-30 s per encoder pass) partials become rare and finals timely."""
    partial_window_pad: float = 3.0
    """Seconds of silence after the audio in a partial re-decode's encoder window (``window_pad`` for partials)."""
    initial_prompt: str | None = None
    hotwords: str | None = None
    vad: bool = True
    """Silero VAD endpointing; False = energy threshold only (for tests and odd audio)."""
    vad_threshold: float = 0.5
    """Speech probability that starts speech."""
    vad_neg_threshold: float = 0.35
    """Speech probability below which a frame counts as silence."""
    energy_threshold_db: float = -45.0
    """dBFS: frames quieter than this are silence whatever the VAD says."""
    end_silence: float = 0.6
    """Seconds of silence that end an utterance."""
    max_utterance: float = 20.0
    """Seconds: an utterance is cut here even without a pause."""
    min_speech: float = 0.2
    """Seconds of speech below which a segment is dropped as a click."""
    pre_roll: float = 0.5
    """Seconds of audio kept before the start of speech (never before the channel's previous endpoint: the history
    restarts there); the start is where ``onset_threshold`` puts it. Session 13: 0.3 s lost first syllables
    (「好…」, 「但是…」) at 8 kHz. Session 16: 0.8 s instead of the onset look-back kept the clips' first syllables as
    well (8 kHz clips x 5 shifts 173 → 166 errors) but cost the fixtures 309 → 343 (every utterance, the carried
    ones too, 0.3 s longer)."""
    onset_threshold: float = 0.15
    """Speech starts where Silero's probability last rose above this before the frame that started speech
    (``vad_threshold``), at most ``onset_lookback`` seconds earlier: hysteresis at the onset, as
    ``vad_neg_threshold`` is at the end. Through the 8 kHz band Silero stays at 0.2-0.49 for up to 0.5 s of a
    soft first syllable before it passes 0.5: the NET clip started 17.3 or 52 ms later lost its 「我」
    (「有的人说得清楚…」) with 0.5 s of pre-roll alone. 0 = off (the pre-roll counts from the trigger frame)."""
    onset_lookback: float = 1.0
    """Seconds before the trigger frame the onset may be moved back at most."""
    post_roll: float = 0.3
    """Seconds of the trailing silence kept after the end of speech (at most ``early_final`` and
    ``end_silence``): all the silence the early final has waited for, so the decoder hears the last syllable die
    away (file mode keeps 0.6 s of audio after the speech); the early final starts at the same frame as with 0.2 s.
    Session 16, clips x 5 shifts with the onset look-back: 0.2 → 0.3 s: 8 kHz live 175 → 161 errors / 685 (the
    meeting clip 119 → 110; the 1 s NST_ID003 clip once read 「我认识了」 for 「哦」), 16 kHz 121 → 119; fixtures
    311 → 320 / 2285 (as recorded; with a 0.8 s pre-roll 343 → 325); final p95 the same. 0.4 s (with
    ``early_final`` 0.4): no better, p95 0.1 s later. The single run of session 14 had shown no gain: one draw."""
    file_vad_min_silence: float = 0.6
    """Recordings (:meth:`WhisperRecognizer.transcribe`): seconds of non-speech that split the speech into
    VAD chunks (as the live endpointer's ``end_silence``; faster-whisper's default is 2 s, which on the
    fixtures made one call of twelve lose its service type)."""
    file_temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    """Recordings: faster-whisper's temperature fallback (its default): a window whose greedy/beam decode looks
    unreliable (average log-probability below -1, compression ratio above 2.4) is sampled again at the next
    temperature — at random, so such a window's text may differ from run to run. ``(0.0,)`` decodes without it
    (deterministic; the tests that compare file mode with live's file-form decode use it)."""
    file_vad_pad: float = 0.6
    """Recordings: seconds of audio kept on each side of a speech chunk, so the decoder hears onsets and
    trailing syllables (Silero VAD trims both). On the 9 Mandarin reference clips of ``python -m benchmarks.asr`` (file mode, beam 5, 2026-11-29):
    chunks split at 0.6 s with 0.2 s pad → 30 errors / 137 chars; faster-whisper's 2 s / 0.4 s → 26;
    2 s with 0.6, 0.8 or 1.0 s pad → 24 each, and 0.6 s with 0.6 s pad → 24 (the spontaneous meeting clip
    gains most). At 0.8 s Whisper dropped the second of FX-08's two identical greetings (9 s apart); at
    0.4, 0.5 and 0.6 s it writes both. End-to-end fixture results per setting: README, "ASR on this machine"."""
    cpu_threads: int = 0
    """CTranslate2 threads; 0 = ``min(4, os.cpu_count())``."""
    window_pad: float = 3.0
    """Live utterances (:meth:`WhisperRecognizer.decode`): the encoder sees the utterance plus this many
    seconds of silence instead of a full 30 s window; 0 = always the full window. The encoder's cost grows
    with the square of the window (attention), so a 4 s utterance costs a fraction of a 30 s pass; the
    trailing silence tells the decoder where speech ends, as the silence-padded windows it was trained on
    do. Measured 2026-11-29 on the 9 Mandarin reference clips (``benchmarks.asr``), each decoded whole (beam 5, one
    core): full window 25 errors / 137 chars in 69 CPU-s; 1, 3, 5 s of silence: 27, 26, 28 errors in
    23-25 CPU-s. A decode that looks like a runaway (compressible text, or the token limit reached) is
    redone on the full window."""
    context_chars: int = 48
    """Live utterances: the last ``context_chars`` characters of the channel's previous finals go to the
    decoder as its prompt (Whisper's "previous text"), so a short utterance is decoded in the context of
    the call; 0 = no context. Measured in ``python -m benchmarks.asr --mode both`` (docs/live-asr.md)."""
    carry_gap: float = 30.0
    """Live utterances: when an utterance starts within this many seconds of the end of the channel's
    previous one, it is decoded together with the channel's recent utterances' audio (at most
    ``carry_seconds``, silences between them shortened to 0.3 s, as file mode packs VAD chunks), whose
    final text is forced as the decoder's prefix: the decoder hears the words before the pause and only
    writes what is new. 0 = off (each utterance alone). On the 12 fixture calls (one core, 2026-12-02):
    live CER 19.5 % alone, 18.6 % with only the previous utterance within 1.5 s, 16.7 % with 5 s carried,
    14.5 % with 10 s carried — file mode's 14.5 % — at about twice the decode cost (docs/live-asr.md)."""
    carry_seconds: float = 10.0
    carry_window: float = 15.0
    """Seconds of carried and new audio together at most (whole carried utterances, newest kept; 0 = no limit):
    a long utterance has context enough of its own, and the decoder steps through the carried text token by
    token (CTranslate2 forces a prefix one step at a time: it costs as much as new text), so long carried
    decodes set the final-text p95. Fixtures, one run each at load 3-7 (2026-12-03): no limit 322 errors,
    final p95 1.71 s; 15 s 310 errors, p95 1.41 s."""
    """Seconds of the channel's recent utterances carried at most (whole utterances, newest kept)."""
    live_hotwords: str | None = None
    """Live utterances only: words the decoder is told to expect (faster-whisper's ``hotwords``: they go
    before the context in the prompt), e.g. the greeting and the court's names from the phrasebook
    (``copilot.session.recording.live_hotwords``). Recordings (file mode) keep ``hotwords``."""
    early_final: float = 0.3
    """Live utterances: seconds of silence after which the final decode starts, before ``end_silence``
    confirms the end (at least ``post_roll``, so the decoded audio is exactly the final's; 0 = off). When
    speech resumes first the decode is thrown away; otherwise its text is the final, ready up to
    ``end_silence - early_final`` seconds sooner. The finals are the same text; only latency and CPU change."""
    hold_confidence: float = 0.7
    """Live utterances, look-back: a final decode less sure of itself than this (exp of the mean token
    log-probability) is not emitted at once (nor shown as a partial); its audio stays the start of the
    utterance: when speech resumes within ``hold_silence`` seconds of its end, the two are decoded as one
    utterance at the next endpoint (as file mode decodes the speech around a pause in one window); otherwise
    the held text becomes the final. 0 = off. Whisper base cannot read the first 6 s of the meeting clip at
    8 kHz alone (confidence 0.2-0.35, invented text) but reads it with the next 4 s (docs/live-asr.md)."""
    hold_silence: float = 1.0
    """Seconds of silence after a held utterance before its text becomes the final (1.5 s until session 13:
    held finals then set the final-text p95)."""
    agent_opening: str | None = None
    """Live, the agent's channel only: the text its context starts with, replaced by the channel's first final
    (the first utterance of a call has no context). The product gives the phrasebook's standard greeting
    (``copilot.session.factory.agent_opening``): Whisper base then writes the agents' opening 您好 instead of
    你好; fixtures 334 → 328 errors (docs/live-asr.md). The caller's channel starts empty."""
    opening_hotwords: str | None = None
    """Live, the agent's channel, while ``agent_opening`` lasts (its first final): words the decoder is told to
    expect (faster-whisper's hotwords), e.g. the court's own names, which an agent says in the opening line."""
    commit_partials: bool = False
    """Live partials, local agreement: the prefix on which the last two partial decodes of the utterance
    agreed (``stable``) is committed and forced as the next partial decode's prefix, so each partial decodes
    only the words after it (the encoder still hears the whole utterance); the shown text never takes back
    a committed character. False: every partial re-decodes the whole utterance."""
    alone_as_file: float = 4.0
    """Live final decodes of an utterance decoded alone (nothing carried before it) and at most this many
    seconds long are decoded as file mode decodes a window: its log-Mel features zero-padded to the full 30 s
    (not the audio padded with silence), all frames but the last as faster-whisper decodes them, and timestamp mode
    (the timestamps are dropped from the text), so live reads such an utterance as file mode reads the same samples
    (``tests/asr/test_live_bounded.py``). 0 = off. On the 9 clips (2026-12-03, one run
    each): 16 kHz 24 → 20 errors (file mode 21), 8 kHz 38 → 30 (file mode 29); timestamp mode alone on the
    short window: 24 / 28. It costs one 30 s encoder pass (≈ 0.45 CPU-s here) and a decoder reading 1500
    frames; longer utterances (their own audio fills most of the window anyway) keep the short window: decoded
    this way they took 1.0-1.3 CPU-s and set the final-text p95 on the fixtures. Carried decodes keep the
    short window without timestamps: a forced text prefix in timestamp mode made Whisper base write 「Ｇ」/「？」
    between clauses and took longer. 8 s until session 18, 4 s since: on a slower host (30 s encoder pass 0.72 CPU-s)
    the clips read the same (5 offsets: 16 kHz 115, 8 kHz 165 errors; the meeting clip over 4 offsets the same),
    fixtures 312 vs 309 (295 vs 299 with numerals either way), unseen fresh14 calls 1188 vs 1221; final p50 1.17 vs
    1.32 s, p95 1.82 vs 1.80-1.89 s (fresh14 1.99 vs 2.10 s); decodes alone CPU p50 0.81 vs 1.14 s."""
    partial_window: float = 4.0
    """Live partials, local agreement with a bounded window: a partial decodes only the audio after the
    words already settled, with their text as the decoder's previous text. When that audio grows past
    ``partial_window`` seconds, the words two consecutive partials agreed on that end at least
    ``partial_margin`` seconds before the audio's end are settled (timed by the decoder's cross-attention) and
    their audio leaves the window (past twice the window the older words are settled without agreement), so
    a partial's cost stays bounded however long the utterance. 0 = every partial re-decodes the whole
    utterance. Finals always decode the whole utterance."""
    partial_margin: float = 1.0
    """Seconds before the end of the audio within which words are not settled (the end of a hypothesis changes)."""
    partial_max_lag: float = 0.15
    """Live partials: no partial decode while the session's processing is more than this many seconds behind
    the audio (time of its decodes minus the audio received meanwhile, e.g. just after a final's decode):
    such a partial would come out stale; the next one comes once the session has caught up."""
    context_min_confidence: float = 0.0
    """A final joins the context only when its confidence (exp of the mean token log-probability) is at
    least this: a garbled final would mislead the next decode."""
    carried_min_chars: float = 0.4
    """Live carried decodes: a carried decode that writes fewer distinct characters than this per second of the new
    utterance's audio (at least 3 s of it) is checked against the utterance decoded alone, and the reading with more
    distinct characters is kept. After a forced prefix Whisper base sometimes closes the text with a filler: on a
    noisy line (fresh16 U16-004, 8 dB SNR) 7 s of speech came out as 「啊」 at confidence 0.90, and as the prefix of the
    next decodes 「啊啊啊」, 「对对对对对」. 0 = off. Session 20, live errors off / 0.4: fresh16 1117 / 1082 (that caller
    119 / 84, file mode 77; one extra decode), fresh17 (written after) 1071 / 1069 (two extra decodes); fixtures 306,
    clips 115 / 164 and fresh15 1260 the same text (the check never fired)."""
    mandarin_vocabulary: bool = True
    """Live decodes (finals and partials; ``language`` zh): the decoder scores only the tokens a Mandarin
    transcript can use (:mod:`asr.vocabulary`: CJK, punctuation, digits, at most two Latin letters, UTF-8
    fragments; 7172 of 51 865), so each step reads a 7172-row output layer instead of 51 865 rows. The encoder
    pass is the full model's. Session 20 (docs/live-asr.md): the same 44 beam-5 decodes took 8.2 instead of
    13.4 CPU-s, 42 of them the same text. Recordings (file mode) keep the full vocabulary."""

    @property
    def uses_mandarin_decoder(self) -> bool:
        """Whether live decodes go through the Mandarin-vocabulary decoder (``mandarin_vocabulary``, language zh)."""
        return self.mandarin_vocabulary and self.language == "zh"


class _SileroStream:
    """Silero VAD run frame by frame with its recurrent state kept between calls."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session  # onnxruntime session, thread-safe to run
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, _VAD_CONTEXT), dtype=np.float32)

    def __call__(self, frame: np.ndarray) -> float:
        x = np.concatenate([self._context, frame.reshape(1, -1)], axis=1).astype(np.float32)
        out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = x[:, -_VAD_CONTEXT:]
        return float(np.asarray(out).reshape(-1)[0])


def engine_threads(cpu_threads: int = 0) -> int:
    """CTranslate2 threads for ``cpu_threads`` (``WhisperConfig.cpu_threads``; 0 = ``min(4, os.cpu_count())``)."""
    return cpu_threads or min(4, os.cpu_count() or 1)


def load_whisper_model(models_dir: Path | None = None, *, cpu_threads: int = 0, model_path: Path | None = None):
    """Load Whisper base (assembled on first use) with faster-whisper, fully offline, int8 on CPU."""
    from faster_whisper import WhisperModel

    if model_path is None:
        model_path = ensure_whisper_base(models_dir)
    model_path = Path(model_path)
    missing = missing_files(model_path, WHISPER_REQUIRED)
    if missing:
        raise ModelError(f"incomplete Whisper model folder: missing {', '.join(missing)}",
                         where=str(model_path / missing[0]))
    threads = engine_threads(cpu_threads)
    keep_freed_memory()  # before CTranslate2 starts its threads: about 2x faster encoder passes, see asr.memory
    try:
        return WhisperModel(str(model_path), device="cpu", compute_type="int8", cpu_threads=threads,
                            local_files_only=True)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(f"cannot load Whisper model: {exc}", where=str(model_path)) from exc


class WhisperRecognizer:
    """One Whisper base model shared by any number of sessions (CTranslate2 is thread-safe)."""

    name = "whisper"
    decodes_whole_channel = True
    """``open_session(offline=True)`` transcribes the whole channel at the end (:class:`WhisperFileSession`)."""

    def __init__(
        self,
        *,
        models_dir: Path | None = None,
        language: str = "zh",
        prompt: str | None = None,
        hotwords: str | None = None,
        model_path: Path | None = None,
        **opts,
    ) -> None:
        unknown = set(opts) - set(WhisperConfig.__dataclass_fields__)
        if unknown:
            raise ModelError(f"unknown Whisper option(s): {', '.join(sorted(unknown))}", where="engine=whisper")
        self.config = WhisperConfig(language=language, initial_prompt=prompt, hotwords=hotwords, **opts)
        root = Path(models_dir) if models_dir else default_models_dir()
        self.model_path = Path(model_path) if model_path else root / WHISPER_BASE
        self.model = load_whisper_model(models_dir, cpu_threads=self.config.cpu_threads, model_path=model_path)
        self._lock = threading.Lock()
        self._mandarin = None  # (CTranslate2 Whisper with the Mandarin vocabulary, VocabularyMap), on first need
        self._mandarin_lock = threading.Lock()
        self._tokenizers: dict = {}
        self.partial_cost = 0.0
        """Wall seconds of a partial decode (exponential average over all sessions; 0 before the first)."""
        self.clock = time.perf_counter
        """The clock that times decodes for the partials' pacing (wall time; the benchmark, which simulates one
        dedicated core on the process's CPU time, sets ``time.process_time``)."""

    def mandarin_decoder(self):
        """(decoder with the Mandarin vocabulary, :class:`asr.vocabulary.VocabularyMap`), loaded once: by the
        first live session (recordings never need it), about 0.3 s here."""
        with self._mandarin_lock:
            if self._mandarin is None:
                from asr.vocabulary import load_mandarin_decoder

                self._mandarin = load_mandarin_decoder(self.model_path,
                                                       cpu_threads=engine_threads(self.config.cpu_threads))
            return self._mandarin

    def open_session(self, speaker: str, *, start: float = 0.0, partials: bool = True, offline: bool = False,
                     **overrides) -> WhisperSession | WhisperFileSession:
        """A new streaming session; ``overrides`` replace :class:`WhisperConfig` fields for it.

        ``offline=True`` (recorded calls): the session keeps the channel's audio and transcribes it whole
        on :meth:`WhisperFileSession.finish` (see :meth:`transcribe`); nothing comes out before that.
        """
        if not partials:
            overrides["partial_interval"] = 0.0
        cfg = replace(self.config, **overrides) if overrides else self.config
        if offline:
            return WhisperFileSession(self, speaker, start=start, config=cfg)
        if cfg.uses_mandarin_decoder:
            self.mandarin_decoder()  # loaded before the call's audio comes, not at its first decode
        if cfg.partial_interval > 0 and cfg.partial_budget > 0:
            self.calibrate(cfg)
        return WhisperSession(self, speaker, start=start, config=cfg)

    def calibrate(self, config: WhisperConfig) -> None:
        """Measure what a partial decode costs on this machine, once, before the first live session: one
        decode of a second of silence (its text is discarded). Without it the first utterance of a call
        would pay for a partial that a slow CPU cannot afford (15-30 s here, 0.2-0.5 s on a desktop)."""
        with self._lock:
            if not self.partial_cost:
                self.decode_partial(np.zeros(SAMPLE_RATE, dtype=np.float32), config=config)
                log.info("Whisper partial decode costs %.2f s here; partials at most every %.1f s of audio",
                         self.partial_cost, self.partial_gap(config))

    def decode_partial(self, audio: np.ndarray, *, config: WhisperConfig, context: str = "",
                       prefix: str = "") -> tuple[str, float]:
        """A provisional re-decode (``partial_beam_size``); its wall time updates :attr:`partial_cost`.
        ``prefix``: text forced as the start (returned without it; empty when the decode failed)."""
        t0 = self.clock()
        try:
            if config.partial_window_pad != config.window_pad:
                config = replace(config, window_pad=config.partial_window_pad)
            return self.decode(audio, beam_size=config.partial_beam_size, config=config, context=context,
                               prefix=prefix, full_window=False)
        finally:
            cost = self.clock() - t0
            self.partial_cost = cost if not self.partial_cost else 0.5 * self.partial_cost + 0.5 * cost

    def decode_partial_words(self, audio: np.ndarray, *, config: WhisperConfig,
                             context: str = "") -> tuple[list[tuple[str, float, float]], float] | None:
        """A provisional decode of ``audio`` (greedy, short window, ``context`` as the decoder's previous text)
        as (words, confidence), each word (text, start, end) in seconds of ``audio``; None when it looks like a
        runaway.
        Its wall time updates :attr:`partial_cost`."""
        t0 = self.clock()
        try:
            cfg = replace(config, window_pad=config.partial_window_pad)
            prompt = "".join(p for p in (config.initial_prompt, context) if p) or None
            out = self._decode_short_window(audio, beam_size=config.partial_beam_size, config=cfg, prompt=prompt,
                                            words=True)
            return None if out is None else (out[2], out[1])
        finally:
            cost = self.clock() - t0
            self.partial_cost = cost if not self.partial_cost else 0.5 * self.partial_cost + 0.5 * cost

    def partial_gap(self, config: WhisperConfig) -> float:
        """Seconds of new audio to wait before the next partial re-decode."""
        if config.partial_budget <= 0:
            return config.partial_interval
        return max(config.partial_interval, self.partial_cost / config.partial_budget)

    def decode(self, audio: np.ndarray, *, beam_size: int, config: WhisperConfig,
               context: str = "", prefix: str = "", full_window: bool = True) -> tuple[str, float]:
        """Decode float32 16 kHz audio (one utterance); returns (text, confidence 0..1).

        ``context``: text said before on this channel, given to the decoder as its previous text after the
        configured ``initial_prompt``. ``full_window=False`` (partials): a short-window decode that looks
        like a runaway gives no text instead of the full-window redo (with its temperature fallback that
        took up to 9 s here: partials are provisional, the final decode redoes it). A final decoded alone on
        file mode's window that breaks down is first redone on the short window without timestamps (one more
        small encoder pass), the full window only when that breaks down too: on the 12 unseen fresh13 calls
        (first agent utterance 「您好」 with the opening as context: 「您好ＧＧＧＧＧＧＧＧ�」) the first final came
        0.04-0.13 s sooner on average, the same text (docs/live-asr.md, session 17)."""
        prompt = "".join(p for p in (config.initial_prompt, context) if p) or None
        if config.window_pad > 0:
            short = self._decode_short_window(audio, beam_size=beam_size, config=config, prompt=prompt,
                                              prefix=prefix, final=full_window)
            if short is None and full_window and not prefix and \
                    0 < len(audio) / SAMPLE_RATE <= config.alone_as_file:
                # file mode's window (timestamp mode) broke down: the short window without timestamps first,
                # the full window (with its temperature fallback, seconds of CPU) only if that breaks down too
                short = self._decode_short_window(audio, beam_size=beam_size, config=config, prompt=prompt)
            if short is not None:
                return short
            if not full_window:
                return "", 0.0
        if prefix:
            return "", 0.0  # the carried decode failed; the caller decodes the utterance alone
        segments, _info = self.model.transcribe(
            audio,
            language=config.language,
            beam_size=beam_size,
            best_of=max(1, beam_size),
            initial_prompt=prompt,
            hotwords=config.hotwords,
            condition_on_previous_text=False,
            vad_filter=False,
            without_timestamps=True,
        )
        texts, logprobs = [], []
        for seg in segments:
            if seg.text.strip():
                texts.append(seg.text.strip())
                logprobs.append(seg.avg_logprob)
        conf = float(math.exp(sum(logprobs) / len(logprobs))) if logprobs else 0.0
        text = "".join(texts) if config.language in ("zh", "ja") else " ".join(texts)
        once = collapse_repeats(text)
        if once != text:
            log.info("full-window decode repeats itself; keeping one copy: %s", text)
        return simplified(once, config.language), min(1.0, conf)

    def _decode_short_window(self, audio: np.ndarray, *, beam_size: int, config: WhisperConfig,
                             prompt: str | None = None, prefix: str = "",
                             final: bool = False, words: bool = False) -> tuple | None:
        """One encoder pass over the utterance plus ``window_pad`` s of silence (at most 30 s) and one beam
        search without timestamps; a final decode of an utterance alone with ``alone_as_file``: file mode's
        window (zero features up to 30 s, timestamp mode). None when the result looks like a runaway (the
        caller then decodes the full window, where faster-whisper's temperature fallback applies).
        ``words``: also each word's (text, start, end) from the decoder's cross-attention."""
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_compression_ratio

        model = self.model
        seconds = len(audio) / SAMPLE_RATE
        stamps = file_form = final and not prefix and 0 < seconds <= config.alone_as_file
        pad = 0.5 if file_form else config.window_pad
        if seconds + pad >= 30.0 or not len(audio):
            return None
        if file_form:  # as faster-whisper pads a window: zero features after the speech, up to 30 s
            features = model.feature_extractor(audio.astype(np.float32, copy=False))
            # faster-whisper's content frames: all but the last, which its 160 samples of end padding add
            # (``content_frames = features.shape[-1] - 1``); keeping that frame changed the text
            features = features[:, : features.shape[-1] - 1]
            frames = model.feature_extractor.nb_max_frames
            features = np.pad(features[:, :frames], ((0, 0), (0, max(0, frames - features.shape[-1]))))
        else:
            padded = np.concatenate([audio.astype(np.float32, copy=False),
                                     np.zeros(int(config.window_pad * SAMPLE_RATE), dtype=np.float32)])
            features = model.feature_extractor(padded)
            frames = min(model.feature_extractor.nb_max_frames, features.shape[-1] - features.shape[-1] % 2)
        encoded = model.encode(np.ascontiguousarray(features[:, :frames]))
        tok = self._tokenizers.get(config.language)
        if tok is None:
            tok = self._tokenizers[config.language] = Tokenizer(
                model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=config.language)
        max_tokens = min(model.max_length // 2, 10 + int((17 if stamps else 15) * seconds))  # Mandarin: ~5 chars/s, ≤2 tokens each
        lead: list[int] = []
        if prompt or config.hotwords:  # as faster-whisper lays out a prompt: sot_prev, hotwords, previous text
            lead = [tok.sot_prev]
            if config.hotwords:
                lead += tok.encode(" " + config.hotwords.strip())[: model.max_length // 4]
            if prompt:
                lead += tok.encode(" " + prompt.strip())[-(model.max_length // 4):]
        ids = lead + list(tok.sot_sequence) + ([] if stamps else [tok.no_timestamps])
        forced: list[int] = []
        if prefix:  # forced: the decoder continues after the text already given for the carried audio
            forced = tok.encode(prefix.strip())[: model.max_length // 4]
            ids += forced
        decoder, vocab = model.model, None
        if config.uses_mandarin_decoder:
            decoder, vocab = self.mandarin_decoder()
            forced = vocab.to_old(vocab.to_new(forced))  # what the restricted decoder is given and returns
            ids = vocab.to_new(ids)
        result = decoder.generate(  # max_length counts the prompt too (as faster-whisper's max_new_tokens)
            encoded, [ids], beam_size=beam_size, patience=1.0,
            length_penalty=1.0, max_length=len(ids) + max_tokens, suppress_blank=True, suppress_tokens=[-1],
            return_scores=True)[0]
        produced = vocab.to_old(result.sequences_ids[0]) if vocab is not None else result.sequences_ids[0]
        tokens = [t for t in produced if t < tok.eot or t >= tok.timestamp_begin]
        if forced and tokens[: len(forced)] == forced:  # CTranslate2 returns the forced prefix too
            tokens = tokens[len(forced):]
        tokens = [t for t in tokens if t < tok.eot]
        text = tok.decode(tokens).strip()
        if len(result.sequences_ids[0]) >= max_tokens or (text and get_compression_ratio(text) > 2.4) or \
                _degenerate(text):
            log.info("short-window decode looks like a runaway (%d tokens); decoding the full window", len(tokens))
            return None
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1) if tokens else -math.inf
        conf = min(1.0, float(math.exp(avg_logprob))) if tokens else 0.0
        if words:  # word times from the decoder's cross-attention (faster-whisper's alignment), seconds in ``audio``
            timed = model.find_alignment(tok, [tokens], encoded, len(audio) // model.feature_extractor.hop_length)
            return text, conf, [(simplified(w["word"], config.language), float(w["start"]), float(w["end"]))
                                for w in (timed[0] if timed else []) if w["word"]]
        text = collapse_repeats(text)
        return simplified(text, config.language), conf

    def transcribe(self, samples: np.ndarray, speaker: str, *, start: float = 0.0,
                   beam_size: int | None = None, config: WhisperConfig | None = None) -> list[Utterance]:
        """Offline: one whole channel (int16 or float32, 16 kHz) → final utterances, as faster-whisper
        transcribes a file (Silero VAD on, speech packed into 30 s windows, beam ``beam_size``).

        Recorded calls (replay, scoring, ``copilot eval`` on recordings) need no endpointing: packing the
        speech into full windows costs one encoder pass per 30 s of speech instead of one per utterance,
        and the decoder sees more context.
        """
        audio = np.asarray(samples)
        if audio.dtype != np.float32:
            audio = audio.astype(np.float32) / 32768.0
        if not len(audio):
            return []
        cfg = config or self.config
        beam = beam_size or cfg.beam_size
        segments, _info = self.model.transcribe(
            audio,
            language=cfg.language,
            beam_size=beam,
            best_of=max(1, beam),
            initial_prompt=cfg.initial_prompt,
            hotwords=cfg.hotwords,
            condition_on_previous_text=False,
            temperature=list(cfg.file_temperatures),
            vad_filter=cfg.vad,
            vad_parameters={"min_silence_duration_ms": int(cfg.file_vad_min_silence * 1000),
                            "speech_pad_ms": int(cfg.file_vad_pad * 1000)},
            word_timestamps=True,
        )
        out: list[Utterance] = []
        for seg in segments:
            conf = min(1.0, float(math.exp(seg.avg_logprob)))
            words_all = [replace(w, word=simplified(w.word, cfg.language)) for w in seg.words or []]
            for words in _split_at_pauses(words_all, cfg.end_silence):
                text = "".join(w.word for w in words).strip() if cfg.language in ("zh", "ja") else \
                    " ".join(w.word.strip() for w in words).strip()
                if text:
                    out.append(Utterance(
                        speaker, text, start + float(words[0].start), start + float(words[-1].end), final=True,
                        words=tuple(Word(w.word.strip(), start + float(w.start), start + float(w.end),
                                         float(w.probability))
                                    for w in words),
                        confidence=conf))
        return out


REPEAT_MIN_CHARS = 4


def _first_repeat(t: str, min_chars: int) -> tuple[int, int] | None:
    """(start, size) of the longest stretch of ``t`` said twice in a row, if one has ``min_chars`` or more."""
    n = len(t)
    for size in range(n // 2, min_chars - 1, -1):
        for i in range(n - 2 * size + 1):
            if t[i:i + size] == t[i + size:i + 2 * size]:
                return i, size
    return None


def repeats_itself(text: str, min_chars: int = REPEAT_MIN_CHARS) -> bool:
    """A stretch of at least ``min_chars`` characters said twice in a row (punctuation and spaces ignored).

    On a short encoder window Whisper sometimes fills the silence after the speech by saying the utterance
    again (「我有的时候说的清楚你们知道吗我有的时候说的清楚你们知道吗」 from a 4 s clip at 8 kHz): the text is
    too short to compress well, so the compression-ratio test misses it. People do repeat two-character
    words (喂喂, 好的好的); four characters or more said twice in a row within one utterance is taken as the
    decoder looping. Measured on the 9 clips through the 8 kHz band (stream mode, one core, 2026-11-29):
    51.1 % CER with the repeats; 39.4 % redoing such decodes on the full window (RTF 0.38, final-text p95
    9.0 s: the full window loops too, and its temperature fallback costs); 40.1 % keeping one copy
    (:func:`collapse_repeats`; RTF 0.072, p95 1.0 s), which is what the engine does."""
    return _first_repeat("".join(ch for ch in text if ch.isalnum()), min_chars) is not None


def collapse_repeats(text: str, min_chars: int = REPEAT_MIN_CHARS) -> str:
    """``text`` with each stretch said twice or more in a row kept once (and the punctuation between the
    copies dropped): the full window can loop too (「我会给你当场的一个人,我会给你当场的一个人,…」)."""
    while True:
        pos = [i for i, ch in enumerate(text) if ch.isalnum()]
        found = _first_repeat("".join(text[i] for i in pos), min_chars)
        if found is None:
            return text
        i, size = found
        text = text[:pos[i + size - 1] + 1] + text[pos[i + 2 * size - 1] + 1:]


_BROKEN = re.compile(r"\ufffd|([^\u4e00-\u9fff\d])\1{3}")


def _distinct_words(text: str) -> int:
    """Distinct word characters of a decode (letters, digits, Han; not punctuation or spaces)."""
    return len({ch for ch in text if ch.isalnum()})


def _degenerate(text: str) -> bool:
    """A decode that broke down: a byte sequence that is no character (U+FFFD) or the same non-Han symbol four
    times running (FX-12's greeting with the opening as context once read 「为南行法院新疆ＧＧＧＧＧＧ�」)."""
    return _BROKEN.search(text) is not None


def agreed_prefix(previous: str, current: str) -> int:
    """Leading characters on which two consecutive hypotheses of one growing utterance agree (the local
    agreement policy of streaming Whisper): text both decodes wrote is unlikely to change again."""
    n = 0
    for a, b in zip(previous, current, strict=False):
        if a != b:
            break
        n += 1
    return n


def simplified(text: str, language: str) -> str:
    """Whisper's Chinese in simplified characters (it writes traditional ones for much Mandarin speech)."""
    return t2s().convert(text) if language == "zh" and text else text


SENTENCE_END = ("。", "？", "！", ".", "?", "!")


def _split_at_pauses(words: list, pause: float) -> list[list]:
    """Whisper often writes several turns of one channel as one segment; a silence of at least ``pause``
    seconds between two words ends an utterance, as the live endpointer would have ended it.

    Whisper times the first syllable after a silence too early, so it lands before the pause
    ("…帮助您。甚 | 至调解…"). When a sentence ended one or two words before the pause, the words after
    that sentence end start the next utterance."""
    groups: list[list] = []
    for w in words:
        if groups and w.start - groups[-1][-1].end < pause:
            groups[-1].append(w)
            continue
        carry: list = []
        if groups:
            g = groups[-1]
            ends = [x.word.strip().endswith(SENTENCE_END) for x in g]
            for k in (1, 2):
                if len(g) > k and ends[-k - 1] and not any(ends[-k:]):
                    carry = _retime_before(g[-k:], w.start)
                    del g[-k:]
                    break
        groups.append(carry + [w])
    return groups


def _retime_before(words: list, t: float, longest: float = 0.3) -> list:
    """The carried words, each at most ``longest`` seconds, placed right before ``t``."""
    out = []
    for x in reversed(words):
        d = min(longest, max(0.0, x.end - x.start))
        out.append(replace(x, start=t - d, end=t))
        t -= d
    return out[::-1]


class WhisperFileSession:
    """A recorded channel: :meth:`accept` keeps the PCM, :meth:`finish` transcribes it in one pass."""

    def __init__(self, recognizer: WhisperRecognizer, speaker: str, *, start: float, config: WhisperConfig):
        self.recognizer = recognizer
        self.speaker = speaker
        self.start = start
        self.config = config
        self._chunks: list[np.ndarray] = []

    def accept(self, pcm: bytes) -> list[Utterance]:
        self._chunks.append(pcm_to_array(pcm))  # a view of the immutable bytes; concatenated once at the end
        return []

    def finish(self) -> list[Utterance]:
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        self._chunks = []
        return self.recognizer.transcribe(audio, self.speaker, start=self.start, config=self.config)


class WhisperSession:
    """Endpointing and decoding for one channel; feed PCM with :meth:`accept`, end with :meth:`finish`."""

    def __init__(self, recognizer: WhisperRecognizer, speaker: str, *, start: float, config: WhisperConfig):
        self.recognizer = recognizer
        self.speaker = speaker
        self.start = start
        if config.live_hotwords and not config.hotwords:
            config = replace(config, hotwords=config.live_hotwords)
        self.config = config
        self._vad = _SileroStream() if config.vad else None
        self._pending = np.zeros(0, dtype=np.float32)   # samples not yet framed
        self._history: list[np.ndarray] = []             # recent frames for pre-roll and the onset look-back
        self._history_probs: list[float] = []            # their speech probabilities (0 below the energy floor)
        self._prob = 0.0                                 # the last frame's speech probability
        self._utt: list[np.ndarray] = []                 # frames of the current utterance
        self._utt_start = 0                              # sample index of the utterance's first sample
        self._pos = 0                                    # samples consumed (framed) so far
        self._in_speech = False
        self._silence = 0                                # trailing non-speech samples
        self._speech = 0                                 # speech samples in the current utterance
        self._since_partial = 0
        self._last_partial = ""
        self._stable = 0
        self._lag = 0.0                                  # seconds the processing is behind the audio
        self._settled = ""                               # partials: text of the utterance's settled words
        self._settled_at = 0                             # partials: samples of the utterance they cover
        self._context = ""                               # the channel's recent finals (decoder prompt)
        self._opening = bool(speaker == "agent" and config.agent_opening and config.context_chars > 0)
        if self._opening:  # the first final replaces it (see _remember)
            self._context = config.agent_opening
        self._carry: list[tuple[np.ndarray, str]] = []  # recent utterances (audio, final text) carried
        self._carry_end = 0                              # end sample of the last carried utterance
        self._held: tuple[str, float, int, int] | None = None  # (text, conf, audio samples, trim) held back
        self._early: tuple[str, float] | None = None     # the final decoded early, before end_silence
        self._decodes = 0                                # final decodes so far (partials wait after one)
        cfg = config
        self._energy_floor = 10 ** (cfg.energy_threshold_db / 20)
        self._pre_frames = int(cfg.pre_roll * SAMPLE_RATE) // VAD_FRAME
        self._lookback_frames = int(cfg.onset_lookback * SAMPLE_RATE) // VAD_FRAME if cfg.onset_threshold > 0 else 0
        self._end_samples = int(cfg.end_silence * SAMPLE_RATE)
        self._early_samples = max(int(cfg.early_final * SAMPLE_RATE), int(cfg.post_roll * SAMPLE_RATE) + 1) \
            if cfg.early_final > 0 else 0
        self._hold_samples = max(self._end_samples, int(cfg.hold_silence * SAMPLE_RATE))
        self._max_samples = int(cfg.max_utterance * SAMPLE_RATE)

    def _is_speech(self, frame: np.ndarray) -> bool:
        rms = float(np.sqrt(np.mean(frame * frame)))
        prob = self._vad(frame) if self._vad is not None else (1.0 if rms >= self._energy_floor else 0.0)
        self._prob = prob if rms >= self._energy_floor else 0.0
        if rms < self._energy_floor:
            return False
        threshold = self.config.vad_neg_threshold if self._in_speech else self.config.vad_threshold
        return prob >= threshold

    def accept(self, pcm: bytes) -> list[Utterance]:
        """Feed 16-bit 16 kHz mono PCM; returns partial and final utterances completed by it."""
        t0 = self.recognizer.clock()
        samples = pcm_to_array(pcm).astype(np.float32) / 32768.0
        self._lag = max(0.0, self._lag - len(samples) / SAMPLE_RATE)  # this block's audio took that long to come
        self._pending = np.concatenate([self._pending, samples])
        out: list[Utterance] = []
        n = len(self._pending) // VAD_FRAME
        decodes = self._decodes
        for i in range(n):
            out.extend(self._frame(self._pending[i * VAD_FRAME : (i + 1) * VAD_FRAME]))
        self._pending = self._pending[n * VAD_FRAME :]
        # A partial waits while a final is being decided: after a final decode in this block (it would
        # come out only after that decode: partial p95 0.9 s on the fixtures), and in the trailing silence
        # once the early final is decoded (the utterance has not grown; its final comes at the endpoint);
        # and while the session is behind real time (a final's decode still owed): it would come out stale.
        if self._in_speech and self._held is None and self._early is None and decodes == self._decodes and \
                self.config.partial_interval > 0 and \
                self._lag + self.recognizer.clock() - t0 <= self.config.partial_max_lag and \
                self._since_partial >= self.recognizer.partial_gap(self.config) * SAMPLE_RATE:
            self._since_partial = 0
            out.extend(self._partial())
        self._lag += self.recognizer.clock() - t0
        return out

    def _frame(self, frame: np.ndarray) -> list[Utterance]:
        speech = self._is_speech(frame)
        frame_start = self._pos
        self._pos += VAD_FRAME
        if not self._in_speech:
            self._history.append(frame)
            self._history_probs.append(self._prob)
            if len(self._history) > self._pre_frames + self._lookback_frames + 1:
                self._history.pop(0)
                self._history_probs.pop(0)
            if speech:
                self._in_speech = True
                onset = self._onset()
                first = max(0, onset - self._pre_frames)
                self._utt = self._history[first:]
                self._utt_start = frame_start - (len(self._history) - 1 - first) * VAD_FRAME
                self._history, self._history_probs = [], []
                self._speech = VAD_FRAME
                self._silence = 0
                self._since_partial = VAD_FRAME
            return []
        self._utt.append(frame)
        self._since_partial += VAD_FRAME
        if speech:
            self._speech += VAD_FRAME
            self._silence = 0
            self._held = None  # speech resumed: the held utterance is decoded again with what follows
            self._early = None  # and an early final decode is void
        else:
            self._silence += VAD_FRAME
            if self._early_samples and self._held is None and self._early is None and \
                    self._early_samples <= self._silence < self._end_samples and \
                    self._speech >= self.config.min_speech * SAMPLE_RATE:
                audio, _ = self._trimmed(self._silence)
                self._early = self._decode_final(audio, self._utt_start)
        if self._held is not None:
            if self._silence >= self._hold_samples:
                return self._release_held()
        elif self._silence >= self._end_samples:
            return self._end(trim=self._silence)
        if len(self._utt) * VAD_FRAME >= self._max_samples:
            return self._end(trim=0, keep_speaking=True)
        return []

    def _onset(self) -> int:
        """Index in the history of the frame where speech began: the trigger frame (the last), moved back over the
        frames just before it whose probability is at least ``onset_threshold`` (``onset_lookback`` at most)."""
        k = len(self._history_probs) - 1
        if self.config.onset_threshold <= 0:
            return k
        j = k
        while j > 0 and k - j < self._lookback_frames and self._history_probs[j - 1] >= self.config.onset_threshold:
            j -= 1
        return j

    def _reset_partials(self) -> None:
        self._last_partial, self._stable = "", 0
        self._settled, self._settled_at = "", 0

    def _partial(self) -> list[Utterance]:
        audio = np.concatenate(self._utt)
        if self.config.partial_window > 0 and not self.config.commit_partials:
            return self._bounded_partial(audio)
        committed = self._last_partial[: self._stable] if self.config.commit_partials else ""
        text, conf = self.recognizer.decode_partial(audio, config=self.config, context=self._context,
                                                    prefix=committed)
        if committed:
            if not text.strip():
                return []
            text = committed + text.strip()
        if not text or text == self._last_partial:
            return []
        stable = agreed_prefix(self._last_partial, text)
        self._last_partial, self._stable = text, stable
        start, end = self._times(len(audio))
        return [Utterance(self.speaker, text, start, end, final=False, confidence=conf, stable=stable)]

    def _bounded_partial(self, audio: np.ndarray) -> list[Utterance]:
        """Local agreement on a bounded window (``partial_window``): decode the audio after the settled words,
        their text as the decoder's previous text; settle agreed words once that audio is long."""
        cfg = self._decoding_config()
        offset = self._settled_at / SAMPLE_RATE
        context = (self._context + self._settled)[-max(cfg.context_chars, 48):] if cfg.context_chars > 0 \
            else self._settled[-48:]
        decoded = self.recognizer.decode_partial_words(audio[self._settled_at:], config=cfg, context=context)
        if not decoded or not decoded[0]:
            return []
        words, conf = decoded
        words = [(w, s + offset, e + offset) for w, s, e in words]
        hyp = "".join(w for w, _, _ in words).strip()
        text = self._settled + hyp
        if not hyp or text == self._last_partial:
            return []
        stable = agreed_prefix(self._last_partial, text)
        seconds = len(audio) / SAMPLE_RATE
        if seconds - offset > cfg.partial_window:  # settle what two hypotheses agreed on, well before the end
            agreed = stable - len(self._settled)
            n = used = 0
            for k, (w, _s, e) in enumerate(words):
                used += len(w)
                if used > agreed or e > seconds - cfg.partial_margin:
                    break
                n = k + 1
            if not n and seconds - offset > 2 * cfg.partial_window:  # no agreement for long: settle the older part
                n = sum(1 for _w, _s, e in words if e <= seconds - cfg.partial_window)
            if n:
                self._settled += "".join(w for w, _, _ in words[:n])
                self._settled_at = min(len(audio), int(words[n - 1][2] * SAMPLE_RATE))
        self._last_partial, self._stable = text, stable
        start, end = self._times(len(audio))
        return [Utterance(self.speaker, text, start, end, final=False, confidence=conf, stable=stable)]

    def _times(self, n_samples: int) -> tuple[float, float]:
        start = self.start + max(0, self._utt_start) / SAMPLE_RATE
        return start, start + n_samples / SAMPLE_RATE

    def _trimmed(self, trim: int) -> tuple[np.ndarray, int]:
        """The utterance's audio without ``trim`` samples of trailing silence but ``post_roll`` of it."""
        keep_tail = min(trim, int(self.config.post_roll * SAMPLE_RATE))
        audio = np.concatenate(self._utt)
        if trim:
            audio = audio[: len(audio) - trim + keep_tail]
        return audio, keep_tail

    def _end(self, *, trim: int, keep_speaking: bool = False) -> list[Utterance]:
        audio, keep_tail = self._trimmed(trim)
        early, self._early = self._early, None
        speech = self._speech
        utt_start = self._utt_start
        utt = self._utt
        next_start = self._utt_start + len(self._utt) * VAD_FRAME
        self._utt, self._history, self._history_probs = [], [], []
        self._in_speech = keep_speaking
        self._silence = 0
        self._since_partial = 0
        self._reset_partials()
        start, end = self._times(len(audio))
        self._speech = 0
        if keep_speaking:
            self._utt_start = next_start
        if speech < self.config.min_speech * SAMPLE_RATE:
            return []
        text, conf = early if early is not None and trim and not keep_speaking else \
            self._decode_final(audio, utt_start)
        if not text:
            return []
        if trim and not keep_speaking and conf < self.config.hold_confidence and \
                len(utt) * VAD_FRAME + self._hold_samples < self._max_samples:
            return self._hold(utt, utt_start, speech, text, conf, len(audio), keep_tail)
        return self._emit_final(audio, utt_start, text, conf, start, end - keep_tail / SAMPLE_RATE)

    def _hold(self, utt: list[np.ndarray], utt_start: int, speech: int, text: str, conf: float,
              n_audio: int, keep_tail: int) -> list[Utterance]:
        """Keep a doubtful final's audio as the start of the utterance (see ``hold_confidence``)."""
        self._utt, self._utt_start, self._speech = utt, utt_start, speech
        self._in_speech = True
        self._silence = len(utt) * VAD_FRAME - n_audio + keep_tail
        self._held = (text, conf, n_audio, keep_tail)
        if self.config.partial_window > 0:  # partials after the pause decode only the new speech after it
            self._settled, self._settled_at = text, n_audio
        return []  # not shown as a partial (the decoder doubts it; the last partial stays) until speech resumes

    def _release_held(self) -> list[Utterance]:
        """No speech came back after a held utterance: its text is the final."""
        text, conf, n_audio, keep_tail = self._held
        self._held = None
        audio = np.concatenate(self._utt)[:n_audio]
        utt_start = self._utt_start
        start, end = self._times(n_audio - keep_tail)
        self._utt, self._history, self._history_probs = [], [], []
        self._in_speech = False
        self._silence = self._speech = self._since_partial = 0
        self._reset_partials()
        return self._emit_final(audio, utt_start, text, conf, start, end)

    def _emit_final(self, audio: np.ndarray, utt_start: int, text: str, conf: float,
                    start: float, spoken_end: float) -> list[Utterance]:
        """Emit one final: it joins the context and the carried audio."""
        utt_end = utt_start + len(audio)
        self._remember(text, conf)
        if self.config.carry_gap > 0:
            self._carry.append((audio, text))
            self._carry_end = utt_end
            limit = self.config.carry_seconds * SAMPLE_RATE
            while self._carry and sum(len(a) for a, _ in self._carry) > limit:
                self._carry.pop(0)
        return [Utterance(self.speaker, text, start, spoken_end, final=True, confidence=conf)]

    def _decode_final(self, audio: np.ndarray, utt_start: int) -> tuple[str, float]:
        """The final decode of one utterance: with the channel's previous utterance carried in front of it
        when it ended less than ``carry_gap`` seconds before (see :class:`WhisperConfig`), else alone."""
        cfg, rec = self._decoding_config(), self.recognizer
        self._decodes += 1
        carry = self._carry
        gap = (utt_start - self._carry_end) / SAMPLE_RATE
        if carry and not 0 <= gap <= cfg.carry_gap:
            carry = self._carry = []
        if carry and cfg.carry_window > 0:  # whole carried utterances, newest kept, within the window
            room = cfg.carry_window * SAMPLE_RATE - len(audio)
            kept: list[tuple[np.ndarray, str]] = []
            for a, t in reversed(carry):
                if len(a) > room:
                    break
                kept.insert(0, (a, t))
                room -= len(a)
            carry = kept
        if carry:
            pause = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
            parts: list[np.ndarray] = []
            for a, _ in carry:
                parts += [a, pause]
            joined = np.concatenate(parts + [audio])
            prev_text = "".join(t for _, t in carry)
            if len(joined) / SAMPLE_RATE + cfg.window_pad < 29.0:
                text, conf = rec.decode(joined, beam_size=cfg.beam_size, config=cfg,
                                        context=self._context_before(prev_text), prefix=prev_text)
                text = text.strip().lstrip("".join(SENTENCE_END) + "，,、 ")
                if any(ch.isalnum() for ch in text) and not prev_text.endswith(text):
                    seconds = len(audio) / SAMPLE_RATE
                    if cfg.carried_min_chars > 0 and seconds >= 3.0 and \
                            _distinct_words(text) < cfg.carried_min_chars * seconds:
                        alone = rec.decode(audio, beam_size=cfg.beam_size, config=cfg, context=self._context)
                        if _distinct_words(alone[0]) > _distinct_words(text):
                            log.info("carried decode %r is short for %.1f s; alone: %r", text, seconds, alone[0])
                            return alone
                    return text, conf
        return rec.decode(audio, beam_size=cfg.beam_size, config=cfg, context=self._context)

    def _decoding_config(self) -> WhisperConfig:
        """The config of this session's decodes: with ``opening_hotwords`` while the agent's opening lasts."""
        if self._opening and self.config.opening_hotwords:
            return replace(self.config, hotwords=self.config.opening_hotwords)
        return self.config

    def _context_before(self, prev_text: str) -> str:
        """The context without its last final (that one is the carried prefix)."""
        ctx = self._context
        return ctx[: len(ctx) - len(prev_text)] if prev_text and ctx.endswith(prev_text) else ctx

    def _remember(self, text: str, confidence: float) -> None:
        """Keep the tail of the channel's finals as the next decodes' context (bounded)."""
        n = self.config.context_chars
        if n <= 0 or confidence < self.config.context_min_confidence:
            return
        if self._opening:  # the opening text primes the first utterance only
            self._context, self._opening = "", False
        self._context = (self._context + text)[-n:]

    def finish(self) -> list[Utterance]:
        """Flush the session: decode whatever utterance is still open."""
        out: list[Utterance] = []
        if len(self._pending):
            frame = np.zeros(VAD_FRAME, dtype=np.float32)
            frame[: len(self._pending)] = self._pending
            self._pending = np.zeros(0, dtype=np.float32)
            out.extend(self._frame(frame))
        if self._held is None and self._in_speech and self._utt:
            out.extend(self._end(trim=self._silence))
        if self._held is not None:  # nothing more will follow a doubtful final
            out.extend(self._release_held())
        return out
