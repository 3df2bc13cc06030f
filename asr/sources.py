"""Audio sources: every input becomes one time-ordered stream of per-speaker 16 kHz :class:`AudioChunk`.

A source yields the agent's and the caller's chunks interleaved chunk by chunk (agent first), each
chunk ``chunk_ms`` long with ``start`` in seconds since the call was answered. Files replay at ``whole``
(as fast as possible), ``realtime`` or ``fast`` (realtime × speed) pace, by ``for`` or ``async for``.
Wire PCM (stdin, websocket frames) is converted at ingress by :class:`ChunkConverter`, which keeps the
resampler's state between frames so a stream converts the same as a whole file. Live devices are in
:mod:`asr.devices`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator
from typing import BinaryIO

import numpy as np

from asr.audio import DecodedAudio, StreamResampler, array_to_pcm, read_audio
from asr.errors import AudioError
from asr.pacing import FAST_SPEED, PACES, Pace, Pacer
from asr.types import SAMPLE_RATE, AudioChunk

log = logging.getLogger(__name__)

__all__ = ["FAST_SPEED", "PACES", "ChunkConverter", "FileSource", "Pace", "RawPcmSource", "speakers_of"]
MIN_RATE, MAX_RATE = 8000, 192000
"""Hertz: the wire sample rates :class:`ChunkConverter` accepts."""


def _check_layout(channels: int, agent_channel: int, speaker_for_mono: str, where: str) -> None:
    if channels not in (1, 2):
        raise AudioError(f"{channels} channels; expected 1 (mono) or 2 (agent + caller)", where=where)
    if agent_channel not in (0, 1):
        raise AudioError(f"agent_channel must be 0 or 1, got {agent_channel!r}", where=where)
    if speaker_for_mono not in ("agent", "caller"):
        raise AudioError(f"speaker_for_mono must be 'agent' or 'caller', got {speaker_for_mono!r}", where=where)


def _check_chunk_ms(chunk_ms: int, where: str) -> None:
    if not isinstance(chunk_ms, int) or not 10 <= chunk_ms <= 2000:
        raise AudioError(f"chunk_ms must be an integer from 10 to 2000, got {chunk_ms!r}", where=where)


def speakers_of(channels: int, agent_channel: int, speaker_for_mono: str) -> tuple[str, ...]:
    """Speaker of each input channel: stereo → agent on ``agent_channel``, caller on the other."""
    if channels == 1:
        return (speaker_for_mono,)
    return ("agent", "caller") if agent_channel == 0 else ("caller", "agent")


class ChunkConverter:
    """Wire frames (interleaved little-endian int16 at any rate) → per-speaker 16 kHz AudioChunks.

    Frames may be any length, even split mid-sample; resampler state is kept between frames.
    """

    def __init__(self, rate: int, channels: int, agent_channel: int = 0, *,
                 speaker_for_mono: str = "caller", start: float = 0.0) -> None:
        where = "ChunkConverter"
        if not isinstance(rate, int) or not MIN_RATE <= rate <= MAX_RATE:
            raise AudioError(f"sample rate must be {MIN_RATE}–{MAX_RATE} Hz, got {rate!r}", where=where)
        _check_layout(channels, agent_channel, speaker_for_mono, where)
        self.rate = rate
        """Hertz: the wire rate."""
        self.channels = channels
        self.speakers = speakers_of(channels, agent_channel, speaker_for_mono)
        """Speaker of each wire channel."""
        self._resamplers = [StreamResampler(rate) for _ in range(channels)]
        self._rest = b""
        self._start = start
        self._emitted = [0] * channels  # 16 kHz samples emitted per channel
        self._finished = False

    def convert(self, frame: bytes) -> list[AudioChunk]:
        """Convert the next wire frame; returns one chunk per speaker that has samples ready (agent first)."""
        if self._finished:
            raise AudioError("frame after the end of the stream", where="ChunkConverter")
        data = self._rest + bytes(frame)
        width = 2 * self.channels
        usable = len(data) - len(data) % width
        self._rest = data[usable:]
        if not usable:
            return []
        block = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, self.channels)
        return self._emit([block[:, ch] for ch in range(self.channels)], last=False)

    @property
    def trailing(self) -> int:
        """Bytes of an incomplete sample frame waiting for the next wire frame."""
        return len(self._rest)

    def flush(self) -> list[AudioChunk]:
        """End of stream: return the samples still inside the resamplers (check :meth:`check_complete`)."""
        if self._finished:
            return []
        self._finished = True
        empty = [np.zeros(0, dtype=np.int16) for _ in range(self.channels)]
        return self._emit(empty, last=True)

    def check_complete(self, where: str = "ChunkConverter") -> None:
        """Raise AudioError when the stream stopped in the middle of a sample frame."""
        if self._rest:
            raise AudioError(
                f"stream ended mid-frame: {len(self._rest)} trailing bytes, expected whole frames of "
                f"{2 * self.channels} bytes ({self.channels} × 16-bit)", where=where)

    def _emit(self, per_channel: list[np.ndarray], *, last: bool) -> list[AudioChunk]:
        chunks = []
        for ch, samples in enumerate(per_channel):
            out = self._resamplers[ch].process(np.ascontiguousarray(samples), last=last)
            if out.size:
                start = self._start + self._emitted[ch] / SAMPLE_RATE
                self._emitted[ch] += out.size
                chunks.append(AudioChunk(self.speakers[ch], array_to_pcm(out), start))
        return sorted(chunks, key=lambda c: c.speaker != "agent")


class FileSource:
    """A recording (``asr.audio.AUDIO_EXTENSIONS``) as a stream of chunks: stereo → channel ``agent_channel`` is the agent."""

    def __init__(self, path: str | os.PathLike[str], *, agent_channel: int = 0, speaker_for_mono: str = "caller",
                 chunk_ms: int = 100, pace: Pace = "whole", speed: float | None = None) -> None:
        where = str(path)
        _check_layout(2, agent_channel, speaker_for_mono, where)
        _check_chunk_ms(chunk_ms, where)
        self._pacer = Pacer(pace, speed, where=where)
        self.pace = self._pacer.pace
        self.speed = self._pacer.speed
        self.path = where
        self.agent_channel = agent_channel
        self.speaker_for_mono = speaker_for_mono
        self.chunk_ms = chunk_ms
        self._audio: DecodedAudio | None = None

    def load(self) -> DecodedAudio:
        """Decode the file (once); raises AudioError naming the file."""
        if self._audio is None:
            self._audio = read_audio(self.path, max_channels=2)
        return self._audio

    @property
    def duration(self) -> float:
        """Seconds of audio in the file."""
        return self.load().duration

    def _chunks(self, audio: DecodedAudio) -> Iterator[AudioChunk]:
        speakers = speakers_of(len(audio.channels), self.agent_channel, self.speaker_for_mono)
        order = sorted(range(len(speakers)), key=lambda ch: speakers[ch] != "agent")
        step = SAMPLE_RATE * self.chunk_ms // 1000
        length = max(ch.size for ch in audio.channels)
        for i in range(0, length, step):
            for ch in order:
                block = audio.channels[ch][i:i + step]
                if block.size:
                    yield AudioChunk(speakers[ch], array_to_pcm(block), i / SAMPLE_RATE)

    def __iter__(self) -> Iterator[AudioChunk]:
        audio = self.load()
        pacer = self._pacer.start()
        for chunk in self._chunks(audio):
            pacer.wait(chunk.start + chunk.seconds)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[AudioChunk]:
        audio = self._audio or await asyncio.to_thread(self.load)
        pacer = self._pacer.start()
        for chunk in self._chunks(audio):
            await pacer.wait_async(chunk.start + chunk.seconds)  # also yields to the loop at pace 'whole'
            yield chunk


class RawPcmSource:
    """Raw interleaved 16-bit little-endian PCM from a byte stream (e.g. stdin), converted at ingress."""

    def __init__(self, stream: BinaryIO, *, rate: int, channels: int, agent_channel: int = 0,
                 speaker_for_mono: str = "caller", chunk_ms: int = 100) -> None:
        _check_chunk_ms(chunk_ms, "RawPcmSource")
        self.stream = stream
        self.converter = ChunkConverter(rate, channels, agent_channel, speaker_for_mono=speaker_for_mono)
        self._read_size = rate * chunk_ms // 1000 * 2 * channels

    def _read(self) -> bytes:
        """Read one chunk's worth of bytes (fewer only at the end of the stream)."""
        parts, need = [], self._read_size
        while need > 0:
            data = self.stream.read(need)
            if not data:
                break
            parts.append(data)
            need -= len(data)
        return b"".join(parts)

    def __iter__(self) -> Iterator[AudioChunk]:
        while data := self._read():
            yield from self.converter.convert(data)
        yield from self.converter.flush()
        self.converter.check_complete("RawPcmSource")

    async def __aiter__(self) -> AsyncIterator[AudioChunk]:
        while data := await asyncio.to_thread(self._read):
            for chunk in self.converter.convert(data):
                yield chunk
        for chunk in self.converter.flush():
            yield chunk
        self.converter.check_complete("RawPcmSource")
