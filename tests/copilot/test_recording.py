"""A recorded call end to end on the embedded engine: Whisper base in file mode → the analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.recording import analyse_recording

pytestmark = pytest.mark.slow

FX08 = Path(__file__).resolve().parents[2] / "audio_fixtures" / "audio" / "FX-08-silent-call.flac"


def test_silent_call_recording_is_transcribed_and_judged_like_its_label():
    """FX-08: the agent greets twice, then says the silent-call script; the caller never speaks.

    Label: out_of_scope, no flags (greeting given, script given, no referral owed to a silent caller).
    """
    result, transcript = analyse_recording(FX08, engine="whisper")
    turns = transcript.turns
    assert [t.speaker for t in turns] == ["agent"] * len(turns) and len(turns) >= 3, turns
    assert [t.start for t in turns] == sorted(t.start for t in turns)
    assert all(0.0 <= t.start < t.end <= 26.3 for t in turns)
    assert "12368" in turns[0].text
    script = [t for t in turns if "电话" in t.text]
    assert script and script[0].start > 15.0, "the script comes after two unanswered greetings (split at pauses)"
    assert result["service_type"] == "out_of_scope"
    assert result["flags"] == [], result["flags"]
    assert result["record"]["summary"] and result["complete"] is True
