"""A recorded call end to end on the embedded engine: Whisper base in file mode → the analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.session.recording import analyse_recording

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


FX11 = FX08.with_name("FX-11-waiting-apology.flac")


def test_a_recording_with_its_ring_time_from_telephony_is_judged_for_answering_late(capsys):
    """FX-11 rang 18 s (its script says so; the FLAC cannot): given ``--ring-seconds``, the recording gets
    ``answer_late`` as its label says, and no ``wait_apology_missing`` since the agent apologised."""
    import json

    from copilot.cli import main

    assert main(["analyze", str(FX11), "--engine", "whisper", "--ring-seconds", "18", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    codes = {f["code"] for f in result["flags"]}
    assert result["service_type"] == "appointment"
    assert "answer_late" in codes and "wait_apology_missing" not in codes, result["flags"]


@pytest.mark.parametrize("bad", ["-3", "soon", "nan"])
def test_ring_seconds_must_be_a_number_of_seconds(bad, capsys):
    from copilot.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["analyze", str(FX11), "--ring-seconds", bad])
    assert exc.value.code == 2
    assert "expected a number of seconds" in capsys.readouterr().err


def _label(call_id: str) -> dict:
    import json

    lines = (FX08.parents[1] / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return next(d for d in map(json.loads, lines) if d["call_id"] == call_id)


@pytest.mark.parametrize("name", ["FX-07-banned-no-closing", "FX-12-judge-no-callback"])
def test_recordings_that_asr_garbles_still_get_their_labelled_type_and_flags(name):
    """End to end from audio, the two fixtures whose result Whisper's errors used to change: FX-07 (the agent
    twice says 「找承办法官」 in a fee consultation; the caller's 诉讼费 is lost) and FX-12 (联系不上 heard
    as 连续不上). Flags compare by code, as for any ASR transcript; no flag on a caller turn."""
    label = _label(name[:5])
    result, transcript = analyse_recording(FX08.with_name(name + ".flac"), engine="whisper")
    assert result["service_type"] == label["service_type"], result["evidence"]
    # Whisper's int8 text differs between CPUs (CTranslate2 picks kernels by instruction set), so one labelled
    # flag may go unheard on another machine; on the AMD EPYC host of 2026-11-29 every one is found
    wanted, found = {f["code"] for f in label["flags"]}, {f["code"] for f in result["flags"]}
    assert len(wanted & found) >= len(wanted) - 1 and found <= wanted, result["flags"]
    assert all(f["speaker"] == "agent" for f in result["flags"])
    assert all(transcript.turns[f["turn"]].speaker == "agent" for f in result["flags"] if f["turn"] is not None)


def test_replay_events_of_a_recording_take_the_ring_time_too(capsys):
    import json

    from copilot.cli import main

    assert main(["replay", str(FX11), "--events", "--pace", "whole", "--engine", "whisper",
                 "--ring-seconds", "18"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    late = [e for e in events if e["type"] == "flag" and e["code"] == "answer_late"]
    assert len(late) == 1 and "18" in late[0]["phrase"]
    assert events[-1]["type"] == "call_ended"


def test_ring_seconds_on_a_transcript_replay_is_refused(capsys):
    from copilot.cli import main

    script = FX08.parents[1] / "calls" / "FX-11-waiting-apology.json"
    assert main(["replay", str(script), "--events", "--ring-seconds", "18"]) == 2
    assert "--ring-seconds is for recordings" in capsys.readouterr().err
