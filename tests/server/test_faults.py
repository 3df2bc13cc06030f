"""Faults and hostile input against a real server on loopback (in this process; the Vosk test recognizer):
call-id reuse, a stream cut mid-sample, interrupted calls, confidentiality without a stored type, stalled and
idle connections, limits, duplicate headers, the audit log."""

from __future__ import annotations

import asyncio
import http.client
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from copilot.events import CallEnded, UtteranceEvent
from copilot.server import client
from copilot.server.config import ServerError
from copilot.server.storage import INTERRUPTED
from copilot.store import CallWriter, load_call
from tests.server.conftest import AGENT, INSP, SUP, TEL, fixture, make_config, run, running

pytestmark = pytest.mark.slow


async def stream_raw(url, call_id, data: bytes, rate: int, *, eof: bool = True, step: int = 3200,
                     token: str = TEL):
    """Send config, ``data`` in frames, then eof; returns (messages, close code, close reason)."""
    got = []
    async with connect(f"{url}/calls/{call_id}/audio", proxy=None, ping_interval=None,
                       additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": rate, "channels": 2}}))
        for i in range(0, len(data), step):
            await ws.send(data[i:i + step])
        if eof:
            await ws.send(json.dumps({"eof": 1}))
        try:
            while True:
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 60)))
        except ConnectionClosed:
            pass
        return got, ws.close_code, ws.close_reason


def pcm(name: str, seconds: float) -> tuple[bytes, int]:
    data, rate = client.read_pcm(fixture(name), seconds=seconds)
    return data.astype("<i2").tobytes(), rate


def test_an_ended_call_id_is_refused_and_the_stored_call_kept(tmp_path, recognizer):
    """Defect 1: a retry with an ended call's id wiped the stored call. Ids are never reused (4410)."""

    async def body():
        async with running(tmp_path, recognizer) as srv:
            first = await client.stream_file(srv.url, "RETRY-1", fixture("FX-03"), TEL, pace="whole", seconds=8)
            before = load_call(srv.db, "RETRY-1")
            with pytest.raises(ServerError) as again:
                await client.stream_file(srv.url, "RETRY-1", fixture("FX-01"), TEL, pace="whole", seconds=3)
            return srv, first, before, again.value, load_call(srv.db, "RETRY-1")

    srv, first, before, again, after = run(body())
    assert first["result"]["complete"] and before["utterances"] and before["flags"] is not None
    assert again.code == 4410 and "never reused" in str(again)
    assert after == before, "the earlier call is kept exactly"
    assert any(a["event"] == "refused" and a["status"] == 4410 for a in srv.audit.read())


def test_a_stream_ending_mid_sample_still_ends_its_call(tmp_path, recognizer):
    """Defect 2: an odd trailing byte raised asr's AudioError out of the worker's finish (no common error base):
    the call-level flags, the score and the end state were lost. Now the call ends, flagged incomplete."""

    async def body():
        async with running(tmp_path, recognizer) as srv:
            data, rate = pcm("FX-03", 8)
            sub = asyncio.create_task(collect(srv.url, "ODD-1", AGENT))
            await asyncio.sleep(0.1)
            got, code, _ = await stream_raw(srv.url, "ODD-1", data + b"\x01", rate)
            return srv, got, code, await sub

    srv, got, code, evs = run(body())
    end = evs[-1]
    assert isinstance(end, CallEnded) and end.complete is False
    assert any(e.type == "error" and "mid-frame" in e.message for e in evs)
    final = got[-1]
    assert final.get("eof") == 1 and final["result"]["score"] is not None
    stored = load_call(srv.db, "ODD-1")
    assert stored["call"]["end_reason"] == "eof" and stored["call"]["complete"] is False
    assert stored["call"]["service_type"] is not None and stored["call"]["result_json"]
    said = [e.text for e in evs if isinstance(e, UtteranceEvent) and e.final]
    assert said and [u["text"] for u in stored["utterances"]] == said


async def collect(url, call_id, token):
    return [ev async for ev in client.subscribe(url, call_id, token)]


def _crashed_call(db_url: str, call_id: str, texts: list[str]) -> None:
    """What a server killed mid-call leaves: a call row without end, its utterances."""
    from copilot.store.db import make_engine

    w = CallWriter(make_engine(db_url), call_id, started_at="2026-03-02T09:15:00+08:00", source="websocket")
    for i, text in enumerate(texts):
        w.add_utterance(i, "caller" if i % 2 else "agent", 2.0 * i, 2.0 * i + 1.5, text)


def test_interrupted_calls_are_marked_at_startup_and_replayed(tmp_path, recognizer):
    """Defect 3: after a crash the stored call stayed open with no end reason and a re-subscribe waited in
    silence. The next start marks it interrupted; a subscriber gets its stored events and call_ended."""
    db = make_config(tmp_path).db
    _crashed_call(db, "CRASHED-1", ["您好，12368诉讼服务热线", "我想查一下案子进度"])

    async def body():
        async with running(tmp_path, recognizer) as srv:
            evs = await asyncio.wait_for(collect(srv.url, "CRASHED-1", AGENT), 10)
            return srv, evs

    srv, evs = run(body())
    stored = load_call(srv.db, "CRASHED-1")
    assert stored["call"]["end_reason"] == INTERRUPTED and stored["call"]["complete"] is False
    assert [e.text for e in evs if isinstance(e, UtteranceEvent)] == ["您好，12368诉讼服务热线", "我想查一下案子进度"]
    end = evs[-1]
    assert isinstance(end, CallEnded) and end.reason == INTERRUPTED and end.complete is False


def test_confidentiality_does_not_depend_on_a_stored_type(tmp_path, recognizer):
    """Defect 4: a complaint whose type was not stored (live, crashed, failed end) was exported to any role.
    Now the live classification and a classification of the stored words decide."""
    db = make_config(tmp_path).db
    complaint = ["您好，12368诉讼服务热线", "我要投诉执行法官，他一直不理我，我要举报他违规办案"]
    _crashed_call(db, "CRASHED-C", complaint)

    async def body():
        async with running(tmp_path, recognizer, confidential_roles=("supervisor",)) as srv:
            out = {}
            for name, tok in (("inspector", INSP), ("supervisor", SUP)):
                try:
                    out[name] = await asyncio.to_thread(client.http_get, srv.url, "/calls/CRASHED-C", tok)
                except ServerError as exc:
                    out[name] = exc
            try:
                out["replay_inspector"] = await collect(srv.url, "CRASHED-C", INSP)
            except ServerError as exc:
                out["replay_inspector"] = exc
            return srv, out

    srv, out = run(body())
    assert isinstance(out["inspector"], ServerError) and out["inspector"].code == 403
    assert isinstance(out["replay_inspector"], ServerError) and out["replay_inspector"].code == 4403
    assert out["supervisor"]["call"]["service_type"] is None  # nothing stored, yet withheld above
    audit = srv.audit.read()
    assert {(a["event"], a["route"], a["role"]) for a in audit} >= {
        ("refused", "export", "inspector"), ("refused", "events", "inspector"),
        ("confidential_access", "export", "supervisor")}


def test_a_stalled_ingest_times_out_and_ends_its_call(tmp_path, recognizer):
    """Defect 6: a half-open ingest kept its call id locked (4409) for ever."""

    async def body():
        async with running(tmp_path, recognizer, limits={"ingest_idle_seconds": 1.0}) as srv:
            data, rate = pcm("FX-03", 3)
            async with connect(f"{srv.url}/calls/STALL-1/audio", proxy=None, ping_interval=None,
                               additional_headers={"Authorization": f"Bearer {TEL}"}) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": rate, "channels": 2}}))
                await ws.send(data[:3200])
                with pytest.raises(ConnectionClosed):  # then silence: the server gives up after 1 s
                    while True:
                        await asyncio.wait_for(ws.recv(), 20)
                code, reason = ws.close_code, ws.close_reason
            while srv.hub.active("STALL-1"):  # the call is being finished (ASR flush, store)
                await asyncio.sleep(0.05)
            with pytest.raises(ServerError) as reuse:
                await client.stream_file(srv.url, "STALL-1", fixture("FX-03"), TEL, pace="whole", seconds=1)
            return srv, code, reason, reuse.value

    srv, code, reason, reuse = run(body())
    assert code == 4408 and "stalled" in reason
    assert reuse.code == 4410, "the stalled call ended: its id is no longer locked as streaming"
    stored = load_call(srv.db, "STALL-1")
    assert stored["call"]["end_reason"] == "timeout" and stored["call"]["complete"] is False
    assert any(a["event"] == "cut_off" and a["route"] == "audio" for a in srv.audit.read())


def test_two_authorization_headers_get_400_and_every_refusal_is_audited(tmp_path):
    """Defect 12: two Authorization headers gave HTTP 500; refusals left no trace."""

    async def body():
        async with running(tmp_path, object()) as srv:
            def get(headers):
                conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
                conn.putrequest("GET", "/calls")
                for k, v in headers:
                    conn.putheader(k, v)
                conn.endheaders()
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                return resp.status, json.loads(body)

            two = await asyncio.to_thread(get, [("Authorization", f"Bearer {SUP}"), ("Authorization", "Bearer x")])
            none = await asyncio.to_thread(get, [])
            ok = await asyncio.to_thread(get, [("Authorization", f"Bearer {SUP}")])
            return srv, two, none, ok

    srv, two, none, ok = run(body())
    assert two[0] == 400 and "Authorization" in two[1]["error"]
    assert none[0] == 401 and ok[0] == 200
    refused = [a for a in srv.audit.read() if a["event"] == "refused"]
    assert [(a["status"], a["route"]) for a in refused] == [(400, "calls"), (401, "calls")]
    assert all(a["peer"].startswith("127.0.0.1:") and a["ts"] for a in refused)


def test_200_idle_connections_are_bounded_and_the_server_keeps_serving(tmp_path, recognizer):
    """200 idle TCP connections and 200 idle subscribers: a call still streams; one connection over the cap is
    refused with 503; idle subscribers and handshakes are closed after their time-outs."""

    async def body():
        lim = {"subscriber_idle_seconds": 6.0, "handshake_seconds": 8.0, "max_connections": 300}
        async with running(tmp_path, recognizer, limits=lim) as srv:
            subs = [asyncio.create_task(_idle_subscriber(srv.url, f"NEVER-{i}")) for i in range(200)]
            for _ in range(400):
                if sum(len(c.subscribers) for c in srv.hub.calls.values()) == 200:
                    break
                await asyncio.sleep(0.05)
            raw = [await asyncio.open_connection("127.0.0.1", srv.port) for _ in range(200)]
            await asyncio.sleep(0.2)
            open_now = len(srv._server.handler_tasks)
            with pytest.raises(ServerError) as capped:
                await asyncio.to_thread(client.http_get, srv.url, "/calls", SUP)
            for _, w in raw[:150]:  # under the cap again
                w.close()
            await asyncio.sleep(0.2)
            call = await client.stream_file(srv.url, "BUSY-1", fixture("FX-03"), TEL, pace="whole", seconds=3)
            closes = await asyncio.gather(*subs)
            dropped = 0
            for r, w in raw[150:]:
                try:
                    dropped += await asyncio.wait_for(r.read(1), 10) == b""
                except (OSError, TimeoutError):
                    pass
                w.close()
            return open_now, call, capped.value, closes, dropped

    open_now, call, capped, closes, dropped = run(body(), timeout=120)
    assert open_now >= 400
    assert call["result"]["complete"] and call["frames"] == call["sent_frames"]
    assert capped.code == 503 and "too many connections" in str(capped)
    assert closes == [(4408, "idle: no event for 6 s")] * 200
    assert dropped == 50, "idle TCP connections are dropped after the handshake time-out"


async def _idle_subscriber(url, call_id):
    async with connect(f"{url}/calls/{call_id}/events", proxy=None, open_timeout=60,
                       additional_headers={"Authorization": f"Bearer {AGENT}"}) as ws:
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 30)
        return ws.close_code, ws.close_reason


def test_per_call_turn_limit_ends_the_call_with_a_clear_error(tmp_path, recognizer):
    async def body():
        async with running(tmp_path, recognizer, limits={"max_turns": 1}) as srv:
            data, rate = pcm("FX-03", 12)
            got, code, reason = await stream_raw(srv.url, "LONG-1", data, rate)
            return srv, got, code, reason

    srv, got, code, reason = run(body())
    assert code == 4413 and "more than 1 turns" in reason
    stored = load_call(srv.db, "LONG-1")
    assert stored["call"]["end_reason"] == "limit" and stored["call"]["complete"] is False
    assert len(stored["utterances"]) >= 2, "what was said is kept"


def test_a_stalled_asr_client_is_closed(tmp_path, recognizer):
    """The vosk-server route (/asr) times out a client that sends nothing, too."""

    async def body():
        async with running(tmp_path, recognizer, limits={"ingest_idle_seconds": 1.0}) as srv:
            async with connect(f"{srv.url}/asr", proxy=None, ping_interval=None,
                               additional_headers={"Authorization": f"Bearer {TEL}"}) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 20)
                return ws.close_code, ws.close_reason

    code, reason = run(body())
    assert code == 4408 and "stalled" in reason


def test_a_wal_database_from_an_earlier_version_runs_without_shared_memory(tmp_path, recognizer):
    """A database left in WAL mode (earlier versions) is switched to the rollback journal: no -shm file whose
    truncation or loss would kill the server with SIGBUS."""
    import sqlite3

    path = tmp_path / "calls.db"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    con.close()

    async def body():
        async with running(tmp_path, recognizer, db=f"sqlite:///{path}") as srv:
            final = await client.stream_file(srv.url, "NOSHM-1", fixture("FX-03"), TEL, pace="whole", seconds=3)
            return final, sorted(p.name for p in tmp_path.iterdir())

    final, names = run(body())
    assert final["stored"] is True
    assert "calls.db-shm" not in names and "calls.db-wal" not in names, names
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    con.close()
