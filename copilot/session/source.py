"""Where a call comes from: the source description, the call id rule and the one file dispatcher.

A :class:`SourceSpec` names one of the source kinds (:data:`KINDS`); :func:`copilot.session.factory.open_call`
turns it into a running call (its pipeline and its event stream), :func:`~copilot.session.factory.make_pipeline`
into the pipeline alone (the server's ingest feeds it itself).

| kind | what | chunks from |
|---|---|---|
| ``transcript`` | a docs/formats.md §1 transcript JSON, replayed turn by turn (no ASR: engine ``none``) | — |
| ``audio`` | a recording (:data:`AUDIO_EXT`: WAV, FLAC, Ogg, MP3) | ``asr.sources.FileSource`` |
| ``device`` | a live call from one stereo or two sound devices; with ``backend`` a sounddevice-like module, e.g. ``asr.wavdevice.WavSoundDevice`` (recordings played as devices) | ``asr.devices.DeviceSource`` |
| ``ingest`` | a stream whose chunks the caller feeds to the pipeline (the server's ``/calls/ID/audio``, the stage harness) | the caller |
| ``connect`` | a running call on a copilot server, followed over its events websocket (no pipeline here) | — |

Files are dispatched by extension, one set for every command and screen: :func:`kind_of` says ``transcript``
(``.json``) or ``audio`` (the recordings the installed libsndfile decodes) and names the file and the accepted
types for anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr.audio import AUDIO_EXTENSIONS
from copilot.errors import CopilotError

KINDS = ("transcript", "audio", "device", "ingest", "connect")
ENGINES = ("auto", "whisper", "vosk", "none")
"""ASR engines a spec may name: ``auto`` picks Whisper or Vosk (``asr.engine.choose_engine``); ``none`` runs no ASR
(a transcript's turns are already text; for audio, only the acoustic monitor runs)."""

TRANSCRIPT_EXT: tuple[str, ...] = (".json",)
AUDIO_EXT: tuple[str, ...] = AUDIO_EXTENSIONS
"""Recordings read here: ``.wav``, ``.flac`` and, when the installed libsndfile decodes them, ``.ogg``, ``.mp3``."""
INPUT_EXT: tuple[str, ...] = TRANSCRIPT_EXT + AUDIO_EXT
"""Every call file a command or screen accepts."""


class UnsupportedFile(CopilotError):
    """A file whose extension is neither a transcript's nor a readable recording's."""


def accepted_text() -> str:
    """The accepted file types, for messages: ``a transcript (.json) or a recording (.wav, .flac, …)``."""
    return f"a transcript ({', '.join(TRANSCRIPT_EXT)}) or a recording ({', '.join(AUDIO_EXT)})"


def kind_of(path: str | Path) -> str:
    """``transcript`` or ``audio`` by the file's extension; :class:`UnsupportedFile` (naming the file and the
    accepted types) for any other."""
    ext = Path(path).suffix.lower()
    if ext in TRANSCRIPT_EXT:
        return "transcript"
    if ext in AUDIO_EXT:
        return "audio"
    what = f"file type {ext!r}" if ext else "a file without an extension"
    raise UnsupportedFile(f"unsupported {what}; expected {accepted_text()}", where=str(path))


def is_call_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in INPUT_EXT


def call_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the call files (:data:`INPUT_EXT`) of folders named, in order. A named file is kept
    whatever it is (its error comes when it is read, naming it, while the others go on)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if is_call_file(f))
        else:
            out.append(p)
    return out


def call_id_of(path: str | Path) -> str:
    """A recording's call id: a fixture's id (FX-02 for FX-02-info-query.flac) or the file's stem."""
    p = Path(path)
    parts = p.stem.split("-")
    return f"{parts[0]}-{parts[1]}" if len(parts) >= 2 and parts[1].isdigit() else p.stem


@dataclass(frozen=True)
class SourceSpec:
    """Where a call's events come from, and how to run it (one of :data:`KINDS`)."""

    kind: str
    """``transcript``, ``audio``, ``device``, ``ingest`` or ``connect``."""
    path: str | None = None
    pace: str = "realtime"
    """``whole``, ``fast`` or ``realtime`` (replays only; :class:`asr.pacing.Pacer`)."""
    speed: float | None = None
    """Speed-up of pace ``fast`` (default 10)."""
    engine: str = "auto"
    """ASR engine (:data:`ENGINES`); a transcript needs none."""
    device: Any = None
    """Device index or name, or a pair (agent device, caller device) (live)."""
    backend: Any = None
    """A sounddevice-like module for ``device`` (None: the real sounddevice; ``asr.wavdevice.WavSoundDevice``)."""
    url: str | None = None
    call_id: str | None = None
    """The call's id (device, ingest, connect); a file's comes from the file (:func:`call_id_of`, the transcript)."""
    token: str | None = None
    agent_channel: int = 0
    speaker: str = "caller"
    """Speaker of a mono recording."""
    ring_seconds: float | None = None
    """How long the call rang before it was answered (from telephony; audio starts at the answer)."""
    started_at: str | None = None
    """When the call started (ingest: from the telephony config; a transcript carries its own)."""
    partials: bool = True
    """Provisional re-decodes for a screen; False when nobody watches (batch analysis: finals only)."""
    whole_channel: bool = False
    """Decode each channel whole at the end when the engine can (``decodes_whole_channel``): recordings analysed
    as a batch. Engines without the capability stream as on a live call."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise CopilotError(f"unknown source kind {self.kind!r}; expected one of {', '.join(KINDS)}",
                               where="source")
        if self.engine not in ENGINES:
            raise CopilotError(f"unknown engine {self.engine!r}; expected one of {', '.join(ENGINES)}",
                               where="source")

    @staticmethod
    def for_path(path: str | Path, **kw: Any) -> SourceSpec:
        """A transcript or a recording, by the file's extension (:func:`kind_of`)."""
        return SourceSpec(kind=kind_of(path), path=str(path), **kw)

    @staticmethod
    def recording(path: str | Path, **kw: Any) -> SourceSpec:
        """A recorded call analysed as a batch: pace ``whole``, finals only, each channel decoded whole when the
        engine can. ``kw`` overrides (``whole_channel=False``: endpoint utterance by utterance as live)."""
        return SourceSpec(**({"kind": "audio", "path": str(path), "pace": "whole", "partials": False,
                              "whole_channel": True} | kw))
