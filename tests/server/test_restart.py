"""The server (a real `copilot serve` subprocess, Whisper) killed with SIGKILL mid-call and restarted on the same SQLite
file: what was answered is stored, the killed call is marked interrupted at the restart, a re-subscribe replays it
ending with call_ended(complete=false, reason=interrupted), and its id is not reused."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from copilot.server import client
from copilot.server.config import ServerError
from copilot.server.load import SpawnedServer
from copilot.store import load_call
from copilot.store.db import make_engine
from tests.server.conftest import fixture, run

pytestmark = pytest.mark.slow


def test_kill_9_and_restart_keeps_stored_calls(tmp_path):
    db = f"sqlite:///{tmp_path / 'calls.db'}"
    server = SpawnedServer(engine="whisper", db=db)  # the default engine, loaded in a real subprocess
    tel = server.tokens["telephony"]
    finals: list[dict] = []

    async def first_life():
        done = await client.stream_file(server.url, "BEFORE", fixture("FX-03"), tel, pace="whole", seconds=6)

        def on_message(m):
            if "text" in m:
                finals.append(m)
                if len(finals) == 1:
                    os.kill(server.proc.pid, signal.SIGKILL)

        with pytest.raises(ServerError):
            await client.stream_file(server.url, "KILLED", fixture("FX-01"), tel, pace="fast", seconds=60,
                                     on_message=on_message)
        return done

    try:
        done = run(first_life())
        server.proc.wait(30)
        assert server.proc.returncode == -signal.SIGKILL
    finally:
        server.close()
    engine = make_engine(db)
    before = load_call(engine, "BEFORE")
    killed = load_call(engine, "KILLED")
    assert before["call"]["complete"] and json_result(before)["call_id"] == "BEFORE"
    assert killed["call"]["complete"] is False and killed["call"]["end_reason"] is None
    stored = [(u["speaker"], u["text"]) for u in killed["utterances"]]
    assert [(m["speaker"], m["text"]) for m in finals] == stored[:len(finals)], "every answered final is stored"

    again = SpawnedServer(engine="whisper", db=db)
    try:
        after = run(client.stream_file(again.url, "AFTER", fixture("FX-02"), again.tokens["telephony"],
                                       pace="whole", seconds=5))
        listing = run(asyncio.to_thread(client.http_get, again.url, "/calls/BEFORE", again.tokens["inspector"]))
        replay = run(asyncio.wait_for(_events(again.url, "KILLED", again.tokens["inspector"]), 30))
        with pytest.raises(ServerError) as reuse:
            run(client.stream_file(again.url, "KILLED", fixture("FX-02"), tel_again(again), pace="whole", seconds=2))
    finally:
        again.close()
    assert after["result"]["complete"] is True
    assert load_call(engine, "BEFORE") == before
    interrupted = load_call(engine, "KILLED")
    assert interrupted["call"]["end_reason"] == "interrupted" and interrupted["call"]["complete"] is False
    assert interrupted["utterances"][:len(finals)] == killed["utterances"][:len(finals)], "nothing answered is lost"
    assert [e.text for e in replay if e.type == "utterance"] == [u["text"] for u in interrupted["utterances"]]
    end = replay[-1]
    assert end.type == "call_ended" and end.reason == "interrupted" and end.complete is False
    assert reuse.value.code == 4410
    assert listing["call"]["call_id"] == "BEFORE" and len(listing["utterances"]) == len(before["utterances"])
    assert done["result"]["call_id"] == "BEFORE"


def json_result(call):
    import json

    return json.loads(call["call"]["result_json"])


async def _events(url, call_id, token):
    return [ev async for ev in client.subscribe(url, call_id, token)]


def tel_again(server):
    return server.tokens["telephony"]
