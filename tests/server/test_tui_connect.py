"""Two agents' TUIs (``copilot tui --connect``: the live screen on a websocket source), driven with Textual's
Pilot, follow two calls streaming at once into one real server; each sees only its own call."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import contextmanager

import pytest

from copilot.events import CallEnded, CallStarted, ErrorEvent, UtteranceEvent
from copilot.server import client
from copilot.session.source import SourceSpec
from tests.server.conftest import AGENT, INSP, TEL, fixture, run, running
from tui.app import make_app
from tui.config import TuiConfig
from tui.messages import CallEvent, StreamEnded

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
            if app._exception is not None or not app.is_running:
                break  # the app crashed: leaving run_test re-raises its exception with its own traceback
            cut = [m.error for m in seen if isinstance(m, StreamEnded) and m.error]
            assert not cut, f"{call_id}: the subscription ended with an error: {cut}"
            assert time.monotonic() < end, (f"{call_id}: the call never ended on the screen; last messages: "
                                             f"{[type(m).__name__ for m in seen[-8:]]}")
            await pilot.pause(0.05)
        return {"call_id": scr.call_id, "sub_title": scr.sub_title,
                "transcript": list(scr.query_one("#transcript").texts), "status": scr.status.state}


def server_events(msgs: list) -> list:
    """The call's events a screen received, without the follow-up notices of a lost subscription (those are
    the client's, not the server's)."""
    return [m.event for m in msgs if isinstance(m, CallEvent)
            and not (isinstance(m.event, ErrorEvent) and m.event.where == "connect")]


@contextmanager
def server_in_its_own_thread(tmp_path, recognizer):
    """The server (and the telephony side that streams into it) on an event loop of their own, as a separate
    server process would be: two Textual apps painting on the test's loop must not delay the server's
    handshakes or its sends (when they shared one loop on a slow machine, a handshake timed out)."""
    loop = asyncio.new_event_loop()
    up, box = threading.Event(), {}

    async def serve() -> None:
        box["stop"] = asyncio.Event()
        # The calls stream at 10x real time; two screens painting on a slow machine fall behind that, and the
        # default queue (256 events) would cut a subscriber off as too slow (4429, test_backpressure tests it).
        async with running(tmp_path, recognizer, limits={"subscriber_queue": 100_000}) as srv:
            box["srv"] = srv
            up.set()
            await box["stop"].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), name="server", daemon=True)
    thread.start()
    assert up.wait(120), "the server did not start"
    try:
        yield box["srv"], loop
    finally:
        loop.call_soon_threadsafe(box["stop"].set)
        thread.join(60)
        loop.close()


def test_two_tuis_on_two_calls_each_see_only_their_own(tmp_path, recognizer):
    answers = {"TUI-A": [], "TUI-B": []}

    async def telephony(url: str) -> list[dict]:
        return await asyncio.gather(*(
            client.stream_file(url, cid, fixture(fx), TEL, pace="fast", seconds=6, on_message=answers[cid].append)
            for cid, fx in (("TUI-A", "FX-01"), ("TUI-B", "FX-04"))))

    async def body(srv, server_loop):
        seen = {"TUI-A": [], "TUI-B": []}
        ready = {cid: asyncio.Event() for cid in seen}
        screens = {cid: asyncio.create_task(_agent_screen(srv.url, cid, tok, ready[cid], seen[cid]))
                   for cid, tok in (("TUI-A", AGENT), ("TUI-B", INSP))}
        for cid in seen:
            await asyncio.wait_for(ready[cid].wait(), 120)
        await asyncio.sleep(0.2)  # both screens have subscribed before their calls begin
        finals = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(telephony(srv.url), server_loop))
        shown = {cid: await asyncio.wait_for(t, 240) for cid, t in screens.items()}
        return finals, seen, shown

    with server_in_its_own_thread(tmp_path, recognizer) as (srv, server_loop):
        finals, seen, shown = run(body(srv, server_loop))
    for final, (cid, msgs) in zip(finals, seen.items(), strict=True):
        # A subscription lost on a busy machine is made again and announced (test below); the server's events
        # must still be exactly this call's, each once.
        events = server_events(msgs)
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


def test_a_cut_subscription_is_made_again_and_the_screen_misses_nothing(tmp_path, recognizer):
    """The server cuts the agent's subscription mid-call (as it does to a subscriber that falls behind, 4429):
    the TUI says so, subscribes again, skips the resent history and ends with every utterance exactly once."""
    from copilot.server.hub import CLOSE_SLOW

    answers: list[dict] = []

    async def cut_every_subscriber(srv, call_id: str) -> int:  # on the server's loop: its hub is not thread-safe
        subs = list(srv.hub.calls[call_id].subscribers)
        for sub in subs:
            sub.cut(CLOSE_SLOW, "cut by the test")
        return len(subs)

    async def body(srv, server_loop):
        seen: list = []
        ready = asyncio.Event()
        screen = asyncio.create_task(_agent_screen(srv.url, "CUT-1", AGENT, ready, seen))
        await asyncio.wait_for(ready.wait(), 120)
        await asyncio.sleep(0.2)
        call = asyncio.run_coroutine_threadsafe(
            client.stream_file(srv.url, "CUT-1", fixture("FX-01"), TEL, pace="realtime", seconds=12,
                               on_message=answers.append), server_loop)
        end = time.monotonic() + 120
        while not any(isinstance(m, CallEvent) and isinstance(m.event, UtteranceEvent) for m in seen):
            assert time.monotonic() < end and not call.done(), "no utterance reached the screen mid-call"
            await asyncio.sleep(0.05)
        cut = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
            cut_every_subscriber(srv, "CUT-1"), server_loop))
        assert cut == 1 and not call.done(), "the cut must come while the call is still streaming"
        final = await asyncio.wrap_future(call)
        shown = await asyncio.wait_for(screen, 240)
        return final, seen, shown

    with server_in_its_own_thread(tmp_path, recognizer) as (srv, server_loop):
        final, seen, shown = run(body(srv, server_loop))
    events = [m.event for m in seen if isinstance(m, CallEvent)]
    notices = [e.message for e in events if isinstance(e, ErrorEvent) and e.where == "connect"]
    cut_notices = [n for n in notices if "4429" in n]  # (a busy machine may add a failed first handshake)
    assert len(cut_notices) == 1 and "正在重新连接" in cut_notices[0]
    from_server = server_events(seen)
    assert sum(isinstance(e, CallStarted) for e in from_server) == 1  # the resent history was skipped
    assert isinstance(from_server[-1], CallEnded) and from_server[-1].complete
    said = [(e.speaker, e.text, e.final) for e in from_server if isinstance(e, UtteranceEvent)]
    own = [(m["speaker"], m.get("text", m.get("partial")), "text" in m) for m in answers if "speaker" in m]
    assert said == own, "the screen missed or repeated utterances across the new subscription"
    finals_said = [t for _, t, f in said if f]
    assert finals_said and len(shown["transcript"]) == len(finals_said)
    assert final["result"]["call_id"] == "CUT-1"
    assert not any(isinstance(m, StreamEnded) and m.error for m in seen)
