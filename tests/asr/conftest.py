"""Fixtures of the ASR tests."""

from __future__ import annotations

import pytest

from asr.engine import make_recognizer


@pytest.fixture(scope="module")
def recognizer():
    """Real Whisper base on two threads, loaded once per test module: the live tests' recognizer
    (test_live_bounded.py, test_whisper_live.py). test_whisper.py and test_vosk.py define their own."""
    return make_recognizer("whisper", cpu_threads=2)
