"""Listening in the replay screen: space plays the selected utterance (or from the selected flag), both
channels or one; the timeline follows; no output device gives a Chinese message and nothing else breaks.

No sound card exists here, so the screen tests use a sounddevice-like backend whose OutputStream writes to a
WAV file; the real PortAudio path is tested too, through ALSA's ``file`` plugin as the default output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import soundfile
from textual.widgets import OptionList
from tui_helpers import FX07, REPO, notes, wait_for

from copilot.analysis import analyze_transcript
from copilot.store import save_result
from copilot.transcript import load_transcript
from tui.app import make_app
from tui.config import TuiConfig

pytestmark = pytest.mark.anyio
FX07_AUDIO = REPO / "audio_fixtures" / "audio" / "FX-07-banned-no-closing.flac"


class WavOutputStream:
    """The sounddevice.OutputStream interface (blocking writes), writing what it is given to a WAV file."""

    def __init__(self, backend: FakeOutput, *, samplerate, channels, dtype, **_):
        self.backend = backend
        self.path = backend.folder / f"played-{len(backend.files)}.wav"
        backend.files.append(self.path)
        self.file = soundfile.SoundFile(str(self.path), "w", samplerate=int(samplerate), channels=channels,
                                        subtype="FLOAT")
        self.dtype = dtype

    def start(self):
        pass

    def write(self, data):
        assert data.dtype == np.float32 and data.flags.c_contiguous
        self.file.write(data)
        self.backend.writes += 1
        time.sleep(len(data) / self.file.samplerate / self.backend.speed)  # a device blocks while it plays

    def stop(self):
        pass

    def close(self):
        self.file.close()


class FakeOutput:
    def __init__(self, folder):
        self.folder = folder
        self.files = []
        self.writes = 0
        self.speed = 4.0
        """Playback speed of the fake device (4× real time unless a test needs time to press a key)."""

    def OutputStream(self, **kw):  # noqa: N802 - the sounddevice name
        return WavOutputStream(self, **kw)


class NoDevice:
    """A sounddevice on a machine without an output device (PortAudio's error as sounddevice raises it)."""

    def OutputStream(self, **kw):  # noqa: N802
        raise RuntimeError("Error querying device -1")


def _stored_recording(store):
    tr = load_transcript(FX07)
    save_result(store, tr, analyze_transcript(tr), source=str(FX07_AUDIO))
    return tr


def _expected(start, end):
    data, rate = soundfile.read(str(FX07_AUDIO), dtype="float32", always_2d=True)
    return data[int(round(start * rate)):int(round(end * rate))]


async def test_space_plays_the_selected_utterance_both_channels_then_one(store, tmp_path, monkeypatch):
    tr = _stored_recording(store)
    out = FakeOutput(tmp_path)
    app = make_app("replay", call_id="FX-07", store=store, config=TuiConfig(freeze_clock=True), audio_backend=out)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-07" and scr.audio_path == str(FX07_AUDIO))
        positions = []
        timeline = scr.query_one("#timeline")
        real_set = timeline.set
        monkeypatch.setattr(timeline, "set", lambda **kw: (positions.append(kw["position"]), real_set(**kw)))
        scr.query_one("#turns", OptionList).highlighted = 1
        await pilot.press("space")
        await wait_for(pilot, lambda: len(out.files) == 1 and not scr.player.playing and scr.play_position is None,
                       what="playback of turn 2")
        turn = tr.turns[1]
        played, rate = soundfile.read(str(out.files[0]), dtype="float32", always_2d=True)
        assert rate == 8000 and np.array_equal(played, _expected(turn.start, turn.end))
        moving = [p for p in positions if turn.start < p <= turn.end]
        assert len(moving) >= 5 and moving == sorted(moving)  # the timeline followed the playback
        await pilot.press("l")  # both → agent only
        assert "仅座席" in " ".join(notes(app))
        scr.query_one("#turns", OptionList).highlighted = 0
        await pilot.press("space")
        await wait_for(pilot, lambda: len(out.files) == 2 and not scr.player.playing)
        played, _ = soundfile.read(str(out.files[1]), dtype="float32", always_2d=True)
        agent = _expected(tr.turns[0].start, tr.turns[0].end)[:, 0]
        assert np.array_equal(played[:, 0], agent) and np.array_equal(played[:, 1], agent)


async def test_space_on_a_flag_plays_from_the_flag_and_space_again_stops(store, tmp_path):
    tr = _stored_recording(store)
    out = FakeOutput(tmp_path)
    app = make_app("replay", call_id="FX-07", store=store, config=TuiConfig(freeze_clock=True), audio_backend=out)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-07" and len(scr.flags) == 3)
        scr.query_one("#flag-table").focus()
        await pilot.press("n")
        flag = scr.flags[0]
        await pilot.press("space")
        await wait_for(pilot, lambda: not scr.player.playing and len(out.files) == 1)
        played, _ = soundfile.read(str(out.files[0]), dtype="float32", always_2d=True)
        assert np.array_equal(played, _expected(flag["start"], tr.turns[flag["turn"]].end))
        out.speed = 1.0  # real time: about 3 s of playing, time enough to stop it on a loaded machine
        await pilot.press("space")
        await wait_for(pilot, lambda: len(out.files) == 2 and scr.player.playing)
        await pilot.press("space")  # stops
        await wait_for(pilot, lambda: not scr.player.playing)
        assert any("已停止播放" in n for n in notes(app))
        stopped, _ = soundfile.read(str(out.files[1]), dtype="float32", always_2d=True)
        assert 0 < len(stopped) < len(played) and len(out.files) == 2 and app.is_running


async def test_no_output_device_is_a_clear_message_and_nothing_breaks(store):
    _stored_recording(store)
    app = make_app("replay", call_id="FX-07", store=store, config=TuiConfig(freeze_clock=True),
                   audio_backend=NoDevice())
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-07" and scr.audio_path is not None)
        await pilot.press("space")
        assert any("无法播放" in n and "没有可用的音频输出设备" in n for n in notes(app))
        await pilot.press("n", "d", "enter")  # reviewing still works
        await wait_for(pilot, lambda: scr.flags[0].get("review") == "dismissed")
        assert app.is_running


PLAYER = textwrap.dedent("""
    import sys
    from tui.player import Player
    p = Player(sys.argv[1], agent_channel=0)
    p.play(float(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    p.wait(60)
    print("done", p.position)
""")


@pytest.mark.parametrize("channels", ["both", "caller"])
def test_real_portaudio_output_writes_the_utterance(tmp_path, channels):
    """The real sounddevice/PortAudio path: ALSA's `file` plugin as the default output device."""
    raw = tmp_path / "out.raw"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{\n type file\n slave.pcm "null"\n file "{raw}"\n format "raw"\n}}\n')
    turn = load_transcript(FX07).turns[1]
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", PLAYER, str(FX07_AUDIO), str(turn.start), str(turn.end), channels],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    played = np.frombuffer(raw.read_bytes(), dtype="<f4").reshape(-1, 2)
    want = _expected(turn.start, turn.end)
    if channels == "caller":
        want = np.stack([want[:, 1], want[:, 1]], axis=1)
    assert np.array_equal(played, want), json.dumps({"got": len(played), "want": len(want)})


async def test_audio_kept_by_the_server_is_played(store, tmp_path):
    """A call streamed to `copilot serve --store-audio`: its audio_path (stereo, agent on channel 0)."""
    from copilot.store import set_audio_path

    tr = load_transcript(FX07)
    save_result(store, tr, analyze_transcript(tr), source="websocket")
    data, rate = soundfile.read(str(FX07_AUDIO), dtype="int16", always_2d=True)
    kept = tmp_path / "FX-07.wav"
    soundfile.write(str(kept), data, rate, subtype="PCM_16")
    set_audio_path(store, "FX-07", str(kept))
    out = FakeOutput(tmp_path)
    app = make_app("replay", call_id="FX-07", store=store, config=TuiConfig(freeze_clock=True), audio_backend=out)
    async with app.run_test(size=(80, 24)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.call_id == "FX-07" and scr.audio_path == str(kept))
        scr.query_one("#turns", OptionList).highlighted = 2
        await pilot.press("space")
        await wait_for(pilot, lambda: len(out.files) == 1 and not scr.player.playing)
        played, _ = soundfile.read(str(out.files[0]), dtype="float32", always_2d=True)
        assert np.array_equal(played, _expected(tr.turns[2].start, tr.turns[2].end))
