"""The server's store on a real PostgreSQL server (COPILOT_TEST_PG_URL, set by .ci/run via .ci/postgres.sh)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from copilot.server import client
from copilot.store import load_call
from copilot.store.db import make_engine
from tests.server.conftest import TEL, fixture, run, running

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "postgres.sh"


@pytest.fixture(scope="module")
def pg_url() -> str:
    """The PostgreSQL URL CI exported; unreachable is a failure. Unset: skipped, except in CI (failure)."""
    url = os.environ.get("COPILOT_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") or os.environ.get("COPILOT_REQUIRE_PG"):
            pytest.fail("COPILOT_TEST_PG_URL is not set: run `export COPILOT_TEST_PG_URL=\"$(bash .ci/postgres.sh | "
                        "tail -n1)\"` first (it installs and starts PostgreSQL on 127.0.0.1:5432)")
        pytest.skip(f"no PostgreSQL: set COPILOT_TEST_PG_URL (bash {SCRIPT.relative_to(SCRIPT.parents[1])} "
                    "starts one and prints it); CI always does")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("psycopg is needed for COPILOT_TEST_PG_URL: pip install -e '.[pg]'")
    from sqlalchemy import text

    try:
        with make_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server fails the test
        pytest.fail(f"PostgreSQL at {url} is unreachable: {exc}")
    return url


def test_calls_are_committed_to_postgresql(tmp_path, recognizer, pg_url):
    call_id = f"PG-{uuid.uuid4().hex[:8]}"
    engine = make_engine(pg_url)
    assert engine.dialect.name == "postgresql"

    answers: list[dict] = []

    async def body():
        async with running(tmp_path, recognizer, db=pg_url) as srv:
            return await client.stream_file(srv.url, call_id, fixture("FX-01"), TEL, pace="whole", seconds=6,
                                            on_message=answers.append)

    final = run(body())
    stored = load_call(engine, call_id)
    assert stored is not None and stored["call"]["complete"] is True and stored["call"]["end_reason"] == "eof"
    assert [u["turn"] for u in stored["utterances"]] == list(range(len(stored["utterances"])))
    assert stored["utterances"], "6 s of a call must give final utterances"
    assert [u["text"] for u in stored["utterances"]] == [m["text"] for m in answers if "text" in m]
    assert final["result"]["call_id"] == call_id


def test_postgresql_rows_are_committed_as_they_happen(tmp_path, recognizer, pg_url):
    """A final utterance is in PostgreSQL (seen from another connection) before the call ends; a client
    that vanishes leaves the call stored with what arrived and marked incomplete."""
    call_id = f"PG-{uuid.uuid4().hex[:8]}"
    engine = make_engine(pg_url)
    data, rate = client.read_pcm(fixture("FX-02"), seconds=8)

    async def body():
        async with running(tmp_path, recognizer, db=pg_url) as srv:
            async with connect(f"{srv.url}/calls/{call_id}/audio", proxy=None, ping_interval=None,
                               additional_headers={"Authorization": f"Bearer {TEL}"}) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": rate, "channels": 2}}))
                reader = asyncio.create_task(_first_final(ws))
                for i in range(0, len(data), rate // 10):
                    await ws.send(data[i:i + rate // 10].tobytes())
                first = await asyncio.wait_for(reader, 120)
                mid = await asyncio.to_thread(load_call, engine, call_id)  # a separate connection, mid-call
                ws.transport.abort()  # no eof, no close frame
            for _ in range(300):  # the server ends the call once it notices
                if srv.hub.calls[call_id].ended is not None:
                    break
                await asyncio.sleep(0.1)
            return first, mid

    first, mid = run(body())
    assert mid["call"]["end_reason"] is None and mid["call"]["complete"] is False
    assert (mid["utterances"][0]["speaker"], mid["utterances"][0]["text"]) == (first["speaker"], first["text"])
    stored = load_call(engine, call_id)
    assert stored["call"]["complete"] is False and stored["call"]["end_reason"] == "disconnect"
    assert len(stored["utterances"]) >= len(mid["utterances"])


async def _first_final(ws) -> dict:
    async for msg in ws:
        m = json.loads(msg)
        if "text" in m:
            return m
    raise AssertionError("no final utterance before the connection closed")
