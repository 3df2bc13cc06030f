"""Audio sources: file replay (order, channels, pacing, async), raw PCM and the streaming converter."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from asr.audio import read_audio, to_16k
from asr.errors import AudioError
from asr.sources import ChunkConverter, FileSource, RawPcmSource
from asr.types import AudioChunk

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "tests" / "data" / "dev" / "audio"
FIXTURES = REPO / "audio_fixtures" / "audio"


@pytest.fixture(scope="module")
def call_8k() -> np.ndarray:
    """8 s of a real call: 8 kHz stereo int16 (ch0 agent, ch1 caller)."""
    data, rate = soundfile.read(DEV / "DEV-003-8s.flac", dtype="int16", always_2d=True)
    assert rate == 8000
    return data


@pytest.fixture
def short_wav(tmp_path, call_8k) -> Path:
    path = tmp_path / "short.wav"
    soundfile.write(path, call_8k[:16000], 8000, subtype="PCM_16")  # 2 s stereo
    return path


def joined(chunks: list[AudioChunk], speaker: str) -> np.ndarray:
    return np.frombuffer(b"".join(c.pcm for c in chunks if c.speaker == speaker), dtype="<i2")


def test_file_source_interleaves_agent_and_caller_chunks():
    path = FIXTURES / "FX-08-silent-call.flac"
    chunks = list(FileSource(path))
    decoded = read_audio(path)
    assert [c.speaker for c in chunks[:4]] == ["agent", "caller", "agent", "caller"]
    assert [c.start for c in chunks[:6:2]] == pytest.approx([0.0, 0.1, 0.2])
    assert all(c.seconds == pytest.approx(0.1) for c in chunks[:-2])
    assert np.array_equal(joined(chunks, "agent"), decoded.channels[0])
    assert np.array_equal(joined(chunks, "caller"), decoded.channels[1])
    swapped = list(FileSource(path, agent_channel=1, chunk_ms=250))
    assert np.array_equal(joined(swapped, "agent"), decoded.channels[1])
    assert swapped[2].start == pytest.approx(0.25)


def test_mono_file_takes_the_given_speaker(tmp_path, call_8k):
    path = tmp_path / "mono.wav"
    soundfile.write(path, call_8k[:8000, 1], 8000)
    assert {c.speaker for c in FileSource(path)} == {"caller"}
    chunks = list(FileSource(path, speaker_for_mono="agent"))
    assert {c.speaker for c in chunks} == {"agent"} and len(chunks) == 10


def test_realtime_and_fast_pacing_release_chunks_when_their_audio_ends(short_wav):
    for pace, speed in (("realtime", 1.0), ("fast", 4.0)):
        t0 = time.monotonic()
        released = [(time.monotonic() - t0, c) for c in FileSource(short_wav, pace=pace, speed=speed)]
        for at, chunk in released:
            assert at >= (chunk.start + chunk.seconds) / speed - 0.01
        assert released[-1][0] >= 2.0 / speed - 0.01
    assert FileSource(short_wav, pace="fast").speed == 10.0


def test_async_iteration_gives_the_same_stream(short_wav):
    async def collect() -> list[AudioChunk]:
        return [c async for c in FileSource(short_wav, pace="fast", speed=20)]

    t0 = time.monotonic()
    chunks = asyncio.run(collect())
    assert time.monotonic() - t0 >= 2.0 / 20 - 0.01
    assert chunks == list(FileSource(short_wav))


def test_file_source_errors(tmp_path, short_wav):
    with pytest.raises(AudioError, match="file not found") as info:
        list(FileSource(tmp_path / "nope.wav"))
    assert info.value.where.endswith("nope.wav")
    with pytest.raises(AudioError, match="pace must be one of"):
        FileSource(short_wav, pace="slow")  # type: ignore[arg-type]
    with pytest.raises(AudioError, match="use pace 'fast'"):
        FileSource(short_wav, pace="realtime", speed=2)
    with pytest.raises(AudioError, match="agent_channel must be 0 or 1"):
        FileSource(short_wav, agent_channel=2)
    with pytest.raises(AudioError, match="chunk_ms"):
        FileSource(short_wav, chunk_ms=0)


def test_chunked_conversion_matches_whole_file_conversion(call_8k):
    wire = call_8k.astype("<i2").tobytes()
    rng = np.random.default_rng(5)
    converter = ChunkConverter(8000, 2)
    chunks, pos = [], 0
    while pos < len(wire):
        size = int(rng.integers(1, 1200))  # odd sizes: frames split mid-sample
        chunks += converter.convert(wire[pos:pos + size])
        pos += size
    chunks += converter.flush()
    for ch, speaker in enumerate(("agent", "caller")):
        got, whole = joined(chunks, speaker), to_16k(call_8k[:, ch], 8000)
        assert got.size == whole.size == 128000
        assert np.max(np.abs(got.astype(int) - whole)) <= 2
        starts = [c.start for c in chunks if c.speaker == speaker]
        ends = [c.start + c.seconds for c in chunks if c.speaker == speaker]
        assert starts[1:] == pytest.approx(ends[:-1])  # contiguous timeline


def test_converter_passes_16k_through_and_rejects_bad_input():
    pcm = np.arange(-50, 50, dtype="<i2")
    mono = ChunkConverter(16000, 1, speaker_for_mono="agent")
    (chunk,) = mono.convert(pcm.tobytes())
    assert chunk == AudioChunk("agent", pcm.tobytes(), 0.0)
    with pytest.raises(AudioError, match="sample rate"):
        ChunkConverter(4000, 1)
    with pytest.raises(AudioError, match="3 channels"):
        ChunkConverter(8000, 3)
    cut = ChunkConverter(8000, 2)
    cut.convert(b"\x01\x00\x02\x00\x03")
    assert cut.trailing == 1 and cut.flush()
    with pytest.raises(AudioError, match="stream ended mid-frame: 1 trailing bytes"):
        cut.check_complete()


def test_raw_pcm_source_sync_and_async(call_8k):
    wire = call_8k[:24000].astype("<i2").tobytes()  # 3 s
    chunks = list(RawPcmSource(io.BytesIO(wire), rate=8000, channels=2))
    assert [c.speaker for c in chunks[:2]] == ["agent", "caller"]
    assert np.max(np.abs(joined(chunks, "caller").astype(int) - to_16k(call_8k[:24000, 1], 8000))) <= 2

    async def collect() -> list[AudioChunk]:
        return [c async for c in RawPcmSource(io.BytesIO(wire), rate=8000, channels=2)]

    assert asyncio.run(collect()) == chunks
    got: list[AudioChunk] = []
    with pytest.raises(AudioError, match="mid-frame"):
        for c in RawPcmSource(io.BytesIO(wire + b"\x07"), rate=8000, channels=2):
            got.append(c)
    assert got == chunks  # everything before the broken tail was delivered
