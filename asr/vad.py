"""Energy voice-activity detection on 20 ms frames, with a minimum-statistics noise-floor tracker.

:class:`EnergyVad` is deliberately simple and cheap (numpy per chunk, a few float operations per frame):
a frame is *voiced* when its level is ``margin_db`` above the noise floor (the minimum frame level over
the last ``noise_window_s`` plus a bias) and above an absolute gate; speech starts after ``onset_s`` of
voiced frames and ends ``hangover_s`` after the last one. :mod:`asr.monitor` builds on it.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from asr.types import SAMPLE_RATE

log = logging.getLogger(__name__)

FRAME_S = 0.02
"""Seconds per analysis frame."""
FRAME = int(SAMPLE_RATE * FRAME_S)
"""Samples per analysis frame (320 at 16 kHz)."""


def frames_in(seconds: float) -> int:
    """Number of whole frames in ``seconds`` (at least one)."""
    return max(1, round(seconds / FRAME_S))


def db(power: float) -> float:
    """Mean square of full-scale-normalised samples → dBFS (floored at −100)."""
    return 10.0 * math.log10(max(power, 1e-10))


@dataclass(frozen=True)
class FrameInfo:
    """What the VAD measured on one 20 ms frame of one channel."""

    index: int
    """Frame number: the frame covers seconds [index·0.02, (index+1)·0.02) since the call was answered."""
    level_db: float
    """dBFS, RMS of this frame."""
    voiced: bool
    """Energy above the noise floor by the speech margin."""
    in_speech: bool
    """Speech state after onset and hangover."""
    noise_db: float
    """dBFS, the tracked noise floor."""
    segment_start: float
    """Seconds: when the current speech segment started (meaningful while ``in_speech``)."""

    @property
    def end(self) -> float:
        """Seconds since the call was answered, at the end of the frame."""
        return (self.index + 1) * FRAME_S


class Framer:
    """Cuts a chunk stream into 20 ms frames: per-frame power and count of samples at full scale."""

    def __init__(self, name: str, clip_level: int) -> None:
        self.name = name
        self.clip_level = clip_level
        self._rest = np.zeros(0, dtype=np.int16)
        self.next_index: int | None = None
        """Index of the next frame; None before the first chunk."""

    def cut(self, samples: np.ndarray, start: float) -> tuple[int, np.ndarray, np.ndarray]:
        """Frames completed by ``samples`` (starting at ``start`` seconds): first index, powers, clip counts."""
        expected = None if self.next_index is None else (self.next_index * FRAME + self._rest.size) / SAMPLE_RATE
        if expected is None or abs(start - expected) > FRAME_S:
            if expected is not None:
                log.warning("%s: chunk at %.3f s, expected %.3f s; resynchronising", self.name, start, expected)
            self.next_index = round(start / FRAME_S)
            self._rest = np.zeros(0, dtype=np.int16)
        data = np.concatenate([self._rest, samples]) if self._rest.size else samples
        n = data.size // FRAME
        self._rest = data[n * FRAME:].copy()
        first = self.next_index
        self.next_index = first + n
        block = data[: n * FRAME].reshape(n, FRAME)
        x = block.astype(np.float32) / 32768.0
        powers = np.mean(x * x, axis=1)
        clips = np.count_nonzero((block >= self.clip_level) | (block <= -self.clip_level), axis=1)
        return first, powers, clips


class EnergyVad:
    """Speech/non-speech per frame from energy above a tracked noise floor."""

    def __init__(self, *, margin_db: float, min_db: float, onset_s: float, hangover_s: float,
                 noise_window_s: float, noise_bias_db: float) -> None:
        self.margin_db, self.min_db, self.bias_db = margin_db, min_db, noise_bias_db
        self._onset, self._hangover = frames_in(onset_s), frames_in(hangover_s)
        self._window = frames_in(noise_window_s)
        self._minima: deque[tuple[int, float]] = deque()  # sliding minimum of frame levels: (index, dB)
        self._voiced_run = 0
        self._since_voiced = 10**9
        self._segment_start = 0.0
        self.noise_db = -100.0
        """dBFS, the tracked noise floor."""
        self.in_speech = False
        """Speech state after onset and hangover."""

    def step(self, index: int, power: float) -> FrameInfo:
        """Classify frame ``index`` of mean-square ``power``."""
        level = db(power)
        minima = self._minima
        while minima and minima[-1][1] >= level:
            minima.pop()
        minima.append((index, level))
        if minima[0][0] <= index - self._window:
            minima.popleft()
        self.noise_db = floor = minima[0][1] + self.bias_db
        voiced = level >= max(floor + self.margin_db, self.min_db)
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        self._since_voiced = 0 if voiced else self._since_voiced + 1
        if not self.in_speech and self._voiced_run >= self._onset:
            self.in_speech = True
            self._segment_start = (index - self._voiced_run + 1) * FRAME_S
        elif self.in_speech and self._since_voiced >= self._hangover:
            self.in_speech = False
        return FrameInfo(index, level, voiced, self.in_speech, floor, self._segment_start)
