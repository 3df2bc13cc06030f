"""Complaint confidentiality and export redaction over a real loopback server (no ASR model needed):
stored calls are exported by HTTP, live events go out over real websockets."""

from __future__ import annotations

import asyncio
import json

import pytest

from copilot.events import CallEnded, CallStarted, RecordUpdated, ServiceTypeChanged, UtteranceEvent
from copilot.server import client
from copilot.server.config import ServerError
from copilot.server.hub import CLOSE_FORBIDDEN
from copilot.store import CallWriter
from tests.server.conftest import AGENT, AGENT2, INSP, SUP, run, running

PHONE, ID_CARD = "15968203472", "33050219800101123X"


def _store(db, call_id: str, service_type: str) -> None:
    w = CallWriter(db, call_id, started_at="2026-03-02T09:15:00+08:00", source="websocket")
    w.add_utterance(0, "caller", 5.3, 11.5, "我要举报执行局的一个工作人员" if service_type == "complaint" else "我想查案子")
    w.add_utterance(1, "caller", 39.2, 46.7, f"我叫李美芳，电话是{PHONE}，身份证{ID_CARD}")
    w.update_record({"phone": PHONE, "caller_name": "李美芳"})
    w.end(reason="eof", complete=True, result={"call_id": call_id, "service_type": service_type,
                                               "service_types": [service_type], "record": {"phone": PHONE}})


def _export(url, call_id, token):
    try:
        return client.http_get(url, f"/calls/{call_id}", token)
    except ServerError as exc:
        return exc


def test_exports_are_redacted_and_complaints_only_for_cleared_roles(tmp_path):
    async def body(**cfg):
        async with running(tmp_path, object(), **cfg) as srv:
            _store(srv.db, "COMPLAINT-1", "complaint")
            _store(srv.db, "QUERY-1", "info_query")
            got = {}
            for cid in ("COMPLAINT-1", "QUERY-1"):
                for name, tok in (("inspector", INSP), ("supervisor", SUP), ("agent", AGENT)):
                    got[cid, name] = await asyncio.to_thread(_export, srv.url, cid, tok)
            return got

    got = run(body())  # defaults: complaints for inspector and supervisor; redaction on
    text = json.dumps(got["COMPLAINT-1", "inspector"], ensure_ascii=False)
    assert "李美芳" in text and PHONE not in text and ID_CARD not in text
    assert "159****3472" in text and "330502********123X" in text
    assert got["COMPLAINT-1", "inspector"]["record"]["phone"] == "159****3472"
    assert isinstance(got["QUERY-1", "agent"], ServerError) and got["QUERY-1", "agent"].code == 403

    got = run(body(confidential_roles=("supervisor",)))  # only supervisors may see complaints
    refused = got["COMPLAINT-1", "inspector"]
    assert isinstance(refused, ServerError) and refused.code == 403 and "confidential" in str(refused)
    assert PHONE not in json.dumps(got["QUERY-1", "inspector"], ensure_ascii=False)  # other calls: redacted
    assert got["COMPLAINT-1", "supervisor"]["call"]["service_type"] == "complaint"

    got = run(body(redact=False))  # a centre may switch redaction off in its config
    assert got["QUERY-1", "inspector"]["record"]["phone"] == PHONE


@pytest.mark.parametrize("cleared", [("inspector", "supervisor"), ("inspector",)])
def test_live_complaint_events_reach_only_cleared_roles(tmp_path, cleared):
    """When a live call turns out to be a complaint, uncleared subscribers are cut off (4403) — but not the agent
    handling the call (the first agent on it): confidentiality is about other people. The supervisors' listing
    withholds its content unless supervisors are cleared."""

    async def body():
        async with running(tmp_path, object(), confidential_roles=cleared) as srv:
            async def watch(token):
                try:
                    return [e async for e in client.subscribe(srv.url, "LIVE-C", token)]
                except ServerError as exc:
                    return exc

            subs = {}
            for role, tok in (("handler", AGENT), ("other_agent", AGENT2), ("inspector", INSP)):
                subs[role] = asyncio.create_task(watch(tok))
                await asyncio.sleep(0.2)  # the handling agent is on the call first
            srv.hub.begin("LIVE-C")
            srv.hub.publish("LIVE-C", [
                CallStarted(t=0.0, call_id="LIVE-C", source="websocket"),
                UtteranceEvent(t=3.0, speaker="caller", text="我要投诉", start=1.0, end=3.0, turn=0),
                ServiceTypeChanged(t=3.0, service_type="complaint", service_types=("complaint",)),
                RecordUpdated(t=4.0, record={"phone": PHONE})])
            listing = await asyncio.to_thread(client.http_get, srv.url, "/calls", SUP)
            srv.hub.publish("LIVE-C", [CallEnded(t=9.0, call_id="LIVE-C", reason="eof", complete=True)])
            late = {"other_agent": await watch(AGENT2), "handler": await watch(AGENT)}
            return {k: await t for k, t in subs.items()}, late, listing, srv.audit.read()

    got, late, listing, audit = run(body())
    for result in (got["other_agent"], late["other_agent"]):
        assert isinstance(result, ServerError) and result.code == CLOSE_FORBIDDEN and "confidential" in str(result)
    kinds = ["call_started", "utterance", "service_type", "record", "call_ended"]
    assert [e.type for e in got["inspector"]] == kinds
    assert [e.type for e in got["handler"]] == kinds, "the handling agent keeps its own call"
    assert [e.type for e in late["handler"]] == kinds
    entry = listing["active"][0]
    assert entry["confidential"] is True and entry["call_id"] == "LIVE-C"
    if "supervisor" in cleared:
        assert entry["record"] == {"phone": "159****3472"}
    else:
        assert entry["withheld"] is True and "record" not in entry and "flags" not in entry
    cut = [a for a in audit if a["event"] == "cut_off"]
    assert [(a["role"], a["status"], a["call_id"]) for a in cut] == [("agent", CLOSE_FORBIDDEN, "LIVE-C")]
    refused = [a for a in audit if a["event"] == "refused"]
    assert [(a["role"], a["status"]) for a in refused] == [("agent", CLOSE_FORBIDDEN)]
    access = {(a["role"], a["reason"]) for a in audit if a["event"] == "confidential_access"}
    assert ("agent", "handling agent") in access and ("inspector", "cleared role") in access
    assert all("tok" not in json.dumps(a) for a in audit), "tokens never reach the audit log"
