"""The one "file → result" dispatcher: a transcript or a recording in, its docs/formats.md §2 result and its
transcript out — for ``copilot analyze``, ``copilot eval``, batch scoring (``copilot score``, its screen and
exports) alike, with one extension set (:data:`copilot.session.source.INPUT_EXT`).

A recording runs through the call factory (:meth:`SourceSpec.recording`: ASR, monitor, analysis at pace ``whole``);
a transcript is analysed turn by turn by the analyzer alone (:func:`copilot.analysis.analyze_transcript`: there is
no audio to pace or decode, and the live-only events are not computed — the same result). Anything else is an
:class:`~copilot.session.source.UnsupportedFile` naming the file and the accepted types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from copilot.session.source import kind_of


def analyse_file(path: str | Path, *, engine: str = "auto", agent_channel: int = 0, speaker: str = "caller",
                 ring_seconds: float | None = None, recognizer: Any = None) -> tuple[dict[str, Any], Any]:
    """``(result, transcript)`` of one call file; raises a :class:`copilot.errors.CopilotError` naming the file
    for a missing, unsupported or bad one. ``agent_channel``, ``speaker`` (of a mono recording) and
    ``ring_seconds`` are for recordings (a transcript carries its own)."""
    p = Path(path)
    if kind_of(p) == "audio":
        from copilot.session.recording import analyse_recording

        return analyse_recording(p, engine=engine, agent_channel=agent_channel, speaker=speaker,
                                 ring_seconds=ring_seconds, recognizer=recognizer)
    from copilot.analysis import analyze_transcript
    from copilot.transcript import load_transcript

    tr = load_transcript(p)
    return analyze_transcript(tr), tr
