"""copilot.session owns a call: the source kinds, the call id rule, the one file dispatcher, the one pacer, the
whole-channel capability and the one factory — and the CLI's commands build their calls through it.

The recognizer is the stage harness's ScriptedRecognizer (recognises exactly the script), put in place of the
shared model *inside the factory*, so a command that bypassed the factory would load a real model and fail the
assertions on what the scripted sessions were asked for. The audio is a real recording (tests/data)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

import copilot.session.factory as factory
from asr.pacing import Pacer
from asr.vosk_engine import VoskRecognizer
from asr.whisper_engine import WhisperRecognizer
from copilot.cli import main
from copilot.errors import CopilotError
from copilot.evaluation.batch import score_one
from copilot.events import UtteranceEvent
from copilot.session.factory import call_events, make_pipeline, open_call, session_options
from copilot.session.files import analyse_file
from copilot.session.source import AUDIO_EXT, SourceSpec, UnsupportedFile, call_files, call_id_of, kind_of
from copilot.session.testing import ScriptedRecognizer, run_script

REPO = Path(__file__).resolve().parents[2]
DEV_003 = REPO / "tests" / "data" / "dev" / "audio" / "DEV-003-8s.flac"
"""8 s of a real call, 8 kHz stereo (agent on channel 0)."""
SCRIPT = [("agent", 0.4, 2.4, "喂，你找谁？"), ("caller", 2.8, 5.0, "我想查一下我的案子开庭时间。"),
          ("agent", 5.4, 7.6, "这个不归我们管。")]
TEXTS = [t for _, _, _, t in SCRIPT]


@pytest.fixture
def scripted(monkeypatch):
    """Every model the factory would load is this scripted recognizer (it has the whole-channel capability)."""
    rec = ScriptedRecognizer(SCRIPT, decodes_whole_channel=True)
    monkeypatch.setattr(factory, "shared_recognizer", lambda engine="auto": rec)
    return rec


@pytest.fixture
def built(monkeypatch):
    """The kinds of every pipeline the factory builds."""
    kinds: list[str] = []
    real = factory.make_pipeline

    def spy(spec, **kw):
        kinds.append(spec.kind)
        return real(spec, **kw)

    monkeypatch.setattr(factory, "make_pipeline", spy)
    return kinds


# ------------------------------------------------------------------------------------------ sources, ids, files


def test_call_id_rule():
    assert call_id_of("audio_fixtures/audio/FX-02-info-query.flac") == "FX-02"
    assert call_id_of(DEV_003) == "DEV-003"
    assert call_id_of("/x/hotline call.wav") == "hotline call"
    assert call_id_of("A-B.mp3") == "A-B"


def test_one_extension_set_with_a_clear_error_for_others(tmp_path):
    assert kind_of("x.json") == "transcript"
    assert {kind_of(f"x{e}") for e in (".wav", ".FLAC", ".ogg", ".mp3")} == {"audio"}
    assert set(AUDIO_EXT) == {".wav", ".flac", ".ogg", ".mp3"}  # libsndfile 1.2 here decodes Ogg and MP3
    for name in ("notes.txt", "call.m4a", "README"):
        with pytest.raises(UnsupportedFile) as info:
            kind_of(tmp_path / name)
        assert info.value.where == str(tmp_path / name)
        assert "expected a transcript (.json) or a recording (.wav, .flac, .ogg, .mp3)" in info.value.message
    with pytest.raises(UnsupportedFile):
        SourceSpec.for_path("notes.txt")
    for f in ("b.mp3", "a.json", "c.ogg", "d.txt", "e.wav"):
        (tmp_path / f).write_bytes(b"")
    assert [p.name for p in call_files([tmp_path])] == ["a.json", "b.mp3", "c.ogg", "e.wav"]


def test_unsupported_files_fail_the_same_way_in_every_command(tmp_path, capsys):
    bad = tmp_path / "call.m4a"
    bad.write_bytes(b"\0" * 64)
    with pytest.raises(UnsupportedFile, match=r"unsupported file type '\.m4a'"):
        analyse_file(bad)
    item = score_one(str(bad))
    assert not item["ok"] and "unsupported file type '.m4a'" in item["error"] and ".mp3" in item["error"]
    assert main(["analyze", str(bad)]) != 0
    assert "unsupported file type '.m4a'" in capsys.readouterr().err
    assert main(["replay", str(bad), "--events"]) != 0
    assert "unsupported file type '.m4a'" in capsys.readouterr().err


def test_spec_rejects_unknown_kinds_and_engines():
    with pytest.raises(CopilotError, match="unknown source kind 'file'"):
        SourceSpec(kind="file")
    with pytest.raises(CopilotError, match="unknown engine 'kaldi'"):
        SourceSpec(kind="audio", engine="kaldi")


# ------------------------------------------------------------------------------------------ the one pacer


def test_pacer_modes():
    assert Pacer("whole").delay(100.0) == 0.0
    assert Pacer("fast").speed == 10.0 and Pacer("fast", 4).speed == 4.0 and Pacer("realtime").speed == 1.0
    p = Pacer("fast", 20).start()
    t0 = time.monotonic()
    p.wait(2.0)  # 2 s of audio at 20× = 0.1 s
    assert 0.09 <= time.monotonic() - t0 < 0.5
    for bad in (("slow", None), ("realtime", 2.0), ("fast", 0.0)):
        with pytest.raises(CopilotError):
            Pacer(*bad)


# ------------------------------------------------------------------------------------------ the capability


def test_engines_declare_whole_channel_decoding():
    assert WhisperRecognizer.decodes_whole_channel is True
    assert VoskRecognizer.decodes_whole_channel is False
    spec = SourceSpec.recording(DEV_003)
    assert session_options(spec, ScriptedRecognizer([], decodes_whole_channel=True)) == {"partials": False,
                                                                                          "offline": True}
    assert session_options(spec, ScriptedRecognizer([])) == {"partials": False}
    live = SourceSpec(kind="audio", path=str(DEV_003))
    assert session_options(live, ScriptedRecognizer([], decodes_whole_channel=True)) == {}


@pytest.mark.parametrize("capable", [True, False])
def test_whole_channel_decoding_only_where_the_engine_can(capable):
    """The stage harness through the factory: a capable engine's sessions hold every line to the end; one without
    the capability is never asked (it would refuse) and streams as live. The analysis is the same."""
    rec = ScriptedRecognizer(SCRIPT, partials=False, decodes_whole_channel=capable)
    run = run_script(SCRIPT, partials=False, whole_channel=True, recognizer=rec)
    finals = run.of("utterance", final=True)
    assert [x.event.text for x in finals] == TEXTS
    end = max(x.at for x in run.timed)
    if capable:
        assert all(x.at == end for x in finals)  # nothing before the end of the call
        assert all(opts.get("offline") is True for _, opts in rec.opened)
    else:
        assert finals[0].at < 3.0  # the greeting came out as it was said
        assert all("offline" not in opts for _, opts in rec.opened)
    assert "banned_phrase" in {f["code"] for f in run.pipeline.result()["flags"]}


# ------------------------------------------------------------------------------------------ the factory


def test_factory_builds_every_kind(scripted):
    tr = open_call(SourceSpec(kind="transcript", path=str(REPO / "audio_fixtures" / "calls" / "FX-07-banned-no-closing.json"),
                              pace="whole"))
    assert tr.pipeline.recognizer is None and tr.pipeline.monitor is None and tr.call_id == "FX-07"
    audio = open_call(SourceSpec(kind="audio", path=str(DEV_003), pace="whole"))
    assert audio.pipeline.recognizer is scripted and audio.pipeline.monitor is not None
    assert audio.call_id == "DEV-003" and audio.pipeline.session_opts == {}
    ingest = make_pipeline(SourceSpec(kind="ingest", call_id="WS-1", ring_seconds=3.0))
    assert ingest.call_id == "WS-1" and ingest.recognizer is scripted and ingest.analyzer.ring_seconds == 3.0
    assert make_pipeline(SourceSpec(kind="ingest", call_id="M", engine="none")).recognizer is None
    with pytest.raises(CopilotError, match="not opened as a call here"):
        open_call(SourceSpec(kind="ingest", call_id="X"))


def test_a_wav_backed_device_runs_through_the_factory(scripted, tmp_path):
    from asr.wavdevice import WavSoundDevice

    spec = SourceSpec(kind="device", device=0, backend=WavSoundDevice({0: DEV_003}), call_id="LIVE-T", pace="whole")
    events = list(call_events(spec)(threading.Event()))
    assert [e.text for e in events if isinstance(e, UtteranceEvent) and e.final] == TEXTS
    assert events[0].call_id == "LIVE-T" and events[0].source == "device"
    assert events[-1].type == "call_ended"


def test_hang_up_finishes_the_call(scripted):
    stop = threading.Event()
    spec = SourceSpec(kind="audio", path=str(DEV_003), pace="whole")
    events = []
    for ev in call_events(spec)(stop):
        events.append(ev)
        if isinstance(ev, UtteranceEvent) and ev.final:
            stop.set()
    assert events[-1].type == "call_ended" and events[-1].reason == "hangup"
    # no audio after the hang-up: the first line came out at 2.7 s (its end + latency), the meter stops there
    assert max(e.t for e in events if e.type == "level") <= 2.8


# ------------------------------------------------------------------------------------------ the CLI through it


def test_analyze_and_score_a_recording_go_through_the_factory(scripted, built, tmp_path, capsys):
    assert main(["analyze", str(DEV_003), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["call_id"] == "DEV-003" and "banned_phrase" in {f["code"] for f in result["flags"]}
    assert built == ["audio"]
    assert {(s, o.get("partials"), o.get("offline")) for s, o in scripted.opened} == {("agent", False, True),
                                                                                     ("caller", False, True)}
    item = score_one(str(DEV_003))
    assert item["ok"] and item["result"]["flags"] == result["flags"] and item["audio_seconds"] == 8.0
    assert built == ["audio", "audio"]


@pytest.mark.parametrize("fmt", [("OGG", "VORBIS", ".ogg"), ("MP3", "MPEG_LAYER_III", ".mp3")])
def test_ogg_and_mp3_recordings_are_analysed(scripted, tmp_path, fmt):
    """A real Ogg/MP3 file (the recording re-encoded with soundfile) goes through the same dispatcher."""
    major, subtype, ext = fmt
    data, rate = soundfile.read(DEV_003, dtype="float32")
    path = tmp_path / f"DEV-003{ext}"
    soundfile.write(path, data, rate, format=major, subtype=subtype)
    result, transcript = analyse_file(path)
    assert result["call_id"] == "DEV-003" and [t.text for t in transcript.turns] == TEXTS
    assert np.isclose(soundfile.info(str(path)).duration, 8.0, atol=0.1)


def test_transcribe_file_mode_and_live_mode(scripted, built, tmp_path, capsys):
    out = tmp_path / "t.json"
    assert main(["transcribe", str(DEV_003), "--out", str(out)]) == 0
    assert [t["text"] for t in json.loads(out.read_text())["turns"]] == TEXTS
    assert all(o.get("offline") is True for _, o in scripted.opened)
    scripted.opened.clear()
    assert main(["transcribe", str(DEV_003), "--live", "--json"]) == 0
    assert [t["text"] for t in json.loads(capsys.readouterr().out)["turns"]] == TEXTS
    assert scripted.opened and all("offline" not in o and o.get("partials") is None for _, o in scripted.opened)
    assert built == ["audio", "audio"]


def test_demo_and_replay_events_go_through_the_factory(scripted, built, capsys):
    assert main(["replay", str(DEV_003), "--events", "--pace", "whole"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [e["text"] for e in lines if e["type"] == "utterance" and e["final"]] == TEXTS
    assert lines[-1]["type"] == "call_ended"
    fx = REPO / "audio_fixtures" / "calls" / "FX-07-banned-no-closing.json"
    assert main(["replay", str(fx), "--events", "--pace", "whole"]) == 0
    assert built == ["audio", "transcript"]
