"""Audio → transcript → analysis, with the same pipeline a live call uses (pace ``whole``), and the phrasebook's
words for the Whisper decoder (measured, not used by default)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from copilot.analysis.rules import Rules
from copilot.events import UtteranceEvent
from copilot.session.source import SourceSpec
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


def transcript_from_events(call_id: str, events: list[Any], source: str = "",
                           ring_seconds: float | None = None) -> Transcript:
    turns = [Turn(e.speaker, e.start, e.end, e.text, e.confidence, e.words) for e in events
             if isinstance(e, UtteranceEvent) and e.final]
    return Transcript(call_id=call_id, turns=tuple(turns), source=source, ring_seconds=ring_seconds)


def analyse_recording(path: str | Path, *, engine: str = "auto", agent_channel: int = 0,
                      speaker: str = "caller", ring_seconds: float | None = None,
                      offline: bool = True, recognizer: Any = None) -> tuple[dict[str, Any], Transcript]:
    """A recorded call through the pipeline at pace ``whole`` (:meth:`SourceSpec.recording`); an engine that
    decodes whole channels (Whisper) transcribes each channel whole unless ``offline=False`` (then it endpoints
    utterance by utterance as on a live call). ``recognizer`` replaces the shared model of ``engine``.

    ``ring_seconds`` comes from the telephony system (docs/formats.md §1): the audio starts at the answer, so
    without it ``answer_late`` cannot be judged."""
    from copilot.session.factory import open_call

    spec = SourceSpec.recording(path, engine=engine, agent_channel=agent_channel, speaker=speaker,
                                ring_seconds=ring_seconds, whole_channel=offline)
    call = open_call(spec, recognizer=recognizer)  # bad audio fails here, before any model is loaded
    events = list(call.events())
    result = call.result()
    return result, transcript_from_events(result["call_id"], events, str(path), ring_seconds=ring_seconds)
