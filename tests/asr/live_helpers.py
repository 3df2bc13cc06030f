"""Shared helper of the live Whisper test files (test_live_bounded.py, test_whisper_live.py; their ``recognizer``
fixture is in tests/asr/conftest.py)."""

from __future__ import annotations

from asr.types import SAMPLE_RATE


def feed(session, samples, step=SAMPLE_RATE // 10):
    """Every event of a live session fed ``samples`` (16 kHz int16) in steps of 0.1 s, then finished."""
    out = []
    for i in range(0, len(samples), step):
        out.extend(session.accept(samples[i : i + step].astype("<i2").tobytes()))
    return out + session.finish()
