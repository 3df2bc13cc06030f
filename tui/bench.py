"""Event-to-screen latency of the live screen: ``python -m tui.bench [--rate 20] [--events 400]``.

Real events (the bundled fixture calls run through the pipeline) are fed from a thread at a fixed rate
into a headless live screen; each event's latency runs from the moment its source thread produced it to
the moment the screen has refreshed after handling it. Target: p95 ≤ 100 ms at 20 events per second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from copilot.events import Event

FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures" / "calls"


def fixture_events(limit: int) -> list[Event]:
    from copilot.pipeline import CallPipeline, run_transcript
    from copilot.transcript import load_transcript

    out: list[Event] = []
    while len(out) < limit:
        for path in sorted(FIXTURES.glob("*.json")):
            tr = load_transcript(path)
            out += run_transcript(tr, CallPipeline(tr.call_id, ring_seconds=tr.ring_seconds), pace="whole")
            if len(out) >= limit:
                break
    return out[:limit]


async def measure(events: list[Event], rate: float, size: tuple[int, int]) -> list[float]:
    from tui.app import make_app
    from tui.config import TuiConfig
    from tui.sources import list_stream

    latencies: list[float] = []
    app = make_app("live", stream_factory=lambda: list_stream(events, 1.0 / rate),
                   config=TuiConfig(freeze_clock=True))
    async with app.run_test(size=size, headless=True) as pilot:
        screen = app.screen
        screen.painted = lambda sent: latencies.append(time.perf_counter() - sent)
        end = time.monotonic() + len(events) / rate + 30
        while len(latencies) < len(events) and time.monotonic() < end:
            await pilot.pause(0.1)
    return latencies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tui.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=20.0, help="events per second")
    ap.add_argument("--events", type=int, default=400)
    ap.add_argument("--width", type=int, default=120)
    ap.add_argument("--height", type=int, default=40)
    a = ap.parse_args(argv)
    events = fixture_events(a.events)
    lat = asyncio.run(measure(events, a.rate, (a.width, a.height)))
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
