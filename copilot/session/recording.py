"""Audio → transcript → analysis, with the same pipeline a live call uses (pace ``whole``)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from copilot.analysis.rules import Rules
from copilot.events import UtteranceEvent
from copilot.session.pipeline import CallPipeline, run_audio
from copilot.transcript import Transcript, Turn

log = logging.getLogger(__name__)


def domain_prompt(rules: Rules) -> str:
    """A short Whisper initial prompt in the hotline's own words: the greeting, a case number, and what
    callers ask for — the two strongest plain cues of each service type the hotline handles, then a few
    unit and role names from the domain words.

    The needs are joined with "、" (U+3001). Full-width "，？（）！" share their first two UTF-8 bytes (EF BC)
    with the full-width digits, and near digits Whisper base then writes "１" ("您好１12368１"), so the
    prompt keeps them to the greeting's commas and question mark and the case number's brackets.
    A prompt of case-type codes alone (民初，民终，…) made Whisper write 举报 as 去报 on FX-05; this one gets
    举报 and 吴兴 right there. Not used by default: on the fixtures no prompt gives the lowest CER
    (README, "Whisper prompt"); ``python -m benchmarks.asr --prompt domain`` measures this one."""
    greeting = rules.greeting_text.replace("！", "，").replace("!", "，")
    needs: list[str] = []
    for st in rules.pb.service_types:
        if st.code == "out_of_scope":  # referral words (着火, 救护车 …) would only invite hallucinations
            continue
        plain = sorted((c for c in st.cues if c.text), key=lambda c: -c.weight)
        needs += [c.text for c in plain[:2]]
    units = [w for w in rules.pb.domain_words if 3 <= len(w) <= 4 and not w.isdigit()][:8]
    return f"{greeting}案号（2024）浙0503民初1234号。" + "、".join(needs + units) + "。"


def live_hotwords(rules: Rules) -> str:
    """Words the live Whisper decoder is told to expect (``WhisperConfig.live_hotwords``), all from the
    phrasebook: the standard greeting and the court's own short names (domain words ending in 法院/中院).

    The first utterance of a call has no context yet; on the bundled recordings the agent's greeting then
    came out with 你好 for 您好 (a false 「你」 for the wording check) and the court's name garbled. Measured
    in ``python -m benchmarks.asr --mode both --set live_hotwords=…`` (README, live vs file)."""
    greeting = "".join(ch if ch.isalnum() else " " for ch in rules.greeting_text).split()
    courts = [w for w in rules.pb.domain_words if w.endswith(("法院", "中院")) and len(w) <= 5]
    return " ".join(dict.fromkeys(greeting + courts))


@lru_cache(maxsize=2)
def shared_recognizer(engine: str = "auto") -> Any:
    """One loaded model per engine, shared by every call of this process."""
    from asr.engine import choose_engine, make_recognizer

    name, reason = choose_engine(engine)
    log.warning("ASR: %s (%s)", name, reason)
    # No initial prompt: measured on the fixtures FX-01/02 (file mode, beam 5), Whisper base gets CER 11.4 %
    # without one, 15.3 % with domain_prompt() and 16.5 % with the earlier case-code prompt (README).
    # No live hotwords either (live_hotwords(): the greeting and the court's names): on the fixtures CER 14.6 %
    # with them vs 14.5 % without, on the 9 Mandarin clips (16 kHz) 29.2 % vs 23.4 % (they pull unrelated speech toward
    # the hotline's words); only the court's name in an agent's opening came out better (docs/live-asr.md).
    return make_recognizer(engine)


def make_audio_pipeline(call_id: str, *, engine: str = "auto", sinks=(), writer=None,
                        ring_seconds: float | None = None, started_at: str | None = None,
                        partials: bool = True, offline: bool = False) -> CallPipeline:
    """The audio pipeline of one call. ``partials=False`` skips provisional re-decodes (batch analysis);
    ``offline=True`` lets Whisper transcribe each whole channel at the end (recordings: fewer encoder
    passes, more context), while the acoustic monitor still sees every chunk."""
    from asr.monitor import CallMonitor

    recognizer = shared_recognizer(engine)
    opts = {} if partials else {"partials": False}
    if offline and getattr(recognizer, "name", "") == "whisper":
        opts["offline"] = True
    return CallPipeline(call_id, recognizer=recognizer, monitor=CallMonitor(), sinks=sinks,
                        writer=writer, ring_seconds=ring_seconds, started_at=started_at, session_opts=opts)


def transcript_from_events(call_id: str, events: list[Any], source: str = "",
                           ring_seconds: float | None = None) -> Transcript:
    turns = [Turn(e.speaker, e.start, e.end, e.text, e.confidence, e.words) for e in events
             if isinstance(e, UtteranceEvent) and e.final]
    return Transcript(call_id=call_id, turns=tuple(turns), source=source, ring_seconds=ring_seconds)


def analyse_recording(path: str | Path, *, engine: str = "auto", agent_channel: int = 0,
                      speaker: str = "caller", ring_seconds: float | None = None,
                      offline: bool = True) -> tuple[dict[str, Any], Transcript]:
    """A recorded call through the pipeline at pace ``whole``; Whisper transcribes each channel whole
    unless ``offline=False`` (then it endpoints utterance by utterance as on a live call).

    ``ring_seconds`` comes from the telephony system (docs/formats.md §1): the audio starts at the answer, so
    without it ``answer_late`` cannot be judged."""
    from asr.sources import FileSource

    p = Path(path)
    src = FileSource(p, agent_channel=agent_channel, speaker_for_mono=speaker, pace="whole")
    src.load()  # bad audio fails here, before any model is loaded
    pipeline = make_audio_pipeline(_call_id(p), engine=engine, ring_seconds=ring_seconds, partials=False,
                                  offline=offline)
    events = list(run_audio(src, pipeline, source="file"))
    result = pipeline.result()
    return result, transcript_from_events(result["call_id"], events, str(p), ring_seconds=ring_seconds)


def _call_id(p: Path) -> str:
    """The fixture's id (FX-02 for FX-02-info-query.flac) or the file's stem."""
    parts = p.stem.split("-")
    if len(parts) >= 2 and parts[1].isdigit():
        return f"{parts[0]}-{parts[1]}"
    return p.stem
