"""Live audio devices through sounddevice (PortAudio), as a stream of per-speaker 16 kHz AudioChunks.

sounddevice needs the PortAudio C library; it is imported only inside these functions, so the rest of
the copilot works without it. A :class:`DeviceSource` reads one stereo device (agent on ``agent_channel``)
or two devices (agent, caller). PortAudio's callback thread hands each block over a thread-safe queue
(``call_soon_threadsafe`` into an asyncio queue for ``async for``). If a device disappears mid-call the
source first delivers every buffered chunk, then raises :class:`DeviceLost`.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from asr.errors import AudioError
from asr.sources import ChunkConverter
from asr.types import AudioChunk

log = logging.getLogger(__name__)

PORTAUDIO_MISSING = "PortAudio is missing: install it with `apt-get install libportaudio2` (Debian/Ubuntu)"
POLL_S = 0.25
"""Seconds between checks that a silent device is still running."""


class DeviceError(AudioError):
    """An audio device cannot be found or opened, or PortAudio is not installed."""


class DeviceLost(DeviceError):
    """A device stopped delivering audio mid-call (unplugged, driver error)."""


@dataclass(frozen=True)
class DeviceInfo:
    """One PortAudio device."""

    index: int
    name: str
    hostapi: str
    """Host API name (ALSA, PulseAudio, CoreAudio, WASAPI …)."""
    max_input_channels: int
    default_samplerate: float
    """Hertz."""
    is_default_input: bool = False


def import_sounddevice() -> Any:
    """Import sounddevice, turning a missing PortAudio library into a clear DeviceError."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError('PortAudio library not found')
        raise DeviceError(f"{PORTAUDIO_MISSING} ({exc})", where="sounddevice") from exc
    except ImportError as exc:
        raise DeviceError("the sounddevice package is missing: pip install sounddevice",
                          where="sounddevice") from exc
    return sounddevice


def list_devices(*, backend: Any = None) -> list[DeviceInfo]:
    """Every device PortAudio knows, inputs and outputs."""
    sd = backend or import_sounddevice()
    apis = sd.query_hostapis()
    default_in = -1
    try:
        default_in = int(sd.default.device[0])
    except (AttributeError, TypeError, IndexError, ValueError):
        pass
    return [
        DeviceInfo(int(d["index"]), str(d["name"]), str(apis[d["hostapi"]]["name"]),
                   int(d["max_input_channels"]), float(d["default_samplerate"]), int(d["index"]) == default_in)
        for d in sd.query_devices()
    ]


def _describe(devices: list[DeviceInfo]) -> str:
    inputs = [d for d in devices if d.max_input_channels > 0]
    if not inputs:
        return "no input devices are available"
    return "input devices: " + "; ".join(
        f"{d.index} '{d.name}' ({d.hostapi}, {d.max_input_channels} ch, {d.default_samplerate:.0f} Hz)"
        for d in inputs)


def find_device(device: int | str | None, *, backend: Any = None) -> DeviceInfo:
    """The input device named (index, or a unique part of its name), or the default input device."""
    devices = list_devices(backend=backend)
    inputs = [d for d in devices if d.max_input_channels > 0]
    if device is None:
        found = [d for d in inputs if d.is_default_input] or inputs[:1]
        if not found:
            raise DeviceError(f"no default input device; {_describe(devices)}", where="device")
        return found[0]
    if isinstance(device, int):
        found = [d for d in inputs if d.index == device]
    else:
        found = [d for d in inputs if d.name == device] or [
            d for d in inputs if device.lower() in d.name.lower()]
    if len(found) != 1:
        problem = "is ambiguous" if found else "not found"
        raise DeviceError(f"input device {device!r} {problem}; {_describe(devices)}", where="device")
    return found[0]


_END = object()


class DeviceSource:
    """Live input: one stereo device, or two devices ``(agent_device, caller_device)``."""

    def __init__(self, device: int | str | None | tuple[int | str, int | str] = None, *, agent_channel: int = 0,
                 samplerate: int | None = None, chunk_ms: int = 100, speaker_for_mono: str = "caller",
                 backend: Any = None) -> None:
        self._sd = backend or import_sounddevice()
        pair = isinstance(device, tuple)
        if pair and len(device) != 2:  # type: ignore[arg-type]
            raise DeviceError("give one device, or a pair (agent device, caller device)", where="device")
        infos = [find_device(d, backend=self._sd) for d in (device if pair else (device,))]  # type: ignore[union-attr]
        self.devices = tuple(infos)
        """The devices read: one, or (agent, caller)."""
        self.samplerate = int(samplerate or infos[0].default_samplerate)
        """Hertz, the rate the devices are opened at."""
        self.chunk_ms = chunk_ms
        if pair:
            self._layout = [(info, 1, ChunkConverter(self.samplerate, 1, speaker_for_mono=who))
                            for info, who in zip(infos, ("agent", "caller"), strict=True)]
        else:
            channels = min(2, infos[0].max_input_channels)
            self._layout = [(infos[0], channels, ChunkConverter(
                self.samplerate, channels, agent_channel, speaker_for_mono=speaker_for_mono))]
        self._streams: list[Any] = []
        self._closing = False
        self._flushed: set[int] = set()
        self._put: Any = None

    # -------------------------------------------------------------------------------- PortAudio side

    def _open(self) -> None:
        blocksize = self.samplerate * self.chunk_ms // 1000
        for n, (info, channels, _) in enumerate(self._layout):
            def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any, n: int = n) -> None:
                if status:
                    log.warning("device %s: %s", self._layout[n][0].name, status)
                self._put((n, bytes(indata)))

            def finished(n: int = n) -> None:
                self._put((n, _END))

            try:
                stream = self._sd.InputStream(
                    device=info.index, channels=channels, samplerate=self.samplerate, dtype="int16",
                    blocksize=blocksize, callback=callback, finished_callback=finished)
                stream.start()
            except Exception as exc:  # sounddevice.PortAudioError and invalid-parameter errors
                self.close()
                raise DeviceError(f"cannot open input device {info.index} '{info.name}' at {self.samplerate} Hz, "
                                  f"{channels} ch: {exc}", where="device") from exc
            self._streams.append(stream)
        log.info("reading %s at %d Hz", ", ".join(i.name for i, _, _ in self._layout), self.samplerate)

    def close(self) -> None:
        """Stop and close the device streams (the stream then ends without DeviceLost)."""
        self._closing = True
        for stream in self._streams:
            try:
                stream.close()
            except Exception as exc:  # closing a vanished device may fail; nothing more to do
                log.debug("closing stream: %s", exc)
        self._streams = []

    # -------------------------------------------------------------------------------- consumer side

    def _handle(self, item: tuple[int, Any], ended: set[int]) -> list[AudioChunk]:
        n, data = item
        converter = self._layout[n][2]
        if data is _END:
            ended.add(n)
            self._flushed.add(n)
            return converter.flush()
        if n in self._flushed:  # cannot happen: a stream's finished callback comes after its last block
            log.warning("audio block after the end of stream %d dropped", n)
            return []
        return converter.convert(data)

    def _flush_rest(self, ended: set[int]) -> list[AudioChunk]:
        """The tails of streams that stopped without their finished callback, once their queued blocks are in."""
        out: list[AudioChunk] = []
        for n in sorted(ended - self._flushed):
            self._flushed.add(n)
            out += self._layout[n][2].flush()
        return out

    def _lost(self, ended: set[int]) -> DeviceLost:
        names = ", ".join(f"'{self._layout[n][0].name}'" for n in sorted(ended)) or "the device"
        return DeviceLost(f"audio device {names} stopped delivering audio (unplugged or failed)", where="device")

    def _stopped(self) -> set[int]:
        return {n for n, s in enumerate(self._streams) if not getattr(s, "active", True)}

    def __iter__(self) -> Iterator[AudioChunk]:
        q: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
        self._put = q.put
        self._closing = False
        self._flushed = set()
        self._open()
        ended: set[int] = set()
        try:
            while not ended:
                try:
                    item = q.get(timeout=POLL_S)
                except queue.Empty:
                    # a stream stopped without the finished callback: its blocks may still be queued, so
                    # its converter is flushed only after the queue is drained below
                    ended |= self._stopped()
                    continue
                yield from self._handle(item, ended)
            while True:  # the other device's buffered blocks
                try:
                    yield from self._handle(q.get_nowait(), ended)
                except queue.Empty:
                    break
            yield from self._flush_rest(ended)
            if not self._closing:
                raise self._lost(ended)
        finally:
            self.close()

    async def __aiter__(self) -> AsyncIterator[AudioChunk]:
        loop = asyncio.get_running_loop()
        q: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
        main = threading.get_ident()

        def put(item: tuple[int, Any]) -> None:
            if threading.get_ident() == main:
                q.put_nowait(item)
            else:
                loop.call_soon_threadsafe(q.put_nowait, item)

        self._put = put
        self._closing = False
        self._flushed = set()
        self._open()
        ended: set[int] = set()
        try:
            while not ended:
                try:
                    item = await asyncio.wait_for(q.get(), POLL_S)
                except TimeoutError:
                    ended |= self._stopped()  # flushed after the queue is drained, as in __iter__
                    continue
                for chunk in self._handle(item, ended):
                    yield chunk
            await asyncio.sleep(0)  # let pending call_soon_threadsafe deliveries land
            while not q.empty():
                for chunk in self._handle(q.get_nowait(), ended):
                    yield chunk
            for chunk in self._flush_rest(ended):
                yield chunk
            if not self._closing:
                raise self._lost(ended)
        finally:
            self.close()
