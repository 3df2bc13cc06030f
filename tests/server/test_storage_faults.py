"""Storage faults under a real server on loopback: the database folder write-protected and restored, the database
file deleted and restored, mid-call and after a call — nothing lost, nobody told a call is stored when it is not;
no shared-memory file for SQLite to die on (SIGBUS)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from copilot.events import UtteranceEvent
from copilot.server import client
from copilot.store import load_call
from copilot.store.db import make_engine
from tests.server.conftest import AGENT, TEL, fixture, run, running

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def write_protected(folder: Path):
    """The folder (and so the database's journal) cannot be written — for root too (immutable flag)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        for f in folder.iterdir():
            f.chmod(0o444)
        try:
            yield
        finally:
            folder.chmod(mode)
            for f in folder.iterdir():
                f.chmod(0o644)


class Call:
    """One ingest connection driven step by step: send audio, wait for finals, end."""

    def __init__(self, url: str, call_id: str) -> None:
        self.url, self.call_id = url, call_id
        self.messages: list[dict] = []
        self.data, self.rate = client.read_pcm(fixture("FX-03"), seconds=18)
        self.pos = 0

    async def __aenter__(self):
        self.cm = connect(f"{self.url}/calls/{self.call_id}/audio", proxy=None, ping_interval=None,
                          additional_headers={"Authorization": f"Bearer {TEL}"})
        self.ws = await self.cm.__aenter__()
        await self.ws.send(json.dumps({"config": {"sample_rate": self.rate, "channels": 2}}))
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self):
        with contextlib.suppress(ConnectionClosed):
            async for m in self.ws:
                self.messages.append(json.loads(m))

    async def send(self, seconds: float) -> None:
        step = self.rate // 10
        end = min(len(self.data), self.pos + int(seconds * self.rate))
        for i in range(self.pos, end, step):
            await self.ws.send(self.data[i:min(i + step, end)].astype("<i2").tobytes())
        self.pos = end

    async def wait_for(self, pred, timeout: float = 30.0) -> None:
        for _ in range(int(timeout / 0.05)):
            if any(pred(m) for m in self.messages):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.call_id}: no such message in {self.messages[-5:]}")

    async def finish(self) -> dict:
        await self.send(len(self.data) / self.rate)
        await self.ws.send(json.dumps({"eof": 1}))
        await asyncio.wait_for(self.reader, 60)
        await self.cm.__aexit__(None, None, None)
        return self.messages[-1]

    @property
    def finals(self) -> list[str]:
        return [m["text"] for m in self.messages if "text" in m]

    async def __aexit__(self, *exc):
        return None


def _texts(db, call_id):
    stored = load_call(db, call_id)
    return stored, [u["text"] for u in stored["utterances"]]


def test_database_write_protected_mid_call_and_restored(tmp_path, recognizer):
    folder = tmp_path / "db"
    folder.mkdir()
    db_url = f"sqlite:///{folder / 'calls.db'}"

    async def body():
        async with running(tmp_path, recognizer, db=db_url, spool_dir=str(tmp_path / "spool"),
                           audit_log=str(tmp_path / "audit.jsonl")) as srv:
            sub = asyncio.create_task(_collect(srv.url, "WP-1"))
            await asyncio.sleep(0.1)
            async with Call(srv.url, "WP-1") as a:
                await a.send(6)
                await a.wait_for(lambda m: "text" in m)
                assert not list(folder.glob("*-shm")), "no SQLite shared-memory file to die on"
                with write_protected(folder):
                    await a.send(6)
                    await a.wait_for(lambda m: m.get("stored") is False)
                    spooled = (tmp_path / "spool" / "WP-1.jsonl").read_text(encoding="utf-8")
                    async with Call(srv.url, "WP-2") as b:  # a whole call while the database is away
                        b_final = await b.finish()
                    await asyncio.sleep(2.5)  # the retry loop fails meanwhile; nothing lost
                a_final = await a.finish()
            for _ in range(100):  # the retry loop writes WP-2 now that the folder is writable again
                if not srv.unstored:
                    break
                await asyncio.sleep(0.1)
            evs = await sub
            return srv, a, a_final, b, b_final, spooled, evs

    srv, a, a_final, b, b_final, spooled, evs = run(body())
    assert any(m.get("stored") is True for m in a.messages), "the client is told when the call is stored again"
    assert a_final["stored"] is True and a_final["result"]["complete"] is True
    assert b_final["stored"] is False, "a call ended while the database was away is not reported stored"
    assert '"op": "utterance"' in spooled
    db = make_engine(f"sqlite:///{tmp_path / 'db' / 'calls.db'}")
    for call, final in ((a, a_final), (b, b_final)):
        stored, texts = _texts(db, call.call_id)
        assert texts == call.finals and texts, "every final utterance is in the database"
        assert stored["call"]["complete"] is True and stored["call"]["end_reason"] == "eof"
        assert json.loads(stored["call"]["result_json"])["score"] == final["result"]["score"]
    assert not list((tmp_path / "spool").glob("*.jsonl")), "spool files go once written"
    notes = [e for e in evs if e.type == "store"]
    assert [e.stored for e in notes] == [False, True] and "not stored" in notes[0].reason
    assert [e.text for e in evs if isinstance(e, UtteranceEvent) and e.final] == a.finals


async def _collect(url, call_id):
    return [ev async for ev in client.subscribe(url, call_id, AGENT)]


def test_database_file_deleted_mid_call_then_restored(tmp_path, recognizer):
    """Deleted under a running server, SQLite's open connections would write into the deleted file: the server
    notices, spools, and writes the whole call into the restored file."""
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "calls.db"

    async def body():
        async with running(tmp_path, recognizer, db=f"sqlite:///{path}", spool_dir=str(tmp_path / "spool")) as srv:
            before = await client.stream_file(srv.url, "EARLIER", fixture("FX-02"), TEL, pace="whole", seconds=4)
            async with Call(srv.url, "GONE-1") as a:
                await a.send(6)
                await a.wait_for(lambda m: "text" in m)
                backup = tmp_path / "backup.db"
                shutil.copy2(path, backup)
                path.unlink()
                await a.send(6)
                await a.wait_for(lambda m: m.get("stored") is False)
                shutil.copy2(backup, path)  # the operator restores the file
                await asyncio.sleep(2.1)
                final = await a.finish()
            return before, a, final

    before, a, final = run(body())
    assert any(m.get("stored") is False and "vanished" in m["reason"] for m in a.messages)
    assert final["stored"] is True
    db = make_engine(f"sqlite:///{path}")
    stored, texts = _texts(db, "GONE-1")
    assert texts == a.finals and texts and stored["call"]["end_reason"] == "eof"
    assert load_call(db, "EARLIER")["call"]["complete"] is True
    assert before["stored"] is True
