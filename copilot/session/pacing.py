"""Pacing of replayed calls, for the copilot layer and above: the one :class:`asr.pacing.Pacer` (modes ``whole``,
``realtime``, ``fast``). It is defined in ``asr`` because the file source paces its chunks there; the transcript
replay, the server's test client, the WAV-backed device and the screens' event lists use the same class."""

from asr.pacing import FAST_SPEED, PACES, Pace, Pacer

__all__ = ["FAST_SPEED", "PACES", "Pace", "Pacer"]
