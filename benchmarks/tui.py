"""Event-to-screen latency of the live screen: ``python -m benchmarks.tui [--rate 20] [--events 400]``.

Real events (the bundled fixture calls run through the pipeline) are fed from a thread at a fixed rate
into a headless live screen; each event's latency runs from the moment its source thread produced it to
the moment the screen has refreshed after handling it. Target: p95 ≤ 100 ms at 20 events per second.
The pace starts once the screen is up; the first event is not timed (start-up is not an event's latency).

Before the run it measures the machine's own floor: how long a busy Python loop is kept from running
(vCPU steal, memory stalls). No screen can answer faster than the machine lets any code run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from pathlib import Path

from copilot.events import Event

FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures" / "calls"


def fixture_events(limit: int) -> list[Event]:
    from copilot.session.pipeline import CallPipeline, run_transcript
    from copilot.transcript import load_transcript

    out: list[Event] = []
    while len(out) < limit:
        for path in sorted(FIXTURES.glob("*.json")):
            tr = load_transcript(path)
            out += run_transcript(tr, CallPipeline(tr.call_id, ring_seconds=tr.ring_seconds), pace="whole")
            if len(out) >= limit:
                break
    return out[:limit]


def stalls(seconds: float = 10.0, over: float = 0.02) -> list[float]:
    """Gaps longer than ``over`` seconds in a busy loop: moments this process was not allowed to run."""
    gaps: list[float] = []
    t0 = last = time.perf_counter()
    while last - t0 < seconds:
        now = time.perf_counter()
        if now - last > over:
            gaps.append(now - last)
        last = now
    return gaps


async def measure(events: list[Event], rate: float, size: tuple[int, int]) -> list[float]:
    from tui.app import make_app
    from tui.config import TuiConfig
    from tui.sources import list_stream

    latencies: list[float] = []
    ready = threading.Event()
    app = make_app("live", stream_factory=lambda: list_stream(events, 1.0 / rate, ready=ready),
                   config=TuiConfig(freeze_clock=True))

    seen = 0

    def painted(sent: float) -> None:
        nonlocal seen
        seen += 1
        if seen > 1:  # the first event also sets up the heap (see tui.screens.pump): not timed
            latencies.append(time.perf_counter() - sent)

    async with app.run_test(size=size, headless=True) as pilot:
        app.screen.painted = painted
        await pilot.pause(0.5)
        ready.set()
        end = time.monotonic() + len(events) / rate + 30
        while len(latencies) < len(events) - 1 and time.monotonic() < end:  # the first is not timed
            await pilot.pause(0.1)
    return latencies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.tui", description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=20.0, help="events per second")
    ap.add_argument("--events", type=int, default=400)
    ap.add_argument("--width", type=int, default=120)
    ap.add_argument("--height", type=int, default=40)
    ap.add_argument("--floor-seconds", type=float, default=10.0, help="how long to measure the machine's stalls")
    a = ap.parse_args(argv)
    events = fixture_events(a.events + 1)
    gaps = sorted(stalls(a.floor_seconds)) if a.floor_seconds > 0 else []
    if gaps:
        print(f"machine floor: {len(gaps)} stalls > 20 ms in {a.floor_seconds:g} s of a busy loop, "
              f"longest {gaps[-1] * 1000:.0f} ms")
    else:
        print(f"machine floor: no stall > 20 ms in {a.floor_seconds:g} s")
    lat = asyncio.run(measure(events, a.rate, (a.width, a.height)))
    events = events[1:]
    if not lat:
        print("no events reached the screen", file=sys.stderr)
        return 1
    ms = sorted(x * 1000 for x in lat)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"events {len(ms)}/{len(events)} at {a.rate:g}/s, screen {a.width}x{a.height}: "
          f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms (target p95 ≤ 100 ms)")
    return 0 if p95 <= 100 and len(ms) == len(events) else 1


if __name__ == "__main__":
    raise SystemExit(main())
