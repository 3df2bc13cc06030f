"""End to end with the embedded Whisper engine on a real complaint call: confidential events, redacted export."""

from __future__ import annotations

import asyncio

import pytest

from copilot.events import CallEnded, ServiceTypeChanged
from copilot.server import client
from copilot.server.config import ServerError
from copilot.server.hub import CLOSE_FORBIDDEN
from copilot.store import load_call
from tests.server.conftest import AGENT, AGENT2, INSP, SUP, TEL, fixture, run, running

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def whisper():
    from copilot.server.app import load_recognizer

    return load_recognizer("whisper")


def test_whisper_complaint_call_is_confidential(tmp_path, whisper):
    # FX-05 (a fixture in the repository): 「我要举报…」 at 5.3–11.5 s, then the agent's 「…我会如实记录」 and
    # 「您反映的情况会及时转交纪检监察部门办理」 (29–39 s). The first 40 s, so that the call is recognised as a complaint
    # even when Whisper base mishears 举报 (it has written 去报): the agent's handling is evidence too.
    audio = fixture("FX-05")

    async def body():
        async with running(tmp_path, whisper, engine="whisper") as srv:
            async def watch(token):
                try:
                    return [e async for e in client.subscribe(srv.url, "FX-05", token)]
                except ServerError as exc:
                    return exc

            answers: list[dict] = []
            agent = asyncio.create_task(watch(AGENT))  # the agent handling the call: first on it
            await asyncio.sleep(0.1)
            other = asyncio.create_task(watch(AGENT2))  # another agent
            inspector = asyncio.create_task(watch(INSP))
            await asyncio.sleep(0.1)
            final = await client.stream_file(srv.url, "FX-05", audio, TEL, pace="whole", seconds=40,
                                             on_message=answers.append)
            late_agent = await watch(AGENT2)
            export = await asyncio.to_thread(client.http_get, srv.url, "/calls/FX-05", INSP)
            listing = await asyncio.to_thread(client.http_get, srv.url, "/calls", SUP)
            return srv, final, answers, await agent, await other, await inspector, late_agent, export, listing

    srv, final, answers, agent, other, inspector, late_agent, export, listing = run(body(), timeout=900)
    assert final["result"]["service_type"] == "complaint", final["result"]
    assert isinstance(other, ServerError) and other.code == CLOSE_FORBIDDEN and "confidential" in str(other)
    assert isinstance(late_agent, ServerError) and late_agent.code == CLOSE_FORBIDDEN
    assert isinstance(agent[-1], CallEnded) and agent[-1].complete, "the handling agent keeps its own call"
    assert isinstance(inspector[-1], CallEnded) and inspector[-1].complete
    assert any(isinstance(e, ServiceTypeChanged) and e.service_type == "complaint" for e in inspector)
    texts = [e.text for e in inspector if e.type == "utterance" and e.final]
    assert texts == [m["text"] for m in answers if "text" in m]  # the inspector sees every final utterance
    evidence = final["result"]["evidence"]["complaint"]
    # evidence = the need within the type (a group of the phrasebook's examples), then the rule words heard
    from copilot.analysis.rules import load_rules

    needs = {g.need for g in load_rules().pb.examples if g.label == "complaint"}
    assert evidence and all(w in needs or any(w in t for t in texts) for w in evidence), (evidence, texts)
    assert load_call(srv.db, "FX-05")["call"]["service_type"] == "complaint"
    assert export["call"]["call_id"] == "FX-05" and export["utterances"]
    assert listing["recent"][0]["confidential"] is True
