"""Two agents' TUIs (``copilot tui --connect``: the live screen on a websocket source), driven with Textual's
Pilot, follow two calls streaming at once into one real server; each sees only its own call."""

from __future__ import annotations

import asyncio
import time

import pytest

from copilot.events import CallEnded, CallStarted, UtteranceEvent
from copilot.server import client
from tests.server.conftest import AGENT, INSP, TEL, fixture, run, running
from tui.app import make_app
from tui.config import TuiConfig
from tui.messages import CallEvent, StreamEnded
from tui.sources import SourceSpec

pytestmark = pytest.mark.slow
CFG = TuiConfig(freeze_clock=True)


async def _agent_screen(url: str, call_id: str, token: str, ready: asyncio.Event, seen: list) -> dict:
    """Run one TUI on ``call_id`` until its call has ended; returns what its screen shows."""
    app = make_app("live", source=SourceSpec(kind="connect", url=url, call_id=call_id, token=token), config=CFG)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        ready.set()
        scr = app.screen
        end = time.monotonic() + 240
        while not (scr.ended and any(isinstance(m, StreamEnded) for m in seen)):
            assert time.monotonic() < end, f"{call_id}: the call never ended on the screen"
            await pilot.pause(0.05)
        return {"call_id": scr.call_id, "sub_title": scr.sub_title,
                "transcript": list(scr.query_one("#transcript").texts), "status": scr.status.state}


def test_two_tuis_on_two_calls_each_see_only_their_own(tmp_path, recognizer):
    async def body():
        async with running(tmp_path, recognizer) as srv:
            seen = {"TUI-A": [], "TUI-B": []}
            ready = {cid: asyncio.Event() for cid in seen}
            screens = {cid: asyncio.create_task(_agent_screen(srv.url, cid, tok, ready[cid], seen[cid]))
                       for cid, tok in (("TUI-A", AGENT), ("TUI-B", INSP))}
            for cid in seen:
                await asyncio.wait_for(ready[cid].wait(), 60)
            await asyncio.sleep(0.2)  # both screens have subscribed before their calls begin
            answers = {"TUI-A": [], "TUI-B": []}
            finals = await asyncio.gather(*(
                client.stream_file(srv.url, cid, fixture(fx), TEL, pace="fast", seconds=6,
                                   on_message=answers[cid].append)
                for cid, fx in (("TUI-A", "FX-01"), ("TUI-B", "FX-04"))))
            shown = {cid: await asyncio.wait_for(t, 240) for cid, t in screens.items()}
            return finals, answers, seen, shown

    finals, answers, seen, shown = run(body())
    for final, (cid, msgs) in zip(finals, seen.items(), strict=True):
        events = [m.event for m in msgs if isinstance(m, CallEvent)]
        assert isinstance(events[0], CallStarted) and events[0].call_id == cid
        assert isinstance(events[-1], CallEnded) and events[-1].call_id == cid and events[-1].complete
        said = [(e.speaker, e.text, e.final) for e in events if isinstance(e, UtteranceEvent)]
        own = [(m["speaker"], m.get("text", m.get("partial")), "text" in m) for m in answers[cid] if "speaker" in m]
        assert said == own, f"{cid}: the screen got events that are not its call's"
        finals_said = [t for _, t, f in said if f]
        assert finals_said and len(shown[cid]["transcript"]) == len(finals_said)
        assert all(text in line for text, line in zip(finals_said, shown[cid]["transcript"], strict=True))
        assert shown[cid]["call_id"] == shown[cid]["sub_title"] == cid and shown[cid]["status"] == "通话已结束"
        assert final["result"]["call_id"] == cid
    assert not any(isinstance(m, StreamEnded) and m.error for msgs in seen.values() for m in msgs)
