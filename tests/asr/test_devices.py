"""Live devices: the real sounddevice/PortAudio path, and a WAV-backed device that vanishes mid-call."""

from __future__ import annotations

import asyncio
import importlib.abc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile

from asr.audio import to_16k
from asr.devices import PORTAUDIO_MISSING, DeviceError, DeviceInfo, DeviceLost, DeviceSource, list_devices
from asr.types import AudioChunk
from asr.wavdevice import WavSoundDevice

REPO = Path(__file__).resolve().parents[2]
DEV_003 = REPO / "tests" / "data" / "dev" / "audio" / "DEV-003-8s.flac"


FakeSoundDevice = WavSoundDevice  # the WAV-backed device (asr/wavdevice.py)


@pytest.fixture(scope="module")
def call_wav(tmp_path_factory) -> tuple[str, np.ndarray]:
    """The first 6 s of a real call (8 kHz stereo, ch0 agent, ch1 caller) as a WAV 'device'."""
    data, rate = soundfile.read(DEV_003, dtype="int16", frames=6 * 8000, always_2d=True)
    path = tmp_path_factory.mktemp("dev") / "call-device.wav"
    soundfile.write(path, data, rate, subtype="PCM_16")
    return str(path), data


def joined(chunks: list[AudioChunk], speaker: str) -> np.ndarray:
    return np.frombuffer(b"".join(c.pcm for c in chunks if c.speaker == speaker), dtype="<i2")


def expected_16k(data: np.ndarray, blocks: int, ch: int) -> np.ndarray:
    return to_16k(data[: blocks * 800, ch], 8000)


def test_vanishing_device_delivers_every_buffered_chunk_then_raises(call_wav):
    path, data = call_wav
    sd = FakeSoundDevice({3: path}, vanish_after={3: 25})  # 25 blocks of 100 ms, then unplugged
    chunks: list[AudioChunk] = []
    with pytest.raises(DeviceLost, match="stopped delivering audio"):
        for chunk in DeviceSource(3, backend=sd):
            chunks.append(chunk)
    assert sd.played[3] == 25
    for ch, speaker in enumerate(("agent", "caller")):
        got, want = joined(chunks, speaker), expected_16k(data, 25, ch)
        assert got.size == want.size == 25 * 1600  # nothing lost: 2.5 s at 16 kHz
        assert np.max(np.abs(got.astype(int) - want)) <= 2  # the stream converts like the whole recording
    assert [c.start for c in chunks if c.speaker == "caller"] == sorted(c.start for c in chunks
                                                                        if c.speaker == "caller")


def test_async_iteration_and_swapped_channels(call_wav):
    path, data = call_wav
    sd = FakeSoundDevice({0: path}, vanish_after={0: 10})

    async def consume() -> list[AudioChunk]:
        out = []
        with pytest.raises(DeviceLost):
            async for chunk in DeviceSource(0, agent_channel=1, backend=sd):
                out.append(chunk)
        return out

    chunks = asyncio.run(consume())
    assert np.max(np.abs(joined(chunks, "agent").astype(int) - expected_16k(data, 10, 1))) <= 2
    assert joined(chunks, "caller").size == 16000


def test_two_devices_agent_and_caller(call_wav, tmp_path):
    path, data = call_wav
    agent_wav, caller_wav = tmp_path / "agent-headset.wav", tmp_path / "caller-line.wav"
    # the agent's recording is much longer than the caller's 8 blocks, so that under load the agent device cannot
    # run out first (two threads deliver as fast as they are scheduled at pace "whole")
    soundfile.write(agent_wav, np.tile(data[:, 0], 20), 8000, subtype="PCM_16")
    soundfile.write(caller_wav, data[:, 1], 8000, subtype="PCM_16")
    sd = FakeSoundDevice({1: str(agent_wav), 2: str(caller_wav)}, vanish_after={2: 8})
    chunks = []
    with pytest.raises(DeviceLost, match="caller-line"):
        for chunk in DeviceSource(("agent-headset", "caller-line"), backend=sd):
            chunks.append(chunk)
    assert np.max(np.abs(joined(chunks, "caller").astype(int) - expected_16k(data, 8, 1))) <= 2
    assert joined(chunks, "agent").size >= 8 * 1600 - 1600  # the agent device ran alongside


def test_consumer_stopping_closes_the_device_without_error(call_wav):
    path, _ = call_wav
    sd = FakeSoundDevice({0: path}, vanish_after={})
    source = DeviceSource(None, backend=sd)
    for n, _chunk in enumerate(source):
        if n == 5:
            break
    assert sd.streams and not sd.streams[0].active


def test_unknown_device_lists_the_available_ones(call_wav):
    path, _ = call_wav
    sd = FakeSoundDevice({0: path}, vanish_after={})
    with pytest.raises(DeviceError, match=r"'usb-mic' not found; input devices: 0 'call-device' \(WAV, 2 ch, 8000 Hz\)"):
        DeviceSource("usb-mic", backend=sd)
    with pytest.raises(DeviceError, match="7 not found"):
        DeviceSource(7, backend=sd)


# ---------------------------------------------------------------------------------------------- real PortAudio


def test_real_sounddevice_imports_and_lists_devices():
    devices = list_devices()  # fails with the PortAudio hint if libportaudio2 is not installed
    assert all(isinstance(d, DeviceInfo) for d in devices)


def test_real_sounddevice_nonexistent_device_is_a_clear_error():
    with pytest.raises(DeviceError, match="input device 'no-such-microphone' not found; (input devices|no input)"):
        DeviceSource("no-such-microphone")


class _NoPortAudio(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


def test_missing_portaudio_gives_the_install_hint(monkeypatch):
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPortAudio(), *sys.meta_path])
    with pytest.raises(DeviceError) as info:
        list_devices()
    assert PORTAUDIO_MISSING in str(info.value)
    assert "apt-get install libportaudio2" in info.value.message


ALSA_RC = """
pcm.copilot_test {
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "%s"
    format "raw"
}
"""

READER = textwrap.dedent("""
    import json, sys
    from asr.devices import DeviceSource, list_devices
    names = [d.name for d in list_devices()]
    source = DeviceSource("copilot_test", samplerate=16000, chunk_ms=100)
    pcm = {"agent": b"", "caller": b""}
    for chunk in source:
        pcm[chunk.speaker] += chunk.pcm
        if len(pcm["caller"]) >= 2 * 32000:
            break
    print(json.dumps({"names": names, "agent": pcm["agent"][:64000].hex(), "caller": pcm["caller"][:64000].hex()}))
""")


def test_real_portaudio_alsa_device_reads_a_recording(tmp_path, call_wav):
    """A real PortAudio capture device: ALSA's `file` plugin replays raw PCM as a sound card input."""
    _, data = call_wav
    stereo = np.stack([to_16k(data[:, 0], 8000), to_16k(data[:, 1], 8000)], axis=1)[:40000]
    raw = tmp_path / "line.raw"
    raw.write_bytes(stereo.astype("<i2").tobytes())
    (tmp_path / ".asoundrc").write_text(ALSA_RC % raw)
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", READER], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "copilot_test" in out["names"]
    agent = np.frombuffer(bytes.fromhex(out["agent"]), dtype="<i2")
    caller = np.frombuffer(bytes.fromhex(out["caller"]), dtype="<i2")
    assert np.array_equal(agent, stereo[:32000, 0]) and np.array_equal(caller, stereo[:32000, 1])
