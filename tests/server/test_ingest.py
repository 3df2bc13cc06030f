"""Ingest and subscribe on a real loopback socket with the real Vosk engine on real 8 kHz stereo fixtures."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from copilot.events import CallEnded, CallStarted, UtteranceEvent
from copilot.server import client
from copilot.server.config import ServerError
from copilot.store import load_call
from tests.server.conftest import AGENT, INSP, SUP, TEL, fixture, run, running

pytestmark = pytest.mark.slow


async def collect(url, call_id, token):
    return [ev async for ev in client.subscribe(url, call_id, token)]


def test_two_calls_each_subscriber_sees_only_its_own(tmp_path, recognizer):
    async def body():
        async with running(tmp_path, recognizer) as srv:
            subs = {cid: asyncio.create_task(collect(srv.url, cid, tok))
                    for cid, tok in (("CALL-A", AGENT), ("CALL-B", INSP))}
            await asyncio.sleep(0.1)  # subscribers join before the calls begin
            answers = {"CALL-A": [], "CALL-B": []}
            finals = await asyncio.gather(
                client.stream_file(srv.url, "CALL-A", fixture("FX-01"), TEL, pace="whole", seconds=8,
                                   on_message=answers["CALL-A"].append),
                client.stream_file(srv.url, "CALL-B", fixture("FX-02"), TEL, pace="whole", seconds=8,
                                   on_message=answers["CALL-B"].append))
            events = {cid: await t for cid, t in subs.items()}
            late = await collect(srv.url, "CALL-A", SUP)  # joins after the end: gets the whole call
            listing = await asyncio.to_thread(client.http_get, srv.url, "/calls", SUP)
            return srv, finals, answers, events, late, listing

    srv, finals, answers, events, late, listing = run(body())
    for final in finals:
        assert final["frames"] == final["sent_frames"] and final["bytes"] == final["sent_bytes"]
    for (cid, evs), final in zip(events.items(), finals, strict=True):
        assert isinstance(evs[0], CallStarted) and evs[0].call_id == cid and evs[0].source == "websocket"
        assert isinstance(evs[-1], CallEnded) and evs[-1].call_id == cid
        assert evs[-1].reason == "eof" and evs[-1].complete
        assert final["result"]["call_id"] == cid
        said = [(e.speaker, e.text) for e in evs if isinstance(e, UtteranceEvent) and e.final]
        replied = [(m["speaker"], m["text"]) for m in answers[cid] if "text" in m]
        assert said and said == replied, "ingest answers and subscriber events must agree"
        assert {s for s, _ in said} == {"agent", "caller"}
        assert any("partial" in m for m in answers[cid])
        stored = load_call(srv.db, cid)
        assert stored["call"]["complete"] and stored["call"]["end_reason"] == "eof"
        assert [(u["speaker"], u["text"]) for u in stored["utterances"]] == said
    for cid, evs in events.items():  # partials and finals alike: exactly this call's own answers, in order
        seen = [(e.speaker, e.text, e.final) for e in evs if isinstance(e, UtteranceEvent)]
        own = [(m["speaker"], m.get("text", m.get("partial")), "text" in m) for m in answers[cid]
               if "speaker" in m]
        assert seen == own, f"{cid}: a subscriber saw events that are not its call's"
        assert all(getattr(e, "call_id", cid) == cid for e in evs)
    assert [e.to_dict() for e in late] == [e.to_dict() for e in events["CALL-A"]]
    recent = {c["call_id"]: c for c in listing["recent"]}
    assert set(recent) == {"CALL-A", "CALL-B"} and not listing["active"]
    assert recent["CALL-A"]["frames"] == finals[0]["frames"] and recent["CALL-A"]["complete"] is True


def test_client_disconnect_mid_call_is_stored_incomplete(tmp_path, recognizer):
    async def body():
        async with running(tmp_path, recognizer) as srv:
            sub = asyncio.create_task(collect(srv.url, "CALL-D", AGENT))
            await asyncio.sleep(0.1)
            data, rate = client.read_pcm(fixture("FX-03"), seconds=8)
            async with connect(f"{srv.url}/calls/CALL-D/audio", proxy=None, ping_interval=None,
                               additional_headers={"Authorization": f"Bearer {TEL}"}) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": rate, "channels": 2}}))
                step = rate // 10
                for i in range(0, len(data), step):
                    await ws.send(data[i:i + step].tobytes())
                await asyncio.sleep(0.5)
                ws.transport.abort()  # the telephony side vanishes: no eof, no close frame
            evs = await sub
            return srv, evs

    srv, evs = run(body())
    end = evs[-1]
    assert isinstance(end, CallEnded) and end.reason == "disconnect" and end.complete is False
    stored = load_call(srv.db, "CALL-D")
    assert stored["call"]["complete"] is False and stored["call"]["end_reason"] == "disconnect"
    said = [e.text for e in evs if isinstance(e, UtteranceEvent) and e.final]
    assert said, "8 s of a call must give at least one final utterance"
    assert [u["text"] for u in stored["utterances"]] == said, "everything that arrived is stored"
    assert json.loads(stored["call"]["result_json"])["complete"] is False


def test_refusals_keep_other_calls_running(tmp_path, recognizer):
    """Bad clients are refused with a code and a reason while a good call streams in real time."""

    async def refused(path, first=None, then=None, token=TEL):
        async with connect(f"{srv_url}{path}", proxy=None, max_size=None,
                           additional_headers={"Authorization": f"Bearer {token}"}) as ws:
            if first is not None:
                await ws.send(first)
            if then is not None:
                await ws.send(then)
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 30)
            return ws.close_code, ws.close_reason

    async def body():
        nonlocal srv_url
        async with running(tmp_path, recognizer, limits={"max_frame_bytes": 64 * 1024}) as srv:
            srv_url = srv.url
            good = asyncio.create_task(client.stream_file(srv.url, "GOOD", fixture("FX-01"), TEL,
                                                          pace="realtime", seconds=20))
            cfg = json.dumps({"config": {"sample_rate": 8000, "channels": 2}})
            while not srv.hub.active("GOOD"):
                await asyncio.sleep(0.01)
            # first, while GOOD certainly streams (a slow machine may take longer than the call for the rest)
            out = {"duplicate": await refused("/calls/GOOD/audio", cfg)}
            out |= {
                "malformed": await refused("/calls/BAD-1/audio", '{"config": {"sample_rate": 8000'),
                "binary_first": await refused("/calls/BAD-2/audio", b"\x00\x01" * 800),
                "rate": await refused("/calls/BAD-3/audio", json.dumps({"config": {"sample_rate": 7000}})),
                "rate_type": await refused("/calls/BAD-4/audio", json.dumps({"config": {"sample_rate": "8k"}})),
                "channels": await refused("/calls/BAD-5/audio", json.dumps({"config": {"sample_rate": 8000,
                                                                                        "channels": 6}})),
                "oversized": await refused("/calls/BAD-6/audio", cfg, b"\x00" * (128 * 1024)),
                "bad_json_mid_call": await refused("/calls/BAD-7/audio", cfg, "{eof: 1"),
            }
            with pytest.raises(ServerError) as wrong:
                await client.stream_file(srv.url, "BAD-8", fixture("FX-02"), "not-a-token", seconds=1)
            with pytest.raises(ServerError) as no_role:
                await client.stream_file(srv.url, "BAD-9", fixture("FX-02"), SUP, seconds=1)
            with pytest.raises(ServerError) as listing_as_agent:
                await asyncio.to_thread(client.http_get, srv.url, "/calls", AGENT)
            with pytest.raises(ServerError) as no_token:
                await asyncio.to_thread(client.http_get, srv.url, "/calls")
            final = await good
            return srv, out, final, wrong.value, no_role.value, listing_as_agent.value, no_token.value

    srv_url = ""
    srv, out, final, wrong, no_role, as_agent, no_token = run(body())
    assert out["malformed"][0] == 4400 and "malformed JSON" in out["malformed"][1]
    assert out["binary_first"] == (4400, "binary audio before the config message")
    assert out["rate"][0] == 4400 and "sample_rate" in out["rate"][1] and "7000" in out["rate"][1]
    assert out["rate_type"][0] == 4400 and "'8k'" in out["rate_type"][1]
    assert out["channels"][0] == 4400 and "channels" in out["channels"][1]
    assert out["oversized"][0] == 1009 and "exceeds limit" in out["oversized"][1]
    assert out["bad_json_mid_call"][0] == 4400 and "malformed JSON" in out["bad_json_mid_call"][1]
    assert out["duplicate"][0] == 4409 and "already streaming" in out["duplicate"][1]
    assert wrong.code == 401 and no_role.code == 403 and as_agent.code == 403 and no_token.code == 401
    assert final["result"]["complete"] is True and final["frames"] == final["sent_frames"]
    for cid in ("BAD-6", "BAD-7"):  # refused mid-call: stored, marked incomplete
        stored = load_call(srv.db, cid)
        assert stored["call"]["complete"] is False and stored["call"]["end_reason"] == "error"
    for cid in ("BAD-1", "BAD-2", "BAD-3", "BAD-8", "BAD-9"):  # refused before the call began: nothing stored
        assert load_call(srv.db, cid) is None
