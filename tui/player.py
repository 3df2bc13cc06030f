"""Play part of a call's recording through sounddevice (PortAudio), for the inspector.

A stereo recording holds the agent on one channel and the caller on the other (``agent_channel``); the
inspector hears both, or one of them on both ears. Samples are written in blocks from a worker thread
(``OutputStream.write``), so the position (call seconds) is known after every block and a stop takes
effect within one block. Without PortAudio or an output device, :class:`PlaybackError` says so in Chinese.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from copilot.errors import CopilotError

log = logging.getLogger(__name__)
BLOCK_S = 0.1
"""Seconds per block written: the timeline moves and a stop is heard within this."""
CHANNELS = ("both", "agent", "caller")
CHANNEL_ZH = {"both": "双声道", "agent": "仅座席", "caller": "仅来电"}


class PlaybackError(CopilotError):
    """The recording cannot be played here (no output device, no PortAudio, unreadable file)."""


class Player:
    """One recording; ``play`` a span of it (call seconds), ``stop``, and watch ``position``."""

    def __init__(self, path: str | Path, *, agent_channel: int = 0, speaker_for_mono: str = "caller",
                 backend: Any = None) -> None:
        import soundfile

        self.path = Path(path)
        try:
            data, self.rate = soundfile.read(str(self.path), dtype="float32", always_2d=True)
        except Exception as exc:  # soundfile raises LibsndfileError / RuntimeError / OSError
            raise PlaybackError(f"无法读取录音：{exc}", where=str(self.path)) from exc
        self.data = data
        self.agent_channel = agent_channel
        self.mono_speaker = speaker_for_mono
        self.backend = backend
        self.position = 0.0
        self.playing = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def duration(self) -> float:
        return len(self.data) / self.rate

    def samples(self, start: float, end: float, channels: str = "both") -> np.ndarray:
        """The (frames, 2) float32 block that ``play`` sends for this span and channel choice."""
        if channels not in CHANNELS:
            raise ValueError(f"channels must be one of {CHANNELS}, got {channels!r}")
        a, b = max(0, int(round(start * self.rate))), min(len(self.data), int(round(end * self.rate)))
        part = self.data[a:max(a, b)]
        if part.shape[1] == 1:
            mono = part[:, 0]
            if channels not in ("both", self.mono_speaker):
                mono = np.zeros_like(mono)
            return np.stack([mono, mono], axis=1)
        agent, caller = part[:, self.agent_channel], part[:, 1 - self.agent_channel]
        if channels == "agent":
            return np.stack([agent, agent], axis=1)
        if channels == "caller":
            return np.stack([caller, caller], axis=1)
        return np.stack([agent, caller], axis=1)

    def _open(self) -> Any:
        sd = self.backend
        if sd is None:
            try:
                from asr.devices import import_sounddevice

                sd = import_sounddevice()
            except CopilotError as exc:
                raise PlaybackError("无法播放：本机没有可用的音频输出（未找到 PortAudio）", where="sounddevice") from exc
        try:
            stream = sd.OutputStream(samplerate=self.rate, channels=2, dtype="float32")
            stream.start()
        except Exception as exc:  # sounddevice.PortAudioError: no default output device, …
            raise PlaybackError(f"无法播放：没有可用的音频输出设备（{exc}）", where="sounddevice") from exc
        return stream

    def play(self, start: float, end: float, channels: str = "both", *,
             on_position: Callable[[float], None] | None = None,
             on_done: Callable[[str | None], None] | None = None) -> None:
        """Play ``start``…``end`` seconds (a stop of any earlier playback first). Opening the output
        raises :class:`PlaybackError` here; later failures go to ``on_done(message)``."""
        self.stop()
        end = min(end, self.duration)
        block = self.samples(start, end, channels)
        stream = self._open()
        self._stop.clear()
        self.position, self.playing = start, True

        def run() -> None:
            error = None
            n = max(1, int(self.rate * BLOCK_S))
            try:
                for i in range(0, len(block), n):
                    if self._stop.is_set():
                        break
                    stream.write(np.ascontiguousarray(block[i:i + n]))
                    self.position = start + min(len(block), i + n) / self.rate
                    if on_position:
                        on_position(self.position)
            except Exception as exc:  # noqa: BLE001 - the device went away mid-play: reported, not raised
                log.warning("playback failed: %s", exc)
                error = f"播放中断：{exc}"
            finally:
                try:
                    stream.stop()
                    stream.close()
                except Exception:  # noqa: BLE001 - closing a broken stream
                    log.debug("closing the output stream", exc_info=True)
                self.playing = False
                if on_done:
                    on_done(error)

        self._thread = threading.Thread(target=run, name="playback", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self._thread = None
        self.playing = False

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
