"""The server builds each ingested call's pipeline through copilot.session's factory (an ``ingest`` source with
the server's shared recognizer): a real server on loopback, a real recording streamed in, the stored call read
back. The scripted recognizer (stage harness) stands in for the ASR model."""

from __future__ import annotations

from pathlib import Path

import copilot.session.factory as factory
from copilot.server import client
from copilot.session.testing import ScriptedRecognizer
from copilot.store import load_call
from tests.server.conftest import TEL, run, running

DEV_003 = Path(__file__).resolve().parents[2] / "tests" / "data" / "dev" / "audio" / "DEV-003-8s.flac"
SCRIPT = [("agent", 0.4, 2.4, "喂，你找谁？"), ("caller", 2.8, 5.0, "我想查一下我的案子开庭时间。"),
          ("agent", 5.4, 7.6, "这个不归我们管。")]


def test_ingest_pipelines_come_from_the_factory(tmp_path, monkeypatch):
    built = []
    real = factory.make_pipeline

    def spy(spec, **kw):
        built.append((spec.kind, spec.call_id, spec.ring_seconds, kw.get("recognizer")))
        return real(spec, **kw)

    monkeypatch.setattr(factory, "make_pipeline", spy)
    rec = ScriptedRecognizer(SCRIPT)

    async def body():
        async with running(tmp_path, rec) as srv:
            final = await client.stream_file(srv.url, "WS-FACTORY", DEV_003, TEL, pace="whole", ring_seconds=4.0)
            return final, load_call(srv.db, "WS-FACTORY")

    final, stored = run(body())
    assert built == [("ingest", "WS-FACTORY", 4.0, rec)]
    assert {f["code"] for f in final["result"]["flags"]} >= {"banned_phrase"}
    assert [u["text"] for u in stored["utterances"]] == [t for _, _, _, t in SCRIPT]
    assert all("offline" not in opts for _, opts in rec.opened)  # a live call: never whole-channel decoding
