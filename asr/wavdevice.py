"""A WAV-backed sound device: the ``sounddevice`` interface :class:`asr.devices.DeviceSource` uses, whose input
devices are recordings (WAV/FLAC/Ogg/MP3), played through PortAudio's callback protocol from a thread.

For what a machine without a microphone cannot run otherwise: the tests of the live path (device → pipeline →
screen) and a live demo from a file. Pass it as ``backend`` (``DeviceSource(0, backend=WavSoundDevice({0: path}))``,
or ``SourceSpec(kind="device", backend=…)`` in :mod:`copilot.session`). ``vanish_after`` makes a device
"disappear" after that many blocks (callbacks stop, the stream turns inactive, the finished callback runs), as
PortAudio does when a device is unplugged.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from asr.pacing import Pacer

MIN_PAUSE_S = 0.002
"""Seconds between two blocks at pace ``whole`` (the reader thread gets its turn, as with a real device)."""


class WavInputStream:
    """The ``sounddevice.InputStream`` interface, playing a recording through the callback from a thread."""

    def __init__(self, backend: WavSoundDevice, *, device: int, channels: int, samplerate: int, dtype: str,
                 blocksize: int, callback: Any, finished_callback: Any) -> None:
        if dtype != "int16":
            raise ValueError(f"WavInputStream plays int16 only, got {dtype!r}")
        self.backend, self.device, self.channels = backend, device, channels
        self.samplerate, self.blocksize = samplerate, blocksize
        self.callback, self.finished_callback = callback, finished_callback
        self.active = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._play, name=f"wav-device-{device}", daemon=True)

    def start(self) -> None:
        self.active = True
        self._thread.start()

    def _play(self) -> None:
        data = self.backend.wavs[self.device]
        vanish = self.backend.vanish_after.get(self.device)
        pacer = Pacer(self.backend.pace, self.backend.speed).start()
        n = 0
        for i in range(0, data.shape[0] - self.blocksize + 1, self.blocksize):
            if self._stop.is_set() or (vanish is not None and n >= vanish):
                break
            block = np.ascontiguousarray(data[i:i + self.blocksize, : self.channels])
            self.callback(block, self.blocksize, None, None)
            n += 1
            self._stop.wait(max(pacer.delay((i + self.blocksize) / self.samplerate), MIN_PAUSE_S))
        self.backend.played[self.device] = n
        self.active = False
        if not self._stop.is_set():
            self.finished_callback()

    def close(self) -> None:
        if self.active:
            self._stop.set()
            self._thread.join()
            self.active = False
            self.finished_callback()


class WavSoundDevice:
    """A ``sounddevice``-like module whose input devices are recordings: ``{index: path}``.

    ``pace`` (``whole``, ``realtime``, ``fast`` with ``speed``) is how fast the blocks come (:class:`Pacer`)."""

    def __init__(self, wavs: dict[int, str | Path], vanish_after: dict[int, int] | None = None, *,
                 pace: str = "whole", speed: float | None = None) -> None:
        Pacer(pace, speed, where="WavSoundDevice")  # a bad pace fails here, not in the device thread
        self.pace, self.speed = pace, speed
        self.wavs: dict[int, np.ndarray] = {}
        self.names: dict[int, tuple[str, int, int]] = {}
        for index, path in wavs.items():
            data, rate = soundfile.read(str(path), dtype="int16", always_2d=True)
            self.wavs[index] = data
            self.names[index] = (Path(path).stem, data.shape[1], rate)
        self.vanish_after = dict(vanish_after or {})
        self.played: dict[int, int] = {}
        self.streams: list[WavInputStream] = []

        class Default:
            device = (min(wavs), -1)

        self.default = Default()

    def query_hostapis(self) -> tuple[dict[str, str], ...]:
        return ({"name": "WAV"},)

    def query_devices(self) -> list[dict[str, Any]]:
        return [{"index": i, "name": name, "hostapi": 0, "max_input_channels": ch, "default_samplerate": rate}
                for i, (name, ch, rate) in self.names.items()]

    def InputStream(self, **kwargs: Any) -> WavInputStream:  # noqa: N802 - the sounddevice name
        stream = WavInputStream(self, **kwargs)
        self.streams.append(stream)
        return stream
