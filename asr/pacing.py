"""The one pacer of replayed calls: when a piece of a call (an audio chunk, a transcript turn, a wire frame)
may be released, so a recording or transcript plays like the call it records.

Modes (``PACES``):

- ``whole``: as fast as the consumer takes it (batch analysis, tests) — never waits;
- ``realtime``: at the call's own speed — something that ends at audio time ``t`` is released ``t`` seconds
  after :meth:`Pacer.start`;
- ``fast``: ``speed`` times real time (default :data:`FAST_SPEED`), for demos and benchmarks.

It lives in ``asr`` because the file source (:class:`asr.sources.FileSource`) paces its chunks and ``asr``
imports nothing of the project; ``copilot.session`` (transcripts, the server's test client) uses the same class.
"""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from asr.errors import AudioError

Pace = Literal["whole", "fast", "realtime"]
PACES: tuple[str, ...] = ("whole", "fast", "realtime")
FAST_SPEED = 10.0
"""Default speed-up of pace ``fast``."""


class Pacer:
    """Releases items at their audio time: ``wait(t)`` (blocking) or ``await wait_async(t)``.

    ``speed`` is only for ``fast`` (``None`` → :data:`FAST_SPEED`); ``realtime`` plays at speed 1.
    Raises :class:`asr.errors.AudioError` (naming ``where``) for an unknown pace or a bad speed."""

    def __init__(self, pace: str = "whole", speed: float | None = None, *, where: str = "pace") -> None:
        if pace not in PACES:
            raise AudioError(f"pace must be one of {', '.join(PACES)}, got {pace!r}", where=where)
        if pace == "realtime" and speed not in (None, 1, 1.0):
            raise AudioError("pace 'realtime' plays at speed 1; use pace 'fast' to change the speed", where=where)
        if speed is not None and not speed > 0:
            raise AudioError(f"speed must be positive, got {speed!r}", where=where)
        self.pace = pace
        self.speed = FAST_SPEED if pace == "fast" and speed is None else float(speed or 1.0)
        """Audio seconds per wall second (1 for ``realtime``; unused for ``whole``)."""
        self.t0 = time.monotonic()

    def start(self) -> Pacer:
        """Audio time 0 is now."""
        self.t0 = time.monotonic()
        return self

    def delay(self, at: float) -> float:
        """Seconds still to wait before releasing what ends at audio time ``at`` (≤ 0: due)."""
        if self.pace == "whole":
            return 0.0
        return self.t0 + at / self.speed - time.monotonic()

    def wait(self, at: float) -> None:
        """Block until audio time ``at`` is due."""
        d = self.delay(at)
        if d > 0:
            time.sleep(d)

    async def wait_async(self, at: float) -> None:
        """Sleep until ``at`` is due; always yields to the event loop once (also at pace ``whole``)."""
        await asyncio.sleep(max(self.delay(at), 0.0))
